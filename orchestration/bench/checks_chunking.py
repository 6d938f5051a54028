"""The Great Expectations checks validated in chunks (the code) and read whole (the code before
e5fa055): `python -m orchestration.bench.checks_chunking --warehouse PATH [--copies 10]` (or
`make bench-extras`).

The checks read what a suite names into pandas (quality/read.py); chunked, row-wise expectations see
FUNNEL_QUALITY_CHUNK_ROWS rows at a time, whole, every row of a table at once. The README's figures
were measured on the checked tables of the 1M warehouse copied ten times over (`--copies 10`):
chunked 119 s and 2.3 GB, whole killed by the kernel at 24 GB. Copies are made in a scratch file
beside the run (the warehouse is only read): each checked table `copies` times, each copy's text
key columns suffixed with its number so the copies are distinct funnels, persons and deals (the
checks pass on the copies as on the warehouse), plus the newest export row the freshness check
reads. A variant whose process tree passes the memory cap is killed and reported as such: reading
whole is meant to grow without bound, and the machine may be shared.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
from rich.console import Console

from orchestration.bench import experiment
from orchestration.bench.measure import memory_bytes
from orchestration.loader import spec as loader_spec
from orchestration.quality.freshness import NEWEST_EXPORT
from orchestration.quality.spec import ACROSS_ROWS, TableSpec, load_suites
from orchestration.settings import Settings
from orchestration.warehouse.checksum import quote_identifier

NAME = "checks_chunking"
# What the variants' child processes import: not __name__, which is __main__ when run as a command.
MODULE = f"orchestration.bench.{NAME}"
WHOLE = 2**62  # rows per chunk that no table reaches: one chunk, the whole table
DEFAULT_CAP_SHARE = 0.6  # of the machine's memory: where a variant is killed unless --memory-cap-gb


def checked_tables(names: Sequence[str] | None = None) -> list[TableSpec]:
    """The suites' tables (all, or those named, e.g. marts.fct_funnel_cohort or newest_export)."""
    tables = load_suites()
    if names:
        unknown = set(names) - {t.table for t in tables}
        if unknown:
            raise SystemExit(f"no suite checks {', '.join(sorted(unknown))}")
        tables = [t for t in tables if t.table in names]
    return tables


def key_columns(table: TableSpec) -> list[str]:
    """The columns that tell rows apart for the checks: the chunk split's and the uniqueness checks'."""
    keys = list(table.chunk_by)
    for expectation in table.expectations:
        if expectation.expectation in ACROSS_ROWS:
            keys += [c for c in expectation.columns if c not in keys]
    return keys


def _copy_sql(con: duckdb.DuckDBPyConnection, table: TableSpec, copies: int) -> str:
    schema, name = table.table.split(".")
    columns = con.execute(
        "select column_name, data_type from duckdb_columns() where database_name = 'src' "
        "and schema_name = ? and table_name = ? order by column_index",
        [schema, name],
    ).fetchall()
    keys = set(key_columns(table))
    # Copy 0 keeps its keys as they are; copy k > 0 gets '~k' on each text key.
    selected = ", ".join(
        f"case when copy_number = 0 then {quote_identifier(c)} else {quote_identifier(c)} || '~' || copy_number end "
        f"as {quote_identifier(c)}"
        if c in keys and data_type == "VARCHAR"
        else quote_identifier(c)
        for c, data_type in columns
    )
    return f"select {selected} from src.{schema}.{name}, range({copies}) as copies(copy_number)"


def copy_tables(params: dict[str, Any]) -> dict[str, Any]:
    """Child: the checked tables, `copies` times each, in a new file; the newest export's row."""
    settings = Settings.from_env()
    tables = checked_tables(params["tables"])
    with duckdb.connect(str(params["target"]), config=settings.duckdb_config()) as con:
        con.execute(f"attach '{params['warehouse']}' as src (read_only)")
        for table in tables:
            if table.table == NEWEST_EXPORT:
                continue
            con.execute(f"create schema if not exists {table.table.split('.')[0]}")
            con.execute(f"create table {table.table} as {_copy_sql(con, table, params['copies'])}")
        if any(t.table == NEWEST_EXPORT for t in tables):
            _copy_newest_export(con)
    return {"tables": len(tables)}


def _copy_newest_export(con: duckdb.DuckDBPyConnection) -> None:
    """One row per raw table, its newest export: all the freshness check reads (quality/freshness.py)."""
    raw = loader_spec.RAW_SCHEMA
    con.execute(f"create schema if not exists {raw}")
    for (table,) in con.execute(
        "select table_name from duckdb_tables() where database_name = 'src' and schema_name = ?", [raw]
    ).fetchall():
        con.execute(
            f"create table {raw}.{quote_identifier(table)} as select max(_exported_at) as _exported_at, "
            f"arg_max(_source_file, _exported_at) as _source_file from src.{raw}.{quote_identifier(table)}"
        )


def checks(params: dict[str, Any]) -> dict[str, Any]:
    """Child: the suites' checks on `warehouse`, `chunk_rows` rows at a time."""
    import great_expectations  # noqa: F401 - imported before the clock starts: 3 s of the process's time

    from orchestration.quality import run_quality

    work = Path(params["work"])
    settings = replace(
        Settings.from_env(),
        warehouse=Path(params["warehouse"]),
        quality_chunk_rows=int(params["chunk_rows"]),
        data_docs=work / "data_docs",  # not the warehouse's own Data Docs
        dagster_home=work / "dagster_home",  # no row-count baseline: the band checks have nothing to compare
    )
    started = time.perf_counter()
    report = run_quality(settings, checked_tables(params["tables"]))
    seconds = time.perf_counter() - started
    return {
        "work_seconds": round(seconds, 3),
        "expectations": len(report.outcomes),
        "failing": sorted(o.spec.name for o in report.outcomes if not o.success),
        "outcomes": {f"{o.spec.table}.{o.spec.name}": o.success for o in report.outcomes},
    }


