"""`python -m orchestration.bench 100000 1000000 [--out DIR] [--json FILE] [--keep]
[--refresh-up-to LEADS | --no-refresh] [--extras [--extras-check-copies N]]` (or `make bench`,
`make bench-extras`)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from rich.console import Console

from orchestration.bench.extras import print_figures as print_extra
from orchestration.bench.measure import StageResult
from orchestration.bench.report import merge_results, print_tables
from orchestration.bench.run import bench_size
from orchestration.settings import PROJECT_DIR


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.bench",
        description="Generate N leads per size; time and measure generate, load, dbt build (models and "
        "tests), publish, the hand-written floor query and a one-day incremental refresh.",
    )
    parser.add_argument("sizes", nargs="+", type=int, help="numbers of leads, e.g. 100000 1000000")
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "warehouse" / "bench", help="work folder")
    parser.add_argument("--json", type=Path, default=None, help="figures file (default OUT/bench.json)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--as-of", default="2025-06-30", help="export date; the refresh adds this day")
    parser.add_argument("--select", default=None, help="dbt selector for a quick smoke run (not comparable)")
    parser.add_argument("--keep", action="store_true", help="keep exports and warehouses of every size")
    parser.add_argument(
        "--refresh-up-to",
        type=int,
        default=1_000_000,
        metavar="LEADS",
        help="run the one-day refresh for sizes up to this many leads (default 1000000: the refresh "
        "target is set at 1M, and at 10M it would double a run that shows the full build scales)",
    )
    parser.add_argument("--no-refresh", action="store_true", help="skip the one-day refresh at every size")
    parser.add_argument(
        "--extras",
        action="store_true",
        help="also run the experiments behind the README's other figures on each size's exports and "
        "warehouse (orchestration/bench/extras.py): loader spill, chunked checks, publish variants, "
        "percentile cuts",
    )
    parser.add_argument(
        "--extras-check-copies",
        type=int,
        default=1,
        metavar="N",
        help="with --extras, check N copies of the checked tables (the README's figure: 10 at 1M)",
    )
    args = parser.parse_args(argv)
    console = Console()
    json_path = args.json or args.out / "bench.json"
    for leads in args.sizes:
        console.rule(f"{leads:,} leads")

        def show(result: StageResult) -> None:
            console.print(
                f"  {result.stage:<16}{result.seconds:8.1f} s {result.peak_tree_rss_mb:8,.0f} MB tree"
                f"{result.peak_rss_mb:8,.0f} MB largest process"
            )

        result = bench_size(
            leads,
            args.out,
            seed=args.seed,
            as_of=date.fromisoformat(args.as_of),
            keep=args.keep,
            select=args.select,
            on_stage=show,
            refresh=not args.no_refresh and leads <= args.refresh_up_to,
            extras=args.extras,
            check_copies=args.extras_check_copies,
            on_extra=lambda name, figures: print_extra(name, figures, console),
        )
        document = merge_results(json_path, [result])  # written after every size: a crash keeps the rest
    print_tables(document, console)
    console.print(f"figures written to {json_path}")


if __name__ == "__main__":
    main()
