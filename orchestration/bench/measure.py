"""Run one benchmark stage in a child process; measure its wall time and peak memory.

Two memory figures, because they answer different questions:
- peak_rss_mb: the largest resident set any single process of the stage's tree reached, exact,
  from the kernel (wait4's rusage includes the child's reaped descendants, such as dbt).
- peak_tree_rss_mb: the largest sum of resident sets over the whole tree, sampled from /proc
  every 0.2 s (what the machine had to hold at once; a short spike between samples can be missed).
And peak_spill_mb: the largest size of DuckDB's spill folder (`<warehouse>.tmp`), sampled the same
way: work past the memory limit goes there, so it shows a stage spilled rather than crashed.

A stage may be given a cap on its tree's resident memory: the sampler kills the tree when a sample
passes it. The experiments use it for the variants meant to show memory growing without bound (the
checks read whole: 24 GB on ten copies of the 1M tables before the kernel killed it), so they end
as a figure instead of pushing a shared machine into the kernel's out-of-memory killer.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.2


@dataclass
class StageResult:
    stage: str
    seconds: float
    peak_rss_mb: float
    peak_tree_rss_mb: float
    peak_spill_mb: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)


class StageFailed(RuntimeError):
    """A stage's child process exited non-zero; the message carries the tail of its log, `reason`
    why in one line (the child's exception, or the memory cap) and `result` what was measured until
    then (how long, how much memory)."""

    def __init__(self, message: str, reason: str, result: StageResult) -> None:
        super().__init__(message)
        self.reason = reason
        self.result = result


def memory_bytes() -> int:
    """The machine's memory (MemTotal)."""
    kilobytes = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return kilobytes * 1024


def machine() -> dict[str, Any]:
    """What the figures were measured on, and how busy it was (the machine may be shared)."""
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(memory_bytes() / 2**30, 1),
        "load_average": os.getloadavg(),
    }


def _parents() -> dict[int, int]:
    """pid → parent pid for every process we can see."""
    out: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses; the fields after the last ')' do not.
        fields = stat[stat.rfind(b")") + 2 :].split()
        out[int(entry)] = int(fields[1])
    return out


def tree_rss_bytes(root: int) -> int:
    """Sum of the resident sets of `root` and all its descendants."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parents().items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * PAGE_BYTES
        except OSError:
            continue
    return total


def folder_bytes(folder: Path | None) -> int:
    """Bytes of the files directly in `folder` (DuckDB's spill folder is flat); 0 when absent."""
    if folder is None:
        return 0
    total = 0
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                try:
                    total += entry.stat().st_size
                except OSError:  # a spill file removed between listing and stat
                    continue
    except OSError:
        return 0
    return total


class _TreeSampler(threading.Thread):
    def __init__(self, root: int, spill_dir: Path | None = None, rss_cap_bytes: int | None = None) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.spill_dir = spill_dir
        self.rss_cap_bytes = rss_cap_bytes
        self.capped = False
        self.peak = 0
        self.peak_spill = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.peak = max(self.peak, tree_rss_bytes(self.root))
            self.peak_spill = max(self.peak_spill, folder_bytes(self.spill_dir))
            if self.rss_cap_bytes is not None and self.peak > self.rss_cap_bytes and not self.capped:
                self.capped = True
                with contextlib.suppress(ProcessLookupError):  # it may have ended since the sample
                    os.killpg(self.root, signal.SIGKILL)  # the child leads its own group: its whole tree
            self.stopped.wait(SAMPLE_SECONDS)


def run_stage(
    stage: str,
    params: dict[str, Any],
    workdir: Path,
    env: dict[str, str],
    function: str | None = None,
    spill_dir: Path | None = None,
    rss_cap_mb: float | None = None,
) -> StageResult:
    """Run `python -m orchestration.bench.stage <function>` (default: the stage's name; or a
    `module:function` of the experiments) and measure it. The child writes its own figures (rows,
    dbt timings) to a JSON file: the result's details. Past `rss_cap_mb` the child is killed."""
    workdir.mkdir(parents=True, exist_ok=True)
    params_file = workdir / f"{stage}.params.json"
    result_file = workdir / f"{stage}.result.json"
    log_file = workdir / f"{stage}.log"
    params_file.write_text(json.dumps(params, default=str))
    result_file.unlink(missing_ok=True)
    module = "orchestration.bench.stage"
    command = [sys.executable, "-m", module, function or stage, str(params_file), str(result_file)]
    with open(log_file, "w") as log:
        started = time.perf_counter()
        # Its own process group, so a capped child is killed with everything it started.
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=rss_cap_mb is not None
        )
        cap = None if rss_cap_mb is None else int(rss_cap_mb * 2**20)
        sampler = _TreeSampler(process.pid, spill_dir, cap)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        sampler.stopped.set()
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4, not by Popen
    result = StageResult(
        stage=stage,
        seconds=round(seconds, 3),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        peak_tree_rss_mb=round(max(sampler.peak, 0) / 2**20, 1),
        peak_spill_mb=round(sampler.peak_spill / 2**20, 1),
    )
    if process.returncode != 0:
        lines = log_file.read_text(errors="replace").splitlines()
        reason = (
            f"killed at the memory cap ({rss_cap_mb:,.0f} MB)"
            if sampler.capped
            else _last_error(lines) or f"exit {process.returncode}"
        )
        tail = "\n".join(lines[-40:])
        message = f"stage {stage} failed ({reason}, exit {process.returncode}); log {log_file}:\n{tail}"
        raise StageFailed(message, reason, result)
    result.details = json.loads(result_file.read_text()) if result_file.exists() else {}
    return result


def _last_error(lines: list[str]) -> str | None:
    """The exception line of a Python traceback in a child's log (e.g. DuckDB's out-of-memory error)."""
    for line in reversed(lines):
        if line and not line.startswith((" ", "\t")) and ("Error" in line or "Exception" in line):
            return line.strip()
    return None
