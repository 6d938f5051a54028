"""The one exception a file's load can end with, and how its message reads."""

from __future__ import annotations

from .spec import SpecError

__all__ = ["LoadError", "SpecError", "first_line"]


class LoadError(Exception):
    """A file cannot be loaded at all.

    ``str()`` is the single message the user sees, in the shape
    ``<file>: line <n>: <what went wrong>; expected <what the spec wanted>``, so a ledger row or a
    log line explains the failure without a traceback.
    """

    def __init__(self, source_file: str, problem: str, line: int | None = None) -> None:
        self.source_file = source_file
        self.problem = problem
        self.line = line
        where = f"{source_file}: line {line}" if line is not None else source_file
        super().__init__(f"{where}: {problem}")


def first_line(exc: BaseException) -> str:
    """DuckDB errors carry multi-line context; the first line is the part a user can act on."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
