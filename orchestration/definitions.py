"""The Dagster code location: only assembles what the other modules define."""

from __future__ import annotations

from dagster import Definitions

from orchestration.assets.dbt import build_dbt_assets
from orchestration.assets.loading import landed_exports, load_exports
from orchestration.assets.publishing import build_publishing_assets
from orchestration.assets.quality import build_quality_checks
from orchestration.jobs import refresh_job
from orchestration.resources import FunnelSettings, dbt_resource
from orchestration.schedules import daily_refresh_schedule
from orchestration.sensors import new_exports_sensor
from orchestration.settings import Settings
from orchestration.warehouse.manifest import ensure_manifest


def build_definitions(settings: Settings | None = None) -> Definitions:
    settings = settings or Settings.from_env()
    settings.export_to_environment()
    dbt_models = build_dbt_assets(ensure_manifest(settings))
    return Definitions(
        assets=[landed_exports, load_exports, dbt_models, *build_publishing_assets(list(dbt_models.keys))],
        asset_checks=[build_quality_checks([*dbt_models.keys, landed_exports.key])],
        jobs=[refresh_job],
        schedules=[daily_refresh_schedule()],
        sensors=[new_exports_sensor],
        resources={"funnel": FunnelSettings(), "dbt": dbt_resource(settings)},
    )


defs = build_definitions()
