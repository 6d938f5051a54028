"""Reporting-currency conversion exactly as the truth defines it (and as staging must reproduce).

Rule: amount × rate_to_usd of the deal's currency from the latest seeds/fx_rates.csv row whose
rate_date ≤ the deal's CloseDate (expected close date for open deals; the earliest rate if none is
earlier), rounded half away from zero to cents per deal. Computed in exact integer micro-units so the
result does not depend on floating-point summation order.
The rates are read from the package's copy of the seed, simulator/data/fx_rates.csv.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from .config import DAY, FX_RATES_CSV

FX_RULE = (
    "amount_reporting = round_half_away_from_zero(amount * rate_to_usd, 2) per deal, where rate_to_usd is "
    "the latest seeds/fx_rates.csv row of the deal's currency with rate_date <= the deal's CloseDate "
    "(closed deals: close date; open deals: expected close date); sums are of the rounded per-deal values"
)


@dataclass(frozen=True)
class FxTable:
    currencies: list[str]
    days: dict[str, np.ndarray]  # currency -> sorted rate days (days since epoch)
    micro: dict[str, np.ndarray]  # currency -> rate × 1e6 as int64

    def rate_micro(self, currency_idx: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Rate × 1e6 of each (currency, day): latest rate on or before the day."""
        out = np.zeros(currency_idx.shape[0], dtype=np.int64)
        for ci, code in enumerate(self.currencies):
            mask = currency_idx == ci
            if not mask.any():
                continue
            pos = np.searchsorted(self.days[code], day[mask], side="right") - 1
            out[mask] = self.micro[code][np.clip(pos, 0, None)]
        return out

    def to_usd_cents(self, amount_units: np.ndarray, currency_idx: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Whole-unit amounts to USD cents, rounded half up (amounts are never negative)."""
        micro_usd = np.asarray(amount_units, dtype=np.int64) * self.rate_micro(currency_idx, day)
        return (micro_usd + 5_000) // 10_000


def load_fx(currencies: list[str]) -> FxTable:
    rows: dict[str, list[tuple[int, int]]] = {c: [] for c in currencies}
    with open(FX_RATES_CSV, newline="") as fh:
        for row in csv.DictReader(fh):
            code = row["currency_code"]
            if code in rows:
                day = int(np.datetime64(row["rate_date"], "D").astype(np.int64))
                rows[code].append((day, int(Decimal(row["rate_to_usd"]) * 1_000_000)))
    days, micro = {}, {}
    for code, values in rows.items():
        values.sort()
        days[code] = np.array([d for d, _ in values], dtype=np.int64)
        micro[code] = np.array([m for _, m in values], dtype=np.int64)
    return FxTable(currencies=currencies, days=days, micro=micro)


def cents_to_float(cents: int) -> float:
    return round(cents / 100, 2)


__all__ = ["DAY", "FX_RULE", "FxTable", "load_fx", "cents_to_float"]
