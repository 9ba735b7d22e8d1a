"""The dbt project as Dagster assets: seeds (unpartitioned) and the models (staging, intermediate,
marts: daily partitions); dbt data tests become asset checks. Unit tests are not run here: they
check the SQL, not the data, and run in CI.

The forecast marts (fct_queue_interval_forecast, fct_forecast_backtest, kpi_staffing_interval)
depend on the Python asset `queue_forecast`, which depends on other marts: Dagster runs this
multi-asset in two steps around it. Their materializations carry the forecast's backtest error
as metadata, read once dbt has finished (while dbt runs it holds the warehouse file)."""


import contextlib
import os
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetExecutionContext,
    AssetKey,
    AssetMaterialization,
    AssetsDefinition,
    BackfillPolicy,
    Output,
    PartitionsDefinition,
)
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.dbt_project import dbt_project
from orchestration.forecast_metadata import read_backtest_metadata
from orchestration.late_data import record_watermark, window_start
from orchestration.partitions import FULL_REFRESH_TAG, RunDays, lookback_days, window_environment_variables
from orchestration.resources import WRITER_POOL, CxpipeResource
from orchestration.translators import CxDbtTranslator

INCREMENTAL_MARTS = frozenset(
    AssetKey([name]) for name in ("fct_queue_calls", "kpi_queue_interval", "kpi_queue_daily",
                                  "fct_agent_state_intervals", "kpi_agent_daily")
)
FORECAST_MARTS = frozenset(
    AssetKey([name]) for name in ("fct_queue_interval_forecast", "fct_forecast_backtest", "kpi_staffing_interval")
)


def _asset_key(context: AssetExecutionContext, event: Any) -> AssetKey | None:
    if isinstance(event, Output):
        return context.asset_key_for_output(event.output_name)
    if isinstance(event, (AssetMaterialization, AssetCheckResult)):
        return event.asset_key
    return None


def build_dbt_assets(partitions_def: PartitionsDefinition) -> list[AssetsDefinition]:
    """The seeds (unpartitioned: reference data) and the models (daily partitions: a run for the
    days S..E passes them to dbt as environment variables, and the incremental marts rebuild S minus the lookback
    through E; macro day_window, D31). A backfill of many days is one run (single-run policy):
    one dbt invocation, not one per day."""

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        dagster_dbt_translator=CxDbtTranslator(),
        select="resource_type:seed",
        name="cx_dbt_seeds",
        pool=WRITER_POOL,
    )
    def cx_dbt_seeds(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
        yield from dbt.cli(["build", "--exclude-resource-type", "unit_test"], context=context).stream()

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        dagster_dbt_translator=CxDbtTranslator(),
        exclude="resource_type:seed",
        name="cx_dbt_models",
        partitions_def=partitions_def,
        backfill_policy=BackfillPolicy.single_run(),
        pool=WRITER_POOL,
    )
    def cx_dbt_models(
        context: AssetExecutionContext, dbt: DbtCliResource, cxpipe: CxpipeResource
    ) -> Iterator[Any]:
        window, full_refresh, load_id = run_window(context, cxpipe)
        args = ["build", "--exclude-resource-type", "unit_test", *(["--full-refresh"] if full_refresh else [])]
        held: list[Any] = []
        with window_environment(window):
            try:
                for event in dbt.cli(args, context=context).stream():
                    if _asset_key(context, event) in FORECAST_MARTS:
                        held.append(event)
                    else:
                        yield event
            except Exception:
                # dbt failed elsewhere in the step: what it did build is still recorded.
                yield from _with_backtest(held, cxpipe)
                raise
        if INCREMENTAL_MARTS <= context.selected_asset_keys:
            record_watermark(cxpipe.warehouse_path, load_id)
        yield from _with_backtest(held, cxpipe)

    return [cx_dbt_seeds, cx_dbt_models]


def run_window(context: AssetExecutionContext, cxpipe: CxpipeResource) -> tuple[dict[str, str], bool, str | None]:
    """The window variables of the run's days (reaching back to the earliest day of the rows
    loaded since the last build, when that is earlier: orchestration/late_data.py), whether the
    run is a full refresh, and the load id to record once the build succeeded."""
    key_range = context.partition_key_range
    days = RunDays(date.fromisoformat(key_range.start), date.fromisoformat(key_range.end))
    start, load_id, earliest = window_start(days.start, cxpipe.warehouse_path, cxpipe.site_timezone or "UTC")
    if start < days.start:
        context.log.info(f"Rows loaded since the last build reach back to {earliest}: the incremental marts "
                         f"are rebuilt from there.")
        days = RunDays(start, days.end)
    lookback = lookback_days()
    full_refresh = context.run.tags.get(FULL_REFRESH_TAG) == "true"
    if full_refresh:
        context.log.info("Full refresh: every incremental mart is rebuilt from all history.")
    else:
        context.log.info(
            f"Days {days.start}..{days.end}: the incremental marts rebuild "
            f"{days.start - timedelta(days=lookback)}..{days.end} (lookback {lookback} days)."
        )
    return window_environment_variables(days), full_refresh, load_id


@contextlib.contextmanager
def window_environment(variables: dict[str, str]) -> Iterator[None]:
    """The run's window for the dbt process, as environment variables: dbt reads them only when it
    runs an incremental model (macro day_window), so its partial parsing stays valid, which
    `--vars` would void on every run (a full parse costs seconds per dbt invocation)."""
    before = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _with_backtest(held: list[Any], cxpipe: CxpipeResource) -> Iterator[Any]:
    """The held events of the forecast marts, their materializations with the backtest metadata."""
    if not held:
        return
    metadata = read_backtest_metadata(cxpipe)
    for event in held:
        if isinstance(event, (Output, AssetMaterialization)):
            yield event.with_metadata({**event.metadata, **metadata})
        else:
            yield event
