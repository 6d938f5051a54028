"""What the experiments share: variants measured side by side, each in its own child process.

An experiment (checks_chunking.py, publish_variants.py, percentile_cuts.py, loader_spill.py)
measures the choice behind one of the README's figures: the same work done the way the code does
it and the way(s) it replaced or tried. Each variant runs as a stage does (measure.run_stage, a
`module:function` of the experiment): its own process, so its wall time, peak memory and spill
are its own and a variant that runs out of memory is a figure, not the end of the run. The
process's wall time includes Python's start and any checking after the work, so a variant that
can times its work itself (`work_seconds` in its details: the queries, the copy). The figures go
to a JSON document (the machine, the DuckDB settings, every variant) and a table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from orchestration.bench.measure import StageFailed, machine, run_stage
from orchestration.settings import PROJECT_DIR, Settings

DEFAULT_OUT = PROJECT_DIR / "warehouse" / "bench"


def add_common_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    """--json, --work, --keep and the DuckDB settings every experiment takes."""
    parser.add_argument(
        "--json", type=Path, default=DEFAULT_OUT / f"{name}.json", help="figures file (default %(default)s)"
    )
    parser.add_argument("--work", type=Path, default=None, help="work folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (copies, logs)")
    parser.add_argument(
        "--memory-limit",
        default=None,
        help="DuckDB memory limit (default FUNNEL_DUCKDB_MEMORY_LIMIT or 2.5GB)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="DuckDB threads (default FUNNEL_DUCKDB_THREADS or the cores)",
    )


def environment(
    memory_limit: str | None = None, threads: int | None = None, **overrides: str
) -> dict[str, str]:
    """The variants' environment: this checkout's code, and the DuckDB settings they run with."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_DIR), env.get("PYTHONPATH")) if p)
    env["FUNNEL_PROJECT_DIR"] = str(PROJECT_DIR)
    if memory_limit:
        env["FUNNEL_DUCKDB_MEMORY_LIMIT"] = memory_limit
    if threads:
        env["FUNNEL_DUCKDB_THREADS"] = str(threads)
    env.update(overrides)
    return env


@contextmanager
def work_folder(work: Path | None, keep: bool) -> Iterator[Path]:
    """`work` (created), or a temporary folder; removed at the end unless `keep`."""
    folder = work or Path(tempfile.mkdtemp(prefix="funnel-experiment-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        yield folder.resolve()
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def measure_variant(
    label: str,
    function: str,
    params: Mapping[str, Any],
    work: Path,
    env: dict[str, str],
    spill_dir: Path | None = None,
    rss_cap_mb: float | None = None,
) -> dict[str, Any]:
    """One variant in a child process: its figures, with `failed` saying why it did not finish (out
    of memory, killed at the cap) or null."""
    try:
        result = run_stage(label, dict(params), work / "logs", env, function, spill_dir, rss_cap_mb)
    except StageFailed as failure:
        return {**asdict(failure.result), "failed": failure.reason}
    return {**asdict(result), "failed": None}


def document(
    experiment: str, env: Mapping[str, str], variants: dict[str, dict[str, Any]], **context: Any
) -> dict[str, Any]:
    """The figures file: what ran, on what, with which DuckDB settings, and every variant."""
    settings = Settings.from_env(env)
    return {
        "experiment": experiment,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {**machine(), "load_average_after": os.getloadavg()},
        "duckdb": {"memory_limit": settings.duckdb_memory_limit, "threads": settings.duckdb_threads},
        **context,
        "variants": variants,
    }


def console() -> Console:
    """Where a command prints: the terminal at its width; a file or pipe gets 120 columns, not
    rich's 80, which squeezes the tables' figures into ellipses."""
    return Console() if sys.stdout.isatty() else Console(width=120)


def write_json(path: Path, figures: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=1, default=str))


def publish_figures(
    path: Path, figures: dict[str, Any], print_figures: Callable[[dict[str, Any], Console], None]
) -> None:
    """The end of every experiment command: its figures to JSON at `path`, then printed."""
    write_json(path, figures)
    out = console()
    print_figures(figures, out)
    out.print(f"figures written to {path}")


def print_variants(
    console: Console,
    title: str,
    variants: dict[str, dict[str, Any]],
    details: Mapping[str, str] | None = None,
) -> None:
    """One row per variant: its process's wall time, memory and spill, and the `details` keys given
    (key → heading); a failed variant's reason under the table."""
    details = details or {}
    table = Table(title=title)
    table.add_column("variant", no_wrap=True)
    # "process MB" is the largest single process's peak; "tree MB" the whole tree's (measure.py).
    for heading in ("process s", "tree MB", "process MB", "spill MB", *details.values()):
        table.add_column(heading, justify="right")
    for name, figures in variants.items():
        shown = [_shown(figures["details"].get(key)) for key in details]
        table.add_row(
            f"{name} (failed)" if figures["failed"] else name,
            f"{figures['seconds']:.2f}",
            f"{figures['peak_tree_rss_mb']:,.0f}",
            f"{figures['peak_rss_mb']:,.0f}",
            f"{figures['peak_spill_mb']:,.0f}",
            *shown,
        )
    console.print(table)
    failed = {name: figures["failed"] for name, figures in variants.items() if figures["failed"]}
    for name, reason in failed.items():
        console.print(f"  {name}: {reason}")


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)
