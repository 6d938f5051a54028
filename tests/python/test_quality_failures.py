"""Each expectation catches the fault it is for: on a copy of the demo warehouse with one corrupted
row, that expectation fails, names the bad value and its row, and the rest of its table passes.
The row-count band fails when a table shrinks past it against the last passing run's counts."""

from __future__ import annotations

import shutil
from dataclasses import replace
from math import ceil
from pathlib import Path

import duckdb
import pytest

from orchestration.quality import QualityReport, load_suites, run_quality, runner
from orchestration.quality.baseline import read_baseline, record_baseline
from orchestration.quality.read import read_chunk
from orchestration.quality.spec import ROW_COUNT_ABOVE, ROW_COUNT_BELOW
from orchestration.settings import Settings


@pytest.fixture
def warehouse_copy(built_demo: Settings, tmp_path: Path) -> Settings:
    copy = tmp_path / "funnel.duckdb"
    shutil.copyfile(built_demo.warehouse, copy)
    return replace(built_demo, warehouse=copy, data_docs=tmp_path / "docs", dagster_home=tmp_path / "home")


def _run(settings: Settings, *tables: str) -> QualityReport:
    return run_quality(settings, [t for t in load_suites() if t.table in tables])


def _outcome(report: QualityReport, table: str, name: str):  # noqa: ANN202 - an Outcome
    (found,) = [o for o in report.outcomes if o.spec.table == table and o.spec.name == name]
    return found


CORRUPTED = ("staging.stg_salesforce__leads", "marts.fct_funnel_cohort", "marts.dim_deals")


def _corrupt(settings: Settings) -> tuple[str, list[tuple], str]:
    """A duplicated lead, a conversion of 1.5, a stage reaching 7 more than the one before it, and a
    negative deal amount: (the lead id, the two cohort rows changed, the deal key). The cohort funnel
    and the deal dimension are views of intermediate tables, so those are what is changed."""
    with duckdb.connect(str(settings.warehouse)) as con:
        lead_id = con.execute("select min(lead_id) from staging.stg_salesforce__leads").fetchone()[0]
        con.execute(
            "insert into staging.stg_salesforce__leads select * from staging.stg_salesforce__leads "
            "where lead_id = ?",
            [lead_id],
        )
        # Two rows of the cohort funnel, each at a stage with a previous stage: one gets a conversion
        # of 1.5, the other reaches 7 more entities than its previous stage did.
        rows = con.execute(
            "select source_system, entity_type, pipeline, period_grain, period_start, segment_type, "
            "segment_value, stage, entities_reached_previous_stage from marts.fct_funnel_cohort "
            "where previous_stage is not null and entities_reached_previous_stage > 0 "
            "order by all limit 2"
        ).fetchall()
        where = (
            "source_system = ? and entity_type = ? and pipeline = ? and period_grain = ? and "
            "period_start = ? and segment_type = ? and segment_value = ? and stage = ?"
        )
        con.execute(
            f"update intermediate.int_funnel_cohort set conversion_from_top = 1.5 where {where}", rows[0][:8]
        )
        con.execute(
            f"update intermediate.int_funnel_cohort set entities_reached = ? where {where}",
            [rows[1][8] + 7, *rows[1][:8]],
        )
        deal_key = con.execute("select min(deal_key) from marts.dim_deals").fetchone()[0]
        con.execute(
            "update intermediate.int_deals_enriched set amount_reporting = -100 where deal_key = ?",
            [deal_key],
        )

    return lead_id, rows, deal_key


def test_a_duplicated_key_an_impossible_conversion_a_rising_funnel_and_a_negative_amount_each_fail(
    warehouse_copy: Settings,
) -> None:
    lead_id, rows, deal_key = _corrupt(warehouse_copy)

    report = _run(warehouse_copy, *CORRUPTED)

    failed = {(o.spec.table, o.spec.name) for o in report.outcomes if not o.success}
    assert failed == {
        ("staging.stg_salesforce__leads", "ge_column_values_to_be_unique_lead_id"),
        ("marts.fct_funnel_cohort", "ge_column_values_to_be_between_conversion_from_top"),
        ("marts.fct_funnel_cohort", "ge_column_values_to_be_between_reached_increase"),
        ("marts.dim_deals", "ge_column_values_to_be_between_amount_reporting"),
    }
    duplicate = _outcome(report, "staging.stg_salesforce__leads", "ge_column_values_to_be_unique_lead_id")
    assert duplicate.details["unexpected_count"] == 2
    assert duplicate.details["partial_unexpected_list"] == [lead_id, lead_id]

    conversion = _outcome(
        report, "marts.fct_funnel_cohort", "ge_column_values_to_be_between_conversion_from_top"
    )
    assert conversion.details["partial_unexpected_list"] == [1.5]
    (bad_row,) = conversion.details["partial_unexpected_index_list"]
    assert (bad_row["segment_type"], bad_row["segment_value"], bad_row["stage"]) == rows[0][5:8]

    rising = _outcome(report, "marts.fct_funnel_cohort", "ge_column_values_to_be_between_reached_increase")
    assert rising.details["partial_unexpected_list"] == [7]
    assert rising.details["partial_unexpected_index_list"][0]["stage"] == rows[1][7]

    negative = _outcome(report, "marts.dim_deals", "ge_column_values_to_be_between_amount_reporting")
    assert negative.details["partial_unexpected_list"] == [-100.0]
    assert negative.details["partial_unexpected_index_list"] == [
        {"amount_reporting": -100.0, "deal_key": deal_key}
    ]

    assert {o.spec.severity for o in report.blocking} == {"error"} and len(report.blocking) == 4
    summary = report.summary()
    assert "ge_column_values_to_be_unique_lead_id" in summary and "1.5" in summary


