"""The declarative suites (suites/*.yml) as plain objects: which table, which expectation, which
columns, what severity. Nothing here imports Great Expectations, so Dagster can build its asset
checks from the specs without paying GE's import time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

SUITES_DIR = Path(__file__).parent / "suites"
SEVERITIES = ("error", "warn")
# Row-count band checks are generated from a table's `row_count_band: true`, not written out.
ROW_COUNT_BELOW = "ge_row_count_not_below_previous_band"
ROW_COUNT_ABOVE = "ge_row_count_not_above_previous_band"
# Expectations judged row by row: validated chunk by chunk, their counts add up across chunks.
# Any other expectation (row count, column max) is judged on the table as a whole.
ROW_WISE = frozenset(
    {
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_null",
        "expect_column_values_to_be_between",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_in_set",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_be_unique",
        "expect_compound_columns_to_be_unique",
    }
)
# Row-wise expectations that compare rows with each other: equal values must share a chunk.
ACROSS_ROWS = frozenset({"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"})


@dataclass(frozen=True)
class ExpectationSpec:
    layer: str  # staged or marts: the GE suite family
    table: str  # schema.table in the warehouse, or a computed source (newest_export)
    asset: tuple[str, ...]  # Dagster asset key the check is attached to
    expectation: str  # GE expectation type, e.g. expect_column_values_to_be_unique
    kwargs: Mapping[str, Any]  # may hold {setting: name} placeholders, resolved at run time
    severity: str
    name: str  # the Dagster check name, unique per asset

    @property
    def columns(self) -> tuple[str, ...]:
        if "column" in self.kwargs:
            return (self.kwargs["column"],)
        return tuple(self.kwargs.get("column_list", ()))

    @property
    def row_wise(self) -> bool:
        return self.expectation in ROW_WISE


@dataclass(frozen=True)
class TableSpec:
    layer: str
    table: str
    asset: tuple[str, ...]
    id_columns: tuple[str, ...]
    derived: Mapping[str, str]  # column name -> SQL expression computed while reading
    row_count_band: bool
    expectations: tuple[ExpectationSpec, ...] = field(default=())
    # Columns whose hash splits the table into chunks: rows that a check compares with each other
    # (equal keys, one window partition) land in the same chunk. See _chunk_by.
    chunk_by: tuple[str, ...] = field(default=())

    @property
    def suite_name(self) -> str:
        return f"{self.layer}.{self.table.split('.')[-1]}"

    @property
    def row_wise(self) -> tuple[ExpectationSpec, ...]:
        return tuple(e for e in self.expectations if e.row_wise)

    @property
    def whole_table(self) -> tuple[ExpectationSpec, ...]:
        return tuple(e for e in self.expectations if not e.row_wise)

    def read_columns(self, expectations: tuple[ExpectationSpec, ...] | None = None) -> tuple[str, ...]:
        """Stored columns to read for `expectations` (default all): theirs and the ids, once each."""
        wanted = [*self.id_columns]
        for expectation in self.expectations if expectations is None else expectations:
            wanted += [c for c in expectation.columns if c not in self.derived]
        return tuple(dict.fromkeys(wanted))


def check_name(expectation: str, kwargs: Mapping[str, Any]) -> str:
    columns = [kwargs["column"]] if "column" in kwargs else list(kwargs.get("column_list", []))
    return "_".join(["ge", expectation.removeprefix("expect_"), *columns])


def _table(layer: str, raw: Mapping[str, Any]) -> TableSpec:
    table = raw["table"]
    asset = tuple(str(raw.get("asset", table)).replace(".", "/").split("/"))
    expectations = []
    for item in raw.get("expectations", []):
        severity = item.get("severity", "error")
        if severity not in SEVERITIES:
            raise ValueError(f"{table}: severity {severity!r} is not one of {SEVERITIES}")
        kwargs = dict(item.get("kwargs", {}))
        name = item.get("name") or check_name(item["expectation"], kwargs)
        expectations.append(ExpectationSpec(layer, table, asset, item["expectation"], kwargs, severity, name))
    if raw.get("row_count_band"):
        expectations += [
            ExpectationSpec(
                layer, table, asset, "expect_table_row_count_to_be_between", {}, "error", ROW_COUNT_BELOW
            ),
            ExpectationSpec(
                layer, table, asset, "expect_table_row_count_to_be_between", {}, "warn", ROW_COUNT_ABOVE
            ),
        ]
    names = [e.name for e in expectations]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"{table}: check names must be unique per table, repeated: {sorted(duplicates)}")
    spec = TableSpec(
        layer=layer,
        table=table,
        asset=asset,
        id_columns=tuple(raw.get("id_columns", ())),
        derived=dict(raw.get("derived", {})),
        row_count_band=bool(raw.get("row_count_band")),
        expectations=tuple(expectations),
    )
    return replace(spec, chunk_by=_chunk_by(spec, tuple(raw.get("chunk_by", ()))))


def _chunk_by(table: TableSpec, declared: tuple[str, ...]) -> tuple[str, ...]:
    """The columns a table is split on when it is validated in chunks.

    Rows a check compares must share a chunk: every row with the same unique key, every row of one
    window partition of a derived column. So `chunk_by` must lie within each unique key (rows equal
    on the key are then equal on it), and a table with derived columns must declare it (the
    window's partition columns). Otherwise the unique key, or any read columns, split well."""
    keys = [set(e.columns) for e in table.row_wise if e.expectation in ACROSS_ROWS]
    if declared:
        if any(not set(declared) <= key for key in keys):
            raise ValueError(f"{table.table}: chunk_by {list(declared)} must lie within each unique key")
        return declared
    if table.derived:
        raise ValueError(
            f"{table.table}: derived columns compare rows across the table; declare chunk_by "
            "(the window's partition columns) so each chunk holds whole partitions"
        )
    if keys:
        common = set.intersection(*keys)
        if not common:
            raise ValueError(
                f"{table.table}: its unique keys share no column, so no split of the table keeps the "
                "duplicates of every key in one chunk"
            )
        first = next(e.columns for e in table.row_wise if e.expectation in ACROSS_ROWS)
        return tuple(c for c in first if c in common)
    return table.read_columns(table.row_wise)


def load_suites(directory: Path = SUITES_DIR) -> list[TableSpec]:
    """Every table spec of every suite file, in file order."""
    tables = []
    for path in sorted(directory.glob("*.yml")):
        document = yaml.safe_load(path.read_text())
        tables += [_table(document["layer"], raw) for raw in document.get("tables", [])]
    return tables
