"""`funnel run` prints a short account a new user can read: one line per step with its time and a
figure counted from the run (checked here against independent counts: the generator's files and
rows, the ledger, dbt's manifest, the Great Expectations suites, the published copy), then where
to look. Dagster's event log and dbt's lines go to the run storage and the run log file, not the
terminal; `funnel run --verbose` prints them as the run goes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from conftest import funnel_process_env, settings_in

from orchestration.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

FUNNEL = str(Path(sys.executable).with_name("funnel"))
STEP_LINE = re.compile(r"^  (load|dbt build|checks|publish|report) +(.+?) +(\d+\.\d)s$")
MAX_LINES = 20  # header, five steps, "done", five places, and room for a warning or two


@dataclass
class Run:
    settings: Settings
    landing: Path
    generated: object  # simulator.GenerationSummary
    process: subprocess.CompletedProcess

    @property
    def lines(self) -> list[str]:
        return (self.process.stdout + self.process.stderr).splitlines()

    def steps(self) -> dict[str, str]:
        return {m[1]: m[2] for m in map(STEP_LINE.match, self.lines) if m}


def _funnel_run(settings: Settings, landing: Path, *flags: str) -> subprocess.CompletedProcess:
    env = funnel_process_env(
        settings,
        COLUMNS="200",  # rich's width off a terminal: no wrapped lines in what is counted
    )
    return subprocess.run(
        [FUNNEL, "run", *flags, str(landing)],
        env=env,
        cwd=settings.warehouse.parent,
        capture_output=True,
        text=True,
        timeout=1500,
    )


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    from simulator import generate

    root = tmp_path_factory.mktemp("run_output")
    landing = root / "landing"
    generated = generate(out_dir=landing, leads=300, seed=11, formats=("salesforce", "marketing"))
    settings = settings_in(root / "wh")
    settings.warehouse.parent.mkdir(parents=True)
    return Run(settings, landing, generated, _funnel_run(settings, landing))


def test_the_run_prints_a_short_account_without_the_event_log(demo_run: Run) -> None:
    output = "\n".join(demo_run.lines)
    assert demo_run.process.returncode == 0, output
    assert len(demo_run.lines) <= MAX_LINES, output
    assert " - DEBUG - " not in output and "STEP_START" not in output, output
    assert not re.search(r"\d+ of \d+ (START|OK|PASS)", output), "dbt's per-node lines reached the terminal"
    assert list(demo_run.steps()) == ["load", "dbt build", "checks", "publish", "report"], output


def test_the_load_figure_is_the_generated_files_and_the_ledger(demo_run: Run) -> None:
    rows_written = sum(demo_run.generated.rows.values())
    with duckdb.connect(str(demo_run.settings.warehouse), read_only=True) as con:
        files, loaded, quarantined = con.execute(
            "select count(*), sum(rows_loaded), sum(rows_quarantined) from loader.ledger "
            "where status in ('loaded', 'loaded_with_quarantine')"
        ).fetchone()
    assert files == len(demo_run.generated.files) and loaded == rows_written and quarantined == 0
    assert demo_run.steps()["load"] == f"{files} files, {loaded:,} rows loaded, 0 quarantined"


def test_the_dbt_figure_counts_every_model_seed_and_test_of_the_project(demo_run: Run) -> None:
    manifest = json.loads(
        (Path(demo_run.settings.dbt_env()["DBT_TARGET_PATH"]) / "manifest.json").read_text()
    )
    kinds = [node["resource_type"] for node in manifest["nodes"].values()]
    models, seeds, tests = kinds.count("model"), kinds.count("seed"), kinds.count("test")
    assert models > 100 and seeds > 5 and tests > 300
    assert demo_run.steps()["dbt build"] == f"{models} models, {seeds} seeds built, {tests} tests passed"


def test_the_checks_figure_counts_every_expectation_of_the_suites(demo_run: Run) -> None:
    from orchestration.quality import load_suites

    expectations = sum(len(table.expectations) for table in load_suites())
    assert expectations > 20
    assert demo_run.steps()["checks"] == f"{expectations} of {expectations} expectations passed"


def test_the_publish_figure_is_what_the_published_copy_holds(demo_run: Run) -> None:
    with duckdb.connect(str(demo_run.settings.published), read_only=True) as con:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts'"
            ).fetchall()
        ]
        rows = sum(con.execute(f"select count(*) from marts.{name}").fetchone()[0] for name in tables)
    assert len(tables) > 20 and rows > 0
    assert demo_run.steps()["publish"] == f"{len(tables)} mart tables, {rows:,} rows"
    assert demo_run.steps()["report"] == "written" and demo_run.settings.report_file.exists()


def test_the_account_ends_with_where_to_look_and_the_event_log_is_kept(demo_run: Run) -> None:
    from dagster import DagsterEventType, DagsterInstance

    output = "\n".join(demo_run.lines)
    run_log = next(
        (demo_run.settings.warehouse.parent / line.split()[2])
        for line in demo_run.lines
        if line.startswith("  run log ")
    )
    for shown in ("report.html", "published/funnel.duckdb", "funnel ui", "data_docs/results.html"):
        assert shown in output, output
    # The file has what --verbose prints: Dagster's events and dbt's lines.
    text = run_log.read_text()
    assert text.count(" - DEBUG - ") > 100 and "STEP_START" in text and re.search(r"\d+ of \d+ PASS", text)
    run_id = run_log.stem
    with DagsterInstance.from_config(str(demo_run.settings.dagster_home)) as instance:
        starts = instance.get_records_for_run(run_id, of_type=DagsterEventType.STEP_START).records
    assert {record.event_log_entry.step_key for record in starts} >= {"load_exports", "funnel_dbt_models"}


@pytest.fixture(scope="module")
def refused_landing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path]:
    """A landing folder whose only export is a symlink leaving it: the load step refuses it and
    fails, and the rest of the run is skipped (a quick failed run)."""
    root = tmp_path_factory.mktemp("run_refused")
    outside = root / "elsewhere"
    outside.mkdir()
    (outside / "Opportunity.csv").write_text("Id,Name\n006000000000001,A deal\n")
    landing = root / "landing" / "salesforce"
    landing.mkdir(parents=True)
    (landing / "Opportunity.csv").symlink_to(outside / "Opportunity.csv")
    settings = settings_in(root / "wh")
    settings.warehouse.parent.mkdir(parents=True)
    return settings, landing.parent


def test_a_failed_run_says_which_step_failed_and_why_in_a_few_lines(refused_landing) -> None:  # noqa: ANN001
    settings, landing = refused_landing
    process = _funnel_run(settings, landing)
    output = process.stdout + process.stderr
    assert process.returncode == 1, output
    assert len(output.splitlines()) <= 12, output
    assert " - DEBUG - " not in output and "Traceback" not in output, output
    assert re.search(r"^  load +failed", output, re.M), output
    assert "symbolic link" in output and "refresh failed" in output, output
    for step in ("dbt build", "checks", "publish", "report"):
        assert re.search(rf"^  {step} +skipped \(an earlier step failed\)$", output, re.M), output


def test_verbose_brings_the_event_log_back(refused_landing) -> None:  # noqa: ANN001
    settings, landing = refused_landing
    process = _funnel_run(settings, landing, "--verbose")
    output = process.stdout + process.stderr
    assert process.returncode == 1, output
    assert (
        output.count(" - DEBUG - ") > 5 and 'STEP_START - Started execution of step "load_exports"' in output
    )
    # the run's own id and pid, as tools that follow a run parse them
    assert re.search(r" - refresh - [0-9a-f-]{36} - \d+ - load_exports - STEP_FAILURE", output), output
