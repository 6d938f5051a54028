"""The dbt manifest Dagster builds its assets from, parsed again only when the project changed."""

from __future__ import annotations

from pathlib import Path

from orchestration.settings import Settings
from orchestration.warehouse.dbt import run_dbt

PROJECT_INPUTS = ("models", "macros", "seeds", "snapshots", "tests", "analyses")
PROJECT_FILES = ("dbt_project.yml", "profiles.yml")


def _newest_input(project_dir: Path) -> float:
    newest = max((project_dir / name).stat().st_mtime for name in PROJECT_FILES)
    for folder in PROJECT_INPUTS:
        for path in (project_dir / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return newest


def ensure_manifest(settings: Settings) -> Path:
    """target/<target>/manifest.json, running `dbt parse` (partial parsing) if it is missing or
    older than any file of the project, so Dagster never builds assets from a stale project."""
    env = settings.dbt_env()
    manifest = Path(env["DBT_TARGET_PATH"]) / "manifest.json"
    if not manifest.exists() or manifest.stat().st_mtime < _newest_input(settings.project_dir):
        run_dbt(settings, ["parse", "--quiet"], capture=True)
    return manifest


class ManifestMissing(RuntimeError):
    """The dbt manifest Dagster needs has not been prepared."""


def prepared_manifest(settings: Settings) -> Path:
    """The manifest a production code location loads, never parsing: preparing it is a build step."""
    manifest = Path(settings.dbt_env()["DBT_TARGET_PATH"]) / "manifest.json"
    if not manifest.exists():
        raise ManifestMissing(
            f"no dbt manifest at {manifest}: prepare it first (`funnel build`, `funnel ui`, "
            "`python -m orchestration.serve`, or `dbt parse` with the project's environment)"
        )
    return manifest
