"""One error style for every command: the common mistakes (missing folder, missing warehouse, a path
that cannot be written, a bad mapping, a bad target) each give one line `error: ...` naming the
problem and the fix, no traceback, exit code 1 (2 for a usage mistake); commands that only read
never create a warehouse; `--debug` shows the traceback."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.errors import one_line
from orchestration.settings import PROJECT_DIR

# (id, arguments, exit code, words the line must contain). {tmp} is the test's folder; the warehouse
# is {tmp}/wh/funnel.duckdb and does not exist; {file} is a plain file, so {file}/x cannot be written.
UNWRITABLE = {"FUNNEL_WAREHOUSE": "{file}/wh/funnel.duckdb"}
MISTAKES = [
    ("load-missing-folder", ["load", "{tmp}/nope"], 1, ["{tmp}/nope", "does not exist"]),
    ("run-missing-folder", ["run", "{tmp}/nope"], 1, ["{tmp}/nope", "does not exist"]),
    (
        "run-missing-default-folder",
        ["run"],
        1,
        ["{tmp}/nope-landing", "FUNNEL_LANDING_DIR", "funnel generate"],
    ),
    ("ledger-missing-warehouse", ["ledger"], 1, ["no warehouse at", "funnel run"]),
    ("ledger-csv-missing-warehouse", ["ledger", "--csv", "{tmp}/l.csv"], 1, ["no warehouse at"]),
    ("quarantine-missing-warehouse", ["quarantine", "{tmp}/q.csv"], 1, ["no warehouse at"]),
    ("plan-missing-warehouse", ["plan", "500000"], 1, ["no warehouse at", "funnel run"]),
    ("publish-missing-warehouse", ["publish"], 1, ["no warehouse at"]),
    ("docs-missing-warehouse", ["docs", "--no-serve"], 1, ["no warehouse at"]),
    ("report-missing-warehouse", ["report"], 1, ["no warehouse at"]),
    ("check-missing-warehouse", ["check"], 1, ["no warehouse at"]),
    ("load-unwritable-warehouse", ["load", "{tmp}/landing"], 1, ["{file}", "FUNNEL_WAREHOUSE"], UNWRITABLE),
    ("build-unwritable-warehouse", ["build"], 1, ["{file}", "FUNNEL_WAREHOUSE"], UNWRITABLE),
    ("generate-unwritable-out", ["generate", "--out", "{file}/demo", "--leads", "10"], 1, ["{file}/demo"]),
    ("load-missing-mapping", ["load", "{tmp}/landing", "--mapping", "{tmp}/nope.yml"], 1, ["nope.yml"]),
    ("load-mapping-typo", ["load", "{tmp}/landing", "--mapping", "{tmp}/typo.yml"], 1, ["colums", "columns"]),
    ("plan-target-not-a-number", ["plan", "lots"], 2, ["target_revenue", "funnel plan --help"]),
    ("plan-target-negative", ["plan", "--", "-5"], 2, ["above 0", "funnel plan --help"]),
    ("build-unknown-dbt-target", ["build", "--target", "oracle"], 2, ["oracle", "duckdb, spark"]),
    ("generate-unknown-format", ["generate", "--format", "sap", "--out", "{tmp}/g"], 1, ["sap"]),
    ("load-without-folder", ["load"], 2, ["landing_dir", "funnel load --help"]),
    ("unknown-command", ["lod"], 2, ["lod", "funnel --help"]),
]
# Whatever else they do, these commands only read the warehouse.
READ_ONLY = {"ledger", "quarantine", "plan", "publish", "docs", "report", "check"}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A landing folder with one mapping-less CSV, a mapping with a typo, a plain file; the
    environment points every path the product writes into tmp_path."""
    (tmp_path / "landing").mkdir()
    (tmp_path / "landing" / "deals.csv").write_text("id,amount\n1,10\n")
    (tmp_path / "typo.yml").write_text(
        "source_system: mycrm\nfiles:\n  - match: deals.csv\n    entity: deals\n    colums: {id: deal_id}\n"
    )
    (tmp_path / "a_file").write_text("not a folder")
    env = {
        "FUNNEL_PROJECT_DIR": str(PROJECT_DIR),
        "FUNNEL_WAREHOUSE": str(tmp_path / "wh" / "funnel.duckdb"),
        "FUNNEL_PUBLISHED": str(tmp_path / "published" / "funnel.duckdb"),
        "FUNNEL_REPORT": str(tmp_path / "report.html"),
        "FUNNEL_LANDING_DIR": str(tmp_path / "nope-landing"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "FUNNEL_PII_SALT": "test-salt-0123456789",
        "FUNNEL_LOCK_TIMEOUT_SECONDS": "5",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("FUNNEL_DEBUG", raising=False)
    return tmp_path


def _fill(text: str, tmp: Path) -> str:
    return text.replace("{tmp}", str(tmp)).replace("{file}", str(tmp / "a_file"))


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_a_mistake_reads_as_one_line(folder: Path, monkeypatch: pytest.MonkeyPatch, mistake: tuple) -> None:
    _, args, code, words, *env = mistake
    for name, value in (env[0] if env else {}).items():
        monkeypatch.setenv(name, _fill(value, folder))
    result = CliRunner().invoke(app, [_fill(a, folder) for a in args], prog_name="funnel")

    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    assert result.exit_code == code, result.output
    for word in words:
        assert _fill(word, folder) in lines[0], lines[0]
    if args[0] in READ_ONLY:
        assert not (folder / "wh").exists(), "a command that only reads created the warehouse"


@pytest.mark.parametrize(
    ("args", "raised_in", "line"),
    [
        (["ledger"], "require_warehouse", "error: no warehouse at"),  # met deep in the package
        (
            ["generate", "--format", "sap"],
            "_fail",
            "error: unknown format(s) ['sap']",
        ),  # a command's own check
    ],
)
def test_debug_shows_the_traceback_then_the_line(
    folder: Path, args: list[str], raised_in: str, line: str
) -> None:
    result = CliRunner().invoke(app, ["--debug", *args])
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.output
    assert f"in {raised_in}" in result.output  # where it was raised
    assert result.output.strip().splitlines()[-1].startswith(line)


def test_the_installed_command_fails_in_one_line(folder: Path) -> None:
    """Through the console entry point (`funnel = orchestration.cli:app`), not the test runner."""
    script = "from orchestration.cli import app; app(prog_name='funnel')"
    result = subprocess.run(
        [sys.executable, "-c", script, "ledger"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"error: no warehouse at {folder / 'wh' / 'funnel.duckdb'}: run `funnel run` (or `funnel load` then "
        "`funnel build`) first, or set FUNNEL_WAREHOUSE to the warehouse file"
    ]


def test_version_is_the_package_version() -> None:
    # the version pyproject.toml declares (Python 3.10 has no tomllib: its one `version = ` line)
    version = re.search(r'^version = "([^"]+)"', (PROJECT_DIR / "pyproject.toml").read_text(), re.M)[1]
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"funnel {version}"


def test_errors_met_deeper_read_as_one_line_with_the_fix() -> None:
    """What the file system and DuckDB raise where no command checks first (as root, no folder is
    unwritable, so these are built by hand)."""
    denied = one_line(PermissionError(13, "Permission denied", "/srv/wh"))
    assert denied.startswith("cannot write /srv/wh: permission denied") and "FUNNEL_WAREHOUSE" in denied
    locked = one_line(
        duckdb.IOException(
            'IO Error: Could not set lock on file "/srv/wh/funnel.duckdb": Conflicting lock is held in '
            "/usr/bin/python3 (PID 42) by user u.\nSee also https://duckdb.org/docs/connect/concurrency"
        )
    )
    assert (
        locked
        == "/srv/wh/funnel.duckdb is open for writing in another process: wait for it to finish, or stop it"
    )
    missing_table = one_line(
        duckdb.CatalogException("Catalog Error: Table with name ledger does not exist!\nDid you mean")
    )
    assert missing_table.startswith("the warehouse has no table ledger: run `funnel build`")
    surprise = one_line(KeyError("x"))
    assert surprise.startswith("unexpected KeyError") and "--debug" in surprise
    for text in (denied, locked, missing_table, surprise):
        assert "\n" not in text
