"""The MetricFlow semantic layer gives the marts' numbers, and the dbt exposures name real nodes.

Every comparison runs `mf query` (a subprocess, with the project's dbt environment) on the demo
warehouse and reads the same figure from the mart with plain SQL: the two go through different code
(MetricFlow's generated SQL over the per-deal / per-reach rows vs the mart's own aggregation), so a
metric defined differently from its mart (a wrong filter, timing or denominator) fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.settings import Settings
from orchestration.warehouse import run_dbt
from orchestration.warehouse.semantic import query_metrics, run_mf, write_semantic_manifest

PROJECT_DIR = Path(__file__).resolve().parents[2]
RATE_TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def semantic(built_demo: Settings) -> Settings:
    write_semantic_manifest(built_demo)
    return built_demo


def _mart(settings: Settings, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql).df()


def _month(frame: pd.DataFrame, column: str = "metric_time__month") -> pd.Series:
    return pd.to_datetime(frame[column]).dt.strftime("%Y-%m-%d")


def _joined(mf: pd.DataFrame, mart: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    joined = mart.merge(mf, on=keys, how="outer", suffixes=("_mart", "_mf"), indicator=True)
    missing = joined[joined["_merge"] != "both"]
    assert missing.empty, f"rows only on one side:\n{missing.head(20)}"
    return joined


def _assert_equal(joined: pd.DataFrame, column: str, tolerance: float, what: str) -> int:
    """Equal within `tolerance` (both null counts as equal); returns the rows compared."""
    mart, mf = joined[f"{column}_mart"].astype(float), joined[f"{column}_mf"].astype(float)
    both_null = mart.isna() & mf.isna()
    bad = joined[~both_null & ~((mart - mf).abs() <= tolerance)]
    assert bad.empty, f"{what}: mf differs from the mart\n{bad.head(20)}"
    return int((~both_null).sum())


def test_deal_outcome_metrics_equal_pipeline_velocity_by_month(semantic: Settings) -> None:
    metrics = [
        "win_rate",
        "win_rate_amount",
        "won_deals",
        "average_deal_size",
        "sales_cycle_days_mean",
        "open_qualified_deals",
        "pipeline_velocity",
    ]
    mf = query_metrics(semantic, metrics, ["metric_time__month", "deal__source_system"])
    # deals never closed have no close month: MetricFlow shows them in a null month, the mart not at all
    mf = mf[mf["metric_time__month"].notna()].assign(
        window_start=lambda f: _month(f), source_system=lambda f: f["deal__source_system"]
    )
    mart = _mart(
        semantic,
        f"""
        select strftime(window_start, '%Y-%m-%d') as window_start, source_system, {", ".join(metrics)}
        from marts.fct_pipeline_velocity
        where window_type = 'month' and segment_type = 'all'
        """,
    )
    joined = _joined(mf, mart, ["window_start", "source_system"])
    assert _assert_equal(joined, "win_rate", RATE_TOLERANCE, "win rate") >= 30
    _assert_equal(joined, "win_rate_amount", RATE_TOLERANCE, "win rate (amount)")
    _assert_equal(joined, "won_deals", 0, "won deals")
    _assert_equal(joined, "average_deal_size", 0.005, "average deal size")
    _assert_equal(joined, "sales_cycle_days_mean", 1e-6, "mean sales cycle")
    _assert_equal(joined, "open_qualified_deals", 0, "open qualified deals at the window end")
    # the mart leaves velocity null when an input is zero; the derived metric shows 0 there
    positive = joined[joined["pipeline_velocity_mart"].notna()]
    assert _assert_equal(positive, "pipeline_velocity", 0.005, "pipeline velocity") >= 30


def test_open_pipeline_metrics_equal_weighted_forecast_by_channel(semantic: Settings) -> None:
    mf = query_metrics(
        semantic,
        ["pipeline_amount", "weighted_pipeline", "open_deals"],
        ["metric_time__day", "deal__source_system", "deal__channel"],
    )
    mf = mf.assign(
        as_of_date=lambda f: _month(f, "metric_time__day"),
        source_system=lambda f: f["deal__source_system"],
        # the marts name a missing segment value 'unknown'
        segment_value=lambda f: f["deal__channel"].fillna("unknown"),
    ).rename(columns={"pipeline_amount": "open_amount", "weighted_pipeline": "weighted_amount"})
    mart = _mart(
        semantic,
        """
        select strftime(as_of_date, '%Y-%m-%d') as as_of_date, source_system, segment_value,
            open_amount, weighted_amount, open_deals
        from marts.fct_forecast_weighted
        where segment_type = 'channel'
        """,
    )
    joined = _joined(mf, mart, ["as_of_date", "source_system", "segment_value"])
    assert _assert_equal(joined, "open_amount", 0.005, "pipeline amount") >= 6
    _assert_equal(joined, "weighted_amount", 0.005, "weighted pipeline")
    _assert_equal(joined, "open_deals", 0, "open deals")
    assert (joined["weighted_amount_mf"] > 0).all()

    # the whole pipeline, no segment: the 'all' rows
    totals = query_metrics(semantic, ["pipeline_amount", "weighted_pipeline"], ["deal__source_system"])
    mart_totals = _mart(
        semantic,
        "select source_system, open_amount, weighted_amount from marts.fct_forecast_weighted "
        "where segment_type = 'all'",
    )
    joined = _joined(
        totals.rename(
            columns={
                "deal__source_system": "source_system",
                "pipeline_amount": "open_amount",
                "weighted_pipeline": "weighted_amount",
            }
        ),
        mart_totals,
        ["source_system"],
    )
    assert _assert_equal(joined, "open_amount", 0.005, "pipeline amount, all") == 3
    _assert_equal(joined, "weighted_amount", 0.005, "weighted pipeline, all")


CONVERSIONS = {
    # metric: (entity type, stage whose conversion_from_previous it is)
    "lead_to_mql_conversion": ("person", "mql"),
    "mql_to_sal_conversion": ("person", "sal"),
    "sql_to_opportunity_conversion": ("person", "opportunity"),
    "opportunity_to_customer_conversion": ("person", "customer"),
}


def test_conversion_metrics_equal_cohort_funnel_by_month(semantic: Settings) -> None:
    mf = query_metrics(semantic, list(CONVERSIONS), ["metric_time__month", "stage_reach__source_system"])
    mf = mf.assign(period_start=lambda f: _month(f), source_system=lambda f: f["stage_reach__source_system"])
    compared = 0
    for metric, (entity_type, stage) in CONVERSIONS.items():
        mart = _mart(
            semantic,
            f"""
            select strftime(period_start, '%Y-%m-%d') as period_start, source_system,
                conversion_from_previous as {metric}
            from marts.fct_funnel_cohort
            where period_grain = 'month' and segment_type = 'all' and entity_type = '{entity_type}'
                and stage = '{stage}'
            """,
        )
        joined = _joined(
            mf[["period_start", "source_system", metric]], mart, ["period_start", "source_system"]
        )
        compared += _assert_equal(joined, metric, RATE_TOLERANCE, metric)
    assert compared >= 4 * 3 * 12


def test_deal_conversion_metric_equals_cohort_funnel_of_its_pipeline(semantic: Settings) -> None:
    mf = query_metrics(
        semantic,
        ["negotiation_to_won_conversion"],
        ["metric_time__quarter", "stage_reach__source_system", "stage_reach__pipeline"],
    )
    mf = mf.assign(
        period_start=lambda f: _month(f, "metric_time__quarter"),
        source_system=lambda f: f["stage_reach__source_system"],
        pipeline=lambda f: f["stage_reach__pipeline"].astype(str),
    )
    mf = mf[mf["pipeline"] != "lifecycle"]  # persons have no deal stages: no rows of their own
    mart = _mart(
        semantic,
        """
        select strftime(period_start, '%Y-%m-%d') as period_start, source_system, pipeline,
            conversion_from_previous as negotiation_to_won_conversion
        from marts.fct_funnel_cohort
        where period_grain = 'quarter' and segment_type = 'all' and entity_type = 'deal'
            and stage = 'closed_won' and previous_stage = 'negotiation'
        """,
    )
    joined = _joined(mf, mart, ["period_start", "source_system", "pipeline"])
    assert _assert_equal(joined, "negotiation_to_won_conversion", RATE_TOLERANCE, "negotiation to won") >= 10


def test_metricflow_validates_the_semantic_layer_against_the_warehouse(semantic: Settings) -> None:
    result = run_mf(semantic, ["validate-configs"])
    output = result.stdout + result.stderr
    assert "Successfully validated metrics against data warehouse" in output, output
    assert not re.search(r"ERRORS: [1-9]", output), output


def _manifest(settings: Settings) -> dict:
    run_dbt(settings, ["parse", "--quiet"], target="duckdb", capture=True)
    return json.loads((Path(settings.dbt_env("duckdb")["DBT_TARGET_PATH"]) / "manifest.json").read_text())


def test_exposures_depend_on_what_the_report_and_the_bi_copy_read(semantic: Settings) -> None:
    from orchestration.report.data import STAGED_ENTITIES

    manifest = _manifest(semantic)
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    nodes = manifest["nodes"]
    for exposure in exposures.values():
        missing = [n for n in exposure["depends_on"]["nodes"] if n not in nodes]
        assert not missing, f"{exposure['name']} depends on unknown nodes {missing}"
        assert exposure["owner"]["email"]

    def names(exposure: str) -> set[str]:
        return {nodes[n]["name"] for n in exposures[exposure]["depends_on"]["nodes"]}

    # the report: every mart its queries name, and the staged tables it counts
    report_sql = "\n".join(p.read_text() for p in (PROJECT_DIR / "orchestration" / "report").glob("*.py"))
    read_by_report = set(re.findall(r"\bmarts\.(\w+)", report_sql))
    # tables passed by name to a query template (marts.{table})
    read_by_report |= set(re.findall(r"_sql\(\s*\"(fct_\w+)\"", report_sql))
    read_by_report |= {model for models in STAGED_ENTITIES.values() for model in models}
    assert read_by_report - names("funnel_report") == set()
    assert "fct_funnel_cohort" in read_by_report

    # the BI copy: publish.py copies every table of the marts schema, i.e. every model built there
    published = {
        n["name"] for n in nodes.values() if n["resource_type"] == "model" and n["schema"] == "marts"
    }
    assert len(published) >= 30
    assert names("bi_published_warehouse") == published
