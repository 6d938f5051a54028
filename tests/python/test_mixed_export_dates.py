"""A dated day-2 Opportunity export on top of an undated first export (finding B of issue #15).

The first export sits in a folder with no date in its path, so its export date is the file's mtime
(orchestration/loader/source.exported_at): here 2025-08-01, a month after the data, as when a file
is downloaded or copied later. The day-2 export is dated by its folder, 2025-07-01, so it sorted
BEFORE the first one: the snapshot versions ran backwards (the new state first, the stale state
as the "latest" version), the spells kept the moved and closed deals in their old stages while
int_deals_enriched (staging's current record, chosen by the record's own modified time) had them
moved or closed, and assert_pipeline_daily_matches_open_deals failed, also after --full-refresh.

Day 2, by hand (open deals of the generated Opportunity.csv, in file order):
  open deal 1, 2 -> Negotiation/Review (negotiation)
  open deal 3, 4 -> Closed Won on 2025-07-01
  open deal 5    -> Closed Lost on 2025-07-01
"""

from __future__ import annotations

import csv
import os
import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import pytest

from orchestration.pipeline import build_models, load_exports

pytestmark = pytest.mark.slow

DAY_2_STAMP = "2025-07-01T10:00:00.000+0000"
UNDATED_MTIME = datetime(2025, 8, 1, 12, 0, tzinfo=timezone.utc).timestamp()


def _day_2_opportunities(first: Path, day_2: Path) -> list[str]:
    """Write the day-2 Opportunity.csv; the ids of the five changed open deals, in order."""
    with first.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    open_rows = [row for row in rows if row["IsClosed"] == "0"][:5]
    assert len(open_rows) == 5
    stamps = {"LastModifiedDate": DAY_2_STAMP, "SystemModstamp": DAY_2_STAMP}
    for row in open_rows[:2]:
        row.update(StageName="Negotiation/Review", Probability="80", **stamps)
    for row in open_rows[2:4]:
        row.update(
            StageName="Closed Won",
            Probability="100",
            IsClosed="1",
            IsWon="1",
            CloseDate="2025-07-01",
            **stamps,
        )
    open_rows[4].update(
        StageName="Closed Lost", Probability="0", IsClosed="1", IsWon="0", CloseDate="2025-07-01", **stamps
    )
    day_2.parent.mkdir(parents=True)
    with day_2.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    return [row["Id"] for row in open_rows]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    from conftest import settings_in

    from simulator import generate

    root = tmp_path_factory.mktemp("mixed_export_dates")
    generated = root / "generated"
    generate(out_dir=generated, leads=250, seed=11, formats=("salesforce",), as_of=date(2025, 6, 30))
    landing = root / "landing"
    shutil.copytree(generated / "salesforce", landing / "salesforce")
    for path in (landing / "salesforce").glob("*.csv"):
        os.utime(path, (UNDATED_MTIME, UNDATED_MTIME))
    changed = _day_2_opportunities(
        landing / "salesforce" / "Opportunity.csv", landing / "salesforce" / "2025-07-01" / "Opportunity.csv"
    )
    settings = settings_in(root / "warehouse")
    report = load_exports(settings, landing, [])
    assert not report.failed, [r.message for r in report.failed]
    build_models(settings)  # runs assert_pipeline_daily_matches_open_deals: raises DbtError if it fails
    return settings, changed


def _rows(settings, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_day_2_export_is_the_newest_version(built):
    settings, changed = built
    versions = _rows(
        settings,
        "select deal_id, version_number, stage_label from intermediate.int_deal_state_versions "
        "where deal_id in (?, ?, ?, ?, ?) order by deal_id, version_number",
        changed,
    )
    latest = {deal_id: label for deal_id, _, label in versions}
    assert [latest[deal_id] for deal_id in changed] == [
        "Negotiation/Review",
        "Negotiation/Review",
        "Closed Won",
        "Closed Won",
        "Closed Lost",
    ]


def test_spells_and_current_state_agree_on_day_2(built):
    settings, changed = built
    assert _rows(settings, "select cast(as_of_date as varchar) from intermediate.int_as_of") == [
        ("2025-07-01",)
    ]
    keys = [f"salesforce:{deal_id}" for deal_id in changed]
    current = _rows(
        settings,
        "select deal_key, stage, entered_at from intermediate.int_deal_spells "
        "where is_current and deal_key in (?, ?, ?, ?, ?) order by deal_key",
        keys,
    )
    # the day-2 changes entered when the day-2 export saw them (closes at their close date)
    assert {key: (stage, str(entered_at)) for key, stage, entered_at in current} == {
        keys[0]: ("negotiation", "2025-07-01 00:00:00"),
        keys[1]: ("negotiation", "2025-07-01 00:00:00"),
        keys[2]: ("closed_won", "2025-07-01 00:00:00"),
        keys[3]: ("closed_won", "2025-07-01 00:00:00"),
        keys[4]: ("closed_lost", "2025-07-01 00:00:00"),
    }
    open_now = _rows(
        settings,
        "select deal_key, current_stage, is_open from intermediate.int_deals_enriched where deal_key in (?, ?, ?, ?, ?) "
        "order by deal_key",
        keys,
    )
    assert {key: (stage, is_open) for key, stage, is_open in open_now} == {
        keys[0]: ("negotiation", True),
        keys[1]: ("negotiation", True),
        keys[2]: ("closed_won", False),
        keys[3]: ("closed_won", False),
        keys[4]: ("closed_lost", False),
    }
