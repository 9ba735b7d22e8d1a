"""Runs the Dagster refresh job in-process for the CLI, with short progress lines."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from cxpipe.errors import CxpipeError
from orchestration.settings import Settings

DAGSTER_YAML = """\
# Written by cxpipe. Every step that writes the DuckDB warehouse is in the pool duckdb_writer;
# DuckDB allows one writing process at a time, so the pool runs one step at a time.
concurrency:
  pools:
    default_limit: 1
# A run launched by the UI, the schedule or a sensor that fails (a helpdesk API down for longer
# than its request retries, a full disk) is retried once, from the failed steps on.
run_retries:
  enabled: true
  max_retries: 1
telemetry:
  enabled: false
"""


SETTINGS_FILE = "settings.json"


def remembered_settings(state_dir: Path) -> dict[str, str]:
    """The CXPIPE_* values of the last run that used this state folder (empty if none)."""
    path = state_dir / SETTINGS_FILE
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def remember_settings(settings: Settings) -> None:
    """Keep this run's settings beside its state, so `cxpipe ui` on the same folder shows the same
    deployment (a UI run with another site time zone would rebuild the marts on other days)."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    (settings.state_dir / SETTINGS_FILE).write_text(json.dumps(settings.to_env(), indent=2) + "\n")


def prepare_environment(settings: Settings) -> None:
    """Export the settings for Dagster, dbt and dlt, and set up the Dagster home folder."""
    os.environ.update(settings.to_env())
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    dagster_yaml = settings.dagster_home / "dagster.yaml"
    if not dagster_yaml.exists() or dagster_yaml.read_text() != DAGSTER_YAML:
        dagster_yaml.write_text(DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
    # dlt speaks through our progress lines, not its own logging.
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "ERROR")
    os.environ.setdefault("DLT_TELEMETRY_DISABLED", "1")
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


def check_privacy_settings(settings: Settings) -> None:
    """Fail before anything is loaded when there is no pseudonymization key (the message says how
    to give one) or CXPIPE_PHONE_REGION is not a region. The state folder's key file counts; no
    key is ever created here (only the demo and `cxpipe keygen` create one)."""
    from ingestion.privacy import PseudonymKeyError, phone_region, resolve_key

    try:
        resolve_key(key_file=settings.pseudonym_key_file)
        phone_region()
    except (PseudonymKeyError, ValueError) as exc:
        raise CxpipeError(str(exc)) from None


def ensure_demo_key(settings: Settings) -> Path | None:
    """For the demo: when no key is configured, create a random one in the state folder (0600,
    reused by later runs). Returns the file when it was created now, else None."""
    from ingestion.privacy import PseudonymKeyError, create_key_file, resolve_key

    try:
        resolve_key(key_file=settings.pseudonym_key_file)
        return None
    except PseudonymKeyError as exc:
        if settings.pseudonym_key_file.exists():  # there, but not usable: say why
            raise CxpipeError(str(exc)) from None
    create_key_file(settings.pseudonym_key_file)
    return settings.pseudonym_key_file


@dataclass
class RunOutcome:
    success: bool
    run_id: str
    log_path: Path
    failed_steps: list[str]
    failed_checks: list[str]
    warned_checks: list[str]
    #: The partitions (site-local days) the run was for.
    first_day: date
    last_day: date
    full_refresh: bool
    seconds: float
    #: What the failed steps' errors come down to (orchestration/failures.py), each once.
    failure_reasons: list[str] = field(default_factory=list)


LANDING_SNAPSHOT_FILE = "landing_files.json"


def _landing_state(settings: Settings) -> Path:
    return settings.state_dir / LANDING_SNAPSHOT_FILE


def run_range(settings: Settings, start: date | None, end: date | None,
              full_refresh: bool = False) -> tuple[date, date, bool, dict[str, list[int]]]:
    """The partitions (site-local days) a run is for: --start..--end when given; else the days the
    landing files new or grown since the last successful `cxpipe run` are about (all files for
    --full-refresh), cut to the partitions that exist; else (nothing new) yesterday. Returns
    (start, end, worked out from files, the landing files now)."""
    from orchestration.partitions import PartitionSettingError, clamp_days, history_start, site_today
    from orchestration.sensors import changed_files, days_touched, landing_snapshot

    try:
        first = history_start()
    except PartitionSettingError as exc:
        raise CxpipeError(str(exc)) from None
    today = site_today(settings.site_timezone)
    now = landing_snapshot(settings.landing_dir)
    if start is not None and end is not None:
        for flag, day in (("--start", start), ("--end", end)):
            if not first <= day <= today:
                raise CxpipeError(f"{flag} {day} is outside the days the pipeline keeps: {first} (CXPIPE_HISTORY_START) "
                                  f"to today, {today}.")
        return start, end, False, now
    try:
        before = {} if full_refresh else json.loads(_landing_state(settings).read_text())
    except (OSError, ValueError):
        before = {}
    touched = days_touched(changed_files(before, now), now, settings.site_timezone)
    if touched and min(touched) < first:
        print(f"Note: files hold days before {first} (CXPIPE_HISTORY_START); they are loaded, but their days "
              "are not partitions: set CXPIPE_HISTORY_START earlier to report them.")
    days = clamp_days(touched, today, first)
    if days is None:
        yesterday = max(first, today - timedelta(days=1))
        return yesterday, yesterday, True, now
    return days[0], days[1], True, now


