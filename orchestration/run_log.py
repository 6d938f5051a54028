"""Where a refresh's event log goes: always the run storage (Dagster's instance) and a log file
per run, and the terminal only with `funnel run --verbose`.

The file gets what the terminal got before: Dagster's events at DEBUG in its console format, and,
in the quiet mode, everything the run writes to stdout and stderr (dagster-dbt echoes each dbt
line to stdout; Great Expectations draws progress bars on stderr; libraries warn)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import TextIO

from dagster import Field, LoggerDefinition, colored_console_logger, logger

FILE_LOGGER = "run_log_file"
CONSOLE_LOGGER = "console"
# Dagster's own console format, so the file reads like `--verbose` (and tools that parse it work).
LINE_FORMAT = "%(asctime)s - %(name)s - %(levelname)s - %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S %z"


def run_log_path(dagster_home: Path, run_id: str) -> Path:
    """One file per run, beside the run history it belongs to."""
    return dagster_home / "logs" / f"{run_id}.log"


@logger(
    Field({"path": Field(str, description="The log file (appended to).")}),
    description="Every Dagster event of the run, at DEBUG, to a file.",
)
def run_log_file(init_context) -> logging.Logger:  # noqa: ANN001 - InitLoggerContext
    path = Path(init_context.logger_config["path"])
    path.parent.mkdir(parents=True, exist_ok=True)
    # Not logging.getLogger: a logger of its own, so nothing else's handlers or level apply.
    file_logger = logging.Logger("dagster", level=logging.DEBUG)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(LINE_FORMAT, DATE_FORMAT))
    file_logger.addHandler(handler)
    return file_logger


def logger_defs(extra: dict[str, LoggerDefinition] | None = None) -> dict[str, LoggerDefinition]:
    return {CONSOLE_LOGGER: colored_console_logger, FILE_LOGGER: run_log_file, **(extra or {})}


def logger_config(path: Path, verbose: bool, extra: list[str] | None = None) -> dict:
    """The run config's `loggers`: the file always, the console (DEBUG, as Dagster's default)
    only when verbose, and the extra loggers (the CLI's step account) with no config."""
    loggers: dict[str, dict] = {FILE_LOGGER: {"config": {"path": str(path)}}}
    if verbose:
        loggers[CONSOLE_LOGGER] = {"config": {"log_level": "DEBUG"}}
    for name in extra or []:
        loggers[name] = {}
    return {"loggers": loggers}


class _Lines(io.TextIOBase):
    """A text stream into the run log, without a file descriptor: Dagster's compute-log capture
    then leaves it alone (it swaps descriptors and tails files back to the terminal otherwise)."""

    def __init__(self, target: TextIO) -> None:
        self._target = target

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._target.write(text)
        return len(text)

    def flush(self) -> None:
        self._target.flush()

    def isatty(self) -> bool:
        return False


@contextmanager
def terminal_into(path: Path, quiet: bool) -> Iterator[None]:
    """In the quiet mode, what the run prints to stdout and stderr goes to the run log instead."""
    if not quiet:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8", buffering=1) as file:
        lines = _Lines(file)
        with redirect_stdout(lines), redirect_stderr(lines):
            yield
