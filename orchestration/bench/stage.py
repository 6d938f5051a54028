"""One benchmark stage, run as a child process by measure.run_stage.

`python -m orchestration.bench.stage <stage> <params.json> <result.json>`: the settings come from
the environment the parent set (this size's warehouse, published copy and dbt target folder).
`<stage>` may also be `module:function`: a variant of one of the experiments (publish_variants.py,
checks_chunking.py, ...), measured the same way as a stage.
"""

from __future__ import annotations

import importlib
import json
import shutil
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

FLOOR_SQL = Path(__file__).with_name("floor.sql")


def generate(params: dict[str, Any]) -> dict[str, Any]:
    from simulator import generate as generate_exports

    summary = generate_exports(
        out_dir=Path(params["out"]),
        leads=int(params["leads"]),
        seed=int(params["seed"]),
        formats=params["formats"],
        as_of=date.fromisoformat(params["as_of"]),
    )
    return {"rows_written": sum(summary.rows.values()), "files": len(summary.rows)}


def prepare(params: dict[str, Any]) -> dict[str, Any]:
    from orchestration.bench.increment import split_exports

    generated = Path(params["generated"])
    landing, increment = Path(params["landing"]), Path(params["increment"])
    for folder in (landing, increment):
        shutil.rmtree(folder, ignore_errors=True)
    rows = split_exports(generated, landing, increment, date.fromisoformat(params["as_of"]))
    shutil.rmtree(generated)  # the split copies are all the later stages read
    return {"increment_rows": sum(rows.values()), "increment_files": rows}


def load(params: dict[str, Any]) -> dict[str, Any]:
    from orchestration.bench.increment import land_increment
    from orchestration.loader import load_folder
    from orchestration.settings import Settings

    landing = Path(params["landing"])
    if params.get("increment"):
        land_increment(landing, Path(params["increment"]), date.fromisoformat(params["as_of"]))
    settings = Settings.from_env()
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    report = load_folder(settings.warehouse, landing, **settings.loader_options())
    if report.failed:
        raise RuntimeError("; ".join(f"{f.source_file}: {f.message}" for f in report.failed))
    return {
        "rows_read": report.rows_read,
        "rows_loaded": report.rows_loaded,
        "rows_quarantined": report.rows_quarantined,
        "files_loaded": sum(1 for f in report.files if f.rows_read),
        "files_skipped": sum(1 for f in report.files if f.status == "skipped_duplicate"),
    }


def parse(params: dict[str, Any]) -> dict[str, Any]:
    from orchestration.settings import Settings
    from orchestration.warehouse.dbt import run_dbt

    run_dbt(Settings.from_env(), ["parse"])
    return {}


def build(params: dict[str, Any]) -> dict[str, Any]:
    from orchestration.bench.dbt_timings import summarise_run_results
    from orchestration.settings import Settings
    from orchestration.warehouse.dbt import PRODUCTION_BUILD_FLAGS, run_dbt

    settings = Settings.from_env()
    args = ["build", *PRODUCTION_BUILD_FLAGS] + (["--full-refresh"] if params.get("full_refresh") else [])
    if params.get("select"):
        args += ["--select", params["select"]]
    run_dbt(settings, args, target="duckdb")
    return summarise_run_results(Path(settings.dbt_env("duckdb")["DBT_TARGET_PATH"]))


def publish(params: dict[str, Any]) -> dict[str, Any]:
    from orchestration.settings import Settings
    from orchestration.warehouse.publish import publish as publish_copy

    settings = Settings.from_env()
    counts = publish_copy(
        settings.warehouse, settings.published, settings.storage_version, settings.duckdb_config()
    )
    return {"tables": len(counts), "rows": sum(counts.values())}


def checks(params: dict[str, Any]) -> dict[str, Any]:
    """The Great Expectations suites, as a refresh runs them before publishing (the dbt tests
    are part of the build stage)."""
    from orchestration.quality import run_quality
    from orchestration.settings import Settings

    report = run_quality(Settings.from_env())
    return {"expectations": len(report.outcomes), "blocking": len(report.blocking)}


def floor(params: dict[str, Any]) -> dict[str, Any]:
    import duckdb

    from orchestration.settings import Settings

    settings = Settings.from_env()
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        con.execute(f"set memory_limit = '{settings.duckdb_memory_limit}'")
        con.execute(f"set threads = {settings.duckdb_threads}")
        started = time.perf_counter()
        rows = con.execute(FLOOR_SQL.read_text()).fetchall()
        seconds = time.perf_counter() - started
    velocity = {row[2]: row[4] for row in rows if row[0] == "velocity"}
    return {"query_seconds": round(seconds, 3), "result_rows": len(rows), "velocity": velocity}


STAGES = {f.__name__: f for f in (generate, prepare, load, parse, build, checks, publish, floor)}


def resolve(stage: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A stage of this module by name, or an experiment's variant as `module:function`."""
    if ":" not in stage:
        return STAGES[stage]
    module, function = stage.split(":")
    return getattr(importlib.import_module(module), function)


def main(argv: list[str]) -> None:
    stage, params_file, result_file = argv
    result = resolve(stage)(json.loads(Path(params_file).read_text()))
    Path(result_file).write_text(json.dumps(result, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
