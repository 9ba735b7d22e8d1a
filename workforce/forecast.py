"""Volume and handle-time forecast per queue and reporting interval, and the staffing it needs.

The standard workforce-management approach, in three separable steps:

1. Daily volume per queue: offered calls per site-local day, forecast with Holt-Winters exponential
   smoothing (statsmodels) with a weekly season once there are two full weeks of history, and
   with a seasonal naive rule before that.
2. Intraday profile: each weekday's volume is spread over the day's reporting intervals with the
   share each wall-clock slot (HH:MM) had of that weekday's calls over the last `profile_weeks`
   weeks. Days are site-local, so a DST day has 23 or 25 hours: the skipped hour gets nothing and
   the repeated hour appears twice, and the shares are renormalized to the day's intervals.
3. Handle time per queue and slot from the same weeks, falling back to the queue's overall AHT
   where a slot has too few handled calls to be trusted.

`add_staffing` turns a forecast into required agents (Erlang C, and Erlang A where a queue's
patience is known), and `backtest` measures the method on the last days of the history.

Decisions (see the functions for details):
- seasonality is multiplicative when every day of a queue's series has calls and additive as soon
  as one day has none (closed days), because multiplicative seasonality cannot fit zeros; a
  damped additive trend is added from `TREND_MIN_DAYS` days of history on;
- a weekday that had no call on any of its (at least `CLOSED_WEEKDAY_MIN_DAYS`) days in the
  profile weeks is closed and forecast as 0 (additive seasonality would leave crumbs such as
  1e-6 calls, which would staff an agent on a closed day);
- history on or after `forecast_start` is ignored, so a forecast never sees the days it forecasts;
- the output has every reporting interval of every forecast day for every queue (92, 96 or 100
  rows per day at 15 minutes), also closed hours with a forecast of 0, so staffing shows them.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from workforce import erlang

HISTORY_COLUMNS = ("queue_name", "interval_start_utc", "offered", "handled", "handle_seconds")
FORECAST_COLUMNS = (
    "queue_name", "report_date", "interval_start", "interval_start_utc",
    "forecast_offered", "forecast_aht_seconds", "method",
)
BACKTEST_COLUMNS = (
    "queue_name", "holdout_start", "holdout_end", "days", "actual_offered", "forecast_offered",
    "daily_mape", "interval_wape", "aht_wape", "method",
)
ALL_QUEUES = "*"
"""`queue_name` of the backtest row that pools every queue."""

SEASON_DAYS = 7
MIN_SEASONAL_DAYS = 2 * SEASON_DAYS
"""Days of history needed for Holt-Winters with a weekly season (two full weeks)."""
TREND_MIN_DAYS = 8 * SEASON_DAYS
"""Days of history from which a (damped) trend is fitted; on fewer weeks a trend mostly chases noise."""
CLOSED_WEEKDAY_MIN_DAYS = 2
"""A weekday without any call on at least this many of its days in the profile weeks is closed."""

METHOD_HOLT_WINTERS_MULTIPLICATIVE = "holt_winters_multiplicative"
METHOD_HOLT_WINTERS_ADDITIVE = "holt_winters_additive"
METHOD_SEASONAL_NAIVE = "seasonal_naive"
METHOD_NO_HISTORY = "no_history"
"""Backtest only: a queue whose first calls fall in the holdout days (forecast 0)."""


def forecast_intervals(
    history: pd.DataFrame,
    site_timezone: str,
    interval_minutes: int,
    horizon_days: int = 14,
    forecast_start: date | None = None,
    profile_weeks: int = 6,
    min_handled_for_slot_aht: int = 30,
) -> pd.DataFrame:
    """Forecast offered calls and AHT per queue and reporting interval for `horizon_days`
    site-local days from `forecast_start` (default: the day after the last history day).

    `history` has one row per queue and interval with calls (absent intervals mean 0):
    `queue_name`, `interval_start_utc` (tz-aware), `offered`, `handled`, `handle_seconds` (talk +
    hold + after-call work of the handled calls). Rows are put on the `interval_minutes` grid of
    the site's wall clock (finer history is summed up). History on or after `forecast_start` is
    ignored. Returns `FORECAST_COLUMNS`, one row per queue and interval of each forecast day
    (intervals of the repeated DST hour twice, with the same `interval_start` and distinct
    `interval_start_utc`), sorted by queue and time. `forecast_aht_seconds` is NaN for a queue
    that never handled a call.
    """
    _check_interval(interval_minutes)
    if horizon_days < 1 or profile_weeks < 1:
        raise ValueError("horizon_days and profile_weeks must be >= 1")
    prepared = prepare_history(history, site_timezone, interval_minutes)
    if forecast_start is not None:
        prepared = prepared[prepared["report_date"] < forecast_start]
    if prepared.empty:
        return _empty_forecast()
    last_day = prepared["report_date"].max()
    first_forecast_day = forecast_start or last_day + timedelta(days=1)
    forecast_days = [first_forecast_day + timedelta(days=offset) for offset in range(horizon_days)]

    grid = _day_grid(forecast_days, site_timezone, interval_minutes)
    window = prepared[prepared["report_date"] > last_day - timedelta(days=SEASON_DAYS * profile_weeks)]
    frames = []
    for queue, queue_history in prepared.groupby("queue_name", sort=True):
        series = _daily_series(queue_history, last_day)
        daily, method = _forecast_daily(series, forecast_days)
        closed = _closed_weekdays(series.iloc[-SEASON_DAYS * profile_weeks:])
        daily = {day: 0.0 if day.weekday() in closed else calls for day, calls in daily.items()}
        queue_window = window[window["queue_name"] == queue]
        shares = _interval_shares(grid, queue_window)
        aht = _slot_aht(grid["slot"], queue_window, queue_history, min_handled_for_slot_aht)
        frames.append(pd.DataFrame({
            "queue_name": queue,
            "report_date": grid["report_date"],
            "interval_start": grid["interval_start"],
            "interval_start_utc": grid["interval_start_utc"],
            "forecast_offered": grid["report_date"].map(daily).to_numpy(dtype=float) * shares,
            "forecast_aht_seconds": aht,
            "method": method,
        }))
    return pd.concat(frames, ignore_index=True).loc[:, list(FORECAST_COLUMNS)]


def prepare_history(history: pd.DataFrame, site_timezone: str, interval_minutes: int) -> pd.DataFrame:
    """History on the site's reporting grid: one row per queue and interval with `report_date`
    (site-local date), `interval_start` (naive local wall clock), `interval_start_utc`, `weekday`
    (Monday = 0), `slot` (minute of the local day) and the summed `offered`, `handled`,
    `handle_seconds`.

    An interval starts at a wall-clock multiple of `interval_minutes`; its UTC start is the row's
    UTC time minus the same wall-clock remainder (offset changes fall on interval boundaries).
    """
    _check_interval(interval_minutes)
    missing = [column for column in HISTORY_COLUMNS if column not in history.columns]
    if missing:
        raise ValueError(f"history lacks the columns {missing}")
    if history.empty:
        return pd.DataFrame(columns=[*HISTORY_COLUMNS[:2], "interval_start", *HISTORY_COLUMNS[2:],
                                     "report_date", "weekday", "slot"])
    utc = pd.to_datetime(history["interval_start_utc"])
    if utc.dt.tz is None:
        raise ValueError("history.interval_start_utc must be timezone-aware")
    utc = utc.dt.tz_convert("UTC").dt.as_unit("us")
    local = utc.dt.tz_convert(ZoneInfo(site_timezone)).dt.tz_localize(None)
    local_start = local.dt.floor(f"{interval_minutes}min")
    frame = pd.DataFrame({
        "queue_name": history["queue_name"].astype(str),
        "interval_start_utc": utc - (local - local_start),
        "interval_start": local_start,
        **{column: pd.to_numeric(history[column]).astype(float) for column in ("offered", "handled", "handle_seconds")},
    }, index=history.index)
    frame = (frame.groupby(["queue_name", "interval_start_utc", "interval_start"], as_index=False, sort=True)
             [["offered", "handled", "handle_seconds"]].sum())
    starts = frame["interval_start"].dt
    frame["report_date"] = starts.date
    frame["weekday"] = starts.weekday
    frame["slot"] = starts.hour * 60 + starts.minute
    return frame


def local_intervals(day: date, site_timezone: str, interval_minutes: int) -> list[tuple[datetime, datetime]]:
    """(naive local start, UTC start) of every reporting interval of a site-local day, in time order.

    Wall-clock slots that do not exist (spring forward) are left out; slots that exist twice
    (fall back) appear twice, first with fold=0 (summer time) and then with fold=1.
    """
    _check_interval(interval_minutes)
    zone = ZoneInfo(site_timezone)
    intervals = []
    for minute in range(0, 24 * 60, interval_minutes):
        wall = datetime.combine(day, time()) + timedelta(minutes=minute)
        starts = set()
        for fold in (0, 1):
            start = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
            if start.astimezone(zone).replace(tzinfo=None) == wall:
                starts.add(start)
        intervals.extend((wall, start) for start in starts)
    return sorted(intervals, key=lambda interval: interval[1])


def add_staffing(
    forecast_df: pd.DataFrame,
    interval_minutes: int,
    service_level_seconds: float,
    service_level_target: float,
    patience_seconds_by_queue: Mapping[str, float | None] | None = None,
    max_occupancy: float | None = None,
) -> pd.DataFrame:
    """A copy of a forecast with the agents each interval needs.

    Adds `required_agents` (Erlang C, fewest agents reaching `service_level_target` within
    `service_level_seconds`, and `max_occupancy` if given), `expected_service_level` and
    `expected_occupancy` at that staffing, and `required_agents_erlang_a` (Erlang A with the
    queue's mean patience, same target, no occupancy cap; <NA> for queues without a patience in
    `patience_seconds_by_queue`). The column is there even without patiences, so the frame's
    shape does not depend on them.
    Intervals without forecast calls need 0 agents (service level 1.0, occupancy 0); intervals
    whose AHT is unknown (NaN) get <NA>.
    """
    _check_interval(interval_minutes)
    interval_seconds = interval_minutes * 60
    patience = dict(patience_seconds_by_queue or {})
    rows = [
        _interval_staffing(float(calls), float(aht), interval_seconds, service_level_seconds, service_level_target,
                           patience.get(queue), max_occupancy)
        for queue, calls, aht in zip(forecast_df["queue_name"], forecast_df["forecast_offered"],
                                     forecast_df["forecast_aht_seconds"], strict=True)
    ]
    agents, levels, occupancies, agents_a = zip(*rows, strict=True) if rows else ((), (), (), ())
    staffed = forecast_df.copy()
    staffed["required_agents"] = pd.array(agents, dtype="Int64")
    staffed["expected_service_level"] = np.asarray(levels, dtype=float)
    staffed["expected_occupancy"] = np.asarray(occupancies, dtype=float)
    staffed["required_agents_erlang_a"] = pd.array(agents_a, dtype="Int64")
    return staffed


def _interval_staffing(calls: float, aht: float, interval_seconds: int, threshold_seconds: float, target: float,
                       patience_seconds: float | None, max_occupancy: float | None) -> tuple:
    """(Erlang C agents, service level, occupancy, Erlang A agents or <NA>) of one forecast interval."""
    calls = max(0.0, calls)
    if calls == 0:
        return 0, 1.0, 0.0, (pd.NA if patience_seconds is None else 0)
    if not (aht > 0 and math.isfinite(aht)):
        return pd.NA, math.nan, math.nan, pd.NA
    result = erlang.staffing(calls, interval_seconds, aht, threshold_seconds, target, max_occupancy)
    agents_a = pd.NA if patience_seconds is None else erlang.required_agents_erlang_a(
        calls, interval_seconds, aht, patience_seconds, threshold_seconds, target)
    return result.agents, result.service_level, result.occupancy, agents_a


def estimate_patience_seconds(total_wait_seconds_all_callers: float, abandoned: int) -> float | None:
    """Mean caller patience in seconds, the maximum-likelihood estimate for exponential patience.

    Every caller who waited contributes time at risk of abandoning: answered callers up to their
    answer (censored), abandoners up to their hang-up. The estimate is that total waiting time
    divided by the number of abandonments; None without abandonments (patience not observable).
    """
    if total_wait_seconds_all_callers < 0 or abandoned < 0:
        raise ValueError("waiting time and abandonments must be >= 0")
    if abandoned == 0:
        return None
    return total_wait_seconds_all_callers / abandoned


def backtest(
    history: pd.DataFrame,
    site_timezone: str,
    interval_minutes: int,
    holdout_days: int = 7,
    profile_weeks: int = 6,
    min_handled_for_slot_aht: int = 30,
    last_complete_day: date | None = None,
) -> pd.DataFrame:
    """Forecast the last `holdout_days` complete days from the history before them and compare.

    The holdout ends on `last_complete_day` (default: the last history day, which must then be
    complete). Per queue, and pooled over all queues in the row `queue_name == "*"`:
    - `daily_mape`: mean over the queue's holdout days with calls of |forecast - actual| / actual
      (the pooled row averages over every queue-day with calls);
    - `interval_wape`: sum of |forecast - actual| over every interval of the holdout days
      (intervals without calls are actual 0) / actual calls;
    - `aht_wape`: sum over intervals with handled calls of handled * |forecast AHT - actual AHT|
      / actual handle seconds, i.e. the share of the handled workload misjudged by the AHT.
    Errors are fractions (0.05 = 5 %); NaN when nothing was there to compare. A queue first seen
    in the holdout is forecast as 0 with method "no_history". With fewer than
    holdout_days + 7 days of history the frame is empty (with `BACKTEST_COLUMNS`).
    """
    if holdout_days < 1:
        raise ValueError("holdout_days must be >= 1")
    prepared = prepare_history(history, site_timezone, interval_minutes)
    if prepared.empty:
        return _empty_backtest()
    holdout_end = last_complete_day or prepared["report_date"].max()
    holdout_start = holdout_end - timedelta(days=holdout_days - 1)
    if (holdout_end - prepared["report_date"].min()).days + 1 < holdout_days + SEASON_DAYS:
        return _empty_backtest()
    forecast = forecast_intervals(history, site_timezone, interval_minutes, holdout_days, holdout_start,
                                  profile_weeks, min_handled_for_slot_aht)
    actual = prepared[(prepared["report_date"] >= holdout_start) & (prepared["report_date"] <= holdout_end)]
    compared = forecast.merge(
        actual[["queue_name", "interval_start_utc", "report_date", "offered", "handled", "handle_seconds"]],
        on=["queue_name", "interval_start_utc"], how="outer", suffixes=("", "_actual"),
    )
    compared["report_date"] = compared["report_date"].fillna(compared["report_date_actual"])
    compared["method"] = compared["method"].fillna(METHOD_NO_HISTORY)
    compared[["forecast_offered", "offered", "handled", "handle_seconds"]] = (
        compared[["forecast_offered", "offered", "handled", "handle_seconds"]].fillna(0.0))
    rows = [_backtest_row(queue, part, holdout_start, holdout_end, holdout_days)
            for queue, part in compared.groupby("queue_name", sort=True)]
    if rows:
        rows.append(_backtest_row(ALL_QUEUES, compared, holdout_start, holdout_end, holdout_days))
    return pd.DataFrame(rows, columns=list(BACKTEST_COLUMNS)) if rows else _empty_backtest()


def _backtest_row(queue: str, compared: pd.DataFrame, holdout_start: date, holdout_end: date,
                  days: int) -> dict:
    """The backtest figures of one queue (or of all queues pooled) from interval comparisons."""
    daily = compared.groupby(["queue_name", "report_date"])[["forecast_offered", "offered"]].sum()
    called = daily[daily["offered"] > 0]
    daily_mape = float(((called["forecast_offered"] - called["offered"]).abs() / called["offered"]).mean()) \
        if len(called) else math.nan
    actual_total = float(compared["offered"].sum())
    interval_error = float((compared["forecast_offered"] - compared["offered"]).abs().sum())
    handled = compared[(compared["handled"] > 0) & compared["forecast_aht_seconds"].notna()]
    handle_total = float(handled["handle_seconds"].sum())
    aht_error = float((handled["handled"] * (handled["forecast_aht_seconds"]
                                             - handled["handle_seconds"] / handled["handled"]).abs()).sum())
    return {
        "queue_name": queue,
        "holdout_start": holdout_start,
        "holdout_end": holdout_end,
        "days": days,
        "actual_offered": actual_total,
        "forecast_offered": float(compared["forecast_offered"].sum()),
        "daily_mape": daily_mape,
        "interval_wape": interval_error / actual_total if actual_total > 0 else math.nan,
        "aht_wape": aht_error / handle_total if handle_total > 0 else math.nan,
        "method": ",".join(sorted(compared["method"].unique())),
    }


def _daily_series(queue_history: pd.DataFrame, last_day: date) -> pd.Series:
    """Offered calls per site-local day from the queue's first day with calls to `last_day`,
    days without calls as 0."""
    totals = queue_history.groupby("report_date")["offered"].sum()
    first_day = min(totals.index)
    days = [first_day + timedelta(days=offset) for offset in range((last_day - first_day).days + 1)]
    return totals.reindex(days, fill_value=0.0).astype(float)


def _forecast_daily(series: pd.Series, forecast_days: list[date]) -> tuple[dict[date, float], str]:
    """Daily offered calls for `forecast_days` (clipped at 0) and the method that made them.

    From `MIN_SEASONAL_DAYS` days on: Holt-Winters (falls back to the seasonal naive rule if the
    fit fails or returns non-finite values); before: the seasonal naive rule.
    """
    last_day = series.index[-1]
    if len(series) >= MIN_SEASONAL_DAYS and series.sum() > 0:
        steps = (forecast_days[-1] - last_day).days
        values, method = _holt_winters(series.to_numpy(), steps)
        if values is not None:
            return {day: max(0.0, float(values[(day - last_day).days - 1])) for day in forecast_days}, method
    return _seasonal_naive(series, forecast_days), METHOD_SEASONAL_NAIVE


def _holt_winters(values: np.ndarray, steps: int) -> tuple[np.ndarray | None, str]:
    """Holt-Winters forecast of `steps` days with a weekly season, or None if it cannot be fitted.

    Multiplicative seasonality when every day has calls (a weekday's share then scales with the
    level), additive when a day has none; a damped additive trend from `TREND_MIN_DAYS` days on.
    statsmodels is imported here, not at module import: it takes a second and only this needs it.
    """
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    multiplicative = bool((values > 0).all())
    method = METHOD_HOLT_WINTERS_MULTIPLICATIVE if multiplicative else METHOD_HOLT_WINTERS_ADDITIVE
    trend = "add" if len(values) >= TREND_MIN_DAYS else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter on short or very regular series
            model = ExponentialSmoothing(
                values.astype(float), trend=trend, damped_trend=trend is not None,
                seasonal="mul" if multiplicative else "add", seasonal_periods=SEASON_DAYS,
                initialization_method="estimated",
            )
            forecast = np.asarray(model.fit().forecast(steps), dtype=float)
    except (ValueError, np.linalg.LinAlgError):
        return None, method
    return (forecast, method) if np.isfinite(forecast).all() else (None, method)


def _closed_weekdays(series: pd.Series) -> set[int]:
    """Weekdays (Monday = 0) seen on at least `CLOSED_WEEKDAY_MIN_DAYS` days of `series`, never with calls."""
    weekdays = pd.Series([day.weekday() for day in series.index], index=series.index)
    seen = series.groupby(weekdays).agg(["size", "sum"])
    return set(seen.index[(seen["size"] >= CLOSED_WEEKDAY_MIN_DAYS) & (seen["sum"] == 0)])


def _seasonal_naive(series: pd.Series, forecast_days: list[date]) -> dict[date, float]:
    """Each forecast day as the latest history day of the same weekday; the mean of the history
    for a weekday never seen."""
    latest = {day.weekday(): float(value) for day, value in series.items()}
    mean = float(series.mean())
    return {day: latest.get(day.weekday(), mean) for day in forecast_days}


def _day_grid(days: list[date], site_timezone: str, interval_minutes: int) -> pd.DataFrame:
    """Every reporting interval of `days`: report_date, interval_start, interval_start_utc,
    weekday and slot (minute of the local day)."""
    rows = [(day, local, utc) for day in days for local, utc in local_intervals(day, site_timezone, interval_minutes)]
    grid = pd.DataFrame(rows, columns=["report_date", "interval_start", "interval_start_utc"])
    grid["interval_start"] = pd.to_datetime(grid["interval_start"]).dt.as_unit("us")
    grid["interval_start_utc"] = pd.to_datetime(grid["interval_start_utc"], utc=True).dt.as_unit("us")
    grid["weekday"] = grid["interval_start"].dt.weekday
    grid["slot"] = grid["interval_start"].dt.hour * 60 + grid["interval_start"].dt.minute
    return grid


def _interval_shares(grid: pd.DataFrame, window: pd.DataFrame) -> np.ndarray:
    """Each grid interval's share of its day's volume (the days' shares sum to 1).

    A slot's share is its calls over the weekday's calls in `window` (the queue's last
    `profile_weeks` weeks), or over all days' calls when that weekday had none there. Every
    interval of a slot takes the slot's share (the repeated DST hour twice), then each day is
    renormalized; a day whose existing slots never had calls is spread evenly.
    """
    by_weekday = window.groupby(["weekday", "slot"])["offered"].sum()
    weekday_totals = window.groupby("weekday")["offered"].sum()
    all_days = window.groupby("slot")["offered"].sum()
    all_total = float(all_days.sum())
    shares = np.zeros(len(grid))
    for position, (weekday, slot) in enumerate(zip(grid["weekday"], grid["slot"], strict=True)):
        weekday_total = float(weekday_totals.get(weekday, 0.0))
        if weekday_total > 0:
            shares[position] = float(by_weekday.get((weekday, slot), 0.0)) / weekday_total
        elif all_total > 0:
            shares[position] = float(all_days.get(slot, 0.0)) / all_total
    day_sums = pd.Series(shares).groupby(grid["report_date"].to_numpy()).transform("sum").to_numpy()
    day_counts = grid.groupby("report_date")["slot"].transform("size").to_numpy()
    return np.where(day_sums > 0, shares / np.where(day_sums > 0, day_sums, 1.0), 1.0 / day_counts)


def _slot_aht(slots: pd.Series, window: pd.DataFrame, queue_history: pd.DataFrame, min_handled: int) -> np.ndarray:
    """AHT in seconds for each slot: the slot's handle seconds over its handled calls in `window`,
    or the queue's overall AHT in `window` where the slot has fewer than `min_handled` handled calls
    (the queue's AHT over all its history if the window has none; NaN if it never handled a call)."""
    per_slot = window.groupby("slot")[["handled", "handle_seconds"]].sum()
    trusted = per_slot[per_slot["handled"] >= max(min_handled, 1)]
    slot_aht = trusted["handle_seconds"] / trusted["handled"]
    overall = math.nan
    for frame in (window, queue_history):
        handled = float(frame["handled"].sum())
        if handled > 0:
            overall = float(frame["handle_seconds"].sum()) / handled
            break
    return slots.map(slot_aht).fillna(overall).to_numpy(dtype=float)


def _empty_forecast() -> pd.DataFrame:
    return pd.DataFrame({
        "queue_name": pd.Series(dtype=str),
        "report_date": pd.Series(dtype=object),
        "interval_start": pd.Series(dtype="datetime64[us]"),
        "interval_start_utc": pd.Series(dtype="datetime64[us, UTC]"),
        "forecast_offered": pd.Series(dtype=float),
        "forecast_aht_seconds": pd.Series(dtype=float),
        "method": pd.Series(dtype=str),
    })


def _empty_backtest() -> pd.DataFrame:
    dtypes = {"queue_name": str, "holdout_start": object, "holdout_end": object, "days": "int64",
              "actual_offered": float, "forecast_offered": float, "daily_mape": float,
              "interval_wape": float, "aht_wape": float, "method": str}
    return pd.DataFrame({column: pd.Series(dtype=dtypes[column]) for column in BACKTEST_COLUMNS})


def _check_interval(interval_minutes: int) -> None:
    if interval_minutes <= 0 or 60 % interval_minutes:
        raise ValueError(f"interval_minutes must divide 60, got {interval_minutes}")
