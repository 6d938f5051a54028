"""One deal: dim_deals and every pipeline mart with a per-deal or per-stage figure agree on each deal.

Days in current stage, the open / closed / won flags and the sales cycle have one definition
(int_deals_enriched). Before issue #17, dim_deals counted days in stage to the clock and for closed
deals too, while the stale-deals list and the stage board counted to the end of the as-of day: a BI
user got two different ages for the same deal. Here the published tables are compared row by row,
and the age itself is recomputed in Python from the stage entry and the as-of instant.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from orchestration.settings import Settings


def _frame(settings: Settings, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql).df()


@pytest.fixture(scope="module")
def deals(built_demo: Settings) -> pd.DataFrame:
    return _frame(built_demo, "select * from marts.dim_deals")


def test_stale_deals_are_dim_deals_rows(built_demo: Settings, deals: pd.DataFrame) -> None:
    stale = _frame(built_demo, "select * from marts.fct_stale_deals")
    assert len(stale) > 10, "the demo should have stale deals to compare"
    joined = stale.merge(deals, on="deal_key", suffixes=("_stale", "_dim"), validate="one_to_one")
    assert len(joined) == len(stale)
    for column in (
        "current_stage",
        "owner_key",
        "amount_reporting",
        "probability",
        "expected_close_date",
        "current_stage_entered_at",
        "days_in_current_stage",
    ):
        left, right = joined[f"{column}_stale"], joined[f"{column}_dim"]
        differ = ~((left == right) | (left.isna() & right.isna()))
        assert not differ.any(), (
            f"{column}: {joined.loc[differ, ['deal_key', f'{column}_stale', f'{column}_dim']].head()}"
        )
    assert joined["is_open"].all()


def test_stage_board_counts_dim_deals_open_deals(built_demo: Settings, deals: pd.DataFrame) -> None:
    board = _frame(built_demo, "select * from marts.fct_stage_board where segment_type = 'all'")
    expected = (
        deals[deals["is_open"]]
        .groupby(["source_system", "pipeline", "current_stage"])
        .agg(
            open_deals=("deal_key", "size"),
            total_amount=("amount_reporting", "sum"),
            median_days_in_stage=("days_in_current_stage", "median"),
        )
        .reset_index()
        .rename(columns={"current_stage": "stage"})
    )
    merged = board.merge(
        expected, on=["source_system", "pipeline", "stage"], suffixes=("", "_dim"), how="outer"
    )
    assert len(merged) == len(board) == len(expected)
    assert (merged["open_deals"] == merged["open_deals_dim"]).all()
    assert ((merged["total_amount"] - merged["total_amount_dim"]).abs() < 1e-6).all()
    assert ((merged["median_days_in_stage"] - merged["median_days_in_stage_dim"]).abs() < 1e-9).all()


def test_days_in_current_stage_is_the_open_deals_age_at_the_as_of(
    built_demo: Settings, deals: pd.DataFrame
) -> None:
    as_of_at = _frame(built_demo, "select as_of_at from intermediate.int_as_of")["as_of_at"].iloc[0]
    open_deals = deals[deals["is_open"]]
    # the demo's business time zone is UTC, so the entry needs no conversion
    age = (as_of_at - open_deals["current_stage_entered_at"]).dt.total_seconds() / 86400
    assert len(open_deals) > 10
    assert ((open_deals["days_in_current_stage"] - age).abs() < 1e-9).all()
    assert (open_deals["days_in_current_stage"] >= 0).all()
    assert deals.loc[~deals["is_open"], "days_in_current_stage"].isna().all()


def test_sales_cycle_is_days_to_close_of_won_deals(built_demo: Settings, deals: pd.DataFrame) -> None:
    enriched = _frame(
        built_demo,
        "select deal_key, is_won, days_to_close, sales_cycle_days from intermediate.int_deals_enriched",
    )
    merged = enriched.merge(
        deals[["deal_key", "days_to_close", "is_won", "is_lost"]], on="deal_key", suffixes=("", "_dim")
    )
    won = merged[merged["is_won"]]
    assert len(won) > 10
    assert ((won["sales_cycle_days"] - won["days_to_close_dim"]).abs() < 1e-9).all()
    assert merged.loc[~merged["is_won"], "sales_cycle_days"].isna().all()
    assert merged.loc[merged["is_lost"], "days_to_close_dim"].notna().any()
