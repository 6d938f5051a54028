"""Find the landed files and, for each, the specs that may describe it, in priority order.

Priority: mapping files found in the landing tree (nearest folder first; each applies to its own
folder's subtree), then mapping files passed by the caller, then the built-in formats.

Which paths are looked at at all is walk.py's job (no symlink out of the landing folder). A ``.zip``
or ``.gz`` file becomes a LandedArchive; archives.py opens it and asks ``landed`` about each member,
named ``<archive>!/<member>``, so members are recognised exactly like plain files. A spreadsheet
workbook becomes a LandedWorkbook; workbooks.py reads it sheet by sheet. Any other file is NotRead:
it gets a ``skipped`` ledger row saying why and what to do, never silence.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import spec
from .settle import Stamp
from .spec import FileSpec, FormatSpec
from .walk import Walk, walk

MAPPING_GLOBS = ("mapping.yml", "mapping.yaml", "*.mapping.yml", "*.mapping.yaml")
ALWAYS_READ = (".csv",)
READ_IF_MAPPED = (".tsv", ".txt")  # only when a mapping's glob names them: a README.txt is not data
ARCHIVES = (".zip", ".gz")  # read member by member (archives.py)
# Archives the loader cannot open: ledgered as refused rather than ignored, they likely hold exports.
UNSUPPORTED_ARCHIVES = (".tar", ".tgz", ".tbz", ".tbz2", ".txz", ".bz2", ".xz", ".zst", ".7z", ".rar")
# Spreadsheets python-calamine reads: each sheet is loaded like a CSV (workbooks.py).
WORKBOOKS = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
# Excel and Word write ``~$<name>`` beside a document while it is open: a lock, not data.
OFFICE_OWNER_FILE = "~$"
READ_WHAT = (
    "the loader reads .csv, workbooks (.xlsx .xlsm .xlsb .xls .ods), .zip and .gz archives of CSVs, "
    "and .tsv/.txt files a mapping names"
)


@dataclass(frozen=True)
class MappingSource:
    path: Path
    label: str  # how messages and lineage name it: relative to the landing folder when inside it
    fmt: FormatSpec
    root: Path | None  # the folder it applies to; None for mappings passed by the caller


@dataclass(frozen=True)
class Candidate:
    spec: FileSpec
    label: str  # for messages: "salesforce" or "mapping crm_x/mapping.yml"


@dataclass
class LandedFile:
    path: Path
    relative: str  # POSIX path relative to the landing folder
    candidates: list[Candidate] = field(default_factory=list)  # specs whose glob matched, best first
    tried: list[str] = field(default_factory=list)  # every format considered, for the message
    # The file on disk whose size and mtime tell whether it is settled (settle.py): the archive for
    # an archive member (``path`` is then its temporary extracted copy), else ``path`` itself.
    origin: Path | None = None
    stamp: Stamp | None = None  # origin's stamp when the load first looked at it
    # For a workbook's sheet (``path`` is its rendered CSV): the sheet row of each data row, so
    # quarantine names the row a user sees in the spreadsheet (title and blank rows are not data).
    sheet_rows: tuple[int, ...] | None = None


@dataclass(frozen=True)
class LandedArchive:
    path: Path
    relative: str  # POSIX path relative to the landing folder


@dataclass(frozen=True)
class LandedWorkbook:
    path: Path
    relative: str  # POSIX path relative to the landing folder


@dataclass(frozen=True)
class NotRead:
    """A file the loader does not read, and why: it gets a ``skipped`` ledger row."""

    relative: str
    message: str


def _is_mapping(path: Path) -> bool:
    return any(fnmatch.fnmatch(path.name.lower(), g) for g in MAPPING_GLOBS)


def _visible(path: Path, root: Path) -> bool:
    return not any(part.startswith(".") for part in path.relative_to(root).parts)


def find_mappings(
    landing_dir: Path, mappings: Sequence[Path], landing: Walk | None = None
) -> list[MappingSource]:
    """Every mapping that applies, validated; a bad one raises SpecError naming file and key."""
    found: list[MappingSource] = []
    landing = landing or walk(landing_dir)
    in_tree = [p for p in landing.files if _is_mapping(p) and _visible(p, landing_dir)]
    # Deeper folders first, so the nearest mapping wins for a file.
    in_tree.sort(key=lambda p: (-len(p.relative_to(landing_dir).parts), p.as_posix()))
    for path in in_tree:
        label = path.relative_to(landing_dir).as_posix()
        found.append(MappingSource(path, label, spec.load_mapping(path), path.parent))
    for path in mappings:
        path = Path(path)
        found.append(MappingSource(path, path.as_posix(), spec.load_mapping(path), None))
    return found


def _candidates_for(
    path: Path, relative: str, mappings: list[MappingSource]
) -> tuple[list[Candidate], list[str]]:
    candidates: list[Candidate] = []
    tried: list[str] = []
    for source in mappings:
        if source.root is not None:
            if source.root not in path.parents:
                continue
            match_path = path.relative_to(source.root).as_posix()  # globs are relative to the mapping
        else:
            match_path = relative
        label = f"mapping {source.label}"
        tried.append(label)
        candidates += [Candidate(s, label) for s in source.fmt.files if s.matches(match_path)]
    for fmt in spec.builtin_formats():
        tried.append(fmt.source_system)
        candidates += [Candidate(s, fmt.source_system) for s in fmt.files if s.matches(relative)]
    return candidates, tried


def landed(
    path: Path, relative: str, mappings: list[MappingSource], match_relative: str | None = None
) -> LandedFile | None:
    """The data file at ``relative`` with its candidate specs, or None when it is not data.

    ``path`` places it for mapping scopes (for an archive member: ``<archive>!/<member>``);
    ``match_relative`` is what globs see when it differs from the name (``Lead.csv`` for ``Lead.csv.gz``).
    """
    match_relative = match_relative or relative
    suffix = Path(match_relative).suffix.lower()
    if suffix not in ALWAYS_READ + READ_IF_MAPPED:
        return None
    candidates, tried = _candidates_for(path, match_relative, mappings)
    if suffix in READ_IF_MAPPED and not candidates:
        return None
    return LandedFile(path, relative, candidates, tried)


def is_archive(name: str) -> bool:
    return name.lower().endswith(ARCHIVES)


def is_unsupported_archive(name: str) -> bool:
    return name.lower().endswith(UNSUPPORTED_ARCHIVES)


def is_workbook(name: str) -> bool:
    return name.lower().endswith(WORKBOOKS)


def not_read(relative: str) -> NotRead:
    """The skipped row of a file that is not data the loader reads, with what to do instead."""
    suffix = Path(relative).suffix.lower()
    if suffix in READ_IF_MAPPED:
        hint = f"a {suffix} file is read only when a mapping file's match names it (see docs/mapping.md)"
    elif suffix in (".yml", ".yaml"):
        hint = "a mapping file must be named mapping.yml or <name>.mapping.yml"
    else:
        kind = f"{suffix} files" if suffix else "files without an extension"
        hint = f"{kind} are not data the loader reads ({READ_WHAT}): export it as CSV or XLSX"
    return NotRead(relative, f"{relative}: not read; {hint}")


def discover(
    landing_dir: Path, mappings: list[MappingSource], landing: Walk | None = None
) -> list[LandedFile | LandedArchive | LandedWorkbook | NotRead]:
    """Everything under landing_dir in a stable order, files with their candidate specs."""
    found: list[LandedFile | LandedArchive | LandedWorkbook | NotRead] = []
    for path in (landing or walk(landing_dir)).files:
        if not _visible(path, landing_dir) or path.name.startswith(OFFICE_OWNER_FILE):
            continue
        relative = path.relative_to(landing_dir).as_posix()
        if is_archive(path.name) or is_unsupported_archive(path.name):
            found.append(LandedArchive(path, relative))
            continue
        if is_workbook(path.name):
            found.append(LandedWorkbook(path, relative))
            continue
        file = landed(path, relative, mappings)
        if file is not None:
            found.append(file)
        elif not _is_mapping(path):
            found.append(not_read(relative))
    return found
