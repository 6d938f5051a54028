"""The simulated calendar: window, seasonality and timestamp formatting.

Timestamps are int64 seconds since the Unix epoch, UTC, everywhere in the simulation; renderers format
them per export style (Salesforce `.000+0000`, HubSpot `Z`, generic with the person's own offset).
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .config import DAY
from .ids import _strings_from_matrix

WINDOW_MONTHS = 21
# Business seasonality: quiet summer and December, strong Q1 and autumn.
MONTH_WEIGHTS = np.array([1.15, 1.1, 1.2, 1.05, 1.0, 0.9, 0.75, 0.7, 1.1, 1.2, 1.1, 0.7])
WEEKDAY_WEIGHTS = np.array([1.15, 1.2, 1.15, 1.05, 0.9, 0.3, 0.25])  # Monday .. Sunday


def epoch_seconds(d: date) -> int:
    return int(datetime(d.year, d.month, d.day, tzinfo=timezone.utc).timestamp())


def window_start(as_of: date) -> date:
    """First day of the month WINDOW_MONTHS months before as_of's month (about 21 months of history)."""
    months = as_of.year * 12 + as_of.month - 1 - WINDOW_MONTHS
    return date(months // 12, months % 12 + 1, 1)


def day_weights(start: date, as_of: date) -> tuple[np.ndarray, np.ndarray]:
    """Day start times (epoch seconds) and their seasonal weights, with a growth trend."""
    first = epoch_seconds(start) // DAY
    last = epoch_seconds(as_of) // DAY
    days = np.arange(first, last + 1, dtype=np.int64)
    d64 = days.astype("datetime64[D]")
    months = d64.astype("datetime64[M]").astype(np.int64) % 12
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
    trend = np.linspace(1.0, 1.7, days.shape[0])
    weights = MONTH_WEIGHTS[months] * WEEKDAY_WEIGHTS[weekday] * trend
    return days * DAY, weights / weights.sum()


def sample_times(
    rng: np.random.Generator, n: int, day_starts: np.ndarray, probs: np.ndarray, offset_minutes: np.ndarray
) -> np.ndarray:
    """Seasonal instants: a weighted day, then a business-hours time in the person's own time zone."""
    day = day_starts[rng.choice(day_starts.shape[0], size=n, p=probs)]
    local_hour = np.clip(rng.normal(13.0, 2.8, size=n), 7.0, 21.5)
    seconds = (local_hour * 3600).astype(np.int64) + rng.integers(0, 60, size=n)
    return day + seconds - offset_minutes.astype(np.int64) * 60


def month_index(t: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of UTC instants (for cohorts)."""
    return (np.asarray(t, dtype=np.int64).astype("datetime64[s]").astype("datetime64[M]")).astype(np.int64)


def day_month_index(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def month_label(index: int) -> str:
    return f"{index // 12 + 1970:04d}-{index % 12 + 1:02d}"


def _digits(mat: np.ndarray, col0: int, values: np.ndarray, width: int) -> None:
    for k in range(width - 1, -1, -1):
        mat[:, col0 + k] = 48 + values % 10
        values = values // 10


def _iso_matrix(t: np.ndarray, date_only: bool, suffix: bytes) -> np.ndarray:
    """ASCII bytes of `YYYY-MM-DD[THH:MM:SS]<suffix>` per instant, built with integer arithmetic only
    (pyarrow's strftime is locale-aware and far too slow for tens of millions of values)."""
    t = np.asarray(t, dtype=np.int64)
    days = t // DAY
    secs = t - days * DAY
    d64 = days.astype("datetime64[D]")
    months = d64.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (d64 - months.astype("datetime64[D]")).astype(np.int64) + 1
    width = (10 if date_only else 19) + len(suffix)
    mat = np.empty((t.shape[0], width), dtype=np.uint8)
    _digits(mat, 0, year, 4)
    mat[:, 4] = mat[:, 7] = ord("-")
    _digits(mat, 5, month, 2)
    _digits(mat, 8, day, 2)
    if not date_only:
        mat[:, 10] = ord("T")
        _digits(mat, 11, secs // 3600, 2)
        mat[:, 13] = mat[:, 16] = ord(":")
        _digits(mat, 14, secs // 60 % 60, 2)
        _digits(mat, 17, secs % 60, 2)
    if suffix:
        mat[:, width - len(suffix) :] = np.frombuffer(suffix, dtype=np.uint8)
    return mat


def fmt_iso(
    t: np.ndarray, suffix: str = "", date_only: bool = False, valid: np.ndarray | None = None
) -> pa.Array:
    """Format UTC instants as ISO text with a fixed suffix; invalid positions become null."""
    t = np.asarray(t, dtype=np.int64)
    if valid is not None:
        t = np.where(valid, t, 0)
    out = _strings_from_matrix(_iso_matrix(t, date_only, suffix.encode()))
    if valid is not None:
        out = pc.if_else(pa.array(np.asarray(valid, dtype=bool)), out, pa.scalar(None, pa.large_string()))
    return out


def fmt_sf_ts(t: np.ndarray) -> pa.Array:
    return fmt_iso(t, ".000+0000")


def fmt_hs_ts(t: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    return fmt_iso(t, ".000Z", valid=valid)


def fmt_date_days(days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    return fmt_iso(np.asarray(days, dtype=np.int64) * DAY, date_only=True, valid=valid)


def offset_label(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    m = abs(minutes)
    return f"{sign}{m // 60:02d}:{m % 60:02d}"


def fmt_local_ts(t: np.ndarray, offset_minutes: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """ISO 8601 local time with the explicit UTC offset of the person's zone (`2024-03-01T10:15:00+01:00`)."""
    offset_minutes = np.asarray(offset_minutes, dtype=np.int64)
    t = np.asarray(t, dtype=np.int64) if valid is None else np.where(valid, t, 0)
    mat = _iso_matrix(t + offset_minutes * 60, False, b"+00:00")
    sign = offset_minutes < 0
    m = np.abs(offset_minutes)
    mat[:, 19] = np.where(sign, ord("-"), ord("+"))
    _digits(mat, 20, m // 60, 2)
    _digits(mat, 23, m % 60, 2)
    out = _strings_from_matrix(mat)
    if valid is not None:
        out = pc.if_else(pa.array(np.asarray(valid, dtype=bool)), out, pa.scalar(None, pa.large_string()))
    return out
