"""The benchmark's output: a JSON file (merged by size, so sizes can be re-run one at a time) and
rich tables of the figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

STAGE_ORDER = (
    "generate",
    "prepare",
    "load",
    "parse",
    "build",
    "checks",
    "publish",
    "floor",
    "refresh_load",
    "refresh_build",
    "refresh_checks",
    "refresh_publish",
)


def merge_results(json_path: Path, results: list[dict[str, Any]]) -> dict[str, Any]:
    """Write `results` into the JSON file, replacing earlier figures for the same sizes only."""
    document = json.loads(json_path.read_text()) if json_path.exists() else {"sizes": {}}
    for result in results:
        document["sizes"][str(result["leads"])] = result
    document["sizes"] = dict(sorted(document["sizes"].items(), key=lambda item: int(item[0])))
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(document, indent=2) + "\n")
    return document


def _yes(flag: bool | None) -> str:
    if flag is None:
        return "-"  # not measured (a run with --no-refresh)
    return "[green]yes[/]" if flag else "[red]no[/]"


def _seconds(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_tables(document: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    sizes = list(document["sizes"].values())
    if not sizes:
        return
    stages = Table(title="Stage time (s) and peak memory (MB, whole process tree)")
    stages.add_column("stage")
    for size in sizes:
        stages.add_column(f"{size['leads']:,} leads", justify="right")
    for name in STAGE_ORDER:
        cells = []
        for size in sizes:
            stage = size["stages"].get(name)
            cells.append(f"{stage['seconds']:.1f} s / {stage['peak_tree_rss_mb']:,.0f} MB" if stage else "-")
        stages.add_row(name, *cells)
    console.print(stages)

    summary = Table(
        title="Summary (targets: 1M end to end ≤ 240 s and ≤ 3072 MB; refresh build + checks ≤ 0.1 × full, 0.15 below 1M)"
    )
    summary.add_column("figure")
    for size in sizes:
        summary.add_column(f"{size['leads']:,} leads", justify="right")
    rows = [
        ("rows loaded", lambda s: f"{s['rows_loaded']:,}"),
        ("load rows / s", lambda s: f"{s['rows_per_second']:,}"),
        ("end to end (load+build+checks+publish) s", lambda s: f"{s['end_to_end_seconds']:.1f}"),
        ("end to end peak MB", lambda s: f"{s['end_to_end_peak_mb']:,.0f}"),
        ("end to end peak spill to disk MB", lambda s: f"{s.get('end_to_end_peak_spill_mb', 0):,.0f}"),
        ("dbt tests s (summed over threads)", lambda s: f"{s['test_seconds_summed']:.1f}"),
        ("floor query s", lambda s: f"{s['floor_seconds']:.2f}"),
        ("full build / floor", lambda s: f"{s['build_to_floor_ratio']}×"),
        ("increment rows (one day)", lambda s: f"{s['increment_rows']:,}"),
        ("refresh (load+build+checks+publish) s", lambda s: _seconds(s["refresh_seconds"])),
        ("refresh build / full build", lambda s: _seconds(s["refresh_build_ratio"], 2)),
        ("refresh (build + checks) / full (build + checks)", lambda s: _seconds(s.get("refresh_ratio"), 2)),
        ("end to end ≤ 240 s", lambda s: _yes(s["targets"].get("end_to_end_within_target"))),
        ("peak ≤ 3 GB", lambda s: _yes(s["targets"].get("peak_within_target"))),
        ("refresh within its target", lambda s: _yes(s["targets"].get("refresh_within_target"))),
        ("load average before → after", lambda s: _load(s)),
    ]
    for label, cell in rows:
        summary.add_row(label, *(cell(size) for size in sizes))
    summary.add_row("end to end growth / data growth vs the size before", *_growth(sizes))
    console.print(summary)

    for size in sizes:
        slowest = Table(title=f"Slowest models in the full build, {size['leads']:,} leads")
        slowest.add_column("model")
        slowest.add_column("s", justify="right")
        for entry in size["slowest_models"]:
            slowest.add_row(entry["model"], f"{entry['seconds']:.1f}")
        console.print(slowest)


def _growth(sizes: list[dict[str, Any]]) -> list[str]:
    """Time grows no worse than linearly when the first figure is at most the second: 10M leads
    may take at most 10x the time of 1M."""
    cells = ["-"]
    for before, after in zip(sizes, sizes[1:], strict=False):
        time_growth = after["end_to_end_seconds"] / before["end_to_end_seconds"]
        cells.append(f"{time_growth:.1f}× / {after['leads'] / before['leads']:.0f}×")
    return cells


def _load(size: dict[str, Any]) -> str:
    before = size["machine"]["load_average"][0]
    after = size["machine"]["load_average_after"][0]
    return f"{before:.1f} → {after:.1f} ({size['machine']['cpus']} cpus)"
