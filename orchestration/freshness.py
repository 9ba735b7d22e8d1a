"""Freshness checks: the ingestion, the key marts and the BI snapshot must have been refreshed in
the last CXPIPE_FRESHNESS_HOURS (default 26: a daily refresh with two hours' slack). Dagster's own
last-update checks (warning severity), evaluated by a sensor between runs, so a refresh that did
not happen (a stopped schedule, a stuck run) shows on the assets."""

import os
import warnings
from datetime import timedelta

from dagster import AssetKey, DefaultSensorStatus, build_last_update_freshness_checks, build_sensor_for_freshness_checks

from orchestration.translators import raw_asset_key

FRESHNESS_HOURS_ENV = "CXPIPE_FRESHNESS_HOURS"


def freshness_hours() -> float:
    return float(os.environ.get(FRESHNESS_HOURS_ENV) or 26)


FRESH_ASSETS = [
    raw_asset_key("telephony", "queue_log_events"),
    AssetKey(["kpi_queue_daily"]),
    AssetKey(["kpi_agent_daily"]),
    AssetKey(["kpi_cx_daily"]),
    AssetKey(["bi_snapshot"]),
]

# Dagster marks these as superseded by freshness policies, which are still a preview that must be
# switched on in dagster.yaml; the checks are stable and show on the assets' Checks tab.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    FRESHNESS_CHECKS = build_last_update_freshness_checks(
        assets=FRESH_ASSETS, lower_bound_delta=timedelta(hours=freshness_hours())
    )
    freshness_sensor = build_sensor_for_freshness_checks(
        freshness_checks=FRESHNESS_CHECKS,
        name="freshness_checks",
        minimum_interval_seconds=600,
        default_status=DefaultSensorStatus.RUNNING,
    )
