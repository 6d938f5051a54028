"""The report renders from a real warehouse, offline, shows the generator's truth, says "no data"
rather than crashing, and escapes what exports put in cells (markup and spreadsheet formulas)."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import fields
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.report import build_report
from orchestration.report.build import CHART_IDS, _cell, render
from orchestration.report.data import ReportData, empty_report_data, read_report_data
from orchestration.settings import Settings

SOURCE_SYSTEMS = ["salesforce", "hubspot", "generic"]


def test_report_is_self_contained_and_shows_the_reconciliation(built_demo: Settings, tmp_path: Path) -> None:
    page = build_report(built_demo.warehouse, tmp_path / "report.html").read_text()
    assert "<script src=" not in page  # Plotly is inlined: the file opens with no network
    assert "Rows read per file = loaded + quarantined" in page
    assert "Persons reaching each stage" in page and "Deals reaching each stage" in page
    assert "salesforce/Opportunity.csv" in page
    assert f'data-chart-count="{len(CHART_IDS)}"' in page
    for chart_id in CHART_IDS:
        assert f"data-chart-id='{chart_id}'" in page
    # Every chart has a caption saying what its number means.
    assert page.count("<figcaption>") == len(CHART_IDS)


def test_report_figures_equal_the_generator_truth(built_demo: Settings, demo_exports: Path) -> None:
    """The report's aggregates, checked against truth.json (the simulation's own counts)."""
    truth = json.loads((demo_exports / "truth.json").read_text(encoding="utf-8"))
    data = read_report_data(str(built_demo.warehouse))
    channel = data.segment_conversion[
        (data.segment_conversion["segment_type"] == "channel")
        & (data.segment_conversion["entity_type"] == "person")
    ]
    deal_channel = data.segment_conversion[
        (data.segment_conversion["segment_type"] == "channel")
        & (data.segment_conversion["entity_type"] == "deal")
    ]
    stale_truth = truth["deals"]["pipeline"]["stale"]
    assert int(data.touch_phases["touches"].sum()) == truth["counts"]["touches"]
    for source_system in SOURCE_SYSTEMS:
        funnel = data.person_funnel[data.person_funnel["source_system"] == source_system]
        assert (
            dict(zip(funnel["stage"], funnel["reached"].astype(int), strict=True))
            == truth["persons"]["overall"]["reached"]
        )

        rows = channel[channel["source_system"] == source_system]
        got = {
            v: (int(e), int(w))
            for v, e, w in zip(rows["segment_value"], rows["entered"], rows["reached_won"], strict=True)
        }
        assert got == {
            name: (figures["persons"], figures["reached"]["customer"])
            for name, figures in truth["persons"]["by_channel"].items()
        }
        rows = deal_channel[deal_channel["source_system"] == source_system]
        got = {
            v: (int(e), int(w))
            for v, e, w in zip(rows["segment_value"], rows["entered"], rows["reached_won"], strict=True)
        }
        assert got == {
            name: (figures["deals"], figures["reached"]["closed_won"])
            for name, figures in truth["deals"]["by_channel"].items()
        }

        stale = data.stale_reasons.set_index("source_system").loc[source_system]
        expected = stale_truth["single_pipeline" if source_system == "salesforce" else "by_pipeline"]
        assert {k: int(stale[k]) for k in expected} == expected

        never_mql = data.high_score_never_mql.set_index("source_system").loc[source_system]
        assert int(never_mql["high_score_never_mql"]) == truth["persons"]["score_ge_75_never_mql"]


def test_report_escapes_markup_from_export_files(built_demo: Settings, tmp_path: Path) -> None:
    warehouse = tmp_path / "copy.duckdb"
    shutil.copy(built_demo.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            """
            update loader.ledger
            set message = '<script>alert(1)</script>', source_file = '<b>bold</b>.csv'
            where source_file like '%Lead.csv'
            """
        )
    page = build_report(warehouse, tmp_path / "report.html").read_text()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # In a chart label too: Plotly would render <b> as bold, so it gets the escaped text.
    assert "<b>bold</b>" not in page and "\\u003cb\\u003ebold" not in page
    assert "&amp;lt;b&amp;gt;bold" not in page and "&lt;b&gt;bold&lt;/b&gt;.csv" in page


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ('=HYPERLINK("http://x")', "&#x27;=HYPERLINK(&quot;http://x&quot;)"),
        ("+1+2", "&#x27;+1+2"),
        ("-2+3", "&#x27;-2+3"),
        ("@SUM(A1)", "&#x27;@SUM(A1)"),
        ("\tcmd", "&#x27;\tcmd"),
        ("plain text", "plain text"),
        (-5, "-5"),  # a number stays a number
        (-1234.5, "-1,234.50"),
        (0.25, "0.250"),
        (3000.0, "3,000"),
        (None, ""),
        (float("nan"), ""),
        (True, "true"),
        (pd.Timestamp("2025-06-01"), "2025-06-01"),
    ],
)
def test_table_cells_neutralise_spreadsheet_formulas_and_keep_numbers(value: object, shown: str) -> None:
    assert _cell(value) == shown


def test_a_formula_in_an_export_is_shown_neutralised(built_demo: Settings, tmp_path: Path) -> None:
    warehouse = tmp_path / "copy.duckdb"
    shutil.copy(built_demo.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update loader.ledger set message = '=cmd|'' /C calc''!A0' where source_file like '%Lead.csv'"
        )
    page = build_report(warehouse, tmp_path / "report.html").read_text()
    assert "<td>&#x27;=cmd|&#x27; /C calc&#x27;!A0</td>" in page
    assert "<td>=cmd" not in page


def _no_data_notes(page: str) -> int:
    return len(re.findall(r"<p class='empty'>No data: ", page))


def test_a_warehouse_without_marts_renders_no_data_notes(tmp_path: Path) -> None:
    empty_warehouse = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty_warehouse)).close()
    page = build_report(empty_warehouse, tmp_path / "report.html").read_text()
    assert 'data-chart-count="0"' in page and "plotly-graph-div" not in page
    assert _no_data_notes(page) >= len(CHART_IDS)
    assert _no_data_notes(render(empty_report_data())) >= len(CHART_IDS)


def test_marts_with_no_rows_render_no_data_notes() -> None:
    """Tables that exist but hold nothing yet (a first run on an empty export) must not crash a chart."""
    data = ReportData(**{field.name: pd.DataFrame() for field in fields(ReportData)})
    page = render(data)
    assert 'data-chart-count="0"' in page
    assert page.count("has no rows yet") == len(CHART_IDS)
