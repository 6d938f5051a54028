"""The publish's checksums and its copy, each the way the code does it and the ways it replaced or
tried: `python -m orchestration.bench.publish_variants --warehouse PATH` (or `make bench-extras`).

- checksum_round / checksum_printf: every published table's checksum (checksum.py: row count and a
  hash of the rows), floats rounded to 12 significant digits (the code) or formatted with
  printf('%.12g') (the code before 8439653). README: on the 1M warehouse 2.1 s instead of 6.7 s.
- copy_*: every published table copied into a new file as publish.py does it (`create table as
  select`, the published copy's storage version), in one transaction (the code since the atomic
  swap) or one per table (the code when the README's 25.0 s was measured), with DuckDB's
  preserve_insertion_order on (its default) or off. README: 23.7 and 23.8 s against 25.0 s.
- publish: publish.publish itself into a new file (copy, checksums, comments, the read-only check),
  what the bench's publish stage runs.

The warehouse is only read. Every copy is checksummed after its timing stops and must equal the
warehouse's checksums; the variants are ways of doing the same work, not different work.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any
from unittest import mock

import duckdb
from rich.console import Console

from orchestration.bench import experiment
from orchestration.settings import Settings
from orchestration.warehouse import checksum
from orchestration.warehouse.publish import PUBLISHED_SCHEMAS
from orchestration.warehouse.publish import publish as publish_copy

NAME = "publish_variants"
# What the variants' child processes import: not __name__, which is __main__ when run as a command.
MODULE = f"orchestration.bench.{NAME}"
CHECKSUM_METHODS = ("round", "printf")
# name → (one transaction for all tables, preserve_insertion_order)
COPY_VARIANTS = {
    "per_table": (False, True),
    "one_transaction": (True, True),
    "per_table_unordered": (False, False),
    "one_transaction_unordered": (True, False),
}
DEFAULT_COPY_VARIANTS = ("per_table", "one_transaction", "one_transaction_unordered")


def _printf_expression(name: str, data_type: str) -> str:
    """checksum._column_expression as it was before 8439653: floats formatted, not rounded."""
    column = checksum.quote_identifier(name)
    if data_type.upper() in checksum.FLOAT_TYPES:
        return f"printf('%.{checksum.SIGNIFICANT_DIGITS}g', {column})"
    return column


def _published_checksums(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, list[int]]:
    return {
        f"{schema}.{table}": list(checksum.table_checksum(con, f"{schema}.{table}", database))
        for schema, table in checksum.relations(con, PUBLISHED_SCHEMAS, database)
    }


def checksums(params: dict[str, Any]) -> dict[str, Any]:
    """Child: the published tables' checksums with one float method, timed."""
    settings = Settings.from_env()
    with duckdb.connect(config=settings.duckdb_config()) as con:
        con.execute(f"attach '{params['warehouse']}' as src (read_only)")
        # The old expression swapped in for this process only: everything else is checksum.py's.
        printf = params["method"] == "printf"
        with (
            mock.patch.object(checksum, "_column_expression", _printf_expression) if printf else nullcontext()
        ):
            started = time.perf_counter()
            found = _published_checksums(con, "src")
            seconds = time.perf_counter() - started
    return {"work_seconds": round(seconds, 3), "tables": len(found), "checksums": found}


def copy(params: dict[str, Any]) -> dict[str, Any]:
    """Child: the published tables copied into a new file, timed up to the checkpoint (detach);
    then checksummed, untimed."""
    settings = Settings.from_env()
    target = Path(params["target"])
    config = {
        **settings.duckdb_config(),
        "preserve_insertion_order": str(params["insertion_order"]).lower(),
        "temp_directory": params["temp_directory"],
    }
    with duckdb.connect(config=config) as con:
        con.execute(f"attach '{params['warehouse']}' as src (read_only)")
        started = time.perf_counter()
        con.execute(f"attach '{target}' as pub (storage_version '{settings.storage_version}')")
        if params["one_transaction"]:
            con.execute("begin")
        tables = checksum.relations(con, PUBLISHED_SCHEMAS, "src")
        for schema, table in tables:
            con.execute(f"create schema if not exists pub.{schema}")
            con.execute(f"create table pub.{schema}.{table} as select * from src.{schema}.{table}")
        if params["one_transaction"]:
            con.execute("commit")
        con.execute("detach pub")  # the checkpoint: the copy is on disk
        seconds = time.perf_counter() - started
        con.execute(f"attach '{target}' as pub (read_only)")
        found = _published_checksums(con, "pub")
    _remove(target)
    return {"work_seconds": round(seconds, 3), "tables": len(tables), "checksums": found}


