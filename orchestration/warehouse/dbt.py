"""dbt as a subprocess of this virtualenv, with the settings' environment."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.settings import Settings


class DbtError(RuntimeError):
    """dbt exited non-zero; the message names what failed and, where stored, the failing rows."""


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(
    settings: Settings,
    args: Sequence[str],
    target: str | None = None,
    capture: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run ``dbt <args> --target <target>`` in the project; raise DbtError on failure."""
    target = target or settings.dbt_target
    command = [dbt_executable(), *args, "--target", target]
    env = settings.dbt_env(target)
    result = subprocess.run(
        command, cwd=settings.project_dir, env=env, text=True, capture_output=capture, check=False
    )
    if result.returncode != 0:
        summary = failure_summary(
            Path(env["DBT_TARGET_PATH"]), settings.warehouse if target == "duckdb" else None
        )
        raise DbtError(
            f"`dbt {' '.join(command[1:])}` failed (exit code {result.returncode})\n{summary}".rstrip()
        )
    return result


def failure_summary(target_path: Path, warehouse: Path | None, max_rows: int = 20) -> str:
    """One line per failed node from run_results.json, plus the stored failing rows of tests
    that keep them (store_failures), so a failed build says *which* labels or keys broke it."""
    results_file = target_path / "run_results.json"
    if not results_file.exists():
        return ""
    results = json.loads(results_file.read_text())["results"]
    lines = []
    for result in results:
        if result["status"] not in ("fail", "error", "runtime error"):
            continue
        lines.append(f"- {result['unique_id']}: {result['status']}: {result.get('message') or ''}".rstrip())
        relation = result.get("relation_name")
        if relation and warehouse is not None and warehouse.exists():
            lines.extend(_stored_failures(warehouse, relation, max_rows))
    return "\n".join(lines)


def _stored_failures(warehouse: Path, relation: str, max_rows: int) -> list[str]:
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            cursor = con.execute(f"select * from {relation} limit {max_rows}")
            names = [d[0] for d in cursor.description]
            return [
                "    " + ", ".join(f"{n}={v}" for n, v in zip(names, row, strict=True))
                for row in cursor.fetchall()
            ]
    except duckdb.Error:
        return []
