"""Publish the BI copy: the marts, in a separate DuckDB file, swapped in atomically.

BI tools open the published file read-only. It is rebuilt beside the old one and moved over
it with os.replace, so a reader sees either the previous copy or the new one, never a partial
file, and never waits on the pipeline's write lock (the pipeline writes another file). Only
the marts and the load ledger go in: raw and staging hold personal data in clear or hashed
form and are not for BI. The file is written with a storage_compatibility_version that older
DuckDB readers can open.

Each copy carries audit.publication: one row per published table with the publication id,
time, row count and content checksum, written inside the copy before the swap. A reader can
check in one read-only connection that what it sees is one whole publication (the counts it
measures equal the ones stamped), and tell which publication it is reading.

Why the new copy starts as a copy of the previous one: DuckDB opens a database file three times
while connecting (magic bytes, then the headers, then the blocks the headers point to). A swap
between the second and third open hands a reader the previous file's headers and the new file's
blocks, and it fails ("Failed to load metadata pointer", "Could not read enough bytes"): about one
connection in a thousand while publishing in a loop. So the new publication is written into a copy
of the previous file, in one transaction and one checkpoint: DuckDB never overwrites a block that
the last checkpoint's headers reference before the new headers are written, so every block of the
previous publication is still in place, at the same offset, in the new file. A reader caught in the
window reads the previous publication, whole. DuckDB truncates free blocks at the end of the file
on checkpoint; if it did, the previous file's tail is put back. The cost: the file keeps one
publication's worth of free blocks (the previous one), which the next publish reuses.

Every table and column carries its description as a database comment, so a BI tool shows what each
number means: a mart's come from its dbt YAML (dbt writes them into the warehouse, persist_docs in
dbt_project.yml; `create table ... as select` drops them, so they are copied over), the ledger's and
audit.publication's from AUDIT_COMMENTS below. They are written in the same transaction as the tables.

Counts and sums are published as BIGINT: DuckDB's sum() of integers is a 128-bit HUGEINT, which
several BI drivers read badly; publish casts such columns, and a value beyond BIGINT fails the publish.

A publish killed half way leaves only its hidden temporary file (and that file's WAL); the
published copy is untouched and the next publish removes the leftovers.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from orchestration.warehouse.checksum import quote_identifier, relations, table_checksum

PUBLISHED_SCHEMAS = ("marts",)
PUBLICATION_TABLE = "audit.publication"
# Integer types BI drivers handle badly, published as BIGINT (see _published_columns).
WIDE_INTEGER_TYPES = ("HUGEINT", "UHUGEINT")

# The audit tables have no dbt YAML: their comments, (table comment, {column: comment}).
AUDIT_COMMENTS: dict[str, tuple[str, dict[str, str]]] = {
    "audit.load_ledger": (
        "The loader's ledger: one row per export file per load run; rows_read = rows_loaded + "
        "rows_quarantined for every file that loaded.",
        {
            "run_id": "Id of the load run (one `funnel load` or refresh) that read the file.",
            "source_file": "Path of the file under the landing folder; <archive>!/<member> for a member "
            "of a .zip or .gz export.",
            "file_hash": "SHA-256 of the file's content; content loaded before is skipped_duplicate.",
            "source_system": "Source system the file was recognised as; null if none.",
            "target_table": "Raw table the file's rows were loaded into; null if none.",
            "rows_read": "Data rows read from the file.",
            "rows_loaded": "Rows written to the raw table.",
            "rows_quarantined": "Rows set aside in the loader's quarantine with a reason, instead of loaded.",
            "status": "Outcome: loaded, loaded_with_quarantine, skipped_duplicate, skipped, not_settled, "
            "unrecognised, refused or failed.",
            "message": "Why the file was not loaded as a whole (failure, refusal, duplicate); null when it was.",
            "started_at": "When loading the file started (UTC).",
            "finished_at": "When loading the file finished (UTC).",
        },
    ),
    PUBLICATION_TABLE: (
        "The publication this copy is: one row per published table, written in the same transaction as "
        "the tables. A reader whose measured row counts equal row_count sees one whole publication.",
        {
            "publication_id": "Id of the publication, the same on every row of one copy.",
            "published_at": "When the publication was written (UTC).",
            "table_name": "Published table, as schema.table.",
            "row_count": "Rows of the table in this publication.",
            "content_checksum": "Checksum of the table's content in this publication (order-independent).",
        },
    ),
}


def publish(
    warehouse: Path,
    published: Path,
    storage_version: str = "v1.1.0",
    duckdb_config: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Copy every table of the published schemas (and the ledger) to `published`, atomically.
    `duckdb_config` (Settings.duckdb_config()) keeps the copy within the configured memory and threads."""
    published.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(published)
    staging_file = published.with_name(f".{published.name}.{os.getpid()}.tmp")
    previous_size = _start_from_previous(published, staging_file, storage_version)
    publication_id = uuid.uuid4().hex
    counts: dict[str, int] = {}
    con = duckdb.connect(config=dict(duckdb_config or {}))
    try:
        con.execute(f"attach '{warehouse}' as src (read_only)")
        con.execute(f"attach '{staging_file}' as pub (storage_version '{storage_version}')")
        con.execute("begin")  # one transaction, so one checkpoint: see the module docstring
        _drop_previous_publication(con)
        tables = relations(con, PUBLISHED_SCHEMAS, database="src")
        for schema, table in tables:
            con.execute(f"create schema if not exists pub.{schema}")
            _copy_table(con, schema, table)
        if con.execute(
            "select count(*) from duckdb_tables() where database_name = 'src' "
            "and schema_name = 'loader' and table_name = 'ledger'"
        ).fetchone()[0]:
            con.execute("create schema if not exists pub.audit")
            con.execute("create table pub.audit.load_ledger as select * from src.loader.ledger")
        counts = _stamp_publication(con, [f"{s}.{t}" for s, t in tables], publication_id)
        _copy_comments(con, tables)
        _comment_audit_tables(con)
        con.execute("commit")
        con.execute("detach pub")
    finally:
        con.close()
    _restore_previous_tail(published, staging_file, previous_size)
    _check_opens_read_only(staging_file, publication_id, len(counts))
    with open(staging_file, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(staging_file, published)
    _fsync_directory(published.parent)  # the rename itself survives a power cut
    return counts


def _start_from_previous(published: Path, staging_file: Path, storage_version: str) -> int:
    """Copy the published file to `staging_file`; its size, or 0 when there is nothing (usable) to
    start from: no previous copy, or one this DuckDB cannot write (then the new copy starts empty)."""
    if not published.exists():
        return 0
    shutil.copyfile(published, staging_file)
    try:
        with duckdb.connect() as con:
            con.execute(f"attach '{staging_file}' as pub (storage_version '{storage_version}')")
            con.execute("detach pub")
    except duckdb.Error:
        for leftover in (staging_file, staging_file.with_name(staging_file.name + ".wal")):
            leftover.unlink(missing_ok=True)
        return 0
    return staging_file.stat().st_size


def _drop_previous_publication(con: duckdb.DuckDBPyConnection) -> None:
    """Drop every schema of the previous publication in the copy (inside the open transaction)."""
    schemas = con.execute(
        "select schema_name from duckdb_schemas() where database_name = 'pub' "
        "and schema_name not in ('main', 'information_schema', 'pg_catalog')"
    ).fetchall()
    for (schema,) in schemas:
        con.execute(f"drop schema pub.{schema} cascade")


def _restore_previous_tail(published: Path, staging_file: Path, previous_size: int) -> None:
    """Put back the end of the previous file if DuckDB's checkpoint truncated it, so every block of
    the previous publication stays where its headers point (DuckDB ignores bytes past its blocks)."""
    size = staging_file.stat().st_size
    if size >= previous_size:
        return
    with open(published, "rb") as previous, open(staging_file, "ab") as new:
        previous.seek(size)
        shutil.copyfileobj(previous, new)


def _stamp_publication(
    con: duckdb.DuckDBPyConnection, tables: list[str], publication_id: str
) -> dict[str, int]:
    """Write audit.publication inside the new copy: one row per table with its count and checksum."""
    published_at = datetime.now(timezone.utc).replace(tzinfo=None)
    rows = []
    for name in tables:
        count, checksum = table_checksum(con, name, database="pub")
        rows.append((publication_id, published_at, name, count, str(checksum)))
    con.execute("create schema if not exists pub.audit")
    con.execute(
        "create table pub.audit.publication (publication_id varchar, published_at timestamp, "
        "table_name varchar, row_count bigint, content_checksum varchar)"
    )
    if rows:
        con.executemany("insert into pub.audit.publication values (?, ?, ?, ?, ?)", rows)
    return {name: count for _, _, name, count, _ in rows}


def _copy_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> None:
    """Copy `schema.table` from `src` to `pub`: every column as it is, except 128-bit integers
    (DuckDB's sum() of integers is a HUGEINT), cast to BIGINT, which BI drivers read: a HUGEINT
    arrives as a float, a string or an error in several of them. DuckDB checks the cast: a value
    beyond BIGINT fails the publish, naming the table and columns, and never wraps around."""
    found = con.execute(
        "select column_name, data_type from duckdb_columns() where database_name = 'src' "
        "and schema_name = ? and table_name = ? order by column_index",
        [schema, table],
    ).fetchall()
    wide = [name for name, data_type in found if data_type in WIDE_INTEGER_TYPES]
    columns = ", ".join(
        f"cast({quote_identifier(name)} as bigint) as {quote_identifier(name)}"
        if name in wide
        else quote_identifier(name)
        for name, _ in found
    )
    try:
        con.execute(f"create table pub.{schema}.{table} as select {columns} from src.{schema}.{table}")
    except duckdb.ConversionException as error:
        raise RuntimeError(
            f"{schema}.{table}: a value of {', '.join(wide)} does not fit a BIGINT, which BI tools "
            f"read; not published ({str(error).splitlines()[0]})"
        ) from error


def _copy_comments(con: duckdb.DuckDBPyConnection, tables: list[tuple[str, str]]) -> None:
    """Put each published table's comment and its columns' comments (dbt's persist_docs: the YAML
    descriptions) on its copy in `pub`, inside the open transaction."""
    published = set(tables)
    schemas = ", ".join(f"'{s}'" for s in PUBLISHED_SCHEMAS)
    found = con.execute(
        "select schema_name, table_name, null, comment from duckdb_tables() where database_name = 'src' "
        f"and schema_name in ({schemas}) and coalesce(comment, '') <> '' union all "
        "select schema_name, view_name, null, comment from duckdb_views() where database_name = 'src' "
        f"and schema_name in ({schemas}) and coalesce(comment, '') <> '' union all "
        "select schema_name, table_name, column_name, comment from duckdb_columns() "
        f"where database_name = 'src' and schema_name in ({schemas}) and coalesce(comment, '') <> ''"
    ).fetchall()
    for schema, table, column, comment in found:
        if (schema, table) not in published:
            continue
        target = _table("pub", schema, table)
        if column is None:
            con.execute(f"comment on table {target} is {_literal(comment)}")
        else:
            con.execute(f"comment on column {target}.{quote_identifier(column)} is {_literal(comment)}")


def _comment_audit_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Comment the ledger and audit.publication from AUDIT_COMMENTS (the columns each copy has)."""
    for name, (table_comment, column_comments) in AUDIT_COMMENTS.items():
        schema, table = name.split(".")
        columns = [
            row[0]
            for row in con.execute(
                "select column_name from duckdb_columns() where database_name = 'pub' "
                "and schema_name = ? and table_name = ?",
                [schema, table],
            ).fetchall()
        ]
        if not columns:
            continue  # no ledger in the warehouse: nothing to comment
        con.execute(f"comment on table {_table('pub', schema, table)} is {_literal(table_comment)}")
        for column in columns:
            if column in column_comments:
                con.execute(
                    f"comment on column {_table('pub', schema, table)}.{quote_identifier(column)} "
                    f"is {_literal(column_comments[column])}"
                )


def _table(database: str, schema: str, table: str) -> str:
    return ".".join(quote_identifier(part) for part in (database, schema, table))


def _literal(text: str) -> str:
    """A SQL string literal (COMMENT ON takes no parameters)."""
    return "'" + text.replace("'", "''") + "'"


def missing_comments(con: duckdb.DuckDBPyConnection, database: str | None = None) -> list[str]:
    """Tables (schema.table) and columns (schema.table.column) of the published schemas and audit
    whose comment is missing or empty, in `database` (the connection's own by default): what a BI
    tool would show without an explanation."""
    database = database or con.execute("select current_database()").fetchone()[0]
    schemas = ", ".join(f"'{s}'" for s in (*PUBLISHED_SCHEMAS, "audit"))
    tables = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() where database_name = ? "
        f"and schema_name in ({schemas}) and coalesce(trim(comment), '') = '' order by 1",
        [database],
    ).fetchall()
    columns = con.execute(
        "select schema_name || '.' || table_name || '.' || column_name from duckdb_columns() "
        f"where database_name = ? and schema_name in ({schemas}) and coalesce(trim(comment), '') = '' "
        "order by schema_name, table_name, column_index",
        [database],
    ).fetchall()
    return [row[0] for row in tables + columns]


def _check_opens_read_only(path: Path, publication_id: str, tables: int) -> None:
    """Open the finished copy the way BI will, before it replaces anything: a copy that does not
    open, or lacks its stamp, is never published."""
    with duckdb.connect(str(path), read_only=True) as con:
        stamped = con.execute(
            f"select count(*) from {PUBLICATION_TABLE} where publication_id = ?", [publication_id]
        ).fetchone()[0]
    if stamped != tables:
        raise RuntimeError(
            f"{path}: the new copy holds {stamped} of {tables} publication rows; not published"
        )


def remove_leftovers(published: Path) -> list[Path]:
    """Delete temporary copies (and their WAL files) of publishes that were killed; nobody reads them."""
    removed = []
    for leftover in published.parent.glob(f".{published.name}.*.tmp*"):
        leftover.unlink(missing_ok=True)
        removed.append(leftover)
    return removed


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_publication(con: duckdb.DuckDBPyConnection) -> tuple[str | None, dict[str, int]]:
    """(publication id, {table: stamped row count}) of the copy `con` has open; (None, {}) if unstamped."""
    rows = con.execute(f"select publication_id, table_name, row_count from {PUBLICATION_TABLE}").fetchall()
    ids = {r[0] for r in rows}
    if len(ids) != 1:
        return None, {}
    return ids.pop(), {r[1]: r[2] for r in rows}
