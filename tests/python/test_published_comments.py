"""The published copy explains itself: every table and column a BI tool sees carries its description
as a database comment (issue #17: "BI sees only leaves, and they explain themselves").

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
