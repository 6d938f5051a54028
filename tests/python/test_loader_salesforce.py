"""A realistic Salesforce Data Export folder loads completely, with hand-checked values."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from orchestration.loader import load_folder

FIXTURE = Path(__file__).parents[1] / "fixtures" / "loader" / "salesforce_export"


def _load(tmp_path: Path) -> tuple[duckdb.DuckDBPyConnection, object]:
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    return con, load_folder(con, FIXTURE, run_id="run-1")


def test_salesforce_export_loads_every_row_with_no_quarantine(tmp_path: Path) -> None:
    con, report = _load(tmp_path)
    assert report.ok
    counts = {f.source_file: (f.status, f.rows_read, f.rows_loaded, f.rows_quarantined) for f in report.files}
    assert counts == {
        "Account.csv": ("loaded", 2, 2, 0),
        "Opportunity.csv": ("loaded", 5, 5, 0),
        "OpportunityHistory.csv": ("loaded", 3, 3, 0),
        "User.csv": ("loaded", 2, 2, 0),
    }
    assert con.execute("select count(*) from loader.quarantine").fetchone()[0] == 0


def test_salesforce_timestamp_forms_all_parse_to_utc(tmp_path: Path) -> None:
    con, _ = _load(tmp_path)
    rows = con.execute(
        "select id, cast(createddate as varchar), cast(lastmodifieddate as varchar), "
        "cast(systemmodstamp as varchar), cast(closedate as varchar) "
        "from raw.salesforce__opportunity order by id"
    ).fetchall()
    # Written as "2024-01-15 09:30:00", "...Z" and ".000+0000" in the file.
    assert rows == [
        (
            "0065g00000AbCdEAAV",
            "2024-01-15 09:30:00",
            "2024-01-20 10:00:00",
            "2024-01-20 10:00:00",
            "2024-03-31",
        ),
        (
            "0065g00000AbCdFAAV",
            "2023-11-02 08:15:00",
            "2024-02-29 16:45:10",
            "2024-02-29 16:45:10",
            "2024-02-29",
        ),
        (
            "0065g00000AbCdGAAV",
            "2024-02-01 12:00:00",
            "2024-04-15 18:00:00",
            "2024-04-15 18:00:00",
            "2024-04-15",
        ),
        # CloseDate before CreatedDate: an imported 2021 deal and an open deal entered after its
        # expected close had passed. Real CRM data: they load (staging flags them).
        (
            "0065g00000AbCdHAAV",
            "2024-01-05 10:00:00",
            "2024-01-05 10:00:00",
            "2024-01-05 10:00:00",
            "2021-06-30",
        ),
        (
            "0065g00000AbCdIAAV",
            "2024-01-08 09:00:00",
            "2024-01-08 09:00:00",
            "2024-01-08 09:00:00",
            "2023-12-31",
        ),
    ]


def test_salesforce_values_stay_as_staging_expects(tmp_path: Path) -> None:
    con, _ = _load(tmp_path)
    first = con.execute(
        "select amount, probability, isclosed, iswon, campaignid, accountid "
        "from raw.salesforce__opportunity where id = '0065g00000AbCdEAAV'"
    ).fetchone()
    # Booleans and all-zero ids stay text: their meaning is staging's job.
    assert first == (12500.5, 10.0, "0", "0", "000000000000000AAA", "0015g00000XyZ01AAA")
    lost = con.execute(
        "select amount, campaignid from raw.salesforce__opportunity where id = '0065g00000AbCdGAAV'"
    ).fetchone()
    assert lost == (None, "000000000000000AAA")
    employees = con.execute("select numberofemployees from raw.salesforce__account order by id").fetchall()
    assert employees == [(1200,), (None,)]


def test_custom_fields_land_in_extra_as_json(tmp_path: Path) -> None:
    con, _ = _load(tmp_path)
    extras = con.execute("select _extra from raw.salesforce__opportunity order by id").fetchall()
    assert [json.loads(e[0]) for e in extras] == [
        {"Custom_Score__c": "87", "Region__c": "EMEA"},
        {"Custom_Score__c": None, "Region__c": "APAC"},
        {"Custom_Score__c": "12", "Region__c": None},
        {"Custom_Score__c": None, "Region__c": None},
        {"Custom_Score__c": None, "Region__c": None},
    ]
    # A file with no unknown column has a null _extra.
    no_extra = con.execute("select count(*) from raw.salesforce__user where _extra is not null").fetchone()
    assert no_extra == (0,)


def test_lineage_columns_are_filled(tmp_path: Path) -> None:
    con, report = _load(tmp_path)
    file_hash = report.by_file()["Opportunity.csv"].file_hash
    rows = con.execute(
        "select _source_system, _source_file, _file_hash, _row_number, _run_id, _exported_at is not null, "
        "_loaded_at is not null from raw.salesforce__opportunity order by _row_number"
    ).fetchall()
    assert rows == [
        ("salesforce", "Opportunity.csv", file_hash, n, "run-1", True, True) for n in (1, 2, 3, 4, 5)
    ]


def test_missing_objects_still_have_empty_raw_tables(tmp_path: Path) -> None:
    con, _ = _load(tmp_path)
    for table in ("raw.salesforce__lead", "raw.salesforce__contact", "raw.salesforce__campaign"):
        assert con.execute(f"select count(*) from {table}").fetchone()[0] == 0
