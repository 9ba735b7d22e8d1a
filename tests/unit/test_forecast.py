"""Unit tests of workforce.forecast on synthetic history with a known weekly pattern and intraday
shape (Europe/Berlin, 15-minute intervals, across both 2026/2027 DST changes).

The synthetic days are laid out independently of the module: each local day's intervals are
found by stepping 15 minutes in UTC from local midnight to the next local midnight.
"""

from __future__ import annotations

import functools
import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from workforce.forecast import (
    BACKTEST_COLUMNS,
    FORECAST_COLUMNS,
    METHOD_HOLT_WINTERS_ADDITIVE,
    METHOD_HOLT_WINTERS_MULTIPLICATIVE,
    METHOD_SEASONAL_NAIVE,
    add_staffing,
    backtest,
    estimate_patience_seconds,
    forecast_intervals,
)

TZ = "Europe/Berlin"
BERLIN = ZoneInfo(TZ)
STEP = timedelta(minutes=15)
# Offered calls per weekday (Monday first); sales is closed on Sundays (additive seasonality).
WEEKLY = {
    "support": (1000, 900, 850, 800, 950, 500, 300),
    "sales": (400, 380, 360, 340, 300, 150, 0),
}
AHT_MORNING, AHT_AFTERNOON = 240.0, 300.0


def slot_weight(queue: str, local: datetime) -> float:
    """Intraday shape: support around the clock with two peaks, sales 08:00-18:00 only."""
    hour = local.hour + local.minute / 60
    if queue == "support":
        return 0.2 + math.exp(-(((hour - 11) / 3) ** 2)) + 0.7 * math.exp(-(((hour - 16) / 2.5) ** 2))
    return 1.0 + math.sin(math.pi * (hour - 8) / 10) if 8 <= hour < 18 else 0.0


def day_intervals(day: date) -> list[tuple[datetime, datetime]]:
    """(local wall clock, UTC) of the day's 15-minute intervals, stepping in UTC."""
    start = datetime.combine(day, time(), BERLIN).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), BERLIN).astimezone(UTC)
    intervals = []
    while start < end:
        intervals.append((start.astimezone(BERLIN).replace(tzinfo=None), start))
        start += STEP
    return intervals


def expected_shares(queue: str, day: date) -> np.ndarray:
    weights = np.array([slot_weight(queue, local) for local, _ in day_intervals(day)])
    return weights / weights.sum()


def make_history(first_day: date, days: int, noise_seed: int | None = None,
                 queues: tuple[str, ...] = ("support", "sales")) -> pd.DataFrame:
    """One row per queue and interval with calls; integer calls, handled = offered."""
    rng = np.random.default_rng(noise_seed)
    rows = []
    for queue in queues:
        for offset in range(days):
            day = first_day + timedelta(days=offset)
            expected = WEEKLY[queue][day.weekday()] * expected_shares(queue, day)
            calls = rng.poisson(expected) if noise_seed is not None else np.round(expected)
            for (local, utc), offered in zip(day_intervals(day), calls, strict=True):
                if offered > 0:
                    aht = AHT_MORNING if local.hour < 12 else AHT_AFTERNOON
                    rows.append((queue, utc, int(offered), int(offered), offered * aht))
    frame = pd.DataFrame(rows, columns=["queue_name", "interval_start_utc", "offered", "handled", "handle_seconds"])
    frame["interval_start_utc"] = pd.to_datetime(frame["interval_start_utc"], utc=True)
    return frame


@functools.cache
def autumn_history() -> pd.DataFrame:
    """Six weeks Sunday 2026-09-20 .. Saturday 2026-10-31, with the fall-back day 2026-10-25."""
    return make_history(date(2026, 9, 20), 42)


@functools.cache
def spring_history() -> pd.DataFrame:
    """Six weeks Sunday 2027-02-07 .. Saturday 2027-03-20, before the spring-forward day 2027-03-28."""
    return make_history(date(2027, 2, 7), 42)


@pytest.fixture(scope="module")
def autumn_forecast() -> pd.DataFrame:
    return forecast_intervals(autumn_history(), TZ, 15)


def daily_totals(forecast: pd.DataFrame) -> pd.Series:
    return forecast.groupby(["queue_name", "report_date"])["forecast_offered"].sum()


def test_forecast_has_the_columns_and_the_horizon(autumn_forecast):
    assert list(autumn_forecast.columns) == list(FORECAST_COLUMNS)
    days = sorted(set(autumn_forecast["report_date"]))
    assert days == [date(2026, 11, 1) + timedelta(days=offset) for offset in range(14)]
    assert set(autumn_forecast["queue_name"]) == {"support", "sales"}
    assert (autumn_forecast["forecast_offered"] >= 0).all()


