"""`funnel plan TARGET`: the reverse funnel for any target from the rates the build measured, equal
to the planning mart's figures for its own targets scaled, whole and rounded up, without dbt."""

from __future__ import annotations

import math
import subprocess
import time
from datetime import date

import duckdb
import pytest
from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.planning import next_quarter_start, plan_target, whole
from orchestration.settings import Settings

TARGET = 500_000


def _mart_scaled(settings: Settings, target: float) -> dict[tuple[str, str], dict]:
    """Per (period, source system) of fct_reverse_funnel_plan's `all` rows (the seed's targets),
    the figures the mart gives scaled to `target` and rounded up: the plan is linear in the target."""
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        rows = con.execute(
            """
            select period, source_system, target_revenue, deals_needed, stage, needed_at_stage, leads_needed,
                is_top_stage
            from marts.fct_reverse_funnel_plan
            where segment_type = 'all' and segment_value = 'all'
            order by period, source_system, stage_order
            """
        ).fetchall()
    plans: dict[tuple[str, str], dict] = {}
    for period, source, revenue, deals, stage, at_stage, leads, is_top in rows:
        scale = target / revenue
        plan = plans.setdefault((period, source), {"won": math.ceil(round(deals * scale, 6)), "stages": {}})
        plan["stages"][stage] = math.ceil(round(at_stage * scale, 6))
        if is_top:
            plan["leads"] = math.ceil(round(leads * scale, 6))
    return plans


def test_the_plan_is_the_marts_plan_scaled_to_the_target(built_demo: Settings) -> None:
    expected = _mart_scaled(built_demo, TARGET)
    assert {period for period, _ in expected} >= {"2025-Q3"}  # the seed's targets were planned
    answer = {source.source_system: source for source in plan_target(built_demo, TARGET).sources}
    for (_, source), plan in expected.items():
        got = answer[source]
        assert got.won_deals_needed == plan["won"]
        assert {stage.stage: stage.deals_needed for stage in got.stages} == plan["stages"]
        assert got.stages[0].stage == next(iter(plan["stages"]))  # the top stage first
        assert got.leads_needed == plan["leads"]
        assert got.leads_needed > got.stages[0].deals_needed > got.won_deals_needed > 0
    # the same company exported three ways plans the same
    assert len({source.leads_needed for source in answer.values()}) == 1


def test_the_command_prints_whole_figures_with_full_labels_without_dbt(
    built_demo: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_process(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"funnel plan started a process: {args}")

    monkeypatch.setattr(subprocess, "Popen", no_process)  # dbt, or anything else: never
    monkeypatch.setenv("FUNNEL_WAREHOUSE", str(built_demo.warehouse))
    before = built_demo.warehouse.stat()
    started = time.perf_counter()
    result = CliRunner().invoke(app, ["plan", str(TARGET), "--source-system", "salesforce"])
    seconds = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    assert seconds < 5, f"{seconds:.1f} s"  # about a second on a quiet machine

    plan = next(
        p for (period, source), p in _mart_scaled(built_demo, TARGET).items() if source == "salesforce"
    )
    rows = {}
    for line in result.output.splitlines():
        cells = [cell.strip() for cell in line.strip("│┃|").split("│")]
        if len(cells) == 2 and cells[0]:
            rows[cells[0]] = cells[1]
    assert rows["Won deals needed"] == f"{plan['won']:,}"
    assert rows["Leads needed"] == f"{plan['leads']:,}"
    for stage, needed in plan["stages"].items():
        assert rows[f"Deals that must reach {stage.replace('_', ' ')}"] == f"{needed:,}"
    assert "Plan for 500,000 in the quarter from 2025-07-01" in result.output
    # read-only: the warehouse is untouched and no write-ahead log appeared
    assert built_demo.warehouse.stat().st_mtime_ns == before.st_mtime_ns
    assert not built_demo.warehouse.with_name(built_demo.warehouse.name + ".wal").exists()


def test_an_unknown_source_system_names_the_known_ones(built_demo: Settings) -> None:
    with duckdb.connect(str(built_demo.warehouse), read_only=True) as con:
        known = [
            row[0]
            for row in con.execute(
                "select distinct source_system from marts.fct_reverse_funnel_plan order by 1"
            ).fetchall()
        ]
    result = CliRunner().invoke(
        app, ["plan", "1000", "--source-system", "sap"], env={"FUNNEL_WAREHOUSE": str(built_demo.warehouse)}
    )
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == f"error: no planning rates for source system 'sap'; choose from {', '.join(known)}"
    )


def test_rounding_up_and_the_next_quarter() -> None:
    assert whole(11.2) == 12 and whole(11.0) == 11 and whole(None) is None
    assert 0.1 * 3 * 10 != 3 and whole(0.1 * 3 * 10) == 3  # 3.0000000000000004 in floating point: 3 deals
    assert next_quarter_start(date(2025, 6, 30)) == date(2025, 7, 1)
    assert next_quarter_start(date(2025, 4, 1)) == date(2025, 7, 1)
    assert next_quarter_start(date(2025, 11, 15)) == date(2026, 1, 1)
