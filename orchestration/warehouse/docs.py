"""`funnel docs`: dbt's documentation site of the project (models, columns, tests, lineage), with
the warehouse's catalog (column types, row counts), served on this machine only."""

from __future__ import annotations

from pathlib import Path

from orchestration.errors import require_warehouse
from orchestration.settings import Settings
from orchestration.warehouse.dbt import run_dbt
from orchestration.warehouse.lock import warehouse_writer

DOCS_HOST = "127.0.0.1"  # the docs show the schema and compiled SQL: not for the whole network
# --static also writes static_index.html: one file, manifest and catalog inlined, that opens offline;
# --quiet: dbt's errors only, not a line per step
GENERATE_ARGS = ("docs", "generate", "--static", "--quiet")


def docs_folder(settings: Settings) -> Path:
    """Where dbt writes the site (index.html, static_index.html, manifest.json, catalog.json)."""
    return Path(settings.dbt_env("duckdb")["DBT_TARGET_PATH"])


def generate_docs(settings: Settings) -> Path:
    """`dbt docs generate` against the built warehouse; returns the folder of the site.
    dbt-duckdb opens the file for writing (it would create a missing one): the warehouse must exist,
    and the writer lock keeps a running build from meeting DuckDB's lock."""
    require_warehouse(settings.warehouse)
    with warehouse_writer(settings.warehouse, "funnel docs", settings.lock_timeout_seconds):
        run_dbt(settings, list(GENERATE_ARGS), target="duckdb")
    return docs_folder(settings)


def serve_args(port: int) -> list[str]:
    """dbt's arguments to serve the generated site on DOCS_HOST only, without opening a browser."""
    return ["docs", "serve", "--host", DOCS_HOST, "--port", str(port), "--no-browser"]


def serve_docs(settings: Settings, port: int) -> None:
    """Serve the site until Ctrl-C (dbt docs serve reads the folder generate_docs wrote)."""
    run_dbt(settings, serve_args(port), target="duckdb")
