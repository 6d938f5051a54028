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
from orchestration.generator import generate
from orchestration.settings import PROJECT_DIR

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


def test_the_search_for_the_salt_is_not_blind(builds: Builds, tmp_path: Path) -> None:
    planted = tmp_path / "planted" / "run_results.json"
    planted.parent.mkdir()
    planted.write_text(f'{{"compiled_code": "sha256(\'{SALT}\' || lower(email))"}}')
    assert files_holding(SALT, [builds.root, tmp_path]) == [str(planted)]
    with duckdb.connect(str(tmp_path / "planted.duckdb")) as con:
        con.execute(f"create view leaked as select sha256('{SALT}' || 'x') as h")
        con.execute("create table cells as select ? || repeat('x', 40) as text", [SALT])
    assert duckdb_objects_holding(SALT, tmp_path / "planted.duckdb") == ["leaked", "main.cells.text"]


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
