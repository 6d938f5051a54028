"""Reps' names are readable in dim_owners, rep performance and the report; FUNNEL_HASH_OWNER_NAMES=1
hashes them like customers' personal data.

The expected names are read from the generated owner exports themselves (Salesforce User.csv, HubSpot
owners.csv, the mapped owners.csv), not from the warehouse; the expected hashes are computed here with
the test's salt, sha256(salt || lower(name)), as for every other hashed value.
"""

from __future__ import annotations

import csv
import hashlib
import html
from pathlib import Path

import duckdb
import pytest
from conftest import load_and_build, settings_in

from orchestration.report import build_report
from orchestration.report.data import read_report_data
from orchestration.settings import Settings

pytestmark = pytest.mark.timeout(900)

LEADS = 300
SEED = 5
# Where each source's owners are, and how its export spells an owner's id, manager and name.
OWNER_FILES = {
    "salesforce": (
        "salesforce/User.csv",
        "Id",
        "ManagerId",
        lambda row: f"{row['FirstName']} {row['LastName']}",
    ),
    "hubspot": (
        "hubspot/owners.csv",
        "id",
        "manager_id",
        lambda row: f"{row['firstname']} {row['lastname']}",
    ),
    "generic": ("generic/owners.csv", "Owner ID", "Manager ID", lambda row: row["Name"]),
}


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from simulator import generate

    folder = tmp_path_factory.mktemp("owner_exports")
    generate(out_dir=folder, leads=LEADS, seed=SEED, formats=("salesforce", "hubspot", "generic"))
    return folder


@pytest.fixture(scope="module")
def owners(exports: Path) -> dict[str, dict[str, tuple[str, str]]]:
    """source -> owner id -> (name, manager id) as the export writes them; a manager id that is no
    owner's ('' or Salesforce's all-zero null id) means none."""
    found: dict[str, dict[str, tuple[str, str]]] = {}
    for source, (path, id_column, manager_column, name_of) in OWNER_FILES.items():
        with (exports / path).open(newline="", encoding="utf-8") as handle:
            found[source] = {
                row[id_column]: (name_of(row), row[manager_column]) for row in csv.DictReader(handle)
            }
    assert all(len(rows) >= 19 for rows in found.values())  # VP, 9 managers and at least 9 reps each
    return found


