"""Dagster resources, configured from the environment (through Settings) as hooli does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from dagster import ConfigurableResource, Failure
from dagster_dbt import DbtCliResource

from orchestration.settings import Settings
from orchestration.warehouse.dbt import dbt_command
from orchestration.warehouse.lock import WarehouseBusy, warehouse_writer
from orchestration.warehouse.parent_death import guarded_executable


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
        # this virtualenv's dbt, even when it is not on PATH, through a wrapper that makes it die
        # with the step that started it (a killed refresh leaves no dbt writing the warehouse)
        dbt_executable=guarded_executable(dbt_command(), "dbt", settings.dagster_home / "bin"),
    )


@contextmanager
def step_writer_lock(context: Any, settings: Settings) -> Iterator[None]:
    """The warehouse's writer lock around one step of a refresh run (re-entrant: under
    `funnel run` the run already holds it). Waiting is logged; a timeout fails the step with the
    one-line message naming the holder."""
    op_context = context.op_execution_context
    try:
        with warehouse_writer(
            settings.warehouse,
            f"dagster run {op_context.run_id[:8]} {op_context.op.name}",
            settings.lock_timeout_seconds,
            on_wait=context.log.info,
        ):
            yield
    except WarehouseBusy as exc:
        raise Failure(description=str(exc)) from None
