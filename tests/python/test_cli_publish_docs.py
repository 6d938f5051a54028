"""`funnel publish` (the pipeline's publish step after `funnel build`) and `funnel docs` (dbt's docs,
generated from the warehouse and served on 127.0.0.1 only)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.settings import Settings
from orchestration.warehouse import docs as docs_module


def _counts(path: Path, tables: list[str]) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {table: con.execute(f"select count(*) from marts.{table}").fetchone()[0] for table in tables}


def test_publish_copies_every_mart_of_the_built_warehouse(built_demo: Settings, tmp_path: Path) -> None:
    published = tmp_path / "bi" / "funnel.duckdb"
    env = {"FUNNEL_WAREHOUSE": str(built_demo.warehouse), "FUNNEL_PUBLISHED": str(published)}
    result = CliRunner().invoke(app, ["publish"], env=env)
    assert result.exit_code == 0, result.output

    with duckdb.connect(str(built_demo.warehouse), read_only=True) as con:
        marts = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
    assert "fct_reverse_funnel_plan" in marts
    assert _counts(published, marts) == _counts(built_demo.warehouse, marts)
    assert f"published {len(marts)} tables" in result.output


def test_publish_refuses_a_warehouse_without_marts(tmp_path: Path) -> None:
    warehouse = tmp_path / "funnel.duckdb"
    with duckdb.connect(str(warehouse)) as con:  # loaded, never built
        con.execute("create schema loader; create table loader.ledger (source_file varchar)")
    published = tmp_path / "bi" / "funnel.duckdb"
    env = {"FUNNEL_WAREHOUSE": str(warehouse), "FUNNEL_PUBLISHED": str(published)}
    result = CliRunner().invoke(app, ["publish"], env=env)
    assert result.exit_code == 1
    assert result.output.strip() == f"error: the warehouse {warehouse} has no marts: run `funnel build` first"
    assert not published.exists()  # the BI copy is not replaced by an empty one


def test_docs_are_served_on_localhost_after_generating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(docs_module, "run_dbt", lambda settings, args, target: calls.append(list(args)))
    warehouse = tmp_path / "funnel.duckdb"
    duckdb.connect(str(warehouse)).close()
    result = CliRunner().invoke(app, ["docs", "--port", "8123"], env={"FUNNEL_WAREHOUSE": str(warehouse)})
    assert result.exit_code == 0, result.output
    assert calls == [
        ["docs", "generate", "--static", "--quiet"],
        ["docs", "serve", "--host", "127.0.0.1", "--port", "8123", "--no-browser"],
    ]
    assert "http://127.0.0.1:8123" in result.output


def test_docs_generate_writes_the_site_with_the_warehouse_catalog(built_demo: Settings) -> None:
    result = CliRunner().invoke(
        app, ["docs", "--no-serve"], env={"FUNNEL_WAREHOUSE": str(built_demo.warehouse)}
    )
    assert result.exit_code == 0, result.output
    folder = docs_module.docs_folder(built_demo)
    assert (folder / "index.html").exists() and (folder / "static_index.html").exists()
    catalog = json.loads((folder / "catalog.json").read_text())
    plan = catalog["nodes"]["model.funnel_warehouse.fct_reverse_funnel_plan"]
    assert {"leads_needed", "needed_at_stage"} <= set(plan["columns"])  # read from the built warehouse
