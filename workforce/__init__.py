"""Workforce-management math for the pipeline: forecasts and staffing, as pure functions.

`workforce.erlang` holds the queueing formulas (Erlang B, C and A: service level, wait, occupancy,
required agents and positions); `workforce.forecast` forecasts offered calls and handle time per
queue and reporting interval from the interval history, turns a forecast into required agents,
and backtests the method. Everything takes and returns plain values or pandas DataFrames and
does no I/O, so the pipeline's Dagster assets read the warehouse, call these functions and write
the results, and the math is tested on its own.

    from workforce import add_staffing, forecast_intervals
    forecast = forecast_intervals(history, "Europe/Berlin", interval_minutes=15)
    plan = add_staffing(forecast, 15, service_level_seconds=20, service_level_target=0.8)
"""

from workforce.erlang import (
    ErlangAResult,
    StaffingResult,
    average_speed_of_answer,
    erlang_a,
    erlang_b,
    erlang_c,
    occupancy,
    offered_load,
    required_agents,
    required_agents_erlang_a,
    required_positions,
    service_level,
    staffing,
)
from workforce.forecast import (
    add_staffing,
    backtest,
    estimate_patience_seconds,
    forecast_intervals,
    local_intervals,
    prepare_history,
)

__all__ = [
    "ErlangAResult",
    "StaffingResult",
    "add_staffing",
    "average_speed_of_answer",
    "backtest",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "estimate_patience_seconds",
    "forecast_intervals",
    "local_intervals",
    "occupancy",
    "offered_load",
    "prepare_history",
    "required_agents",
    "required_agents_erlang_a",
    "required_positions",
    "service_level",
    "staffing",
]
