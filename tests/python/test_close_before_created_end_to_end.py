"""Real Salesforce exports hold deals whose CloseDate precedes their CreatedDate: historical deals
imported into the CRM (CreatedDate = the import day) and open deals entered after their expected
close had passed. They are real: they load, carry the staging flag, are counted in
fct_data_quality_flags and reach the marts, where they count as won / open but stay out of cycle
averages (a negative span is no cycle). One load and one dbt build of the fixture export."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import query, settings_in

from orchestration.pipeline import build_models, load_exports
from orchestration.settings import Settings

pytestmark = pytest.mark.slow

FIXTURE = Path(__file__).parents[1] / "fixtures" / "loader" / "salesforce_export"
IMPORTED_WON = "0065g00000AbCdHAAV"  # Closed Won, CloseDate 2021-06-30, created 2024-01-05
ENTERED_LATE = "0065g00000AbCdIAAV"  # open, expected CloseDate 2023-12-31, created 2024-01-08
HUBSPOT_IMPORTED = "900"  # closedwon, closedate 2020-05-01, created 2024-01-06
GLOBEX_WON = "0065g00000AbCdFAAV"  # Closed Won 2023-11-02 08:15:00 -> 2024-02-29 16:45:10 (history)
# Nov 2 -> Feb 29 is 30 + 31 + 31 + 27 = 119 days, plus 8 h 30 min 10 s = 30610 s.
GLOBEX_CYCLE_DAYS = 119 + 30610 / 86400


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, object]:
    root = tmp_path_factory.mktemp("close_before_created")
    landing = root / "landing"
    shutil.copytree(FIXTURE, landing / "salesforce")
    (landing / "hubspot").mkdir()
    (landing / "hubspot" / "deals.csv").write_text(
        "hs_object_id,dealname,pipeline,dealstage,amount,deal_currency_code,createdate,closedate,"
        "hs_is_closed,hs_is_closed_won,hs_date_entered_closedwon\n"
        f"{HUBSPOT_IMPORTED},Imported 2020 deal,default,closedwon,700,USD,2024-01-06T10:00:00Z,"
        "2020-05-01T00:00:00Z,true,true,2020-05-01T00:00:00Z\n"
    )
    settings = settings_in(root, FUNNEL_AS_OF="2024-06-30 00:00:00")
    report = load_exports(settings, landing, [])
    build_models(settings)  # the whole project: its tests (accepted ranges of cycle days) must pass too
    return settings, report


def test_close_before_created_deals_load_and_the_ledger_reconciles(built) -> None:
    settings, report = built
    opportunities = report.by_file()["salesforce/Opportunity.csv"]
    assert (opportunities.rows_read, opportunities.rows_loaded, opportunities.rows_quarantined) == (5, 5, 0)
    hubspot = report.by_file()["hubspot/deals.csv"]
    assert (hubspot.rows_read, hubspot.rows_loaded, hubspot.rows_quarantined) == (1, 1, 0)
    assert query(settings, "select count(*) from loader.quarantine") == [(0,)]


def test_staging_flags_exactly_the_close_before_created_deals(built) -> None:
    settings, _ = built
    rows = query(
        settings,
        "select deal_id, is_close_before_created, has_future_created_at "
        "from staging.stg_salesforce__opportunities order by deal_id",
    )
    assert rows == [
        ("0065g00000AbCdEAAV", False, False),
        (GLOBEX_WON, False, False),
        ("0065g00000AbCdGAAV", False, False),
        (IMPORTED_WON, True, False),
        (ENTERED_LATE, True, False),
    ]


def test_the_data_quality_mart_counts_them_with_example_ids(built) -> None:
    settings, _ = built
    assert query(settings, "select * from marts.fct_data_quality_flags order by source_system") == [
        ("hubspot", "deal", "close_before_created", 1, HUBSPOT_IMPORTED),
        ("salesforce", "deal", "close_before_created", 2, f"{IMPORTED_WON}, {ENTERED_LATE}"),
    ]


def test_they_reach_the_marts_as_won_and_open_without_a_cycle(built) -> None:
    settings, _ = built
    deals = query(
        settings,
        f"select deal_id, is_won, is_open, days_to_close from marts.dim_deals "
        f"where deal_id in ('{IMPORTED_WON}', '{ENTERED_LATE}', '{GLOBEX_WON}') order by deal_id",
    )
    assert deals[0][:3] == (GLOBEX_WON, True, False)
    assert deals[0][3] == pytest.approx(GLOBEX_CYCLE_DAYS)
    # The imported deal is won but has no cycle (its close is 2.5 years before its creation).
    assert deals[1:] == [(IMPORTED_WON, True, False, None), (ENTERED_LATE, False, True, None)]
    cycles = query(
        settings,
        f"select deal_id, sales_cycle_days from intermediate.int_deals_enriched where deal_id = '{IMPORTED_WON}'",
    )
    assert cycles == [(IMPORTED_WON, None)]
    hubspot = query(
        settings,
        f"select is_won, amount_reporting, days_to_close from marts.dim_deals where deal_id = '{HUBSPOT_IMPORTED}'",
    )
    assert hubspot == [(True, 700.0, None)]


def test_win_counts_keep_them_and_cycle_averages_leave_them_out(built) -> None:
    settings, _ = built
    # Grace Hopper owns both won deals: two wins, 8000 + 5000 revenue, and a cycle of Globex alone.
    row = query(
        settings,
        "select deals_won, revenue, sales_cycle_days_mean, sales_cycle_days_median "
        "from marts.fct_rep_performance where level = 'owner' and level_value = 'salesforce:0055g00000Own02AAA'",
    )
    assert len(row) == 1
    won, revenue, mean, median = row[0]
    assert (won, revenue) == (2, 13000)
    assert mean == pytest.approx(GLOBEX_CYCLE_DAYS)
    assert median == pytest.approx(GLOBEX_CYCLE_DAYS)


def test_amounts_keep_their_cents_as_the_export_writes_them(built) -> None:
    """The real-format export writes "12500.50", "8000" and "" (no amount): staged as 12500.5, 8000.0
    and null, in the deal's currency and in the reporting currency (USD, rate 1)."""
    settings, _ = built
    rows = query(
        settings,
        "select deal_id, amount, amount_reporting from staging.stg_salesforce__opportunities "
        "where deal_id in ('0065g00000AbCdEAAV', '0065g00000AbCdFAAV', '0065g00000AbCdGAAV') order by deal_id",
    )
    assert rows == [
        ("0065g00000AbCdEAAV", 12500.5, 12500.5),
        ("0065g00000AbCdFAAV", 8000.0, 8000.0),
        ("0065g00000AbCdGAAV", None, None),
    ]
