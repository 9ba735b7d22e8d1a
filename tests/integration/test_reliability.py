"""Reliability with real processes (docs/reliability.md): two refreshes started at once on the
same deployment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import copy_fixture, query

KPI_COLUMNS = "queue_name, report_date, offered, answered, abandoned, answered_within_sl, handle_seconds"
# The hand-counted day of tests/integration/test_handmade_queue_log.py (queue, offered, answered,
# abandoned, answered within the threshold, handle seconds).
HAND_COUNTED = [("billing", 1, 0, 0, 0, 0.0), ("sales", 1, 1, 0, 1, 70.0), ("support", 7, 3, 2, 2, 480.0)]


def _cxpipe_run(landing: Path, warehouse: Path, state: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("cxpipe")), "run", "--landing", str(landing), "--warehouse",
         str(warehouse), "--timezone", "Europe/Berlin", "--state-dir", str(state)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )


def test_two_refreshes_started_at_once_run_one_after_the_other(tmp_path):
    """Both `cxpipe run`s succeed: the second waits for the first (and says so), then finds
    nothing new. Every line is loaded once and the marts are those of one run."""
    landing = copy_fixture("handmade", tmp_path / "landing")
    warehouse, state = tmp_path / "warehouse.duckdb", tmp_path / "state"
    env = {**os.environ, "CXPIPE_RUN_LOCK_WAIT_SECONDS": "600"}
    runs = [_cxpipe_run(landing, warehouse, state, env) for _ in range(2)]
    outputs = [run.communicate(timeout=900)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], "\n".join(outputs)[-4000:]
    waited = [output for output in outputs if "Another refresh is writing" in output]
    assert len(waited) == 1 and "waiting up to 600 s" in waited[0], outputs

    lines = (landing / "telephony" / "queue_log" / "queue_log-20261012").read_text().splitlines()
    loaded = query(warehouse, "select count(*), count(distinct (source_file, line_number)) "
                              "from raw_telephony.queue_log_events")[0]
    quarantined = query(warehouse, "select count(*) from raw_telephony.quarantine "
                                   "where source_file like '%queue_log%'")[0][0]
    assert loaded[0] == loaded[1] and loaded[0] + quarantined == len([line for line in lines if line.strip()])
    # The hand-counted day, once.
    marts = query(warehouse, f"select {KPI_COLUMNS} from marts.kpi_queue_daily order by 1")
    assert [(row[0], *row[2:]) for row in marts] == HAND_COUNTED


def _mount_tmpfs(path: Path, options: str) -> bool:
    """A small file system of our own (root only); False where mounting is not allowed."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                          capture_output=True).returncode == 0



def test_a_full_disk_is_named_and_the_next_run_loses_nothing(tmp_path):
    """The warehouse's disk fills up during the load: the run fails saying which file could not be
    written and what to do. With space again, the next run loads every line once and the marts
    are the hand-counted day."""
    import pytest

    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, "size=3m"):
        pytest.skip("needs root to mount a small file system")
    try:
        landing = copy_fixture("handmade", tmp_path / "landing")
        warehouse, state = disk / "warehouse.duckdb", tmp_path / "state"
        first = _cxpipe_run(landing, warehouse, state, dict(os.environ))
        output = first.communicate(timeout=600)[0]
        assert first.returncode == 1, output[-3000:]
        assert f"cannot write {warehouse}.wal: no space left on the device; free some space" in output, output[-3000:]

        subprocess.run(["mount", "-o", "remount,size=256m", str(disk)], check=True)
        second = _cxpipe_run(landing, warehouse, state, dict(os.environ))
        output = second.communicate(timeout=600)[0]
        assert second.returncode == 0, output[-3000:]
        loaded = query(warehouse, "select count(*), count(distinct (source_file, line_number)) "
                                  "from raw_telephony.queue_log_events")[0]
        assert loaded == (23, 23)
        marts = query(warehouse, f"select {KPI_COLUMNS} from marts.kpi_queue_daily order by 1")
        assert [(row[0], *row[2:]) for row in marts] == HAND_COUNTED
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def test_a_folder_the_pipeline_may_not_write_is_named():
    """Run as an unprivileged user with the warehouse in a folder that user may not write: one
    sentence naming the path and what to do, before anything is loaded."""
    import shutil
    import tempfile

    import pytest

    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root to run the CLI as another user")
    # Outside pytest's temporary folders, which only their owner may enter.
    base = Path(tempfile.mkdtemp(prefix="cxpipe-permissions-"))
    (base / "landing").mkdir()
    (base / "locked").mkdir()
    for folder in (base, base / "landing"):
        folder.chmod(0o777)
    (base / "locked").chmod(0o555)  # owned by root: others may not create files in it
    warehouse = base / "locked" / "warehouse.duckdb"
    result = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
         str(Path(sys.executable).with_name("cxpipe")), "run", "--landing", str(base / "landing"),
         "--warehouse", str(warehouse), "--state-dir", str(base / "state")],
        capture_output=True, text=True, timeout=300, env={**os.environ, "HOME": str(base)},
    )
    shutil.rmtree(base, ignore_errors=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.strip() == (
        f"cxpipe: cannot use {warehouse}.run.lock: permission denied; let the user running the pipeline read "
        "and write there (or point CXPIPE_LANDING_DIR / CXPIPE_WAREHOUSE / CXPIPE_STATE_DIR / CXPIPE_SNAPSHOT_DIR "
        "elsewhere)")
