"""Row counts of the last run whose gate passed, per warehouse, in a small JSON file in
DAGSTER_HOME (quality_row_counts.json). Outside the warehouse on purpose: a warehouse rebuilt
from a partial landing folder is exactly the shrink the band must catch, and it would take a
baseline stored inside it down with it. Only a passing run records counts, so a run that lost
rows cannot make the loss the new normal by being run again; the first run (no file) passes."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import datetime, timezone
from math import ceil, floor
from pathlib import Path

from .spec import ROW_COUNT_BELOW

BASELINE_FILE = "quality_row_counts.json"


def baseline_path(dagster_home: Path) -> Path:
    return dagster_home / BASELINE_FILE


def read_baseline(dagster_home: Path, warehouse: Path) -> dict[str, int]:
    path = baseline_path(dagster_home)
    if not path.exists():
        return {}
    entry = json.loads(path.read_text()).get(str(warehouse), {})
    return {table: int(count) for table, count in entry.get("row_counts", {}).items()}


def record_baseline(dagster_home: Path, warehouse: Path, counts: Mapping[str, int], run_id: str) -> None:
    """Replace this warehouse's recorded counts; written beside and renamed, so never half a file."""
    if not counts:
        return
    path = baseline_path(dagster_home)
    document = json.loads(path.read_text()) if path.exists() else {}
    document[str(warehouse)] = {
        "recorded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "run_id": run_id,
        "row_counts": dict(sorted(counts.items())),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    scratch.write_text(json.dumps(document, indent=2))
    os.replace(scratch, path)


def band_kwargs(check: str, previous: int | None, band: float) -> dict[str, int]:
    """Bounds of the row-count check `check` (below / above) around the previous count; with no
    previous count, a bound every table meets (the first run passes)."""
    if previous is None:
        return {"min_value": 0}
    if check == ROW_COUNT_BELOW:
        return {"min_value": ceil(previous * (1 - band))}
    return {"min_value": 0, "max_value": floor(previous * (1 + band))}
