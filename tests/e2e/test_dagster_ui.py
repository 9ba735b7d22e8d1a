"""`cxpipe ui` serves the Dagster UI on 127.0.0.1 with the whole asset graph, and a run launched
from it (as a data engineer would, here through the UI's GraphQL API) succeeds. The server runs
in its own process group, which is ended whatever happens."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

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


def test_ui_shows_the_graph_and_runs_the_job(ui_server):
    port = ui_server
    nodes = _graphql(port, "{ assetNodes { assetKey { path } } }")["assetNodes"]
    keys = {"/".join(node["assetKey"]["path"]) for node in nodes}
    assert {"raw/telephony/queue_log_events", "fct_queue_calls", "kpi_queue_daily", "kpi_queue_interval"} <= keys

    launched = _graphql(port, """
        mutation($p: ExecutionParams!) { launchRun(executionParams: $p) {
          __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }""",
        {"p": {"selector": {"repositoryLocationName": "orchestration.definitions",
                            "repositoryName": "__repository__", "jobName": "cx_refresh"},
               # The job's own executor (in-process), as a user launching it from the UI gets it.
               "runConfigData": {}}})["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    deadline = time.monotonic() + 300
    status = None
    while time.monotonic() < deadline:
        status = _graphql(port, "query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }",
                          {"id": run_id})["runOrError"]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(2)
    if status != "SUCCESS":
        events = _graphql(port, """
            query($id: ID!) { logsForRun(runId: $id) { ... on EventConnection { events {
              __typename ... on ExecutionStepFailureEvent { stepKey error { message } } } } } }""",
            {"id": run_id})["logsForRun"]["events"]
        failures = [f"{e['stepKey']}: {e['error']['message'][:500]}" for e in events if e.get("error")]
        pytest.fail(f"the run ended {status}: " + " | ".join(failures))
