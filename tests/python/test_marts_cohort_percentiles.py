"""Every cut of the cohort stage counts equals the same counts and percentiles computed another way.

int_funnel_cohort_stage_counts takes its medians and p90s from DuckDB's percentile aggregate for
most cuts and, for the cuts with a value per rep (owner, manager), from ranks in a window (the
aggregate's per-group state filled the disk at 10M leads). Here each (grain, cut) is recomputed
from fct_funnel_stage_reach with DuckDB's quantile_cont on the demo warehouse, so both ways are
checked against the built-in on real data. The demo's business time zone is UTC.
"""

from __future__ import annotations

import duckdb
import pytest

from orchestration.settings import Settings

GRAINS = ["day", "week", "month", "quarter"]
# segment_type -> column of fct_funnel_stage_reach, and whether it only applies to deals
SEGMENTS = {
    "all": ("'all'", False),
    "owner": ("owner_key", False),
    "manager": ("manager_key", False),
    "team": ("team", False),
    "product": ("product", True),
}


@pytest.fixture(scope="module")
def warehouse(built_demo: Settings):
    con = duckdb.connect(str(built_demo.warehouse), read_only=True)
    yield con
    con.close()


def _expected(con: duckdb.DuckDBPyConnection, grain: str, column: str, deals_only: bool) -> dict:
    rows = con.execute(
        f"""
        select source_system, entity_type, pipeline, cast(date_trunc('{grain}', entered_funnel_at) as date),
            coalesce(cast({column} as varchar), 'unknown'), stage,
            count(*), count(*) filter (where is_lost_at_stage), count(*) filter (where is_open_at_stage),
            quantile_cont(days_from_entry, 0.5), quantile_cont(days_from_entry, 0.9)
        from marts.fct_funnel_stage_reach
        where {"entity_type = 'deal'" if deals_only else "true"}
        group by 1, 2, 3, 4, 5, 6
        """
    ).fetchall()
    return {row[:6]: row[6:] for row in rows}


def _built(con: duckdb.DuckDBPyConnection, grain: str, segment_type: str) -> dict:
    rows = con.execute(
        """
        select source_system, entity_type, pipeline, period_start, segment_value, stage,
            entities_reached, entities_lost_at_stage, entities_open_at_stage,
            median_days_from_entry, p90_days_from_entry
        from intermediate.int_funnel_cohort_stage_counts
        where period_grain = ? and segment_type = ?
        """,
        [grain, segment_type],
    ).fetchall()
    return {row[:6]: row[6:] for row in rows}


@pytest.mark.parametrize("segment_type", sorted(SEGMENTS))
@pytest.mark.parametrize("grain", GRAINS)
def test_cohort_stage_counts_equal_quantile_cont_for_every_cut(
    warehouse, grain: str, segment_type: str
) -> None:
    column, deals_only = SEGMENTS[segment_type]
    expected = _expected(warehouse, grain, column, deals_only)
    built = _built(warehouse, grain, segment_type)
    assert expected, "the demo reaches stages"
    assert built.keys() == expected.keys()
    for key, (reached, lost, open_, median, p90) in expected.items():
        assert built[key][:3] == (reached, lost, open_), key
        assert built[key][3] == pytest.approx(median, rel=1e-12, abs=1e-12), key
        assert built[key][4] == pytest.approx(p90, rel=1e-12, abs=1e-12), key
    if segment_type in ("owner", "manager"):
        # the ranked way is exercised where groups hold several values, not just one
        assert any(values[0] > 2 for values in expected.values())
