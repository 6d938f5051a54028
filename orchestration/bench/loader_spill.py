"""The loader's work tables in memory (temp tables) or in the warehouse's work schema, on one big
export: `python -m orchestration.bench.loader_spill --export FILE [--rows N]` (or `make bench-extras`,
on the largest export of the size).

A temp table past DuckDB's memory limit spills uncompressed; a table of the work schema is written
compressed into the warehouse. The loader keeps a file's work tables in memory while the file is
under a fifth of the limit (loader/read.py, IN_MEMORY_FACTOR) and uses the schema above that.
README: a 1.2 GB file (the first 8M rows of the 10M touches export, `--rows 8000000`) at 3GB spills
0.95 GB instead of 5.8 GB, in the same 36 s. Each variant loads the same copy of the file into a
new warehouse, in its own process; the spill folder is sampled like every stage's (measure.py).
`auto` is the loader's own choice for the file at this memory limit.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any
from unittest import mock

import duckdb
from rich.console import Console

from orchestration.bench import experiment
from orchestration.loader import read as loader_read
from orchestration.settings import Settings

NAME = "loader_spill"
# What the variants' child processes import: not __name__, which is __main__ when run as a command.
MODULE = f"orchestration.bench.{NAME}"
# variant → IN_MEMORY_FACTOR: 0 keeps every file in memory, a huge one none; None is the loader's own.
PLACES: dict[str, int | None] = {"temp": 0, "schema": 2**62, "auto": None}


def head_records(source: Path, target: Path, rows: int | None) -> None:
    """The header and the first `rows` records of a CSV export (all of it when None), byte for byte.
    A record ends at a line end outside quotes: with quotes escaped by doubling, where the count of
    quotes so far is even."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if rows is None:
        try:
            os.link(source, target)  # the same bytes without copying gigabytes
        except OSError:
            shutil.copyfile(source, target)
        return
    records, quotes = 0, 0
    with open(source, "rb") as lines, open(target, "wb") as out:
        for line in lines:
            if records > rows:  # the header is record 0
                break
            out.write(line)
            quotes += line.count(b'"')
            if quotes % 2 == 0:
                records += 1


def load(params: dict[str, Any]) -> dict[str, Any]:
    """Child: load the landing folder into a new warehouse with the variant's work place."""
    from orchestration.loader import load_folder

    settings = Settings.from_env()
    warehouse = Path(params["warehouse"])
    factor = params["in_memory_factor"]
    with mock.patch.object(loader_read, "IN_MEMORY_FACTOR", factor) if factor is not None else nullcontext():
        started = time.perf_counter()
        report = load_folder(warehouse, Path(params["landing"]), **settings.loader_options())
        seconds = time.perf_counter() - started
    if report.failed:
        raise RuntimeError("; ".join(f"{f.source_file}: {f.message}" for f in report.failed))
    warehouse_bytes = warehouse.stat().st_size
    for path in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
        path.unlink(missing_ok=True)
    return {
        "work_seconds": round(seconds, 3),
        "rows_read": report.rows_read,
        "rows_loaded": report.rows_loaded,
        "warehouse_mb": round(warehouse_bytes / 2**20, 1),
    }


def loader_keeps_in_memory(export: Path, env: dict[str, str]) -> bool:
    """Whether the loader itself would keep this file's work tables in memory at this memory limit."""
    with duckdb.connect(config=Settings.from_env(env).duckdb_config()) as con:
        return loader_read.work_place(con, export).in_memory


def measure(
    export: Path,
    work: Path,
    env: dict[str, str],
    rows: int | None = None,
    variants: Sequence[str] = ("temp", "schema"),
) -> dict[str, Any]:
    """Each variant loads the same copy of `export` (its first `rows` records) into a new warehouse."""
    export = export.resolve()
    landing = work / "landing"
    copied = landing / export.parent.name / export.name  # a dated parent folder dates the export
    head_records(export, copied, rows)
    results = {}
    for variant in variants:
        warehouse = work / variant / "funnel.duckdb"
        warehouse.parent.mkdir(parents=True, exist_ok=True)
        params = {"landing": landing, "warehouse": warehouse, "in_memory_factor": PLACES[variant]}
        results[variant] = experiment.measure_variant(
            variant, f"{MODULE}:load", params, work, env, spill_dir=Path(f"{warehouse}.tmp")
        )
    read = {r["details"]["rows_read"] for r in results.values() if not r["failed"]}
    loaded = {r["details"]["rows_loaded"] for r in results.values() if not r["failed"]}
    figures = experiment.document(
        NAME,
        env,
        results,
        export=str(export),
        rows=max(read, default=None),
        file_mb=round(os.path.getsize(copied) / 2**20, 1),
        loader_keeps_in_memory=loader_keeps_in_memory(copied, env),
        same_rows_loaded=len(loaded) == 1 if loaded else None,
    )
    shutil.rmtree(landing, ignore_errors=True)
    return figures


def print_figures(figures: dict[str, Any], console: Console) -> None:
    title = f"loading {figures['export']}: {figures['rows'] or 0:,} rows, {figures['file_mb']:,.0f} MB"
    experiment.print_variants(
        console,
        title,
        figures["variants"],
        {"work_seconds": "work s", "rows_loaded": "rows loaded", "warehouse_mb": "warehouse MB"},
    )
    place = "in memory (temp)" if figures["loader_keeps_in_memory"] else "in the work schema"
    console.print(
        f"  the loader itself keeps this file {place}; same rows loaded: {figures['same_rows_loaded']}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--export", type=Path, required=True, help="a CSV export file, e.g. marketing touches"
    )
    parser.add_argument(
        "--rows", type=int, default=None, help="load only its first N records (README: 8000000)"
    )
    parser.add_argument("--variants", nargs="+", choices=list(PLACES), default=["temp", "schema"])
    experiment.add_common_arguments(parser, NAME)
    args = parser.parse_args(argv)
    env = experiment.environment(args.memory_limit, args.threads)
    with experiment.work_folder(args.work, args.keep) as work:
        figures = measure(args.export, work, env, args.rows, args.variants)
    experiment.publish_figures(args.json, figures, print_figures)


if __name__ == "__main__":
    main()
