"""A symlink out of the landing folder is refused, never read; symlinks inside it keep working."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from orchestration.loader import load_folder

FIXTURE = Path(__file__).parents[1] / "fixtures" / "loader" / "salesforce_export"


def test_a_file_symlink_leaving_the_landing_folder_is_refused_and_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copy(FIXTURE / "Opportunity.csv", outside / "Opportunity.csv")
    landing = tmp_path / "landing" / "salesforce"
    landing.mkdir(parents=True)
    (landing / "Opportunity.csv").symlink_to(outside / "Opportunity.csv")
    shutil.copy(FIXTURE / "Account.csv", landing / "Account.csv")
    (landing / "User.csv").symlink_to(landing / "Account.csv")  # inside: still read (a duplicate here)
    (landing / "Attachment.pdf").symlink_to(outside / "Opportunity.csv")  # not a name the loader reads
    (landing / "Lead.csv").symlink_to(landing / "Lead.csv")  # a loop leads nowhere: nothing to read
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, landing.parent)
    statuses = {f.source_file: f.status for f in report.files}
    assert statuses == {
        "salesforce/Opportunity.csv": "refused",
        "salesforce/Account.csv": "loaded",
        "salesforce/User.csv": "skipped_duplicate",
    }
    message = report.by_file()["salesforce/Opportunity.csv"].message
    assert "symbolic link" in message and str((outside / "Opportunity.csv").resolve()) in message
    assert not report.ok and [f.source_file for f in report.failed] == ["salesforce/Opportunity.csv"]
    assert con.execute("select count(*) from raw.salesforce__opportunity").fetchone() == (0,)
    ledger = con.execute(
        "select status, message from loader.ledger where source_file = 'salesforce/Opportunity.csv'"
    )
    assert ledger.fetchone() == ("refused", message)


def test_a_folder_symlink_leaving_the_landing_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "someone_elses_exports"
    shutil.copytree(FIXTURE, outside)
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "salesforce").symlink_to(outside, target_is_directory=True)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = load_folder(con, landing)
    assert [(f.source_file, f.status) for f in report.files] == [("salesforce", "refused")]
    assert "folder" in report.files[0].message
    assert con.execute("select count(*) from raw.salesforce__account").fetchone() == (0,)


def test_a_landing_folder_given_as_a_symlink_is_read(tmp_path: Path) -> None:
    real = tmp_path / "real"
    shutil.copytree(FIXTURE, real / "salesforce")
    link = tmp_path / "landing"
    link.symlink_to(real, target_is_directory=True)
    report = load_folder(duckdb.connect(str(tmp_path / "wh.duckdb")), link)
    assert report.ok and {f.status for f in report.files} == {"loaded"} and len(report.files) == 4
