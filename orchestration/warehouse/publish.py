"""Publish the BI copy: the marts, in a separate DuckDB file, swapped in atomically.

BI tools open the published file read-only. It is rebuilt beside the old one and moved over
it with os.replace, so a reader sees either the previous copy or the new one, never a partial
file, and never waits on the pipeline's write lock (the pipeline writes another file). Only
the marts and the load ledger go in: raw and staging hold personal data in clear or hashed
form and are not for BI. The file is written with a storage_compatibility_version that older
DuckDB readers can open.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("marts",)


def publish(warehouse: Path, published: Path, storage_version: str = "v1.1.0") -> dict[str, int]:
    """Copy every table of the published schemas (and the ledger) to `published`, atomically."""
    published.parent.mkdir(parents=True, exist_ok=True)
    for leftover in published.parent.glob(f".{published.name}.*.tmp"):
        leftover.unlink()  # from a publish that was killed; never read by anyone
    staging_file = published.with_name(f".{published.name}.{os.getpid()}.tmp")
    counts: dict[str, int] = {}
    con = duckdb.connect()
    try:
        con.execute(f"attach '{warehouse}' as src (read_only)")
        con.execute(f"attach '{staging_file}' as pub (storage_version '{storage_version}')")
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where database_name = 'src' and schema_name in ("
            + ", ".join(f"'{s}'" for s in PUBLISHED_SCHEMAS)
            + ") order by 1, 2"
        ).fetchall()
        for schema, table in tables:
            con.execute(f"create schema if not exists pub.{schema}")
            con.execute(f"create table pub.{schema}.{table} as select * from src.{schema}.{table}")
            counts[f"{schema}.{table}"] = con.execute(
                f"select count(*) from pub.{schema}.{table}"
            ).fetchone()[0]
        if con.execute(
            "select count(*) from duckdb_tables() where database_name = 'src' "
            "and schema_name = 'loader' and table_name = 'ledger'"
        ).fetchone()[0]:
            con.execute("create schema if not exists pub.audit")
            con.execute("create table pub.audit.load_ledger as select * from src.loader.ledger")
        con.execute("detach pub")
    finally:
        con.close()
    with open(staging_file, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(staging_file, published)
    return counts