def table_rows(warehouse: Path, tables: list[TableSpec]) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            t.table: con.execute(f"select count(*) from {t.table}").fetchone()[0]
            for t in tables
            if t.table != NEWEST_EXPORT
        }


def measure(
    warehouse: Path,
    work: Path,
    env: dict[str, str],
    copies: int = 1,
    chunk_rows: int | None = None,
    tables: Sequence[str] | None = None,
    variants: Sequence[str] = ("chunked", "whole"),
    memory_cap_mb: float | None = None,
) -> dict[str, Any]:
    """The checks on `warehouse` (or on `copies` copies of its checked tables), chunked and whole."""
    warehouse = warehouse.resolve()
    chunk_rows = chunk_rows or Settings.from_env(env).quality_chunk_rows
    cap = memory_cap_mb or memory_bytes() * DEFAULT_CAP_SHARE / 2**20
    names = list(tables) if tables else None
    checked, copy_figures = warehouse, None
    if copies > 1:
        checked = work / "copies.duckdb"
        params = {"warehouse": warehouse, "target": checked, "copies": copies, "tables": names}
        copy_figures = experiment.measure_variant(
            "copy_tables", f"{MODULE}:copy_tables", params, work, env, spill_dir=work / "copies.duckdb.tmp"
        )
    copied = copy_figures is None or not copy_figures["failed"]
    rows = table_rows(checked, checked_tables(names)) if copied else {}
    results = {}
    for variant in variants if copied else ():  # nothing to check when the copy failed
        params = {
            "warehouse": checked,
            "chunk_rows": chunk_rows if variant == "chunked" else WHOLE,
            "tables": names,
            "work": work / variant,
        }
        results[variant] = experiment.measure_variant(
            variant, f"{MODULE}:checks", params, work, env, rss_cap_mb=cap
        )
    if copies > 1:
        for path in (checked, checked.with_name(checked.name + ".wal")):
            path.unlink(missing_ok=True)  # a copy of ten 1M warehouses' checked tables is gigabytes
    finished = [r["details"]["outcomes"] for r in results.values() if not r["failed"]]
    return experiment.document(
        NAME,
        env,
        results,
        warehouse=str(warehouse),
        copies=copies,
        chunk_rows=chunk_rows,
        memory_cap_mb=round(cap),
        rows_checked=sum(rows.values()),
        largest_table=_largest(rows),
        copy_tables=copy_figures,
        # chunked and whole must judge every expectation alike: chunking is how, not what, is checked
        same_outcomes=all(o == finished[0] for o in finished) if len(finished) > 1 else None,
    )


def _largest(rows: dict[str, int]) -> dict[str, Any]:
    table = max(rows, key=lambda name: rows[name], default=None)
    return {"table": table, "rows": rows.get(table, 0) if table else 0}


def print_figures(figures: dict[str, Any], console: Console) -> None:
    largest = figures["largest_table"]
    title = (
        f"checks on {figures['warehouse']} × {figures['copies']}: {figures['rows_checked']:,} rows "
        f"(largest {largest['table']}, {largest['rows']:,}), chunks of {figures['chunk_rows']:,} rows"
    )
    experiment.print_variants(
        console, title, figures["variants"], {"work_seconds": "work s", "expectations": "expectations"}
    )
    copy = figures["copy_tables"]
    if copy:
        outcome = f"failed: {copy['failed']}" if copy["failed"] else f"took {copy['seconds']:.1f} s"
        console.print(f"  copying the tables {outcome}")
    for name, variant in figures["variants"].items():
        if not variant["failed"] and variant["details"]["failing"]:
            console.print(f"  {name}: failing expectations {', '.join(variant['details']['failing'])}")
    console.print(f"  chunked and whole judge every expectation alike: {figures['same_outcomes']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}", description=__doc__.split("\n")[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="a built warehouse (only read)")
    parser.add_argument(
        "--copies", type=int, default=1, help="check this many copies of each checked table (README: 10)"
    )
    parser.add_argument("--chunk-rows", type=int, default=None, help="default FUNNEL_QUALITY_CHUNK_ROWS")
    parser.add_argument("--tables", nargs="+", default=None, help="only these checked tables (schema.table)")
    parser.add_argument("--variants", nargs="+", choices=("chunked", "whole"), default=["chunked", "whole"])
    parser.add_argument(
        "--memory-cap-gb",
        type=float,
        default=None,
        help=f"kill a variant whose processes pass this (default {DEFAULT_CAP_SHARE:.0%} of the machine's memory)",
    )
    experiment.add_common_arguments(parser, NAME)
    args = parser.parse_args(argv)
    env = experiment.environment(args.memory_limit, args.threads)
    cap = args.memory_cap_gb * 1024 if args.memory_cap_gb else None
    with experiment.work_folder(args.work, args.keep) as work:
        figures = measure(
            args.warehouse, work, env, args.copies, args.chunk_rows, args.tables, args.variants, cap
        )
    experiment.publish_figures(args.json, figures, print_figures)


if __name__ == "__main__":
    main()
