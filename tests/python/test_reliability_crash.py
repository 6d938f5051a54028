"""Crash safety: SIGKILL during loading, during the dbt build and during publishing, then run again.

Each kill lands mid-step (checked: the load had committed some files but not all; the build had
started the marts; the publish had created its temporary file). The run after the kill completes
and gives the reference build's mart checksums, the ledger reconciles with no duplicate rows,
and the published BI copy stays byte-identical and readable throughout.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from reliability_support import Reference, raw_checksums, reference, reliability_settings
from table_compare import differing_tables

from orchestration.pipeline import build_models, load_exports
from orchestration.settings import Settings
from orchestration.warehouse.publish import publish, read_publication

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

FUNNEL = str(Path(sys.executable).with_name("funnel"))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _start(command: list[str], settings: Settings, **kwargs) -> subprocess.Popen:  # noqa: ANN003
    # Own session: killing the group also kills dbt's own child processes.
    return subprocess.Popen(
        command, env=settings.dbt_env(), cwd=settings.project_dir, start_new_session=True, **kwargs
    )


def _kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)


def _files_committed(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        try:
            return con.execute("select count(*) from loader.files").fetchone()[0]
        except duckdb.CatalogException:
            return 0  # killed before the loader's tables were committed


def _killed_load(ref: Reference, base: Path) -> Settings:
    """A warehouse whose first load was SIGKILLed after committing some files and before the last.
    The kill time is found by trying a few delays after the WAL file appears."""
    with duckdb.connect(str(ref.settings.warehouse), read_only=True) as con:
        every_file = con.execute("select count(*) from loader.files").fetchone()[0]
    for attempt, delay in enumerate((0.0, 0.2, 0.5, 1.0, 1.5, 2.0)):
        settings = reliability_settings(base / f"attempt{attempt}")
        settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
        wal = settings.warehouse.with_name(settings.warehouse.name + ".wal")
        process = _start(
            [FUNNEL, "load", str(ref.exports)], settings, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 120
        while not wal.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(delay)
        if process.poll() is not None:
            continue  # finished before the kill: too late, try the next (it will not be earlier)
        _kill(process)
        committed = _files_committed(settings.warehouse)  # opening replays the WAL
        if 0 < committed < every_file:
            return settings
    pytest.fail("no kill landed in the middle of the load")


def test_a_load_killed_midway_then_rerun_loads_every_row_once(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    ref = reference(tmp_path_factory)
    settings = _killed_load(ref, tmp_path)
    # The killed run's ledger rows are all for files whose data committed with them.
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        orphan_ledger_rows = con.execute(
            "select count(*) from loader.ledger l where l.status like 'loaded%' "
            "and not exists (select 1 from loader.files f where f.file_hash = l.file_hash)"
        ).fetchone()[0]
    assert orphan_ledger_rows == 0

    report = load_exports(settings, ref.exports, [])
    assert not report.failed

    assert raw_checksums(settings.warehouse) == ref.raw  # no row twice, none missing
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        per_file = con.execute(
            "select file_hash, count(*) from loader.ledger where status in ('loaded', 'loaded_with_quarantine') "
            "group by 1 having count(*) <> 1"
        ).fetchall()
        unreconciled = con.execute(
            "select count(*) from loader.ledger where rows_read <> rows_loaded + rows_quarantined"
        ).fetchone()[0]
        loaded_files = con.execute("select count(*) from loader.files").fetchone()[0]
    assert per_file == []  # every file loaded exactly once across the killed run and the rerun
    assert unreconciled == 0
    with duckdb.connect(str(ref.settings.warehouse), read_only=True) as con:
        assert loaded_files == con.execute("select count(*) from loader.files").fetchone()[0]


def test_a_build_killed_midway_leaves_the_published_copy_and_the_rerun_equals_the_reference(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    ref = reference(tmp_path_factory)
    settings = reliability_settings(tmp_path / "wh")
    assert not load_exports(settings, ref.exports, []).failed
    publish(ref.settings.warehouse, settings.published)  # the copy BI reads before this refresh
    before = _digest(settings.published)

    process = _start([FUNNEL, "build"], settings, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    started_marts = False
    for line in process.stdout:
        if "START sql" in line and " marts." in line:
            started_marts = True
            break
    _kill(process)
    assert started_marts, "the build ended before it reached the marts"

    assert _digest(settings.published) == before
    with duckdb.connect(str(settings.published), read_only=True) as con:
        publication, counts = read_publication(con)
    assert publication is not None and counts

    build_models(settings, data_tests=False)  # they ran on the reference, which this must equal
    assert differing_tables(ref.settings.warehouse, settings.warehouse) == []
    assert _digest(settings.published) == before


def test_a_publish_killed_midway_leaves_the_previous_copy_and_the_next_publish_cleans_up(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    ref = reference(tmp_path_factory)
    published = tmp_path / "published" / "funnel.duckdb"
    publish(ref.settings.warehouse, published)
    before = _digest(published)
    with duckdb.connect(str(published), read_only=True) as con:
        first_id, _ = read_publication(con)

    script = (
        "import sys; from pathlib import Path; from orchestration.warehouse.publish import publish; "
        "publish(Path(sys.argv[1]), Path(sys.argv[2]))"
    )
    killed_midway = False
    for delay in (0.0, 0.05, 0.2, 0.5):
        env = dict(os.environ, PYTHONPATH=str(ref.settings.project_dir))
        process = subprocess.Popen(
            [sys.executable, "-c", script, str(ref.settings.warehouse), str(published)],
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            if any(published.parent.glob(".funnel.duckdb.*.tmp")):
                break
            time.sleep(0.002)
        time.sleep(delay)
        if process.poll() is not None:
            publish(ref.settings.warehouse, published)  # it finished: start again from a known copy
            before = _digest(published)
            continue
        _kill(process)
        killed_midway = True
        break
    assert killed_midway, "every publish finished before the kill"

    assert _digest(published) == before  # the killed publish never touched the published copy
    assert any(published.parent.glob(".funnel.duckdb.*.tmp*"))  # it left its temporary file

    counts = publish(ref.settings.warehouse, published)
    assert not any(published.parent.glob(".funnel.duckdb.*"))  # leftovers cleaned by the next publish
    with duckdb.connect(str(published), read_only=True) as con:
        second_id, stamped = read_publication(con)
    assert second_id not in (None, first_id)
    assert stamped == counts == {name: rows for name, (rows, _) in ref.marts.items()}