@pytest.fixture(scope="module")
def readable(exports: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = settings_in(tmp_path_factory.mktemp("owners_readable"))
    load_and_build(settings, exports)
    return settings


@pytest.fixture(scope="module")
def hashed(exports: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = settings_in(tmp_path_factory.mktemp("owners_hashed"), FUNNEL_HASH_OWNER_NAMES="1")
    assert settings.hash_owner_names
    load_and_build(settings, exports)
    return settings


def _rows(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def _names_by_key(settings: Settings) -> tuple[dict, dict, dict]:
    """dim_owners' owner_name and manager_name, and fct_rep_performance's level_name, by level."""
    dim = _rows(settings, "select source_system, owner_id, owner_name, manager_name from marts.dim_owners")
    reps = _rows(
        settings,
        "select level, source_system, level_value, level_name from marts.fct_rep_performance "
        "where level in ('owner', 'manager') and level_value <> 'unknown'",
    )
    owner_names = {(s, i): n for s, i, n, _ in dim}
    manager_names = {(s, i): m for s, i, _, m in dim}
    level_names = {(level, s, value.split(":", 1)[1]): name for level, s, value, name in reps}
    return owner_names, manager_names, level_names


def test_owner_and_manager_names_are_the_names_in_the_exports(readable: Settings, owners: dict) -> None:
    owner_names, manager_names, level_names = _names_by_key(readable)
    expected_owner = {(s, i): name for s, rows in owners.items() for i, (name, _) in rows.items()}
    expected_manager = {
        (s, i): rows[manager][0] if manager in rows else None
        for s, rows in owners.items()
        for i, (_, manager) in rows.items()
    }
    assert owner_names == expected_owner
    assert manager_names == expected_manager
    # every rep and manager that owns something, named as in the export, at both roll-up levels
    assert {level for level, _, _ in level_names} == {"owner", "manager"}
    assert len(level_names) >= 3 * 9
    for (_, source, owner_id), name in level_names.items():
        assert name == owners[source][owner_id][0]


def test_with_hash_owner_names_the_names_are_salted_hashes_and_never_clear(
    readable: Settings, hashed: Settings, owners: dict
) -> None:
    salt = hashed.pii_salt
    assert salt
    owner_names, manager_names, level_names = _names_by_key(hashed)

    def digest(name: str) -> str:
        return hashlib.sha256((salt + name.strip().lower()).encode()).hexdigest()

    assert owner_names == {
        (s, i): digest(name) for s, rows in owners.items() for i, (name, _) in rows.items()
    }
    assert manager_names == {
        (s, i): digest(rows[manager][0]) if manager in rows else None
        for s, rows in owners.items()
        for i, (_, manager) in rows.items()
    }
    assert len(level_names) >= 3 * 9
    for (_, source, owner_id), name in level_names.items():
        assert name == digest(owners[source][owner_id][0])

    # no clear rep name in any text column of any table past staging; the same scan finds them in
    # the readable build, so it is not blind
    clear = sorted({name.lower() for rows in owners.values() for name, _ in rows.values()})
    assert "marts.dim_owners.owner_name" in _clear_name_columns(readable, clear)
    assert "marts.fct_rep_performance.level_name" in _clear_name_columns(readable, clear)
    assert _clear_name_columns(hashed, clear) == set()


def _clear_name_columns(settings: Settings, clear: list[str]) -> set[str]:
    """'schema.table.column' of every text column outside raw, staging and the loader's tables
    (they hold exports as read, by design) that contains one of the clear names."""
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        columns = con.execute(
            "select schema_name, table_name, column_name from duckdb_columns() "
            "where schema_name not in ('raw', 'staging', 'loader') and data_type = 'VARCHAR'"
        ).fetchall()
        con.execute("create temp table clear_names as select unnest(?) as name", [clear])
        return {
            f"{schema}.{table}.{column}"
            for schema, table, column in columns
            if con.execute(
                f'select 1 from (select distinct lower("{column}") as text from "{schema}"."{table}") '
                "join clear_names on contains(text, name) limit 1"
            ).fetchall()
        }


def test_the_report_names_reps_and_falls_back_to_ids_when_names_are_hashed(
    readable: Settings, hashed: Settings, owners: dict, tmp_path: Path
) -> None:
    names = {name for rows in owners.values() for name, _ in rows.values()}
    ids = {owner_id for rows in owners.values() for owner_id in rows}

    data = read_report_data(str(readable.warehouse))
    reps = data.rep_performance
    assert len(reps) > 0 and set(reps["rep"]) <= names and set(reps["manager"].dropna()) <= names
    owner_labels = set(data.segment_conversion.query("segment_type == 'owner'")["segment_value"])
    assert owner_labels and owner_labels <= names
    page = build_report(readable.warehouse, tmp_path / "readable.html").read_text(encoding="utf-8")
    assert html.escape(reps["rep"].iloc[0]) in page

    data = read_report_data(str(hashed.warehouse))
    assert set(data.rep_performance["rep"]) <= ids  # the CRM id, never a 64-character hash
    owner_labels = set(data.segment_conversion.query("segment_type == 'owner'")["segment_value"])
    assert owner_labels and owner_labels <= ids
    page = build_report(hashed.warehouse, tmp_path / "hashed.html").read_text(encoding="utf-8").lower()
    assert not [name for name in names if name.lower() in page]


@pytest.mark.parametrize(
    ("value", "hashed_names"),
    [("1", True), ("true", True), (" ON ", True), ("0", False), ("", False), ("no", False)],
)
def test_the_setting_reaches_dbt_from_these_settings_only(
    value: str, hashed_names: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a value left in os.environ by other settings must not decide for these
    monkeypatch.setenv("FUNNEL_HASH_OWNER_NAMES", "0" if hashed_names else "1")
    settings = settings_in(tmp_path, FUNNEL_HASH_OWNER_NAMES=value)
    assert settings.hash_owner_names is hashed_names
    assert settings.dbt_env()["FUNNEL_HASH_OWNER_NAMES"] == ("1" if hashed_names else "0")
    assert settings_in(tmp_path).dbt_env()["FUNNEL_HASH_OWNER_NAMES"] == "0"  # unset: names readable
