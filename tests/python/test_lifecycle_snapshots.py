"""Snapshot evidence: successive landed exports of a current-state file give transitions.

tests/fixtures/snapshots: two weekly exports (folders 2024-03-01 and 2024-03-08) of the same
two deals. D-1 moves from Qualification to Proposal between them; D-2 does not move. Expected by
hand: D-1 enters qualification at creation (created/closed evidence) and proposal at the second
export (snapshot evidence, 2024-03-08 00:00, the export date) - forward, since this pipeline uses
no stage between them; D-2 has one entry, no transition.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import duckdb

from orchestration.pipeline import build_models, load_exports

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "snapshots"


def test_a_stage_change_between_two_exports_is_a_snapshot_transition(make_settings, tmp_path: Path) -> None:  # noqa: ANN001
    landing = tmp_path / "landing" / "weekly"
    shutil.copytree(FIXTURE, landing)
    settings = make_settings("snapshots")
    assert not load_exports(settings, landing.parent, []).failed
    build_models(settings, select="+intermediate")

    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        entries = con.execute(
            "select deal_key, stage, entered_at, evidence from intermediate.int_deal_stage_entries order by 1, 3"
        ).fetchall()
        transitions = con.execute(
            "select deal_key, from_stage, to_stage, direction, evidence from intermediate.int_deal_transitions"
        ).fetchall()

    assert entries == [
        ("weekly_crm:D-1", "qualification", datetime(2024, 2, 20, 9, 0), "created_closed"),
        ("weekly_crm:D-1", "proposal", datetime(2024, 3, 8, 0, 0), "snapshot"),
        ("weekly_crm:D-2", "proposal", datetime(2024, 2, 25, 9, 0), "created_closed"),
    ]
    assert transitions == [("weekly_crm:D-1", "qualification", "proposal", "forward", "snapshot")]
