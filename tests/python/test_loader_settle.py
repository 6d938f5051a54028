"""Settled files only: a file written to while it is read, or modified within FUNNEL_SETTLE_SECONDS,
is deferred (not_settled, nothing loaded, exit 0) and loads once on the next run."""

from __future__ import annotations

import os
import shutil
import time
import zipfile
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from orchestration.loader import load, load_folder
from orchestration.settings import Settings

FIXTURE = Path(__file__).parents[1] / "fixtures" / "loader" / "salesforce_export"
HEADER = "Id,Name,CreatedDate,NumberOfEmployees\n"
FIRST = "0015g00000XyZ01AAA,Acme Corp,2018-10-13 17:16:45,1200\n"
HALF = "0015g00000XyZ03AAA,Initech,2020-01-01 00:00:00,21"  # the writer has not finished "2123\n"


def _append_after_staging(monkeypatch: pytest.MonkeyPatch, path: Path, tail: bytes) -> None:
    """The writer appends between the loader's first look and its commit: deterministic, no timing."""
    original = load.stage_csv
    done = []

    def stage_then_append(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - passes through
        staged = original(*args, **kwargs)
        if not done:
            with path.open("ab") as out:
                out.write(tail)
            done.append(True)
        return staged

    monkeypatch.setattr(load, "stage_csv", stage_then_append)


def _employees(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("select id, numberofemployees from raw.salesforce__account order by id").fetchall()


def test_a_file_appended_to_while_it_is_read_is_not_loaded_until_it_settles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    account = landing / "Account.csv"
    account.write_text(HEADER + FIRST + HALF)
    _append_after_staging(monkeypatch, account, b"23\n")
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))

    first = load_folder(con, landing, run_id="first")
    result = first.by_file()["Account.csv"]
    assert result.status == "not_settled", result
    assert "changed size from" in result.message and "the next load retries it" in result.message
    assert first.ok  # deferred, not failed
    assert _employees(con) == []
    assert con.execute("select count(*) from loader.files").fetchone() == (0,)
    ledger = con.execute("select status, rows_read, file_hash from loader.ledger where run_id = 'first'")
    assert ledger.fetchall() == [("not_settled", 0, None)]

    monkeypatch.undo()
    second = load_folder(con, landing, run_id="second")
    assert second.by_file()["Account.csv"].status == "loaded"
    assert _employees(con) == [("0015g00000XyZ01AAA", 1200), ("0015g00000XyZ03AAA", 2123)]

    third = load_folder(con, landing, run_id="third")
    assert third.by_file()["Account.csv"].status == "skipped_duplicate"
    assert len(_employees(con)) == 2  # one raw version per row, not one per load


def test_a_file_that_fails_because_it_is_half_written_is_deferred_not_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    account = landing / "Account.csv"
    account.write_text(HEADER + FIRST + HALF)

    def stage_while_written(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - the writer appends, DuckDB fails
        with account.open("ab") as out:
            out.write(b"23\n")
        raise duckdb.InvalidInputException(
            "CSV Error on Line: 3\nThe CSV Parser state machine reached an invalid state"
        )

    monkeypatch.setattr(load, "stage_csv", stage_while_written)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, landing, run_id="first")
    result = report.by_file()["Account.csv"]
    assert result.status == "not_settled" and report.ok
    assert "changed size" in result.message and "CSV Error on Line: 3" in result.message
    ledger = con.execute("select status, file_hash from loader.ledger where run_id = 'first'").fetchall()
    assert ledger == [("not_settled", None)]
    monkeypatch.undo()
    assert load_folder(con, landing, run_id="second").by_file()["Account.csv"].status == "loaded"
    assert _employees(con)[-1] == ("0015g00000XyZ03AAA", 2123)


def test_an_archive_appended_to_while_a_member_is_read_defers_that_member(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    archive = landing / "WE_00D5g000004XXXXEAA_1.ZIP"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(FIXTURE / "Account.csv", "Account.csv")
    _append_after_staging(monkeypatch, archive, b"more bytes of a download in progress")
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, landing)
    member = "WE_00D5g000004XXXXEAA_1.ZIP!/Account.csv"
    assert report.by_file()[member].status == "not_settled"
    assert con.execute("select count(*) from raw.salesforce__account").fetchone() == (0,)


