"""The experiments behind the README's hand-measured figures (orchestration/bench/experiment.py and
its users) run on the demo and report every variant, and the variants of one experiment do the same
work: equal copies, equal percentiles, equal check outcomes, equal rows loaded.

No timing assertions: the figures are printed, not judged.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from orchestration.bench import (
    checks_chunking,
    experiment,
    loader_spill,
    models_alone,
    percentile_cuts,
    publish_variants,
)
from orchestration.settings import Settings

VARIANT_KEYS = {"stage", "seconds", "peak_rss_mb", "peak_tree_rss_mb", "peak_spill_mb", "details", "failed"}
DOCUMENT_KEYS = {"experiment", "measured_at", "machine", "duckdb", "variants"}


@pytest.fixture
def env() -> dict[str, str]:
    """Light DuckDB settings: the variants are many small processes."""
    return experiment.environment(memory_limit="1GB", threads=1)


def _finished(figures: dict, names: set[str]) -> None:
    """The document has its keys, every named variant ran to the end, and it round-trips as JSON."""
    assert set(figures) >= DOCUMENT_KEYS
    assert set(figures["variants"]) == names
    for name, variant in figures["variants"].items():
        assert set(variant) == VARIANT_KEYS, name
        assert variant["failed"] is None, (name, variant["failed"])
        assert variant["seconds"] > 0 and variant["peak_rss_mb"] > 0, name
    assert json.loads(json.dumps(figures, default=str))["experiment"] == figures["experiment"]


def test_publish_variants_copy_the_warehouse_alike_and_printf_only_changes_float_hashes(
    built_demo: Settings, tmp_path: Path, env: dict[str, str]
) -> None:
    figures = publish_variants.measure(
        built_demo.warehouse, tmp_path, env, copy_variants=("per_table", "one_transaction_unordered")
    )

    _finished(
        figures,
        {"checksum_round", "checksum_printf", "copy_per_table", "copy_one_transaction_unordered", "publish"},
    )
    assert figures["copies_equal_warehouse"] is True
    assert figures["printf_counts_equal"] is True
    # the printf variant measured the old expression, not the current one again: tables with float
    # columns hash differently, tables without hash the same
    round_sums = figures["variants"]["checksum_round"]["details"]["checksums"]
    printf_sums = figures["variants"]["checksum_printf"]["details"]["checksums"]
    with duckdb.connect(str(built_demo.warehouse), read_only=True) as con:
        with_floats = {
            f"{s}.{t}"
            for s, t in con.execute(
                "select distinct schema_name, table_name from duckdb_columns() "
                "where schema_name = 'marts' and data_type in ('DOUBLE', 'FLOAT', 'REAL')"
            ).fetchall()
        }
    assert with_floats & set(round_sums) and set(round_sums) - with_floats
    for table, (rows, content) in round_sums.items():
        if table in with_floats and rows:
            assert printf_sums[table][1] != content, table
        elif table not in with_floats:
            assert printf_sums[table][1] == content, table


# Two Great Expectations processes at about 7 s each (importing GE alone takes 3 s).
@pytest.mark.slow
def test_checks_judge_copies_alike_chunked_and_whole(
    built_demo: Settings, tmp_path: Path, env: dict[str, str]
) -> None:
    tables = ["marts.fct_funnel_cohort", "marts.dim_persons", "newest_export"]
    with duckdb.connect(str(built_demo.warehouse), read_only=True) as con:
        rows = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in tables[:2]}

    # a few chunks of the largest table: chunked differs from whole, and each chunk costs GE a run
    chunk_rows = rows["marts.fct_funnel_cohort"]
    figures = checks_chunking.measure(
        built_demo.warehouse, tmp_path, env, copies=3, chunk_rows=chunk_rows, tables=tables
    )

    _finished(figures, {"chunked", "whole"})
    assert figures["rows_checked"] == 3 * sum(rows.values())
    assert figures["largest_table"] == {
        "table": "marts.fct_funnel_cohort",
        "rows": 3 * rows["marts.fct_funnel_cohort"],
    }
    assert figures["same_outcomes"] is True
    chunked = figures["variants"]["chunked"]["details"]
    # the copies are distinct persons and funnels: uniqueness and the funnel-order checks still pass
    assert chunked["failing"] == []
    assert chunked["expectations"] == figures["variants"]["whole"]["details"]["expectations"] > 0
    assert not (tmp_path / "copies.duckdb").exists(), "the copies are deleted after the run"


def test_a_variant_past_the_memory_cap_is_killed_and_reported(tmp_path: Path, env: dict[str, str]) -> None:
    warehouse = tmp_path / "tiny.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.dim_persons as select 'p' || range as person_key from range(10)")

    # Python with Great Expectations imported is well past 40 MB before it reads a row.
    figures = checks_chunking.measure(
        warehouse, tmp_path / "work", env, tables=["marts.dim_persons"], variants=("whole",), memory_cap_mb=40
    )

    whole = figures["variants"]["whole"]
    assert whole["failed"] == "killed at the memory cap (40 MB)"
    assert whole["peak_tree_rss_mb"] > 40
    assert figures["same_outcomes"] is None


def test_percentile_methods_give_the_same_rows_in_many_groups_and_few(
    tmp_path: Path, env: dict[str, str]
) -> None:
    figures = percentile_cuts.measure(tmp_path, env, rows=6_000, shapes={"many": 2_500, "few": 12})

    _finished(
        figures,
        {f"{shape}_{method}" for shape in ("many", "few") for method in percentile_cuts.METHODS},
    )
    assert figures["methods_agree"] == {"many": True, "few": True}
    # the sorted list reads the ranked way's values with its arithmetic: the same doubles
    assert all(figures["methods_agree_exactly"][shape]["ranked=sorted_list"] for shape in ("many", "few"))
    assert figures["shapes"]["many"]["groups"] == 2_500 and figures["shapes"]["few"]["groups"] == 12
    assert figures["variants"]["many_ranked"]["details"]["result_rows"] == 2_500
    assert list(tmp_path.glob("*.duckdb")) == [], "the synthetic rows and results are deleted"


def test_loader_spill_variants_load_the_same_rows(
    demo_exports: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    touches = next(demo_exports.rglob("touches.csv"))

    figures = loader_spill.measure(touches, tmp_path, env, rows=400, variants=("temp", "schema", "auto"))

    _finished(figures, {"temp", "schema", "auto"})
    assert figures["rows"] == 400
    assert figures["same_rows_loaded"] is True
    assert figures["loader_keeps_in_memory"] is True  # a small file at 1GB


def test_head_records_keeps_quoted_line_breaks_inside_their_record(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(b'id,note\n1,"two\nlines ""quoted"""\n2,plain\n3,"x"\n')

    loader_spill.head_records(source, tmp_path / "head" / "in.csv", 2)

    assert (tmp_path / "head" / "in.csv").read_bytes() == b'id,note\n1,"two\nlines ""quoted"""\n2,plain\n'


