"""One DuckDB read of a CSV into a staging temp table, keeping the rows DuckDB rejects.

Every value is read as text (``all_varchar``); typing is validate.py's job. The column count is
fixed from the header, so a row with too many or too few fields, or broken quoting, is rejected
by DuckDB (``store_rejects``) rather than silently padded; those rows are quarantined as
``malformed_row`` with DuckDB's message and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from .sqltext import literal

MAX_LINE_SIZE = 32 * 1024 * 1024  # long text fields (descriptions, notes) must not fail the file
# The file-sized work tables (the text rows and their typed copy) are temp tables, held in memory,
# while they fit: in memory they take about IN_MEMORY_FACTOR times the CSV's size. A bigger file's
# work tables go to this schema of the warehouse instead, because a temp table past the memory
# limit spills uncompressed (a 10M-lead load had 35 GB of spill and rising when it was stopped
# with the disk nearly full) while a persistent table is written compressed (a 1.2 GB file: 5.8 GB
# of spill as temp, 1 GB in the schema, same time). Each is dropped when its file is done; the blocks are reused.
WORK_SCHEMA = "loader_work"
IN_MEMORY_FACTOR = 5
UNITS = {"bytes": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}
UNITS |= {"KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}


@dataclass(frozen=True)
class WorkPlace:
    """Where one file's work tables go: temp (in memory) or the work schema."""

    in_memory: bool

    def name(self, table: str) -> str:
        return table if self.in_memory else f"{WORK_SCHEMA}.{table}"

    @property
    def create(self) -> str:
        return "create temp table" if self.in_memory else "create table"


def memory_limit_bytes(con: duckdb.DuckDBPyConnection) -> int:
    """DuckDB's memory limit in bytes (it reports e.g. '2.7 GiB')."""
    number, unit = con.execute("select current_setting('memory_limit')").fetchone()[0].split()
    return int(float(number) * UNITS[unit])


def work_place(con: duckdb.DuckDBPyConnection, csv_path: Path) -> WorkPlace:
    return WorkPlace(in_memory=csv_path.stat().st_size * IN_MEMORY_FACTOR < memory_limit_bytes(con))


@dataclass(frozen=True)
class Staged:
    table: str  # a view; columns: _row_number, c0 .. c<n-1>
    rejects: str  # columns: _row_number, line, message, csv_line
    rows_good: int
    rows_malformed: int
    temp_tables: tuple[str, ...]


def stage_csv(
    con: duckdb.DuckDBPyConnection, csv_path: Path, delimiter: str, n_columns: int, tag: str, place: WorkPlace
) -> Staged:
    raw, rej_table, rej_scan = place.name(f"_raw_{tag}"), f"_rejt_{tag}", f"_rejs_{tag}"
    staged, rejects, gaps = f"_stg_{tag}", f"_rej_{tag}", f"_gaps_{tag}"
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n_columns)) + "}"
    # Insertion order is preserved, so the work table's rowid is the row's order in the file.
    con.execute(
        f"""
        {place.create} {raw} as select * from read_csv(
            {literal(csv_path.as_posix())},
            header = true, auto_detect = false, all_varchar = true,
            delim = {literal(delimiter)}, quote = '"', escape = '"',
            columns = {columns}, null_padding = false, strict_mode = true,
            max_line_size = {MAX_LINE_SIZE},
            store_rejects = true, rejects_table = {literal(rej_table)}, rejects_scan = {literal(rej_scan)}
        )
        """
    )
    # One row per rejected line; DuckDB's line counts records (a quoted multi-line value is one),
    # with the header as line 1, so the record's data-row ordinal is line - 1.
    con.execute(
        f"""
        create temp table {rejects} as
        select line - 1 as _row_number, line,
               arg_min(error_message, coalesce(column_idx, 0)) as message,
               trim(first(csv_line), chr(10) || chr(13)) as csv_line
        from {rej_table} group by line
        """
    )
    # Good row k follows every rejected row j with (ordinal_j - j) < k, so its ordinal is k plus
    # the number of such rows; the gap is non-decreasing in j, so an ASOF join finds it.
    con.execute(
        f"""
        create temp table {gaps} as
        select gap, max(j) as j from (
            select _row_number - row_number() over (order by _row_number) as gap,
                   row_number() over (order by _row_number) as j
            from {rejects}
        ) group by gap
        """
    )
    malformed = con.execute(f"select count(*) from {rejects}").fetchone()[0]
    # A view, not a copy: the typed table is the one materialisation of the file's rows.
    if malformed:
        numbered = (
            f"select good._k + coalesce({gaps}.j, 0) as _row_number, good.* exclude (_k) "
            f"from (select rowid + 1 as _k, * from {raw}) as good "
            f"asof left join {gaps} on good._k > {gaps}.gap"
        )
    else:
        numbered = f"select rowid + 1 as _row_number, * from {raw}"
    con.execute(f"create temp view {staged} as {numbered}")
    good = con.execute(f"select count(*) from {raw}").fetchone()[0]
    return Staged(staged, rejects, good, malformed, (staged, raw, rej_table, rej_scan, rejects, gaps))


def drop_temp_tables(con: duckdb.DuckDBPyConnection, tables: tuple[str, ...]) -> None:
    """Drop one file's work tables and views (temp ones, and the work schema's)."""
    kinds = dict(
        con.execute(
            "select table_name, table_type from information_schema.tables where table_schema = 'main' "
            "and table_catalog = 'temp'"
        ).fetchall()
    )
    for name in tables:
        kind = "view" if kinds.get(name) == "VIEW" else "table"
        con.execute(f"drop {kind} if exists {name}")


def reset_work_schema(con: duckdb.DuckDBPyConnection) -> None:
    """An empty work schema: a load killed half way leaves its work tables behind (one writer at a
    time, so nothing else is using them)."""
    drop_work_schema(con)
    con.execute(f"create schema {WORK_SCHEMA}")


def drop_work_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"drop schema if exists {WORK_SCHEMA} cascade")