def test_a_table_that_shrinks_past_the_band_fails_against_the_last_passing_run(
    warehouse_copy: Settings,
) -> None:
    leads = "staging.stg_salesforce__leads"
    first = _run(warehouse_copy, leads)
    assert first.passed
    assert _outcome(first, leads, ROW_COUNT_BELOW).kwargs == {"min_value": 0}  # no baseline: passes
    record_baseline(warehouse_copy.dagster_home, warehouse_copy.warehouse, first.row_counts, "run-1")
    before = read_baseline(warehouse_copy.dagster_home, warehouse_copy.warehouse)[leads]

    with duckdb.connect(str(warehouse_copy.warehouse)) as con:
        con.execute(f"delete from {leads} where hash(lead_id) % 3 <> 0")  # keep about a third
        after = con.execute(f"select count(*) from {leads}").fetchone()[0]
    assert after < before * 0.5

    second = _run(warehouse_copy, leads)

    below = _outcome(second, leads, ROW_COUNT_BELOW)
    assert not below.success and below.spec.severity == "error"
    assert below.details["observed_value"] == after
    assert below.kwargs == {"min_value": ceil(before * (1 - warehouse_copy.row_count_band))}
    assert _outcome(second, leads, ROW_COUNT_ABOVE).success
    assert [o.spec.name for o in second.blocking] == [ROW_COUNT_BELOW]


@pytest.mark.slow
def test_read_in_chunks_the_same_faults_are_found_with_the_same_counts(
    warehouse_copy: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks split on chunk_by keep a duplicated key's rows together and a funnel's stages together
    (the lag of reached_increase): every count equals the one-frame run's, and no frame read for
    row-wise checks holds more than a chunk's share of its table. The chunk size is a quarter of
    the smallest table read in that run: the cohort mart (500 times the deals) gets its own run,
    so it is read in 4 chunks, not 2,000."""
    _corrupt(warehouse_copy)
    whole = _run(warehouse_copy, *CORRUPTED)
    with duckdb.connect(str(warehouse_copy.warehouse), read_only=True) as con:
        rows = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in CORRUPTED}
    frames: dict[str, list[int]] = {}

    def recording(con, table, chunk):  # noqa: ANN001, ANN202 - runner.read_chunk's signature
        frame = read_chunk(con, table, chunk)
        frames.setdefault(table.table, []).append(len(frame))
        return frame

    monkeypatch.setattr(runner, "read_chunk", recording)
    groups = (("staging.stg_salesforce__leads", "marts.dim_deals"), ("marts.fct_funnel_cohort",))
    chunk_rows: dict[str, int] = {}
    reports = []
    for number, group in enumerate(groups):
        size = min(rows[t] for t in group) // 4
        chunk_rows |= dict.fromkeys(group, size)
        settings = replace(
            warehouse_copy, quality_chunk_rows=size, data_docs=warehouse_copy.data_docs / f"c{number}"
        )
        reports.append(_run(settings, *group))
    chunked = QualityReport(
        outcomes=[o for r in reports for o in r.outcomes],
        row_counts={t: n for r in reports for t, n in r.row_counts.items()},
    )

    assert frames.keys() == set(CORRUPTED)
    for table, lengths in frames.items():
        assert sum(lengths) == rows[table], table
        assert len(lengths) == ceil(rows[table] / chunk_rows[table]) >= 4, table
        assert max(lengths) < rows[table] / 2, (table, lengths)  # a hash split, not one lopsided chunk
    assert chunked.row_counts == whole.row_counts
    keys = ("element_count", "missing_count", "unexpected_count", "unexpected_percent")

    def counts(report: QualityReport) -> dict:
        return {
            (o.spec.table, o.spec.name): (o.success, *(o.details.get(k) for k in keys))
            for o in report.outcomes
        }

    assert counts(chunked) == counts(whole)
    assert len([o for o in chunked.outcomes if not o.success]) == 4
    duplicate = _outcome(chunked, "staging.stg_salesforce__leads", "ge_column_values_to_be_unique_lead_id")
    assert (
        duplicate.details["partial_unexpected_list"] == 2 * duplicate.details["partial_unexpected_list"][:1]
    )
    rising = _outcome(chunked, "marts.fct_funnel_cohort", "ge_column_values_to_be_between_reached_increase")
    assert rising.details["partial_unexpected_list"] == [7]
