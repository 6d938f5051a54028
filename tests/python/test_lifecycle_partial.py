"""Partial evidence: two lists through a mapping file give entries for exactly the stages they prove.

tests/fixtures/partial: mqls.csv (three MQLs with first-contact date and channel) and won_deals.csv (two
won deals keyed by the lead id). Expected: an mql entry at first contact for each person, a closed_won
entry for each deal, a customer entry for the two persons with a won deal, nothing else (no lead,
opportunity or open deal stage is invented).
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.pipeline import build_models, load_exports

pytestmark = pytest.mark.slow

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "partial"


def test_partial_exports_give_only_the_evidenced_stages(make_settings, tmp_path):
    landing = tmp_path / "landing" / "partial"
    shutil.copytree(FIXTURE, landing)
    settings = make_settings("partial")
    report = load_exports(settings, landing.parent, [])
    assert not report.failed, [r.message for r in report.failed]
    build_models(settings, select="+intermediate")

    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        persons = con.execute(
            "select person_key, stage, entered_at, evidence from intermediate.int_person_stage_entries "
            "order by 1, 3"
        ).fetchall()
        deals = con.execute(
            "select deal_key, stage, entered_at, evidence from intermediate.int_deal_stage_entries "
            "order by 1, 3"
        ).fetchall()
        channels = con.execute(
            "select person_key, channel from intermediate.int_persons order by 1"
        ).fetchall()
        won = con.execute(
            "select deal_key, person_key, current_stage, is_won from intermediate.int_deals order by 1"
        ).fetchall()

    assert persons == [
        ("partial_crm:L-1", "mql", datetime(2024, 3, 1, 10, 0), "created_closed"),
        ("partial_crm:L-1", "customer", datetime(2024, 4, 10, 15, 0), "derived"),
        ("partial_crm:L-2", "mql", datetime(2024, 3, 2, 11, 0), "created_closed"),
        ("partial_crm:L-3", "mql", datetime(2024, 3, 5, 9, 30), "created_closed"),
        ("partial_crm:L-3", "customer", datetime(2024, 5, 20, 8, 0), "derived"),
    ]
    assert deals == [
        ("partial_crm:W-1", "closed_won", datetime(2024, 4, 10, 15, 0), "created_closed"),
        ("partial_crm:W-2", "closed_won", datetime(2024, 5, 20, 8, 0), "created_closed"),
    ]
    assert channels == [
        ("partial_crm:L-1", "paid_search"),
        ("partial_crm:L-2", "events"),
        ("partial_crm:L-3", "email"),
    ]
    assert won == [
        ("partial_crm:W-1", "partial_crm:L-1", "closed_won", True),
        ("partial_crm:W-2", "partial_crm:L-3", "closed_won", True),
    ]


def test_partial_exports_give_conversion_and_days_to_convert_by_channel_and_month(make_settings, tmp_path):
    """The cohort funnel of the same two lists shows only mql and customer, with conversion and
    median days by channel and month computed by hand:
    L-1 paid_search  mql 2024-03-01 10:00 -> customer 2024-04-10 15:00 = 40 d 5 h   = 40.208333 d
    L-2 events       mql 2024-03-02 11:00 -> never
    L-3 email        mql 2024-03-05 09:30 -> customer 2024-05-20 08:00 = 76 d - 1.5 h = 75.9375 d
    """
    landing = tmp_path / "landing" / "partial"
    shutil.copytree(FIXTURE, landing)
    settings = make_settings("partial_funnel")
    assert not load_exports(settings, landing.parent, []).failed
    build_models(settings)

    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        rows = con.execute(
            """
            select segment_type, segment_value, stage, entities_reached, conversion_from_previous,
                   median_days_from_entry
            from marts.fct_funnel_cohort
            where entity_type = 'person' and period_grain = 'month' and period_start = date '2024-03-01'
              and segment_type in ('all', 'channel')
            order by segment_type, segment_value, stage_order
            """
        ).fetchall()

    def row(segment_type, segment_value, stage):
        return next(r[3:] for r in rows if r[:3] == (segment_type, segment_value, stage))

    assert {r[2] for r in rows} == {"mql", "customer"}  # no invented stage
    assert row("all", "all", "mql")[0] == 3
    reached, conversion, median_days = row("all", "all", "customer")
    assert (reached, round(conversion, 6)) == (2, round(2 / 3, 6))
    assert median_days == pytest.approx((40 + 5 / 24 + 76 - 1.5 / 24) / 2)
    assert row("channel", "paid_search", "customer")[0] == 1
    assert row("channel", "paid_search", "customer")[2] == pytest.approx(40 + 5 / 24)
    assert row("channel", "email", "customer")[2] == pytest.approx(76 - 1.5 / 24)
    assert row("channel", "events", "customer")[:2] == (0, 0.0)
