"""The Dagster code location: it only assembles what the other modules define.

Load it with `cxpipe ui` (which sets the CXPIPE_* variables) or
`dagster dev -m orchestration.definitions` with the variables set yourself.
"""

from __future__ import annotations

from dagster import Definitions, colored_console_logger, in_process_executor
from dagster_dlt import DagsterDltResource

from orchestration.assets.dbt import build_dbt_assets
from orchestration.assets.ingestion import FILE_SOURCE_ASSETS, telephony_raw, zendesk_raw
from orchestration.assets.publish import build_bi_snapshot, mart_keys, weekly_report
from orchestration.assets.workforce import queue_forecast
from orchestration.alerts import ALERT_CHECKS
from orchestration.freshness import FRESHNESS_CHECKS, freshness_sensor
from orchestration.sensors import landing_files_sensor, run_failure_alert
from orchestration.checks import ALL_CHECKS, ZENDESK_CHECKS
from orchestration.dbt_project import CxDbtCliResource, dbt_executable, dbt_project
from orchestration.jobs import cx_refresh_job, cx_weekly_report_job, daily_schedule, weekly_report_schedule
from orchestration.loggers import progress_logger
from orchestration.partitions import daily_partitions
from orchestration.resources import cxpipe_resource_from_env
from orchestration.zendesk import resolve_mode


def build_definitions() -> Definitions:
    """The code location for the current environment. The file sources (telephony, surveys, CRM,
    IVR, WFM) are always there (a missing landing subfolder loads nothing). The helpdesk assets exist
    only where a helpdesk is configured (CXPIPE_ZENDESK); elsewhere its raw tables show as
    external sources and the helpdesk marts are empty."""
    helpdesk = resolve_mode() != "off"
    dbt_assets = build_dbt_assets(daily_partitions())
    return Definitions(
        assets=[telephony_raw, *FILE_SOURCE_ASSETS, *([zendesk_raw] if helpdesk else []), *dbt_assets,
                queue_forecast, build_bi_snapshot(mart_keys(dbt_assets)), weekly_report],
        asset_checks=[*ALL_CHECKS, *ALERT_CHECKS, *FRESHNESS_CHECKS, *(ZENDESK_CHECKS if helpdesk else [])],
        sensors=[landing_files_sensor, run_failure_alert, freshness_sensor],
        jobs=[cx_refresh_job, cx_weekly_report_job],
        # Also for the runs Dagster makes itself (an asset backfill, "Materialize" in the graph):
        # one process per run; the steps that write the warehouse run one at a time anyway.
        executor=in_process_executor,
        schedules=[daily_schedule(), weekly_report_schedule()],
        loggers={"console": colored_console_logger, "cxpipe_progress": progress_logger},
        resources={
            "dlt": DagsterDltResource(),
            "dbt": CxDbtCliResource(
                project_dir=dbt_project,
                profiles_dir=dbt_project.profiles_dir,
                dbt_executable=dbt_executable(),
            ),
            "cxpipe": cxpipe_resource_from_env(),
        },
    )


defs = build_definitions()
