"""The contact-volume forecast and its Erlang staffing as Dagster assets (D30).

`queue_forecast` reads the history of the voice marts, forecasts offered calls and AHT per queue
and interval for the next `forecast_horizon_days` site-local days (package `workforce`:
statsmodels exponential smoothing of each queue's daily calls with a weekly season, spread by the
weekday's intraday profile), measures the method on the last `forecast_backtest_days` days of
history, and adds the agents Erlang C (and Erlang A, with the callers' patience seen in history)
requires. It writes three tables of dataset `forecast` through dlt (each run replaces them); dbt
reads them as the source `forecast` and builds fct_queue_interval_forecast, fct_forecast_backtest
and kpi_staffing_interval (which joins the published WFM schedule). The KPI settings are the dbt
vars of dbt_project.yml, read here so Python and SQL use the same targets.
"""

from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dlt
import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from ingestion.feed import LOAD_ID_COLUMN, RunStamp, with_load_id_column
from ingestion.pipelines import make_pipeline
from orchestration.forecast_metadata import backtest_metadata
from orchestration.kpi_settings import kpi_vars
from orchestration.resources import WRITER_POOL, CxpipeResource
from workforce import forecast as fc

FORECAST_PIPELINE_NAME = "cxpipe_forecast"
FORECAST_DATASET = "forecast"
QUEUE_FORECAST_KEY = AssetKey([FORECAST_DATASET, "queue_interval_forecast"])
INTERVAL_STAFFING_KEY = AssetKey([FORECAST_DATASET, "interval_staffing"])
BACKTEST_KEY = AssetKey([FORECAST_DATASET, "forecast_backtest"])
HISTORY_DEPS = [AssetKey(["kpi_queue_interval"]), AssetKey(["fct_queue_calls"])]


def history_end_date(last_history_day: date, site_timezone: str, now: datetime | None = None) -> date:
    """The last complete site-local day of history: the last day with calls, but never today (a
    run during the day sees only part of it)."""
    today = (now or datetime.now(timezone.utc)).astimezone(ZoneInfo(site_timezone)).date()
    return min(last_history_day, today - timedelta(days=1))


def pooled(forecast: pd.DataFrame) -> pd.DataFrame:
    """All queues' forecast per interval as one load: calls summed, AHT call-weighted."""
    if forecast.empty:
        return forecast.assign(queue_name=pd.Series(dtype=str))
    work = forecast.assign(
        handle=forecast["forecast_offered"] * forecast["forecast_aht_seconds"].fillna(0.0),
        known=forecast["forecast_offered"].where(forecast["forecast_aht_seconds"].notna(), 0.0),
    )
    grouped = work.groupby(["report_date", "interval_start", "interval_start_utc"], as_index=False).agg(
        forecast_offered=("forecast_offered", "sum"), handle=("handle", "sum"), known=("known", "sum")
    )
    grouped["forecast_aht_seconds"] = grouped["handle"] / grouped["known"].where(grouped["known"] > 0)
    grouped["queue_name"] = fc.ALL_QUEUES
    return grouped.drop(columns=["handle", "known"])


def _read_history(cxpipe: CxpipeResource) -> tuple[pd.DataFrame, pd.DataFrame]:
    with cxpipe.connect() as con:
        history = con.execute(
            "select queue_name, interval_start_utc, offered, handled, handle_seconds "
            "from marts.kpi_queue_interval"
        ).df()
        waits = con.execute(
            "select queue_name, sum(wait_seconds) as wait_seconds, "
            "count(case when is_abandoned then 1 end) as abandoned "
            "from marts.fct_queue_calls group by queue_name"
        ).df()
    return history, waits


def _patience(waits: pd.DataFrame) -> tuple[dict[str, float | None], float | None]:
    by_queue = {
        row.queue_name: fc.estimate_patience_seconds(float(row.wait_seconds or 0), int(row.abandoned))
        for row in waits.itertuples()
    }
    overall = fc.estimate_patience_seconds(float(waits["wait_seconds"].fillna(0).sum()), int(waits["abandoned"].sum()))
    return by_queue, overall


