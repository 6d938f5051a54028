"""The Great Expectations suites on the clean demo warehouse: every expectation passes, each is one
Dagster asset check on the asset of its table, and the Data Docs name every suite."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from dagster import AssetCheckKey, AssetKey

from orchestration.quality import load_suites, run_quality
from orchestration.quality.results import merge_chunks
from orchestration.settings import Settings


def test_every_expectation_passes_on_the_demo_warehouse_and_data_docs_name_the_suites(
    built_demo: Settings, tmp_path: Path
) -> None:
    settings = replace(built_demo, data_docs=tmp_path / "docs", dagster_home=tmp_path / "home")
    tables = load_suites()

    report = run_quality(settings)

    assert len(report.outcomes) == sum(len(t.expectations) for t in tables)
    assert report.blocking == [], report.summary()
    assert report.warnings == [], report.summary()  # exports generated this session: fresh
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        for table, rows in report.row_counts.items():
            assert rows == con.execute(f"select count(*) from {table}").fetchone()[0], table
    index = report.data_docs_index
    assert index == settings.data_docs / "index.html" and index.exists()
    html = index.read_text()
    for table in tables:
        assert table.suite_name in html, table.suite_name


def test_suites_cover_keys_conversions_funnels_amounts_row_counts_and_freshness() -> None:
    by_table = {t.table: t for t in load_suites()}
    names = {(t.table, e.name) for t in by_table.values() for e in t.expectations}
    for table, key in [
        ("staging.stg_salesforce__leads", "lead_id"),
        ("staging.stg_salesforce__contacts", "contact_id"),
        ("staging.stg_hubspot__contacts", "contact_id"),
        ("staging.stg_salesforce__opportunities", "deal_id"),
        ("staging.stg_hubspot__deals", "deal_id"),
        ("marts.dim_persons", "person_key"),
        ("marts.dim_deals", "deal_key"),
    ]:
        assert (table, f"ge_column_values_to_be_unique_{key}") in names
        assert (table, f"ge_column_values_to_not_be_null_{key}") in names
        assert (table, "ge_row_count_not_below_previous_band") in names
    assert (
        "staging.stg_generic__persons",
        "ge_compound_columns_to_be_unique_source_system_person_id",
    ) in names
    for funnel in ("fct_funnel_cohort", "fct_aida_funnel", "fct_marketing_funnel", "fct_expansion_funnels"):
        assert (f"marts.{funnel}", "ge_column_values_to_be_between_reached_increase") in names
        assert (f"marts.{funnel}", "ge_column_values_to_be_between_conversion_from_top") in names
    assert ("marts.dim_deals", "ge_column_values_to_be_between_amount_reporting") in names
    freshness = by_table["newest_export"]
    assert freshness.asset == ("landed_exports",) and freshness.expectations[0].severity == "warn"
    assert all(re.fullmatch(r"ge_[a-z0-9_]+", name) for _, name in names)


def _suite(tmp_path: Path, table: str) -> Path:
    (tmp_path / "t.yml").write_text(f"layer: marts\ntables:\n{table}")
    return tmp_path


def test_chunks_keep_compared_rows_together_and_a_suite_that_cannot_is_refused(tmp_path: Path) -> None:
    unique = "- {expectation: expect_compound_columns_to_be_unique, kwargs: {column_list: [a, b]}}"
    between = "- {expectation: expect_column_values_to_be_between, kwargs: {column: x, min_value: 0}}"
    (keyed,) = load_suites(
        _suite(tmp_path, f"  - table: t\n    expectations:\n      {unique}\n      {between}\n")
    )
    assert keyed.chunk_by == ("a", "b")  # rows equal on the key share a chunk
    (plain,) = load_suites(
        _suite(tmp_path, f"  - table: t\n    id_columns: [k]\n    expectations:\n      {between}\n")
    )
    assert plain.chunk_by == ("k", "x")
    (coarser,) = load_suites(
        _suite(tmp_path, f"  - table: t\n    chunk_by: [a]\n    expectations:\n      {unique}\n")
    )
    assert coarser.chunk_by == ("a",)
    with pytest.raises(ValueError, match="chunk_by .* must lie within each unique key"):
        load_suites(_suite(tmp_path, f"  - table: t\n    chunk_by: [c]\n    expectations:\n      {unique}\n"))
    derived = "    derived: {d: x - lag(x) over (partition by a order by b)}\n"
    with pytest.raises(ValueError, match="declare chunk_by"):
        load_suites(_suite(tmp_path, f"  - table: t\n{derived}    expectations:\n      {between}\n"))
    other_key = "- {expectation: expect_column_values_to_be_unique, kwargs: {column: c}}"
    with pytest.raises(ValueError, match="unique keys share no column"):
        load_suites(_suite(tmp_path, f"  - table: t\n    expectations:\n      {unique}\n      {other_key}\n"))
    by_table = {t.table: t for t in load_suites()}
    assert by_table["marts.fct_funnel_cohort"].chunk_by == (
        "source_system",
        "entity_type",
        "pipeline",
        "period_grain",
        "period_start",
        "segment_type",
        "segment_value",
    )
    assert by_table["staging.stg_generic__deals"].chunk_by == ("source_system", "deal_id")


def test_each_expectation_is_a_check_of_the_refresh_job_and_error_checks_block(make_settings) -> None:  # noqa: ANN001
    from orchestration.definitions import build_definitions

    defs = build_definitions(make_settings())
    job = defs.resolve_job_def("refresh")
    checks = job.asset_layer.asset_graph.asset_check_keys
    expected = {AssetCheckKey(AssetKey(list(t.asset)), e.name) for t in load_suites() for e in t.expectations}
    assert expected <= checks  # the freshness check on landed_exports too
    graph = defs.resolve_asset_graph()
    unique_leads = graph.get_check_spec(
        AssetCheckKey(AssetKey(["staging", "stg_salesforce__leads"]), "ge_column_values_to_be_unique_lead_id")
    )
    freshness = graph.get_check_spec(
        AssetCheckKey(AssetKey("landed_exports"), "ge_column_max_to_be_between_newest_export_age_hours")
    )
    assert unique_leads.blocking and not freshness.blocking


def test_funnel_check_prints_the_results_and_exits_zero_on_the_demo(
    built_demo: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from orchestration.cli import app

    monkeypatch.setenv("FUNNEL_WAREHOUSE", str(built_demo.warehouse))
    monkeypatch.setenv("FUNNEL_DATA_DOCS", str(tmp_path / "docs"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    total = sum(len(t.expectations) for t in load_suites())

    result = CliRunner().invoke(app, ["check"])

    assert result.exit_code == 0, result.output
    assert f"{total} of {total} expectations passed" in result.output
    assert (tmp_path / "docs" / "index.html").exists()


def test_chunk_results_add_up_to_one_result() -> None:
    first = {
        "element_count": 4,
        "missing_count": 1,
        "unexpected_count": 1,
        "unexpected_percent": 100 / 3,
        "partial_unexpected_list": [-5],
        "partial_unexpected_counts": [{"value": -5, "count": 1}],
    }
    second = {
        "element_count": 6,
        "missing_count": 0,
        "unexpected_count": 3,
        "unexpected_percent": 50.0,
        "partial_unexpected_list": [-1, -5, -1],
        "partial_unexpected_counts": [{"value": -1, "count": 2}, {"value": -5, "count": 1}],
    }
    merged = merge_chunks([first, second])
    # 4 of the 9 non-missing values fail; -1 and -5 each fail twice.
    assert merged == {
        "element_count": 10,
        "missing_count": 1,
        "unexpected_count": 4,
        "unexpected_percent": 4 / 9 * 100,
        "partial_unexpected_list": [-5, -1, -5, -1],
        "partial_unexpected_counts": [{"value": -5, "count": 2}, {"value": -1, "count": 2}],
    }
    assert merge_chunks([second]) is second
    empty = {"element_count": 0, "missing_count": 0, "unexpected_count": 0, "unexpected_percent": None}
    assert merge_chunks([empty, empty])["unexpected_percent"] is None
