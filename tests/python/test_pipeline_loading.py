"""Generated exports through the real loader: quarantine, ledger and reloads against the truth."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from orchestration.loader import load_folder
from simulator import generate


@pytest.fixture(scope="module")
def messy_exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("messy")
    generate(out_dir=out, leads=2_000, seed=11, messy=True)
    return out


def _table_fingerprints(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> dict[str, tuple]:
    """Row count and an order-independent checksum of every table in the given schemas."""
    tables = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        f"where table_schema in ({', '.join('?' for _ in schemas)}) order by 1",
        list(schemas),
    ).fetchall()
    prints = {}
    for (table,) in tables:
        prints[table] = con.execute(
            f"select count(*), coalesce(sum(hash(t)), 0) from (select * from {table}) t"
        ).fetchone()
    return prints


def test_messy_exports_quarantine_exactly_the_dirt_the_generator_added(
    messy_exports: Path, tmp_path: Path
) -> None:
    truth = json.loads((messy_exports / "truth.json").read_text())
    report = load_folder(tmp_path / "wh.duckdb", messy_exports)
    assert not report.failed

    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    quarantined = Counter(
        {
            (file, reason): n
            for file, reason, n in con.execute(
                "select source_file, reason, count(*) from loader.quarantine group by source_file, reason"
            ).fetchall()
        }
    )
    expected = Counter(
        {(q["file"], q["reason_code"]): q["rows"] for q in truth["messy"]["expected_quarantine"]}
    )
    assert quarantined == expected


def test_every_file_reconciles_read_with_loaded_plus_quarantined(messy_exports: Path, tmp_path: Path) -> None:
    load_folder(tmp_path / "wh.duckdb", messy_exports)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    rows = con.execute(
        """
        select l.source_file, l.rows_read, l.rows_loaded, l.rows_quarantined,
               (select count(*) from loader.quarantine q
                 where q.run_id = l.run_id and q.file_hash = l.file_hash) as quarantine_rows
        from loader.ledger l
        where l.source_file like '%.csv'
        """
    ).fetchall()
    assert len(rows) == sum(1 for _ in messy_exports.rglob("*.csv"))
    for file, read, loaded, quarantined, quarantine_rows in rows:
        assert read == loaded + quarantined, file
        assert quarantined == quarantine_rows, file
    generated = json.loads((messy_exports / "truth.json").read_text())["files"]
    read_by_file = {file: read for file, read, *_ in rows}
    for file, expected_rows in generated.items():
        if file.endswith(".csv"):
            assert read_by_file[file] == expected_rows, file


def test_loading_the_same_folder_twice_changes_no_table(messy_exports: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    load_folder(warehouse, messy_exports)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        before = _table_fingerprints(con, ("raw",))
        quarantine_before = con.execute("select count(*) from loader.quarantine").fetchone()
    second = load_folder(warehouse, messy_exports)
    # every data file is a duplicate; the generator's truth.json is not data and is skipped, saying so
    assert {r.source_file for r in second.files if r.status != "skipped_duplicate"} == {"truth.json"}
    assert {r.status for r in second.files if r.source_file == "truth.json"} == {"skipped"}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert _table_fingerprints(con, ("raw",)) == before
        assert con.execute("select count(*) from loader.quarantine").fetchone() == quarantine_before
