"""The new-exports sensor's first cursor: the files of the landing folder the loader's ledger
already holds, so turning the sensor on never reloads what `funnel run` (or `funnel load`) loaded.

The sensor's cursor is path -> [size, mtime]. A file counts as held when the ledger has a row for
its path (for an archive or a workbook, a row for one of its members or sheets: `<path>!...`),
other than not_settled, recorded after the file was last modified: the load that wrote that row
read the file as it is now. A mapping file has a ledger row only when it declares labels; any other
mapping counts as held when a load started after it was written (every load reads every mapping).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import duckdb

from orchestration.loader.report import NOT_SETTLED
from orchestration.loader.schema import LEDGER_TABLE
from orchestration.loader.workbooks import SHEET_SEPARATOR
from orchestration.warehouse.catalog import has_table

MAPPING_SUFFIXES = (".yml", ".yaml")
# An archive member is `<archive>!/<member>` (MEMBER_SEPARATOR), a workbook sheet `<workbook>!<sheet>`.
CONTAINER_SEPARATOR = SHEET_SEPARATOR


class LedgerBusy(Exception):
    """The warehouse is being written (DuckDB allows no reader beside a writer in another process)."""


def ledger_times(warehouse: Path) -> dict[str, datetime]:
    """Each source_file of the ledger -> when its latest row (not not_settled) started, naive UTC.
    Empty when there is no warehouse or no ledger yet: nothing is loaded."""
    if not warehouse.exists():
        return {}
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            if not has_table(con, *LEDGER_TABLE.split(".")):
                return {}
            rows = con.execute(
                f"select source_file, max(started_at) from {LEDGER_TABLE} "
                "where status <> ? and started_at is not null group by source_file",
                [NOT_SETTLED],
            ).fetchall()
    except duckdb.IOException as exc:  # the writer's lock: the next tick tries again
        raise LedgerBusy(str(exc).splitlines()[0]) from exc
    return {source_file: started for source_file, started in rows}


def _utc(mtime: float) -> datetime:
    return datetime.fromtimestamp(mtime, tz=timezone.utc).replace(tzinfo=None)


def held_files(files: dict[str, list[float]], times: dict[str, datetime]) -> dict[str, list[float]]:
    """The entries of `files` (path -> [size, mtime]) the ledger read as they are now."""
    read_at = _by_file(times)
    latest_load = max(times.values(), default=None)
    held = {}
    for path, stamp in files.items():
        read = read_at.get(path)
        if read is None and path.lower().endswith(MAPPING_SUFFIXES):
            read = latest_load
        if read is not None and read >= _utc(stamp[1]):
            held[path] = stamp
    return held


def _by_file(times: dict[str, datetime]) -> dict[str, datetime]:
    """Latest read of each file on disk: a member's or a sheet's row counts for its container.
    Every name before a `!` is a candidate container (a plain file's own name may hold one)."""
    read_at: dict[str, datetime] = {}
    for name, started in times.items():
        cuts = [len(name)] + [i for i, char in enumerate(name) if char == CONTAINER_SEPARATOR]
        for cut in cuts:
            container = name[:cut]
            read_at[container] = max(started, read_at.get(container, started))
    return read_at
