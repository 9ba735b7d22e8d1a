"""The forecast's backtest error as Dagster metadata, shown on the forecast assets and on the
marts built from them (D30)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dagster import MetadataValue

from orchestration.resources import CxpipeResource
from workforce.forecast import ALL_QUEUES

NOT_ENOUGH_HISTORY = "not enough history (needs forecast_backtest_days + 7 days)"


def backtest_metadata(backtest: pd.DataFrame) -> dict[str, Any]:
    """The pooled figures (daily MAPE, interval WAPE) and a table per queue."""
    pooled = backtest[backtest["queue_name"] == ALL_QUEUES] if not backtest.empty else backtest
    if pooled.empty:
        return {"backtest": NOT_ENOUGH_HISTORY}
    row = pooled.iloc[0]
    lines = ["| queue | daily MAPE | interval WAPE | AHT WAPE | method |", "|---|---|---|---|---|"]
    for queue in backtest.itertuples():
        lines.append(
            f"| {queue.queue_name} | {queue.daily_mape:.1%} | {queue.interval_wape:.1%} | "
            f"{queue.aht_wape:.1%} | {queue.method} |"
        )
    return {
        "backtest_daily_mape": MetadataValue.float(float(row["daily_mape"])),
        "backtest_interval_wape": MetadataValue.float(float(row["interval_wape"])),
        "backtest_days": f"{_day(row['holdout_start'])} .. {_day(row['holdout_end'])}",
        "backtest_by_queue": MetadataValue.md("\n".join(lines)),
    }


def _day(value: Any) -> str:
    return str(pd.Timestamp(value).date())


def read_backtest_metadata(cxpipe: CxpipeResource) -> dict[str, Any]:
    """The metadata of the latest backtest in the warehouse (none written yet: says so)."""
    with cxpipe.connect() as con:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'marts' and table_name = 'fct_forecast_backtest'"
        ).fetchone()[0]
        if not exists:
            return {"backtest": NOT_ENOUGH_HISTORY}
        backtest = con.execute("select * from marts.fct_forecast_backtest").df()
    return backtest_metadata(backtest)
