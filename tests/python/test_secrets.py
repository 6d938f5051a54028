"""The PII salt is a secret: it never reaches disk, and no entry point builds with a weak one.

- One small build through the CLI (`funnel load` + `funnel build --select +staging`, dbt as a
  subprocess) and one through the Dagster `refresh` job (`funnel run`: load, dbt build, checks,
  publish, report), both with a distinctive salt. Then every byte under the test's folder (dbt's
  target and log folders, DAGSTER_HOME with its storage and compute logs, the warehouses, the
  published copy, the report) and the project's own target/ and logs/ folders is searched for the
  salt, and the DuckDB files are also searched through SQL (their strings may be compressed on
  disk): nothing. The same search finds the salt in a file written for the purpose, and the
  staged hashes equal sha256(salt || email) computed here, so the salt did reach the build.
- Refusals: an empty, short, or development salt outside the demo stops `funnel build` and
  `funnel run` with one line, the Dagster job at its first step, and the schedule and sensor
  skip with the reason instead of launching a run that would refuse.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.errors import FunnelError
from orchestration.pii_salt import refusal
from orchestration.settings import PROJECT_DIR
from simulator import generate

pytestmark = pytest.mark.timeout(1800)

# Distinctive: no file has any reason to hold it but a leak.
SALT = "zq7-SECRET-pepper-41c9e2b8d0"
DEV_SALT = "funnel-dev-salt"


@dataclass(frozen=True)
class Builds:
    root: Path  # everything the two builds wrote: warehouses, target, logs, DAGSTER_HOME, ...
    landing: Path
    cli_warehouse: Path
    dagster_warehouse: Path
    published: Path


def _environment(root: Path, name: str) -> dict[str, str]:
    folder = root / name
    return {
        "FUNNEL_PII_SALT": SALT,
        "FUNNEL_WAREHOUSE": str(folder / "funnel.duckdb"),
        "FUNNEL_PUBLISHED": str(folder / "published" / "funnel.duckdb"),
        "FUNNEL_REPORT": str(folder / "report.html"),
        "FUNNEL_RAW_PARQUET": str(folder / "raw_parquet"),
        "FUNNEL_SPARK_DIR": str(folder / "spark"),
        "FUNNEL_DUCKDB_MEMORY_LIMIT": "2GB",
        "DAGSTER_HOME": str(root / "dagster_home"),
        "DBT_TARGET_PATH": str(root / "target"),
        "DBT_LOG_PATH": str(root / "dbt_logs"),
        "DBT_LOG_LEVEL_FILE": "debug",  # the most dbt writes: every statement it runs
    }


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Builds]:
    root = tmp_path_factory.mktemp("secrets")
    landing = root / "landing"
    generate(out_dir=landing, leads=200, seed=5, formats=("salesforce", "marketing"))
    saved = dict(os.environ)
    runner = CliRunner()
    try:
        os.environ.pop("FUNNEL_DEMO", None)
        os.environ.update(_environment(root, "cli"))
        os.environ["DBT_INDIRECT_SELECTION"] = "cautious"  # only the tests of what +staging builds
        loaded = runner.invoke(app, ["--quiet", "load", str(landing)])
        assert loaded.exit_code == 0, loaded.output
        built = runner.invoke(app, ["--quiet", "build", "--select", "+staging"])
        assert built.exit_code == 0, built.output

        os.environ.update(_environment(root, "dagster"))
        os.environ.pop("DBT_INDIRECT_SELECTION")
        refreshed = runner.invoke(app, ["--quiet", "run", str(landing)])
        assert refreshed.exit_code == 0, refreshed.output
    finally:
        os.environ.clear()
        os.environ.update(saved)
    yield Builds(
        root=root,
        landing=landing,
        cli_warehouse=root / "cli" / "funnel.duckdb",
        dagster_warehouse=root / "dagster" / "funnel.duckdb",
        published=root / "dagster" / "published" / "funnel.duckdb",
    )


def files_holding(secret: str, folders: list[Path]) -> list[str]:
    """Every file under the folders whose bytes contain the secret (UTF-8, as written by dbt,
    Dagster and DuckDB)."""
    needle = secret.encode()
    found = []
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.exists() else []:
            if path.is_file() and not path.is_symlink() and needle in path.read_bytes():
                found.append(str(path))
    return found


def duckdb_objects_holding(secret: str, database: Path) -> list[str]:
    """View and macro definitions, and every text cell, of a DuckDB file that contain the secret:
    strings in table data may be compressed on disk, where a byte search cannot see them."""
    found = []
    with duckdb.connect() as con:
        con.execute(f"attach '{database}' as db (read_only)")
        definitions = con.execute(
            "select view_name, sql from duckdb_views() where database_name = 'db' "
            "union all select function_name, macro_definition from duckdb_functions() "
            "where database_name = 'db' and macro_definition is not null"
        ).fetchall()
        found += [name for name, sql in definitions if sql and secret in sql]
        columns = con.execute(
            "select schema_name, table_name, column_name from duckdb_columns() "
            "where database_name = 'db' and data_type = 'VARCHAR'"
        ).fetchall()
        for schema, table, column in columns:
            hits = con.execute(
                f'select count(*) from db."{schema}"."{table}" where contains("{column}", ?)', [secret]
            ).fetchone()[0]
            if hits:
                found.append(f"{schema}.{table}.{column}")
    return found


@pytest.mark.slow
def test_the_salt_reaches_no_file_after_a_cli_build_and_a_dagster_refresh(builds: Builds) -> None:
    folders = [builds.root, PROJECT_DIR / "target", PROJECT_DIR / "logs", PROJECT_DIR / ".dagster"]
    # What the builds wrote, so the search below really covers them.
    assert list((builds.root / "target").rglob("manifest.json"))
    assert list((builds.root / "target").rglob("compiled/**/stg_salesforce__leads.sql"))
    assert list((builds.root / "target").rglob("run/**/stg_salesforce__leads.sql"))
    assert list((builds.root / "target").rglob("partial_parse.msgpack"))
    assert list(builds.root.rglob("dbt.log"))
    assert list((builds.root / "dagster_home" / "storage").rglob("*"))
    assert builds.published.exists()

    assert files_holding(SALT, folders) == []
    for database in (builds.cli_warehouse, builds.dagster_warehouse, builds.published):
        assert duckdb_objects_holding(SALT, database) == [], database


@pytest.mark.slow
def test_the_search_for_the_salt_is_not_blind(builds: Builds, tmp_path: Path) -> None:
    planted = tmp_path / "planted" / "run_results.json"
    planted.parent.mkdir()
    planted.write_text(f'{{"compiled_code": "sha256(\'{SALT}\' || lower(email))"}}')
    assert files_holding(SALT, [builds.root, tmp_path]) == [str(planted)]
    with duckdb.connect(str(tmp_path / "planted.duckdb")) as con:
        con.execute(f"create view leaked as select sha256('{SALT}' || 'x') as h")
        con.execute("create table cells as select ? || repeat('x', 40) as text", [SALT])
    assert duckdb_objects_holding(SALT, tmp_path / "planted.duckdb") == ["leaked", "main.cells.text"]


@pytest.mark.slow
def test_both_builds_hash_with_the_salt_from_the_environment(builds: Builds) -> None:
    lead_files = sorted(builds.landing.rglob("Lead.csv"))
    with lead_files[0].open(newline="") as handle:
        email = next(row["Email"] for row in csv.DictReader(handle) if row["Email"].strip())
    expected = hashlib.sha256((SALT + email.strip().lower()).encode()).hexdigest()
    for warehouse in (builds.cli_warehouse, builds.dagster_warehouse):
        with duckdb.connect(str(warehouse), read_only=True) as con:
            hashes = {
                h for (h,) in con.execute("select email_hash from staging.stg_salesforce__leads").fetchall()
            }
        assert expected in hashes, warehouse


@pytest.mark.parametrize(
    ("salt", "demo", "refused_because"),
    [
        (None, False, "FUNNEL_PII_SALT is not set"),
        ("", False, "set but empty"),
        ("", True, "set but empty"),
        ("x", False, "1 characters long"),
        ("fifteen-chars-x", True, "15 characters long"),
        (DEV_SALT, False, "public development salt"),
        (None, True, None),  # the demo: the development salt
        (DEV_SALT, True, None),
        ("sixteen-chars-ok", False, None),
        (SALT, True, None),
    ],
)
def test_the_salt_rule(salt: str | None, demo: bool, refused_because: str | None) -> None:
    problem = refusal(salt, demo)
    if refused_because is None:
        assert problem is None
    else:
        assert problem is not None and refused_because in problem and "\n" not in problem


def test_the_demo_hashes_with_the_development_salt_and_a_set_salt_always_wins() -> None:
    from orchestration.settings import Settings

    assert Settings.from_env({"FUNNEL_DEMO": "1"}).effective_pii_salt == DEV_SALT
    assert Settings.from_env({"FUNNEL_DEMO": "1", "FUNNEL_PII_SALT": SALT}).effective_pii_salt == SALT
    assert Settings.from_env({}).effective_pii_salt is None
    assert Settings.from_env({"FUNNEL_DEMO": "yes"}).effective_pii_salt is None  # only "1" opts in
    env = Settings.from_env({"FUNNEL_PII_SALT": SALT}).dbt_env()
    assert env["DBT_ENV_SECRET_FUNNEL_PII_SALT"] == SALT  # what dbt reads (and scrubs from its logs)
    assert bytes.fromhex(env["DBT_ENV_SECRET_FUNNEL_PII_SALT_HEX"]).decode() == SALT  # Spark's copy


WEAK_SALTS = {"empty": "", "short": "short-salt", "development": DEV_SALT, "unset": None}


def _weak_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, salt: str | None) -> None:
    monkeypatch.delenv("FUNNEL_DEMO", raising=False)
    monkeypatch.delenv("DBT_ENV_SECRET_FUNNEL_PII_SALT", raising=False)
    if salt is None:
        monkeypatch.delenv("FUNNEL_PII_SALT", raising=False)
    else:
        monkeypatch.setenv("FUNNEL_PII_SALT", salt)
    monkeypatch.setenv("FUNNEL_WAREHOUSE", str(tmp_path / "funnel.duckdb"))
    monkeypatch.setenv("FUNNEL_PUBLISHED", str(tmp_path / "published" / "funnel.duckdb"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))


@pytest.mark.parametrize("command", [["build"], ["build", "--target", "spark"], ["run"]])
@pytest.mark.parametrize("weak", sorted(WEAK_SALTS))
def test_the_cli_refuses_a_weak_salt_before_building(
    command: list[str], weak: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _weak_environment(monkeypatch, tmp_path, WEAK_SALTS[weak])
    landing = tmp_path / "landing"
    landing.mkdir()
    result = CliRunner().invoke(app, ["--quiet", *command, *([str(landing)] if command == ["run"] else [])])
    assert result.exit_code == 1
    # One message (the console wraps it to the terminal's width), the rule's own, and nothing else.
    expected = refusal(WEAK_SALTS[weak], demo=False)
    assert expected is not None and "\n" not in expected
    assert " ".join(result.output.split()) == " ".join(f"error: {expected}".split())
    assert not (tmp_path / "funnel.duckdb").exists()  # nothing was loaded or built


def test_the_demo_builds_with_the_development_salt_and_a_warning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from orchestration import cli

    _weak_environment(monkeypatch, tmp_path, None)
    monkeypatch.setenv("FUNNEL_DEMO", "1")
    warned: list[str] = []
    monkeypatch.setattr(cli.console, "print", lambda message, *a, **k: warned.append(str(message)))
    settings = cli._checked_settings()
    assert settings.effective_pii_salt == DEV_SALT
    assert any("public development salt" in line for line in warned)
    monkeypatch.setenv("FUNNEL_PII_SALT", "short-salt")  # the demo does not excuse a weak salt that is set
    with pytest.raises(FunnelError, match="at least 16"):  # printed as one line by the command group
        cli._checked_settings()


def test_the_dagster_refresh_job_refuses_a_weak_salt_at_its_first_step(make_settings, tmp_path: Path) -> None:  # noqa: ANN001
    from orchestration.pipeline import failed_steps, run_refresh

    landing = tmp_path / "landing"
    generate(out_dir=landing, leads=20, seed=1, formats=("salesforce",))
    settings = make_settings("weak", FUNNEL_PII_SALT="short-salt")
    result = run_refresh(settings, landing)

    assert not result.success
    failures = failed_steps(result)
    assert len(failures) == 1, failures
    assert failures[0].startswith("load_exports: ")
    assert "refused before loading or hashing anything: FUNNEL_PII_SALT is 10 characters long" in failures[0]
    assert "\n" not in failures[0]
    assert not settings.warehouse.exists()  # nothing loaded, nothing built, nothing published
    assert not settings.published.exists()


def test_the_dbt_step_refuses_a_weak_salt_when_run_alone(make_settings) -> None:  # noqa: ANN001
    from dagster import DagsterInstance

    from orchestration.definitions import build_definitions
    from orchestration.pipeline import failed_steps

    settings = make_settings("dbt_alone", FUNNEL_PII_SALT="")
    settings.export_to_environment()  # as `funnel run` does before it runs the job in process
    definitions = build_definitions(settings)
    job = definitions.resolve_job_def("refresh")
    dbt_keys = [
        key for key in definitions.resolve_asset_graph().get_all_asset_keys() if key.path[0] == "staging"
    ]
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False, asset_selection=dbt_keys)
    assert not result.success
    failures = failed_steps(result)
    assert len(failures) == 1 and failures[0].startswith("funnel_dbt_models: "), failures
    assert "FUNNEL_PII_SALT is set but empty" in failures[0]
    assert not settings.warehouse.exists()


@pytest.mark.parametrize("weak", sorted(WEAK_SALTS))
def test_the_schedule_and_the_sensor_skip_instead_of_launching_a_refused_run(
    weak: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from dagster import RunRequest, SkipReason, build_schedule_context, build_sensor_context

    from orchestration.schedules import daily_refresh_schedule
    from orchestration.sensors import new_exports_sensor

    landing = tmp_path / "landing"
    (landing / "salesforce").mkdir(parents=True)
    (landing / "salesforce" / "Lead.csv").write_text('"Id"\n"00Q1"\n')
    os.utime(landing / "salesforce" / "Lead.csv", (0, 0))  # settled long ago
    monkeypatch.setenv("FUNNEL_LANDING_DIR", str(landing))
    schedule = daily_refresh_schedule()

    _weak_environment(monkeypatch, tmp_path, WEAK_SALTS[weak])
    tick = schedule.evaluate_tick(build_schedule_context())
    assert not tick.run_requests and tick.skip_message.startswith("FUNNEL_PII_SALT")
    with build_sensor_context() as context:
        skipped = new_exports_sensor(context)
    assert isinstance(skipped, SkipReason) and skipped.skip_message.startswith("FUNNEL_PII_SALT")

    monkeypatch.setenv("FUNNEL_PII_SALT", SALT)  # the same ticks with a secret salt launch the run
    assert len(schedule.evaluate_tick(build_schedule_context()).run_requests) == 1
    with build_sensor_context() as context:
        assert isinstance(new_exports_sensor(context), RunRequest)


def _copy_of_the_cli_build(builds: Builds, folder: Path, **extra: str):  # noqa: ANN202 - Settings
    import shutil

    from conftest import settings_in

    folder.mkdir(parents=True, exist_ok=True)
    settings = settings_in(folder, **extra)
    shutil.copyfile(builds.cli_warehouse, settings.warehouse)
    return settings


@pytest.mark.slow
def test_a_build_whose_salt_never_reached_dbt_fails_instead_of_hashing_with_null(
    builds: Builds, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dbt run by hand, or by a caller that skipped the settings: no salt, no hashes."""
    from dataclasses import replace

    from orchestration.warehouse import DbtError, run_dbt

    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    settings = replace(_copy_of_the_cli_build(builds, tmp_path / "wh"), pii_salt=None, demo=False)
    assert "DBT_ENV_SECRET_FUNNEL_PII_SALT" not in settings.dbt_env()
    with pytest.raises(DbtError) as failed:
        run_dbt(settings, ["run", "--select", "stg_salesforce__leads"], target="duckdb", capture=True)
    assert "stg_salesforce__leads: error" in str(failed.value)
    assert "FUNNEL_PII_SALT did not reach dbt" in str(failed.value)


