"""The experiments on a size's own data: `python -m orchestration.bench SIZES --extras` (or `make
bench-extras`) runs them within each size's run, on its exports and warehouse, before they are
deleted. Each is also a command of its own (see its module) for a kept warehouse or export.

- loader_spill, right after the load (the only stage that reads the exports, without the refresh):
  the size's largest export loaded with its work tables in memory and in the work schema.
- checks_chunking, publish_variants, after the last stage: on the size's warehouse.
- percentile_cuts: synthetic, scaled to the size as the README's run was to 10M leads (40M rows in
  19M groups; the few-valued cuts' 14k groups, or a hundredth of the rows when that is fewer).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from orchestration.bench import checks_chunking, loader_spill, percentile_cuts, publish_variants

PERCENTILE_ROWS_PER_LEAD = 4  # the README's synthetic 40M rows stood for the 10M owner cut
PERCENTILE_MANY_GROUPS_SHARE = 19 / 40  # and were in 19M groups
PERCENTILE_FEW_GROUPS = 14_000  # at most: "few" must stay few beside the rows of a small size
PERCENTILE_FEW_ROWS_PER_GROUP = 100

OnExtra = Callable[[str, dict[str, Any]], None]
PRINTERS: dict[str, Callable[[dict[str, Any], Console], None]] = {
    "loader_spill": loader_spill.print_figures,
    "checks_chunking": checks_chunking.print_figures,
    "publish_variants": publish_variants.print_figures,
    "percentile_cuts": percentile_cuts.print_figures,
}


def largest_export(landing: Path) -> Path:
    return max(landing.rglob("*.csv"), key=lambda path: path.stat().st_size)


def after_load(landing: Path, work: Path, env: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The experiment that needs the exports: the loader's spill on the largest one."""
    return {
        "loader_spill": _guarded(
            "loader_spill", lambda: loader_spill.measure(largest_export(landing), work / "loader_spill", env)
        )
    }


def after_stages(
    leads: int, warehouse: Path, work: Path, env: dict[str, str], check_copies: int = 1
) -> dict[str, dict[str, Any]]:
    """The experiments on the built warehouse, and the synthetic percentiles scaled to `leads`."""
    rows = PERCENTILE_ROWS_PER_LEAD * leads
    shapes = {
        "many": round(rows * PERCENTILE_MANY_GROUPS_SHARE),
        "few": max(1, min(PERCENTILE_FEW_GROUPS, rows // PERCENTILE_FEW_ROWS_PER_GROUP)),
    }
    runs: dict[str, Callable[[], dict[str, Any]]] = {
        "checks_chunking": lambda: checks_chunking.measure(
            warehouse, work / "checks_chunking", env, copies=check_copies
        ),
        "publish_variants": lambda: publish_variants.measure(warehouse, work / "publish_variants", env),
        "percentile_cuts": lambda: percentile_cuts.measure(work / "percentile_cuts", env, rows, shapes),
    }
    return {name: _guarded(name, run) for name, run in runs.items()}


def _guarded(name: str, run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """An experiment's figures, or the error that stopped it: the experiments are side measurements
    and must not cost the size its bench figures (a 10M run takes an hour)."""
    try:
        return run()
    except Exception as error:
        return {"experiment": name, "error": f"{type(error).__name__}: {error}"}


def print_figures(name: str, figures: dict[str, Any], console: Console) -> None:
    if "error" in figures:
        console.print(f"  {name} failed: {figures['error']}")
        return
    PRINTERS[name](figures, console)
