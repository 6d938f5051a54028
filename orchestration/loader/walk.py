"""The files the loader may read under a landing folder: never through a symlink that leaves it.

A symlink is followed only when it resolves inside the landing folder. One that leads outside (a
file link to ``/etc/...``, a folder link to someone's home) is not read; when it is a folder, or a
file with a name the loader reads (``READ_SUFFIXES``), it is reported so the load can ledger it as
``refused``. Symlinked folders inside the landing folder are not walked: their files are already
read under their real path (and walking them could loop). Hidden names (a leading ``.``: a sync
tool's partial files, ``.DS_Store``) are skipped, and so are links that lead nowhere (dangling inside
the folder, or looping), as they hold nothing to read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# Names the loader reads: data, archives, workbooks and mapping files. Other names are not data.
READ_SUFFIXES = (".csv", ".tsv", ".txt", ".zip", ".gz", ".yml", ".yaml")
READ_SUFFIXES += (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")  # discover.WORKBOOKS (it imports this module)


@dataclass(frozen=True)
class Refusal:
    relative: str  # the link's POSIX path relative to the landing folder
    message: str


@dataclass
class Walk:
    files: list[Path] = field(default_factory=list)  # sorted; paths as found under the landing folder
    refused: list[Refusal] = field(default_factory=list)


def walk(landing_dir: Path) -> Walk:
    landing_dir = Path(landing_dir)
    root = landing_dir.resolve()
    found = Walk()
    _visit(landing_dir, landing_dir, root, found)
    found.files.sort()
    found.refused.sort(key=lambda r: r.relative)
    return found


def _visit(directory: Path, landing_dir: Path, root: Path, found: Walk) -> None:
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return  # an unreadable folder holds nothing the loader can read
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = directory / entry.name
        if entry.is_symlink():
            try:
                target = path.resolve()
            except (OSError, RuntimeError):  # a link loop (RuntimeError before Python 3.13): leads nowhere
                continue
            if not target.is_relative_to(root):
                if target.is_dir() or path.suffix.lower() in READ_SUFFIXES:
                    found.refused.append(_refusal(path, landing_dir, target))
                continue
            if entry.is_file():  # follows the link: a file inside the landing folder
                found.files.append(path)
            continue
        if entry.is_dir(follow_symlinks=False):
            _visit(path, landing_dir, root, found)
        elif entry.is_file(follow_symlinks=False):
            found.files.append(path)


def _refusal(path: Path, landing_dir: Path, target: Path) -> Refusal:
    relative = path.relative_to(landing_dir).as_posix()
    kind = "folder" if target.is_dir() else "file"
    return Refusal(
        relative,
        f"{relative}: a symbolic link to the {kind} {target}, outside the landing folder; not read "
        "(the loader reads only what is inside the landing folder: copy or move the export there)",
    )
