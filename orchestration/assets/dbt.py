"""Every dbt model, seed, snapshot and test as Dagster assets and asset checks (@dbt_assets)."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.assets.loading import WAREHOUSE_WRITER_POOL


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
        # No fetch_row_counts(): it would open the DuckDB file while dbt still holds the write lock.
        yield from dbt.cli(["build"], context=context).stream()

    return funnel_dbt_models
