"""The report renders from a real warehouse, offline, and escapes what exports put in cells."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from orchestration.report import build_report
from orchestration.settings import Settings


def test_report_is_self_contained_and_shows_the_reconciliation(built_demo: Settings, tmp_path: Path) -> None:
    page = build_report(built_demo.warehouse, tmp_path / "report.html").read_text()
    assert "<script src=" not in page  # Plotly is inlined: the file opens with no network
    assert "Rows read per file = loaded + quarantined" in page
    assert "Persons reaching each stage" in page and "Deals reaching each stage" in page
    assert "salesforce/Opportunity.csv" in page


def test_report_escapes_markup_from_export_files(built_demo: Settings, tmp_path: Path) -> None:
    warehouse = tmp_path / "copy.duckdb"
    shutil.copy(built_demo.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update loader.ledger set message = '<script>alert(1)</script>' where source_file like '%Lead.csv'"
        )
    page = build_report(warehouse, tmp_path / "report.html").read_text()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
