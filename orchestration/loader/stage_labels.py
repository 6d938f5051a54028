"""Land a mapping file's ``stage_labels`` and ``channel_labels`` in their raw tables, once per file
content: raw.generic__stage_labels (always, so a mapping is visible in the ledger even without
labels) and raw.generic__channel_labels (when the mapping declares any)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

import duckdb

from . import ledger
from .discover import MappingSource
from .report import LOADED, SKIPPED_DUPLICATE, FileResult
from .source import sha256_file
from .spec import CHANNEL_LABELS_TABLE, STAGE_LABELS_TABLE

_LINEAGE = "_source_system, _source_file, _file_hash, _row_number, _exported_at, _loaded_at, _run_id"


def land_stage_labels(con: duckdb.DuckDBPyConnection, mapping: MappingSource, run_id: str) -> FileResult:
    """Ledger-tracked like a data file, so a mapping's labels are provably loaded exactly once."""
    labels = [(label.pipeline, label.raw_label, label.stage) for label in mapping.fmt.stage_labels]
    return _land(con, mapping, run_id, STAGE_LABELS_TABLE, ("pipeline", "raw_label", "stage"), labels)


def land_channel_labels(
    con: duckdb.DuckDBPyConnection, mapping: MappingSource, run_id: str
) -> FileResult | None:
    """The mapping's lead-source label -> channel rows; None (no ledger row) when it declares none."""
    labels = [(label.raw_label, label.channel) for label in mapping.fmt.channel_labels]
    if not labels:
        return None
    return _land(con, mapping, run_id, CHANNEL_LABELS_TABLE, ("raw_label", "channel"), labels)


def _land(
    con: duckdb.DuckDBPyConnection,
    mapping: MappingSource,
    run_id: str,
    table: str,
    columns: tuple[str, ...],
    labels: Sequence[tuple[str, ...]],
) -> FileResult:
    started = _now()
    result = FileResult(
        source_file=mapping.label,
        status=LOADED,
        source_system=mapping.fmt.source_system,
        target_table=table,
        file_hash=sha256_file(mapping.path),
    )
    con.execute("begin transaction")
    try:
        # Per table: a mapping that gains channel_labels is new content, so both land again; the
        # staging models keep the last declaration of each label.
        if ledger.already_loaded(con, result.file_hash, table):
            result.status = SKIPPED_DUPLICATE
            result.message = "identical mapping content was loaded before"
        else:
            exported = datetime.fromtimestamp(mapping.path.stat().st_mtime, tz=timezone.utc).replace(
                tzinfo=None
            )
            lineage = (mapping.fmt.source_system, mapping.label, result.file_hash)
            rows = [
                (*label, *lineage, number, exported, started, run_id)
                for number, label in enumerate(labels, start=1)
            ]
            if rows:
                names = ", ".join((*columns, _LINEAGE))
                marks = ", ".join("?" * len(rows[0]))
                con.executemany(f"insert into {table} ({names}) values ({marks})", rows)
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
