"""The Dagster code location: only assembles what the other modules define.

Importing this module has no side effects: `defs` is built when Dagster loads the code location
(a code server of the webserver or the daemon), not on import. It needs the dbt manifest. Under
`dagster dev` it is prepared (parsed when the project changed), the way dagster-dbt's
`DbtProject.prepare_if_dev()` does; elsewhere it must have been prepared before (`funnel build`,
`funnel run`, `funnel ui` and the services' `python -m orchestration.serve` do), and a missing one
is a one-line error saying so.
"""

from __future__ import annotations

import os
from pathlib import Path

from dagster import Definitions, definitions

from orchestration.assets.dbt import build_dbt_assets
from orchestration.assets.loading import landed_exports, load_exports
from orchestration.assets.publishing import build_publishing_assets
from orchestration.assets.quality import build_quality_checks
from orchestration.jobs import refresh_job
from orchestration.resources import FunnelSettings, dbt_resource
from orchestration.schedules import daily_refresh_schedule
from orchestration.sensors import new_exports_sensor
from orchestration.settings import Settings
from orchestration.warehouse.manifest import ensure_manifest, prepared_manifest


def build_definitions(settings: Settings | None = None, manifest: Path | None = None) -> Definitions:
    """The definitions for `settings`, from `manifest` (default: prepared now if stale)."""
    settings = settings or Settings.from_env()
    dbt_models = build_dbt_assets(manifest or ensure_manifest(settings))
    return Definitions(
        assets=[landed_exports, load_exports, dbt_models, *build_publishing_assets(list(dbt_models.keys))],
        asset_checks=[build_quality_checks([*dbt_models.keys, landed_exports.key])],
        jobs=[refresh_job],
        schedules=[daily_refresh_schedule()],
        sensors=[new_exports_sensor],
        resources={"funnel": FunnelSettings(), "dbt": dbt_resource(settings)},
    )


@definitions
def defs() -> Definitions:
    """What Dagster tooling loads: prepared under `dagster dev`, else the manifest already there."""
    settings = Settings.from_env()
    in_dev = bool(os.environ.get("DAGSTER_IS_DEV_CLI"))
    return build_definitions(settings, ensure_manifest(settings) if in_dev else prepared_manifest(settings))
