"""Incremental refresh equals a full rebuild, late-arriving history included.

The exports of the reliability tests (800 leads, every format) are landed in two loads:
- first: every file, except a third of the lead history, of the opportunity history and of the
  email events (held back), and the Salesforce opportunities of the next day;
- second, a day later (a one-day export): the held-back rows (late history, in months long since
  built, some more than 200 days old), the next day's opportunities (deals moved on, one deal
  deleted in the CRM, one moved to another owner), a lead export dated before the first load (a
  late snapshot: every lead's versions are renumbered), a corrected touches export in which some
  touches moved 40 days back (into another month) and changed channel, and the generic CRM's
  mapping file re-labelling a stage (its deals' "Meeting" now means `consideration`).
The warehouse is built after each load, so the second build is an incremental refresh. Then a
copy of it is rebuilt with --full-refresh: every table of staging, intermediate and marts must
be identical (same checksums). A touch row in a month the second load does not touch is marked
before the refresh and must still be marked after it: the refresh rewrote only what it had to.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from reliability_support import DAY_ONE, DAY_TWO, exports, reliability_settings
from table_compare import differing_tables

from orchestration.pipeline import build_models, load_exports
from orchestration.warehouse.checksum import warehouse_checksums

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

SCHEMAS = ("staging", "intermediate", "marts")
# file -> the column naming the record a row belongs to: a record's newest history row is never
# held back, so the first load's history still ends in each record's current stage
HELD_BACK = {
    "salesforce/LeadHistory.csv": "LeadId",
    "salesforce/OpportunityHistory.csv": "OpportunityId",
    "marketing/email_events.csv": None,
}
MOVED_TOUCHES = 60
LATE_HISTORY_DAYS = 200
RELABELLED = ("Meeting", "consideration")
LATE_EXPORT_DAY = "2025-06-28"
SENTINEL = "sentinel-run"


def _copy_csv(
    con: duckdb.DuckDBPyConnection,
    source: Path,
    target: Path,
    where: str,
    select: str = "*",
    parent: str | None = None,
) -> int:
    """Copy the rows of `source` matching `where` (over _line, the row's ordinal, and _newest,
    its rank among its parent's rows, newest first) to `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    quoting = "force_quote *, " if "salesforce" in source.parts else ""
    # rows without a parent record (events) are never anyone's newest history row
    newest = f"row_number() over (partition by {parent} order by CreatedDate desc)" if parent else "2"
    con.execute(
        f"copy (select {select} from (select *, {newest} as _newest from (select *, row_number() over () as _line "
        f"from read_csv('{source}', header = true, all_varchar = true))) where {where} order by _line) "
        f"to '{target}' (header, {quoting}delimiter ',')"
    )
    return con.execute(
        f"select count(*) from read_csv('{target}', header = true, all_varchar = true)"
    ).fetchone()[0]


def _land(exports_dir: Path, first: Path, second: Path) -> date:
    """Split the reliability exports into the two loads described above; the day of the oldest
    late history row."""
    shutil.copytree(exports_dir, first, ignore=shutil.ignore_patterns(".complete", "truth.json"))
    shutil.rmtree(first / "salesforce" / DAY_TWO)
    shutil.copytree(exports_dir / "salesforce" / DAY_TWO, second / "salesforce" / DAY_TWO)
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = true")
    try:
        for relative, parent in HELD_BACK.items():
            system, name = relative.split("/")
            source = exports_dir / system / DAY_ONE / name
            late_rows, columns = "_line % 3 = 0 and _newest > 1", "* exclude (_line, _newest)"
            kept = _copy_csv(
                con, source, first / system / DAY_ONE / name, f"not ({late_rows})", columns, parent
            )
            late = _copy_csv(con, source, second / system / DAY_TWO / name, late_rows, columns, parent)
            assert kept > 0 and late > 0, relative
        oldest_late = con.execute(
            f"select min(cast(left(CreatedDate, 10) as date)) from read_csv('{second / 'salesforce' / DAY_TWO}/*History.csv', "
            "header = true, all_varchar = true, union_by_name = true)"
        ).fetchone()[0]
        # a late export from the day before the first load (part of the leads, so its content
        # differs from the first load's file): it becomes version 1 of those leads
        late_leads = second / "salesforce" / LATE_EXPORT_DAY / "Lead.csv"
        assert (
            _copy_csv(
                con,
                exports_dir / "salesforce" / DAY_ONE / "Lead.csv",
                late_leads,
                "_line <= 300",
                "* exclude (_line, _newest)",
            )
            == 300
        )
        touches = exports_dir / "marketing" / DAY_ONE / "touches.csv"
        columns = [
            row[0]
            for row in con.execute(
                f"describe select * from read_csv('{touches}', header = true, all_varchar = true)"
            ).fetchall()
        ]
        moved = {
            "occurred_at": "strftime(cast(occurred_at as timestamp) - interval 40 day, '%Y-%m-%dT%H:%M:%S.000Z')",
            "channel": "'events'",
        }
        select = ", ".join(f"{moved.get(c, c)} as {c}" for c in columns)
        # the corrected touches: from the last three months, so several months lose and gain rows
        # while the older ones stay untouched
        written = _copy_csv(
            con,
            touches,
            second / "marketing" / DAY_TWO / "touches.csv",
            "occurred_at >= '2025-04-01' and _line % 7 = 1",
            select,
        )
        assert written >= MOVED_TOUCHES
    finally:
        con.close()
    _relabel_stage(first / "generic" / DAY_ONE / "mapping.yml", second / "generic" / DAY_TWO / "mapping.yml")
    return oldest_late


def _delete_and_reassign(opportunities: Path) -> tuple[str, str, str]:
    """In the next day's Opportunity export, one won deal is deleted (IsDeleted, as Salesforce's
    queryAll exports it) and another moves to the owner of a third; both modified that morning.
    Returns (deleted deal, reassigned deal, the deal whose owner it now shares)."""
    with opportunities.open(newline="") as handle:
        rows = list(csv.reader(handle))
    header, records = rows[0], rows[1:]
    column = {name: index for index, name in enumerate(header)}
    won = sorted((r for r in records if r[column["IsWon"]] == "1"), key=lambda r: r[column["Id"]])
    deleted, moved = won[0], won[1]
    donor = next(r for r in won[2:] if r[column["OwnerId"]] != moved[column["OwnerId"]])
    deleted[column["IsDeleted"]] = "1"
    moved[column["OwnerId"]] = donor[column["OwnerId"]]
    for record in (deleted, moved):
        for name in ("LastModifiedDate", "SystemModstamp"):
            record[column[name]] = f"{DAY_TWO}T10:00:00.000+0000"
    with opportunities.open("w", newline="") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    return deleted[column["Id"]], moved[column["Id"]], donor[column["Id"]]


def _relabel_stage(mapping: Path, relabelled: Path) -> None:
    """The generic CRM's mapping file as the user edits it: one stage label means another stage."""
    text = mapping.read_text()
    assert text.rstrip().endswith("stage_labels: []"), "the generator's mapping changed shape"
    label, stage = RELABELLED
    relabelled.parent.mkdir(parents=True, exist_ok=True)
    relabelled.write_text(text.rstrip()[: -len("[]")] + f'\n  - {{label: "{label}", stage: {stage}}}\n')


def _untouched_touch(warehouse: Path, second: Path) -> str:
    """A staged touch in a month no row of the second load falls in (before or after the move)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        touches = second / "marketing" / DAY_TWO / "touches.csv"
        return con.execute(
            f"""
            with corrected as (
                select trim(event_id) as touch_id, cast(occurred_at as timestamp) as occurred_at
                from read_csv('{touches}', header = true, all_varchar = true)
            ),
            busy_months as (
                select date_trunc('month', occurred_at) as month from corrected
                union
                select staged.event_month from staging.stg_marketing__touches as staged
                inner join corrected using (touch_id)
            )
            select min(touch_id) from staging.stg_marketing__touches
            where event_month not in (select month from busy_months)
            """
        ).fetchone()[0]


def _mark(warehouse: Path, touch_id: str, run_id: str | None) -> str:
    """Set (or read, run_id None) the lineage run id of one staged touch: nothing downstream reads it."""
    with duckdb.connect(str(warehouse)) as con:
        if run_id is not None:
            con.execute(
                "update staging.stg_marketing__touches set load_run_id = ? where touch_id = ?",
                [run_id, touch_id],
            )
        return con.execute(
            "select load_run_id from staging.stg_marketing__touches where touch_id = ?", [touch_id]
        ).fetchone()[0]


def test_an_incremental_refresh_with_late_history_equals_a_full_rebuild(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    exports_dir = exports(tmp_path_factory)
    first, second = tmp_path / "first", tmp_path / "second"
    oldest_late = _land(exports_dir, first, second)
    assert oldest_late <= date.fromisoformat(DAY_TWO) - timedelta(days=LATE_HISTORY_DAYS)
    deleted, reassigned, donor = _delete_and_reassign(second / "salesforce" / DAY_TWO / "Opportunity.csv")

    settings = reliability_settings(tmp_path / "incremental")
    assert not load_exports(settings, first, []).failed
    build_models(settings, data_tests=False)  # the full rebuild below runs them on the same data

    untouched = _untouched_touch(settings.warehouse, second)
    assert untouched is not None
    original_run_id = _mark(settings.warehouse, untouched, None)
    assert _mark(settings.warehouse, untouched, SENTINEL) == SENTINEL
    before = _scenario_facts(settings.warehouse, deleted, reassigned, donor)

    report = load_exports(settings, second, [])
    assert not report.failed, [r.message for r in report.failed]
    assert report.rows_loaded > MOVED_TOUCHES
    build_models(settings, data_tests=False)  # equal to the full rebuild below, which runs them

    assert _late_lead_versions(settings.warehouse) == 300
    after = _scenario_facts(settings.warehouse, deleted, reassigned, donor)
    # each change reached the marts: the deal is gone, the owner moved, the label means a new stage
    assert before["deleted_deals"] == 1 and after["deleted_deals"] == 0
    assert before["reassigned_owner"] != before["donor_owner"]
    assert after["reassigned_owner"] == after["donor_owner"] == before["donor_owner"]
    assert after["relabelled_entries"] > before["relabelled_entries"]
    # the refresh did not rewrite a month it had no reason to touch
    assert _mark(settings.warehouse, untouched, None) == SENTINEL
    _mark(settings.warehouse, untouched, original_run_id)
    refreshed = warehouse_checksums(settings.warehouse, SCHEMAS)

    rebuilt_settings = reliability_settings(tmp_path / "rebuilt")
    rebuilt_settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(settings.warehouse, rebuilt_settings.warehouse)
    build_models(rebuilt_settings, full_refresh=True)
    rebuilt = warehouse_checksums(rebuilt_settings.warehouse, SCHEMAS)

    assert len(rebuilt) > 80 and all(rows > 0 for rows, _ in (rebuilt[t] for t in _incremental_tables()))
    assert refreshed.keys() == rebuilt.keys()
    assert differing_tables(rebuilt_settings.warehouse, settings.warehouse, SCHEMAS) == []


def _incremental_tables() -> list[str]:
    return [
        "staging.stg_marketing__touches",
        "staging.stg_marketing__email_events",
        "staging.stg_salesforce__lead_history",
        "staging.stg_salesforce__opportunity_history",
        "intermediate.int_person_state_versions",
        "intermediate.int_deal_state_versions",
        "marts.fct_pipeline_daily",
    ]


def _late_lead_versions(warehouse: Path) -> int:
    """Lead versions from the late export: they must have been loaded and numbered first."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select count(*) from intermediate.int_person_state_versions "
            "where source_system = 'salesforce' and cast(exported_at as date) = ? and version_number = 1",
            [LATE_EXPORT_DAY],
        ).fetchone()[0]


def _scenario_facts(warehouse: Path, deleted: str, reassigned: str, donor: str) -> dict[str, object]:
    """What the second load's deletion, reassignment and re-labelling change in the marts."""
    label, stage = RELABELLED
    with duckdb.connect(str(warehouse), read_only=True) as con:
        owners = dict(
            con.execute(
                "select deal_id, owner_key from marts.dim_deals "
                "where source_system = 'salesforce' and deal_id in (?, ?)",
                [reassigned, donor],
            ).fetchall()
        )
        return {
            "deleted_deals": con.execute(
                "select count(*) from marts.dim_deals where source_system = 'salesforce' and deal_id = ?",
                [deleted],
            ).fetchone()[0],
            "reassigned_owner": owners[reassigned],
            "donor_owner": owners[donor],
            "relabelled_entries": con.execute(
                "select count(*) from intermediate.int_deal_stage_entries as entries "
                "inner join intermediate.int_deals as deals using (deal_key) "
                "where deals.source_system = 'generic' and entries.stage = ? and entries.stage_label = ?",
                [stage, label],
            ).fetchone()[0],
        }
