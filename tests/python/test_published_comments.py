"""The published copy explains itself: every table and column a BI tool sees carries its description
as a database comment (issue #17: "BI sees only leaves, and they explain themselves"), and its
counts and sums are BIGINT, never DuckDB's 128-bit HUGEINT, which several BI drivers read badly.

A mart's comments are its dbt YAML descriptions, read here from dbt's manifest (dbt writes them into
the warehouse with persist_docs, publish copies them); the audit tables' come from publish's
AUDIT_COMMENTS. The copy is opened the way a Superset-style BI tool opens it: read-only, through
SQLAlchemy and duckdb-engine, at the storage version publish writes (Settings.storage_version).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import create_engine, inspect, text

from orchestration.settings import Settings
from orchestration.warehouse import run_dbt
from orchestration.warehouse.publish import AUDIT_COMMENTS, missing_comments, publish

# {schema.table: (table comment, {column: comment})}
Comments = dict[str, tuple[str | None, dict[str, str | None]]]


def comments_seen_by_bi(path: Path) -> Comments:
    """Every table's and column's comment in the published schemas, read through SQLAlchemy.
    Column comments come from information_schema: SQLAlchemy >= 2.0.45's reflection of columns
    (inspector.get_columns) queries pg_catalog.pg_collation, which DuckDB does not have."""
    engine = create_engine(f"duckdb:///{path}", connect_args={"read_only": True})
    try:
        with engine.connect() as connection:
            inspector = inspect(connection)
            seen: Comments = {}
            for schema in ("marts", "audit"):
                for table in inspector.get_table_names(schema=schema):
                    comment = inspector.get_table_comment(table, schema=schema)["text"]
                    columns = connection.execute(
                        text(
                            "select column_name, column_comment from information_schema.columns "
                            "where table_schema = :schema and table_name = :table order by ordinal_position"
                        ),
                        {"schema": schema, "table": table},
                    ).fetchall()
                    seen[f"{schema}.{table}"] = (comment, {name: note for name, note in columns})
            return seen
    finally:
        engine.dispose()


def types_seen_by_bi(path: Path) -> dict[str, str]:
    """{schema.table.column: data type} of every published column, read through SQLAlchemy."""
    engine = create_engine(f"duckdb:///{path}", connect_args={"read_only": True})
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "select table_schema, table_name, column_name, data_type from information_schema.columns "
                    "where table_schema in ('marts', 'audit')"
                )
            ).fetchall()
            return {f"{schema}.{table}.{column}": data_type for schema, table, column, data_type in rows}
    finally:
        engine.dispose()


def comment_problems(seen: Comments, expected: Comments) -> list[str]:
    """What a BI user would miss: each published table or column whose comment is absent, empty or
    not its description (a table or column without a description is reported as undocumented)."""
    problems = []
    for table, (comment, columns) in sorted(seen.items()):
        want_comment, want_columns = expected.get(table, (None, {}))
        problems += _problem(table, comment, want_comment)
        for column, note in columns.items():
            problems += _problem(f"{table}.{column}", note, want_columns.get(column))
    return problems


def _problem(name: str, comment: str | None, description: str | None) -> list[str]:
    if not (description or "").strip():
        return [f"{name}: no description to show"]
    if not (comment or "").strip():
        return [f"{name}: no comment"]
    if comment != description:
        return [f"{name}: comment {comment!r} is not its description {description!r}"]
    return []


def _yaml_descriptions(settings: Settings) -> Comments:
    """The marts' descriptions as dbt parsed them from the YAML: {marts.table: (description, columns)}."""
    run_dbt(settings, ["parse", "--quiet"], capture=True)  # this worker's own manifest
    manifest = json.loads((Path(settings.dbt_env()["DBT_TARGET_PATH"]) / "manifest.json").read_text())
    return {
        f"{node['schema']}.{node['alias']}": (
            node["description"],
            {name.lower(): column["description"] for name, column in node["columns"].items()},
        )
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    }