def describe_days(first_day: date, last_day: date, from_files: bool, full_refresh: bool) -> str:
    from orchestration.partitions import PartitionSettingError, lookback_days

    days = f"{first_day}" if first_day == last_day else f"{first_day}..{last_day}"
    why = " (the days of the new landing files)" if from_files else ""
    if full_refresh:
        return f"Days {days}{why}; full refresh: every incremental mart is rebuilt from all history."
    try:
        lookback = lookback_days()
    except PartitionSettingError as exc:
        raise CxpipeError(str(exc)) from None
    return (f"Days {days}{why}; the incremental marts rebuild {first_day - timedelta(days=lookback)}..{last_day} "
            f"(lookback {lookback} days).")


def run_refresh(settings: Settings, start: date | None = None, end: date | None = None,
                full_refresh: bool = False) -> RunOutcome:
    """Ingest what is in the landing folder, build and test the marts for the run's days (see
    run_range), run the checks, publish the snapshot. One refresh at a time per warehouse: while
    another holds it, wait (CXPIPE_RUN_LOCK_WAIT_SECONDS), then refuse (orchestration/run_lock.py)."""
    from orchestration.run_lock import RefreshInProgress, refresh_lock, wait_seconds_from_env

    if not settings.landing_dir.is_dir():
        raise CxpipeError(f"The landing folder {settings.landing_dir} does not exist.")
    if (start is None) != (end is None):
        raise CxpipeError("Give both --start and --end, or neither.")
    if start and end and end < start:
        raise CxpipeError(f"--end {end} is before --start {start}.")
    check_privacy_settings(settings)
    try:
        wait_seconds = wait_seconds_from_env()
    except ValueError as exc:
        raise CxpipeError(str(exc)) from None
    try:
        # The job's resource takes the same lock again (re-entrant); taking it here first lets the
        # CLI say that it waits, and refuse before it opens the warehouse or Dagster records a run.
        with refresh_lock(settings.warehouse_path, what="cxpipe run", wait_seconds=wait_seconds,
                          on_wait=lambda message: print(message, flush=True)):
            return _run_refresh(settings, start, end, full_refresh)
    except RefreshInProgress as exc:
        raise CxpipeError(str(exc)) from None


def _run_refresh(settings: Settings, start: date | None, end: date | None, full_refresh: bool) -> RunOutcome:
    previous = remembered_settings(settings.state_dir).get("CXPIPE_SITE_TIMEZONE")
    if previous and previous != settings.site_timezone:
        print(f"Note: the site time zone changes from {previous} to {settings.site_timezone}; "
              "every report date and interval is recomputed.")
    prepare_environment(settings)
    remember_settings(settings)

    from orchestration.dbt_project import ensure_manifest

    ensure_manifest()

    from dagster import DagsterInstance

    from orchestration.definitions import build_definitions
    from orchestration.jobs import REFRESH_JOB_NAME
    from orchestration.partitions import DAYS_FROM_FILES_TAG, FULL_REFRESH_TAG, range_tags

    first_day, last_day, from_files, landing_now = run_range(settings, start, end, full_refresh)
    print(describe_days(first_day, last_day, from_files, full_refresh))
    # Built now, for this run's settings (CXPIPE_ZENDESK decides whether the helpdesk is loaded).
    job = build_definitions().resolve_job_def(REFRESH_JOB_NAME)
    tags = {"cxpipe/launched_by": "cli", **range_tags(first_day, last_day)}
    if from_files:
        tags[DAYS_FROM_FILES_TAG] = "true"
    if full_refresh:
        tags[FULL_REFRESH_TAG] = "true"
    run_config = {
        "loggers": {"cxpipe_progress": {}},
    }
    from orchestration.loggers import set_console

    log_dir = settings.state_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"run-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}.log"
    set_console(sys.stdout)
    # dlt's warnings (a column without data yet, ...) belong in the run log, not on the console.
    import logging

    logging.getLogger("dlt").setLevel(logging.ERROR)
    began = time.perf_counter()
    with DagsterInstance.get() as instance, log_path.open("w") as log_file:
        with contextlib.redirect_stdout(log_file):
            result = job.execute_in_process(
                instance=instance, tags=tags, raise_on_error=False, run_config=run_config
            )
    seconds = time.perf_counter() - began
    from orchestration.failures import failure_reason

    failed_steps = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    failure_reasons = list(dict.fromkeys(
        failure_reason(e.step_failure_data.error) for e in result.all_events
        if e.event_type_value == "STEP_FAILURE" and e.step_failure_data and e.step_failure_data.error))
    failed_checks: list[str] = []
    warned_checks: list[str] = []
    for event in result.all_events:
        if event.event_type_value != "ASSET_CHECK_EVALUATION":
            continue
        data = event.event_specific_data
        if data is None or data.passed:
            continue
        name = f"{data.asset_key.to_user_string()}:{data.check_name}"
        if getattr(data.severity, "value", "") == "WARN":
            warned_checks.append(name)
        else:
            failed_checks.append(name)
    success = result.success and not failed_checks
    if success:
        # The next `cxpipe run` without dates is for the days of the files that arrive after this.
        _landing_state(settings).write_text(json.dumps(landing_now))
    return RunOutcome(
        success=success,
        run_id=result.run_id,
        log_path=log_path,
        failed_steps=failed_steps,
        failed_checks=failed_checks,
        warned_checks=warned_checks,
        first_day=first_day,
        last_day=last_day,
        full_refresh=full_refresh,
        seconds=seconds,
        failure_reasons=failure_reasons,
    )
