"""The dead-run sweep on a real Dagster instance, without running the pipeline.

A run left STARTED by a process that no longer exists (tagged by `funnel run`, or launched by the
daemon, which records the run worker's pid) holds the `duckdb_writer` slot; the sweep marks it
failed and frees the slot, and leaves alone a run whose process is alive. The new-exports sensor
sweeps on every tick, which is what unblocks the daemon's queue (one run at a time).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import (
    DagsterEvent,
    DagsterEventType,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    build_sensor_context,
)
from dagster._core.events import EngineEventData

from orchestration.dead_runs import HOST_TAG, PID_TAG, PROCESS_STARTED_TAG, owner_tags, sweep_dead_runs

POOL = "duckdb_writer"


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[DagsterInstance]:
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(
        (Path(__file__).parents[2] / "orchestration" / "dagster.yaml").read_text()
    )
    with DagsterInstance.from_config(str(home)) as instance:
        instance.event_log_storage.set_concurrency_slots(POOL, 1)
        yield instance


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _started_run(instance: DagsterInstance, run_id: str, tags: dict[str, str]) -> DagsterRun:
    run = instance.add_run(
        DagsterRun(job_name="refresh", run_id=run_id, status=DagsterRunStatus.STARTED, tags=tags)
    )
    claim = instance.event_log_storage.claim_concurrency_slot(POOL, run_id, "load_exports")
    assert claim.is_claimed
    return run


def _slot_holders(instance: DagsterInstance) -> set[str]:
    return {slot.run_id for slot in instance.event_log_storage.get_concurrency_info(POOL).claimed_slots}


def test_a_funnel_run_whose_process_died_is_failed_and_its_slot_freed(instance: DagsterInstance) -> None:
    pid = _dead_pid()
    run_id = "0f0f0f0f-0000-4000-8000-000000000001"
    tags = {PID_TAG: str(pid), HOST_TAG: socket.gethostname(), PROCESS_STARTED_TAG: "1.0"}
    _started_run(instance, run_id, tags)
    assert _slot_holders(instance) == {run_id}

    said: list[str] = []
    lines = sweep_dead_runs(instance, said.append)

    assert said == lines and len(lines) == 1
    assert lines[0].startswith(f"run {run_id} (pid {pid}) died at ")
    assert lines[0].endswith(" UTC; marked failed and its warehouse slot freed")
    assert instance.get_run_by_id(run_id).status == DagsterRunStatus.FAILURE
    assert _slot_holders(instance) == set()
    assert sweep_dead_runs(instance, said.append) == []  # nothing left to do the second time


def test_a_run_whose_process_lives_is_left_alone(instance: DagsterInstance) -> None:
    run_id = "0f0f0f0f-0000-4000-8000-000000000002"
    _started_run(instance, run_id, owner_tags())  # this very process
    assert sweep_dead_runs(instance, print) == []
    assert instance.get_run_by_id(run_id).status == DagsterRunStatus.STARTED
    assert _slot_holders(instance) == {run_id}


def test_a_reused_pid_does_not_keep_a_dead_run_alive(instance: DagsterInstance) -> None:
    # The pid is this live process, but the run started (long) before it: another process's run.
    run_id = "0f0f0f0f-0000-4000-8000-000000000003"
    tags = {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname(), PROCESS_STARTED_TAG: "1000.0"}
    _started_run(instance, run_id, tags)
    assert len(sweep_dead_runs(instance, print)) == 1
    assert instance.get_run_by_id(run_id).status == DagsterRunStatus.FAILURE


def test_the_sensor_sweeps_a_dead_daemon_launched_run(instance: DagsterInstance, make_settings) -> None:  # noqa: ANN001
    from orchestration.sensors import new_exports_sensor

    # Launched by the daemon: no funnel tags, only the run worker's pid in an engine event.
    pid = _dead_pid()
    run_id = "0f0f0f0f-0000-4000-8000-000000000004"
    run = _started_run(instance, run_id, {})
    instance.report_engine_event(
        f"Started process for run (pid: {pid}).", run, EngineEventData.in_process(pid)
    )
    settings = make_settings()
    os.environ["FUNNEL_LANDING_DIR"] = str(settings.warehouse.parent / "no_landing_yet")

    new_exports_sensor(build_sensor_context(instance=instance))

    assert instance.get_run_by_id(run_id).status == DagsterRunStatus.FAILURE
    assert _slot_holders(instance) == set()
    failure = instance.all_logs(run_id, of_type=DagsterEventType.PIPELINE_FAILURE)
    assert [f"The run's process (pid {pid}) died at" in e.message for e in failure] == [True]
    assert isinstance(failure[0].dagster_event, DagsterEvent)