def test_daily_totals_follow_the_weekly_pattern(autumn_forecast):
    methods = autumn_forecast.groupby("queue_name")["method"].first()
    assert methods["support"] == METHOD_HOLT_WINTERS_MULTIPLICATIVE
    assert methods["sales"] == METHOD_HOLT_WINTERS_ADDITIVE  # closed Sundays are zeros
    for (queue, day), total in daily_totals(autumn_forecast).items():
        expected = WEEKLY[queue][day.weekday()]
        assert total == pytest.approx(expected, rel=0.03, abs=3), (queue, day)


def test_intraday_profile_is_reproduced_and_days_add_up(autumn_forecast):
    totals = daily_totals(autumn_forecast)
    for (queue, day), part in autumn_forecast.groupby(["queue_name", "report_date"]):
        assert len(part) == 96
        if totals[(queue, day)] > 0:
            shares = part["forecast_offered"].to_numpy() / totals[(queue, day)]
            rounding = 1.0 / WEEKLY[queue][day.weekday()]  # the history holds whole calls
            np.testing.assert_allclose(shares, expected_shares(queue, day), atol=rounding)
    sales_night = autumn_forecast[(autumn_forecast["queue_name"] == "sales")
                                  & (autumn_forecast["interval_start"].dt.hour < 8)]
    assert (sales_night["forecast_offered"] == 0).all()  # closed hours are there, with 0


def test_interval_starts_agree_with_zoneinfo(autumn_forecast):
    for _, part in autumn_forecast.groupby(["queue_name", "report_date"]):
        utc = part["interval_start_utc"].tolist()
        local = part["interval_start"].tolist()
        assert all(later - earlier == STEP for earlier, later in zip(utc, utc[1:], strict=False))
        day = part["report_date"].iloc[0]
        assert utc[0].to_pydatetime() == datetime.combine(day, time(), BERLIN).astimezone(UTC)
        for wall, start in zip(local, utc, strict=True):
            assert start.tz_convert(BERLIN).tz_localize(None) == wall


def test_fall_back_day_has_100_intervals_and_the_repeated_hour_twice():
    forecast = forecast_intervals(autumn_history(), TZ, 15, horizon_days=3, forecast_start=date(2026, 10, 25))
    day = forecast[(forecast["queue_name"] == "support") & (forecast["report_date"] == date(2026, 10, 25))]
    assert len(day) == 100
    expected = [(local, utc) for local, utc in day_intervals(date(2026, 10, 25))]
    assert list(day["interval_start"]) == [pd.Timestamp(local) for local, _ in expected]
    assert list(day["interval_start_utc"]) == [pd.Timestamp(utc) for _, utc in expected]
    repeated = day[day["interval_start"].dt.hour == 2]
    assert len(repeated) == 8
    # Both instances of a repeated slot take the slot's share.
    first, second = repeated.iloc[:4]["forecast_offered"].to_numpy(), repeated.iloc[4:]["forecast_offered"].to_numpy()
    np.testing.assert_allclose(first, second)
    # The 100 intervals share the day's forecast (a Sunday): renormalized, not 25 hours' worth.
    assert day["forecast_offered"].sum() == pytest.approx(WEEKLY["support"][6], rel=0.03)
    # History after forecast_start is ignored: the forecast used 35 days, ending 2026-10-24.
    other_days = forecast[forecast["report_date"] != date(2026, 10, 25)]
    assert other_days.groupby(["queue_name", "report_date"]).size().eq(96).all()


def test_spring_forward_day_has_92_intervals():
    forecast = forecast_intervals(spring_history(), TZ, 15)
    assert min(forecast["report_date"]) == date(2027, 3, 21)
    sizes = forecast.groupby(["queue_name", "report_date"]).size()
    for queue in ("support", "sales"):
        assert sizes[(queue, date(2027, 3, 28))] == 92
        assert sizes.drop(index=(queue, date(2027, 3, 28))).loc[queue].eq(96).all()
    day = forecast[(forecast["queue_name"] == "support") & (forecast["report_date"] == date(2027, 3, 28))]
    assert not (day["interval_start"].dt.hour == 2).any()
    assert list(day["interval_start_utc"]) == [pd.Timestamp(utc) for _, utc in day_intervals(date(2027, 3, 28))]
    assert day["forecast_offered"].sum() == pytest.approx(WEEKLY["support"][6], rel=0.03)


