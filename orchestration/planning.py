"""`funnel plan TARGET`: the reverse funnel for one revenue target, read from the built warehouse.

The plan is linear in the target (docs/metrics.md, fct_reverse_funnel_plan): won deals needed =
target / average deal size; deals that must reach stage k = won deals needed / P(won | reached k);
leads needed = deals needed at the top stage / deals per lead. So the rates the last build measured
answer any target: they are read from int_planning_conversion_rates (the `all` segment), the table
fct_reverse_funnel_plan is computed from, in one read-only query. No dbt: compiling the analysis
with --vars re-parsed the whole project (23-37 s) and threw away dbt's partial-parse cache.

Deals and leads are whole and rounded up: 11.2 deals needed means 12 to plan for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import duckdb

from orchestration.errors import FunnelError, require_warehouse
from orchestration.settings import Settings
from orchestration.warehouse.catalog import has_table

RATES_TABLE = "intermediate.int_planning_conversion_rates"
_RATES_QUERY = f"""
select source_system, stage, stage_order, win_probability, average_deal_size, deals_per_lead,
    as_of_date, window_start
from {RATES_TABLE}
where segment_type = 'all' and segment_value = 'all'
order by source_system, stage_order, stage
"""


@dataclass(frozen=True)
class StagePlan:
    stage: str
    win_probability: float | None  # P(won | reached the stage)
    deals_needed: int | None  # deals that must reach the stage; None when a rate is missing


@dataclass(frozen=True)
class SourcePlan:
    source_system: str
    average_deal_size: float | None  # None: no deal won in the window, nothing to plan from
    won_deals_needed: int | None
    stages: tuple[StagePlan, ...]  # top (lowest-ordered) stage first
    deals_per_lead: float | None
    leads_needed: int | None  # deals needed at the top stage / deals per lead


@dataclass(frozen=True)
class Plan:
    target_revenue: float
    as_of_date: date
    window_start: date
    next_quarter_start: date
    sources: tuple[SourcePlan, ...]


def whole(value: float | None) -> int | None:
    """Rounded up to a whole deal or lead. Rounded to 6 places first: a division that lands a hair
    above a whole number (50.00000000001) still plans 50."""
    return None if value is None else math.ceil(round(value, 6))


def next_quarter_start(as_of: date) -> date:
    """First day of the quarter after the as-of date's."""
    month = (as_of.month - 1) // 3 * 3 + 4
    return date(as_of.year + 1, 1, 1) if month > 12 else date(as_of.year, month, 1)


def plan_target(settings: Settings, target_revenue: float, source_system: str | None = None) -> Plan:
    """The plan for `target_revenue` next quarter, per source system (or only `source_system`).
    Opens the warehouse read-only: never creates it, never waits for dbt."""
    require_warehouse(settings.warehouse)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        if not has_table(con, *RATES_TABLE.split(".")):
            raise FunnelError(
                f"the warehouse {settings.warehouse} has no planning rates ({RATES_TABLE}): "
                "run `funnel build` (or `funnel run`) first"
            )
        rows = con.execute(_RATES_QUERY).fetchall()
    known = sorted({row[0] for row in rows})
    if not known:
        raise FunnelError(
            "the planning rates are empty (no deal reached a stage in the planning window): "
            "load deals and run `funnel build`"
        )
    if source_system is not None and source_system not in known:
        raise FunnelError(
            f"no planning rates for source system {source_system!r}; choose from {', '.join(known)}"
        )
    sources = tuple(
        _source_plan(target_revenue, [row for row in rows if row[0] == name])
        for name in known
        if source_system in (None, name)
    )
    as_of, window_start = rows[0][6], rows[0][7]  # one as-of point for the whole warehouse
    return Plan(target_revenue, as_of, window_start, next_quarter_start(as_of), sources)


def _source_plan(target_revenue: float, rows: list[tuple]) -> SourcePlan:
    # rows: one source system's stages, ordered by stage_order (the top stage first)
    _, _, _, _, average_deal_size, deals_per_lead, _, _ = rows[0]
    won = _divide(target_revenue, average_deal_size)
    at_stage = [_divide(won, row[3]) for row in rows]
    return SourcePlan(
        source_system=rows[0][0],
        average_deal_size=average_deal_size,
        won_deals_needed=whole(won),
        stages=tuple(StagePlan(row[1], row[3], whole(n)) for row, n in zip(rows, at_stage, strict=True)),
        deals_per_lead=deals_per_lead,
        leads_needed=whole(_divide(at_stage[0], deals_per_lead)),
    )


def _divide(numerator: float | None, denominator: float | None) -> float | None:
    # the mart's safe_divide: a missing or zero rate leaves the rest of the chain unknown
    if numerator is None or not denominator:
        return None
    return numerator / denominator
