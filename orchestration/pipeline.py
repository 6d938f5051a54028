"""The pipeline's steps as plain functions, shared by the CLI and (later) the Dagster assets."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import duckdb
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from orchestration.errors import FunnelError, require_warehouse
from orchestration.settings import Settings
from orchestration.warehouse import PRODUCTION_BUILD_FLAGS, export_raw_for_spark, run_dbt
from orchestration.warehouse.lock import warehouse_writer

SPARK_TARGETS = ("spark", "spark_thrift")


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _say_to(stream: Any) -> Callable[[str], None]:
    return lambda line: print(line, file=stream, flush=True)


def writer_lock(
    settings: Settings, command: str, on_wait: Callable[[str], None] | None = None
) -> AbstractContextManager[None]:
    """The warehouse's writer lock for `command` (see orchestration/warehouse/lock.py): waits up
    to FUNNEL_LOCK_TIMEOUT_SECONDS, then raises WarehouseBusy naming the holder."""
    return warehouse_writer(settings.warehouse, command, settings.lock_timeout_seconds, on_wait or _say)


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
    with writer_lock(settings, "funnel load"), progress:
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
    data_tests: bool = True,
) -> None:
    """`dbt build` (seeds, models, tests). Spark targets get the raw layer as Parquet first.
    full_refresh rebuilds the incremental models from all raw rows instead of refreshing them.
    data_tests=False builds without the data tests, for a build whose tables are compared with
    one that ran them (the test suite's rebuilds of a reference).
    on_progress / on_message: see orchestration.warehouse.dbt.run_dbt (the CLI's progress bar)."""
    target = target or settings.dbt_target
    with writer_lock(settings, "funnel build"):
        if target in SPARK_TARGETS:
            _ensure_raw_tables(settings.warehouse)
            export_raw_for_spark(settings.warehouse, settings.raw_parquet_dir, settings.duckdb_config())
        else:
            _ensure_raw_tables(settings.warehouse)
        args = ["build", *PRODUCTION_BUILD_FLAGS]
        if full_refresh:
            args.append("--full-refresh")
        if not data_tests:
            args += ["--exclude-resource-type", "test"]
        if select:
            # a data test runs only when every model it reads is in the selection: a test comparing
            # an intermediate model with a mart must not fail a build that selected only the former
            args += ["--select", select, "--indirect-selection", "cautious"]
        run_dbt(settings, args, target=target, on_progress=on_progress, on_message=on_message)


def _ensure_raw_tables(warehouse: Path) -> None:
    """A build on a warehouse nobody loaded yet still works: every raw table exists, empty."""
    from orchestration.loader import ensure_raw_tables

    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_tables(con)


def read_ledger(settings: Settings, limit: int = 50) -> list[tuple]:
    require_warehouse(settings.warehouse)
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

    require_warehouse(settings.warehouse)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return write_csv(con, query, path)


def run_refresh(
    settings: Settings,
    landing_dir: Path | None = None,
    stop_on_signals: bool = False,
    log: Callable[[str], None] | None = None,
    verbose: bool = True,
    account: Any = None,
) -> Any:
    """Run the Dagster `refresh` job in this process: the same job the schedule and the sensor
    start, recorded in DAGSTER_HOME's run history. Returns the ExecuteInProcessResult.

    The run holds the warehouse's writer lock throughout (its steps take it again, re-entrantly),
    first marks failed any earlier run whose process died (orchestration/dead_runs.py), and is
    tagged with this process's pid so a later run can tell if this one dies. stop_on_signals
    (the CLI): SIGTERM / SIGINT cancel the run cleanly and end the process
    (orchestration/run_signals.py).

    The event log always goes to the run storage and to DAGSTER_HOME/logs/<run id>.log
    (orchestration/run_log.py); verbose also prints it, and dbt's lines, as the run goes. Quiet,
    the run's stdout and stderr go to that file too, and `account` (an
    orchestration.run_account.RunAccount) is what the terminal gets."""
    from dataclasses import replace

    from dagster import DagsterInstance
    from dagster._core.utils import make_new_run_id

    from orchestration.dead_runs import owner_tags, sweep_dead_runs
    from orchestration.run_account import ACCOUNT_LOGGER
    from orchestration.run_log import logger_config, logger_defs, run_log_path, terminal_into
    from orchestration.run_signals import stop_cleanly_on_signals

    # Bound to the terminal now: in the quiet mode sys.stderr is the run log during the run.
    log = log or _say_to(sys.stderr)
    if landing_dir is not None:
        settings = replace(settings, landing_dir=Path(landing_dir).resolve())
    settings.export_to_environment()
    from orchestration.definitions import build_definitions

    run_id = make_new_run_id()
    log_file = run_log_path(settings.dagster_home, run_id)
    extra = {ACCOUNT_LOGGER: account.logger_def()} if account is not None else {}
    with terminal_into(log_file, quiet=not verbose):
        job = build_definitions(settings).resolve_job_def("refresh").with_logger_defs(logger_defs(extra))
    with DagsterInstance.get() as instance:
        guard = stop_cleanly_on_signals(instance, run_id, log) if stop_on_signals else nullcontext()
        with guard, writer_lock(settings, "funnel run", log):
            sweep_dead_runs(instance, log)
            with terminal_into(log_file, quiet=not verbose):
                return job.execute_in_process(
                    instance=instance,
                    raise_on_error=False,
                    run_id=run_id,
                    tags=owner_tags(),
                    run_config=logger_config(log_file, verbose, list(extra)),
                )


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


def publish_copy(settings: Settings) -> dict[str, int]:
    """The pipeline's publish step on its own (after `funnel build`): the marts and the ledger to the
    read-only copy BI tools open (orchestration/warehouse/publish.py). Returns rows per table."""
    from orchestration.warehouse.publish import PUBLISHED_SCHEMAS, publish

    require_warehouse(settings.warehouse)
    with writer_lock(settings, "funnel publish"):
        with duckdb.connect(str(settings.warehouse), read_only=True) as con:
            marts = con.execute(
                "select count(*) from information_schema.tables where table_schema in "
                f"({', '.join('?' for _ in PUBLISHED_SCHEMAS)})",
                list(PUBLISHED_SCHEMAS),
            ).fetchone()[0]
        if not marts:  # publishing nothing would replace the BI copy with an empty one
            raise FunnelError(f"the warehouse {settings.warehouse} has no marts: run `funnel build` first")
        return publish(
            settings.warehouse, settings.published, settings.storage_version, settings.duckdb_config()
        )
