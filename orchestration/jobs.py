"""The refresh job and its daily schedule."""

import os
from datetime import timedelta

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    define_asset_job,
    in_process_executor,
    schedule,
)

from orchestration.assets.publish import WEEKLY_REPORT_KEY
from orchestration.partitions import site_timezone

REFRESH_JOB_NAME = "cx_refresh"
WEEKLY_REPORT_JOB_NAME = "cx_weekly_report"

cx_refresh_job = define_asset_job(
    name=REFRESH_JOB_NAME,
    # Everything but the weekly report, which has its own job and schedule.
    selection=AssetSelection.all() - AssetSelection.assets(WEEKLY_REPORT_KEY),
    # Retried once from the failed steps when launched through the daemon (dagster.yaml
    # run_retries); a step that succeeded (a load already done) is not run again.
    tags={"dagster/retry_strategy": "FROM_FAILURE"},
    # All steps in the run's one process: the steps that open the warehouse run one at a time
    # anyway (pool duckdb_writer), and a process per step cost about four minutes for ~60 steps.
    executor_def=in_process_executor,
    description=(
        "Load new landing files (dlt), build and test the dbt models for the run's days (daily "
        "partitions; the incremental marts also rebuild the lookback days before them), run the "
        "checks, publish the BI snapshot. Safe to re-run: files already loaded are skipped and the "
        "days are rebuilt, never appended twice."
    ),
)


def daily_schedule() -> ScheduleDefinition:
    """Every day at CXPIPE_SCHEDULE_CRON (default 02:30) in the site time zone, for the partition
    of the site-local day before (its incremental marts are rebuilt with the lookback, D31); the
    `days_present` check fails (and blocks what follows) when that day's calls did not arrive."""

    @schedule(
        name="cx_daily_refresh",
        job=cx_refresh_job,
        cron_schedule=os.environ.get("CXPIPE_SCHEDULE_CRON", "30 2 * * *"),
        execution_timezone=site_timezone(),
        default_status=DefaultScheduleStatus.RUNNING,
    )
    def cx_daily_refresh(context: ScheduleEvaluationContext) -> RunRequest:
        day = (context.scheduled_execution_time - timedelta(days=1)).date().isoformat()
        return RunRequest(run_key=f"daily-{day}", partition_key=day)

    return cx_daily_refresh


cx_weekly_report_job = define_asset_job(
    name=WEEKLY_REPORT_JOB_NAME,
    selection=AssetSelection.assets(WEEKLY_REPORT_KEY),
    executor_def=in_process_executor,
    description="Render the weekly stakeholder report (HTML) for the last complete week of the BI snapshot.",
)


def weekly_report_schedule() -> ScheduleDefinition:
    """Mondays at CXPIPE_REPORT_CRON (default 07:00) in the site time zone, after the daily
    refresh has published Sunday."""
    return ScheduleDefinition(
        name="cx_weekly_report_schedule",
        job=cx_weekly_report_job,
        cron_schedule=os.environ.get("CXPIPE_REPORT_CRON", "0 7 * * 1"),
        execution_timezone=site_timezone(),
        default_status=DefaultScheduleStatus.RUNNING,
    )
