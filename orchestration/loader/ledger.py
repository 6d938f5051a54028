"""The loader's own bookkeeping: the ledger row of each file and the hashes already loaded."""

from __future__ import annotations

from datetime import datetime, timezone

import duckdb

from .report import FileResult
from .schema import FILES_TABLE, LEDGER_TABLE


def now() -> datetime:
    """Naive UTC, as the ledger's timestamps are stored."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def already_loaded(
    con: duckdb.DuckDBPyConnection, file_hash: str, target_table: str | None = None
) -> tuple[str, str] | None:
    """(first run, first path) of identical content loaded before, or None. ``target_table`` for a
    file that feeds several tables, each recorded once (a mapping's stage and channel labels)."""
    where, params = "file_hash = ?", [file_hash]
    if target_table is not None:
        where, params = where + " and target_table = ?", [*params, target_table]
    row = con.execute(
        f"select first_run_id, first_source_file from {FILES_TABLE} where {where} limit 1", params
    ).fetchone()
    return (row[0], row[1]) if row else None


def record(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    result: FileResult,
    started_at: datetime,
    finished_at: datetime,
) -> None:
    con.execute(
        f"insert into {LEDGER_TABLE} (run_id, source_file, file_hash, source_system, target_table, "
        "rows_read, rows_loaded, rows_quarantined, status, message, started_at, finished_at) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            result.source_file,
            result.file_hash,
            result.source_system,
            result.target_table,
            result.rows_read,
            result.rows_loaded,
            result.rows_quarantined,
            result.status,
            result.message,
            started_at,
            finished_at,
        ],
    )


def remember(con: duckdb.DuckDBPyConnection, run_id: str, result: FileResult, loaded_at: datetime) -> None:
    con.execute(
        f"insert into {FILES_TABLE} (file_hash, first_run_id, first_source_file, source_system, "
        "target_table, first_loaded_at) values (?, ?, ?, ?, ?, ?)",
        [result.file_hash, run_id, result.source_file, result.source_system, result.target_table, loaded_at],
    )


def relabel(con: duckdb.DuckDBPyConnection, run_id: str, result: FileResult) -> None:
    """Rewrite the status, message and hash of a file's row in this run (a failure found to be a
    file still being written)."""
    con.execute(
        f"update {LEDGER_TABLE} set status = ?, message = ?, file_hash = ? where run_id = ? and source_file = ?",
        [result.status, result.message, result.file_hash, run_id, result.source_file],
    )
