"""`cxpipe ui` serves the Dagster UI on 127.0.0.1 with the whole asset graph, its daily partitions,
schedule and sensors, and a backfill launched from it (as a data engineer would, here through the
UI's GraphQL API) succeeds and shows its checks. The server runs
in its own process group, which is ended whatever happens."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from orchestration.partitions import run_days
from tests.conftest import copy_fixture

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _graphql(port: int, query: str, variables: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["data"]


@pytest.fixture
def ui_server(tmp_path):
    landing = copy_fixture("handmade", tmp_path / "landing")
    port = _free_port()
    env = {
        **os.environ,
        "CXPIPE_LANDING_DIR": str(landing),
        "CXPIPE_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
        "CXPIPE_STATE_DIR": str(tmp_path / "state"),
        "CXPIPE_SITE_TIMEZONE": "Europe/Berlin",
    }
    cxpipe = Path(sys.executable).with_name("cxpipe")
    log = (tmp_path / "ui.log").open("w")
    process = subprocess.Popen([str(cxpipe), "ui", "--port", str(port)], env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"cxpipe ui exited: {(tmp_path / 'ui.log').read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5):
                    break
            except OSError:
                time.sleep(1)
        else:
            pytest.fail("the Dagster UI did not start within 180 s")
        yield port
    finally:
        # Ctrl-C, as a person would stop it; then the whole group, whatever is left.
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(process.pid, signal.SIGKILL)  # children that outlived their parent
        except ProcessLookupError:
            pass
        process.wait(timeout=10)
        log.close()


REPOSITORY = {"repositoryLocationName": "orchestration.definitions", "repositoryName": "__repository__"}


def _wait(port: int, what: str, query: str, variables: dict, done, timeout: float = 300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = _graphql(port, query, variables)
        if done(answer):
            return answer
        time.sleep(2)
    pytest.fail(f"{what} did not finish within {timeout:.0f} s: {answer}")


def test_ui_shows_partitions_schedule_sensors_and_backfills_a_day(ui_server):
    port = ui_server
    # The UI listens on 127.0.0.1 only (docs/reliability.md: expose it through a tunnel or a proxy).
    if shutil.which("ss"):  # iproute2's socket lister, where installed
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout
        assert listening.strip(), f"nothing listens on port {port}"
        assert all(line.split()[3].startswith("127.0.0.1:") for line in listening.splitlines()), listening
    nodes = _graphql(port, "{ assetNodes { assetKey { path } isPartitioned } }")["assetNodes"]
    partitioned = {"/".join(node["assetKey"]["path"]): node["isPartitioned"] for node in nodes}
    assert {"raw/telephony/queue_log_events", "fct_queue_calls", "kpi_queue_daily", "kpi_queue_interval",
            "bi_snapshot", "forecast/queue_interval_forecast"} <= set(partitioned)
    # Daily partitions on the dbt models; the loads, the forecast and the snapshot read everything.
    assert partitioned["kpi_queue_daily"] and partitioned["fct_queue_calls"]
    assert not partitioned["raw/telephony/queue_log_events"] and not partitioned["bi_snapshot"]
    daily = _graphql(port, """{ assetNodeOrError(assetKey: {path: ["kpi_queue_daily"]}) { ... on AssetNode {
        partitionDefinition { description } partitionKeys } } }""")["assetNodeOrError"]
    assert "Daily" in daily["partitionDefinition"]["description"]
    assert "Europe/Berlin" in daily["partitionDefinition"]["description"]
    assert daily["partitionKeys"][0] == "2020-01-01" and "2026-10-12" in daily["partitionKeys"]

    schedules = _graphql(port, """query($r: RepositorySelector!) { schedulesOrError(repositorySelector: $r) {
        ... on Schedules { results { name cronSchedule executionTimezone } } } }""", {"r": REPOSITORY})
    assert sorted((s["name"], s["cronSchedule"], s["executionTimezone"])
                  for s in schedules["schedulesOrError"]["results"]) == [
        ("cx_daily_refresh", "30 2 * * *", "Europe/Berlin"), ("cx_weekly_report_schedule", "0 7 * * 1", "Europe/Berlin")]
    sensors = _graphql(port, """query($r: RepositorySelector!) { sensorsOrError(repositorySelector: $r) {
        ... on Sensors { results { name } } } }""", {"r": REPOSITORY})
    assert {"landing_files", "run_failure_alert", "freshness_checks"} <= {
        s["name"] for s in sensors["sensorsOrError"]["results"]}

    # A backfill of the job's partition 2026-10-12, as Jobs > cx_refresh > Partitions > Launch
    # backfill does (one run of the whole job per day).
    launched = _graphql(port, """
        mutation($p: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $p) {
          __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } } }""",
        {"p": {"selector": {"partitionSetName": "cx_refresh_partition_set", "repositorySelector": REPOSITORY},
               "partitionNames": ["2026-10-12"]}})["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched
    backfill = _wait(port, "the backfill", """query($id: String!) { partitionBackfillOrError(backfillId: $id) {
        ... on PartitionBackfill { status error { message } } } }""", {"id": launched["backfillId"]},
        lambda a: a["partitionBackfillOrError"]["status"] in ("COMPLETED", "FAILED", "CANCELED",
                                                               "COMPLETED_SUCCESS", "COMPLETED_FAILED"))
    runs = _graphql(port, """query($id: String!) { runsOrError(filter: {tags: [{key: "dagster/backfill", value: $id}]}) {
        ... on Runs { results { runId status jobName tags { key value } } } } }""",
                    {"id": launched["backfillId"]})["runsOrError"]["results"]
    failed = [run["runId"] for run in runs if run["status"] != "SUCCESS"]
    if failed:
        events = _graphql(port, """
            query($id: ID!) { logsForRun(runId: $id) { ... on EventConnection { events {
              __typename ... on ExecutionStepFailureEvent { stepKey error { message } } } } } }""",
            {"id": failed[0]})["logsForRun"]["events"]
        problems = [f"{e['stepKey']}: {e['error']['message'][:500]}" for e in events if e.get("error")]
        pytest.fail(f"backfill run {failed[0]} did not succeed: " + " | ".join(problems))
    assert backfill["partitionBackfillOrError"]["status"] in ("COMPLETED", "COMPLETED_SUCCESS"), (backfill, runs)
    refresh = [run for run in runs if run["jobName"] == "cx_refresh"]
    assert len(refresh) == 1
    days = run_days({tag["key"]: tag["value"] for tag in refresh[0]["tags"]})
    assert (days.start, days.end) == (date(2026, 10, 12), date(2026, 10, 12))

    # The UI shows the day as materialized, and the checks with their results.
    stats = _graphql(port, """{ assetNodeOrError(assetKey: {path: ["kpi_queue_daily"]}) { ... on AssetNode {
        partitionStats { numMaterialized } } } }""")["assetNodeOrError"]["partitionStats"]
    assert stats["numMaterialized"] == 1
    checks = _graphql(port, """{ assetNodeOrError(assetKey: {path: ["kpi_queue_daily"]}) { ... on AssetNode {
        assetChecksOrError { ... on AssetChecks { checks { name executionForLatestMaterialization {
          status } } } } } } }""")["assetNodeOrError"]["assetChecksOrError"]["checks"]
    results = {check["name"]: (check["executionForLatestMaterialization"] or {}).get("status") for check in checks}
    assert results["days_present"] == "SUCCEEDED", results
    assert results["service_level_below_target"] in ("SUCCEEDED", "FAILED"), results
