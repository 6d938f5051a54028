"""Bad rows go to quarantine with exact reason codes, and the ledger reconciles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from orchestration.loader import load_folder

FIXTURE = Path(__file__).parents[1] / "fixtures" / "loader" / "quarantine"


def test_each_broken_rule_has_its_exact_reason_code(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    load_folder(con, FIXTURE)
    rows = con.execute(
        "select row_number, line_number, reason, target_table from loader.quarantine order by row_number"
    ).fetchall()
    table = "raw.salesforce__opportunity"
    assert rows == [
        (2, 3, "unparseable_timestamp:createddate", table),
        (3, 4, "below_min:amount", table),
        (4, 5, "above_max:probability", table),
        (5, 6, "missing_required:id", table),
        (6, 7, "malformed_row: Expected Number of Columns: 7 Found: 3", table),
        (7, 8, "unparseable_number:amount; invalid_boolean:iswon", table),
    ]


def test_quarantine_keeps_the_row_as_read(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    load_folder(con, FIXTURE)
    record = "select record ->> ? from loader.quarantine where row_number = ?"
    assert con.execute(record, ["CreatedDate", 2]).fetchone() == ("yesterday",)
    raw_line = con.execute(record, ["_raw_line", 6]).fetchone()
    assert raw_line == ("006A06,Too few fields,Prospecting",)


def test_good_rows_load_with_their_file_row_numbers(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    load_folder(con, FIXTURE)
    rows = con.execute(
        "select _row_number, id, amount, cast(createddate as varchar) from raw.salesforce__opportunity "
        "order by _row_number"
    ).fetchall()
    # Row 8's "+03:00" offset is honoured: 09:00 in UTC+3 is 06:00 UTC.
    assert rows == [(1, "006A01", 100.0, "2024-01-01 10:00:00"), (8, "006A08", 1500.5, "2024-01-08 06:00:00")]


def test_ledger_reconciles_read_with_loaded_plus_quarantined(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, FIXTURE)
    result = report.by_file()["Opportunity.csv"]
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_quarantined) == (
        "loaded_with_quarantine",
        8,
        2,
        6,
    )
    ledger = con.execute(
        "select rows_read, rows_loaded, rows_quarantined from loader.ledger "
        "where source_file = 'Opportunity.csv'"
    ).fetchone()
    assert ledger == (8, 2, 6)
    raw = con.execute("select count(*) from raw.salesforce__opportunity").fetchone()[0]
    quarantined = con.execute("select count(*) from loader.quarantine").fetchone()[0]
    assert (raw, quarantined) == (2, 6)
    # Per run as well as per file.
    run = con.execute(
        "select sum(rows_read), sum(rows_loaded) + sum(rows_quarantined) from loader.ledger where run_id = ?",
        [report.run_id],
    ).fetchone()
    assert run[0] == run[1] == report.rows_read == 8


def test_implausible_but_real_dates_load_and_only_impossible_future_ones_are_quarantined(
    tmp_path: Path,
) -> None:
    """A close before the create (imported history) and a created time a few days ahead (clock skew)
    are real CRM data and load; a created time more than 7 days after the load is not (a typo like
    2099) and is quarantined. Dates are relative to now: the loader measures from the load time."""
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "Opportunity.csv").write_text(
        "Id,Name,StageName,CloseDate,CreatedDate\n"
        f"006F01,Skewed clock,Prospecting,{(now + timedelta(days=40)).date()},{now + timedelta(days=3)}\n"
        f"006F02,Typed ahead,Prospecting,{(now + timedelta(days=40)).date()},{now + timedelta(days=10)}\n"
        "006F03,Imported 2021 deal,Closed Won,2021-06-30,2024-01-10 08:00:00\n"
    )
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, landing)
    result = report.by_file()["Opportunity.csv"]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)
    loaded = con.execute("select id from raw.salesforce__opportunity order by id").fetchall()
    assert loaded == [("006F01",), ("006F03",)]
    assert con.execute("select row_number, reason from loader.quarantine").fetchall() == [
        (2, "future_timestamp:createddate")
    ]
