"""Land a mapping file's ``stage_labels`` in raw.generic__stage_labels, once per file content."""

from __future__ import annotations

from datetime import datetime, timezone

import duckdb

from . import ledger
from .discover import MappingSource
from .report import LOADED, SKIPPED_DUPLICATE, FileResult
from .source import sha256_file
from .spec import STAGE_LABELS_TABLE

_COLUMNS = (
    "pipeline, raw_label, stage, _source_system, _source_file, _file_hash, _row_number, _exported_at, "
    "_loaded_at, _run_id"
)
_MARKS = ", ".join("?" * 10)


def land_stage_labels(con: duckdb.DuckDBPyConnection, mapping: MappingSource, run_id: str) -> FileResult:
    """Ledger-tracked like a data file, so a mapping's labels are provably loaded exactly once."""
    started = _now()
    labels = mapping.fmt.stage_labels
    result = FileResult(
        source_file=mapping.label,
        status=LOADED,
        source_system=mapping.fmt.source_system,
        target_table=STAGE_LABELS_TABLE,
        file_hash=sha256_file(mapping.path),
    )
    con.execute("begin transaction")
    try:
        if ledger.already_loaded(con, result.file_hash):
            result.status = SKIPPED_DUPLICATE
            result.message = "identical mapping content was loaded before"
        else:
            exported = datetime.fromtimestamp(mapping.path.stat().st_mtime, tz=timezone.utc).replace(
                tzinfo=None
            )
            rows = [
                (
                    label.pipeline,
                    label.raw_label,
                    label.stage,
                    label.source_system,
                    mapping.label,
                    result.file_hash,
                    number,
                    exported,
                    started,
                    run_id,
                )
                for number, label in enumerate(labels, start=1)
            ]
            if rows:
                con.executemany(f"insert into {STAGE_LABELS_TABLE} ({_COLUMNS}) values ({_MARKS})", rows)
            result.rows_read = result.rows_loaded = len(rows)
            ledger.remember(con, run_id, result, started)
        ledger.record(con, run_id, result, started, _now())
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return result


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)
