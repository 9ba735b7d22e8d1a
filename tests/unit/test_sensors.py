"""The landing-folder sensor and the run-failure alert (orchestration/sensors.py)."""

from __future__ import annotations

import json
import os
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from dagster import DagsterInstance, RunRequest, SkipReason, build_sensor_context, job, op

from orchestration.partitions import DAYS_FROM_FILES_TAG, RANGE_END_TAG, RANGE_START_TAG, run_days
from orchestration.sensors import ALERTS_FILE, days_touched, landing_files_sensor, send_alert


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_new_and_grown_files_start_a_run_for_the_days_they_touch(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    _write(landing / "telephony/queue_log/queue_log-20261012", "a\n")
    _write(landing / "ground_truth/queue_daily.csv", "x\n")
    monkeypatch.setenv("CXPIPE_LANDING_DIR", str(landing))
    monkeypatch.setenv("CXPIPE_SITE_TIMEZONE", "Europe/Berlin")
    with DagsterInstance.ephemeral() as instance:
        first = landing_files_sensor(build_sensor_context(instance=instance))
        assert isinstance(first, SkipReason) and "Recorded 1 files" in first.skip_message
        context = build_sensor_context(instance=instance, cursor=json.dumps({
            "telephony/queue_log/queue_log-20261012": [2, os.stat(landing / "telephony/queue_log/queue_log-20261012").st_mtime_ns]}))
        assert isinstance(landing_files_sensor(context), SkipReason)
        # A file grows and two new ones arrive (one without a date in its name).
        _write(landing / "telephony/queue_log/queue_log-20261012", "a\nb\n")
        _write(landing / "wfm/schedule-20261014.csv", "h\n")
        _write(landing / "ground_truth/queue_daily.csv", "changed\n")  # the simulator's own: ignored
        request = landing_files_sensor(context)
        assert isinstance(request, RunRequest)
        assert (request.tags[RANGE_START_TAG], request.tags[RANGE_END_TAG]) == ("2026-10-12", "2026-10-14")
        assert request.tags[DAYS_FROM_FILES_TAG] == "true"
        assert run_days(request.tags).from_files
        assert "2 landing file(s)" in request.tags["cxpipe/trigger"]
        assert isinstance(landing_files_sensor(context), SkipReason)  # the cursor moved on


def test_a_file_without_a_date_counts_on_the_local_day_it_was_written():
    # 2026-10-11 23:30 UTC is the 12th in Berlin.
    snapshot = {"ivr/export.csv": [10, 1791761400 * 10**9]}
    assert days_touched(["ivr/export.csv"], snapshot, "Europe/Berlin") == [date(2026, 10, 12)]
    assert days_touched(["ivr/export.csv"], snapshot, "UTC") == [date(2026, 10, 11)]


class _Hook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        self.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Hook.received = []
    yield f"http://127.0.0.1:{server.server_port}/hooks/secret-token-123"
    server.shutdown()


def test_an_alert_is_written_and_posted_without_showing_the_webhook_token(tmp_path, webhook):
    done = send_alert("run x failed", {"run_id": "x"}, tmp_path, webhook)
    assert _Hook.received[0]["text"] == "run x failed" and _Hook.received[0]["run_id"] == "x"
    assert json.loads((tmp_path / ALERTS_FILE).read_text())["text"] == "run x failed"
    assert done[1] == "posted to 127.0.0.1 (HTTP 204)"
    assert not any("secret-token" in line for line in done)
    # A webhook that cannot be reached is reported, not raised; the file still has the alert.
    done = send_alert("again", {}, tmp_path, "http://127.0.0.1:9/hook?token=abc")
    assert done[1].startswith("posting to 127.0.0.1 failed") and "abc" not in done[1]
    assert len((tmp_path / ALERTS_FILE).read_text().splitlines()) == 2


def test_a_failed_run_raises_the_alert(tmp_path, monkeypatch, webhook):
    from dagster import build_run_status_sensor_context, DagsterEventType

    from orchestration.sensors import run_failure_alert

    @op
    def breaks():
        raise RuntimeError("the landing folder is gone")

    @job
    def failing():
        breaks()

    monkeypatch.setenv("CXPIPE_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("CXPIPE_ALERT_WEBHOOK_URL", webhook)
    with DagsterInstance.ephemeral() as instance:
        result = failing.execute_in_process(instance=instance, raise_on_error=False)
        assert not result.success
        failure = next(e for e in result.all_events if e.event_type == DagsterEventType.RUN_FAILURE)
        context = build_run_status_sensor_context(
            sensor_name="run_failure_alert", dagster_instance=instance,
            dagster_run=result.dagster_run, dagster_event=failure,
        ).for_run_failure()
        run_failure_alert(context)
    alert = json.loads((tmp_path / ALERTS_FILE).read_text())
    assert alert["job"] == "failing" and "failed" in alert["text"]
    assert _Hook.received and _Hook.received[0]["run_id"] == result.run_id


def test_a_schedule_published_ahead_starts_a_run_for_today(tmp_path, monkeypatch):
    from orchestration.partitions import PARTITION_TAG, site_today

    landing = tmp_path / "landing"
    _write(landing / "telephony/queue_log/queue_log-20261012", "a\n")
    monkeypatch.setenv("CXPIPE_LANDING_DIR", str(landing))
    monkeypatch.setenv("CXPIPE_SITE_TIMEZONE", "UTC")
    with DagsterInstance.ephemeral() as instance:
        context = build_sensor_context(instance=instance)
        landing_files_sensor(context)
        _write(landing / "wfm/schedule-20991231.csv", "h\n")
        request = landing_files_sensor(context)
        assert isinstance(request, RunRequest)
        assert request.tags[PARTITION_TAG] == site_today("UTC").isoformat()
