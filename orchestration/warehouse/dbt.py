"""dbt as a subprocess of this virtualenv, with the settings' environment."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from orchestration.settings import Settings


class DbtError(RuntimeError):
    """dbt exited non-zero; the message carries the command and the tail of its log."""


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
    command = [dbt_executable(), *args, "--target", target or settings.dbt_target]
    result = subprocess.run(
        command,
        cwd=settings.project_dir,
        env=settings.dbt_env(target),
        text=True,
        capture_output=capture,
        check=False,
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout or "").splitlines()[-40:]) if capture else ""
        raise DbtError(
            f"`{' '.join(command[1:])}` failed with exit code {result.returncode}\n{tail}".rstrip()
        )
    return result
