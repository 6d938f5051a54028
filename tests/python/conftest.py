"""Shared fixtures. Every test that writes a warehouse gets its own DuckDB file."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from orchestration.settings import PROJECT_DIR, Settings

DEMO_LEADS = 3_000
DEMO_SEED = 7


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
        "FUNNEL_DUCKDB_MEMORY_LIMIT": "2GB",
        "FUNNEL_PII_SALT": "test-salt-0123456789",  # a secret of at least 16 characters (orchestration.pii_salt)
        "DAGSTER_HOME": str(directory / "dagster_home"),
        "FUNNEL_PUBLISHED": str(directory / "published" / "funnel.duckdb"),
        "FUNNEL_REPORT": str(directory / "report.html"),
        **extra,
    }
    return Settings.from_env(env)


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
    from orchestration.generator import generate

    out = tmp_path_factory.mktemp("demo_exports")
    generate(out_dir=out, leads=DEMO_LEADS, seed=DEMO_SEED)
    return out


@pytest.fixture(scope="session")
def built_demo(tmp_path_factory: pytest.TempPathFactory, demo_exports: Path) -> Settings:
    """The demo exports loaded and built on DuckDB once; tests only read this warehouse."""
    from orchestration.pipeline import build_models, load_exports

    settings = settings_in(tmp_path_factory.mktemp("built_demo"))
    report = load_exports(settings, demo_exports, [])
    assert not report.failed, [r.message for r in report.failed]
    build_models(settings)
    return settings
