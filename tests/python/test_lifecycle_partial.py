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

from orchestration.pipeline import build_models, load_exports

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "partial"


def test_partial_exports_give_only_the_evidenced_stages(make_settings, tmp_path):
    landing = tmp_path / "landing" / "partial"
    shutil.copytree(FIXTURE, landing)
    settings = make_settings("partial")
    report = load_exports(settings, landing.parent, [])
    assert not report.failed, [r.message for r in report.failed]
    build_models(settings, select="+intermediate")

    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        persons = con.execute("select person_key, stage, entered_at, evidence from intermediate.int_person_stage_entries "
                              "order by 1, 3").fetchall()
        deals = con.execute("select deal_key, stage, entered_at, evidence from intermediate.int_deal_stage_entries "
                            "order by 1, 3").fetchall()
        channels = con.execute("select person_key, channel from intermediate.int_persons order by 1").fetchall()
        won = con.execute("select deal_key, person_key, current_stage, is_won from intermediate.int_deals "
                          "order by 1").fetchall()

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
    assert channels == [("partial_crm:L-1", "paid_search"), ("partial_crm:L-2", "events"),
                        ("partial_crm:L-3", "email")]
    assert won == [("partial_crm:W-1", "partial_crm:L-1", "closed_won", True),
                   ("partial_crm:W-2", "partial_crm:L-3", "closed_won", True)]
