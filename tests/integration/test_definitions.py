"""The Dagster definitions load, and the asset graph is connected from raw tables to the marts."""

from __future__ import annotations

import pytest
from dagster import AssetKey


@pytest.fixture(scope="module")
def defs(tmp_path_factory):
    import os

    base = tmp_path_factory.mktemp("defs")
    for name, value in {
        "CXPIPE_LANDING_DIR": str(base / "landing"),
        "CXPIPE_WAREHOUSE": str(base / "warehouse.duckdb"),
        "CXPIPE_STATE_DIR": str(base / "state"),
        "CXPIPE_SITE_TIMEZONE": "UTC",
    }.items():
        os.environ.setdefault(name, value)
    from orchestration.dbt_project import ensure_manifest

    ensure_manifest()
    from orchestration.definitions import defs as definitions

    return definitions


def _graph(defs):
    return defs.resolve_asset_graph()


def test_definitions_load_with_job_schedule_and_checks(defs):
    assert defs.resolve_job_def("cx_refresh") is not None
    assert defs.resolve_schedule_def("cx_daily_refresh").execution_timezone
    graph = _graph(defs)
    check_keys = {str(k.name) for k in graph.asset_check_keys}
    # Python checks and dbt tests (as asset checks) are both present.
    assert {"rows_arrived", "quarantine_share", "days_present"} <= check_keys
    assert any(name.startswith("unique_fct_queue_calls") for name in check_keys)
    assert any(name.startswith("unique_combination_kpi_queue_daily") for name in check_keys)


def test_raw_tables_are_produced_by_dlt_and_read_by_dbt(defs):
    graph = _graph(defs)
    materializable = {key for key in graph.get_all_asset_keys() if graph.get(key).is_materializable}
    for table in ("queue_log_events", "cdr_records", "agent_state_events", "quarantine"):
        key = AssetKey(["raw", "telephony", table])
        assert key in materializable, f"{key} is not produced by the dlt asset"
        staging = AssetKey([f"stg_telephony__{table}"])
        assert key in graph.get(staging).parent_keys, f"{staging} does not depend on {key}"


CX_RAW_TABLES = {
    "surveys": ("survey_responses", "quarantine"),
    "crm": ("customers", "contracts", "orders", "quarantine"),
    "ivr": ("ivr_sessions", "quarantine"),
    "wfm": ("schedule_activities", "quarantine"),
}


def test_customer_experience_tables_are_produced_by_dlt_with_quarantine_checks(defs):
    """The surveys, CRM and IVR sources have one asset per table, in the writer pool, and a
    quarantine_share check on each quarantine table; dbt's staging reads the data tables (same
    keys)."""
    from orchestration.resources import WRITER_POOL

    graph = _graph(defs)
    materializable = {key for key in graph.get_all_asset_keys() if graph.get(key).is_materializable}
    check_keys = {(k.asset_key, k.name) for k in graph.asset_check_keys}
    for source, tables in CX_RAW_TABLES.items():
        for table in tables:
            key = AssetKey(["raw", source, table])
            assert key in materializable, f"{key} is not produced by the dlt asset"
            assert tuple(graph.get(key).pools) == (WRITER_POOL,)
            if table != "quarantine":
                assert graph.get(key).child_keys, f"no dbt model reads {key}"
        assert (AssetKey(["raw", source, "quarantine"]), "quarantine_share") in check_keys


def test_marts_descend_from_every_raw_table(defs):
    graph = _graph(defs)

    def ancestors(key):
        seen, todo = set(), [key]
        while todo:
            for parent in graph.get(todo.pop()).parent_keys:
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    upstream = ancestors(AssetKey(["kpi_queue_interval"]))
    for table in ("queue_log_events", "cdr_records", "agent_state_events"):
        assert AssetKey(["raw", "telephony", table]) in upstream


