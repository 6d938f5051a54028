"""Truth of the forecast by close period (fct_forecast_by_close_period) at the as-of date.

Kept apart from truth.py so the forecast figures have one home. Two category rules, one per kind of export:
Salesforce and HubSpot write each deal's forecast category (the stage's default, config.SF_FORECAST /
HS_FORECAST), the generic export writes none, so the warehouse falls back to the probability bands of
seeds/forecast_category_bands.csv, restated here (FALLBACK_BANDS) so the truth does not read the warehouse.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from .config import L, W

# canonical category per deal stage index (qualification, meeting, proposal, negotiation, won, lost)
STAGE_CATEGORY = ["pipeline", "pipeline", "best_case", "commit", "closed", "omitted"]
# (lowest probability, category): the default bands of seeds/forecast_category_bands.csv
FALLBACK_BANDS = [(0.0, "pipeline"), (0.5, "best_case"), (0.75, "commit"), (1.0, "closed")]
FORECAST_RULES = {
    "at_pinned_as_of": "the same tables with the as-of pinned to the 10th of the first month of the as-of's "
    "quarter (deal states as exported: a deal won after that day is in neither table)",
    "close_period": "open deals by expected close day against the as-of day: before it = overdue, else the "
    "as-of's calendar month = this_month, rest of its quarter = this_quarter, next quarter = next_quarter, "
    "after = later; won deals closed in the as-of's quarter up to the as-of day: this_month or this_quarter",
    "by_stage_category": "category = the stage's default (Salesforce and HubSpot exports); won = closed",
    "by_probability_band": "open deals by probability band (generic export): < 0.5 pipeline, < 0.75 best_case, "
    "< 1 commit, else closed; won = closed",
}


def _epoch_day(date: dt.date) -> int:
    return (date - dt.date(1970, 1, 1)).days


def _period_starts(as_of_day: int) -> tuple[int, int, int, int, int]:
    as_of = dt.date(1970, 1, 1) + dt.timedelta(days=as_of_day)
    month = as_of.replace(day=1)
    quarter_month = 3 * ((as_of.month - 1) // 3) + 1

    def month_start(months_after: int, first: int) -> int:
        index = as_of.year * 12 + first - 1 + months_after
        return _epoch_day(dt.date(index // 12, index % 12 + 1, 1))

    return (
        _epoch_day(month),
        month_start(1, as_of.month),
        month_start(0, quarter_month),
        month_start(3, quarter_month),
        month_start(6, quarter_month),
    )


def close_periods(stage: np.ndarray, close_day: np.ndarray, as_of_day: int) -> np.ndarray:
    """The close period of each deal ('' for deals the mart leaves out: lost, won outside the quarter)."""
    month, next_month, quarter, next_quarter, later = _period_starts(as_of_day)
    won, is_open = stage == W, (stage != W) & (stage != L)
    won_in = won & (close_day >= quarter) & (close_day <= as_of_day)
    open_period = np.select(
        [close_day < as_of_day, close_day < next_month, close_day < next_quarter, close_day < later],
        ["overdue", "this_month", "this_quarter", "next_quarter"],
        "later",
    )
    won_period = np.where(close_day >= month, "this_month", "this_quarter")
    return np.where(is_open, open_period, np.where(won_in, won_period, ""))


def forecast_by_close_period(
    stage: np.ndarray, close_day: np.ndarray, prob: np.ndarray, cents: np.ndarray, as_of_day: int
) -> dict[str, Any]:
    """The tables at the as-of day, and at the 10th of the first month of its quarter (a pinned as-of, var
    as_of_date, that puts open deals in this_month and this_quarter, which the demo's quarter-end as-of
    leaves empty)."""
    as_of = dt.date(1970, 1, 1) + dt.timedelta(days=as_of_day)
    pinned = min(as_of_day, _epoch_day(as_of.replace(month=3 * ((as_of.month - 1) // 3) + 1, day=10)))
    return {
        "rules": FORECAST_RULES,
        **_tables(stage, close_day, prob, cents, as_of_day),
        "at_pinned_as_of": {
            "as_of_date": str(dt.date(1970, 1, 1) + dt.timedelta(days=pinned)),
            **_tables(stage, close_day, prob, cents, pinned),
        },
    }


def _tables(
    stage: np.ndarray, close_day: np.ndarray, prob: np.ndarray, cents: np.ndarray, as_of_day: int
) -> dict[str, Any]:
    periods = close_periods(stage, close_day, as_of_day)
    by_stage = np.array(STAGE_CATEGORY, dtype=object)[stage]
    # the band with the greatest lowest probability at or below the deal's (the seed's lookup)
    lows = np.array([low for low, _ in FALLBACK_BANDS])
    band_index = np.maximum(np.searchsorted(lows, prob + 1e-12, side="right") - 1, 0)
    band = np.array([category for _, category in FALLBACK_BANDS], dtype=object)[band_index]
    by_band = np.where(stage == W, "closed", band)
    is_open = (stage != W) & (stage != L)

    def table(category: np.ndarray) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for key in sorted({(p, c) for p, c in zip(periods.tolist(), category.tolist(), strict=True) if p}):
            sel = (periods == key[0]) & (category == key[1])
            opened, won = sel & is_open, sel & (stage == W)
            out[f"{key[0]}/{key[1]}"] = {
                "open_count": int(opened.sum()),
                "open_amount": round(int(cents[opened].sum()) / 100, 2),
                "weighted_amount": round(float((cents[opened] * prob[opened]).sum()) / 100, 2),
                "won_count": int(won.sum()),
                "won_amount": round(int(cents[won].sum()) / 100, 2),
            }
        return out

    return {"by_stage_category": table(by_stage), "by_probability_band": table(by_band)}
