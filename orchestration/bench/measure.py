"""Run one benchmark stage in a child process; measure its wall time and peak memory.

Two memory figures, because they answer different questions:
- peak_rss_mb: the largest resident set any single process of the stage's tree reached, exact,
  from the kernel (wait4's rusage includes the child's reaped descendants, such as dbt).
- peak_tree_rss_mb: the largest sum of resident sets over the whole tree, sampled from /proc
  every 0.2 s (what the machine had to hold at once; a short spike between samples can be missed).
And peak_spill_mb: the largest size of DuckDB's spill folder (`<warehouse>.tmp`), sampled the same
way: work past the memory limit goes there, so it shows a stage spilled rather than crashed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.2


class StageFailed(RuntimeError):
    """A stage's child process exited non-zero; the message carries the tail of its log."""


@dataclass
class StageResult:
    stage: str
    seconds: float
    peak_rss_mb: float
    peak_tree_rss_mb: float
    peak_spill_mb: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)


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
    def __init__(self, root: int, spill_dir: Path | None = None) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.spill_dir = spill_dir
        self.peak = 0
        self.peak_spill = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.peak = max(self.peak, tree_rss_bytes(self.root))
            self.peak_spill = max(self.peak_spill, folder_bytes(self.spill_dir))
            self.stopped.wait(SAMPLE_SECONDS)


def run_stage(
    stage: str,
    params: dict[str, Any],
    workdir: Path,
    env: dict[str, str],
    function: str | None = None,
    spill_dir: Path | None = None,
) -> StageResult:
    """Run `python -m orchestration.bench.stage <function>` (default: the stage's name) and measure
    it. The child writes its own figures (rows, dbt timings) to a JSON file: the result's details."""
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
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        sampler = _TreeSampler(process.pid, spill_dir)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        sampler.stopped.set()
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4, not by Popen
    if process.returncode != 0:
        tail = "\n".join(log_file.read_text(errors="replace").splitlines()[-40:])
        raise StageFailed(f"stage {stage} failed (exit {process.returncode}); log {log_file}:\n{tail}")
    details = json.loads(result_file.read_text()) if result_file.exists() else {}
    return StageResult(
        stage=stage,
        seconds=round(seconds, 3),
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        peak_tree_rss_mb=round(max(sampler.peak, 0) / 2**20, 1),
        peak_spill_mb=round(sampler.peak_spill / 2**20, 1),
        details=details,
    )
