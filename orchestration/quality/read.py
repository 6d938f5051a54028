"""Read what a suite needs from the DuckDB warehouse into pandas (GE's pandas path): only the
columns its expectations name, plus derived columns DuckDB computes on the way (window functions
for invariants across rows). One read-only connection; the caller makes sure no writer runs."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import duckdb

from .freshness import NEWEST_EXPORT, newest_export_sql
from .spec import TableSpec

if TYPE_CHECKING:
    import pandas as pd


def table_sql(table: TableSpec) -> str:
    columns = list(table.read_columns) + [f"{sql} as {name}" for name, sql in table.derived.items()]
    # A table whose only expectation is its row count still needs one column to count.
    return f"select {', '.join(columns) or 'true as present'} from {table.table}"


def read_frame(con: duckdb.DuckDBPyConnection, table: TableSpec, now: datetime) -> pd.DataFrame:
    if table.table == NEWEST_EXPORT:
        return con.execute(newest_export_sql(con), [now]).df()
    return con.execute(table_sql(table)).df()
