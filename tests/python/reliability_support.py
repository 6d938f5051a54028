"""Shared by the reliability tests: one small set of exports and one reference build per session.

The exports are two daily exports of one simulated company (800 leads): every format from
2025-06-29, and the Salesforce opportunities again from 2025-06-30 with some deals moved on. Each file sits under a date folder, so its
export date comes from the path and not from a file time that differs between copies.

Builds pin FUNNEL_AS_OF: open spells otherwise run to the clock and two builds a minute apart
would differ. The exports and the reference build are made once per run (conftest.shared_folder)
and reused by the idempotency, crash, reader and privacy tests.
"""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from conftest import load_and_build, settings_in, shared_folder

from orchestration.settings import Settings

LEADS = 800
SEED = 11
AS_OF = "2025-07-01 00:00:00"
DAY_ONE = "2025-06-29"
DAY_TWO = "2025-06-30"
# (format folder, export day): the units the order tests load one at a time.
UNITS = (
    ("generic", DAY_ONE),
    ("hubspot", DAY_ONE),
    ("marketing", DAY_ONE),
    ("salesforce", DAY_ONE),
    ("salesforce", DAY_TWO),
)


@dataclass(frozen=True)
class Reference:
    exports: Path  # landing folder with every unit: <format>/<day>/...
    settings: Settings  # the warehouse built from loading `exports` once, in one go
    marts: dict[str, tuple[int, int]]  # mart checksums of that build
    raw: dict[str, tuple[int, int]]  # raw-layer checksums (lineage columns that vary per run left out)


def reliability_settings(directory: Path) -> Settings:
    return settings_in(directory, FUNNEL_AS_OF=AS_OF)


def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two daily exports, generated once per run (landing layout <format>/<day>/)."""
    return shared_folder(tmp_path_factory, "reliability_exports", _generate_exports)


def _generate_exports(landing: Path) -> None:
    from simulator import generate

    generated = landing.parent / f"{landing.name}_generated"
    shutil.rmtree(generated, ignore_errors=True)
    generate(out_dir=generated, leads=LEADS, seed=SEED, as_of=date.fromisoformat(DAY_ONE))
    for fmt, _ in UNITS[:4]:
        shutil.copytree(generated / fmt, landing / fmt / DAY_ONE)
    shutil.copy(generated / "truth.json", landing / "truth.json")
    _next_day_opportunities(generated / "salesforce" / "Opportunity.csv", landing / "salesforce" / DAY_TWO)


def _next_day_opportunities(day_one: Path, folder: Path) -> None:
    """The next day's Opportunity export: the same deals, the open ones in Qualification moved on to
    Needs Analysis that morning (a current-state export, so the move is snapshot evidence)."""
    with day_one.open(newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    stage, closed = header.index("StageName"), header.index("IsClosed")
    modified = [header.index("LastModifiedDate"), header.index("SystemModstamp")]
    moved = 0
    for row in rows[1:]:
        if row[stage] == "Qualification" and row[closed] == "0":
            row[stage] = "Needs Analysis"
            for column in modified:
                row[column] = f"{DAY_TWO}T09:00:00.000+0000"
            moved += 1
    assert moved > 0, "the day-one export has no open deal in Qualification to move"
    folder.mkdir(parents=True)
    with (folder / "Opportunity.csv").open("w", newline="") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)


def raw_checksums(warehouse: Path) -> dict[str, tuple[int, int]]:
    """Raw and loader tables without the columns that name the run (those differ per load by design)."""
    import duckdb

    from orchestration.loader.spec import raw_table_schemas

    exclusions = {
        "loader.quarantine": "exclude (run_id)",
        "loader.files": "exclude (first_run_id, first_loaded_at)",
    }
    result = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in [*raw_table_schemas(), "loader.quarantine", "loader.files"]:
            excluded = exclusions.get(table, "exclude (_run_id, _loaded_at)")
            result[table] = con.execute(
                f"select count(*), coalesce(sum(hash(t)), 0) from (select * {excluded} from {table}) as t"
            ).fetchone()
    return result


def load_units(settings: Settings, source: Path, landing: Path, order: tuple[tuple[str, str], ...]) -> None:
    """Land the units one at a time in `order`, loading after each: files already loaded are skipped
    by content hash, so each load adds exactly the newly landed unit."""
    from orchestration.pipeline import load_exports

    for fmt, day in order:
        shutil.copytree(source / fmt / day, landing / fmt / day)
        report = load_exports(settings, landing, [])
        assert not report.failed, [r.message for r in report.failed]


def reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    """The reference build, made once per run whichever reliability test asks first."""
    from orchestration.warehouse.checksum import warehouse_checksums

    landing = exports(tmp_path_factory)
    settings = reliability_settings(
        shared_folder(
            tmp_path_factory,
            "reliability_reference",
            lambda folder: load_and_build(reliability_settings(folder), landing),
        )
    )
    return Reference(
        landing, settings, warehouse_checksums(settings.warehouse), raw_checksums(settings.warehouse)
    )
