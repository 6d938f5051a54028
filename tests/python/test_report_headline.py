"""The report's top and its honesty about time: headline figures equal the same figures computed here
from the marts by independent SQL, a partial as-of month stays out of the velocity trend and the
bottleneck lists, the conversion axis never repeats a tick label, and table headers wrap."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.report import build_report
from orchestration.report.build import render
from orchestration.report.charts import percent_axis, segment_conversion
from orchestration.report.data import complete_months_before, partial_month_start, read_report_data
from orchestration.settings import Settings

# The same figures the headline shows, from other tables than the report reads: deals from dim_deals
# (closed in the 90 days ending at the as-of, open now), leads and MQLs from the row-level stage
# reach, the as-of from a mart's as_of_date column. Velocity = open qualified x win rate x mean
# won amount / mean sales cycle (docs/metrics.md), qualified = reached the qualification stage.
EXPECTED_HEADLINE = """
    with as_of as (
        select max(as_of_date) as last_day, max(as_of_date) - 89 as first_day from marts.fct_stage_board
    ),
    reach as (
        select source_system, stage, count(distinct entity_key) as persons
        from marts.fct_funnel_stage_reach, as_of
        where entity_type = 'person' and cast(reached_at as date) between first_day and last_day
        group by source_system, stage
    ),
    closed as (
        select
            source_system,
            count(*) filter (where is_won) as won,
            count(*) filter (where is_lost) as lost,
            sum(amount_reporting) filter (where is_won) as revenue,
            avg(amount_reporting) filter (where is_won) as deal_size,
            avg(days_to_close) filter (where is_won) as cycle
        from marts.dim_deals, as_of
        where cast(closed_at as date) between first_day and last_day
        group by source_system
    ),
    open_now as (
        select
            source_system,
            count(*) as open_deals,
            sum(amount_reporting) as open_amount,
            count(*) filter (where deal_key in (
                select entity_key from marts.fct_funnel_stage_reach
                where entity_type = 'deal' and stage = 'qualification'
            )) as open_qualified
        from marts.dim_deals
        where is_open
        group by source_system
    )
    select
        closed.source_system,
        (select last_day from as_of) as as_of_date,
        (select persons from reach where reach.source_system = closed.source_system and stage = 'lead') as leads,
        (select persons from reach where reach.source_system = closed.source_system and stage = 'mql') as mqls,
        won, lost, revenue, won / (won + lost) as win_rate,
        open_qualified * (won / (won + lost)) * deal_size / cycle as velocity,
        open_deals, open_amount
    from closed
    inner join open_now on closed.source_system = open_now.source_system
    order by closed.source_system
"""


def _tiles(page: str) -> dict[str, dict[str, str]]:
    """{source system: {figure: shown value}} from the headline's tiles."""
    blocks = re.findall(
        r"<div class='tiles' data-source-system='([^']+)'>(.*?)(?=<div class='tiles'|</section>)", page
    )
    return {
        source: dict(re.findall(r"data-figure='(\w+)'><div class='value'>([^<]*)</div>", block))
        for source, block in blocks
    }


def test_headline_figures_equal_the_same_figures_computed_independently(
    built_demo: Settings, tmp_path: Path
) -> None:
    page = build_report(built_demo.warehouse, tmp_path / "report.html").read_text(encoding="utf-8")
    with duckdb.connect(str(built_demo.warehouse), read_only=True) as con:
        expected = con.execute(EXPECTED_HEADLINE).df()
    # Not vacuous: the demo has leads, wins and open deals in its last 90 days.
    assert len(expected) >= 1
    assert (expected[["leads", "mqls", "won", "lost", "velocity", "open_deals"]] > 0).all().all()

    # The as-of and the tiles open the page, before the first section.
    (as_of,) = set(expected["as_of_date"].astype(str))
    assert f"<strong data-as-of='{as_of}'>{as_of}</strong>" in page
    assert page.index("class='as-of'") < page.index("<section><h2>")

    shown = _tiles(page)
    assert sorted(shown) == sorted(expected["source_system"])
    for row in expected.itertuples():
        assert shown[row.source_system] == {
            "leads": f"{row.leads:,}",
            "mqls": f"{row.mqls:,}",
            "won_deals": f"{row.won:,}",
            "revenue": f"{float(row.revenue):,.0f}",
            "win_rate": f"{row.win_rate:.1%}",
            "pipeline_velocity": f"{row.velocity:,.0f}",
            "open_amount": f"{float(row.open_amount):,.0f}",
        }, row.source_system
        assert f"of {row.won + row.lost:,} closed" in page
        assert f"{row.open_deals:,} open deals" in page