def test_a_file_modified_within_the_settle_window_waits_for_the_next_load(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(FIXTURE, landing / "salesforce")
    with zipfile.ZipFile(landing / "WE_00D5g000004XXXXEAA_1.ZIP", "w") as zf:
        zf.write(FIXTURE / "Account.csv", "Account.csv")
    old = time.time() - 600
    for path in (landing / "salesforce").iterdir():
        if path.name != "Opportunity.csv":
            os.utime(path, (old, old))
    os.utime(landing / "salesforce" / "Opportunity.csv")  # just written (copytree kept the fixture's mtime)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))

    first = load_folder(con, landing, run_id="first", settle_seconds=60)
    statuses = {f.source_file: f.status for f in first.files}
    assert statuses == {
        "WE_00D5g000004XXXXEAA_1.ZIP": "not_settled",  # the archive as a whole: no member is read
        "salesforce/Account.csv": "loaded",
        "salesforce/Opportunity.csv": "not_settled",
        "salesforce/OpportunityHistory.csv": "loaded",
        "salesforce/User.csv": "loaded",
    }
    assert first.ok and len(first.not_settled) == 2
    assert "FUNNEL_SETTLE_SECONDS=60" in first.by_file()["salesforce/Opportunity.csv"].message
    assert con.execute("select count(*) from raw.salesforce__opportunity").fetchone() == (0,)

    for path in (landing / "salesforce" / "Opportunity.csv", landing / "WE_00D5g000004XXXXEAA_1.ZIP"):
        os.utime(path, (old, old))
    second = load_folder(con, landing, run_id="second", settle_seconds=60)
    assert second.by_file()["salesforce/Opportunity.csv"].status == "loaded"
    assert second.by_file()["WE_00D5g000004XXXXEAA_1.ZIP!/Account.csv"].status == "skipped_duplicate"
    assert con.execute("select count(*) from raw.salesforce__opportunity").fetchone() == (
        5,
    )  # the fixture's 5 rows


def test_settle_seconds_and_archive_limits_are_settings_passed_to_the_loader() -> None:
    assert Settings.from_env({}).loader_options()["settle_seconds"] == 0
    options = Settings.from_env(
        {"FUNNEL_SETTLE_SECONDS": "60", "FUNNEL_ARCHIVE_MAX_GB": "0.5", "FUNNEL_ARCHIVE_MAX_RATIO": "50"}
    ).loader_options()
    assert options["settle_seconds"] == 60
    assert (options["archive_limits"].max_total_bytes, options["archive_limits"].max_ratio) == (2**29, 50)


def test_funnel_load_exits_0_when_files_are_only_deferred_and_says_so(make_settings, tmp_path: Path) -> None:  # noqa: ANN001
    from orchestration.cli import app

    landing = tmp_path / "landing"
    shutil.copytree(FIXTURE, landing)
    for path in landing.rglob("*"):
        os.utime(path)  # just written: copytree kept the fixture's mtime, old in a checkout over an hour old
    settings = make_settings(FUNNEL_SETTLE_SECONDS="3600")
    env = {k: v for k, v in settings.dbt_env().items() if k.startswith("FUNNEL_")}
    env["FUNNEL_SETTLE_SECONDS"] = "3600"
    result = CliRunner().invoke(app, ["load", str(landing)], env=env)
    assert result.exit_code == 0, result.output
    assert "not_settled" in result.output and "FUNNEL_SETTLE_SECONDS" in result.output


def test_the_sensor_notices_compressed_exports_once_settled(tmp_path: Path) -> None:
    from orchestration.sensors import landed_files, sensor_settle_seconds, settled

    (tmp_path / "salesforce").mkdir()
    for name in (
        "salesforce/WE_00D5g000004XXXXEAA_1.ZIP",
        "Lead.csv.gz",
        "Lead.csv",
        "notes.pdf",
        ".Lead.csv.part",
    ):
        (tmp_path / name).write_bytes(b"x")
    now = time.time()
    assert sorted(settled(landed_files(tmp_path), settle_seconds=0, now=now + 1)) == [
        "Lead.csv",
        "Lead.csv.gz",
        "salesforce/WE_00D5g000004XXXXEAA_1.ZIP",
    ]
    assert settled(landed_files(tmp_path), settle_seconds=30, now=now) == {}  # just written: not yet
    # The sensor waits FUNNEL_SETTLE_SECONDS, and at least 30 s: it always watches a folder being written.
    assert sensor_settle_seconds(Settings.from_env({})) == 30
    assert sensor_settle_seconds(Settings.from_env({"FUNNEL_SETTLE_SECONDS": "120"})) == 120
