"""The `funnel` command: every command has --help, progress stays off logs, and the build's progress
counts the nodes dbt really runs."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.progress import progress_console, step_progress
from orchestration.settings import PROJECT_DIR, Settings

COMMANDS = {"generate", "load", "build", "run", "report", "plan", "ledger", "ui", "publish", "docs"}


def _commands() -> list[str]:
    return sorted(typer.main.get_command(app).commands)


def test_the_documented_commands_exist() -> None:
    assert set(_commands()) >= COMMANDS


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output and command in result.output


def test_top_level_help_offers_quiet() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0, result.output
    assert "--quiet" in result.output


def test_progress_draws_only_on_a_terminal_and_never_when_quiet() -> None:
    terminal = Console(file=io.StringIO(), force_terminal=True)
    pipe = Console(file=io.StringIO(), force_terminal=False)
    quiet = Console(file=io.StringIO(), force_terminal=True, quiet=True)
    assert not step_progress(terminal, "x").disable
    assert step_progress(pipe, "x").disable
    assert step_progress(quiet, "x").disable
    assert progress_console(quiet=True).quiet and progress_console().stderr

    with step_progress(pipe, "x") as bar:  # a log file or CI gets nothing from a bar
        bar.add_task("", total=3, completed=3)
    assert pipe.file.getvalue() == ""


def test_build_progress_reports_the_number_of_nodes_dbt_selected(
    make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seeds and the tests that read only seeds (cautious indirect selection) on an empty warehouse:
    the total the progress bar shows must be the count of those nodes in dbt's manifest."""
    from orchestration.pipeline import build_models

    monkeypatch.setenv("DBT_INDIRECT_SELECTION", "cautious")
    settings = make_settings("progress")
    seen: list[tuple[int, int, str]] = []
    build_models(settings, select="resource_type:seed", on_progress=lambda *event: seen.append(event))

    manifest = json.loads((Path(settings.dbt_env()["DBT_TARGET_PATH"]) / "manifest.json").read_text())
    seeds = {key for key, node in manifest["nodes"].items() if node["resource_type"] == "seed"}
    seed_tests = {
        key
        for key, node in manifest["nodes"].items()
        if node["resource_type"] == "test" and set(node["depends_on"]["nodes"]) <= seeds
    }
    expected = len(seeds) + len(seed_tests)
    assert len(seeds) >= 5 and len(seed_tests) >= 20

    totals = {total for _, total, _ in seen}
    assert totals == {expected}
    done = [d for d, _, _ in seen]
    assert done == sorted(done) and done[-1] == expected
    assert {node for _, _, node in seen if node} == seeds | seed_tests


def test_the_makefile_demo_is_one_company_salesforce_and_marketing(tmp_path: Path) -> None:
    """`make run`'s generate command, run as make would run it (smaller), writes one CRM's exports
    (Salesforce) and the marketing exports, nothing of HubSpot or the generic format."""
    out = tmp_path / "demo"
    dry = subprocess.run(
        [
            "make",
            "-n",
            "run",
            "LEADS=200",
            f"DEMO={out}",
            "AS_OF=2025-06-30",
            f"BIN={Path(sys.executable).parent}",
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    generate = next(line for line in dry.stdout.splitlines() if " generate " in line)
    subprocess.run(
        generate, shell=True, cwd=PROJECT_DIR, check=True, capture_output=True, env=dict(os.environ)
    )
    folders = {path.relative_to(out).parts[0] for path in out.rglob("*.csv")}
    assert folders == {"salesforce", "marketing"}
    assert {"Opportunity.csv", "Lead.csv"} <= {path.name for path in (out / "salesforce").iterdir()}


@pytest.mark.parametrize(
    ("flags", "crms"),
    [
        ([], {"salesforce"}),
        (["--format", "all"], {"salesforce", "hubspot", "generic"}),
        (["--format", "hubspot"], {"hubspot"}),
    ],
)
def test_generate_writes_one_crm_unless_asked_for_more(
    tmp_path: Path, flags: list[str], crms: set[str]
) -> None:
    """The demo is one company as a user has it (its CRM and its marketing); --format keeps the
    choice, `all` the three renderings of the same company the tests compare."""
    result = CliRunner().invoke(app, ["--quiet", "generate", "--leads", "50", "--out", str(tmp_path), *flags])
    assert result.exit_code == 0, result.output
    assert {path.relative_to(tmp_path).parts[0] for path in tmp_path.rglob("*.csv")} == crms | {"marketing"}
