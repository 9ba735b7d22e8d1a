"""The forecast against the traffic the simulator was built to produce: four weeks of simulated
calls (their true interval counts, ground_truth/queue_interval.csv) are forecast for the next
two weeks and compared with the simulator's expected volume for those weeks
(ground_truth/expected_interval.csv: the arrival rate integrated per interval, without noise).
Also the forecast asset's tables from the same history (staffing, backtest)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pandas as pd
import pytest

from orchestration.assets.workforce import build_forecast
from orchestration.kpi_settings import kpi_vars
from simulator import SimulationConfig, simulate
from workforce.forecast import ALL_QUEUES

ZONE = "Europe/Berlin"


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    base = tmp_path_factory.mktemp("forecast")
    config = SimulationConfig(start=date(2027, 2, 28), days=28, seed=11, site_timezone=ZONE,
                              agents=12, calls_per_day=800, helpdesk=False, cx=False)
    simulate(config, out_dir=base)
    truth = base / "ground_truth"
    history = pd.read_csv(truth / "queue_interval.csv")
    history["interval_start_utc"] = pd.to_datetime(history["interval_start_utc"], utc=True)
    history["handle_seconds"] = history["talk_seconds"] + history["hold_seconds"] + history["acw_seconds"]
    entries = pd.read_csv(truth / "queue_entries.csv")
    waits = entries.groupby("queue_name", as_index=False).agg(
        wait_seconds=("wait_seconds", "sum"), abandoned=("outcome", lambda o: int((o == "abandoned").sum())))
    expected = pd.read_csv(truth / "expected_interval.csv")
    settings = {**kpi_vars(), "site_timezone": ZONE}
    tables = build_forecast(history[["queue_name", "interval_start_utc", "offered", "handled", "handle_seconds"]],
                            waits, settings, now=datetime(2027, 6, 1, tzinfo=timezone.utc))
    return tables, expected


def test_the_forecast_covers_the_two_weeks_after_the_history(simulated):
    tables, expected = simulated
    forecast = tables["queue_interval_forecast"]
    days = sorted(forecast["report_date"].astype(str).unique())
    assert days[0] == "2027-03-28" and len(days) == 14
    assert set(forecast["queue_name"]) == set(expected["queue_name"])
    # The first forecast day is the spring DST day: 23 hours, 92 intervals of 15 minutes per queue,
    # as the simulator expects them.
    per_day = forecast.assign(report_date=forecast["report_date"].astype(str)).groupby(["queue_name", "report_date"]).size()
    assert per_day.xs("2027-03-28", level="report_date").eq(92).all()
    assert per_day.xs("2027-03-29", level="report_date").eq(96).all()
    first_day = expected[expected["report_date"] == "2027-03-28"]
    assert set(pd.to_datetime(first_day["interval_start_utc"], utc=True)) <= set(
        forecast.loc[forecast["report_date"].astype(str) == "2027-03-28", "interval_start_utc"])


def test_daily_forecast_is_close_to_the_simulated_traffic(simulated):
    tables, expected = simulated
    forecast = tables["queue_interval_forecast"]
    forecast_days = forecast.assign(report_date=forecast["report_date"].astype(str)).groupby(
        ["queue_name", "report_date"])["forecast_offered"].sum()
    expected_days = expected.groupby(["queue_name", "report_date"])["expected_offered"].sum()
    both = pd.concat([forecast_days, expected_days], axis=1, join="inner")
    assert len(both) == len(expected_days), "every expected queue-day is forecast"
    busy = both[both["expected_offered"] >= 20]
    error = ((busy["forecast_offered"] - busy["expected_offered"]).abs() / busy["expected_offered"]).mean()
    # Four weeks of Poisson noise (and each queue-day's random level) against the noiseless rate.
    assert error < 0.15, f"daily MAPE against the simulator's expected traffic {error:.1%}"
    total = both.sum()
    assert abs(total["forecast_offered"] / total["expected_offered"] - 1) < 0.06


def test_staffing_and_backtest_come_with_the_forecast(simulated):
    tables, _ = simulated
    staffing = tables["interval_staffing"]
    busy = staffing[staffing["forecast_offered"] > 5]
    assert (busy["required_agents"] >= 1).all()
    assert (busy["expected_service_level"] >= kpi_vars()["service_level_target"]).all()
    by_queue = tables["queue_interval_forecast"].groupby("interval_start_utc")["required_agents"].sum()
    pooled = staffing.set_index("interval_start_utc")["required_agents"]
    # Pooling the queues never needs more agents than staffing each queue alone.
    assert (pooled <= by_queue.reindex(pooled.index)).all()
    backtest = tables["forecast_backtest"]
    overall = backtest[backtest["queue_name"] == ALL_QUEUES].iloc[0]
    assert 0 < overall["daily_mape"] < 0.25
    assert str(overall["holdout_end"]) == "2027-03-27"