def test_sorted_list_percentiles_are_the_ranked_ways_to_the_bit_and_null_without_values() -> None:
    con = duckdb.connect()
    con.execute(f"create table cut_rows as {percentile_cuts.rows_sql(600, 50)}")
    # group 0 (the first day's first stage) without values: both percentiles null
    con.execute(
        "update cut_rows set days_from_entry = null "
        "where period_start = date '2020-01-01' and stage = 'stage_0'"
    )
    found = {
        method: con.execute(f"{sql('cut_rows')} order by period_start, stage").fetchall()
        for method, sql in percentile_cuts.SQL.items()
    }

    assert len(found["sorted_list"]) == 50
    assert found["sorted_list"] == found["ranked"]
    assert found["sorted_list"][0][-2:] == (None, None)
    assert [row[:-2] for row in found["sorted_list"]] == [row[:-2] for row in found["aggregate"]]
    # quantile_cont's own interpolation differs only in the last few bits
    for listed, aggregated in zip(found["sorted_list"], found["aggregate"], strict=True):
        for value, expected in zip(listed[-2:], aggregated[-2:], strict=True):
            assert (value is None) == (expected is None)
            assert value is None or value == pytest.approx(expected, rel=1e-14)


def test_models_alone_rebuild_each_model_on_a_copy_with_the_rows_the_build_made(
    built_demo: Settings, tmp_path: Path, env: dict[str, str]
) -> None:
    before = built_demo.warehouse.stat().st_mtime_ns
    figures = models_alone.measure(built_demo.warehouse, ["int_attribution"], tmp_path, env, repeat=2)

    _finished(figures, {"int_attribution #1", "int_attribution #2"})
    with duckdb.connect(str(built_demo.warehouse), read_only=True) as con:
        built_rows = con.execute("select count(*) from intermediate.int_attribution").fetchone()[0]
    for variant in figures["variants"].values():
        assert variant["details"]["rows"] == built_rows > 0
        assert 0 < variant["details"]["model_seconds"] < variant["seconds"]
    assert built_demo.warehouse.stat().st_mtime_ns == before  # only the copy was written
