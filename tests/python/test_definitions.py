"""The Dagster code location loads, and its lineage runs from landed files to the report."""

from __future__ import annotations

from pathlib import Path

from dagster import AssetKey

from orchestration.definitions import build_definitions
from orchestration.settings import Settings

PROJECT_DIR = Path(__file__).resolve().parents[2]


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


def _code_location_env(tmp_path) -> dict[str, str]:  # noqa: ANN001
    import os

    return {
        **os.environ,
        "FUNNEL_PROJECT_DIR": str(PROJECT_DIR),
        "FUNNEL_WAREHOUSE": str(tmp_path / "funnel.duckdb"),
        "FUNNEL_DBT_TARGET_DIR": str(tmp_path / "target"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "FUNNEL_PII_SALT": "test-salt-0123456789",
    }


def test_importing_the_code_location_changes_nothing(tmp_path) -> None:  # noqa: ANN001
    """No environment change, no dagster.yaml, no dbt parse: definitions are built when loaded."""
    import subprocess
    import sys

    code = (
        "import os; before = dict(os.environ); import orchestration.definitions as d; "
        "print(dict(os.environ) == before, type(d.defs).__name__)"
    )
    env = _code_location_env(tmp_path)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "LazyDefinitions"]
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_dagster_loads_the_code_location_from_a_prepared_manifest_only(tmp_path) -> None:  # noqa: ANN001
    import subprocess
    import sys
    from pathlib import Path

    from orchestration.settings import Settings
    from orchestration.warehouse.manifest import ensure_manifest

    env = _code_location_env(tmp_path)
    (tmp_path / "dagster_home").mkdir()
    dagster = Path(sys.executable).with_name("dagster")
    validate = [str(dagster), "definitions", "validate", "-m", "orchestration.definitions"]
    missing = subprocess.run(validate, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert missing.returncode != 0
    assert "no dbt manifest at" in missing.stdout + missing.stderr
    assert not (tmp_path / "target").exists()  # a production load never parses

    ensure_manifest(Settings.from_env(env))  # the preparing step (`funnel build` / `funnel ui`)
    loaded = subprocess.run(validate, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stdout[-2000:] + loaded.stderr[-2000:]
