"""Before/after pairs: `python -m orchestration.bench.pairs BEFORE AFTER [--leads N] [--pairs K]`
(or `make bench-pairs BEFORE=rev AFTER=rev`).

Clones two commits of this repository into a work folder, then runs
`python -m orchestration.bench N --no-refresh` with each, alternately (before, after, before, ...),
K times on this machine, and prints each pair's build (the dbt build stage) and end to end (load +
build + checks + publish) in seconds, with the means: how the README's before/after tables are
measured. Alternating spreads the machine's drift over both sides; each side runs its own code (its
bench, generator and models) in this virtualenv. Commits only: uncommitted changes are not cloned.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from orchestration.settings import PROJECT_DIR

END_TO_END_STAGES = ("load", "build", "checks", "publish")
SIDES = ("before", "after")


@dataclass(frozen=True)
class Run:
    side: str
    pair: int
    build_seconds: float
    end_to_end_seconds: float


def stage_seconds(figures: dict, leads: int) -> tuple[float, float]:
    """(build, end to end) seconds of one bench run's figures file (orchestration.bench's JSON)."""
    stages = figures["sizes"][str(leads)]["stages"]
    missing = [stage for stage in END_TO_END_STAGES if stage not in stages]
    if missing:
        raise ValueError(f"the bench figures have no {', '.join(missing)} stage for {leads} leads")
    return stages["build"]["seconds"], sum(stages[stage]["seconds"] for stage in END_TO_END_STAGES)


def means(runs: list[Run], side: str) -> tuple[float, float]:
    """Mean build and end-to-end seconds of one side's runs."""
    chosen = [run for run in runs if run.side == side]
    if not chosen:
        raise ValueError(f"no {side} runs")
    return (
        sum(run.build_seconds for run in chosen) / len(chosen),
        sum(run.end_to_end_seconds for run in chosen) / len(chosen),
    )


def _clone(revision: str, folder: Path) -> str:
    """A clone of this repository at `revision` in `folder`; its short commit id."""
    subprocess.run(["git", "clone", "--quiet", str(PROJECT_DIR), str(folder)], check=True)
    subprocess.run(["git", "-C", str(folder), "checkout", "--quiet", revision], check=True)
    return subprocess.run(
        ["git", "-C", str(folder), "rev-parse", "--short", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()


def _bench_once(code: Path, leads: int, out: Path) -> tuple[float, float]:
    """One `orchestration.bench` run of the code in `code`; (build, end to end) seconds."""
    figures = out / "bench.json"
    env = dict(os.environ)
    env.update(PYTHONPATH=str(code), FUNNEL_PROJECT_DIR=str(code), FUNNEL_DBT_TARGET_DIR=str(code / "target"))
    command = [sys.executable, "-m", "orchestration.bench", str(leads), "--no-refresh"]
    command += ["--out", str(out), "--json", str(figures)]
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "bench.log", "w") as log:
        result = subprocess.run(command, cwd=code, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        tail = (out / "bench.log").read_text().splitlines()[-15:]
        raise SystemExit(f"the bench of {code.name} failed (log {out / 'bench.log'}):\n" + "\n".join(tail))
    return stage_seconds(json.loads(figures.read_text()), leads)


def _print(console: Console, runs: list[Run], commits: dict[str, str]) -> None:
    table = Table(title=f"before {commits['before']} → after {commits['after']}")
    table.add_column("pair", justify="right")
    table.add_column("build before → after (s)")
    table.add_column("end to end before → after (s)")
    for pair in sorted({run.pair for run in runs}):
        side = {run.side: run for run in runs if run.pair == pair}
        if len(side) < 2:
            continue
        table.add_row(
            str(pair),
            f"{side['before'].build_seconds:.1f} → {side['after'].build_seconds:.1f}",
            f"{side['before'].end_to_end_seconds:.1f} → {side['after'].end_to_end_seconds:.1f}",
        )
    (build_before, e2e_before), (build_after, e2e_after) = means(runs, "before"), means(runs, "after")
    table.add_row(
        "mean",
        f"{build_before:.1f} → {build_after:.1f} ({build_after / build_before - 1:+.0%})",
        f"{e2e_before:.1f} → {e2e_after:.1f} ({e2e_after / e2e_before - 1:+.0%})",
    )
    console.print(table)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.bench.pairs", description=__doc__.split("\n")[0]
    )
    parser.add_argument("before", help="the commit before the change (any git revision)")
    parser.add_argument("after", help="the commit after it")
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None, help="work folder (default: a temporary one)")
    parser.add_argument("--json", type=Path, default=None, help="also write the runs to this file")
    parser.add_argument("--keep", action="store_true", help="keep the clones and the bench folders")
    args = parser.parse_args(argv)
    console = Console()
    work = args.work or Path(tempfile.mkdtemp(prefix="funnel-pairs-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        code = {side: work / side / "code" for side in SIDES}
        commits = {
            side: _clone(rev, code[side]) for side, rev in zip(SIDES, (args.before, args.after), strict=True)
        }
        runs: list[Run] = []
        for pair in range(1, args.pairs + 1):
            for side in SIDES:
                build, end_to_end = _bench_once(code[side], args.leads, work / side / f"run-{pair}")
                runs.append(Run(side, pair, build, end_to_end))
                console.print(
                    f"  pair {pair} {side:<6} {commits[side]}: build {build:.1f} s, end to end {end_to_end:.1f} s"
                )
        _print(console, runs, commits)
        if args.json:
            args.json.write_text(
                json.dumps(
                    {"leads": args.leads, "commits": commits, "runs": [run.__dict__ for run in runs]},
                    indent=1,
                )
            )
    finally:
        if not args.keep:  # what this run made: the temporary folder, or its sides in --work
            for folder in [work] if args.work is None else [work / side for side in SIDES]:
                shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
