"""Loading the same folder twice changes no table; identical content is loaded once."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.loader import load, load_folder, read
from orchestration.loader.spec import raw_table_schemas

FIXTURES = Path(__file__).parents[1] / "fixtures"


def _landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    shutil.copytree(FIXTURES / "loader" / "salesforce_export", root / "salesforce")
    shutil.copytree(FIXTURES / "loader" / "quarantine", root / "bad" / "salesforce")
    shutil.copytree(FIXTURES / "loader" / "hubspot", root / "hubspot")
    shutil.copytree(FIXTURES / "mappings" / "amocrm", root / "amocrm")
    shutil.copy(Path(__file__).parents[2] / "mappings" / "amocrm.yml", root / "amocrm" / "mapping.yml")
    return root


def _fingerprint(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int | None]]:
    """Row count and an order-independent checksum of the content of every raw and loader table."""
    tables = [*raw_table_schemas(), "loader.quarantine", "loader.files"]
    result = {}
    for table in tables:
        # Run ids and load times differ per run by design; the data must not.
        excluded = "exclude (_run_id, _loaded_at)" if table.startswith("raw.") else "exclude (run_id)"
        if table == "loader.files":
            excluded = "exclude (first_run_id, first_loaded_at)"
        result[table] = con.execute(
            f"select count(*), sum(hash(t)) from (select * {excluded} from {table}) as t"
        ).fetchone()
    return result


def test_second_load_of_the_same_folder_changes_nothing(tmp_path: Path) -> None:
    landing = _landing(tmp_path)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    first = load_folder(con, landing, run_id="first")
    before = _fingerprint(con)
    assert before["raw.salesforce__opportunity"][0] == 5 + 2  # the export, the good quarantine-fixture rows
    second = load_folder(con, landing, run_id="second")
    assert _fingerprint(con) == before
    assert {f.status for f in second.files} == {"skipped_duplicate"}
    assert len(second.files) == len(first.files)
    assert all(f.rows_read == 0 for f in second.files)


def test_a_copy_of_a_loaded_file_under_another_name_is_skipped(tmp_path: Path) -> None:
    landing = _landing(tmp_path)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    load_folder(con, landing, run_id="first")
    (landing / "later").mkdir()
    shutil.copy(landing / "salesforce" / "Opportunity.csv", landing / "later" / "Opportunity_2024-05-01.csv")
    report = load_folder(con, landing, run_id="second")
    result = report.by_file()["later/Opportunity_2024-05-01.csv"]
    assert result.status == "skipped_duplicate"
    assert result.message == "identical content was loaded by run first from salesforce/Opportunity.csv"
    assert con.execute("select count(*) from raw.salesforce__opportunity").fetchone()[0] == 7


def test_ledger_has_one_row_per_file_per_run(tmp_path: Path) -> None:
    landing = _landing(tmp_path)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    load_folder(con, landing, run_id="first")
    load_folder(con, landing, run_id="second")
    per_run = con.execute(
        "select run_id, count(*), count(distinct source_file) from loader.ledger "
        "group by run_id order by run_id"
    ).fetchall()
    assert per_run == [("first", 9, 9), ("second", 9, 9)]
    bad = con.execute(
        "select count(*) from loader.ledger where rows_read <> rows_loaded + rows_quarantined"
    ).fetchone()[0]
    assert bad == 0


def _schemas(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {name for (name,) in con.execute("select schema_name from duckdb_schemas()").fetchall()}


def test_files_too_big_for_memory_stage_in_the_work_schema_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose text copy would not fit in DuckDB's memory limit is staged in the warehouse's
    work schema (compressed) instead of temp (spilled uncompressed); what lands must not differ."""
    landing = _landing(tmp_path)
    in_memory = duckdb.connect(str(tmp_path / "memory.duckdb"))
    first = load_folder(in_memory, landing, run_id="run")

    places: list[bool] = []
    real_work_place = read.work_place

    def counted(con: duckdb.DuckDBPyConnection, csv_path: Path) -> read.WorkPlace:
        place = real_work_place(con, csv_path)
        places.append(place.in_memory)
        return place

    monkeypatch.setattr(read, "IN_MEMORY_FACTOR", 10**12)  # every file "too big"
    monkeypatch.setattr(load, "work_place", counted)
    on_disk = duckdb.connect(str(tmp_path / "disk.duckdb"))
    # A load killed half way left a work table behind: the next load starts from an empty schema.
    on_disk.execute(f"create schema {read.WORK_SCHEMA}")
    on_disk.execute(f"create table {read.WORK_SCHEMA}._raw_left_over as select 1 as c0")
    second = load_folder(on_disk, landing, run_id="run")

    assert places and not any(places)  # the work schema was really used, for every file
    assert _fingerprint(on_disk) == _fingerprint(in_memory)
    assert [(f.rows_read, f.rows_loaded, f.rows_quarantined, f.status) for f in second.files] == [
        (f.rows_read, f.rows_loaded, f.rows_quarantined, f.status) for f in first.files
    ]
    assert read.WORK_SCHEMA not in _schemas(on_disk)  # nothing left for dbt or BI to see
