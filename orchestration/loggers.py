"""A Dagster logger that prints a short line per step, model and check, for the `cxpipe` CLI.

Dagster's console logger prints every event with run ids and timestamps; a person running
`cxpipe run` wants to see what is happening and what failed, in a few words.
"""

from __future__ import annotations

import logging
import sys
import time

from dagster import InitLoggerContext, logger
from dagster._core.log_manager import get_log_record_metadata, has_log_record_metadata

from orchestration.failures import failure_reason


#: Warnings that say nothing is wrong, kept in the run log but not printed: dagster-dbt records
#: a relationships test between a model and a seed (the seeds are their own, unpartitioned asset)
#: as an observation; dbt still runs it, and a failure fails the dbt step.
_EXPECTED_WARNINGS = ("Logging an `AssetObservation` instead of an `AssetCheckResult` for dbt test `relationships_",)


class ProgressHandler(logging.Handler):
    def __init__(self, stream) -> None:
        super().__init__(level=logging.DEBUG)
        self.stream = stream
        self.step_started: dict[str, float] = {}
        # A run for several days materializes each partitioned asset once per day: one line each.
        self.built: set[tuple[str, str]] = set()

    def _print(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def emit(self, record: logging.LogRecord) -> None:  # noqa: D102 - logging API
        try:
            if not has_log_record_metadata(record):
                return
            meta = get_log_record_metadata(record)
            event = meta.get("dagster_event")
            step = meta.get("step_key") or ""
            if event is None:
                if record.levelno >= logging.WARNING:
                    text = str(meta.get("orig_message") or record.getMessage()).strip()
                    if not text.startswith(_EXPECTED_WARNINGS):
                        self._print(f"  ! {text.splitlines()[0] if text else ''}")
                return
            kind = event.event_type_value
            if kind == "STEP_START":
                self.step_started[step] = time.monotonic()
                self._print(f"> {_step_title(step)}")
            elif kind == "STEP_SUCCESS":
                took = time.monotonic() - self.step_started.get(step, time.monotonic())
                self._print(f"  done: {_step_title(step)} ({took:.1f} s)")
            elif kind == "STEP_FAILURE":
                error = event.step_failure_data.error if event.step_failure_data else None
                message = failure_reason(error) if error else "failed"
                self._print(f"  FAILED: {_step_title(step)}: {message}")
            elif kind == "ASSET_MATERIALIZATION":
                key = event.asset_key.to_user_string() if event.asset_key else "?"
                if (step, key) not in self.built:
                    self.built.add((step, key))
                    self._print(f"  built {key}")
            elif kind == "ASSET_CHECK_EVALUATION":
                data = event.event_specific_data
                if data is not None and not data.passed:
                    severity = getattr(data.severity, "value", str(data.severity))
                    self._print(
                        f"  check {data.asset_key.to_user_string()}:{data.check_name} "
                        f"did not pass ({severity})"
                    )
        except Exception:  # a progress line must never break a run
            return


_console = sys.stdout


def set_console(stream) -> None:
    """Where progress lines go; the CLI keeps the terminal here while it sends the tools'
    own chatter (dbt's log lines, dlt's messages) to the run's log file."""
    global _console
    _console = stream


def _step_title(step_key: str) -> str:
    titles = {
        "telephony_raw": "Loading telephony files (dlt)",
        "cx_dbt_seeds": "Loading the reference seeds (dbt)",
        "cx_dbt_models": "Building and testing the dbt models",
    }
    return titles.get(step_key, step_key)


@logger(description="Short progress lines for the cxpipe CLI.")
def progress_logger(init_context: InitLoggerContext) -> logging.Logger:
    # Dagster logs step events at DEBUG; the handler picks the few worth a line.
    log = logging.Logger("cxpipe_progress", level=logging.DEBUG)
    log.addHandler(ProgressHandler(_console))
    return log
