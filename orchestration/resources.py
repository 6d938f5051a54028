"""Dagster resources, configured from the environment (through Settings) as hooli does."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource

from orchestration.settings import Settings
from orchestration.warehouse.dbt import dbt_executable


class FunnelSettings(ConfigurableResource):
    """The pipeline's paths and knobs; empty fields fall back to the FUNNEL_* environment."""

    warehouse: str = ""
    landing_dir: str = ""

    def get(self) -> Settings:
        settings = Settings.from_env()
        if self.warehouse:
            settings = replace(settings, warehouse=Path(self.warehouse).resolve())
        if self.landing_dir:
            settings = replace(settings, landing_dir=Path(self.landing_dir).resolve())
        return settings


def dbt_resource(settings: Settings) -> DbtCliResource:
    return DbtCliResource(
        project_dir=str(settings.project_dir),
        profiles_dir=str(settings.project_dir),
        target=settings.dbt_target,
        dbt_executable=dbt_executable(),  # this virtualenv's dbt, even when it is not on PATH
    )
