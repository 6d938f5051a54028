"""A killed `funnel run` never blocks the next one.

One chain of refreshes on one warehouse and one DAGSTER_HOME, each started as `funnel run` in its
own process: A is killed with SIGKILL while loading, B while dbt builds, C while publishing, D gets
SIGTERM, and E runs to the end. Each run after a kill must say that it found the previous run dead
and marked it failed (before the fix the dead run kept the only writer pool slot and B waited for
ever); after the kill during dbt no dbt process of the killed run may survive; SIGTERM must end D
promptly, non-zero, with one line, and leave nothing for E to clean up.

The chain is expensive (three partial refreshes and a whole one), so it runs once per module on
300 generated leads, and the tests below read its outcome.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import funnel_process_env, settings_in

from orchestration.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

FUNNEL = str(Path(sys.executable).with_name("funnel"))
STEP_WAIT_SECONDS = 180  # generous for a shared machine; a healthy step starts within seconds
_RUN_LINE = re.compile(r" - refresh - (?P<run_id>[0-9a-f-]{36}) - (?P<pid>\d+) - ")


@dataclass
class Refresh:
    """One `funnel run` process and every line it printed (stdout and stderr together)."""

    process: subprocess.Popen
    lines: list[str] = field(default_factory=list)
    _queue: queue.Queue = field(default_factory=queue.Queue)

    def wait_for(self, predicate: Callable[[str], bool], seconds: float = STEP_WAIT_SECONDS) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None and self._queue.empty():
                    break
                continue
            if line is None:
                break
            if predicate(line):
                return line
        tail = "".join(self.lines[-15:])
        pytest.fail(f"`funnel run` (pid {self.process.pid}) never printed the line waited for:\n{tail}")

    def run_id(self) -> str:
        for line in self.lines:
            match = _RUN_LINE.search(line)
            if match and int(match["pid"]) == self.process.pid:
                return match["run_id"]
        raise AssertionError("no run id in the output")

    def text(self) -> str:
        return "".join(self.lines)


def _start(settings: Settings, landing: Path) -> Refresh:
    env = funnel_process_env(
        settings,
        PYTHONUNBUFFERED="1",
    )
    process = subprocess.Popen(
        [FUNNEL, "run", "--verbose", str(landing)],  # the event log's STEP_START lines: see wait_for
        env=env,
        cwd=settings.project_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    refresh = Refresh(process)

    def pump() -> None:
        for line in process.stdout:
            refresh.lines.append(line)
            refresh._queue.put(line)
        refresh._queue.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return refresh


def _step_started(step: str) -> Callable[[str], bool]:
    return lambda line: "STEP_START" in line and f'"{step}"' in line


def _swept(previous: Refresh) -> Callable[[str], bool]:
    pattern = re.compile(
        rf"run {previous.run_id()} \(pid {previous.process.pid}\) died at [0-9: -]+UTC; "
        "marked failed and its warehouse slot freed"
    )
    return lambda line: bool(pattern.search(line))


def _kill(refresh: Refresh) -> None:
    os.kill(refresh.process.pid, signal.SIGKILL)  # the process alone: its children must follow
    refresh.process.wait(timeout=30)


def _status(settings: Settings, run_id: str) -> str:
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        return instance.get_run_by_id(run_id).status.value


@dataclass
class Chain:
    settings: Settings
    runs: dict[str, Refresh]
    status_after_kill: dict[str, str]  # what DAGSTER_HOME said of each killed run before the next started
    dbt_children: list[int]  # dbt processes of run B when it was killed
    dbt_survivors: list[int]  # those still alive a few seconds after the kill
    seconds: dict[str, float]


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chain]:
    runs: dict[str, Refresh] = {}
    try:
        yield _run_chain(tmp_path_factory, runs)
    finally:
        for refresh in runs.values():  # a stage that failed leaves its run (and children) behind
            if refresh.process.poll() is None:
                os.killpg(refresh.process.pid, signal.SIGKILL)
                refresh.process.wait(timeout=30)


def _run_chain(tmp_path_factory: pytest.TempPathFactory, runs: dict[str, Refresh]) -> Chain:
    from simulator import generate

    base = tmp_path_factory.mktemp("killed_refresh")
    landing = base / "landing"
    generate(out_dir=landing, leads=300, seed=5, formats=("salesforce", "marketing"))
    settings = settings_in(base / "wh", FUNNEL_AS_OF="2025-07-01 00:00:00")
    status: dict[str, str] = {}
    seconds: dict[str, float] = {}

    started = time.monotonic()
    runs["A"] = _start(settings, landing)
    runs["A"].wait_for(_step_started("load_exports"))
    _kill(runs["A"])
    status["A"] = _status(settings, runs["A"].run_id())
    seconds["A"] = time.monotonic() - started

    started = time.monotonic()
    runs["B"] = _start(settings, landing)
    runs["B"].wait_for(_swept(runs["A"]))
    runs["B"].wait_for(_step_started("funnel_dbt_models"))
    dbt_children = _wait_for_dbt(runs["B"].process.pid)
    _kill(runs["B"])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid) for pid in dbt_children):
        time.sleep(0.1)
    survivors = [pid for pid in dbt_children if _alive(pid)]
    for pid in survivors:  # do not leave them writing into the next run
        os.kill(pid, signal.SIGKILL)
    status["B"] = _status(settings, runs["B"].run_id())
    seconds["B"] = time.monotonic() - started

    started = time.monotonic()
    runs["C"] = _start(settings, landing)
    runs["C"].wait_for(_swept(runs["B"]))
    runs["C"].wait_for(_step_started("published_warehouse"))
    _kill(runs["C"])
    status["C"] = _status(settings, runs["C"].run_id())
    seconds["C"] = time.monotonic() - started

    started = time.monotonic()
    runs["D"] = _start(settings, landing)
    runs["D"].wait_for(_swept(runs["C"]))
    runs["D"].wait_for(_step_started("load_exports"))
    stopped_at = time.monotonic()
    runs["D"].process.send_signal(signal.SIGTERM)
    runs["D"].process.wait(timeout=60)
    seconds["D_stop"] = time.monotonic() - stopped_at
    time.sleep(0.5)  # the pump thread drains the rest of D's output
    status["D"] = _status(settings, runs["D"].run_id())

    started = time.monotonic()
    runs["E"] = _start(settings, landing)
    runs["E"].process.wait(timeout=600)
    time.sleep(0.5)
    seconds["E"] = time.monotonic() - started
    return Chain(settings, runs, status, dbt_children, survivors, seconds)


def _descendants(pid: int) -> list[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        children = [child for child, parent in parents.items() if parent == current]
        found += children
        frontier += children
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def _wait_for_dbt(pid: int) -> list[int]:
    """The descendants of `pid` once one of them runs dbt (the dbt step has started it)."""
    deadline = time.monotonic() + STEP_WAIT_SECONDS
    while time.monotonic() < deadline:
        children = _descendants(pid)
        for child in children:
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if b"dbt" in command and b"build" in command:
                time.sleep(1.0)  # let dbt open the warehouse and start its nodes
                return _descendants(pid)
        time.sleep(0.1)
    pytest.fail("the dbt step never started dbt")


def test_each_killed_run_was_left_started_by_its_death(chain: Chain) -> None:
    # The situation the sweep is for: nothing else ever marks these runs as ended.
    assert {name: chain.status_after_kill[name] for name in "ABC"} == dict.fromkeys("ABC", "STARTED")
    # D ended itself: canceled, or failed when Dagster's own interrupt handling recorded it first
    assert chain.status_after_kill["D"] in ("CANCELED", "FAILURE")


def test_the_run_after_each_kill_marked_it_failed_and_went_on(chain: Chain) -> None:
    # The runs B, C and D each printed the sweep line about their predecessor (the fixture waited
    # for it) and then reached their own next step; the killed runs are now failed.
    for name in ("A", "B", "C"):
        assert _status(chain.settings, chain.runs[name].run_id()) == "FAILURE", name


def test_dbt_dies_with_the_killed_run(chain: Chain) -> None:
    assert chain.dbt_children, "no dbt process was found under run B"
    assert chain.dbt_survivors == []


def test_sigterm_stops_the_run_promptly_and_says_so(chain: Chain) -> None:
    d = chain.runs["D"]
    assert d.process.returncode == 128 + signal.SIGTERM
    assert chain.seconds["D_stop"] < 20
    stopped = [line for line in d.lines if line.startswith("refresh stopped by SIGTERM")]
    assert len(stopped) == 1, d.text()[-2000:]
    assert re.search(f"run {d.run_id()} marked (canceled|failed) and its warehouse slot freed", stopped[0])


def test_the_run_after_the_sigterm_completes(chain: Chain) -> None:
    e = chain.runs["E"]
    assert e.process.returncode == 0, e.text()[-3000:]
    assert "died at" not in e.text()  # D ended itself cleanly: nothing left to sweep
    assert _status(chain.settings, e.run_id()) == "SUCCESS"
    assert chain.settings.published.exists() and chain.settings.report_file.exists()
