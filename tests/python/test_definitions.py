"""The Dagster code location loads, and its lineage runs from landed files to the report."""

from __future__ import annotations

from dagster import AssetKey

from orchestration.definitions import build_definitions
from orchestration.settings import Settings


def test_lineage_runs_from_landed_files_through_raw_and_dbt_to_publish_and_report(make_settings) -> None:  # noqa: ANN001
    settings: Settings = make_settings()
    defs = build_definitions(settings)
    graph = defs.resolve_asset_graph()
    parents = {key: graph.get(key).parent_keys for key in graph.get_all_asset_keys()}

    assert AssetKey("landed_exports") in parents[AssetKey(["raw", "salesforce__opportunity"])]
    assert (
        AssetKey(["raw", "salesforce__opportunity"])
        in parents[AssetKey(["staging", "stg_salesforce__opportunities"])]
    )
    published = parents[AssetKey("published_warehouse")]
    assert AssetKey(["staging", "stg_salesforce__opportunities"]) in published
    assert parents[AssetKey("funnel_report")] == {AssetKey("published_warehouse")}


def test_dbt_tests_are_asset_checks_and_writers_share_one_pool(make_settings) -> None:  # noqa: ANN001
    defs = build_definitions(make_settings())
    graph = defs.resolve_asset_graph()
    checks = graph.asset_check_keys
    assert any(check.asset_key == AssetKey(["staging", "stg_salesforce__opportunities"]) for check in checks)
    pools = {
        node.pool
        for assets_def in defs.assets  # type: ignore[union-attr]
        if hasattr(assets_def, "node_def")
        for node in [assets_def.node_def]
    }
    assert pools == {"duckdb_writer", None}


def test_schedule_and_sensor_run_the_refresh_job(make_settings) -> None:  # noqa: ANN001
    defs = build_definitions(make_settings())
    assert defs.get_schedule_def("daily_refresh").job_name == "refresh"
    assert defs.get_sensor_def("new_exports_sensor").job_name == "refresh"
