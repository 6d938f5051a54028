"""The refresh job end to end through Dagster, and the gate before BI: a refresh whose checks
fail leaves the previously published copy byte for byte as it was, and readable."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from orchestration.pipeline import failed_steps, run_refresh
from simulator import generate

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

# A deal whose stage label no mapping knows: the build's unmapped-label test must stop it.
UNKNOWN_STAGE_EXPORT = (
    '"Id","Name","StageName","Amount","CloseDate","CreatedDate","IsClosed","IsWon"\n'
    '"006000000000999AAA","Strange deal","Legal Review","1000","2025-07-15","2025-06-01T10:00:00.000+0000","0","0"\n'
)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_failing_check_keeps_the_previous_published_copy(make_settings, tmp_path: Path) -> None:  # noqa: ANN001
    landing = tmp_path / "landing"
    generate(out_dir=landing, leads=400, seed=3, formats=("salesforce", "marketing"))
    settings = make_settings("gate")

    first = run_refresh(settings, landing)
    assert first.success, failed_steps(first)
    assert settings.published.exists() and settings.report_file.exists()
    before = _digest(settings.published)
    with duckdb.connect(str(settings.published), read_only=True) as con:
        cohort_rows = con.execute("select count(*) from marts.fct_funnel_cohort").fetchone()[0]
        schemas = {s for (s,) in con.execute("select distinct schema_name from duckdb_tables()").fetchall()}
    assert cohort_rows > 0
    assert schemas == {"marts", "audit"}  # no raw or staging data reaches BI

    later = landing / "salesforce" / "2025-07-01"
    later.mkdir(parents=True)
    (later / "Opportunity.csv").write_text(UNKNOWN_STAGE_EXPORT)
    second = run_refresh(settings, landing)

    assert not second.success
    summary = "\n".join(failed_steps(second))
    assert "assert_no_unmapped_stage_labels" in summary
    assert _digest(settings.published) == before
    with duckdb.connect(str(settings.published), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_funnel_cohort").fetchone()[0] == cohort_rows
