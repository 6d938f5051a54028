"""Daily refresh; the cron expression comes from FUNNEL_REFRESH_CRON (default 06:00 UTC)."""

from __future__ import annotations

import os

from dagster import DefaultScheduleStatus, ScheduleDefinition

from orchestration.jobs import refresh_job


def daily_refresh_schedule() -> ScheduleDefinition:
    return ScheduleDefinition(
        name="daily_refresh",
        job=refresh_job,
        cron_schedule=os.environ.get("FUNNEL_REFRESH_CRON", "0 6 * * *"),
        execution_timezone=os.environ.get("FUNNEL_REFRESH_TIMEZONE", "UTC"),
        default_status=DefaultScheduleStatus.RUNNING,
    )
