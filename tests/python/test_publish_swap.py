"""The publish swap is safe for a reader caught half way through opening the file.

DuckDB opens a database file three times while connecting: the magic bytes, then the first 12 KiB
(the main header and both database headers), then the blocks those headers point to. A reader
whose second open saw the previous copy and whose third open sees the new one reads the new
file's bytes through the previous file's headers. Each test below builds exactly that file (the
previous copy's first 12 KiB followed by the rest of the new copy) and opens it read-only: it must
be the previous publication, whole. Before publish started from a copy of the previous file, such a
reader failed with "Failed to load metadata pointer" or "Could not read enough bytes".
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.warehouse.publish import publish, read_publication

HEADERS = 3 * 4096  # what DuckDB's second open reads: main header + two database headers


def _warehouse(path: Path, rows: int, seed: int) -> Path:
    """A warehouse with a marts schema of three tables whose size and content depend on rows and seed."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        for number in range(3):
            con.execute(
                f"create table marts.fct_t{number} as select range as id, "
                f"(range * {seed + number}) % 997 as amount, 'label-' || (range % 13) as label "
                f"from range({rows * (number + 1)})"
            )
    return path


def _whole_publication(path: Path) -> tuple[str, dict[str, int]]:
    """The publication in `path`, after checking every stamped count against the table itself."""
    with duckdb.connect(str(path), read_only=True) as con:
        publication_id, stamped = read_publication(con)
        measured = {name: con.execute(f"select count(*) from {name}").fetchone()[0] for name in stamped}
        con.execute(
            "select sum(amount), count(distinct label) from marts.fct_t2"
        ).fetchone()  # reads every block
    assert publication_id is not None
    assert measured == stamped
    return publication_id, stamped


def _reader_caught_in_the_swap(previous: bytes, new: Path, into: Path) -> Path:
    into.write_bytes(previous[:HEADERS] + new.read_bytes()[HEADERS:])
    return into


@pytest.mark.parametrize(
    "sizes",
    [(200_000, 20_000), (20_000, 200_000), (100_000, 100_000), (200_000, 20_000, 20_000, 200_000)],
    ids=["shrinks", "grows", "same-size", "shrinks-then-grows"],
)
def test_a_reader_with_the_previous_headers_reads_the_previous_publication(
    tmp_path: Path, sizes: tuple[int, ...]
) -> None:
    published = tmp_path / "published" / "funnel.duckdb"
    publish(_warehouse(tmp_path / "w0.duckdb", 50_000, seed=1), published)
    for step, rows in enumerate(sizes, start=1):
        previous_bytes = published.read_bytes()
        previous = _whole_publication(published)
        counts = publish(_warehouse(tmp_path / f"w{step}.duckdb", rows, seed=step + 1), published)

        new_id, new_counts = _whole_publication(published)
        assert new_id != previous[0] and new_counts == counts
        assert new_counts["marts.fct_t0"] == rows
        hybrid = _reader_caught_in_the_swap(previous_bytes, published, tmp_path / f"hybrid{step}.duckdb")
        assert _whole_publication(hybrid) == previous


def test_a_previous_copy_at_a_newer_storage_version_is_replaced_by_a_fresh_one(tmp_path: Path) -> None:
    published = tmp_path / "funnel.duckdb"
    warehouse = _warehouse(tmp_path / "w.duckdb", 1_000, seed=3)
    publish(warehouse, published, storage_version="v1.4.0")  # cannot be lowered in place
    counts = publish(warehouse, published, storage_version="v1.1.0")
    assert _whole_publication(published)[1] == counts
    fresh = tmp_path / "fresh.duckdb"
    publish(warehouse, fresh, storage_version="v1.1.0")
    assert _storage_version(published) == _storage_version(fresh) != _storage_version_of("v1.4.0", tmp_path)


def _storage_version(path: Path) -> str:
    with duckdb.connect() as con:
        con.execute(f"attach '{path}' as db (read_only)")
        return con.execute("select tags from duckdb_databases() where database_name = 'db'").fetchone()[0][
            "storage_version"
        ]


def _storage_version_of(version: str, folder: Path) -> str:
    path = folder / f"empty-{version}.duckdb"
    with duckdb.connect() as con:
        con.execute(f"attach '{path}' as db (storage_version '{version}')")
        con.execute("create table db.t as select 1 as x")
    return _storage_version(path)