@pytest.mark.parametrize(
    ("as_of", "partial", "complete_before"),
    [
        (date(2025, 6, 17), date(2025, 6, 1), date(2025, 6, 1)),
        (date(2025, 6, 1), date(2025, 6, 1), date(2025, 6, 1)),  # one day in: partial
        (date(2025, 6, 30), None, date(2025, 7, 1)),  # the month's last day: complete
        (date(2025, 12, 31), None, date(2026, 1, 1)),
        (date(2025, 12, 5), date(2025, 12, 1), date(2025, 12, 1)),
        (date(2024, 2, 28), date(2024, 2, 1), date(2024, 2, 1)),  # a leap year: the 29th is the last day
        (date(2024, 2, 29), None, date(2024, 3, 1)),
        (None, None, date.max),  # no as-of known: every month counts
    ],
)
def test_the_as_of_month_is_partial_until_its_last_day(
    as_of: date | None, partial: date | None, complete_before: date
) -> None:
    assert partial_month_start(as_of) == partial
    assert complete_months_before(as_of) == complete_before


@pytest.fixture(scope="module")
def mid_month_warehouse(built_demo: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo with its as-of moved to the 17th of its last month (2025-06-30 -> 2025-06-17). The marts
    keep their June rows, as they do for a real mid-month as-of (windows and cohorts run to the as-of
    month), so only the report's handling of the partial month decides what the page shows."""
    warehouse = tmp_path_factory.mktemp("mid_month") / "mid_month.duckdb"
    shutil.copy(built_demo.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update intermediate.int_as_of set as_of_date = date '2025-06-17'")
    return warehouse


JUNE = pd.Timestamp("2025-06-01")


def test_a_partial_as_of_month_is_left_out_of_the_velocity_trend_and_the_bottlenecks(
    built_demo: Settings, mid_month_warehouse: Path, tmp_path: Path
) -> None:
    # At the month-end as-of June is complete, and it is there: the filter below can fail.
    complete = read_report_data(str(built_demo.warehouse))
    assert JUNE in set(complete.velocity["window_start"]) and JUNE in set(
        complete.recent_bottlenecks["cohort_month"]
    )

    data = read_report_data(str(mid_month_warehouse))
    assert data.as_of.iloc[0].to_dict() == {
        "as_of_date": date(2025, 6, 17),
        "partial_month_start": date(2025, 6, 1),
    }
    assert set(data.velocity["window_start"]) == set(complete.velocity["window_start"]) - {JUNE}
    assert JUNE not in set(data.recent_bottlenecks["cohort_month"])
    assert len(data.recent_bottlenecks) > 0
    with duckdb.connect(str(mid_month_warehouse), read_only=True) as con:
        (complete_months,) = con.execute(
            "select count(*) from marts.fct_funnel_bottlenecks "
            "where segment_type = 'all' and bottleneck_stage is not null and period_start < date '2025-06-01'"
        ).fetchone()
    assert int(data.bottleneck_counts["months"].sum()) == complete_months

    page = render(data)
    # Said where it matters: the as-of line, the bottleneck chart's and the velocity chart's captions.
    assert page.count("2025-06 is left out: partial month to 2025-06-17.") == 3
    assert "partial month" not in render(complete)


def _tick_labels(tickformat: str, dtick: float, top: float) -> list[str]:
    """The labels Plotly draws on a 0..top axis (its range is padded ~5%), d3 '.N%' = Python '.N%'."""
    count = int(top * 1.05 / dtick + 1e-9) + 1
    return [format(index * dtick, tickformat) for index in range(count)]


@pytest.mark.parametrize(
    ("top", "labels"),
    [
        (0.03, ["0%", "1%", "2%", "3%"]),  # '.0%' with Plotly's own ticks read 3%, 2%, 2%, 1%, 1%, 0%
        (0.012, ["0.0%", "0.5%", "1.0%"]),
        (0.25, ["0%", "5%", "10%", "15%", "20%", "25%"]),
        (0.0004, ["0.00%", "0.01%", "0.02%", "0.03%", "0.04%"]),
    ],
)
def test_percent_axis_ticks_read_distinctly(top: float, labels: list[str]) -> None:
    axis = percent_axis(top)
    assert _tick_labels(str(axis["tickformat"]), float(axis["dtick"]), top) == labels


def test_every_cut_of_the_conversion_chart_has_distinct_percent_ticks(built_demo: Settings) -> None:
    frame = read_report_data(str(built_demo.warehouse)).segment_conversion
    figure = segment_conversion(frame)
    buttons = figure.layout.updatemenus[0].buttons
    cuts = list(frame.groupby(["entity_type", "segment_type"], sort=False))
    assert len(buttons) == len(cuts) > 1
    first = figure.layout.yaxis
    layouts = [{"yaxis.tickformat": first.tickformat, "yaxis.dtick": first.dtick}] + [
        b.args[1] for b in buttons
    ]
    tops = [cuts[0][1]] + [cut for _, cut in cuts]
    for layout, cut in zip(layouts, tops, strict=True):
        top = float((cut["reached_won"] / cut["entered"]).max())
        assert layout["yaxis.tickformat"].endswith("%")
        labels = _tick_labels(layout["yaxis.tickformat"], layout["yaxis.dtick"], top)
        assert len(labels) >= 3 and len(set(labels)) == len(labels), (layout, labels)


def test_table_headers_read_as_words_so_they_wrap(built_demo: Settings, tmp_path: Path) -> None:
    page = build_report(built_demo.warehouse, tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<th>days in stage</th><th>stage p90 days</th>" in page
    assert not re.findall(r"<th>[^<]*_[^<]*</th>", page)
