"""The dbt project as Dagster assets: seeds (unpartitioned) and the models (staging, intermediate,
marts: daily partitions); dbt data tests become asset checks. Unit tests are not run here: they
check the SQL, not the data, and run in CI.

The forecast marts (fct_queue_interval_forecast, fct_forecast_backtest, kpi_staffing_interval)
depend on the Python asset `queue_forecast`, which depends on other marts: Dagster runs this
multi-asset in two steps around it. Their materializations carry the forecast's backtest error
as metadata, read once dbt has finished (while dbt runs it holds the warehouse file)."""


import contextlib
import os
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetExecutionContext,
    AssetKey,
    AssetMaterialization,
    AssetsDefinition,
    BackfillPolicy,
    Failure,
    Output,
    PartitionsDefinition,
)
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.dbt_project import DBT_PROJECT_DIR, dbt_project
from orchestration.forecast_metadata import read_backtest_metadata
from orchestration.late_data import build_fingerprint, full_refresh_reason, record_build, run_window
from orchestration.partitions import FULL_REFRESH_TAG, RunDays, lookback_days, window_environment_variables
from orchestration.resources import WRITER_POOL, CxpipeResource
from orchestration.translators import CxDbtTranslator

PARTIAL_PARSE_FILE = "partial_parse.msgpack"
LAST_RUNS_FOLDER = "last_runs"
INCREMENTAL_MARTS = frozenset(
    AssetKey([name]) for name in ("fct_queue_calls", "kpi_queue_interval", "kpi_queue_daily",
                                  "fct_agent_state_intervals")
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
    days S..E passes them to dbt as environment variables, and the incremental marts rebuild S
    minus the lookback through E; macro day_window, D31). A backfill of many days is one run
    (single-run policy): one dbt invocation, not one per day."""
    project = {"manifest": dbt_project.manifest_path, "project": dbt_project,
               "dagster_dbt_translator": CxDbtTranslator(), "pool": WRITER_POOL}

    @dbt_assets(**project, select="resource_type:seed", name="cx_dbt_seeds")
    def cx_dbt_seeds(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
        invocation = dbt.cli(["build", "--exclude-resource-type", "unit_test"], context=context)
        yield from invocation.stream()
        finish_invocation(invocation.target_path)

    @dbt_assets(**project, exclude="resource_type:seed", name="cx_dbt_models", partitions_def=partitions_def,
                backfill_policy=BackfillPolicy.single_run())
    def cx_dbt_models(
        context: AssetExecutionContext, dbt: DbtCliResource, cxpipe: CxpipeResource
    ) -> Iterator[Any]:
        window, full_refresh, load_id, fingerprint = dbt_window(context, cxpipe)
        args = ["build", "--exclude-resource-type", "unit_test", *(["--full-refresh"] if full_refresh else [])]
        held: list[Any] = []
        with window_environment(window):
            try:
                invocation = dbt.cli(args, context=context)
                for event in invocation.stream():
                    if _asset_key(context, event) in FORECAST_MARTS:
                        held.append(event)
                    else:
                        yield event
            except Exception:
                # dbt failed elsewhere in the step: what it did build is still recorded.
                yield from _with_backtest(held, cxpipe)
                raise
        finish_invocation(invocation.target_path)
        if INCREMENTAL_MARTS <= context.selected_asset_keys:
            record_build(cxpipe.warehouse_path, load_id, fingerprint)
        yield from _with_backtest(held, cxpipe)

    return [cx_dbt_seeds, cx_dbt_models]


def dbt_window(context: AssetExecutionContext, cxpipe: CxpipeResource) -> tuple[dict[str, str], bool, str | None, str]:
    """The window variables of the run's days (widened to the days of the rows loaded since the
    last build: orchestration/late_data.py), whether the build must be a full one, the load id
    and the fingerprint to record once the build succeeded."""
    if not (context.has_partition_key or context.has_partition_key_range):
        raise Failure(
            "cx_refresh is partitioned by site-local day: launch it for a day (Launchpad: pick a partition) "
            "or a range (Partitions tab: Launch backfill)."
        )
    key_range = context.partition_key_range
    zone = cxpipe.site_timezone or "UTC"
    asked = RunDays(date.fromisoformat(key_range.start), date.fromisoformat(key_range.end))
    window = run_window(asked.start, asked.end, cxpipe.warehouse_path, zone)
    if window.new_rows is not None and (window.start, window.end) != (asked.start, asked.end):
        context.log.info(f"Telephony rows loaded since the last build are about {window.new_rows[0]}.."
                         f"{window.new_rows[1]}: the window covers {window.start}..{window.end}.")
    fingerprint = build_fingerprint(zone, DBT_PROJECT_DIR)
    reason = full_refresh_reason(cxpipe.warehouse_path, fingerprint)
    full_refresh = context.run.tags.get(FULL_REFRESH_TAG) == "true" or reason is not None
    if full_refresh:
        context.log.info(f"Full refresh ({reason or 'asked for'}): every incremental mart is rebuilt from all history.")
    else:
        lookback = lookback_days()
        context.log.info(
            f"Days {window.start}..{window.end}: the incremental marts rebuild "
            f"{window.start - timedelta(days=lookback)}..{window.end} (lookback {lookback} days)."
        )
    days = RunDays(window.start, window.end)
    return window_environment_variables(days), full_refresh, window.load_id, fingerprint


def finish_invocation(target_path: Path) -> None:
    """After a dbt step that succeeded: hand its parse on to the next dbt invocation, keep its
    run_results.json as `target/last_runs/<step>.json` (what each model and test took), then
    delete the invocation's own target folder. dagster-dbt gives every invocation a folder of its
    own (manifest, compiled SQL: about 13 MB), and four a day would fill the disk over the years.
    A failed step's folder stays for its dbt.log and compiled SQL."""
    keep_partial_parse(target_path)
    results = target_path / "run_results.json"
    if results.exists():
        step = target_path.name.rsplit("-", 2)[0]
        kept = project_target_path() / LAST_RUNS_FOLDER / f"{step}.json"
        with contextlib.suppress(OSError):
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(results, kept)
    shutil.rmtree(target_path, ignore_errors=True)


def keep_partial_parse(target_path: Path) -> None:
    """Make this invocation's parse the one the next dbt invocation starts from. dagster-dbt seeds
    each invocation's target folder with the project's partial_parse.msgpack; without this, that
    file is whatever `dbt parse` last wrote, for another profile or an older project, and every
    dbt step pays a full parse (about 4 s). dbt checks the file itself (project files, profile,
    variables), so a stale copy is never wrong, only slow."""
    source = target_path / PARTIAL_PARSE_FILE
    if not source.exists():
        return
    destination = project_target_path() / PARTIAL_PARSE_FILE
    temporary = destination.with_name(f".{PARTIAL_PARSE_FILE}.{os.getpid()}")
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, temporary)
        os.replace(temporary, destination)
    except OSError:
        temporary.unlink(missing_ok=True)


def project_target_path() -> Path:
    """The folder whose partial_parse.msgpack dagster-dbt copies into each invocation's folder:
    DBT_TARGET_PATH or `target`, relative to the dbt project, not to the working directory (the
    same rule as dagster-dbt)."""
    target = Path(os.environ.get("DBT_TARGET_PATH") or "target")
    return target if target.is_absolute() else DBT_PROJECT_DIR / target


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
