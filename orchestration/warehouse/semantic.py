"""The MetricFlow semantic layer (models/semantic/) through the `mf` command of this virtualenv.

`mf` reads the semantic manifest from `<project>/target/semantic_manifest.json` (a fixed path: it
does not follow DBT_TARGET_PATH), and the warehouse from the project's profile, so it runs with the
same environment as dbt (Settings.dbt_env).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from orchestration.settings import Settings
from orchestration.warehouse.dbt import run_dbt


class MetricFlowError(RuntimeError):
    """`mf` exited non-zero; the message carries its output."""


def mf_executable() -> str:
    candidate = Path(sys.executable).with_name("mf")
    return str(candidate) if candidate.exists() else "mf"


def write_semantic_manifest(settings: Settings) -> Path:
    """`dbt parse`, then put the semantic manifest where `mf` looks for it; returns that path."""
    run_dbt(settings, ["parse", "--quiet"], target="duckdb", capture=True)
    parsed = Path(settings.dbt_env("duckdb")["DBT_TARGET_PATH"]) / "semantic_manifest.json"
    wanted = settings.project_dir / "target" / "semantic_manifest.json"
    if parsed.resolve() != wanted.resolve():
        wanted.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(parsed, wanted)
    return wanted


def run_mf(settings: Settings, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [mf_executable(), *args],
        cwd=settings.project_dir,
        env=settings.dbt_env("duckdb"),
        text=True,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise MetricFlowError(f"`mf {' '.join(args)}` failed:\n{result.stdout}\n{result.stderr}".rstrip())
    return result


def query_metrics(
    settings: Settings,
    metrics: Sequence[str],
    group_by: Sequence[str] = (),
    where: Sequence[str] = (),
) -> pd.DataFrame:
    """`mf query` of `metrics` by `group_by`; the result table as a DataFrame (a few rows)."""
    with tempfile.TemporaryDirectory() as folder:
        csv = Path(folder) / "result.csv"
        args = ["query", "--quiet", "--metrics", ",".join(metrics), "--csv", str(csv)]
        if group_by:
            args += ["--group-by", ",".join(group_by)]
        for condition in where:
            args += ["--where", condition]
        run_mf(settings, args)
        return pd.read_csv(csv)
