"""Start a refresh when new export files land.

The cursor remembers each file's size and modification time; a run is requested for a set of
new or changed files once, keyed by that set, so a sensor tick that sees the same files again
requests nothing. Files still being written are skipped until they have stopped changing for
FUNNEL_SETTLE_SECONDS, and at least SENSOR_MIN_SETTLE_SECONDS: the sensor always watches a folder
something is writing (the loader itself then defers, as not_settled, a file modified within
FUNNEL_SETTLE_SECONDS or written to while it is read).

The sensor starts stopped (turned on in the UI or by `dagster sensor start`). With no cursor yet (its
first tick) the cursor starts from the files the loader's ledger already holds
(orchestration/sensor_baseline.py), so turning it on after `funnel run` reloads nothing; only files
new or changed since then request a run.

Each tick first sweeps runs whose process died (orchestration/dead_runs.py): the daemon's queue
starts one refresh at a time, so a dead run left STARTED would otherwise stop every later one.
"""

import hashlib
import json
import time
from pathlib import Path

from dagster import (
    DagsterInvariantViolationError,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from orchestration.jobs import refresh_job
from orchestration.loader.discover import WORKBOOKS
from orchestration.sensor_baseline import LedgerBusy, held_files, ledger_times
from orchestration.settings import Settings

# What the loader reads: data files, compressed exports (a Salesforce Data Export .ZIP, .csv.gz),
# spreadsheet workbooks and mappings.
EXPORT_SUFFIXES = {".csv", ".tsv", ".txt", ".zip", ".gz", ".yml", ".yaml", *WORKBOOKS}
SENSOR_MIN_SETTLE_SECONDS = 30.0


def sensor_settle_seconds(settings: Settings) -> float:
    return max(settings.settle_seconds, SENSOR_MIN_SETTLE_SECONDS)


def landed_files(landing_dir: Path) -> dict[str, list[float]]:
    """Export files under landing_dir: path -> [size, mtime]. Hidden names (a sync tool's partial
    files) are skipped, as the loader skips them."""
    files = {}
    for path in sorted(landing_dir.rglob("*")):
        hidden = any(part.startswith(".") for part in path.relative_to(landing_dir).parts)
        if not hidden and path.is_file() and path.suffix.lower() in EXPORT_SUFFIXES:
            stat = path.stat()
            files[str(path.relative_to(landing_dir))] = [stat.st_size, stat.st_mtime]
    return files


def settled(files: dict[str, list[float]], settle_seconds: float, now: float) -> dict[str, list[float]]:
    """The files that stopped changing: not modified within settle_seconds before now."""
    return {path: stamp for path, stamp in files.items() if now - stamp[1] >= settle_seconds}


def first_cursor(settings: Settings, files: dict[str, list[float]]) -> dict[str, list[float]]:
    """Of the landed files (settled or not), those the ledger already holds as they are now: a file
    loaded after it was last written needs no run. Raises LedgerBusy while a writer holds the warehouse."""
    return held_files(files, ledger_times(settings.warehouse))


@sensor(job=refresh_job, minimum_interval_seconds=60, default_status=DefaultSensorStatus.STOPPED)
def new_exports_sensor(context: SensorEvaluationContext):  # noqa: ANN201 - RunRequest or SkipReason
    from orchestration.dead_runs import sweep_dead_runs

    try:
        instance = context.instance
    except DagsterInvariantViolationError:
        instance = None  # a context built by a test without an instance: nothing to sweep
    if instance is not None:
        sweep_dead_runs(instance, context.log.warning)
    settings = Settings.from_env()
    # A run the job would refuse is not launched; the cursor stays, so the files start a run
    # once the salt is fixed.
    problem = settings.pii_salt_refusal()
    if problem:
        return SkipReason(problem)
    if not settings.landing_dir.exists():
        return SkipReason(f"landing folder {settings.landing_dir} does not exist")
    now = time.time()
    present = landed_files(settings.landing_dir)
    if context.cursor:
        seen = json.loads(context.cursor)
    else:
        try:
            seen = first_cursor(settings, present)
        except LedgerBusy:
            return SkipReason("the warehouse is being written; the ledger is read at the next tick")
        context.update_cursor(json.dumps(seen, sort_keys=True))  # kept even when nothing is new
    current = settled(present, sensor_settle_seconds(settings), now)
    changed = sorted(path for path, stamp in current.items() if seen.get(path) != stamp)
    if not changed:
        return SkipReason("no new or changed export files")
    # Files seen before but not settled now (being rewritten) keep their old stamp: they request a
    # run once they settle with a new one, and not before.
    context.update_cursor(
        json.dumps({**{p: seen[p] for p in present if p in seen}, **current}, sort_keys=True)
    )
    run_key = hashlib.sha256(json.dumps({p: current[p] for p in changed}).encode()).hexdigest()[:16]
    return RunRequest(run_key=run_key, tags={"funnel/new_files": str(len(changed))})