def history_daily_totals(history: pd.DataFrame) -> pd.Series:
    local_day = pd.to_datetime(history["interval_start_utc"]).dt.tz_convert(BERLIN).dt.date
    return history.groupby([history["queue_name"], local_day])["offered"].sum()


def test_short_history_uses_the_seasonal_naive_fallback():
    history = make_history(date(2026, 9, 20), 10)  # Sunday .. Tuesday of the next week
    forecast = forecast_intervals(history, TZ, 15)
    assert set(forecast["method"]) == {METHOD_SEASONAL_NAIVE}
    days = sorted(set(forecast["report_date"]))
    assert len(days) == 14 and days[0] == date(2026, 9, 30)
    actual = history_daily_totals(history)
    for (queue, day), total in daily_totals(forecast).items():
        latest = date(2026, 9, 23) + timedelta(days=(day.weekday() - 2) % 7)  # same weekday of the last week
        assert total == pytest.approx(actual.get((queue, latest), 0)), (queue, day)  # sales: closed Sundays


def test_weekday_never_seen_gets_the_mean_of_the_history():
    history = make_history(date(2026, 9, 21), 3, queues=("support",))  # Monday .. Wednesday
    forecast = forecast_intervals(history, TZ, 15, horizon_days=7)
    totals = daily_totals(forecast)["support"]
    actual = history_daily_totals(history)["support"]
    for day in (date(2026, 9, 24), date(2026, 9, 25), date(2026, 9, 26), date(2026, 9, 27)):  # Thursday .. Sunday
        assert totals[day] == pytest.approx(actual.mean())
    assert totals[date(2026, 9, 28)] == pytest.approx(actual[date(2026, 9, 21)])  # Monday as last Monday
    # No Sunday in the history: Sunday's intervals follow the all-days profile.
    sunday = forecast[forecast["report_date"] == date(2026, 9, 27)]
    assert sunday["forecast_offered"].to_numpy() / totals[date(2026, 9, 27)] == pytest.approx(
        expected_shares("support", date(2026, 9, 27)), abs=1.0 / 800)


def test_aht_per_slot_and_fallback_to_the_queue_aht():
    def row(local: datetime, handled: int, aht: float) -> tuple:
        return ("billing", local.replace(tzinfo=BERLIN).astimezone(UTC), handled, handled, handled * aht)

    rows = [row(datetime(2026, 6, day, 9, 0), 40, 200.0) for day in (1, 2)]
    rows.append(row(datetime(2026, 6, 3, 14, 30), 5, 1000.0))
    history = pd.DataFrame(rows, columns=["queue_name", "interval_start_utc", "offered", "handled", "handle_seconds"])
    forecast = forecast_intervals(history, TZ, 30, horizon_days=2).set_index("interval_start")
    overall = (80 * 200 + 5 * 1000) / 85
    assert forecast.loc[pd.Timestamp(2026, 6, 4, 9, 0), "forecast_aht_seconds"] == pytest.approx(200.0)
    assert forecast.loc[pd.Timestamp(2026, 6, 4, 14, 30), "forecast_aht_seconds"] == pytest.approx(overall)
    assert forecast.loc[pd.Timestamp(2026, 6, 4, 3, 0), "forecast_aht_seconds"] == pytest.approx(overall)
    lowered = forecast_intervals(history, TZ, 30, horizon_days=1, min_handled_for_slot_aht=5)
    afternoon = lowered[lowered["interval_start"] == pd.Timestamp(2026, 6, 4, 14, 30)]
    assert afternoon["forecast_aht_seconds"].item() == pytest.approx(1000.0)


def test_synthetic_aht_profile(autumn_forecast):
    support = autumn_forecast[autumn_forecast["queue_name"] == "support"]
    busy = support[support["interval_start"].dt.hour.isin([10, 15])]
    morning = busy[busy["interval_start"].dt.hour == 10]["forecast_aht_seconds"]
    afternoon = busy[busy["interval_start"].dt.hour == 15]["forecast_aht_seconds"]
    assert np.allclose(morning, AHT_MORNING) and np.allclose(afternoon, AHT_AFTERNOON)


def test_finer_history_is_summed_onto_the_interval_grid():
    forecast = forecast_intervals(autumn_history(), TZ, 30, horizon_days=1)
    assert forecast.groupby("queue_name").size().eq(48).all()
    assert daily_totals(forecast)[("support", date(2026, 11, 1))] == pytest.approx(WEEKLY["support"][6], rel=0.03)


