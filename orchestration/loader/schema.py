"""Create the raw and loader tables, and add columns a newer spec introduced."""

from __future__ import annotations

import duckdb

from . import spec
from .sqltext import ident

LEDGER_TABLE = "loader.ledger"
QUARANTINE_TABLE = "loader.quarantine"
FILES_TABLE = "loader.files"

LOADER_TABLES: dict[str, list[tuple[str, str]]] = {
    LEDGER_TABLE: [
        ("run_id", "varchar"),
        ("source_file", "varchar"),
        ("file_hash", "varchar"),
        ("source_system", "varchar"),
        ("target_table", "varchar"),
        ("rows_read", "bigint"),
        ("rows_loaded", "bigint"),
        ("rows_quarantined", "bigint"),
        ("status", "varchar"),
        ("message", "varchar"),
        ("started_at", "timestamp"),
        ("finished_at", "timestamp"),
    ],
    QUARANTINE_TABLE: [
        ("run_id", "varchar"),
        ("source_file", "varchar"),
        ("file_hash", "varchar"),
        ("row_number", "bigint"),
        ("line_number", "bigint"),
        ("target_table", "varchar"),
        ("reason", "varchar"),
        ("record", "varchar"),  # JSON object text of the row as read
    ],
    FILES_TABLE: [
        ("file_hash", "varchar"),
        ("first_run_id", "varchar"),
        ("first_source_file", "varchar"),
        ("source_system", "varchar"),
        ("target_table", "varchar"),
        ("first_loaded_at", "timestamp"),
    ],
}


def _existing_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Columns of every table in the raw and loader schemas, keyed by ``schema.table``."""
    rows = con.execute(
        "select table_schema || '.' || table_name, lower(column_name) from information_schema.columns "
        "where table_schema in (?, 'loader')",
        [spec.RAW_SCHEMA],
    ).fetchall()
    found: dict[str, set[str]] = {}
    for table, column in rows:
        found.setdefault(table, set()).add(column)
    return found


def _ensure_table(
    con: duckdb.DuckDBPyConnection, table: str, columns: list[tuple[str, str]], existing: set[str] | None
) -> None:
    if existing is None:
        cols = ", ".join(f"{ident(name)} {dtype}" for name, dtype in columns)
        con.execute(f"create table if not exists {table} ({cols})")
        return
    # A newer spec may know more columns; old rows get null, nothing is rewritten.
    for name, dtype in columns:
        if name.lower() not in existing:
            con.execute(f"alter table {table} add column {ident(name)} {dtype}")


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create schemas ``raw`` and ``loader`` and every table the loader writes; idempotent."""
    con.execute(f"create schema if not exists {spec.RAW_SCHEMA}")
    con.execute("create schema if not exists loader")
    existing = _existing_columns(con)
    for table, columns in {**spec.raw_table_schemas(), **LOADER_TABLES}.items():
        _ensure_table(con, table, columns, existing.get(table))
