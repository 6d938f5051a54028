"""Spreadsheet workbooks (.xlsx .xlsm .xlsb .xls .ods): every sheet a format or mapping recognises
is loaded like a CSV, through the same detection, validation, quarantine, ledger and lineage.

Each sheet is named ``<workbook>!<sheet>`` (``crm/Lead.xlsx!Leads``, Excel's own way of naming a
sheet) in the ledger, in quarantine and in ``_source_file``. python-calamine reads the workbook: a
Rust reader, over 30 times faster than openpyxl on a 100,000-row sheet, that also reads .xls and
.ods (orchestration/bench/xlsx_readers.py). A recognised sheet is rendered to a temporary UTF-8 CSV
(cells.py turns typed cells into text the validators parse) that the ordinary CSV path loads; its
hash is that text's, so the same rows in a re-saved workbook are a duplicate.

Which spec a sheet belongs to: first a spec whose ``match`` glob fits one of the sheet's names
(``Lead.xlsx!Leads``, ``Lead.xlsx``, the workbook as ``Lead.csv``, the sheet as ``Leads.csv``) and
whose required columns the header has; else the spec in scope whose required columns the header has
and that knows most of its columns (a mapping before a built-in format on a tie). The header is the
first non-blank row that is recognised within HEADER_SEARCH_ROWS (report exports put a title above
it). A sheet nothing recognises, an empty sheet and a chart sheet are ledgered ``skipped`` with why.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import python_calamine

from . import cells, spec
from .archives import Verdict
from .detect import describe, missing_required, norm
from .discover import Candidate, LandedFile, LandedWorkbook, MappingSource
from .report import FAILED, SKIPPED
from .spec import FileSpec

SHEET_SEPARATOR = "!"
HEADER_SEARCH_ROWS = 20  # non-blank rows looked at for the header (title rows come first)
HEADERS_SHOWN = 6


def sheet_name(workbook_relative: str, sheet: str) -> str:
    return f"{workbook_relative}{SHEET_SEPARATOR}{sheet}"


@dataclass(frozen=True)
class Scoped:
    """A spec in scope for the workbook and the names its globs see (relative to its mapping)."""

    candidate: Candidate
    relative: str  # the workbook's path as this spec's globs see it


def in_scope(path: Path, relative: str, mappings: list[MappingSource]) -> list[Scoped]:
    """Every spec that may describe a sheet of the workbook at ``path``, best first (as discover)."""
    found: list[Scoped] = []
    for source in mappings:
        seen = relative
        if source.root is not None:
            if source.root not in path.parents:
                continue
            seen = path.relative_to(source.root).as_posix()
        found += [Scoped(Candidate(s, f"mapping {source.label}"), seen) for s in source.fmt.files]
    for fmt in spec.builtin_formats():
        found += [Scoped(Candidate(s, fmt.source_system), relative) for s in fmt.files]
    return found


def _names(workbook: str, sheet: str) -> tuple[str, ...]:
    folder = PurePosixPath(workbook).parent
    as_csv = PurePosixPath(workbook).with_suffix(".csv").as_posix()
    return (sheet_name(workbook, sheet), workbook, as_csv, (folder / f"{sheet}.csv").as_posix())


def _known(spec_: FileSpec, header: list[str]) -> int:
    columns = {norm(h) for h in spec_.columns}
    return sum(norm(h) in columns for h in header if h)


def recognise(scope: list[Scoped], sheet: str, header: list[str]) -> Candidate | str:
    """The candidate for a sheet with this header, or why there is none."""
    named = [
        s.candidate for s in scope if any(s.candidate.spec.matches(n) for n in _names(s.relative, sheet))
    ]
    for candidate in named:
        if not missing_required(candidate.spec, header):
            return candidate
    scored = [
        (_known(s.candidate.spec, header), i, s.candidate)
        for i, s in enumerate(scope)
        if s.candidate.spec.required_headers and not missing_required(s.candidate.spec, header)
    ]
    if scored:
        best = max(score for score, _, _ in scored)
        tied = [c for score, _, c in sorted(scored, key=lambda t: t[1]) if score == best]
        same_source = [c for c in tied if c.label == tied[0].label]
        if len(same_source) == 1:
            return tied[0]
        tables = ", ".join(c.spec.table for c in same_source)
        return f"its header fits {len(same_source)} specs of {tied[0].label} equally ({tables})"
    if named:
        missing = ", ".join(missing_required(named[0].spec, header))
        return f"it lacks required column(s) {missing} of {describe(named[0].spec, named[0].label)}"
    return "no format or mapping recognises its header"


@dataclass(frozen=True)
class Header:
    row: int  # 1-based sheet row
    cells: list[str]


PlanSheet = Callable[[str, list[str]], Candidate | str]


def entries(workbook: LandedWorkbook, plan: PlanSheet) -> Iterator[LandedFile | Verdict]:
    """Each recognised sheet as a LandedFile whose ``path`` is its rendered CSV (deleted when the
    caller asks for the next entry), and a Verdict for each sheet not loaded."""
    try:
        book = python_calamine.CalamineWorkbook.from_path(os.fspath(workbook.path))
    except Exception as exc:  # noqa: BLE001 - calamine raises its own errors for every kind of bad file
        yield Verdict(workbook.relative, FAILED, f"{workbook.relative}: {_unreadable(exc)}")
        return
    with book, tempfile.TemporaryDirectory(prefix="funnel-workbook-") as scratch:
        for number, meta in enumerate(book.sheets_metadata):
            name = sheet_name(workbook.relative, meta.name)
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                yield Verdict(name, SKIPPED, f"{name}: not a worksheet ({meta.typ.name}); it holds no rows")
                continue
            try:
                rows = iter(book.get_sheet_by_name(meta.name).iter_rows())
                entry = _sheet(rows, name, meta.name, plan, Path(scratch) / f"{number}.csv")
            except Exception as exc:  # noqa: BLE001 - one bad sheet must not stop the others
                entry = Verdict(name, FAILED, f"{name}: {_unreadable(exc)}")
            if isinstance(entry, Verdict):
                yield entry
                continue
            try:
                stat = workbook.path.stat()  # _exported_at falls back to the workbook's mtime
                os.utime(entry.path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
                entry.origin = workbook.path
                yield entry
            finally:
                entry.path.unlink(missing_ok=True)


def _unreadable(exc: Exception) -> str:
    return (
        f"not a readable workbook (corrupt, incomplete or password-protected): {type(exc).__name__}: "
        f"{str(exc).splitlines()[0] if str(exc) else ''}"
    )


def _sheet(
    rows: Iterator[list[object]], name: str, sheet: str, plan: PlanSheet, target: Path
) -> LandedFile | Verdict:
    tried: list[tuple[int, list[str], str]] = []  # non-blank rows looked at, and why each is no header
    header: Header | None = None
    outcome: Candidate | str = ""
    for number, row in enumerate(rows, start=1):
        if cells.blank(row):
            continue
        shown = cells.header(row)
        outcome = plan(sheet, shown)
        if isinstance(outcome, Candidate):
            header = Header(number, shown)
            break
        tried.append((number, shown, outcome))
        if len(tried) >= HEADER_SEARCH_ROWS:
            break
    if header is None or not isinstance(outcome, Candidate):
        return Verdict(name, SKIPPED, _skipped_message(name, tried))
    options = outcome.spec.options
    with target.open("w", encoding="utf-8-sig", newline="") as out:
        # The BOM makes detection read UTF-8 whatever encoding the mapping declares for its CSVs.
        writer = csv.writer(out, delimiter=options.delimiter, quotechar='"', lineterminator="\n")
        writer.writerow(header.cells)
        # ``rows`` goes on right after the header row.
        rest = enumerate(rows, start=header.row + 1)
        sheet_rows = cells.write_rows(writer, rest, len(header.cells), options.decimal_separator)
    return LandedFile(target, name, [outcome], [outcome.label], sheet_rows=tuple(sheet_rows))


def _skipped_message(name: str, tried: list[tuple[int, list[str], str]]) -> str:
    if not tried:
        return f"{name}: the sheet is empty; not read"
    # The fullest row is the likeliest header: a title row above it has one cell.
    number, header, reason = max(tried, key=lambda t: (sum(bool(h) for h in t[1]), -t[0]))
    shown = [h for h in header if h]
    listed = ", ".join(shown[:HEADERS_SHOWN]) + (", ..." if len(shown) > HEADERS_SHOWN else "")
    return (
        f"{name}: {reason} (its header, row {number}: {listed}); not read. Describe its columns in a "
        "mapping file (docs/mapping.md), or name the sheet or the workbook after the export (e.g. Lead)"
    )
