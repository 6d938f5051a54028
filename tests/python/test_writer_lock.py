"""Writers of the warehouse wait their turn, and say who they wait for.

Two `funnel load` at once, a load while `funnel build` writes, and a load while a program outside
funnel holds DuckDB's own lock: the second writer waits (saying so), proceeds when the first is
done, and with a tiny FUNNEL_LOCK_TIMEOUT_SECONDS fails with one line naming the holder's pid,
never a traceback. The first writer is paused with SIGSTOP while it holds the warehouse, so the
overlap does not depend on timing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import Settings

WRITER_LOCK_ENV = (
    "FUNNEL_WRITER_LOCK_HOLDER"  # orchestration.warehouse.lock's; a child of a holder skips the lock
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

FUNNEL = str(Path(sys.executable).with_name("funnel"))


def _funnel(settings: Settings, *args: str, timeout: float | None = None, **popen) -> subprocess.Popen:  # noqa: ANN003
    env = settings.dbt_env()
    env.pop(WRITER_LOCK_ENV, None)
    if timeout is not None:
        env["FUNNEL_LOCK_TIMEOUT_SECONDS"] = str(timeout)
    return subprocess.Popen(
        [FUNNEL, "--quiet", *args],
        env=env,
        cwd=settings.project_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **popen,
    )


@contextmanager
def _paused_while_writing(process: subprocess.Popen, warehouse: Path) -> Iterator[None]:
    """Pause `process` once it has the warehouse open for writing (its WAL exists); resume after."""
    wal = warehouse.with_name(warehouse.name + ".wal")
    deadline = time.monotonic() + 120
    while not wal.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert process.poll() is None, "the first writer finished before it could be paused"
    os.kill(process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(process.pid, signal.SIGCONT)


def _one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, stderr
    return errors[0]


def test_a_second_load_waits_for_the_first_then_loads_nothing_twice(
    make_settings, demo_exports: Path
) -> None:  # noqa: ANN001
    settings = make_settings()
    first = _funnel(settings, "load", str(demo_exports))
    with _paused_while_writing(first, settings.warehouse):
        second = _funnel(settings, "load", str(demo_exports))
        time.sleep(3)
        assert second.poll() is None, second.communicate()  # it waits instead of failing
    assert first.wait(timeout=300) == 0, first.communicate()
    _, second_err = second.communicate(timeout=300)
    assert second.returncode == 0, second_err
    assert f"it is being written by pid {first.pid} (funnel load, since " in " ".join(second_err.split())
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        loaded_twice = con.execute(
            "select count(*) from (select file_hash from loader.ledger "
            "where status in ('loaded', 'loaded_with_quarantine') group by 1 having count(*) > 1)"
        ).fetchone()[0]
    assert loaded_twice == 0


def test_a_load_gives_up_after_the_timeout_naming_the_other_load(make_settings, demo_exports: Path) -> None:  # noqa: ANN001
    settings = make_settings()
    first = _funnel(settings, "load", str(demo_exports))
    with _paused_while_writing(first, settings.warehouse):
        started = time.monotonic()
        second = _funnel(settings, "load", str(demo_exports), timeout=1)
        _, second_err = second.communicate(timeout=60)
        waited = time.monotonic() - started
    first.communicate(timeout=300)
    assert second.returncode == 1
    line = _one_error_line(second_err)
    assert line.startswith(
        f"error: the warehouse {settings.warehouse} is being written by pid {first.pid} (funnel load, since "
    )
    assert line.endswith("waited 1 s; try again later or raise FUNNEL_LOCK_TIMEOUT_SECONDS")
    assert waited < 30


def test_a_load_while_a_build_writes_waits_for_the_build(make_settings, demo_exports: Path) -> None:  # noqa: ANN001
    settings = make_settings()
    # A build of one seed on a fresh warehouse: it creates the empty raw tables, then runs dbt.
    build = _funnel(settings, "build", "--select", "deal_types")
    with _paused_while_writing(build, settings.warehouse):
        refused = _funnel(settings, "load", str(demo_exports), timeout=1)
        _, refused_err = refused.communicate(timeout=60)
        waiting = _funnel(settings, "load", str(demo_exports))
        time.sleep(2)
        assert waiting.poll() is None
    assert refused.returncode == 1
    assert f"is being written by pid {build.pid} (funnel build, since " in _one_error_line(refused_err)
    build_out, build_err = build.communicate(timeout=300)
    assert build.returncode == 0, build_out + build_err
    _, waiting_err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, waiting_err


def test_a_program_outside_funnel_holding_duckdbs_lock_is_waited_for_and_named(
    make_settings, demo_exports: Path
) -> None:  # noqa: ANN001
    settings = make_settings()
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    duckdb.connect(str(settings.warehouse)).close()
    holder_script = textwrap.dedent(
        """
        import sys, time, duckdb
        con = duckdb.connect(sys.argv[1])
        print("open", flush=True)
        time.sleep(float(sys.argv[2]))
        """
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", holder_script, str(settings.warehouse), "4"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "open"
    refused = _funnel(settings, "load", str(demo_exports), timeout=1)
    _, refused_err = refused.communicate(timeout=60)
    assert refused.returncode == 1
    line = _one_error_line(refused_err)
    assert f"is being written by pid {holder.pid} (" in line and "outside funnel" in line
    # With the default timeout the load waits for the holder to close the file, then loads.
    waiting = _funnel(settings, "load", str(demo_exports))
    _, waiting_err = waiting.communicate(timeout=300)
    holder.wait(timeout=30)
    assert waiting.returncode == 0, waiting_err
    assert f"it is being written by pid {holder.pid}" in " ".join(waiting_err.split())


def test_the_lock_is_reentrant_in_the_holder_and_its_children(tmp_path: Path) -> None:
    from orchestration.warehouse.lock import lock_path, warehouse_writer

    warehouse = tmp_path / "funnel.duckdb"
    child = (
        "import sys; from pathlib import Path; from orchestration.warehouse.lock import warehouse_writer\n"
        "with warehouse_writer(Path(sys.argv[1]), 'child', 0.5): print('child wrote')"
    )
    with warehouse_writer(warehouse, "funnel run", 0.5):
        # what a child (dbt) inherits while the lock is held: the holder's pid and warehouse
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
        with warehouse_writer(warehouse, "a step of the run", 0.5):  # the same process: no wait
            pass
        inherited = subprocess.run(
            [sys.executable, "-c", child, str(warehouse)], env=env, capture_output=True, text=True, timeout=60
        )
        assert inherited.stdout.strip() == "child wrote", inherited.stderr
    assert lock_path(warehouse).read_text() == ""  # released, and no stale holder line left


def test_a_writer_that_times_out_raises_one_line(tmp_path: Path) -> None:
    from orchestration.warehouse.lock import WarehouseBusy, warehouse_writer

    warehouse = tmp_path / "funnel.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from orchestration.warehouse.lock import warehouse_writer\n"
            "with warehouse_writer(Path(sys.argv[1]), 'funnel load', 1):\n    print('held', flush=True); time.sleep(30)",
            str(warehouse),
        ],
        env={k: v for k, v in os.environ.items() if k != WRITER_LOCK_ENV}
        | {"PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        waits: list[str] = []
        with (
            pytest.raises(WarehouseBusy) as busy,
            warehouse_writer(warehouse, "funnel build", 0.3, on_wait=waits.append),
        ):
            pass
        message = str(busy.value)
        assert "\n" not in message
        assert f"is being written by pid {holder.pid} (funnel load, since " in message
        assert len(waits) == 1 and f"pid {holder.pid}" in waits[0]
    finally:
        holder.kill()
        holder.wait()
    # The kernel released the killed holder's lock: the next writer does not wait at all.
    started = time.monotonic()
    with warehouse_writer(warehouse, "funnel build", 5):
        pass
    assert time.monotonic() - started < 1


def test_a_refresh_waiting_for_the_lock_stops_on_sigterm(make_settings, demo_exports: Path) -> None:  # noqa: ANN001
    from orchestration.warehouse.lock import warehouse_writer

    settings = make_settings()
    env_home = {"DAGSTER_HOME": str(settings.dagster_home)}
    with warehouse_writer(settings.warehouse, "funnel load", 1):
        env = settings.dbt_env()
        env.pop(WRITER_LOCK_ENV, None)
        env.update(env_home)
        refresh = subprocess.Popen(
            [FUNNEL, "--quiet", "run", str(demo_exports)],
            env=env,
            cwd=settings.project_dir,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        for line in refresh.stderr:
            if line.startswith("waiting for the warehouse"):
                break
        refresh.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        rest = refresh.stderr.read()
        refresh.wait(timeout=30)
    assert refresh.returncode == 128 + signal.SIGTERM
    assert time.monotonic() - stopped < 10
    assert "refresh stopped by SIGTERM: before its run started" in rest, rest
    assert "Traceback" not in rest
