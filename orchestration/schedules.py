"""Daily refresh; the cron expression comes from FUNNEL_REFRESH_CRON (default 06:00 UTC).

It starts stopped: a refresh runs on a timer only once someone turns it on (UI or `dagster schedule
start`), never because the UI was opened after `funnel run`."""

from __future__ import annotations

import os

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SkipReason,
)

from orchestration.jobs import refresh_job
from orchestration.settings import Settings


def refresh_unless_the_salt_is_refused(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
    """A run the job would refuse at its first step is not launched: the tick says why instead."""
    problem = Settings.from_env().pii_salt_refusal()
    return SkipReason(problem) if problem else RunRequest()


def daily_refresh_schedule() -> ScheduleDefinition:
    return ScheduleDefinition(
        name="daily_refresh",
        job=refresh_job,
        cron_schedule=os.environ.get("FUNNEL_REFRESH_CRON", "0 6 * * *"),
        execution_timezone=os.environ.get("FUNNEL_REFRESH_TIMEZONE", "UTC"),
        default_status=DefaultScheduleStatus.STOPPED,
        execution_fn=refresh_unless_the_salt_is_refused,
    )
