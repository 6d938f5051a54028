"""Landed export files -> raw tables. One asset per raw table, so lineage runs from the
landing folder through each raw table to the staging models that read it."""

from collections import defaultdict

import duckdb
from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, MetadataValue, multi_asset

from orchestration.assets.salt_gate import refuse_weak_salt
from orchestration.loader import spec
from orchestration.loader.report import SKIPPED_DUPLICATE
from orchestration.resources import FunnelSettings, step_writer_lock

LANDED_EXPORTS = AssetKey("landed_exports")
WAREHOUSE_WRITER_POOL = "duckdb_writer"  # DuckDB allows one writer: every writing step shares it


def raw_asset_key(table: str) -> AssetKey:
    """raw.salesforce__opportunity -> raw/salesforce__opportunity (what the dbt translator uses)."""
    schema, name = table.split(".")
    return AssetKey([schema, name])


landed_exports = AssetSpec(
    LANDED_EXPORTS,
    description="The export files in the landing folder (FUNNEL_LANDING_DIR), written by CRMs and marketing tools.",
    group_name="landing",
)

RAW_SPECS = [
    AssetSpec(
        raw_asset_key(table), deps=[LANDED_EXPORTS], group_name="raw", description=f"Raw table {table}."
    )
    for table in spec.raw_table_schemas()
]


@multi_asset(specs=RAW_SPECS, pool=WAREHOUSE_WRITER_POOL, name="load_exports")
def load_exports(context: AssetExecutionContext, funnel: FunnelSettings):  # noqa: ANN201 - yields results
    """Load every new export file; the ledger's figures per table become materialization metadata."""
    from orchestration.dead_runs import sweep_dead_runs

    # A run launched by the daemon or the UI sweeps too (`funnel run` already did, before the run).
    sweep_dead_runs(context.instance, context.log.warning)
    settings = funnel.get()
    refuse_weak_salt(settings)  # the run's first step: nothing is loaded for a build that would refuse
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with step_writer_lock(context, settings):
        yield from _load(context, settings)


def _load(context: AssetExecutionContext, settings):  # noqa: ANN001, ANN202 - Settings; yields results
    from orchestration.loader import load_folder

    report = load_folder(settings.warehouse, settings.landing_dir, **settings.loader_options())
    for result in report.failed:
        context.log.error(result.message)
    for result in report.not_settled:
        context.log.warning(result.message)
    by_table: dict[str, dict[str, int]] = defaultdict(
        lambda: {"files": 0, "duplicates": 0, "read": 0, "loaded": 0, "quarantined": 0}
    )
    for result in report.files:
        if result.target_table:
            figures = by_table[result.target_table]
            figures["files"] += 1
            # identical content loaded by an earlier run: counted, but not new (`funnel run`'s account)
            figures["duplicates"] += result.status == SKIPPED_DUPLICATE
            figures["read"] += result.rows_read
            figures["loaded"] += result.rows_loaded
            figures["quarantined"] += result.rows_quarantined
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        for table in spec.raw_table_schemas():
            rows = con.execute(f"select count(*) from {table}").fetchone()[0]
            figures = by_table[table]
            yield MaterializeResult(
                asset_key=raw_asset_key(table),
                metadata={
                    "dagster/row_count": MetadataValue.int(rows),
                    "run_files": MetadataValue.int(figures["files"]),
                    "run_files_already_loaded": MetadataValue.int(figures["duplicates"]),
                    "run_rows_read": MetadataValue.int(figures["read"]),
                    "run_rows_loaded": MetadataValue.int(figures["loaded"]),
                    "run_rows_quarantined": MetadataValue.int(figures["quarantined"]),
                    "load_run_id": MetadataValue.text(report.run_id),
                },
            )
    if report.failed:
        raise RuntimeError(
            f"{len(report.failed)} export file(s) could not be loaded: "
            + "; ".join(r.message or r.source_file for r in report.failed)
        )
