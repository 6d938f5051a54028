"""`funnel check` prints each expectation's result, grouped by suite, and writes a results page that
opens offline (no stylesheet, script or font from the internet, unlike GE's Data Docs)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from orchestration.quality import load_suites
from orchestration.quality.account import account
from orchestration.quality.results import Outcome, QualityReport
from orchestration.quality.results_page import render
from orchestration.quality.spec import ExpectationSpec
from orchestration.settings import Settings


def _spec(
    table: str, expectation: str, kwargs: dict, severity: str = "error", layer: str = "marts"
) -> ExpectationSpec:
    name = f"ge_{expectation}_{kwargs.get('column', 'table')}"
    return ExpectationSpec(layer, table, ("x",), expectation, kwargs, severity, name)


def _report() -> QualityReport:
    """Two suites: one passes, the other has an error failure, a warning and a check that could not run."""
    unique = _spec("marts.dim_deals", "expect_column_values_to_be_unique", {"column": "deal_key"})
    between = _spec("marts.fct_x", "expect_column_values_to_be_between", {"column": "rate", "min_value": 0})
    rows = _spec("marts.fct_x", "expect_table_row_count_to_be_between", {"min_value": 10}, "warn")
    broken = _spec("marts.fct_x", "expect_column_values_to_not_be_null", {"column": "gone"})
    return QualityReport(
        outcomes=[
            Outcome(unique, True, {"column": "deal_key"}, {"element_count": 1200, "unexpected_count": 0}),
            Outcome(
                between,
                False,
                {"column": "rate", "min_value": 0},
                {
                    "element_count": 5,
                    "unexpected_count": 2,
                    "partial_unexpected_list": [-1.5, -2],
                    "partial_unexpected_index_list": [{"rate": -1.5, "id": "a<b"}, {"rate": -2, "id": "c"}],
                },
            ),
            Outcome(rows, False, {"min_value": 10}, {"observed_value": 7}),
            Outcome(broken, False, {"column": "gone"}, {"exception": 'column "gone" not found'}),
        ],
        data_docs_index=Path("/docs/index.html"),
        results_html=Path("/docs/results.html"),
    )


def test_check_prints_each_expectation_under_its_suite_with_failures_in_full() -> None:
    report = _report()
    between, rows, broken = report.outcomes[1:]
    assert account(report) == [
        "marts.dim_deals: 1 of 1 passed",
        "  pass  expect_column_values_to_be_unique  deal_key  0 of 1,200 rows fail",
        "marts.fct_x: 0 of 3 passed, 2 failed, 1 warning(s)",
        "  FAIL  expect_column_values_to_be_between  rate  2 of 5 rows fail, expected 0 or more",
        f"      {between.describe()}",
        "  warn  expect_table_row_count_to_be_between  (table)  observed 7, expected 10 or more",
        f"      {rows.describe()}",
        '  FAIL  expect_column_values_to_not_be_null  gone  could not run: column "gone" not found',
        f"      {broken.describe()}",
        "1 of 4 expectations passed, 2 error(s), 1 warning(s)",
        "Results (opens offline): /docs/results.html",
        "Great Expectations Data Docs (styles load from the internet): /docs/index.html",
    ]
    assert "[-1.5, -2]" in between.describe()  # the failing values themselves, not only a count


class _Page(HTMLParser):
    """The page's table rows (cell texts) and every address it would load (src, href, url(...))."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.addresses: list[str] = []
        self.styles = ""
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.addresses += [v or "" for k, v in attrs if k in ("src", "href", "srcset", "data")]
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th", "style"):
            self._in = tag
            if tag != "style":
                self.rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th", "style"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self.styles += data
        elif self._in:
            self.rows[-1][-1] += data


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.addresses += re.findall(r"url\(([^)]*)\)|@import\s+([^;]+)", page.styles)
    return page


def test_the_results_page_loads_nothing_from_the_internet_and_holds_each_result() -> None:
    report = _report()
    html = render(report)
    page = _parse(html)
    assert page.addresses == []  # no script, stylesheet, font or image from anywhere
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html
    results = [row[:5] for row in page.rows if row and row[0] != "result"]
    assert results == [
        [
            "pass",
            "expect_column_values_to_be_unique",
            "deal_key",
            "",
            "0 of 1,200 rows fail",
        ],
        [
            "FAIL",
            "expect_column_values_to_be_between",
            "rate",
            "expected 0 or more",
            "2 of 5 rows fail",
        ],
        ["warn", "expect_table_row_count_to_be_between", "(table)", "expected 10 or more", "observed 7"],
        [
            "FAIL",
            "expect_column_values_to_not_be_null",
            "gone",
            "",
            'could not run: column "gone" not found',
        ],
    ]
    failing = [row[5] for row in page.rows if row and row[0] == "FAIL"][0]
    assert "[-1.5, -2]" in failing and '"id": "a<b"' in failing  # escaped in HTML, read back as text


def test_funnel_check_on_the_demo_prints_every_expectation_and_writes_the_offline_page(
    built_demo: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    import orchestration.quality as quality
    from orchestration.cli import app

    monkeypatch.setenv("FUNNEL_WAREHOUSE", str(built_demo.warehouse))
    monkeypatch.setenv("FUNNEL_DATA_DOCS", str(tmp_path / "docs"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    reports: list[QualityReport] = []
    run_quality = quality.run_quality
    monkeypatch.setattr(quality, "run_quality", lambda s: reports.append(run_quality(s)) or reports[0])

    result = CliRunner().invoke(app, ["check"])

    assert result.exit_code == 0, result.output
    (report,) = reports
    printed = result.output.splitlines()
    assert printed == account(report)
    tables = load_suites()
    # One suite line per checked table, each with its expectation count from the suites' YAML.
    for table in tables:
        count = len(table.expectations)
        assert f"{table.suite_name}: {count} of {count} passed" in printed
    lines = [line for line in printed if line.startswith("  ")]
    assert len(lines) == sum(len(t.expectations) for t in tables)
    assert all(line.startswith("  pass  ") for line in lines)
    # A row-wise figure counts the table's rows, measured here without GE.
    with duckdb.connect(str(built_demo.warehouse), read_only=True) as con:
        deals = con.execute("select count(*) from marts.dim_deals").fetchone()[0]
    assert f"  pass  expect_column_values_to_be_unique  deal_key  0 of {deals:,} rows fail" in printed
    assert (
        f"  pass  expect_column_values_to_be_between  probability  0 of {deals:,} rows fail, expected 0 to 1"
        in printed
    )

    page_path = tmp_path / "docs" / "results.html"
    assert report.results_html == page_path and f"Results (opens offline): {page_path}" in printed
    page = _parse(page_path.read_text())
    assert page.addresses == [] and "https://" not in page_path.read_text()
    assert len([row for row in page.rows if row and row[0] == "pass"]) == len(lines)