def test_forecast_sits_between_the_voice_marts_and_the_staffing_mart(defs):
    """queue_forecast reads the voice marts and writes dataset `forecast`, which dbt's forecast
    staging reads (same keys); the staffing mart also descends from the WFM schedule and the
    agent-state feed, so the daily job builds it after all of them."""
    graph = _graph(defs)
    forecast_keys = {AssetKey(["forecast", t]) for t in ("queue_interval_forecast", "interval_staffing", "forecast_backtest")}
    for key in forecast_keys:
        assert graph.get(key).is_materializable
        assert {AssetKey(["kpi_queue_interval"]), AssetKey(["fct_queue_calls"])} <= graph.get(key).parent_keys
        assert graph.get(key).group_name == "forecast"
    assert AssetKey(["forecast", "interval_staffing"]) in graph.get(AssetKey(["stg_forecast__interval_staffing"])).parent_keys
    upstream = set()
    todo = [AssetKey(["kpi_staffing_interval"])]
    while todo:
        for parent in graph.get(todo.pop()).parent_keys:
            if parent not in upstream:
                upstream.add(parent)
                todo.append(parent)
    assert forecast_keys & upstream
    assert AssetKey(["raw", "wfm", "schedule_activities"]) in upstream
    assert AssetKey(["raw", "telephony", "agent_state_events"]) in upstream
    job = defs.resolve_job_def("cx_refresh")
    assert AssetKey(["kpi_staffing_interval"]) in job.asset_layer.selected_asset_keys


def test_the_snapshot_is_published_after_every_mart_with_alerts_sensors_and_freshness(defs):
    """bi_snapshot depends on every mart (so it runs after them and their blocking checks); the
    KPI alerts are warning checks on the marts; the sensors and freshness checks are defined."""
    graph = _graph(defs)
    snapshot = graph.get(AssetKey(["bi_snapshot"]))
    marts = {key for key in graph.materializable_asset_keys if graph.get(key).group_name == "marts"}
    assert {AssetKey(["kpi_queue_daily"]), AssetKey(["kpi_staffing_interval"])} <= marts
    assert set(snapshot.parent_keys) == marts
    checks = {(k.asset_key.to_user_string(), k.name) for k in graph.asset_check_keys}
    assert {("kpi_queue_daily", "service_level_below_target"), ("kpi_queue_daily", "abandonment_spike"),
            ("kpi_cx_daily", "satisfaction_falling"), ("kpi_ticket_daily", "backlog_growing"),
            ("kpi_staffing_interval", "staffing_gap")} <= checks
    assert any(asset == "bi_snapshot" and "freshness" in name for asset, name in checks)
    sensors = {sensor.name for sensor in defs.sensors}
    assert {"landing_files", "run_failure_alert", "freshness_checks"} <= sensors
    assert defs.resolve_sensor_def("landing_files").job_name == "cx_refresh"


def test_every_step_that_opens_the_warehouse_is_in_the_duckdb_pool(defs):
    """DuckDB lets no other process open the file while one writes, so assets and Python checks
    (which read it) all queue in one pool. The weekly report reads only the published snapshot,
    which no writer holds, so it is outside the pool."""
    from orchestration.assets.publish import WEEKLY_REPORT_KEY
    from orchestration.resources import WRITER_POOL

    graph = _graph(defs)
    pools = {graph.get(key).pools and tuple(graph.get(key).pools) for key in graph.materializable_asset_keys
             if key != WEEKLY_REPORT_KEY}
    assert pools == {(WRITER_POOL,)}
    from orchestration.alerts import ALERT_CHECKS
    from orchestration.checks import ALL_CHECKS

    for check in [*ALL_CHECKS, *ALERT_CHECKS]:
        assert check.op.pool == WRITER_POOL, check


def test_daily_schedule_runs_for_the_previous_site_local_day(defs):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from dagster import build_schedule_context

    schedule = defs.resolve_schedule_def("cx_daily_refresh")
    zone = ZoneInfo(schedule.execution_timezone)
    context = build_schedule_context(scheduled_execution_time=datetime(2026, 10, 26, 2, 30, tzinfo=zone),
                                     repository_def=defs.get_repository_def())
    request = schedule.evaluate_tick(context).run_requests[0]
    assert request.partition_key == "2026-10-25"


def test_the_weekly_report_has_its_own_job_and_monday_schedule(defs):
    """The daily refresh never renders the report; its own job does, on Mondays at 07:00 site
    time, after the snapshot it reads."""
    from orchestration.assets.publish import WEEKLY_REPORT_KEY

    graph = _graph(defs)
    assert set(graph.get(WEEKLY_REPORT_KEY).parent_keys) == {AssetKey(["bi_snapshot"])}
    assert WEEKLY_REPORT_KEY not in defs.resolve_job_def("cx_refresh").asset_layer.selected_asset_keys
    assert defs.resolve_job_def("cx_weekly_report").asset_layer.selected_asset_keys == {WEEKLY_REPORT_KEY}
    schedule = defs.resolve_schedule_def("cx_weekly_report_schedule")
    assert (schedule.job_name, schedule.cron_schedule) == ("cx_weekly_report", "0 7 * * 1")
