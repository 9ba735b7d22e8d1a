"""The refresh job and its daily schedule."""

from __future__ import annotations

import os

from dagster import AssetSelection, DefaultScheduleStatus, ScheduleDefinition, define_asset_job

REFRESH_JOB_NAME = "cx_refresh"

cx_refresh_job = define_asset_job(
    name=REFRESH_JOB_NAME,
    selection=AssetSelection.all(),
    description=(
        "Load new landing files (dlt), build and test the dbt models, run the checks. "
        "Safe to re-run: files already loaded are skipped and the marts are rebuilt."
    ),
)


def daily_schedule() -> ScheduleDefinition:
    """Every day at CXPIPE_SCHEDULE_CRON (default 02:30) in the site time zone."""
    return ScheduleDefinition(
        name="cx_daily_refresh",
        job=cx_refresh_job,
        cron_schedule=os.environ.get("CXPIPE_SCHEDULE_CRON", "30 2 * * *"),
        execution_timezone=os.environ.get("CXPIPE_SITE_TIMEZONE") or "UTC",
        default_status=DefaultScheduleStatus.RUNNING,
    )
