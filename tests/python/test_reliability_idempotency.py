"""Idempotency and load order: the marts depend on the exports, not on how often or in which order
they were loaded.

The reference loads two daily exports of every format in one go and builds. Compared with it,
table by table (checksums, then rows where a checksum differs: see table_compare):
- the same exports loaded again and the marts rebuilt (the incremental daily pipeline runs
  incrementally this time);
- the units landed and loaded one by one in reverse order (the later daily export first);
- the units loaded in an interleaved order.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from reliability_support import UNITS, load_units, raw_checksums, reference, reliability_settings
from table_compare import differing_tables

from orchestration.pipeline import build_models, load_exports
from orchestration.warehouse.checksum import warehouse_checksums

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

ORDERS = {
    "reverse": tuple(reversed(UNITS)),
    "interleaved": (UNITS[2], UNITS[4], UNITS[0], UNITS[3], UNITS[1]),
}


def test_the_reference_build_has_every_mart_filled(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Guards the comparisons below: equal checksums of empty marts would prove nothing."""
    ref = reference(tmp_path_factory)
    assert len(ref.marts) >= 30
    empty = sorted(name for name, (rows, _) in ref.marts.items() if rows == 0)
    assert len(empty) <= len(ref.marts) // 5, empty
    assert ref.marts["marts.fct_funnel_cohort"][0] > 0


def test_loading_the_same_exports_again_and_rebuilding_changes_no_mart(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    ref = reference(tmp_path_factory)
    # A copy of the reference warehouse, so the shared one stays as it was for the other tests.
    settings = reliability_settings(tmp_path_factory.mktemp("twice"))
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    settings.warehouse.write_bytes(ref.settings.warehouse.read_bytes())

    report = load_exports(settings, ref.exports, [])
    # every data file is a duplicate; the generator's truth.json is not data and is skipped, saying so
    assert {f.source_file for f in report.files if f.status != "skipped_duplicate"} <= {"truth.json"}
    assert {f.status for f in report.files if f.source_file == "truth.json"} <= {"skipped"}
    build_models(settings, data_tests=False)  # they ran on the reference, which this must equal

    assert raw_checksums(settings.warehouse) == ref.raw
    assert differing_tables(ref.settings.warehouse, settings.warehouse) == []


@pytest.mark.parametrize("order", sorted(ORDERS))
def test_loading_in_another_order_gives_the_same_marts(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, order: str
) -> None:
    ref = reference(tmp_path_factory)
    settings = reliability_settings(tmp_path / "wh")
    load_units(settings, ref.exports, tmp_path / "landing", ORDERS[order])
    assert raw_checksums(settings.warehouse) == ref.raw
    build_models(settings, data_tests=False)  # they ran on the reference, which this must equal

    assert differing_tables(ref.settings.warehouse, settings.warehouse) == []


def test_the_checksum_sees_a_one_row_change(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    """The checksum is not blind: deleting one row, or changing one value in the 7th significant
    digit, changes it (while reordering rows does not); the row comparison that judges differing
    checksums ignores noise in the 14th digit and sees both changes."""
    ref = reference(tmp_path_factory)
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(ref.settings.warehouse.read_bytes())
    # marts.fct_funnel_cohort and marts.dim_deals are views: the rows they show are changed in the
    # intermediate tables they read
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "create or replace table intermediate.int_funnel_cohort as "
            "select * from intermediate.int_funnel_cohort order by random()"
        )
    assert warehouse_checksums(copy)["marts.fct_funnel_cohort"] == ref.marts["marts.fct_funnel_cohort"]
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "delete from intermediate.int_funnel_cohort "
            "where rowid = (select min(rowid) from intermediate.int_funnel_cohort)"
        )
    assert (
        warehouse_checksums(copy)["marts.fct_funnel_cohort"][0] == ref.marts["marts.fct_funnel_cohort"][0] - 1
    )
    # noise in the last digits of every amount is not a difference to the row comparison
    with duckdb.connect(str(copy)) as con:
        con.execute("update intermediate.int_deals_enriched set amount = amount * (1 + 1e-14)")
    assert differing_tables(ref.settings.warehouse, copy) == ["marts.fct_funnel_cohort"]
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "update intermediate.int_deals_enriched set amount = amount * 1.000001 "
            "where rowid = (select min(rowid) from intermediate.int_deals_enriched where amount > 1)"
        )
    assert warehouse_checksums(copy)["marts.dim_deals"] != ref.marts["marts.dim_deals"]
    assert differing_tables(ref.settings.warehouse, copy) == ["marts.dim_deals", "marts.fct_funnel_cohort"]
