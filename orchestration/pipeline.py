"""The pipeline's steps as plain functions, shared by the CLI and (later) the Dagster assets."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from orchestration.settings import Settings
from orchestration.warehouse import PRODUCTION_BUILD_FLAGS, export_raw_for_spark, run_dbt

SPARK_TARGETS = ("spark", "spark_thrift")


def load_exports(
    settings: Settings,
    landing_dir: Path,
    mappings: Sequence[Path],
    console: Console | None = None,
) -> Any:
    """Load a landing folder into the warehouse; returns the loader's LoadReport."""
    from orchestration.loader import load_folder

    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in Path(landing_dir).rglob("*") if p.is_file())
    progress = Progress(
        TextColumn("loading"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console or Console(stderr=True),
        transient=True,
    )
    with progress:
        task = progress.add_task("", total=len(files))

        def advance(result: Any) -> None:
            # An archive yields one result per member: the bar's total grows rather than overflow.
            done = progress.tasks[0].completed + 1
            total = max(progress.tasks[0].total or 0, done)
            progress.update(
                task, completed=done, total=total, description=str(getattr(result, "source_file", ""))
            )

        return load_folder(
            settings.warehouse,
            Path(landing_dir),
            mappings=list(mappings),
            on_file=advance,
            **settings.loader_options(),
        )


def build_models(
    settings: Settings,
    target: str | None = None,
    select: str | None = None,
    on_progress: Any = None,
    on_message: Any = None,
    full_refresh: bool = False,
) -> None:
    """`dbt build` (seeds, models, tests). Spark targets get the raw layer as Parquet first.
    full_refresh rebuilds the incremental models from all raw rows instead of refreshing them.
    on_progress / on_message: see orchestration.warehouse.dbt.run_dbt (the CLI's progress bar)."""
    target = target or settings.dbt_target
    if target in SPARK_TARGETS:
        _ensure_raw_tables(settings.warehouse)
        export_raw_for_spark(settings.warehouse, settings.raw_parquet_dir, settings.duckdb_config())
    else:
        _ensure_raw_tables(settings.warehouse)
    args = ["build", *PRODUCTION_BUILD_FLAGS]
    if full_refresh:
        args.append("--full-refresh")
    if select:
        args += ["--select", select]
    run_dbt(settings, args, target=target, on_progress=on_progress, on_message=on_message)


def _ensure_raw_tables(warehouse: Path) -> None:
    """A build on a warehouse nobody loaded yet still works: every raw table exists, empty."""
    from orchestration.loader import ensure_raw_tables

    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_tables(con)


def read_ledger(settings: Settings, limit: int = 50) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(
            """
            select run_id, source_file, status, rows_read, rows_loaded, rows_quarantined, message
            from loader.ledger
            order by started_at desc, source_file
            limit ?
            """,
            [limit],
        ).fetchall()


def export_csv(settings: Settings, query: str, path: Path) -> int:
    """Rows of a read-only query on the warehouse to a CSV file, spreadsheet formulas neutralised."""
    from orchestration.csv_safety import write_csv

    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return write_csv(con, query, path)


def run_refresh(settings: Settings, landing_dir: Path | None = None) -> Any:
    """Run the Dagster `refresh` job in this process: the same job the schedule and the sensor
    start, recorded in DAGSTER_HOME's run history. Returns the ExecuteInProcessResult."""
    from dataclasses import replace

    from dagster import DagsterInstance

    if landing_dir is not None:
        settings = replace(settings, landing_dir=Path(landing_dir).resolve())
    settings.export_to_environment()
    from orchestration.definitions import build_definitions

    definitions = build_definitions(settings)
    job = definitions.get_job_def("refresh")
    with DagsterInstance.get() as instance:
        return job.execute_in_process(instance=instance, raise_on_error=False)


def failed_steps(result: Any) -> list[str]:
    """One line per failed step of a Dagster run: the step and its error message."""
    lines = []
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            while error is not None and error.cause is not None:  # the root cause says what broke
                error = error.cause
            message = error.message.strip() if error else "failed"
            lines.append(f"{event.step_key}: {message}")
    return lines


def plan_leads(settings: Settings, target_revenue: float, source_system: str | None = None) -> Any:
    """Answer "how many leads do we need next quarter for this revenue target?" by compiling
    analyses/leads_needed_next_quarter.sql and running it read-only on the warehouse."""
    import json

    variables = {"target_revenue": target_revenue}
    if source_system:
        variables["plan_source_system"] = source_system
    run_dbt(
        settings,
        ["compile", "--select", "leads_needed_next_quarter", "--vars", json.dumps(variables), "--quiet"],
        target="duckdb",
        capture=True,
    )
    target_path = Path(settings.dbt_env("duckdb")["DBT_TARGET_PATH"])
    compiled = target_path / "compiled" / "funnel_warehouse" / "analyses" / "leads_needed_next_quarter.sql"
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(compiled.read_text()).df()
