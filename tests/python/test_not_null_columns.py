"""The not-null tests of a model are one `not_null_columns` test (tests/dbt/generic), which must
still fail on a single null and name each column that holds one, with its count of null rows."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from conftest import settings_in

from orchestration.warehouse import run_dbt
from orchestration.warehouse.dbt import DbtError

SELECT = "int_deals_enriched,test_name:not_null_columns"


def test_a_null_in_two_columns_fails_the_model_test_naming_both(built_demo, tmp_path) -> None:  # noqa: ANN001
    settings = settings_in(tmp_path)
    shutil.copyfile(built_demo.warehouse, settings.warehouse)
    with duckdb.connect(str(settings.warehouse)) as con:
        keys = [
            row[0]
            for row in con.execute(
                "select deal_key from intermediate.int_deals_enriched order by deal_key limit 3"
            ).fetchall()
        ]
        deals = "intermediate.int_deals_enriched"
        con.execute(f"update {deals} set channel = null where deal_key in (?, ?, ?)", keys)
        con.execute(f"update {deals} set created_at = null where deal_key = ?", [keys[0]])

    with pytest.raises(DbtError) as failure:  # stored failures: the message then shows the rows
        run_dbt(settings, ["test", "--select", SELECT, "--store-failures"], capture=True)

    message = str(failure.value)
    assert "not_null_columns_int_deals_enriched" in message
    assert "column_name=channel, null_rows=3" in message
    assert "column_name=created_at, null_rows=1" in message


def test_the_same_test_passes_on_the_built_demo(built_demo, tmp_path) -> None:  # noqa: ANN001
    settings = settings_in(tmp_path)
    shutil.copyfile(built_demo.warehouse, settings.warehouse)
    run_dbt(settings, ["test", "--select", SELECT], capture=True)
