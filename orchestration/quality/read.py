"""Read what a suite needs from the DuckDB warehouse into pandas (GE's pandas path): only the
columns its expectations name, plus derived columns DuckDB computes on the way (window functions
for invariants across rows). One read-only connection; the caller makes sure no writer runs.

Row-wise expectations are read in chunks of at most about FUNNEL_QUALITY_CHUNK_ROWS rows, split on
a hash of the table's chunk_by columns, so memory stays bounded however large the table grows.
Whole-table expectations (row counts, a column's max) see one frame: a row count needs no column
at all (an index-only frame of the counted length), anything else reads its columns whole."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from math import ceil
from typing import TYPE_CHECKING

import duckdb

from .freshness import NEWEST_EXPORT, newest_export_sql
from .spec import ExpectationSpec, TableSpec

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Chunk:
    index: int  # 0 .. count - 1
    count: int

    @property
    def label(self) -> str:
        return f"chunk {self.index + 1} of {self.count}"


def chunks(rows: int, chunk_rows: int) -> list[Chunk]:
    count = max(1, ceil(rows / max(1, chunk_rows)))
    return [Chunk(i, count) for i in range(count)]


def table_sql(table: TableSpec, expectations: tuple[ExpectationSpec, ...], chunk: Chunk | None = None) -> str:
    named = {c for e in expectations for c in e.columns}
    columns = list(table.read_columns(expectations)) + [
        f"{sql} as {name}" for name, sql in table.derived.items() if name in named
    ]
    # The filter runs before any window of a derived column, and chunk_by holds whole partitions.
    where = (
        f" where hash({', '.join(table.chunk_by)}) % {chunk.count} = {chunk.index}"
        if chunk and chunk.count > 1
        else ""
    )
    # A table whose only expectation is its row count still needs one column to count.
    return f"select {', '.join(columns) or 'true as present'} from {table.table}{where}"


def row_count(con: duckdb.DuckDBPyConnection, table: TableSpec) -> int:
    return con.execute(f"select count(*) from {table.table}").fetchone()[0]


def read_chunk(con: duckdb.DuckDBPyConnection, table: TableSpec, chunk: Chunk) -> pd.DataFrame:
    return con.execute(table_sql(table, table.row_wise, chunk)).df()


def read_whole(con: duckdb.DuckDBPyConnection, table: TableSpec, rows: int) -> pd.DataFrame:
    """The frame for the whole-table expectations; index-only when they only count rows."""
    import pandas as pd

    if not any(e.columns for e in table.whole_table):
        return pd.DataFrame(index=pd.RangeIndex(rows))
    return con.execute(table_sql(table, table.whole_table)).df()


def read_newest_export(con: duckdb.DuckDBPyConnection, now: datetime) -> pd.DataFrame:
    """The computed newest_export source: one row."""
    return con.execute(newest_export_sql(con), [now]).df()


def is_newest_export(table: TableSpec) -> bool:
    return table.table == NEWEST_EXPORT
