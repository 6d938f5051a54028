"""The content checksum sees data, not float noise: the same values differing in their last
digits (as sums from parallel threads do), in another row order, or zero with another sign, give
the same checksum; a change in the tenth significant digit, a changed text, or a missing row
does not."""

from __future__ import annotations

import math

import duckdb
import numpy as np

from orchestration.warehouse.checksum import table_checksum

VALUES = [456666.0485, 1 / 3, 2.5e-7, -7.125e12, 0.0, math.nan, math.inf, -math.inf, None]


def _checksum(rows: list[tuple[str, float | None]]) -> tuple[int, int]:
    with duckdb.connect() as con:
        con.execute("create schema marts")
        con.execute("create table marts.t (label varchar, amount double)")
        con.executemany("insert into marts.t values (?, ?)", rows)
        return table_checksum(con, "marts.t")


def test_float_noise_row_order_and_the_sign_of_zero_do_not_change_the_checksum() -> None:
    rows = [(f"r{i}", v) for i, v in enumerate(VALUES)]
    base = _checksum(rows)
    assert base[0] == len(VALUES)

    def noisy(value: float | None) -> float | None:
        # Two units in the last place apart, either way: what a different summation order gives.
        if value is None or not math.isfinite(value) or value == 0:
            return -0.0 if value == 0 else value
        return float(np.nextafter(np.nextafter(value, math.inf), math.inf))

    assert _checksum([(label, noisy(v)) for label, v in reversed(rows)]) == base
    # Both sides of a decimal tie stay together (456666.0485 is a typical money-times-probability).
    assert _checksum([("r0", 456666.04850000003)] + rows[1:]) == _checksum(
        [("r0", 456666.0484999999)] + rows[1:]
    )


def test_real_changes_change_the_checksum() -> None:
    rows = [(f"r{i}", v) for i, v in enumerate(VALUES)]
    base = _checksum(rows)
    assert _checksum([("r0", 456666.0485 * (1 + 1e-10))] + rows[1:]) != base  # tenth digit
    assert _checksum([("r0", 1.0)] + rows[1:]) != base
    assert _checksum([("x0", VALUES[0])] + rows[1:]) != base
    assert _checksum(rows[1:]) != base
    assert _checksum([("r0", None)] + rows[1:]) != base
