"""`funnel run` stops cleanly on SIGTERM or Ctrl-C.

Dagster takes SIGINT and SIGTERM over while a run executes, and while a step waits for a pool
slot it only notes the signal, so `funnel run` used to ignore SIGTERM. A signal still writes its
number to the wakeup fd whatever Python handler is installed; a watcher thread reads it and stops
the run itself: dbt and any other child is terminated, the run is marked canceled and its slots
freed, one line says so, and the process exits with 128 + the signal number. The warehouse lock
goes with the process.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
CHILD_GRACE_SECONDS = 5.0


@contextmanager
def stop_cleanly_on_signals(instance: Any, run_id: str, log: Callable[[str], None]) -> Iterator[None]:
    """Within the block, SIGTERM/SIGINT cancel run `run_id` as described above. Only on the main
    thread (signals are delivered there); elsewhere the block runs unguarded."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stopping = threading.Event()
    reader, writer = socket.socketpair()
    writer.setblocking(False)
    previous_handlers = {number: signal.signal(number, _note) for number in STOP_SIGNALS}
    previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    watcher = threading.Thread(
        target=_watch,
        args=(reader, instance, run_id, log, stopping),
        name="funnel-stop-on-signal",
        daemon=True,
    )
    watcher.start()
    try:
        yield
    finally:
        while stopping.is_set():  # the watcher is stopping the run and will end the process
            time.sleep(1)
        signal.set_wakeup_fd(previous_fd)
        for number, handler in previous_handlers.items():
            signal.signal(number, handler)
        writer.close()  # ends the watcher: its recv returns b""
        watcher.join(timeout=5)
        reader.close()


def _note(_number: int, _frame: Any) -> None:
    """A Python-level handler so the signal reaches the wakeup fd; the watcher does the work."""


def _watch(
    reader: socket.socket, instance: Any, run_id: str, log: Callable[[str], None], stopping: threading.Event
) -> None:
    while True:
        try:
            data = reader.recv(64)
        except OSError:
            return
        if not data:
            return
        for number in data:
            if number in STOP_SIGNALS:
                stopping.set()
                _stop(signal.Signals(number), instance, run_id, log)


def _stop(number: signal.Signals, instance: Any, run_id: str, log: Callable[[str], None]) -> None:
    stopped = terminate_children(os.getpid())
    what = "before its run started"  # e.g. while it waited for the warehouse lock
    try:
        run = instance.get_run_by_id(run_id)
        if run is not None:
            if not run.is_finished:
                instance.report_run_canceled(run, message=f"Stopped by {number.name}.")
            storage = instance.event_log_storage
            if storage.supports_global_concurrency_limits:
                storage.free_concurrency_slots_for_run(run_id)
            # Dagster's own interrupt handling in the main thread may have recorded a failure first
            ended = instance.get_run_by_id(run_id).status.value.lower()
            ended = "canceled" if ended == "canceled" else "failed"
            what = f"run {run_id} marked {ended} and its warehouse slot freed"
    finally:
        children = f", {stopped} child process(es) stopped" if stopped else ""
        log(f"refresh stopped by {number.name}: {what}{children}")
        os._exit(128 + int(number))


def terminate_children(pid: int) -> int:
    """SIGTERM every descendant of pid, SIGKILL those still there after a grace period; returns
    how many there were."""
    descendants = _descendants(pid)
    for child in descendants:
        _signal(child, signal.SIGTERM)
    deadline = time.monotonic() + CHILD_GRACE_SECONDS
    while time.monotonic() < deadline and any(_alive(child) for child in descendants):
        time.sleep(0.1)
    for child in descendants:
        if _alive(child):
            _signal(child, signal.SIGKILL)
    return len(descendants)


def _descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, its_parent in parents.items() if its_parent == parent]
        found += children
        frontier += children
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _signal(pid: int, number: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.kill(pid, number)
