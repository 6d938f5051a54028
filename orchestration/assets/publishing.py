"""The published BI copy and the report: the last two assets of every refresh.

The published copy depends on every dbt asset. dbt tests of severity error run as asset
checks inside the dbt step, and a failing one fails that step, so this asset does not run
and the previous published copy stays where BI reads it. The Great Expectations checks
(assets/quality.py) of severity error are blocking checks on the same dbt assets, so a failing
one stops this asset too.
"""

from collections.abc import Sequence

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, MetadataValue, asset

from orchestration.assets.loading import WAREHOUSE_WRITER_POOL
from orchestration.resources import FunnelSettings, step_writer_lock

PUBLISHED = AssetKey("published_warehouse")
REPORT = AssetKey("funnel_report")


def build_publishing_assets(upstream: Sequence[AssetKey]) -> list[AssetsDefinition]:
    @asset(key=PUBLISHED, deps=list(upstream), group_name="publish", pool=WAREHOUSE_WRITER_POOL)
    def published_warehouse(context: AssetExecutionContext, funnel: FunnelSettings) -> MaterializeResult:
        """Read-only copy of the marts for BI tools, replaced atomically (see warehouse/publish.py)."""
        from orchestration.warehouse.publish import publish

        settings = funnel.get()
        with step_writer_lock(context, settings):
            counts = publish(
                settings.warehouse, settings.published, settings.storage_version, settings.duckdb_config()
            )
        context.log.info(f"published {len(counts)} tables to {settings.published}")
        return MaterializeResult(
            metadata={
                "path": MetadataValue.path(str(settings.published)),
                "tables": MetadataValue.int(len(counts)),
                "rows": MetadataValue.json(counts),
            }
        )

    @asset(key=REPORT, deps=[PUBLISHED], group_name="publish")
    def funnel_report(context: AssetExecutionContext, funnel: FunnelSettings) -> MaterializeResult:
        """The self-contained HTML funnel report (opens offline)."""
        from orchestration.report import build_report

        settings = funnel.get()
        with step_writer_lock(context, settings):  # a writer elsewhere would make DuckDB refuse the read
            path = build_report(settings.warehouse, settings.report_file)
        return MaterializeResult(metadata={"path": MetadataValue.path(str(path))})

    return [published_warehouse, funnel_report]
