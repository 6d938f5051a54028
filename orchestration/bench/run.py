"""Benchmark one company size: every stage in its own child process, in its own folder and warehouse."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from orchestration.bench import extras as bench_extras
from orchestration.bench.extras import OnExtra
from orchestration.bench.measure import StageResult, machine, run_stage
from orchestration.settings import PROJECT_DIR, Settings

FORMATS = ["salesforce", "marketing"]  # the floor query reads the Salesforce raw tables
# Issue #18's targets: 1M leads end to end within 240 s and 3 GB; a one-day refresh (build + checks)
# within a tenth of the full build's (build + checks) from 1M leads, within 0.15 below.
TARGET_END_TO_END_SECONDS = 240
TARGET_PEAK_MB = 3072
TARGET_REFRESH_RATIO = 0.1
TARGET_REFRESH_RATIO_SMALL = 0.15
REFRESH_RATIO_FROM_LEADS = 1_000_000
END_TO_END = ("load", "build", "checks", "publish")
REFRESH = ("refresh_load", "refresh_build", "refresh_checks", "refresh_publish")


# From this many leads the bench builds one dbt model at a time, unless FUNNEL_DBT_THREADS is set:
# DuckDB's memory limit is shared by the models that run at once. At 10M, four heavy models at once
# spilled 49 GB and filled the disk; one at a time, the staging models ran 4-6x faster.
ONE_MODEL_AT_A_TIME_FROM = 5_000_000


def size_environment(size_dir: Path, leads: int = 0) -> dict[str, str]:
    env = dict(os.environ)
    if leads >= ONE_MODEL_AT_A_TIME_FROM and "FUNNEL_DBT_THREADS" not in env:
        env["FUNNEL_DBT_THREADS"] = "1"
    env.update(
        {
            "FUNNEL_PROJECT_DIR": str(PROJECT_DIR),
            "FUNNEL_WAREHOUSE": str(size_dir / "funnel.duckdb"),
            "FUNNEL_PUBLISHED": str(size_dir / "published" / "funnel.duckdb"),
            "DBT_TARGET_PATH": str(size_dir / "target"),
            "DBT_LOG_PATH": str(size_dir / "logs"),
            # the checks' Data Docs and row-count baseline stay with this size, not the demo's
            "FUNNEL_DATA_DOCS": str(size_dir / "data_docs"),
            "DAGSTER_HOME": str(size_dir / "dagster_home"),
            "PYTHONPATH": os.pathsep.join(p for p in (str(PROJECT_DIR), env.get("PYTHONPATH")) if p),
            # Generated exports only: the demo, whose public salt is used unless FUNNEL_PII_SALT is set.
            "FUNNEL_DEMO": "1",
        }
    )
    return env


def bench_size(
    leads: int,
    out_root: Path,
    seed: int = 42,
    as_of: date = date(2025, 6, 30),
    keep: bool = False,
    select: str | None = None,
    on_stage: Callable[[StageResult], None] | None = None,
    refresh: bool = True,
    extras: bool = False,
    check_copies: int = 1,
    on_extra: OnExtra | None = None,
) -> dict[str, Any]:
    """Generate `leads`, then load, build (models and tests), publish, run the floor query, and
    refresh with the next day's exports; return every stage's time and peak memory. `select` (a dbt
    selector) limits the builds, for a quick smoke run; figures are only comparable without it.
    `refresh=False` stops after the floor query (the refresh target is set at 1M leads; at 10M it
    would double a run that is there to show the full build completes and scales). `extras` runs the
    experiments (extras.py) on this size's exports and warehouse too, `check_copies` copies of the
    checked tables for the checks' one; their figures go under the result's "extras"."""
    size_dir = (out_root / str(leads)).resolve()
    shutil.rmtree(size_dir, ignore_errors=True)  # each size starts from nothing
    size_dir.mkdir(parents=True)
    env = size_environment(size_dir, leads)
    work = size_dir / "stages"
    spill_dir = size_dir / "funnel.duckdb.tmp"  # DuckDB's default spill folder beside the warehouse
    landing, increment, generated = size_dir / "landing", size_dir / "increment", size_dir / "generated"
    plan: list[tuple[str, str, dict[str, Any]]] = [
        (
            "generate",
            "generate",
            {"out": generated, "leads": leads, "seed": seed, "as_of": as_of, "formats": FORMATS},
        ),
        (
            "prepare",
            "prepare",
            {"generated": generated, "landing": landing, "increment": increment, "as_of": as_of},
        ),
        ("load", "load", {"landing": landing}),
        ("parse", "parse", {}),
        ("build", "build", {"full_refresh": True, "select": select}),
        ("checks", "checks", {}),
        ("publish", "publish", {}),
        ("floor", "floor", {}),
    ]
    if refresh:
        plan += [
            ("refresh_load", "load", {"landing": landing, "increment": increment, "as_of": as_of}),
            ("refresh_build", "build", {"full_refresh": False, "select": select}),
            ("refresh_checks", "checks", {}),
            ("refresh_publish", "publish", {}),
        ]
    started = time.time()
    machine_before = machine()
    stages: dict[str, dict[str, Any]] = {}
    experiments: dict[str, dict[str, Any]] = {}

    def run_extras(found: dict[str, dict[str, Any]]) -> None:
        experiments.update(found)
        for name, figures in found.items():
            if on_extra:
                on_extra(name, figures)

    try:
        for label, function, params in plan:
            result = run_stage(label, params, work, env, function=function, spill_dir=spill_dir)
            stages[label] = asdict(result)
            if on_stage:
                on_stage(result)
            if label == "load" and extras:  # the exports may be deleted next
                run_extras(bench_extras.after_load(landing, size_dir / "extras", env))
            if label == "load" and not refresh and not keep:
                # Only the refresh reads the exports again: at 10M they are 21 GB of disk that the
                # build's spill needs (it reached 49 GB before the disk filled). The generated
                # copy is already gone: the split (prepare) deletes it.
                for folder in (landing, increment):
                    shutil.rmtree(folder, ignore_errors=True)
        if extras:
            warehouse = size_dir / "funnel.duckdb"
            run_extras(bench_extras.after_stages(leads, warehouse, size_dir / "extras", env, check_copies))
    finally:
        if not keep:
            for leftover in (
                landing,
                increment,
                generated,
                size_dir / "published",
            ):
                shutil.rmtree(leftover, ignore_errors=True)
            for database in size_dir.glob("funnel.duckdb*"):
                database.unlink()
    summary = summarise(leads, stages, machine_before, started, select, env)
    if experiments:
        summary["extras"] = experiments
    return summary


def _sum(stages: dict[str, dict[str, Any]], names: tuple[str, ...], key: str) -> float:
    return round(sum(stages[name][key] for name in names), 3)


def _peak(stages: dict[str, dict[str, Any]], names: tuple[str, ...], key: str) -> float:
    return max(stages[name][key] for name in names)


def summarise(
    leads: int,
    stages: dict[str, dict[str, Any]],
    machine_before: dict[str, Any],
    started: float,
    select: str | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    settings = Settings.from_env(env)
    build = stages["build"]
    by_type = build["details"].get("by_resource_type", {})
    end_to_end = _sum(stages, END_TO_END, "seconds")
    peak_mb = _peak(stages, END_TO_END, "peak_tree_rss_mb")
    floor_seconds = stages["floor"]["details"]["query_seconds"]
    refreshed = "refresh_build" in stages
    refresh_build_ratio = stages["refresh_build"]["seconds"] / build["seconds"] if refreshed else None
    refresh_ratio = (
        _sum(stages, ("refresh_build", "refresh_checks"), "seconds")
        / _sum(stages, ("build", "checks"), "seconds")
        if refreshed
        else None
    )
    refresh_target = TARGET_REFRESH_RATIO if leads >= REFRESH_RATIO_FROM_LEADS else TARGET_REFRESH_RATIO_SMALL
    return {
        "leads": leads,
        "select": select,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "machine": {**machine_before, "load_average_after": os.getloadavg()},
        "duckdb": {  # what the stages ran with: the settings, read from the stages' environment
            "memory_limit": settings.duckdb_memory_limit,
            "threads": str(settings.duckdb_threads),
            "dbt_threads": str(settings.dbt_threads),
        },
        "stages": stages,
        "rows_loaded": stages["load"]["details"]["rows_read"],
        "rows_per_second": round(stages["load"]["details"]["rows_read"] / stages["load"]["seconds"]),
        "test_seconds_summed": by_type.get("test", {}).get("seconds", 0.0),
        "model_seconds_summed": by_type.get("model", {}).get("seconds", 0.0),
        "slowest_models": build["details"].get("slowest_models", []),
        "end_to_end_seconds": end_to_end,
        "end_to_end_peak_mb": peak_mb,
        "end_to_end_peak_spill_mb": _peak(stages, END_TO_END, "peak_spill_mb"),
        "floor_seconds": floor_seconds,
        "build_to_floor_ratio": round(build["seconds"] / floor_seconds, 1) if floor_seconds else None,
        "increment_rows": stages["prepare"]["details"]["increment_rows"],
        "refresh_seconds": _sum(stages, REFRESH, "seconds") if refreshed else None,
        "refresh_build_ratio": round(refresh_build_ratio, 3) if refresh_build_ratio is not None else None,
        # (refresh build + checks) / (full build + checks), the ratio the refresh target is about
        "refresh_ratio": round(refresh_ratio, 3) if refresh_ratio is not None else None,
        "targets": {
            "end_to_end_seconds": TARGET_END_TO_END_SECONDS,
            "peak_mb": TARGET_PEAK_MB,
            "refresh_ratio": refresh_target,
            "end_to_end_within_target": end_to_end <= TARGET_END_TO_END_SECONDS,
            "peak_within_target": peak_mb <= TARGET_PEAK_MB,
            "refresh_within_target": refresh_ratio <= refresh_target if refresh_ratio is not None else None,
        },
    }
