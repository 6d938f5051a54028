"""The dbt unit tests (fixed input rows, expected output rows, declared in the models' YAML) run
here, once, against a built warehouse: production builds leave them out
(PRODUCTION_BUILD_FLAGS), as dbt recommends, because they check SQL logic, not the data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import settings_in

from orchestration.warehouse import PRODUCTION_BUILD_FLAGS, run_dbt

pytestmark = pytest.mark.timeout(900)


def test_every_dbt_unit_test_passes(built_demo, tmp_path) -> None:  # noqa: ANN001 - Settings from conftest
    settings = settings_in(tmp_path)
    shutil.copyfile(built_demo.warehouse, settings.warehouse)  # unit tests read the parents' columns
    run_dbt(settings, ["test", "--select", "test_type:unit"], target="duckdb")

    target = Path(settings.dbt_env("duckdb")["DBT_TARGET_PATH"])
    manifest = json.loads((target / "manifest.json").read_text())
    declared = {key for key in manifest.get("unit_tests", {})}
    results = json.loads((target / "run_results.json").read_text())["results"]
    ran = {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
    assert len(declared) >= 30, "the project's unit tests were not found"
    assert set(ran) == declared
    assert set(ran.values()) == {"pass"}


def test_production_builds_leave_unit_tests_out() -> None:
    assert PRODUCTION_BUILD_FLAGS == ("--exclude-resource-type", "unit_test")
