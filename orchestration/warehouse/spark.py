"""Hand the raw layer to Spark: every raw table becomes a Parquet folder Spark registers.

The loader writes to DuckDB (one embedded writer, fast CSV parsing). For the Spark targets the
raw tables are copied to ``<raw_parquet_dir>/<schema>/<table>/`` and the dbt ``on-run-start``
hook (macro ``register_raw_sources``) declares each as an external Parquet table, so the same
dbt sources resolve on both engines. On a real cluster, point FUNNEL_RAW_PARQUET at shared
storage (s3://..., abfss://...) that the cluster can read.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import duckdb

from orchestration.loader import spec


def export_raw_for_spark(
    warehouse: Path, out_dir: Path, duckdb_config: Mapping[str, str] | None = None
) -> dict[str, int]:
    """Copy every raw table to Parquet (empty tables too, so their schema travels)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with duckdb.connect(str(warehouse), read_only=True, config=dict(duckdb_config or {})) as con:
        for table in spec.raw_table_schemas():
            schema, name = table.split(".")
            target = out_dir / schema / name
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
            con.execute(f"copy (select * from {table}) to '{target / 'part-0.parquet'}' (format parquet)")
            counts[table] = con.execute(f"select count(*) from {table}").fetchone()[0]
    return counts
