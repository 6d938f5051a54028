"""Set-based inserts of one file's rows: raw table, unpivoted child tables, quarantine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

from .schema import QUARANTINE_TABLE
from .spec import FileSpec
from .sqltext import ident, literal
from .validate import Plan, json_of


@dataclass(frozen=True)
class Lineage:
    source_system: str
    source_file: str
    file_hash: str
    exported_at: datetime
    loaded_at: datetime
    run_id: str
    # A workbook sheet's table of (_row_number, line): the sheet row of each data row (sheet_lines).
    lines: str | None = None

    def select_list(self, extra: str) -> str:
        """The lineage columns (in spec.LINEAGE_COLUMNS order) as a select-list fragment."""
        return ", ".join(
            [
                literal(self.source_system),
                literal(self.source_file),
                literal(self.file_hash),
                "_row_number",
                f"timestamp {literal(self.exported_at.isoformat(sep=' '))}",
                f"timestamp {literal(self.loaded_at.isoformat(sep=' '))}",
                literal(self.run_id),
                extra,
            ]
        )


NO_EXTRA = "cast(null as varchar)"  # child rows: the parent row holds the extras
LINEAGE_NAMES = (
    "_source_system, _source_file, _file_hash, _row_number, _exported_at, _loaded_at, _run_id, _extra"
)


def insert_raw(
    con: duckdb.DuckDBPyConnection, spec: FileSpec, plan: Plan, typed: str, lineage: Lineage
) -> None:
    names = [ident(f.column.name) for f in plan.fields]
    values = [f.alias for f in plan.fields]
    extra = json_of(plan.header, plan.extra, cleaned=True)
    con.execute(
        f"insert into {spec.table} ({', '.join(names + [LINEAGE_NAMES])}) "
        f"select {', '.join(values + [lineage.select_list(extra)])} "
        f"from {typed} where _reason is null order by _row_number"
    )


def insert_children(
    con: duckdb.DuckDBPyConnection, spec: FileSpec, plan: Plan, typed: str, lineage: Lineage
) -> None:
    """One child row per non-empty cell of each unpivoted family, carrying the parent key."""
    key_aliases = {f.column.name: f"v{f.alias[1:]}" for f in plan.fields}
    for unpivot in spec.unpivots:
        cells = [c for c in plan.cells if c.unpivot is unpivot]
        if not cells:
            continue
        parents = [key_aliases.get(k, "cast(null as varchar)") for k in spec.key]
        names = [ident(k) for k in spec.key] + [ident(unpivot.key_column), ident(unpivot.value_column)]
        selects = [
            f"select {', '.join(parents + [literal(c.key), c.alias, lineage.select_list(NO_EXTRA)])} "
            f"from {typed} where _reason is null and {c.alias} is not null"
            for c in cells
        ]
        con.execute(
            f"insert into {unpivot.table} ({', '.join(names + [LINEAGE_NAMES])}) "
            + " union all ".join(selects)
        )


def sheet_lines(con: duckdb.DuckDBPyConnection, sheet_rows: tuple[int, ...], table: str) -> str:
    """A temp table mapping each data row of a rendered sheet to its row in the spreadsheet."""
    # DuckDB reads the Arrow table by its variable name (a replacement scan): no Python row loop.
    sheet_line_rows = pa.table({"_row_number": range(1, len(sheet_rows) + 1), "line": sheet_rows})  # noqa: F841
    con.execute(f"create temp table {table} as select * from sheet_line_rows")
    return table


def insert_quarantine(
    con: duckdb.DuckDBPyConnection, spec: FileSpec, plan: Plan, typed: str, rejects: str, lineage: Lineage
) -> None:
    record = json_of(plan.header, list(range(len(plan.header))), cleaned=False)
    common = f"{literal(lineage.run_id)}, {literal(lineage.source_file)}, {literal(lineage.file_hash)}"
    columns = "run_id, source_file, file_hash, row_number, line_number, target_table, reason, record"
    # The line of a well-formed row is its ordinal plus the header line (exact unless an earlier
    # value spans several lines); DuckDB gives the line of a malformed one. A sheet's rows are
    # named by their spreadsheet row (lineage.lines), past title and blank rows.
    line, malformed_line, join = "_row_number + 1", "line", ""
    if lineage.lines is not None:
        line = malformed_line = "lines.line"
        join = f" left join {lineage.lines} as lines using (_row_number)"
    con.execute(
        f"insert into {QUARANTINE_TABLE} ({columns}) "
        f"select {common}, _row_number, {line}, {literal(spec.table)}, _reason, {record} "
        f"from {typed}{join} where _reason is not null order by _row_number"
    )
    con.execute(
        f"insert into {QUARANTINE_TABLE} ({columns}) "
        f"select {common}, _row_number, {malformed_line}, {literal(spec.table)}, "
        f"'malformed_row: ' || message, cast(json_object('_raw_line', csv_line) as varchar) "
        f"from {rejects}{join} order by _row_number"
    )


def count(con: duckdb.DuckDBPyConnection, typed: str, good: bool) -> int:
    condition = "is null" if good else "is not null"
    return con.execute(f"select count(*) from {typed} where _reason {condition}").fetchone()[0]
