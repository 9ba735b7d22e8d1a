"""The forecast asset's pure part (orchestration/assets/workforce.py): where history ends, the
pooled load, and the tables it writes."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import numpy as np
import pandas as pd

from orchestration.assets.workforce import build_forecast, history_end_date, pooled
from orchestration.forecast_metadata import backtest_metadata
from workforce.forecast import ALL_QUEUES

ZONE = "Europe/Berlin"
SETTINGS = {"site_timezone": ZONE, "interval_minutes": 60, "service_level_seconds": 20,
            "service_level_target": 0.8, "forecast_horizon_days": 3, "forecast_backtest_days": 7}


def test_history_never_includes_today():
    # 00:30 in Berlin on the 12th is still the 11th in UTC: today is the 12th (site-local).
    now = datetime(2026, 10, 11, 22, 30, tzinfo=timezone.utc)
    assert history_end_date(date(2026, 10, 12), ZONE, now) == date(2026, 10, 11)
    assert history_end_date(date(2026, 10, 5), ZONE, now) == date(2026, 10, 5)


def _history(days: int, end: date) -> pd.DataFrame:
    rows = []
    for offset in range(days):
        day = end - timedelta(days=days - 1 - offset)
        for hour in range(8, 18):
            start = pd.Timestamp(datetime(day.year, day.month, day.day, hour), tz=ZONE).tz_convert("UTC")
            for queue, calls in (("sales", 10 + (day.weekday() == 0) * 5), ("support", 20)):
                rows.append((queue, start, calls, calls, calls * 180.0))
    return pd.DataFrame(rows, columns=["queue_name", "interval_start_utc", "offered", "handled", "handle_seconds"])


def test_tables_forecast_after_the_history_with_pooled_staffing_and_a_backtest():
    history = _history(28, date(2026, 10, 20))
    waits = pd.DataFrame({"queue_name": ["sales", "support"], "wait_seconds": [9000.0, 0.0], "abandoned": [30, 0]})
    tables = build_forecast(history, waits, SETTINGS, now=datetime(2026, 11, 1, tzinfo=timezone.utc))
    forecast = tables["queue_interval_forecast"]
    assert sorted(forecast["report_date"].astype(str).unique()) == ["2026-10-21", "2026-10-22", "2026-10-23"]
    assert set(forecast["history_end_date"]) == {date(2026, 10, 20)}
    # sales has a patience (300 s from 9000 s of waiting / 30 abandons), support none: no Erlang A.
    assert forecast.loc[forecast["queue_name"] == "sales", "patience_seconds"].iloc[0] == 300.0
    assert forecast.loc[forecast["queue_name"] == "support", "required_agents_erlang_a"].isna().all()
    staffing = tables["interval_staffing"].set_index("interval_start_utc")
    by_queue = forecast.groupby("interval_start_utc")["forecast_offered"].sum()
    assert np.allclose(staffing["forecast_offered"], by_queue.reindex(staffing.index))
    busy = staffing[staffing["forecast_offered"] > 0]
    assert (busy["required_agents"] <= forecast.groupby("interval_start_utc")["required_agents"].sum()
            .reindex(busy.index)).all()
    backtest = tables["forecast_backtest"]
    assert set(backtest["queue_name"]) == {"sales", "support", ALL_QUEUES}
    assert backtest_metadata(backtest)["backtest_daily_mape"].value < 0.05


def test_pooled_aht_is_weighted_by_calls():
    forecast = pd.DataFrame({
        "queue_name": ["a", "b"], "report_date": [date(2026, 10, 21)] * 2,
        "interval_start": [pd.Timestamp("2026-10-21 09:00")] * 2,
        "interval_start_utc": [pd.Timestamp("2026-10-21 07:00", tz="UTC")] * 2,
        "forecast_offered": [30.0, 10.0], "forecast_aht_seconds": [100.0, 300.0], "method": ["x", "x"],
    })
    row = pooled(forecast).iloc[0]
    assert row["forecast_offered"] == 40.0
    assert row["forecast_aht_seconds"] == 150.0


def test_no_history_writes_no_tables_and_says_so():
    empty = pd.DataFrame(columns=["queue_name", "interval_start_utc", "offered", "handled", "handle_seconds"])
    tables = build_forecast(empty, pd.DataFrame(columns=["queue_name", "wait_seconds", "abandoned"]), SETTINGS)
    assert all(frame.empty for frame in tables.values())
    assert "not enough history" in backtest_metadata(tables["forecast_backtest"])["backtest"]
