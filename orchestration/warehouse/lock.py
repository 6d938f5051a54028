"""One writer of the warehouse at a time, and a clear message instead of DuckDB's lock error.

Every writer (funnel load / build / run, the Dagster steps, publish) holds an exclusive
`flock` on `<warehouse>.lock` while it writes. The kernel drops the lock when the holder's process
dies, so a killed writer never blocks the next one. A writer that finds the lock taken waits (it
says so once) for up to FUNNEL_LOCK_TIMEOUT_SECONDS, then fails with one line naming the holder,
which writes its pid, command and start time into the lock file for that message.

Re-entrant: a process that already holds the lock (a `funnel run` holds it for the whole refresh
while its Dagster steps take it again) just counts, and a child process started by the holder
(dbt) is recognised through WRITER_LOCK_ENV, so nothing ever waits for itself.

DuckDB's own file lock is checked too: a program outside this project (a BI tool, a notebook)
that opened the warehouse for writing is waited for in the same way, and named by the pid DuckDB
reports.
"""

from __future__ import annotations

import fcntl
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path

# "<pid>:<warehouse path>" of the holder, exported while it holds the lock so its children know.
WRITER_LOCK_ENV = "FUNNEL_WRITER_LOCK_HOLDER"
POLL_SECONDS = 0.2
# DuckDB: 'Could not set lock on file "...": Conflicting lock is held in /usr/bin/python3 (PID 123) by user u.'
_DUCKDB_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>\S+) \(PID (?P<pid>\d+)\)")

WaitCallback = Callable[[str], None]


class WarehouseBusy(RuntimeError):
    """Another process kept the warehouse for longer than the lock timeout; the message is one line."""


_held: dict[Path, list] = {}  # warehouse -> [open lock file, depth] for this process
_held_guard = threading.Lock()


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


@contextmanager
def warehouse_writer(
    warehouse: Path,
    command: str,
    timeout_seconds: float,
    on_wait: WaitCallback | None = None,
) -> Iterator[None]:
    """Hold the warehouse's writer lock for the block; wait up to timeout_seconds for it.
    Raises WarehouseBusy naming the holder when it does not come free in time."""
    warehouse = Path(warehouse).resolve()
    with _held_guard:
        entry = _held.get(warehouse)
        if entry is not None:
            entry[1] += 1
    if entry is not None or _held_by_ancestor(warehouse):
        try:
            yield
        finally:
            if entry is not None:
                _release(warehouse)
        return
    handle = _acquire(warehouse, command, timeout_seconds, on_wait or _print_wait)
    with _held_guard:
        _held[warehouse] = [handle, 1]
    previous = os.environ.get(WRITER_LOCK_ENV)
    os.environ[WRITER_LOCK_ENV] = f"{os.getpid()}:{warehouse}"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(WRITER_LOCK_ENV, None)
        else:
            os.environ[WRITER_LOCK_ENV] = previous
        _release(warehouse)


def _release(warehouse: Path) -> None:
    with _held_guard:
        entry = _held[warehouse]
        entry[1] -= 1
        if entry[1] > 0:
            return
        del _held[warehouse]
    handle = entry[0]
    handle.truncate(0)  # the next holder writes its own line; a stale one would mislead
    handle.close()  # closing the file releases the flock


def _acquire(warehouse: Path, command: str, timeout_seconds: float, on_wait: WaitCallback):  # noqa: ANN202
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout_seconds
    started = time.monotonic()
    handle = open(lock_path(warehouse), "a+")  # noqa: SIM115 - kept open while the lock is held
    announced = False
    try:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder_from_file(handle)
            else:
                holder = _duckdb_holder(warehouse)
                if holder is None:
                    handle.seek(0)
                    handle.truncate(0)
                    handle.write(
                        f"{os.getpid()}\t{command}\t{datetime.now().isoformat(timespec='seconds')}\n"
                    )
                    handle.flush()
                    return handle
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)  # let others in while we wait on DuckDB
            if time.monotonic() >= deadline:
                waited = time.monotonic() - started
                raise WarehouseBusy(
                    f"the warehouse {warehouse} is being written by {holder}; waited {waited:.0f} s; "
                    "try again later or raise FUNNEL_LOCK_TIMEOUT_SECONDS"
                )
            if not announced:
                on_wait(
                    f"waiting for the warehouse {warehouse}: it is being written by {holder} "
                    f"(waiting up to {timeout_seconds:.0f} s)"
                )
                announced = True
            time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))
    except BaseException:
        handle.close()
        raise


def _holder_from_file(handle) -> str:  # noqa: ANN001 - an open text file
    handle.seek(0)
    fields = handle.read().strip().split("\t")
    if len(fields) != 3:
        return "another process"  # it took the lock and has not written its line yet
    pid, command, since = fields
    with suppress(ValueError):
        since = datetime.fromisoformat(since).strftime("%H:%M:%S")
    return f"pid {pid} ({command}, since {since})"


def _duckdb_holder(warehouse: Path) -> str | None:
    """Who holds DuckDB's own write lock on the file when it is not a funnel writer, else None."""
    if not warehouse.exists():
        return None
    import duckdb

    try:
        duckdb.connect(str(warehouse)).close()
    except duckdb.IOException as exc:
        match = _DUCKDB_HOLDER.search(str(exc))
        if match is None:
            if "lock" in str(exc).lower():
                return "another program"
            raise
        return f"pid {match['pid']} ({Path(match['program']).name}, outside funnel)"
    except duckdb.Error:
        # e.g. this process already has the file open with other settings: no foreign lock then
        return None
    return None


def _held_by_ancestor(warehouse: Path) -> bool:
    """True when a process this one descends from holds the lock on this warehouse (dbt under a run)."""
    value = os.environ.get(WRITER_LOCK_ENV, "")
    pid_text, _, path = value.partition(":")
    if not pid_text.isdigit() or Path(path) != warehouse:
        return False
    holder = int(pid_text)
    pid = os.getppid()
    while pid > 1:
        if pid == holder:
            return True
        pid = _parent_of(pid)
    return False


def _parent_of(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    return int(stat.rsplit(")", 1)[1].split()[1])


def _print_wait(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
