"""Find the landed files and, for each, the specs that may describe it, in priority order.

Priority: mapping files found in the landing tree (nearest folder first; each applies to its own
folder's subtree), then mapping files passed by the caller, then the built-in formats.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import spec
from .spec import FileSpec, FormatSpec

MAPPING_GLOBS = ("mapping.yml", "mapping.yaml", "*.mapping.yml", "*.mapping.yaml")
ALWAYS_READ = (".csv",)
READ_IF_MAPPED = (".tsv", ".txt")  # only when a mapping's glob names them: a README.txt is not data


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


def _is_mapping(path: Path) -> bool:
    return any(fnmatch.fnmatch(path.name.lower(), g) for g in MAPPING_GLOBS)


def _visible(path: Path, root: Path) -> bool:
    return not any(part.startswith(".") for part in path.relative_to(root).parts)


def find_mappings(landing_dir: Path, mappings: Sequence[Path]) -> list[MappingSource]:
    """Every mapping that applies, validated; a bad one raises SpecError naming file and key."""
    found: list[MappingSource] = []
    in_tree = sorted(
        p for p in landing_dir.rglob("*") if p.is_file() and _is_mapping(p) and _visible(p, landing_dir)
    )
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


def discover(landing_dir: Path, mappings: list[MappingSource]) -> list[LandedFile]:
    """The data files under landing_dir in a stable order, each with its candidate specs."""
    files: list[LandedFile] = []
    for path in sorted(landing_dir.rglob("*")):
        if not path.is_file() or not _visible(path, landing_dir):
            continue
        suffix = path.suffix.lower()
        if suffix not in ALWAYS_READ + READ_IF_MAPPED:
            continue
        relative = path.relative_to(landing_dir).as_posix()
        candidates, tried = _candidates_for(path, relative, mappings)
        if suffix in READ_IF_MAPPED and not candidates:
            continue
        files.append(LandedFile(path, relative, candidates, tried))
    return files
