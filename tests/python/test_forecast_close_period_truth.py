"""The forecast by close period and category, and the stage board's owner, manager and team cuts, equal
what the simulation says (truth.json, deals.pipeline.forecast_by_close_period and by_owner) for every CRM
format of the demo. Salesforce and HubSpot export each deal's forecast category; the generic export has
none, so its categories come from the probability bands (the truth's FALLBACK_BANDS)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import settings_in

from orchestration.warehouse import run_dbt

SOURCES = ["salesforce", "hubspot", "generic"]
TRUTH_TABLE = {
    "salesforce": "by_stage_category",
    "hubspot": "by_stage_category",
    "generic": "by_probability_band",
}


@pytest.fixture(scope="module")
def truth(demo_exports: Path) -> dict:
    return json.loads((demo_exports / "truth.json").read_text())


@pytest.fixture(scope="module")
def con(built_demo):
    connection = duckdb.connect(str(built_demo.warehouse), read_only=True)
    yield connection
    connection.close()


def _split(connection, source: str) -> dict[str, tuple]:
    rows = connection.execute(
        """
        select close_period || '/' || forecast_category, open_deals, cast(round(open_amount * 100) as bigint),
            weighted_amount, won_deals, cast(round(won_amount * 100) as bigint)
        from marts.fct_forecast_by_close_period
        where source_system = ? and segment_type = 'all'
        """,
        [source],
    ).fetchall()
    return {key: tuple(values) for key, *values in rows}


def _assert_matches(got: dict[str, tuple], expected: dict[str, dict]) -> None:
    assert set(got) == set(expected)
    for key, exp in expected.items():
        open_count, open_cents, weighted, won_count, won_cents = got[key]
        assert (open_count, open_cents, won_count, won_cents) == (
            exp["open_count"],
            round(exp["open_amount"] * 100),
            exp["won_count"],
            round(exp["won_amount"] * 100),
        ), key
        assert weighted == pytest.approx(exp["weighted_amount"], abs=0.01), key


@pytest.mark.parametrize("source", SOURCES)
def test_forecast_by_close_period_and_category_matches_truth(con, truth, source):
    expected = truth["deals"]["pipeline"]["forecast_by_close_period"][TRUTH_TABLE[source]]
    _assert_matches(_split(con, source), expected)


@pytest.fixture(scope="module")
def pinned(built_demo, truth, tmp_path_factory):
    """The demo's as-of is a quarter end, so no open deal is due this month or this quarter: the mart
    again with the as-of pinned to the 10th of the quarter's first month (var as_of_date). Only int_as_of
    and the mart are rebuilt, on a copy: the deal columns the mart reads (open, won, close dates,
    amounts, categories) do not depend on the as-of."""
    expected = truth["deals"]["pipeline"]["forecast_by_close_period"]["at_pinned_as_of"]
    settings = settings_in(tmp_path_factory.mktemp("pinned"))
    shutil.copyfile(built_demo.warehouse, settings.warehouse)
    as_of = json.dumps({"as_of_date": expected["as_of_date"]})
    run_dbt(settings, ["run", "--select", "int_as_of", "fct_forecast_by_close_period", "--vars", as_of])
    connection = duckdb.connect(str(settings.warehouse), read_only=True)
    yield connection, expected
    connection.close()


@pytest.mark.parametrize("source", SOURCES)
def test_forecast_at_a_pinned_as_of_matches_truth(pinned, source):
    connection, truth_at = pinned
    (as_of,) = connection.execute(
        "select distinct as_of_date from marts.fct_forecast_by_close_period"
    ).fetchone()
    assert str(as_of) == truth_at["as_of_date"]
    expected = truth_at[TRUTH_TABLE[source]]
    periods = {key.split("/")[0] for key, row in expected.items() if row["open_count"]}
    assert {"overdue", "this_month", "this_quarter", "next_quarter"} <= periods
    _assert_matches(_split(connection, source), expected)


def test_truth_covers_every_period_and_the_band_fallback_differs(truth):
    """Guards the comparison above against a demo too small to test anything: every close period shows up,
    and the band fallback puts some deals in another category than their stage (stale deals at 5%)."""
    forecast = truth["deals"]["pipeline"]["forecast_by_close_period"]
    periods = {key.split("/")[0] for key in forecast["by_stage_category"]}
    assert {"overdue", "this_month", "this_quarter", "next_quarter"} <= periods
    assert forecast["by_stage_category"] != forecast["by_probability_band"]


@pytest.mark.parametrize("source", SOURCES)
def test_forecast_by_close_period_sums_to_the_weighted_forecast_in_every_cut(con, source):
    mismatched = con.execute(
        """
        with split as (
            select segment_type, segment_value, sum(open_deals) as open_deals, sum(open_amount) as open_amount,
                sum(weighted_amount) as weighted_amount
            from marts.fct_forecast_by_close_period
            where source_system = ?
            group by segment_type, segment_value
            having sum(open_deals) > 0
        )
        select coalesce(split.segment_type, total.segment_type), coalesce(split.segment_value, total.segment_value)
        from split
        full outer join (select * from marts.fct_forecast_weighted where source_system = ?) as total
            on split.segment_type = total.segment_type and split.segment_value = total.segment_value
        where split.open_deals is distinct from total.open_deals
            or abs(split.open_amount - total.open_amount) > 0.005
            or abs(split.weighted_amount - total.weighted_amount) > 0.005
            or split.open_deals is null
        """,
        [source, source],
    ).fetchall()
    assert mismatched == []
    cuts = {
        r[0]
        for r in con.execute(
            "select distinct segment_type from marts.fct_forecast_by_close_period"
        ).fetchall()
    }
    assert cuts == {
        "all",
        "owner",
        "manager",
        "team",
        "region",
        "channel",
        "product",
        "customer_segment",
        "pipeline",
        "deal_type",
    }


@pytest.mark.parametrize("source", SOURCES)
def test_expected_wins_split_by_close_period_add_up_to_the_historical_forecast(con, source):
    """The same P(won | open in stage) per open deal as fct_forecast_historical: per cut, the split adds up to it."""
    rows = con.execute(
        """
        with split as (
            select segment_type, segment_value, sum(expected_wins) as wins, sum(expected_revenue) as revenue
            from marts.fct_forecast_by_close_period where source_system = ?
            group by segment_type, segment_value
        ),
        historical as (
            select segment_type, segment_value, coalesce(sum(expected_wins), 0) as wins,
                coalesce(sum(expected_revenue), 0) as revenue
            from marts.fct_forecast_historical where source_system = ?
            group by segment_type, segment_value
        )
        select historical.segment_type, historical.segment_value, historical.wins, split.wins,
            historical.revenue, split.revenue
        from historical
        left join split
            on historical.segment_type = split.segment_type and historical.segment_value = split.segment_value
        """,
        [source, source],
    ).fetchall()
    assert rows
    assert sum(1 for r in rows if r[0] == "all" and r[2] > 0) == 1, "the demo has an expected win"
    for cut, value, wins, split_wins, revenue, split_revenue in rows:
        assert split_wins == pytest.approx(wins, abs=1e-9), (cut, value)
        assert split_revenue == pytest.approx(revenue, abs=0.01), (cut, value)


@pytest.mark.parametrize("source", SOURCES)
def test_stage_board_per_owner_matches_truth_and_each_cut_adds_up(con, truth, source):
    rows = con.execute(
        """
        select owners.owner_id, sum(board.open_deals), cast(round(sum(board.total_amount) * 100) as bigint)
        from marts.fct_stage_board as board
        inner join intermediate.int_owners as owners on board.segment_value = owners.owner_key
        where board.segment_type = 'owner' and board.source_system = ?
        group by owners.owner_id
        """,
        [source],
    ).fetchall()
    got = {owner_id: (n, cents) for owner_id, n, cents in rows}
    expected = {
        exp["ids"][source]: (exp["open_count"], round(exp["open_amount"] * 100))
        for exp in truth["deals"]["pipeline"]["by_owner"].values()
        if exp["open_count"]
    }
    assert got == expected
    totals = con.execute(
        """
        select segment_type, pipeline, stage, sum(open_deals), round(sum(total_amount), 2)
        from marts.fct_stage_board where source_system = ?
        group by segment_type, pipeline, stage
        """,
        [source],
    ).fetchall()
    by_cut: dict[str, set] = {}
    for cut, pipeline, stage, n, amount in totals:
        by_cut.setdefault(cut, set()).add((pipeline, stage, n, amount))
    assert set(by_cut) == {"all", "owner", "manager", "team"}
    assert by_cut["owner"] == by_cut["manager"] == by_cut["team"] == by_cut["all"]


def test_truth_close_periods_and_bands_by_hand():
    """The truth's own rules on a hand-made case (as-of Tuesday 2025-05-20, quarter April to June)."""
    import datetime as dt

    import numpy as np

    from simulator.truth_forecast import close_periods, forecast_by_close_period

    def day(text: str) -> int:
        return (dt.date.fromisoformat(text) - dt.date(1970, 1, 1)).days

    # negotiation, proposal, qualification x3, won x3, lost
    stage = np.array([3, 2, 0, 0, 0, 4, 4, 4, 5])
    closes = ["2025-05-19", "2025-05-20", "2025-06-30", "2025-07-01", "2026-01-01"]
    closes += ["2025-05-01", "2025-04-30", "2025-03-31", "2025-05-05"]
    close = np.array([day(c) for c in closes])
    periods = close_periods(stage, close, day("2025-05-20"))
    assert periods.tolist() == [
        "overdue",
        "this_month",
        "this_quarter",
        "next_quarter",
        "later",
        "this_month",
        "this_quarter",
        "",
        "",
    ]
    prob = np.array([0.75, 0.05, 0.5, 0.1, 0.1, 1.0, 1.0, 1.0, 0.0])
    cents = np.array([100, 200, 300, 400, 500, 600, 700, 800, 900]) * 100
    result = forecast_by_close_period(stage, close, prob, cents, day("2025-05-20"))
    # by stage, the proposal deal at 5% is best_case; by band it is pipeline; the qualification deal at 50% the reverse
    assert result["by_stage_category"]["this_month/best_case"]["open_amount"] == 200.0
    assert result["by_probability_band"]["this_month/pipeline"]["weighted_amount"] == 10.0
    assert result["by_probability_band"]["this_quarter/best_case"]["weighted_amount"] == 150.0
    assert result["by_stage_category"]["this_quarter/pipeline"]["open_count"] == 1
    assert result["by_stage_category"]["this_month/closed"] == {
        "open_count": 0,
        "open_amount": 0.0,
        "weighted_amount": 0.0,
        "won_count": 1,
        "won_amount": 600.0,
    }
