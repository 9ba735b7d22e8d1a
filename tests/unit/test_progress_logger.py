"""The `cxpipe run` progress lines: a step, what it built (once, however many days the run is
for), failed checks."""

from __future__ import annotations

import io
import logging
from types import SimpleNamespace

from dagster import AssetKey
from dagster._core.log_manager import set_log_record_metadata

from orchestration.loggers import ProgressHandler


def _record(kind: str, step: str, key: str | None = None) -> logging.LogRecord:
    record = logging.LogRecord("dagster", logging.DEBUG, __file__, 1, "", None, None)
    event = SimpleNamespace(event_type_value=kind, asset_key=AssetKey([key]) if key else None)
    set_log_record_metadata(record, {"dagster_event": event, "step_key": step})
    return record


def test_an_asset_built_for_many_days_is_one_line():
    stream = io.StringIO()
    handler = ProgressHandler(stream)
    handler.emit(_record("STEP_START", "cx_dbt_models"))
    for _ in range(16):  # a run for 16 days: one materialization per day
        handler.emit(_record("ASSET_MATERIALIZATION", "cx_dbt_models", "kpi_queue_daily"))
        handler.emit(_record("ASSET_MATERIALIZATION", "cx_dbt_models", "fct_queue_calls"))
    handler.emit(_record("STEP_SUCCESS", "cx_dbt_models"))
    lines = stream.getvalue().splitlines()
    assert lines[1:3] == ["  built kpi_queue_daily", "  built fct_queue_calls"]
    assert len(lines) == 4 and lines[3].startswith("  done: ")
