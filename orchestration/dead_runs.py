"""Runs whose process died: marked failed, their warehouse slot freed.

A refresh killed with SIGKILL (or lost with its machine's power) cannot report its own end, so
Dagster's storage keeps it STARTED for ever, holding the only `duckdb_writer` pool slot and the
only run slot of the queue: every later refresh would wait for it without end. Every refresh
(`funnel run`, the start of the refresh job) and every tick of the new-exports sensor therefore
sweeps first: a run in STARTING / STARTED / CANCELING whose process is gone from this machine is
reported failed through the instance, its concurrency slots are freed, and one line says so.

A run's process is the pid in its `funnel/pid` tag (set by `funnel run`), or else the run worker's
pid Dagster records when it launches one ("Started process for run (pid: N)"). A pid is only
taken as alive when the process with that number started no later than the run (pids are reused).
"""

from __future__ import annotations

import os
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

PID_TAG = "funnel/pid"
HOST_TAG = "funnel/host"
PROCESS_STARTED_TAG = "funnel/process_started"  # epoch seconds the run's process started
_RUN_WORKER_STARTED = re.compile(r"Started process for run \(pid: (\d+)\)")
_CLOCK_SLACK_SECONDS = 2.0  # /proc start times are in clock ticks; the run's own stamps in floats


def owner_tags() -> dict[str, str]:
    """Tags naming this process as the run's owner, for execute_in_process runs."""
    return {
        PID_TAG: str(os.getpid()),
        HOST_TAG: socket.gethostname(),
        PROCESS_STARTED_TAG: f"{process_start_time(os.getpid()) or time.time():.2f}",
    }


@dataclass(frozen=True)
class Owner:
    pid: int
    host: str
    started_no_later_than: float  # the process must have started before this time to be the owner

    def is_alive(self) -> bool:
        started = process_start_time(self.pid)
        return started is not None and started <= self.started_no_later_than + _CLOCK_SLACK_SECONDS


def sweep_dead_runs(instance: Any, log: Callable[[str], None]) -> list[str]:
    """Mark failed every unfinished run whose process is gone from this host, free its slots,
    and free the slots finished runs still hold. Returns (and logs) one line per run marked."""
    from dagster import DagsterRunStatus, RunsFilter

    here = socket.gethostname()
    unfinished = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]
    lines = []
    for record in instance.get_run_records(filters=RunsFilter(statuses=unfinished)):
        run = record.dagster_run
        owner = run_owner(instance, record)
        if owner is None or owner.host != here or owner.is_alive():
            continue
        died = _last_sign_of_life(instance, run.run_id)
        line = (
            f"run {run.run_id} (pid {owner.pid}) died at {died}; marked failed and its warehouse slot freed"
        )
        instance.report_run_failed(run, message=f"The run's process (pid {owner.pid}) died at {died}.")
        _free_slots(instance, run.run_id)
        log(line)
        lines.append(line)
    _free_slots_of_finished_runs(instance)
    return lines


def run_owner(instance: Any, record: Any) -> Owner | None:
    run = record.dagster_run
    if PID_TAG in run.tags:
        return Owner(
            pid=int(run.tags[PID_TAG]),
            host=run.tags.get(HOST_TAG, socket.gethostname()),
            started_no_later_than=float(
                run.tags.get(PROCESS_STARTED_TAG, record.create_timestamp.timestamp())
            ),
        )
    from dagster import DagsterEventType

    # A run launched by the daemon or the UI: the run worker's pid is in its first engine events.
    for entry in instance.all_logs(run.run_id, of_type=DagsterEventType.ENGINE_EVENT):
        match = _RUN_WORKER_STARTED.search(entry.message or "")
        if match is None and entry.dagster_event is not None:
            match = _RUN_WORKER_STARTED.search(entry.dagster_event.message or "")
        if match:
            # The run worker on the daemon's machine: sqlite run storage is local to this host.
            return Owner(int(match.group(1)), socket.gethostname(), entry.timestamp)
    return None


def process_start_time(pid: int) -> float | None:
    """Epoch seconds the process started, or None when no such process exists (or it is a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] in ("Z", "X"):  # dead, only waiting to be reaped by its parent
        return None
    ticks = int(fields[19])  # field 22 of stat: start time in clock ticks after boot
    return _boot_time() + ticks / os.sysconf("SC_CLK_TCK")


def _boot_time() -> float:
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("btime "):
            return float(line.split()[1])
    raise RuntimeError("no btime in /proc/stat")


def _last_sign_of_life(instance: Any, run_id: str) -> str:
    records = instance.get_records_for_run(run_id, limit=1, ascending=False).records
    stamp = records[0].timestamp if records else time.time()
    return datetime.fromtimestamp(stamp, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _free_slots(instance: Any, run_id: str) -> None:
    storage = instance.event_log_storage
    if storage.supports_global_concurrency_limits:
        storage.free_concurrency_slots_for_run(run_id)


def _free_slots_of_finished_runs(instance: Any) -> None:
    """A run marked finished from outside (the UI's terminate, run monitoring) may keep its slot."""
    from dagster import RunsFilter
    from dagster._core.storage.dagster_run import FINISHED_STATUSES

    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return
    holding = storage.get_concurrency_run_ids()
    if not holding:
        return
    for record in instance.get_run_records(
        filters=RunsFilter(run_ids=list(holding), statuses=FINISHED_STATUSES)
    ):
        storage.free_concurrency_slots_for_run(record.dagster_run.run_id)
