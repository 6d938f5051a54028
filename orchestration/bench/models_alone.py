"""dbt models built one at a time, nothing else running: `python -m orchestration.bench.models_alone
--warehouse W MODEL [MODEL ...]` (`--project DIR` runs another checkout's models, for a before and
after; `--repeat N` builds each N times).

Inside a build, a model's time depends on what runs beside it (dbt threads share the cores and
DuckDB's memory limit), so the README's "alone" figures come from here: each model is built with
`dbt run --threads 1 --full-refresh --select MODEL`, in its own process (its wall time, peak memory
and spill, measured like a bench stage), on a copy of the warehouse, which is only read. dbt's
own figure for the model (`model_seconds`, from run_results.json) leaves out dbt's start, which the
process time includes. The models must already exist in the warehouse's copy's upstream: the copy
is of a built warehouse.
"""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
from rich.console import Console

from orchestration.bench import experiment
from orchestration.bench.run import size_environment

NAME = "models_alone"
MODULE = f"orchestration.bench.{NAME}"


def build_model(params: dict[str, Any]) -> dict[str, Any]:
    """Child: `dbt run` of one model, alone, on the warehouse the environment names."""
    from orchestration.bench.dbt_timings import summarise_run_results
    from orchestration.settings import Settings
    from orchestration.warehouse.dbt import run_dbt

    settings = Settings.from_env()
    model = params["model"]
    run_dbt(settings, ["run", "--threads", "1", "--full-refresh", "--select", model], target="duckdb")
    timings = summarise_run_results(Path(settings.dbt_env("duckdb")["DBT_TARGET_PATH"]))
    seconds = next(m["seconds"] for m in timings["slowest_models"] if m["model"] == model)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        schema = con.execute(
            "select schema_name from duckdb_tables() where table_name = ? "
            "union all select schema_name from duckdb_views() where view_name = ?",
            [model, model],
        ).fetchone()[0]
        rows = con.execute(f"select count(*) from {schema}.{model}").fetchone()[0]
    return {"model_seconds": seconds, "rows": rows}


def measure(
    warehouse: Path,
    models: Sequence[str],
    work: Path,
    env: dict[str, str],
    project: Path | None = None,
    repeat: int = 1,
) -> dict[str, Any]:
    """Each model built alone `repeat` times, in order, on one copy of `warehouse`."""
    copy = work / "funnel.duckdb"
    shutil.copyfile(warehouse, copy)
    run_env = {**size_environment(work), **{k: v for k, v in env.items() if k.startswith("FUNNEL_DUCKDB")}}
    if project is not None:
        run_env["FUNNEL_PROJECT_DIR"] = str(project.resolve())
    variants: dict[str, dict[str, Any]] = {}
    for model in models:
        for attempt in range(1, repeat + 1):
            label = model if repeat == 1 else f"{model} #{attempt}"
            variants[label] = experiment.measure_variant(
                label,
                f"{MODULE}:build_model",
                {"model": model},
                work,
                run_env,
                spill_dir=work / "funnel.duckdb.tmp",
            )
    return experiment.document(
        NAME, run_env, variants, warehouse=str(warehouse), project=run_env["FUNNEL_PROJECT_DIR"]
    )


def print_figures(figures: dict[str, Any], console: Console) -> None:
    experiment.print_variants(
        console,
        f"models built alone ({figures['project']}) on a copy of {figures['warehouse']}",
        figures["variants"],
        {"model_seconds": "dbt s", "rows": "rows"},
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}", description=__doc__.split("\n")[0])
    parser.add_argument("models", nargs="+", help="dbt model names, built in this order")
    parser.add_argument(
        "--warehouse", type=Path, required=True, help="a built warehouse (copied, not written)"
    )
    parser.add_argument(
        "--project", type=Path, default=None, help="the dbt project to build (default: this one)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="builds of each model (default 1)")
    experiment.add_common_arguments(parser, NAME)
    args = parser.parse_args(argv)
    env = experiment.environment(args.memory_limit, args.threads)
    with experiment.work_folder(args.work, args.keep) as work:
        figures = measure(args.warehouse, args.models, work, env, args.project, args.repeat)
    experiment.publish_figures(args.json, figures, print_figures)


if __name__ == "__main__":
    main()
