"""Every dbt model, seed, snapshot and test as Dagster assets and asset checks (@dbt_assets)."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, Failure, MetadataValue
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.assets.loading import WAREHOUSE_WRITER_POOL
from orchestration.assets.salt_gate import refuse_weak_salt
from orchestration.resources import step_writer_lock
from orchestration.settings import Settings
from orchestration.warehouse.dbt import PRODUCTION_BUILD_FLAGS, failure_summary


class FunnelDbtTranslator(DagsterDbtTranslator):
    """Sources resolve to the raw-table assets the loader produces; models group by layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey(["raw", dbt_resource_props["identifier"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


def build_dbt_assets(manifest: Path):  # noqa: ANN201 - an AssetsDefinition
    @dbt_assets(
        manifest=manifest,
        dagster_dbt_translator=FunnelDbtTranslator(
            settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
        ),
        pool=WAREHOUSE_WRITER_POOL,
    )
    def funnel_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource):  # noqa: ANN202
        settings = Settings.from_env()
        refuse_weak_salt(settings)  # also when only dbt assets are materialized
        # dagster-dbt starts dbt with this process's environment: give it these settings' absolute
        # paths (a step, at run time; loading the definitions changes nothing)
        settings.export_to_environment()
        with step_writer_lock(context, settings):
            # No fetch_row_counts(): it would open the DuckDB file while dbt still holds the write lock.
            invocation = dbt.cli(["build", *PRODUCTION_BUILD_FLAGS], context=context, raise_on_error=False)
            yield from invocation.stream()
        if not invocation.is_successful():
            # Name the failed models and tests (and the stored failing rows) rather than only
            # "dbt exited with 1", so the run's summary says why nothing was published.
            summary = failure_summary(
                invocation.target_path, settings.warehouse if settings.dbt_target == "duckdb" else None
            )
            raise Failure(
                description=f"dbt build failed; the published copy was not replaced.\n{summary}",
                metadata={"failures": MetadataValue.md(summary or "see the dbt log")},
            )

    return funnel_dbt_models
