"""A file's writes happen in one transaction: a crash half-way leaves nothing of it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.loader import load_folder, write

FIXTURE = Path(__file__).parents[1] / "fixtures" / "loader" / "quarantine"


def test_failure_after_the_raw_insert_rolls_the_whole_file_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: object) -> None:
        raise duckdb.IOException("disk full (simulated)")

    monkeypatch.setattr(write, "insert_quarantine", crash)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    seen: list[str] = []
    report = load_folder(con, FIXTURE, on_file=lambda result: seen.append(result.status))
    assert seen == ["failed"]
    assert report.failed[0].message == "Opportunity.csv: disk full (simulated)"
    for table in ("raw.salesforce__opportunity", "loader.quarantine", "loader.files"):
        assert con.execute(f"select count(*) from {table}").fetchone()[0] == 0, table
    assert con.execute("select status, rows_read from loader.ledger").fetchall() == [("failed", 0)]

    # Once the cause is gone, the same file loads: a failed file is not remembered as loaded.
    monkeypatch.undo()
    again = load_folder(con, FIXTURE)
    assert [f.status for f in again.files] == ["loaded_with_quarantine"]
    assert con.execute("select count(*) from raw.salesforce__opportunity").fetchone()[0] == 2
