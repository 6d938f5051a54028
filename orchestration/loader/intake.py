"""How each thing found in the landing folder is taken in: a plain file once it is settled, an
archive member by member, and what is not read (refused, skipped, not settled) as a ledger row.

The load of one file itself is load.py's ``_load_file``, passed in as ``load_file(landed, tag)``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from datetime import datetime
from pathlib import Path

import duckdb

from . import archives, ledger, settle, workbooks
from .archives import ArchiveLimits, Verdict
from .discover import LandedArchive, LandedFile, LandedWorkbook, MappingSource, landed
from .errors import first_line
from .report import FAILED, NOT_SETTLED, REFUSED, FileResult

LoadFile = Callable[[LandedFile, str], FileResult]


def record_verdict(
    con: duckdb.DuckDBPyConnection, run_id: str, source_file: str, status: str, message: str
) -> FileResult:
    """The ledger row of something not read: refused, skipped or not settled."""
    now = ledger.now()
    result = FileResult(source_file=source_file, status=status, message=message)
    ledger.record(con, run_id, result, now, now)
    return result


def load_settled(
    con: duckdb.DuckDBPyConnection,
    landed_file: LandedFile,
    run_id: str,
    tag: str,
    settle_seconds: float,
    load_file: LoadFile,
) -> FileResult:
    """Load a plain file unless it was modified too recently; its stamp is taken before any read."""
    try:
        landed_file.stamp = settle.stamp(landed_file.path)
    except OSError:
        return load_file(landed_file, tag)  # gone or unreadable: the load says so
    age = settle.too_recent(landed_file.stamp, settle_seconds)
    if age is not None:
        message = settle.recent_message(landed_file.relative, age, settle_seconds)
        return record_verdict(con, run_id, landed_file.relative, NOT_SETTLED, message)
    return _unsettled_failure_deferred(con, run_id, landed_file, load_file(landed_file, tag))


def _unsettled_failure_deferred(
    con: duckdb.DuckDBPyConnection, run_id: str, landed_file: LandedFile, result: FileResult
) -> FileResult:
    """A file that failed while it was changing failed because it was half written (a row cut
    inside its quotes, a preallocated tail of NUL bytes): it is not_settled, not failed, and the
    next load retries it. Its failed row (written by the load, nothing else was) is re-labelled."""
    if result.status != FAILED or landed_file.stamp is None:
        return result
    after = settle.current(landed_file.origin or landed_file.path)
    if after == landed_file.stamp:
        return result
    message = settle.changed_message(landed_file.relative, landed_file.stamp, after)
    result.message = f"{message}; reading it failed with: {result.message}"
    result.status, result.file_hash = NOT_SETTLED, None
    ledger.relabel(con, run_id, result)
    return result


def load_archive(
    con: duckdb.DuckDBPyConnection,
    archive: LandedArchive,
    landing_dir: Path,
    sources: list[MappingSource],
    run_id: str,
    tag: str,
    settle_seconds: float,
    limits: ArchiveLimits,
    load_file: LoadFile,
) -> Iterator[FileResult]:
    """Each member of an archive, loaded like a plain file; settled when the archive is."""
    before = yield from _settled_container(con, run_id, archive.path, archive.relative, settle_seconds)
    if before is None:
        return

    def plan_member(source_file: str, match_relative: str) -> LandedFile | None:
        return landed(landing_dir / match_relative, source_file, sources, match_relative)

    # An archive still being written reads as corrupt (refused).
    entries = archives.entries(archive, plan_member, limits)
    yield from _load_members(
        con, run_id, tag, archive.path, archive.relative, before, entries, REFUSED, load_file
    )


def load_workbook(
    con: duckdb.DuckDBPyConnection,
    workbook: LandedWorkbook,
    sources: list[MappingSource],
    run_id: str,
    tag: str,
    settle_seconds: float,
    load_file: LoadFile,
) -> Iterator[FileResult]:
    """Each sheet of a workbook, loaded like a plain file; settled when the workbook is."""
    before = yield from _settled_container(con, run_id, workbook.path, workbook.relative, settle_seconds)
    if before is None:
        return
    scope = workbooks.in_scope(workbook.path, workbook.relative, sources)

    def plan_sheet(sheet: str, header: list[str]) -> workbooks.Candidate | str:
        return workbooks.recognise(scope, sheet, header)

    # A workbook still being written fails to open.
    entries = workbooks.entries(workbook, plan_sheet)
    yield from _load_members(
        con, run_id, tag, workbook.path, workbook.relative, before, entries, FAILED, load_file
    )


def _settled_container(
    con: duckdb.DuckDBPyConnection, run_id: str, path: Path, relative: str, settle_seconds: float
) -> Generator[FileResult, None, settle.Stamp | None]:
    """The stamp of an archive or a workbook taken before any read, or None once its ledger row
    says why it is not read now (gone or unreadable: failed; modified too recently: not_settled)."""
    try:
        before = settle.stamp(path)
    except OSError as exc:
        yield record_verdict(con, run_id, relative, FAILED, f"{relative}: {first_line(exc)}")
        return None
    age = settle.too_recent(before, settle_seconds)
    if age is not None:
        yield record_verdict(
            con, run_id, relative, NOT_SETTLED, settle.recent_message(relative, age, settle_seconds)
        )
        return None
    return before


def _load_members(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    tag: str,
    path: Path,
    relative: str,
    before: settle.Stamp,
    entries: Iterable[LandedFile | Verdict],
    unsettled_status: str,
    load_file: LoadFile,
) -> Iterator[FileResult]:
    """Load each member (archive member or sheet) like a plain file stamped with its container's
    stamp; a verdict is recorded, and one with `unsettled_status` while the container changed
    is not_settled: the container was still being written."""
    for number, entry in enumerate(entries):
        if isinstance(entry, Verdict):
            status, message = entry.status, entry.message
            after = settle.current(path)
            if status == unsettled_status and after != before:
                status, message = NOT_SETTLED, settle.changed_message(relative, before, after)
            yield record_verdict(con, run_id, entry.source_file, status, message)
        else:
            entry.stamp = before
            yield _unsettled_failure_deferred(con, run_id, entry, load_file(entry, f"{tag}_{number}"))


def deferred_as_unsettled(
    con: duckdb.DuckDBPyConnection,
    landed_file: LandedFile,
    result: FileResult,
    run_id: str,
    started: datetime,
) -> bool:
    """True (and its not_settled row written) when the landed file changed since its stamp was
    taken, before it was hashed: its staged rows may hold a half-written line, so none is written.
    Called after the file's rows are staged, before its transaction begins."""
    if landed_file.stamp is None:
        return False
    after = settle.current(landed_file.origin or landed_file.path)
    if after == landed_file.stamp:
        return False
    result.status = NOT_SETTLED
    result.message = settle.changed_message(landed_file.relative, landed_file.stamp, after)
    result.file_hash = None  # the hash is of content that is no longer there
    result.rows_read = result.rows_loaded = result.rows_quarantined = 0
    ledger.record(con, run_id, result, started, ledger.now())
    return True
