"""One refresh at a time per warehouse (orchestration/run_lock.py), with real processes holding
the lock: a second refresh waits or refuses naming the holder, a killed holder leaves no stale
lock, and both the CLI and a Dagster-launched run go through it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dagster import AssetExecutionContext, DagsterInstance, asset, materialize

from orchestration.resources import CxpipeResource
from orchestration.run_lock import RefreshInProgress, lock_path, refresh_lock

HOLDER = """
import sys, time
from pathlib import Path
from orchestration.run_lock import refresh_lock
with refresh_lock(Path(sys.argv[1]), what="cxpipe run", wait_seconds=0):
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold(warehouse: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the warehouse's refresh lock for `seconds`."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(warehouse), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    return holder


def test_the_lock_is_reentrant_in_a_process_and_released_after(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with refresh_lock(warehouse, what="cxpipe run", wait_seconds=0):
        with refresh_lock(warehouse, what="Dagster run abc of cx_refresh", wait_seconds=0):
            assert '"what": "cxpipe run"' in lock_path(warehouse).read_text()
        assert lock_path(warehouse).read_text()  # still held by the outer one
    assert lock_path(warehouse).read_text() == ""
    with refresh_lock(warehouse, what="again", wait_seconds=0):
        pass


def test_a_second_refresh_refuses_naming_the_one_that_holds_the_warehouse(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    holder = hold(warehouse, 30)
    try:
        with pytest.raises(RefreshInProgress) as refused:
            with refresh_lock(warehouse, what="second", wait_seconds=0):
                pytest.fail("the lock was taken twice")
        message = str(refused.value)
        assert f"Another refresh is writing {warehouse}: cxpipe run (pid {holder.pid} on " in message
        assert "CXPIPE_RUN_LOCK_WAIT_SECONDS" in message
        assert not warehouse.exists()
    finally:
        holder.kill()
        holder.wait()


def test_a_second_refresh_waits_for_the_first_to_finish(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    holder = hold(warehouse, 1.5)
    told = []
    began = time.monotonic()
    with refresh_lock(warehouse, what="second", wait_seconds=60, on_wait=told.append):
        waited = time.monotonic() - began
    holder.wait()
    assert 0.5 < waited < 30
    assert len(told) == 1 and "waiting up to 60 s" in told[0]


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    holder = hold(warehouse, 600)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with refresh_lock(warehouse, what="after the crash", wait_seconds=0):
        assert '"what": "after the crash"' in lock_path(warehouse).read_text()


def test_cxpipe_run_refuses_while_another_refresh_holds_the_warehouse(tmp_path, capsys, monkeypatch):
    from cxpipe.cli import main

    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    landing.mkdir()
    monkeypatch.setenv("CXPIPE_RUN_LOCK_WAIT_SECONDS", "0")
    holder = hold(warehouse, 30)
    try:
        code = main(["run", "--landing", str(landing), "--warehouse", str(warehouse),
                     "--state-dir", str(tmp_path / "state")])
    finally:
        holder.kill()
        holder.wait()
    err = capsys.readouterr().err
    assert code == 2
    assert f"cxpipe: Another refresh is writing {warehouse}: cxpipe run (pid {holder.pid}" in err
    assert not warehouse.exists() and not (tmp_path / "state").exists()


def test_a_bad_wait_setting_is_one_sentence(tmp_path, capsys, monkeypatch):
    from cxpipe.cli import main

    monkeypatch.setenv("CXPIPE_RUN_LOCK_WAIT_SECONDS", "soon")
    code = main(["run", "--landing", str(tmp_path), "--warehouse", str(tmp_path / "w.duckdb"),
                 "--state-dir", str(tmp_path / "state")])
    assert code == 2
    assert "CXPIPE_RUN_LOCK_WAIT_SECONDS='soon' is not a number of seconds" in capsys.readouterr().err


def test_a_dagster_run_fails_clearly_while_another_refresh_holds_the_warehouse(tmp_path, monkeypatch):
    """A run launched by the UI, a schedule or a sensor takes the lock through its cxpipe resource."""

    @asset
    def touches_the_warehouse(context: AssetExecutionContext, cxpipe: CxpipeResource) -> None:
        context.log.info(cxpipe.warehouse_path)

    warehouse = tmp_path / "warehouse.duckdb"
    resource = CxpipeResource(landing_dir=str(tmp_path), warehouse_path=str(warehouse), state_dir=str(tmp_path))
    monkeypatch.setenv("CXPIPE_RUN_LOCK_WAIT_SECONDS", "0")
    holder = hold(warehouse, 30)
    try:
        with DagsterInstance.ephemeral() as instance:
            result = materialize([touches_the_warehouse], resources={"cxpipe": resource}, instance=instance,
                                 raise_on_error=False)
    finally:
        holder.kill()
        holder.wait()
    assert not result.success
    failures = [str(event.event_specific_data.error) for event in result.all_events
                if event.event_type_value in ("RESOURCE_INIT_FAILURE", "STEP_FAILURE", "RUN_FAILURE")
                and getattr(event.event_specific_data, "error", None)]
    assert any(f"Another refresh is writing {warehouse}: cxpipe run (pid {holder.pid}" in text for text in failures)
    # Once the other refresh is gone, the same run goes through.
    with DagsterInstance.ephemeral() as instance:
        assert materialize([touches_the_warehouse], resources={"cxpipe": resource}, instance=instance).success
