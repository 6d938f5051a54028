"""mappings/nethunt.yml: NetHunt CRM's exports of a deals folder (DD/MM/YYYY local times in Kyiv, a
"Status" column that closes deals keeping their last stage) and of a companies folder load, and one
dbt build of them gives the funnel figures counted by hand from the rows of the fixtures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import load_and_build, query, settings_in

from orchestration.loader import load_folder
from orchestration.settings import Settings

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "mappings" / "nethunt"
MAPPING = ROOT / "mappings" / "nethunt.yml"
FILE = "NetHunt - Deals - 2024-04-10.csv"
COMPANIES = "NetHunt - Companies - 2024-04-10.csv"
AS_OF = "2024-04-10 00:00:00"  # the export's day: open deals are counted as of it
ID = "6601a3f0c2e4b0a1d2c3e1"  # every record id is this prefix and two digits


def _load(tmp_path: Path) -> tuple[duckdb.DuckDBPyConnection, dict]:
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, FIXTURE, mappings=[MAPPING])
    return con, report.by_file()


def test_nethunt_deals_parse_kyiv_times_and_keep_status(tmp_path: Path) -> None:
    con, results = _load(tmp_path)
    assert (results[FILE].status, results[FILE].rows_read, results[FILE].rows_loaded) == (
        "loaded_with_quarantine",
        10,
        9,
    )
    rows = con.execute(
        "select deal_id, stage, status, amount, currency, probability, owner_id, account_id, "
        "cast(created_at as varchar), cast(closed_at as varchar), cast(expected_close_date as varchar), "
        "cast(updated_at as varchar), cast(_exported_at as varchar) "
        f"from raw.generic__deals where deal_id in ('{ID}02', '{ID}04', '{ID}07') order by deal_id"
    ).fetchall()
    assert rows == [
        # Kyiv is UTC+2 in winter: "15/01/2024 09:00" -> 07:00 UTC; the close *date* 20/02/2024 is
        # midnight in Kyiv -> 2024-02-19 22:00 UTC
        (
            f"{ID}02",
            "Proposal sent",
            "Won",
            8000.0,
            "USD",
            100.0,
            "Mark Levin",
            "Globex",
            "2024-01-15 07:00:00",
            "2024-02-19 22:00:00",
            "2024-02-29",
            "2024-02-20 15:05:00",
            "2024-04-10 00:00:00",
        ),
        # "02/04/2024 10:00" is after the switch to summer time (31 March): UTC+3 -> 07:00 UTC
        (
            f"{ID}04",
            "Proposal sent",
            "Open",
            20000.0,
            "USD",
            50.0,
            "Mark Levin",
            "Umbrella Corp",
            "2024-02-05 09:00:00",
            None,
            "2024-05-15",
            "2024-04-02 07:00:00",
            "2024-04-10 00:00:00",
        ),
        # an empty Amount is null, not 0
        (
            f"{ID}07",
            "New lead",
            "Lost",
            None,
            "USD",
            0.0,
            "Olena Kovalenko",
            "Wayne Enterprises",
            "2024-02-20 10:00:00",
            "2024-02-27 22:00:00",
            None,
            "2024-02-28 13:30:00",
            "2024-04-10 00:00:00",
        ),
    ]


def test_companies_land_as_accounts_keyed_by_name(tmp_path: Path) -> None:
    con, results = _load(tmp_path)
    assert (results[COMPANIES].status, results[COMPANIES].rows_read, results[COMPANIES].rows_loaded) == (
        "loaded",
        10,
        10,
    )
    rows = con.execute(
        "select account_id, industry, employees, country, cast(created_at as varchar) "
        "from raw.generic__accounts where account_id in ('Globex', 'Tyrell Corp') order by account_id"
    ).fetchall()
    # "12/01/2024 11:30" in Kyiv (UTC+2) -> 09:30 UTC; "02/04/2024 08:30" in summer time (UTC+3) -> 05:30
    assert rows == [
        ("Globex", "Software", 350, "United States", "2024-01-12 09:30:00"),
        ("Tyrell Corp", "Robotics", 60, "United States", "2024-04-02 05:30:00"),
    ]


def test_derived_and_personal_columns_stay_in_extra(tmp_path: Path) -> None:
    con, _ = _load(tmp_path)
    (extra,) = con.execute(f"select _extra from raw.generic__deals where deal_id = '{ID}03'").fetchone()
    assert json.loads(extra) == {
        "Contact": "Peter Gibbons",
        "Contact email": "peter@initech.example",
        "Days in stage": None,
        "Time in pipeline": "43",
        "Lost reason": "No budget",
        "Tags": None,
    }


def test_impossible_date_is_quarantined_with_the_canonical_field_name(tmp_path: Path) -> None:
    con, _ = _load(tmp_path)
    rows = con.execute("select row_number, line_number, reason from loader.quarantine").fetchall()
    assert rows == [(9, 10, "unparseable_timestamp:created_at")]  # "31/02/2024 10:00"


def test_nethunt_stage_labels_land(tmp_path: Path) -> None:
    con, _ = _load(tmp_path)
    labels = con.execute(
        "select pipeline, raw_label, stage from raw.generic__stage_labels "
        "where _source_system = 'nethunt' order by _row_number"
    ).fetchall()
    assert labels == [
        ("*", "New lead", "qualification"),
        ("*", "Qualified", "qualification"),
        ("*", "Meeting scheduled", "meeting"),
        ("*", "Proposal sent", "proposal"),
        ("*", "Negotiation", "negotiation"),
    ]


# ---- round trip: one load and one dbt build of the fixture ----
#
# The nine loaded deals (stage label -> canonical stage; status; created UTC; owner; amount, prob.):
#   01 Negotiation       open  2024-01-08  Olena  12000  75
#   02 Proposal sent     won   2024-01-15  Mark    8000  (closed 2024-02-19 22:00)
#   03 Meeting scheduled lost  2024-01-22  Mark    3000  (closed 2024-03-04 22:00)
#   04 Proposal sent     open  2024-02-05  Mark   20000  50
#   05 Qualified         open  2024-02-12  Olena   1500  10
#   06 Negotiation       won   2024-02-01  Mark   15000  (closed 2024-03-24 22:00)
#   07 New lead          lost  2024-02-20  Olena   null  (closed 2024-02-27 22:00)
#   08 Meeting scheduled open  2024-03-04  Mark    4000  20
#   10 New lead          open  2024-04-02  Olena   2500   5
# A one-export deal enters its label's stage when created and closes at its close date; reaching a
# stage means entering it or a later one (qualification < meeting < proposal < negotiation < won).
#   qualification: all 9; meeting: 01 02 03 04 06 08 = 6; proposal: 01 02 04 06 = 4;
#   negotiation: 01 02 06 = 3; closed_won: 02 06 = 2.
#   lost at its last open stage: 07 at qualification, 03 at meeting.
#   open at: qualification 05 10 = 2, meeting 08, proposal 04, negotiation 01 = 1 each.
#   monthly cohorts (month created): January 01 02 03 = 3, February 04 05 06 07 = 4, March 08,
#   April 10 = 1 each.
# Companies (Number of employees -> seeds/customer_segments.csv: smb < 100 <= mid_market < 1000 <=
# enterprise): Acme 1200, Umbrella 5000, Hooli 2500, Wayne 3000 enterprise; Globex 350, Stark 800
# mid_market; Initech 80, Soylent 45, Tyrell 60 smb (Cyberdyne's deal is quarantined).
#   enterprise 01 04 05 07: qualification 4, meeting 01 04 = 2, proposal 2, negotiation 01 = 1, won 0
#   mid_market 02 06: 2 at every stage through closed_won
#   smb 03 08 10: qualification 3, meeting 03 08 = 2, proposal 0
FUNNEL = {
    # stage: (reached, lost at stage, open at stage)
    "qualification": (9, 1, 2),
    "meeting": (6, 1, 1),
    "proposal": (4, 0, 1),
    "negotiation": (3, 0, 1),
    "closed_won": (2, 0, 0),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("nethunt")
    shutil.copytree(FIXTURE, root / "landing")
    settings = settings_in(root, FUNNEL_AS_OF=AS_OF)
    load_and_build(settings, root / "landing", [MAPPING])
    return settings


@pytest.mark.slow
def test_cohort_funnel_counts_reach_losses_and_open_deals(built: Settings) -> None:
    rows = query(
        built,
        "select stage, sum(entities_reached), sum(entities_lost_at_stage), sum(entities_open_at_stage) "
        "from marts.fct_funnel_cohort where source_system = 'nethunt' and entity_type = 'deal' "
        "and pipeline = 'Sales pipeline' and period_grain = 'month' and segment_type = 'all' group by stage",
    )
    assert {stage: tuple(counts) for stage, *counts in rows} == FUNNEL


@pytest.mark.slow
def test_cohorts_are_the_months_deals_were_created(built: Settings) -> None:
    rows = query(
        built,
        "select cast(period_start as varchar), max(entities_in_cohort) from marts.fct_funnel_cohort "
        "where source_system = 'nethunt' and period_grain = 'month' and segment_type = 'all' "
        "group by period_start order by period_start",
    )
    assert rows == [("2024-01-01", 3), ("2024-02-01", 4), ("2024-03-01", 1), ("2024-04-01", 1)]


@pytest.mark.slow
def test_win_rate_and_revenue_per_owner(built: Settings) -> None:
    # Mark Levin: won 02 (8000) and 06 (15000), lost 03 -> 2 / 3; Olena Kovalenko: lost 07 -> 0 / 1.
    rows = query(
        built,
        "select level_value, deals_won, deals_lost, win_rate, revenue, open_deals, open_pipeline_amount "
        "from marts.fct_rep_performance where level = 'owner' and source_system = 'nethunt' order by level_value",
    )
    assert rows == [
        ("nethunt:Mark Levin", 2, 1, pytest.approx(2 / 3), 23000.0, 2, 24000.0),
        ("nethunt:Olena Kovalenko", 0, 1, 0.0, 0.0, 3, 16000.0),
    ]


@pytest.mark.slow
def test_weighted_pipeline_and_stage_board(built: Settings) -> None:
    # Open amount 12000 + 20000 + 1500 + 4000 + 2500 = 40000 (USD, rate 1); weighted
    # 12000 x 0.75 + 20000 x 0.5 + 1500 x 0.1 + 4000 x 0.2 + 2500 x 0.05 = 20075.
    weighted = query(
        built,
        "select open_deals, open_amount, weighted_amount, deals_without_probability "
        "from marts.fct_forecast_weighted where source_system = 'nethunt' and segment_type = 'all'",
    )
    assert weighted == [(5, 40000.0, pytest.approx(20075.0), 0)]
    board = query(
        built,
        "select stage, open_deals, total_amount, average_amount from marts.fct_stage_board "
        "where source_system = 'nethunt' and segment_type = 'all' order by stage_order",
    )
    assert board == [
        ("qualification", 2, 4000.0, 2000.0),
        ("meeting", 1, 4000.0, 4000.0),
        ("proposal", 1, 20000.0, 20000.0),
        ("negotiation", 1, 12000.0, 12000.0),
    ]


@pytest.mark.slow
def test_customer_segment_cut_uses_the_companies_employees(built: Settings) -> None:
    rows = query(
        built,
        "select segment_value, stage, sum(entities_reached) from marts.fct_funnel_cohort "
        "where source_system = 'nethunt' and period_grain = 'quarter' and segment_type = 'customer_segment' "
        "group by segment_value, stage",
    )
    reached = {(segment, stage): count for segment, stage, count in rows}
    stages = ["qualification", "meeting", "proposal", "negotiation", "closed_won"]
    assert [reached[("enterprise", stage)] for stage in stages] == [4, 2, 2, 1, 0]
    assert [reached[("mid_market", stage)] for stage in stages] == [2, 2, 2, 2, 2]
    assert [reached[("smb", stage)] for stage in stages] == [3, 2, 0, 0, 0]
    assert {segment for segment, _ in reached} == {"enterprise", "mid_market", "smb"}


@pytest.mark.slow
def test_account_value_per_company(built: Settings) -> None:
    rows = query(
        built,
        "select account_id, customer_segment, won_deals, lost_deals, open_deals, revenue, open_pipeline_amount "
        "from marts.fct_account_value where source_system = 'nethunt' order by account_id",
    )
    assert rows == [
        ("Acme Corp", "enterprise", 0, 0, 1, 0, 12000),
        ("Cyberdyne", "mid_market", 0, 0, 0, 0, 0),  # its only deal was quarantined
        ("Globex", "mid_market", 1, 0, 0, 8000, 0),
        ("Hooli", "enterprise", 0, 0, 1, 0, 1500),
        ("Initech", "smb", 0, 1, 0, 0, 0),
        ("Soylent", "smb", 0, 0, 1, 0, 4000),
        ("Stark Industries", "mid_market", 1, 0, 0, 15000, 0),
        ("Tyrell Corp", "smb", 0, 0, 1, 0, 2500),
        ("Umbrella Corp", "enterprise", 0, 0, 1, 0, 20000),
        ("Wayne Enterprises", "enterprise", 0, 1, 0, 0, 0),
    ]
