"""Load a landing folder: recognise, read, validate and insert each file in its own transaction.

Only what is inside the landing folder (walk.py), settled (settle.py) and, for archives, safe to
extract (archives.py) is read; everything else gets a ledger row saying why not.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from . import intake, ledger, write
from .archives import ArchiveLimits
from .detect import Detection, detect, missing_declared
from .discover import LandedArchive, LandedFile, LandedWorkbook, NotRead, discover, find_mappings
from .errors import LoadError, first_line
from .read import Staged, drop_temp_tables, drop_work_schema, reset_work_schema, stage_csv, work_place
from .report import (
    FAILED,
    LOADED,
    LOADED_WITH_QUARANTINE,
    REFUSED,
    SKIPPED,
    SKIPPED_DUPLICATE,
    UNRECOGNISED,
    FileResult,
    LoadReport,
)
from .schema import ensure_raw_tables
from .source import exported_at, prepared, sha256_file
from .spec import FileSpec
from .stage_labels import land_channel_labels, land_stage_labels
from .validate import Plan, plan, typed_table_sql
from .walk import walk

Warehouse = Path | str | duckdb.DuckDBPyConnection


def load_folder(
    warehouse: Warehouse,
    landing_dir: Path,
    mappings: Sequence[Path] = (),
    run_id: str | None = None,
    on_file: Callable[[FileResult], None] | None = None,
    duckdb_config: Mapping[str, str] | None = None,
    settle_seconds: float = 0.0,
    archive_limits: ArchiveLimits | None = None,
) -> LoadReport:
    """Load every recognisable file under ``landing_dir`` into the raw layer.

    ``duckdb_config`` (e.g. memory_limit, threads from Settings.duckdb_config()) applies when the
    loader opens the warehouse itself: without a limit DuckDB takes up to 80% of RAM parsing big files.

    A bad mapping raises SpecError before anything is written. A file that cannot be read is
    recorded as ``failed`` in the ledger and never stops the others. A file modified less than
    ``settle_seconds`` ago (Settings.settle_seconds, FUNNEL_SETTLE_SECONDS), or that changes while
    it is read, is ``not_settled``: nothing of it is loaded and the next load retries it.
    """
    landing_dir = Path(landing_dir)
    if not landing_dir.is_dir():
        raise FileNotFoundError(f"landing folder {landing_dir} does not exist")
    landing = walk(landing_dir)
    sources = find_mappings(landing_dir, mappings, landing)  # validates every mapping first
    run_id = run_id or _new_run_id()
    con = (
        warehouse
        if isinstance(warehouse, duckdb.DuckDBPyConnection)
        else duckdb.connect(str(warehouse), config=dict(duckdb_config or {}))
    )
    try:
        # DuckDB's own progress bar would draw over the caller's (the CLI has one per file).
        con.execute("set enable_progress_bar = false")
        ensure_raw_tables(con)
        reset_work_schema(con)
        report = LoadReport(run_id)
        seen: set[str] = set()
        for source in sources:
            if source.path.resolve() in seen:
                continue
            seen.add(source.path.resolve())
            _emit(report, land_stage_labels(con, source, run_id), on_file)
            channel_labels = land_channel_labels(con, source, run_id)
            if channel_labels is not None:
                _emit(report, channel_labels, on_file)
        for refusal in landing.refused:
            _emit(
                report,
                intake.record_verdict(con, run_id, refusal.relative, REFUSED, refusal.message),
                on_file,
            )

        def load_file(landed: LandedFile, tag: str) -> FileResult:
            return _load_file(con, landed, run_id, tag)

        for number, found in enumerate(discover(landing_dir, sources, landing)):
            tag = f"{number}_{uuid.uuid4().hex[:8]}"
            if isinstance(found, LandedArchive):
                limits = archive_limits or ArchiveLimits()
                for result in intake.load_archive(
                    con, found, landing_dir, sources, run_id, tag, settle_seconds, limits, load_file
                ):
                    _emit(report, result, on_file)
            elif isinstance(found, LandedWorkbook):
                for result in intake.load_workbook(
                    con, found, sources, run_id, tag, settle_seconds, load_file
                ):
                    _emit(report, result, on_file)
            elif isinstance(found, NotRead):
                _emit(
                    report,
                    intake.record_verdict(con, run_id, found.relative, SKIPPED, found.message),
                    on_file,
                )
            else:
                _emit(
                    report, intake.load_settled(con, found, run_id, tag, settle_seconds, load_file), on_file
                )
        drop_work_schema(con)
        return report
    finally:
        if con is not warehouse:
            con.close()


def _emit(report: LoadReport, result: FileResult, on_file: Callable[[FileResult], None] | None) -> None:
    report.files.append(result)
    if on_file is not None:
        on_file(result)


def _load_file(con: duckdb.DuckDBPyConnection, landed: LandedFile, run_id: str, tag: str) -> FileResult:
    started = _now()
    result = FileResult(source_file=landed.relative, status=FAILED)
    try:
        detection = detect(landed)
        if detection is None:
            result.status = UNRECOGNISED
            result.message = (
                f"{landed.relative}: no format recognises this file name; tried {', '.join(landed.tried)}"
            )
        else:
            result.source_system = detection.spec.source_system
            result.target_table = detection.spec.table
            _load_recognised(con, landed, detection, result, run_id, tag, started)
            return result  # its ledger row was written inside the file's transaction
    except LoadError as exc:
        result.message = str(exc)
    except (duckdb.Error, OSError, ValueError) as exc:
        result.message = f"{landed.relative}: {first_line(exc)}"
    except Exception as exc:  # noqa: BLE001 - one odd file must not stop the folder
        # Anything unforeseen (a csv.Error, a codec's RuntimeError, a bug) still ends as this
        # file's ledger row, one line naming the file and the exception; Ctrl-C still stops the run.
        result.message = f"{landed.relative}: {type(exc).__name__}: {first_line(exc)}"
    if result.status != UNRECOGNISED:
        result.status = FAILED  # even when the failure came after the counts were known
    result.rows_read = result.rows_loaded = result.rows_quarantined = 0
    if result.file_hash is None:
        result.file_hash = _hash_or_none(landed.path)
    ledger.record(con, run_id, result, started, _now())
    return result


def _load_recognised(
    con: duckdb.DuckDBPyConnection,
    landed: LandedFile,
    detection: Detection,
    result: FileResult,
    run_id: str,
    tag: str,
    started: datetime,
) -> None:
    spec = detection.spec
    temp: tuple[str, ...] = ()
    with prepared(landed.path, detection.encoding, landed.relative) as file:
        result.file_hash = file.file_hash
        first = ledger.already_loaded(con, file.file_hash)
        if first is not None:
            result.status = SKIPPED_DUPLICATE
            result.message = f"identical content was loaded by run {first[0]} from {first[1]}"
            ledger.record(con, run_id, result, started, _now())
            return
        try:
            place = work_place(con, file.csv_path)
            staged: Staged = stage_csv(
                con, file.csv_path, spec.options.delimiter, len(detection.header), tag, place
            )
            temp = staged.temp_tables
            lines = None
            if landed.sheet_rows is not None:
                lines = write.sheet_lines(con, landed.sheet_rows, f"_lines_{tag}")
                temp += (lines,)
            file_plan = plan(spec, detection.header)
            typed = place.name(f"_typed_{tag}")
            temp += (typed,)
            con.execute(
                typed_table_sql(spec, file_plan, staged.table, typed, loaded_at=started, create=place.create)
            )
            loaded_at = _now()
            lineage = write.Lineage(
                spec.source_system,
                landed.relative,
                file.file_hash,
                exported_at(landed.relative, landed.path),
                loaded_at,
                run_id,
                lines,
            )
            result.rows_loaded = write.count(con, typed, good=True)
            result.rows_quarantined = write.count(con, typed, good=False) + staged.rows_malformed
            result.rows_read = staged.rows_good + staged.rows_malformed
            result.status = LOADED_WITH_QUARANTINE if result.rows_quarantined else LOADED
            result.message = missing_declared(spec, detection.header)
            if intake.deferred_as_unsettled(con, landed, result, run_id, started):
                return
            _commit_file(con, spec, file_plan, typed, staged, lineage, result, run_id, started)
        finally:
            drop_temp_tables(con, temp)


def _commit_file(
    con: duckdb.DuckDBPyConnection,
    spec: FileSpec,
    file_plan: Plan,
    typed: str,
    staged: Staged,
    lineage: write.Lineage,
    result: FileResult,
    run_id: str,
    started: datetime,
) -> None:
    """All of one file's writes, or none of them."""
    con.execute("begin transaction")
    try:
        write.insert_raw(con, spec, file_plan, typed, lineage)
        write.insert_children(con, spec, file_plan, typed, lineage)
        write.insert_quarantine(con, spec, file_plan, typed, staged.rejects, lineage)
        ledger.remember(con, run_id, result, lineage.loaded_at)
        ledger.record(con, run_id, result, started, _now())
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _hash_or_none(path: Path) -> str | None:
    try:
        return sha256_file(path)
    except OSError:
        return None


def _new_run_id() -> str:
    return f"{_now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)
