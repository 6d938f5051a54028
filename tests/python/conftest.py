"""Shared fixtures. Every test that writes a warehouse gets its own DuckDB file.

`make test` runs the suite on two pytest-xdist workers, a test module per worker at a time
(`--dist loadfile`, so a module's fixtures are built once). Each worker has its own dbt target and
log folders (two dbt processes must not share them); what every module only reads (the demo
exports, the demo build, the reliability reference) is built once per run by whichever worker
asks first, under a file lock (`shared_folder`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock

from orchestration.settings import PROJECT_DIR, Settings

DEMO_LEADS = 3_000
DEMO_SEED = 7
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
# Set before any test runs, so subprocesses (the CLI, Dagster's steps) inherit them too.
os.environ["FUNNEL_DBT_TARGET_DIR"] = str(PROJECT_DIR / "target" / f"pytest-{WORKER}")
os.environ["DBT_LOG_PATH"] = str(PROJECT_DIR / "logs" / f"pytest-{WORKER}")

# The longest modules start first, so the worker that draws one is not left with it at the end;
# the rest keep their file order. Measured with `make test` (its --durations list).
SLOW_MODULES_FIRST = (
    "test_spark_build.py",
    "test_reliability_killed_refresh.py",
    "test_reliability_readers.py",
    "test_incremental.py",
    "test_secrets.py",
    "test_reliability_idempotency.py",
    "test_quality_refresh.py",
    "test_partial_subsets.py",
    "test_refresh_gate.py",
    "test_reliability_crash.py",
    "test_quality_failures.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: position for position, name in enumerate(SLOW_MODULES_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: file order otherwise


def shared_folder(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """A folder `build` fills once per test run, whichever worker asks first; the others wait for it.
    Callers only read what is in it (copy a warehouse file before writing to it)."""
    root = tmp_path_factory.getbasetemp()
    if WORKER != "main":
        root = root.parent  # the run's temp folder, shared by the workers
    folder = root / name
    with FileLock(f"{folder}.lock"):
        if not (folder / ".complete").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            build(folder)
            (folder / ".complete").write_text("")
    return folder


@pytest.fixture(autouse=True)
def _restore_environment() -> Iterator[None]:
    """Running the Dagster job exports settings to os.environ (for the dbt subprocess); no test
    may leak them into the next one."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def settings_in(directory: Path, **extra: str) -> Settings:
    """Settings whose warehouse, Parquet export and Spark folders all live in `directory`."""
    env = {
        "FUNNEL_PROJECT_DIR": str(PROJECT_DIR),
        "FUNNEL_WAREHOUSE": str(directory / "funnel.duckdb"),
        "FUNNEL_RAW_PARQUET": str(directory / "raw_parquet"),
        "FUNNEL_SPARK_DIR": str(directory / "spark"),
        "FUNNEL_DBT_TARGET_DIR": os.environ["FUNNEL_DBT_TARGET_DIR"],
        "FUNNEL_DUCKDB_MEMORY_LIMIT": "2GB",
        "FUNNEL_PII_SALT": "test-salt-0123456789",  # a secret of at least 16 characters (orchestration.pii_salt)
        "DAGSTER_HOME": str(directory / "dagster_home"),
        "FUNNEL_PUBLISHED": str(directory / "published" / "funnel.duckdb"),
        "FUNNEL_REPORT": str(directory / "report.html"),
        **extra,
    }
    return Settings.from_env(env)


def funnel_process_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment a `funnel` subprocess needs to use exactly these settings' paths."""
    env = settings.dbt_env()
    env.update(
        DAGSTER_HOME=str(settings.dagster_home),
        FUNNEL_PUBLISHED=str(settings.published),
        FUNNEL_REPORT=str(settings.report_file),
        FUNNEL_DATA_DOCS=str(settings.data_docs),
        **extra,
    )
    return env


def load_and_build(settings: Settings, landing: Path, mappings: Sequence[Path] = ()) -> None:
    """Load every export under `landing` (none may fail) and build the whole project, its data tests
    included."""
    from orchestration.pipeline import build_models, load_exports

    report = load_exports(settings, landing, list(mappings))
    assert not report.failed, [r.message for r in report.failed]
    build_models(settings)


def query(settings: Settings, sql: str, params: Sequence[object] = ()) -> list[tuple]:
    """Rows of `sql` on the settings' warehouse, opened read-only for this one query."""
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def factory(name: str = "wh", **extra: str) -> Settings:
        directory = tmp_path / name
        directory.mkdir(parents=True, exist_ok=True)
        return settings_in(directory, **extra)

    return factory


@pytest.fixture(scope="session")
def demo_exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small clean demo export of every format, generated once per test session."""
    from simulator import generate

    return shared_folder(
        tmp_path_factory, "demo_exports", lambda out: generate(out_dir=out, leads=DEMO_LEADS, seed=DEMO_SEED)
    )


@pytest.fixture(scope="session")
def built_demo(tmp_path_factory: pytest.TempPathFactory, demo_exports: Path) -> Settings:
    """The demo exports loaded and built on DuckDB once per run; each worker gets its own copy of
    the file (dbt docs, MetricFlow and the planner open it for writing), which tests only read."""
    built = settings_in(
        shared_folder(tmp_path_factory, "built_demo", lambda f: load_and_build(settings_in(f), demo_exports))
    )
    settings = settings_in(tmp_path_factory.mktemp("built_demo"))
    shutil.copyfile(built.warehouse, settings.warehouse)
    return settings
