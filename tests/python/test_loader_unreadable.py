"""A file that cannot be read fails with one clear message; the other files still load."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.loader import load_folder

TOUCHES = "event_id,occurred_at,touch_type,channel\ne1,2024-01-01T10:00:00Z,page_view,organic\n"


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    (root / "salesforce").mkdir(parents=True)
    (root / "marketing").mkdir()
    (root / "salesforce" / "Account.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01\xff\xfe")
    (root / "salesforce" / "Lead.csv").write_bytes(b"")
    (root / "salesforce" / "User.csv").write_text("Id,Name,Email\n")
    no_stage = "Id,Name,Amount,CreatedDate\n006X,Deal,10,2024-01-01\n"
    (root / "salesforce" / "Opportunity.csv").write_text(no_stage)
    (root / "marketing" / "touches.csv").write_text(TOUCHES)
    (root / "notes.csv").write_text("whatever,this,is\n1,2,3\n")
    return root


def _results(tmp_path: Path, landing: Path) -> tuple[duckdb.DuckDBPyConnection, dict]:
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, landing)
    return con, report.by_file()


def test_missing_required_column_names_file_line_and_column(tmp_path: Path, landing: Path) -> None:
    _, results = _results(tmp_path, landing)
    result = results["salesforce/Opportunity.csv"]
    assert result.status == "failed"
    assert result.message.startswith(
        "salesforce/Opportunity.csv: line 1: missing required column(s) StageName; expected the salesforce "
        "opportunity header"
    )
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (0, 0, 0)


def test_binary_garbage_fails_with_one_message(tmp_path: Path, landing: Path) -> None:
    _, results = _results(tmp_path, landing)
    result = results["salesforce/Account.csv"]
    assert result.status == "failed"
    # The PNG signature's two newlines put the first NUL byte on line 3.
    assert result.message == (
        "salesforce/Account.csv: line 3: contains NUL bytes: this is a binary file, not a CSV"
    )


def test_empty_file_fails_and_header_only_file_loads_zero_rows(tmp_path: Path, landing: Path) -> None:
    con, results = _results(tmp_path, landing)
    empty = results["salesforce/Lead.csv"]
    assert empty.status == "failed"
    assert empty.message.startswith(
        "salesforce/Lead.csv: the file is empty; expected the salesforce lead header"
    )
    header_only = results["salesforce/User.csv"]
    assert (header_only.status, header_only.rows_read, header_only.rows_loaded) == ("loaded", 0, 0)
    assert con.execute("select count(*) from raw.salesforce__user").fetchone()[0] == 0


def test_other_files_in_the_folder_still_load(tmp_path: Path, landing: Path) -> None:
    con, results = _results(tmp_path, landing)
    assert results["marketing/touches.csv"].status == "loaded"
    row = con.execute(
        "select event_id, cast(occurred_at as varchar), touch_type from raw.marketing__touches"
    ).fetchall()
    assert row == [("e1", "2024-01-01 10:00:00", "page_view")]
    # Nothing of a failed file is loaded.
    assert con.execute("select count(*) from raw.salesforce__opportunity").fetchone()[0] == 0
    assert con.execute("select count(*) from raw.salesforce__account").fetchone()[0] == 0


def test_unrecognised_file_is_recorded_not_fatal(tmp_path: Path, landing: Path) -> None:
    con, results = _results(tmp_path, landing)
    result = results["notes.csv"]
    assert result.status == "unrecognised"
    assert result.message == (
        "notes.csv: no format recognises this file name; tried salesforce, hubspot, marketing"
    )
    ledger = con.execute(
        "select status, rows_read, file_hash is not null from loader.ledger where source_file = 'notes.csv'"
    ).fetchone()
    assert ledger == ("unrecognised", 0, True)


def test_undecodable_bytes_name_the_line(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "touches.csv").write_bytes(TOUCHES.encode() + b"e2,2024-01-02T10:00:00Z,page_view,caf\xe9\n")
    _, results = _results(tmp_path, landing)
    result = results["touches.csv"]
    assert result.status == "failed"
    assert result.message.startswith("touches.csv: line 3: bytes that are not valid utf-8-sig")