def build_forecast(
    history: pd.DataFrame, waits: pd.DataFrame, settings: dict[str, Any], now: datetime | None = None
) -> dict[str, pd.DataFrame]:
    """The three tables of dataset `forecast` from the voice history (pure: no I/O)."""
    zone, minutes = settings["site_timezone"], int(settings["interval_minutes"])
    made_at = now or datetime.now(timezone.utc)
    if history.empty:
        return {"queue_interval_forecast": pd.DataFrame(), "interval_staffing": pd.DataFrame(),
                "forecast_backtest": pd.DataFrame()}
    prepared = fc.prepare_history(history, zone, minutes)
    end = history_end_date(prepared["report_date"].max(), zone, made_at)
    kept = history[history["interval_start_utc"].isin(
        prepared.loc[prepared["report_date"] <= end, "interval_start_utc"])]
    forecast = fc.forecast_intervals(
        kept, zone, minutes, horizon_days=int(settings["forecast_horizon_days"]),
        forecast_start=end + timedelta(days=1),
    )
    patience, overall_patience = _patience(waits)
    staffing_args = dict(
        interval_minutes=minutes,
        service_level_seconds=float(settings["service_level_seconds"]),
        service_level_target=float(settings["service_level_target"]),
    )
    by_queue = fc.add_staffing(forecast, patience_seconds_by_queue=patience, **staffing_args)
    by_queue["patience_seconds"] = by_queue["queue_name"].map(patience).astype(float)
    by_queue["history_end_date"] = end
    by_queue["forecast_made_at"] = made_at
    interval = fc.add_staffing(
        pooled(forecast), patience_seconds_by_queue={fc.ALL_QUEUES: overall_patience}, **staffing_args
    ).drop(columns=["queue_name", "method"], errors="ignore")
    interval["forecast_made_at"] = made_at
    backtest = fc.backtest(
        kept, zone, minutes, holdout_days=int(settings["forecast_backtest_days"]), last_complete_day=end
    )
    backtest["forecast_made_at"] = made_at
    return {"queue_interval_forecast": by_queue, "interval_staffing": interval, "forecast_backtest": backtest}


def _replaced_table(name: str, frame: pd.DataFrame) -> Any:
    """A dlt resource that replaces table `name` with `frame`, each row stamped with its load id
    (dbt reads only rows of completed loads, D10; dlt adds none to data frames by itself)."""

    @dlt.resource(name=name, write_disposition="replace", columns=with_load_id_column({}))
    def table() -> Iterator[pd.DataFrame]:
        yield frame.assign(**{LOAD_ID_COLUMN: RunStamp.current().load_id})

    return table


@multi_asset(
    name="queue_forecast",
    specs=[
        AssetSpec(QUEUE_FORECAST_KEY, deps=HISTORY_DEPS, group_name="forecast",
                  description="Offered calls and AHT per queue and interval for the next days, "
                              "with each queue's Erlang C / A staffing."),
        AssetSpec(INTERVAL_STAFFING_KEY, deps=HISTORY_DEPS, group_name="forecast",
                  description="All queues' forecast per interval pooled, with its Erlang C / A staffing."),
        AssetSpec(BACKTEST_KEY, deps=HISTORY_DEPS, group_name="forecast",
                  description="The forecast method's error on the last days of history."),
    ],
    pool=WRITER_POOL,
)
def queue_forecast(context: AssetExecutionContext, cxpipe: CxpipeResource):
    """Forecast volume and AHT, measure the method, staff it, and write dataset `forecast`."""
    settings = {**kpi_vars(), "site_timezone": cxpipe.site_timezone}
    history, waits = _read_history(cxpipe)
    tables = build_forecast(history, waits, settings)
    pipeline = make_pipeline(
        warehouse_path=Path(cxpipe.warehouse_path),
        pipelines_dir=cxpipe.dlt_pipelines_dir,
        pipeline_name=FORECAST_PIPELINE_NAME,
        dataset_name=FORECAST_DATASET,
    )
    resources = [_replaced_table(name, frame) for name, frame in tables.items() if not frame.empty]
    if resources:
        pipeline.run(resources)
    forecast = tables["queue_interval_forecast"]
    if forecast.empty:
        context.log.warning("No call history yet: no forecast written.")
    else:
        context.log.info(
            f"Forecast {forecast['report_date'].min()} .. {forecast['report_date'].max()} for "
            f"{forecast['queue_name'].nunique()} queues from history up to {forecast['history_end_date'].iloc[0]}"
        )
    metadata = backtest_metadata(tables["forecast_backtest"])
    for key, name in ((QUEUE_FORECAST_KEY, "queue_interval_forecast"),
                      (INTERVAL_STAFFING_KEY, "interval_staffing"),
                      (BACKTEST_KEY, "forecast_backtest")):
        yield MaterializeResult(
            asset_key=key,
            metadata={**metadata, "dagster/row_count": MetadataValue.int(len(tables[name]))},
        )
