"""The schedule and the sensor start stopped, and turning the sensor on after a load reloads nothing:
its first tick takes the files the ledger already holds as seen, and only a new or changed file
requests a run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import settings_in
from dagster import (
    DagsterInstance,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    SkipReason,
    build_sensor_context,
)

from orchestration.sensor_baseline import LedgerBusy, held_files, ledger_times
from orchestration.sensors import new_exports_sensor

AN_HOUR_AGO = time.time() - 3600  # settled for the sensor (it waits at least 30 s)
LEAD_CSV = '"Id","Email","Status","CreatedDate"\n"00Q1","a@example.com","Open","2024-01-02T10:00:00.000Z"\n'
OPPORTUNITY_CSV = (
    '"Id","StageName","Amount","CreatedDate"\n"0061","Prospecting","10","2024-01-02T10:00:00.000Z"\n'
)


def test_the_schedule_and_the_sensor_start_stopped(make_settings) -> None:  # noqa: ANN001
    from orchestration.definitions import build_definitions

    defs = build_definitions(make_settings())
    assert defs.get_schedule_def("daily_refresh").default_status == DefaultScheduleStatus.STOPPED
    assert defs.get_sensor_def("new_exports_sensor").default_status == DefaultSensorStatus.STOPPED


def _write(path: Path, text: str, mtime: float = AN_HOUR_AGO) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, (mtime, mtime))
    return path


def _landing_with_an_archive(landing: Path) -> None:
    """A plain Salesforce CSV and a Data Export .ZIP holding another: the ledger names the second
    by its member (`export.zip!/Opportunity.csv`), never by the archive."""
    _write(landing / "salesforce" / "Lead.csv", LEAD_CSV)
    archive = landing / "salesforce" / "WE_00D_1.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("Opportunity.csv", OPPORTUNITY_CSV)
    os.utime(archive, (AN_HOUR_AGO, AN_HOUR_AGO))


@pytest.fixture
def loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201 - (Settings, landing)
    """A landing folder loaded by `funnel load`'s function, and the sensor's environment."""
    from orchestration.pipeline import load_exports

    landing = tmp_path / "landing"
    _landing_with_an_archive(landing)
    settings = settings_in(tmp_path / "wh", FUNNEL_LANDING_DIR=str(landing))
    report = load_exports(settings, landing, [])
    assert not report.failed, [r.message for r in report.failed]
    monkeypatch.setenv("FUNNEL_WAREHOUSE", str(settings.warehouse))
    monkeypatch.setenv("FUNNEL_LANDING_DIR", str(landing))
    monkeypatch.setenv("FUNNEL_PII_SALT", "test-salt-0123456789")
    return settings, landing


def _tick(instance: DagsterInstance, cursor: str | None = None):  # noqa: ANN202 - (result, cursor)
    context = build_sensor_context(instance=instance, cursor=cursor)
    result = new_exports_sensor(context)
    return result, context.cursor


def test_turned_on_after_a_load_the_sensor_requests_nothing_for_loaded_files(loaded) -> None:  # noqa: ANN001
    _, landing = loaded
    with DagsterInstance.ephemeral() as instance:
        first, cursor = _tick(instance)
        assert isinstance(first, SkipReason), first
        assert first.skip_message == "no new or changed export files"
        # The cursor now holds both files (the archive by its own name) as they are on disk.
        assert sorted(json.loads(cursor)) == ["salesforce/Lead.csv", "salesforce/WE_00D_1.zip"]

        again, _ = _tick(instance, cursor)
        assert isinstance(again, SkipReason)

        _write(landing / "salesforce" / "Lead_2.csv", LEAD_CSV.replace("00Q1", "00Q2"))
        new, _ = _tick(instance, cursor)
        assert isinstance(new, RunRequest)
        assert new.tags["funnel/new_files"] == "1"


def test_a_first_tick_requests_a_run_for_what_the_ledger_does_not_hold(
    loaded,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, landing = loaded
    # A file dropped in after the load, and a loaded file written again since (newer than its
    # ledger row, so just now: the sensor's settling wait is lifted to see it at once).
    monkeypatch.setattr("orchestration.sensors.SENSOR_MIN_SETTLE_SECONDS", 0.0)
    _write(landing / "salesforce" / "Lead_2.csv", LEAD_CSV.replace("00Q1", "00Q2"))
    _write(landing / "salesforce" / "Lead.csv", LEAD_CSV + LEAD_CSV.splitlines()[1] + "\n", time.time())
    with DagsterInstance.ephemeral() as instance:
        first, cursor = _tick(instance)
    assert isinstance(first, RunRequest), first
    assert first.tags["funnel/new_files"] == "2"  # Lead.csv (changed) and Lead_2.csv (new), not the zip
    assert sorted(json.loads(cursor)) == [
        "salesforce/Lead.csv",
        "salesforce/Lead_2.csv",
        "salesforce/WE_00D_1.zip",
    ]


def test_with_no_warehouse_every_file_is_new(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    landing = tmp_path / "landing"
    _landing_with_an_archive(landing)
    monkeypatch.setenv("FUNNEL_WAREHOUSE", str(tmp_path / "missing.duckdb"))
    monkeypatch.setenv("FUNNEL_LANDING_DIR", str(landing))
    monkeypatch.setenv("FUNNEL_PII_SALT", "test-salt-0123456789")
    with DagsterInstance.ephemeral() as instance:
        first, _ = _tick(instance)
    assert isinstance(first, RunRequest) and first.tags["funnel/new_files"] == "2"
    assert not (tmp_path / "missing.duckdb").exists()  # the sensor only reads


def test_held_files_matches_members_sheets_and_mappings() -> None:
    at = datetime(2024, 5, 1, 12, 0, 0)  # the ledger's naive UTC
    loaded_at = at.replace(tzinfo=timezone.utc).timestamp()
    before, after = loaded_at - 60, loaded_at + 60  # mtimes (epoch seconds) around the load
    times = {
        "crm/export.zip!/Lead.csv": at,
        "crm/book.xlsx!Deals": at,
        "crm/odd!name.csv": at,
        "crm/late.csv": datetime(2024, 5, 1, 10, 0, 0),  # read two hours before the load above
    }
    files = {
        "crm/export.zip": [1, before],
        "crm/book.xlsx": [1, before],
        "crm/odd!name.csv": [1, before],
        "crm/late.csv": [1, before],  # written after its only read
        "crm/mapping.yml": [1, before],  # no row of its own: read by the load after it was written
        "crm/new_mapping.yml": [1, after],
        "crm/new.csv": [1, before],
    }
    held = held_files(files, times)
    assert sorted(held) == ["crm/book.xlsx", "crm/export.zip", "crm/mapping.yml", "crm/odd!name.csv"]


def test_a_busy_warehouse_is_read_at_the_next_tick(loaded) -> None:  # noqa: ANN001
    settings, _ = loaded
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); "
            "time.sleep(60)",
            str(settings.warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LedgerBusy):
            ledger_times(settings.warehouse)
        with DagsterInstance.ephemeral() as instance:
            busy, cursor = _tick(instance)
        assert isinstance(busy, SkipReason) and "being written" in busy.skip_message
        assert cursor is None  # nothing learnt: the next tick reads the ledger
    finally:
        holder.kill()
        holder.wait()
