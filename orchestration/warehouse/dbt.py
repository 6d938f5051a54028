"""dbt as a subprocess of this virtualenv, with the settings' environment."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb

from orchestration.settings import Settings
from orchestration.warehouse.parent_death import guarded_command


class DbtError(RuntimeError):
    """dbt exited non-zero; the message names what failed and, where stored, the failing rows."""


# on_progress(done, total, unique_id of the node that just finished); on_message(level, text) for
# dbt's warnings and errors, which would otherwise be hidden behind the progress bar.
ProgressCallback = Callable[[int, int, str], None]
MessageCallback = Callable[[str, str], None]


def dbt_command() -> list[str]:
    """This virtualenv's dbt, through dbt_main.py (dbt's command line with the garbage collector
    tuned for its heap)."""
    # -P: the script's folder holds dbt.py, which must not shadow the dbt package
    return [sys.executable, "-P", str(Path(__file__).with_name("dbt_main.py"))]


# What a production build (CLI, Dagster, benchmark) adds to `dbt build`: unit tests check the SQL
# on fixed fixtures, not the data, so they run once in `make test` (tests/python/test_dbt_unit_tests.py)
# and not on every refresh, as dbt recommends for production runs.
PRODUCTION_BUILD_FLAGS = ("--exclude-resource-type", "unit_test")


def run_dbt(
    settings: Settings,
    args: Sequence[str],
    target: str | None = None,
    capture: bool = False,
    on_progress: ProgressCallback | None = None,
    on_message: MessageCallback | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``dbt <args> --target <target>`` in the project; raise DbtError on failure.

    With `on_progress`, dbt logs structured JSON which is read line by line to report nodes done
    out of the run's total; dbt's own text output is then not shown (warnings and errors go to
    `on_message`, and a failure still raises DbtError with the failing nodes)."""
    target = target or settings.dbt_target
    command = [*dbt_command(), *args, "--target", target]
    env = settings.dbt_env(target)
    if on_progress is None:
        result = subprocess.run(
            guarded_command(command),  # dbt dies with this process, even on kill -9
            cwd=settings.project_dir,
            env=env,
            text=True,
            capture_output=capture,
            check=False,
        )
    else:
        result = _run_with_progress(command, settings.project_dir, env, on_progress, on_message)
    if result.returncode != 0:
        summary = failure_summary(
            Path(env["DBT_TARGET_PATH"]), settings.warehouse if target == "duckdb" else None
        )
        raise DbtError(
            f"`dbt {' '.join([*args, '--target', target])}` failed (exit code {result.returncode})\n"
            f"{summary}".rstrip()
        )
    return result


def _run_with_progress(
    command: list[str],
    cwd: Path,
    env: dict[str, str],
    on_progress: ProgressCallback,
    on_message: MessageCallback | None,
) -> subprocess.CompletedProcess[str]:
    command = [*command, "--log-format", "json"]
    lines: list[str] = []
    tracker = NodeProgress()
    with subprocess.Popen(
        guarded_command(command),
        cwd=cwd,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            event = _parse_event(line)
            if event is None:
                lines.append(line)
                continue
            info = event.get("info", {})
            lines.append(f"{info.get('msg', '')}\n")
            if tracker.update(event):
                on_progress(tracker.done, tracker.total, tracker.last_node)
            if on_message is not None and info.get("level") in ("warn", "error"):
                on_message(info["level"], info.get("msg", ""))
    return subprocess.CompletedProcess(command, process.returncode, "".join(lines), "")


def _parse_event(line: str) -> dict | None:
    if not line.startswith("{"):
        return None
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None


class NodeProgress:
    """Nodes done out of the run's total, from dbt's structured events.

    dbt numbers every node it will run ("3 of 1389 START ..."): the total is the `total` of those
    LogStartLine events (hooks are numbered separately and not counted); a node is done when its
    result line arrives (LogModelResult, LogTestResult, LogSeedResult, LogSkipResult, ...)."""

    def __init__(self) -> None:
        self.total = 0
        self.finished: set[str] = set()
        self.last_node = ""

    @property
    def done(self) -> int:
        return len(self.finished)

    def update(self, event: dict) -> bool:
        """Take one event; True when the figures changed."""
        name = event.get("info", {}).get("name", "")
        data = event.get("data", {})
        if name == "LogStartLine" and isinstance(data.get("total"), int) and data["total"] != self.total:
            self.total = data["total"]
            return True
        if name.startswith("Log") and name.endswith("Result"):
            node = (data.get("node_info") or {}).get("unique_id", "")
            if node and node not in self.finished:
                self.finished.add(node)
                self.last_node = node
                return True
        return False


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