def test_empty_history_gives_an_empty_forecast():
    empty = autumn_history().iloc[0:0]
    assert list(forecast_intervals(empty, TZ, 15).columns) == list(FORECAST_COLUMNS)
    assert forecast_intervals(empty, TZ, 15).empty
    with pytest.raises(ValueError):
        forecast_intervals(autumn_history(), TZ, 7)


def test_backtest_on_a_periodic_series_is_near_perfect():
    history = make_history(date(2026, 4, 5), 42)  # no DST change inside
    result = backtest(history, TZ, 15, holdout_days=7)
    assert list(result.columns) == list(BACKTEST_COLUMNS)
    assert list(result["queue_name"]) == ["sales", "support", "*"]
    assert (result["holdout_start"] == date(2026, 5, 10)).all() and (result["holdout_end"] == date(2026, 5, 16)).all()
    assert (result["days"] == 7).all()
    assert result["daily_mape"].max() < 0.01
    assert result["interval_wape"].max() < 0.02
    assert result["aht_wape"].max() < 1e-9
    overall = result.set_index("queue_name").loc["*"]
    assert overall["actual_offered"] == history[pd.to_datetime(history["interval_start_utc"])
                                                >= pd.Timestamp("2026-05-09 22:00", tz="UTC")]["offered"].sum()


def test_backtest_on_a_noisy_series_has_a_positive_finite_error():
    history = make_history(date(2026, 4, 5), 42, noise_seed=11)
    result = backtest(history, TZ, 15).set_index("queue_name")
    for queue in ("support", "sales", "*"):
        assert 0 < result.loc[queue, "daily_mape"] < 0.5
        assert 0 < result.loc[queue, "interval_wape"] < 1
    pooled = result.loc["support", "actual_offered"] + result.loc["sales", "actual_offered"]
    assert result.loc["*", "actual_offered"] == pooled


def test_backtest_without_enough_history_is_empty():
    for history in (make_history(date(2026, 4, 5), 13), autumn_history().iloc[0:0]):
        result = backtest(history, TZ, 15, holdout_days=7)
        assert result.empty and list(result.columns) == list(BACKTEST_COLUMNS)


def test_add_staffing_reproduces_the_reference_case():
    forecast = pd.DataFrame({
        "queue_name": ["support", "support", "sales"],
        "report_date": [date(2026, 11, 2)] * 3,
        "interval_start": pd.to_datetime(["2026-11-02 09:00", "2026-11-02 09:30", "2026-11-02 09:00"]),
        "interval_start_utc": pd.to_datetime(["2026-11-02 08:00", "2026-11-02 08:30", "2026-11-02 08:00"], utc=True),
        "forecast_offered": [100.0, 0.0, 100.0],
        "forecast_aht_seconds": [180.0, 180.0, 180.0],
        "method": [METHOD_SEASONAL_NAIVE] * 3,
    })
    staffed = add_staffing(forecast, 30, 20, 0.8, patience_seconds_by_queue={"support": 120.0})
    assert list(staffed["required_agents"]) == [14, 0, 14]
    assert staffed["expected_service_level"].iloc[0] == pytest.approx(0.888, abs=5e-4)
    assert staffed["expected_occupancy"].iloc[0] == pytest.approx(0.714, abs=5e-4)
    assert staffed["required_agents_erlang_a"].iloc[0] <= 14
    assert staffed["required_agents_erlang_a"].iloc[1] == 0
    assert staffed["required_agents_erlang_a"].isna().iloc[2]  # no patience known for sales
    assert list(forecast.columns) == list(FORECAST_COLUMNS)  # the input is left alone


def test_add_staffing_on_a_whole_forecast(autumn_forecast):
    staffed = add_staffing(autumn_forecast, 15, 20, 0.8)
    closed_sunday = staffed[(staffed["queue_name"] == "sales") & (staffed["report_date"] == date(2026, 11, 8))]
    assert (closed_sunday["forecast_offered"] == 0).all() and (closed_sunday["required_agents"] == 0).all()
    assert staffed["required_agents_erlang_a"].isna().all()  # no patience given
    assert (staffed["required_agents"] >= 0).all()
    open_ = staffed[staffed["forecast_offered"] > 0]
    assert (open_["expected_service_level"] >= 0.8).all()
    assert (staffed[staffed["forecast_offered"] == 0]["required_agents"] == 0).all()


def test_patience_estimate():
    assert estimate_patience_seconds(6000.0, 50) == pytest.approx(120.0)
    assert estimate_patience_seconds(6000.0, 0) is None
    with pytest.raises(ValueError):
        estimate_patience_seconds(-1.0, 3)
