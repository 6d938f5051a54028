"""The one error style: every failure a user can meet reads as one line naming the problem and the
fix. FunnelError carries such a line; one_line() turns the other errors the product meets
(DuckDB's, the file system's, the loader's) into one. The CLI prints it (orchestration/cli_errors.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

# The variables that choose where the product writes: the fix for a path it cannot write.
PATH_VARIABLES = "FUNNEL_WAREHOUSE, FUNNEL_PUBLISHED, FUNNEL_REPORT, DAGSTER_HOME"
_CHECK_PATH = f"check the path, or the variable that sets it ({PATH_VARIABLES})"
# DuckDB quotes the file it could not open: 'IO Error: Cannot open file "/x/y.duckdb": Permission denied'
_QUOTED_FILE = re.compile(r'"(?P<path>[^"]+)"')
# 'Catalog Error: Table with name ledger does not exist!'
_MISSING_TABLE = re.compile(r"Table with name (?P<table>\S+) does not exist")


class FunnelError(Exception):
    """A problem the user can fix; str() is the one line that names it and the fix."""


def missing_warehouse(warehouse: Path) -> FunnelError:
    return FunnelError(
        f"no warehouse at {warehouse}: run `funnel run` (or `funnel load` then `funnel build`) first, "
        "or set FUNNEL_WAREHOUSE to the warehouse file"
    )


def require_warehouse(warehouse: Path) -> None:
    """Raise before a command that only reads opens a warehouse that is not there: DuckDB would
    fail with its own message, and a read-write open would create an empty file."""
    if not warehouse.is_file():
        raise missing_warehouse(warehouse)


def one_line(exc: BaseException) -> str:
    """The error as one line: the problem and, where it is known, the fix."""
    if isinstance(exc, FunnelError):
        # written for the user, in full: one line, except a failed build's list of failing nodes
        return str(exc).strip()
    if isinstance(exc, PermissionError):
        return _permission_denied(exc.filename or "a file")
    if isinstance(exc, FileExistsError):  # mkdir of a folder where a file of that name is
        return f"cannot create the folder {exc.filename}: a file is in the way; {_CHECK_PATH}"
    if isinstance(exc, OSError) and exc.filename:
        return f"cannot use {exc.filename}: {exc.strerror or exc}; {_CHECK_PATH}"
    if isinstance(exc, duckdb.Error):
        return _duckdb_line(exc)
    if type(exc).__name__ == "DbtError":  # what failed, then the failing nodes: all of it, on one line
        return "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    if type(exc).__module__.startswith("orchestration."):
        return _first_line(exc)  # loader, lock, salt: messages written for users, naming the fix
    return (
        f"unexpected {type(exc).__name__}: {_first_line(exc)} "
        "(run again with --debug for the traceback, and report it)"
    )


def _duckdb_line(exc: duckdb.Error) -> str:
    text = _first_line(exc)
    quoted = _QUOTED_FILE.search(text)
    path = quoted["path"] if quoted else "the warehouse"
    if "Conflicting lock" in text or "Could not set lock" in text:
        return f"{path} is open for writing in another process: wait for it to finish, or stop it"
    if "Permission denied" in text:
        return _permission_denied(path)
    if "database does not exist" in text or "No such file or directory" in text:
        return str(missing_warehouse(Path(path)))
    missing = _MISSING_TABLE.search(text)
    if missing:
        return (
            f"the warehouse has no table {missing['table'].rstrip('!')}: run `funnel build` "
            "(or `funnel run`) to build it"
        )
    return f"{text} (run again with --debug for the traceback)"


def _permission_denied(path: object) -> str:
    return (
        f"cannot write {path}: permission denied; choose a writable location ({PATH_VARIABLES}) "
        "or fix the folder's permissions"
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
