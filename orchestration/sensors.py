"""Sensors: new landing files start a refresh for the days they touch, and a failed run writes an
alert (a line in `<state>/alerts.jsonl`, the log, and a POST to CXPIPE_ALERT_WEBHOOK_URL)."""

import hashlib
import json
import logging
import os
import re
import urllib.request
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from dagster import (
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from orchestration.jobs import cx_refresh_job
from orchestration.partitions import DAYS_FROM_FILES_TAG, clamp_days, range_tags, run_days, site_timezone, site_today

logger = logging.getLogger(__name__)

ALERTS_FILE = "alerts.jsonl"
WEBHOOK_ENV = "CXPIPE_ALERT_WEBHOOK_URL"
_DAY_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(\d{2})(\d{2})(?!\d)")
#: Landing paths the sensor ignores: the simulator's truth and the simulated helpdesk (read by API).
_IGNORED_TOP = ("ground_truth", "helpdesk")


# --- landing folder --------------------------------------------------------------------------------


def landing_snapshot(landing: Path) -> dict[str, list[int]]:
    """Every landing file (relative path -> [size, mtime in ns]), hidden files and the simulator's
    own folders left out."""
    files: dict[str, list[int]] = {}
    if not landing.is_dir():
        return files
    for path in sorted(landing.rglob("*")):
        relative = path.relative_to(landing)
        if any(part.startswith(".") for part in relative.parts) or relative.parts[0] in _IGNORED_TOP:
            continue
        if path.is_file():
            stat = path.stat()
            files[relative.as_posix()] = [stat.st_size, stat.st_mtime_ns]
    return files


def changed_files(before: dict[str, list[int]], now: dict[str, list[int]]) -> list[str]:
    """Files that are new or whose size or modification time changed."""
    return sorted(name for name, signature in now.items() if before.get(name) != signature)


def days_touched(paths: list[str], snapshot: dict[str, list[int]], site_timezone: str) -> list[date]:
    """The site-local days new files are about: the date in the file's name (queue_log-20261012,
    schedule-20261012.csv), else the local day the file was last written."""
    zone = ZoneInfo(site_timezone)
    days = set()
    for path in paths:
        found = _DAY_IN_NAME.search(Path(path).name)
        if found:
            try:
                days.add(date(int(found.group(1)), int(found.group(2)), int(found.group(3))))
                continue
            except ValueError:
                pass
        written = datetime.fromtimestamp(snapshot[path][1] / 1e9, tz=timezone.utc)
        days.add(written.astimezone(zone).date())
    return sorted(days)


@sensor(
    name="landing_files",
    job=cx_refresh_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "Watches the landing folder (CXPIPE_LANDING_DIR): new or grown files start cx_refresh for the "
        "partitions (site-local days) they touch. The first tick only records what is there."
    ),
)
def landing_files_sensor(context: SensorEvaluationContext):
    landing = Path(os.environ.get("CXPIPE_LANDING_DIR") or "data/landing")
    now = landing_snapshot(landing)
    if context.cursor is None:
        context.update_cursor(json.dumps(now))
        return SkipReason(f"Recorded {len(now)} files in {landing}; new files will start a run.")
    changed = changed_files(json.loads(context.cursor), now)
    if not changed:
        return SkipReason(f"No new or grown file in {landing}.")
    zone = site_timezone()
    today = site_today(zone)
    touched = days_touched(changed, now, zone)
    days = clamp_days(touched, today)
    context.update_cursor(json.dumps(now))
    if days is None and any(day > today for day in touched):
        # Only days to come (a schedule published ahead): load it now, for today's partition, so
        # the staffing marts see it.
        days = (today, today)
    if days is None:
        return SkipReason(f"{len(changed)} new file(s), about days before CXPIPE_HISTORY_START: "
                          "loaded by the next run, not reported by day.")
    key = hashlib.sha256(json.dumps({name: now[name] for name in changed}).encode()).hexdigest()[:16]
    return RunRequest(
        run_key=f"landing-{key}",
        tags={**range_tags(*days), DAYS_FROM_FILES_TAG: "true",
              "cxpipe/trigger": f"{len(changed)} landing file(s): {', '.join(changed[:5])}"[:250]},
    )


# --- run failure alert ------------------------------------------------------------------------------


def send_alert(message: str, details: dict, state_dir: Path, webhook_url: str | None) -> list[str]:
    """Write the alert to `<state_dir>/alerts.jsonl` and POST it as JSON to `webhook_url` (when set).
    Returns what was done, for the log; a webhook that fails is reported, never raised (the alert
    file has it). The webhook URL may hold a token: only its host is ever shown."""
    record = {"at": datetime.now(timezone.utc).isoformat(), "text": message, **details}
    state_dir.mkdir(parents=True, exist_ok=True)
    with (state_dir / ALERTS_FILE).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
    done = [f"written to {state_dir / ALERTS_FILE}"]
    if webhook_url:
        host = urlsplit(webhook_url).hostname or "the webhook"
        request = urllib.request.Request(
            webhook_url, data=json.dumps(record).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                done.append(f"posted to {host} (HTTP {response.status})")
        except Exception as exc:  # noqa: BLE001 - an alert must not fail the sensor
            done.append(f"posting to {host} failed: {type(exc).__name__}")
    return done


@run_failure_sensor(
    name="run_failure_alert",
    default_status=DefaultSensorStatus.RUNNING,
    description=f"Writes an alert when a run fails: <state>/{ALERTS_FILE}, the log, and {WEBHOOK_ENV} when set.",
)
def run_failure_alert(context: RunFailureSensorContext):
    run = context.dagster_run
    error = context.failure_event.message or "the run failed"
    message = f"cx-pipeline: run {run.run_id[:8]} of {run.job_name} failed: {error}"
    days = run_days(run.tags)
    details = {"run_id": run.run_id, "job": run.job_name,
               "days": f"{days.start}..{days.end}" if days else ""}
    state_dir = Path(os.environ.get("CXPIPE_STATE_DIR") or "data/state")
    for line in send_alert(message, details, state_dir, os.environ.get(WEBHOOK_ENV)):
        context.log.info(f"Alert {line}")
    logger.error(message)
