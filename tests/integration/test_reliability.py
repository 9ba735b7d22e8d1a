"""Reliability with real processes (docs/reliability.md): two refreshes started at once on the
same deployment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import copy_fixture, query

KPI_COLUMNS = "queue_name, report_date, offered, answered, abandoned, answered_within_sl, handle_seconds"


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
    # The hand-counted day of tests/integration/test_handmade_queue_log.py, once.
    marts = query(warehouse, f"select {KPI_COLUMNS} from marts.kpi_queue_daily order by 1")
    assert [(row[0], *row[2:]) for row in marts] == [
        ("billing", 1, 0, 0, 0, 0.0), ("sales", 1, 1, 0, 1, 70.0), ("support", 7, 3, 2, 2, 480.0)]