@pytest.fixture(scope="module")
def published_demo(built_demo: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("published_comments") / "funnel.duckdb"
    publish(built_demo.warehouse, path, built_demo.storage_version, built_demo.duckdb_config())
    return path


def test_every_mart_and_column_carries_its_yaml_description(
    built_demo: Settings, published_demo: Path
) -> None:
    seen = comments_seen_by_bi(published_demo)
    expected = _yaml_descriptions(built_demo)
    marts = {name: value for name, value in seen.items() if name.startswith("marts.")}
    assert sorted(marts) == sorted(expected)
    assert sum(len(columns) for _, columns in marts.values()) > 300  # the demo's marts, all of them
    assert comment_problems(marts, expected) == []


def test_counts_and_sums_are_published_as_bigint_with_their_values(
    built_demo: Settings, published_demo: Path
) -> None:
    """The demo's marts hold HUGEINT columns (sums of integers); the copy holds none, and each of
    those columns reads the same values as BIGINT."""
    with duckdb.connect(str(built_demo.warehouse), read_only=True) as con:
        wide = con.execute(
            "select schema_name, table_name, column_name from duckdb_columns() "
            "where schema_name = 'marts' and data_type = 'HUGEINT'"
        ).fetchall()
        sums = {
            f"{s}.{t}.{c}": con.execute(f'select sum("{c}"), count("{c}") from {s}.{t}').fetchone()
            for s, t, c in wide
        }
    assert wide, "no HUGEINT column in the demo's marts: this test checks nothing"
    types = types_seen_by_bi(published_demo)
    assert len(types) > 300
    assert [name for name, data_type in types.items() if "HUGEINT" in data_type.upper()] == []
    assert {name: types[name] for name in sums} == {name: "BIGINT" for name in sums}
    with duckdb.connect(str(published_demo), read_only=True) as con:
        for name, expected in sums.items():
            schema, table, column = name.split(".")
            assert (
                con.execute(f'select sum("{column}"), count("{column}") from {schema}.{table}').fetchone()
                == expected
            )


def test_a_sum_beyond_bigint_fails_the_publish_and_keeps_the_copy(tmp_path: Path) -> None:
    """A HUGEINT that fits is published as BIGINT; one that does not fails the publish, naming the
    table and column, and the previous copy stays byte for byte (a wrapped-around count never ships)."""
    warehouse = tmp_path / "warehouse.duckdb"
    biggest = 2**63 - 1
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_x as select sum(n) as total, count(*) as rows_counted "
            f"from (values ({biggest} - 5), (5)) v(n)"
        )
        assert con.execute("select typeof(total) from marts.fct_x").fetchone()[0] == "HUGEINT"
    published = tmp_path / "published" / "funnel.duckdb"
    publish(warehouse, published)
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select total, typeof(total), rows_counted from marts.fct_x").fetchone() == (
            biggest,
            "BIGINT",
            2,
        )
    before = published.read_bytes()

    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            f"insert into marts.fct_x values (cast('{biggest + 1}' as hugeint), 3)"
        )  # one past BIGINT
    with pytest.raises(RuntimeError, match=r"marts\.fct_x: a value of total does not fit a BIGINT"):
        publish(warehouse, published)
    assert published.read_bytes() == before


def test_the_ledger_and_the_publication_stamp_carry_comments(published_demo: Path) -> None:
    seen = comments_seen_by_bi(published_demo)
    audit = {name: value for name, value in seen.items() if name.startswith("audit.")}
    assert sorted(audit) == ["audit.load_ledger", "audit.publication"]
    assert len(audit["audit.load_ledger"][1]) >= 12  # every ledger column, however many there are
    assert comment_problems(audit, AUDIT_COMMENTS) == []
    with duckdb.connect(str(published_demo), read_only=True) as con:
        assert missing_comments(con) == []


def test_a_column_without_a_description_is_caught(tmp_path: Path) -> None:
    """A warehouse whose mart has one undocumented column: publish carries the comments it has
    (whatever the quotes in names and text), and both checks name the column that has none."""
    warehouse = tmp_path / "warehouse.duckdb"
    odd_column, odd_text = 'it\'s "odd"', "Won't break: 'quotes', \"double\", $$dollars$$,\na new line."
    quoted_column = '"' + odd_column.replace('"', '""') + '"'
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute(
            f"create table marts.fct_x as select 1 as amount, 2 as undocumented, 3 as {quoted_column}"
        )
        con.execute("comment on table marts.fct_x is 'One row per x.'")
        con.execute("comment on column marts.fct_x.amount is 'Amount of x, in the reporting currency.'")
        literal = "'" + odd_text.replace("'", "''") + "'"
        con.execute(f"comment on column marts.fct_x.{quoted_column} is {literal}")
    published = tmp_path / "published" / "funnel.duckdb"
    publish(warehouse, published)

    seen = comments_seen_by_bi(published)
    assert seen["marts.fct_x"] == (
        "One row per x.",
        {"amount": "Amount of x, in the reporting currency.", "undocumented": None, odd_column: odd_text},
    )
    expected: Comments = {
        "marts.fct_x": ("One row per x.", {"amount": "Amount of x, in the reporting currency."}),
        **AUDIT_COMMENTS,
    }
    assert comment_problems(seen, expected) == [
        "marts.fct_x.undocumented: no description to show",
        f"marts.fct_x.{odd_column}: no description to show",
    ]
    expected["marts.fct_x"][1].update({"undocumented": "Documented at last.", odd_column: odd_text})
    assert comment_problems(seen, expected) == ["marts.fct_x.undocumented: no comment"]
    with duckdb.connect(str(published), read_only=True) as con:
        assert missing_comments(con) == ["marts.fct_x.undocumented"]