@pytest.mark.spark
def test_spark_hashes_like_duckdb_without_the_salt_reaching_disk(
    builds: Builds, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session target: the staged email hashes equal DuckDB's for the same salt, and neither
    Spark's warehouse and metastore nor dbt's files hold the salt."""
    import shutil

    from orchestration.pipeline import build_models

    if shutil.which("java") is None:
        pytest.fail("Java is required for the Spark build: run `make test`, which installs it")
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    monkeypatch.setenv("DBT_INDIRECT_SELECTION", "cautious")
    settings = _copy_of_the_cli_build(builds, tmp_path / "wh", FUNNEL_PII_SALT=SALT)
    build_models(settings, target="spark", select="+stg_salesforce__leads")

    leads = settings.spark_dir / "warehouse" / "staging.db" / "stg_salesforce__leads"
    with duckdb.connect() as con:
        on_spark = con.execute(f"select email_hash from read_parquet('{leads}/*.parquet')").fetchall()
        con.execute(f"attach '{builds.cli_warehouse}' as duck (read_only)")
        on_duckdb = con.execute("select email_hash from duck.staging.stg_salesforce__leads").fetchall()
    assert len(on_spark) == len(on_duckdb) > 100
    assert sorted(on_spark, key=str) == sorted(on_duckdb, key=str)
    assert files_holding(SALT, [tmp_path, PROJECT_DIR / "target", PROJECT_DIR / "logs"]) == []
    derby_log = PROJECT_DIR / "derby.log"
    assert not derby_log.exists() or SALT.encode() not in derby_log.read_bytes()
