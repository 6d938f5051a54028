"""Row-by-row table comparison that tells float noise from a real difference.

The checksum (orchestration.warehouse.checksum) rounds floats to 12 significant digits and hashes;
it is fast, but a sum whose last bits differ between two builds (parallel threads add in a
different order) can sit right at a rounding boundary and round apart. So tests compare checksums
first and, for the tables whose checksums differ, compare the rows: same count, equal values,
floats within a relative tolerance. A real difference (a row more or less, a value changed in the
7th digit) still fails; only noise in the last digits passes.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import duckdb

from orchestration.warehouse.checksum import warehouse_checksums

NOISE_REL_TOL = 1e-9  # summation order moves doubles around the 16th digit, not the 10th
FLOAT_ABS_TOL = 1e-9  # values that should be 0 but come out as 1e-15 from a different summation order


def normalise(value: object) -> object:
    """Timestamps with a time zone become the same instant in UTC without one."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def sort_key(value: object) -> tuple:
    """A key float noise cannot reorder: numbers at 7 significant digits."""
    if value is None:
        return (0,)
    if isinstance(value, float):
        return (1, 0.0) if math.isnan(value) else (1, float(f"{value:.7g}"))
    if isinstance(value, (int, Decimal)):
        return (1, float(f"{float(value):.7g}"))
    if isinstance(value, (datetime, date)):
        return (2, value.isoformat())
    return (3, str(value))


def values_equal(left: object, right: object, rel_tol: float = NOISE_REL_TOL) -> bool:
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, float) or isinstance(right, float):
        if not isinstance(left, (int, float, Decimal)) or not isinstance(right, (int, float, Decimal)):
            return False
        a, b = float(left), float(right)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=rel_tol, abs_tol=FLOAT_ABS_TOL)
    return left == right


def rows_equal(left: tuple, right: tuple, rel_tol: float = NOISE_REL_TOL) -> bool:
    return all(values_equal(a, b, rel_tol) for a, b in zip(left, right, strict=True))


def sorted_rows(
    con: duckdb.DuckDBPyConnection, relation: str, columns: list[str] | None = None
) -> list[tuple]:
    """Every row of a relation (in the given column order), normalised and sorted by sort_key."""
    selected = ", ".join(columns) if columns else "*"
    rows = [
        tuple(normalise(v) for v in row)
        for row in con.execute(f"select {selected} from {relation}").fetchall()
    ]
    return sorted(rows, key=lambda row: tuple(sort_key(v) for v in row))


def differing_tables(expected: Path, got: Path, schemas: tuple[str, ...] = ("marts",)) -> list[str]:
    """The tables of `schemas` that differ between two DuckDB files beyond float noise: missing on
    one side, a different row count, or a row whose values differ (floats beyond NOISE_REL_TOL)."""
    want, have = warehouse_checksums(expected, schemas), warehouse_checksums(got, schemas)
    suspects = sorted(name for name in want.keys() | have.keys() if want.get(name) != have.get(name))
    if not suspects:
        return []
    differing = []
    with duckdb.connect() as con:
        con.execute(f"attach '{expected}' as expected_db (read_only)")
        con.execute(f"attach '{got}' as got_db (read_only)")
        for name in suspects:
            if name not in want or name not in have or want[name][0] != have[name][0]:
                differing.append(name)
                continue
            columns = [row[0] for row in con.execute(f"describe select * from expected_db.{name}").fetchall()]
            other = [row[0] for row in con.execute(f"describe select * from got_db.{name}").fetchall()]
            if sorted(columns) != sorted(other):
                differing.append(name)
                continue
            left = sorted_rows(con, f"expected_db.{name}", columns)
            right = sorted_rows(con, f"got_db.{name}", columns)
            if not all(rows_equal(a, b) for a, b in zip(left, right, strict=True)):
                differing.append(name)
    return differing