def publish(params: dict[str, Any]) -> dict[str, Any]:
    """Child: publish.publish into a new file, as the bench's publish stage runs it."""
    settings = Settings.from_env()
    target = Path(params["target"])
    started = time.perf_counter()
    counts = publish_copy(
        Path(params["warehouse"]), target, settings.storage_version, settings.duckdb_config()
    )
    seconds = time.perf_counter() - started
    with duckdb.connect(str(target), read_only=True) as con:
        found = _published_checksums(con, con.execute("select current_database()").fetchone()[0])
    _remove(target)
    return {
        "work_seconds": round(seconds, 3),
        "tables": len(counts),
        "rows": sum(counts.values()),
        "checksums": found,
    }


def _remove(database: Path) -> None:
    for path in (database, database.with_name(database.name + ".wal")):
        path.unlink(missing_ok=True)


def measure(
    warehouse: Path,
    work: Path,
    env: dict[str, str],
    methods: Sequence[str] = CHECKSUM_METHODS,
    copy_variants: Sequence[str] = DEFAULT_COPY_VARIANTS,
    with_publish: bool = True,
) -> dict[str, Any]:
    """Every variant on `warehouse` (read only), one child process each; the figures document."""
    warehouse = warehouse.resolve()
    variants: dict[str, dict[str, Any]] = {}
    for method in methods:
        variants[f"checksum_{method}"] = experiment.measure_variant(
            f"checksum_{method}",
            f"{MODULE}:checksums",
            {"warehouse": warehouse, "method": method},
            work,
            env,
        )
    for name in copy_variants:
        one_transaction, insertion_order = COPY_VARIANTS[name]
        spill = work / f"copy_{name}.tmp"
        params = {
            "warehouse": warehouse,
            "target": work / f"copy_{name}.duckdb",
            "one_transaction": one_transaction,
            "insertion_order": insertion_order,
            "temp_directory": spill,
        }
        variants[f"copy_{name}"] = experiment.measure_variant(
            f"copy_{name}", f"{MODULE}:copy", params, work, env, spill_dir=spill
        )
    if with_publish:
        # publish.py's connection is in memory, so DuckDB spills into `.tmp` under the working folder.
        variants["publish"] = experiment.measure_variant(
            "publish",
            f"{MODULE}:publish",
            {"warehouse": warehouse, "target": work / "published" / "funnel.duckdb"},
            work,
            env,
            spill_dir=Path(".tmp").resolve(),
        )
    return experiment.document(NAME, env, variants, warehouse=str(warehouse), **agreement(variants))


def agreement(variants: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Whether every copy holds what the warehouse holds (its rounded checksums, table by table),
    and whether the printf checksums count the same rows. Null when there is nothing to compare."""
    finished = {name: v["details"]["checksums"] for name, v in variants.items() if not v["failed"]}
    reference = finished.get("checksum_round")
    if reference is None:
        return {"copies_equal_warehouse": None, "printf_counts_equal": None, "tables": None, "rows": None}
    copies = [found for name, found in finished.items() if name.startswith("copy_") or name == "publish"]
    printf = finished.get("checksum_printf")
    return {
        "copies_equal_warehouse": all(found == reference for found in copies) if copies else None,
        "printf_counts_equal": (
            {t: c[0] for t, c in printf.items()} == {t: c[0] for t, c in reference.items()}
            if printf is not None
            else None
        ),
        "tables": len(reference),
        "rows": sum(count for count, _ in reference.values()),
    }


def print_figures(figures: dict[str, Any], console: Console) -> None:
    experiment.print_variants(
        console,
        f"publish variants on {figures['warehouse']} ({figures['tables']} tables, {figures['rows'] or 0:,} rows)",
        figures["variants"],
        {"work_seconds": "work s"},
    )
    console.print(
        f"  every copy equals the warehouse: {figures['copies_equal_warehouse']}; "
        f"printf counts the same rows: {figures['printf_counts_equal']}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}", description=__doc__.split("\n")[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="a built warehouse (only read)")
    parser.add_argument("--methods", nargs="+", choices=CHECKSUM_METHODS, default=list(CHECKSUM_METHODS))
    parser.add_argument(
        "--copy-variants", nargs="*", choices=list(COPY_VARIANTS), default=list(DEFAULT_COPY_VARIANTS)
    )
    parser.add_argument("--no-publish", action="store_true", help="leave out the whole publish")
    experiment.add_common_arguments(parser, NAME)
    args = parser.parse_args(argv)
    env = experiment.environment(args.memory_limit, args.threads)
    with experiment.work_folder(args.work, args.keep) as work:
        figures = measure(args.warehouse, work, env, args.methods, args.copy_variants, not args.no_publish)
    experiment.publish_figures(args.json, figures, print_figures)


if __name__ == "__main__":
    main()
