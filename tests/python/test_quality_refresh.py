"""The GE checks inside the refresh job: they run after dbt build, report per expectation with the
failing values in metadata and the Data Docs path, and an error failure stops the publish. Second
run: the warehouse rebuilt from a much smaller export, which every dbt test accepts, but the
row-count band does not, so the previous published copy stays byte for byte."""

from __future__ import annotations

import hashlib
from math import ceil
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey

from orchestration.pipeline import failed_steps, run_refresh
from orchestration.quality.spec import ROW_COUNT_BELOW
from simulator import generate

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]
LEADS = "staging.stg_salesforce__leads"


def _leads(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"select count(*) from {LEADS}").fetchone()[0]


def test_a_refresh_whose_error_expectation_fails_keeps_the_published_copy(
    make_settings, tmp_path: Path
) -> None:  # noqa: ANN001
    big, small = tmp_path / "big", tmp_path / "small"
    generate(out_dir=big, leads=400, seed=3, formats=("salesforce", "marketing"))
    generate(out_dir=small, leads=100, seed=3, formats=("salesforce", "marketing"))
    settings = make_settings("refresh", FUNNEL_DATA_DOCS=str(tmp_path / "docs"))

    first = run_refresh(settings, big)
    assert first.success, failed_steps(first)
    ge = [e for e in first.get_asset_check_evaluations() if e.check_name.startswith("ge_")]
    assert ge and all(e.passed for e in ge)
    docs = Path(ge[0].metadata["data_docs"].value)
    assert docs.exists() and "staged.stg_salesforce__leads" in docs.read_text()
    before_rows = _leads(settings.warehouse)
    published = settings.published.read_bytes()

    settings.warehouse.unlink()  # rebuilt from a partial landing folder
    second = run_refresh(settings, small)

    assert not second.success
    after_rows = _leads(settings.warehouse)
    assert after_rows < before_rows / 2
    (shrink,) = [
        e
        for e in second.get_asset_check_evaluations()
        if e.check_name == ROW_COUNT_BELOW and e.asset_key == AssetKey(["staging", "stg_salesforce__leads"])
    ]
    assert not shrink.passed
    assert shrink.metadata["observed_value"].value == after_rows
    assert shrink.metadata["kwargs"].value == {"min_value": ceil(before_rows * 0.5)}
    summary = "\n".join(failed_steps(second))
    assert ROW_COUNT_BELOW in summary and LEADS in summary
    assert not second.get_asset_materialization_events() or all(
        e.asset_key != AssetKey("published_warehouse") for e in second.get_asset_materialization_events()
    )
    assert hashlib.sha256(settings.published.read_bytes()).digest() == hashlib.sha256(published).digest()
