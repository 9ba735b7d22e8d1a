"""The dbt project as Dagster assets: seeds, staging, intermediate and marts; dbt data tests
become asset checks. Unit tests are not run here: they check the SQL, not the data, and run in CI.

The forecast marts (fct_queue_interval_forecast, fct_forecast_backtest, kpi_staffing_interval)
depend on the Python asset `queue_forecast`, which depends on other marts: Dagster runs this
multi-asset in two steps around it. Their materializations carry the forecast's backtest error
as metadata, read once dbt has finished (while dbt runs it holds the warehouse file)."""


from collections.abc import Iterator
from typing import Any

from dagster import AssetCheckResult, AssetExecutionContext, AssetKey, AssetMaterialization, Output
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.dbt_project import dbt_project
from orchestration.forecast_metadata import read_backtest_metadata
from orchestration.resources import WRITER_POOL, CxpipeResource
from orchestration.translators import CxDbtTranslator

FORECAST_MARTS = frozenset(
    AssetKey([name]) for name in ("fct_queue_interval_forecast", "fct_forecast_backtest", "kpi_staffing_interval")
)


def _asset_key(context: AssetExecutionContext, event: Any) -> AssetKey | None:
    if isinstance(event, Output):
        return context.asset_key_for_output(event.output_name)
    if isinstance(event, (AssetMaterialization, AssetCheckResult)):
        return event.asset_key
    return None


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=CxDbtTranslator(),
    pool=WRITER_POOL,
)
def cx_dbt_models(
    context: AssetExecutionContext, dbt: DbtCliResource, cxpipe: CxpipeResource
) -> Iterator[Any]:
    held: list[Any] = []
    try:
        for event in dbt.cli(["build", "--exclude-resource-type", "unit_test"], context=context).stream():
            if _asset_key(context, event) in FORECAST_MARTS:
                held.append(event)
            else:
                yield event
    except Exception:
        # dbt failed elsewhere in the step: what it did build is still recorded.
        yield from _with_backtest(held, cxpipe)
        raise
    yield from _with_backtest(held, cxpipe)


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
