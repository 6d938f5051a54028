"""Settled files only: a file still being written is deferred to the next load, never half-read.

A sync tool or a browser download appends to a file in place. Read at that moment, its last row is
cut (``NumberOfEmployees`` ``21`` instead of ``2123``) and still loads, and the next load, seeing new
content, loads the whole file again beside it. Two guards, both on the landed file's size and
modification time (for an archive member: the archive's):

- before reading: a file modified less than ``settle_seconds`` ago (``FUNNEL_SETTLE_SECONDS``) is
  not read this run;
- after its rows are staged, before anything is written: a file whose size or modification time
  changed since the first look is not written this run.

Either way its ledger row is ``not_settled``, nothing of it is loaded, and the next load retries it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Stamp:
    size: int
    mtime_ns: int

    @property
    def mtime(self) -> float:
        return self.mtime_ns / 1e9


def stamp(path: Path) -> Stamp:
    status = os.stat(path)
    return Stamp(status.st_size, status.st_mtime_ns)


def too_recent(current: Stamp, settle_seconds: float, now: float | None = None) -> float | None:
    """Seconds since the last modification when that is under ``settle_seconds``, else None.

    A modification time in the future (a writer's clock ahead of ours) counts as recent within the
    same window, so a skewed writer is not read mid-write either.
    """
    if settle_seconds <= 0:
        return None
    age = (time.time() if now is None else now) - current.mtime
    return age if abs(age) < settle_seconds else None


def recent_message(source_file: str, age: float, settle_seconds: float) -> str:
    return (
        f"{source_file}: modified {max(age, 0):.0f} s ago, less than FUNNEL_SETTLE_SECONDS={settle_seconds:g}; "
        "it may still be being written, so it is not loaded this run (the next load retries it)"
    )


def changed_message(source_file: str, before: Stamp, after: Stamp | None) -> str:
    if after is None:
        what = "disappeared"
    elif after.size != before.size:
        what = f"changed size from {before.size:,} to {after.size:,} bytes"
    else:
        what = "was modified"
    return (
        f"{source_file}: {what} while it was read; it is still being written, so nothing of it is "
        "loaded this run (the next load retries it)"
    )


def current(path: Path) -> Stamp | None:
    """The stamp now, or None when the file is gone."""
    try:
        return stamp(path)
    except OSError:
        return None
