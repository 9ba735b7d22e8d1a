"""Refreshes killed with SIGKILL (the whole process group, as a power cut or the OOM killer would)
at three points, each started again: after dlt extracted the telephony files, while dlt loads a
package into the warehouse (some tables done, others not), and in the middle of the dbt build.
The run that finally completes has every line once and marts equal to the simulator's truth, as
an uninterrupted run would (docs/reliability.md)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import query

pytestmark = pytest.mark.e2e


def _start(landing: Path, warehouse: Path, state: Path) -> tuple[subprocess.Popen, list[str]]:
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("cxpipe")), "run", "--landing", str(landing), "--warehouse",
         str(warehouse), "--timezone", "Europe/Berlin", "--state-dir", str(state), "--zendesk", "off"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    lines: list[str] = []

    def read() -> None:
        for line in process.stdout:
            lines.append(line)

    threading.Thread(target=read, daemon=True).start()
    return process, lines


def _kill_when(landing: Path, warehouse: Path, state: Path, reached: Callable[[list[str]], bool]) -> str:
    """Start a refresh and SIGKILL its process group the moment `reached(output lines)` is true."""
    process, lines = _start(landing, warehouse, state)
    deadline = time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline:
        if reached(lines):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return "".join(lines)
        time.sleep(0.005)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    pytest.fail(f"the run ended (exit {process.returncode}) before the point to kill it:\n" + "".join(lines)[-3000:])


def _packages(state: Path, stage: str) -> list[Path]:
    folder = state / "dlt" / "cxpipe_telephony" / stage
    return [p for p in folder.iterdir() if p.is_dir()] if folder.is_dir() else []


@pytest.fixture(scope="module")
def killed_and_completed(tmp_path_factory):
    from simulator import SimulationConfig, simulate

    base = tmp_path_factory.mktemp("killed")
    landing = base / "landing"
    simulate(SimulationConfig(start=date(2026, 10, 20), days=1, seed=23, site_timezone="Europe/Berlin", agents=12,
                              calls_per_day=4000, tickets_per_day=0, schedule_horizon_days=0), out_dir=landing)
    warehouse, state = base / "warehouse.duckdb", base / "state"
    outputs = {
        # 1. dlt has extracted the files into a package that is neither normalized nor loaded.
        "after extract": _kill_when(landing, warehouse, state,
                                    lambda _: bool(_packages(state, "normalize/extracted"))),
        # 2. The next run resumes that package; killed once some of its tables are in the warehouse.
        # (It first frees the writer-pool slot the killed run still held in Dagster's storage.)
        "during load": _kill_when(landing, warehouse, state, lambda _: any(
            any((package / "completed_jobs").glob("*")) for package in _packages(state, "load/normalized"))),
        # 3. The loads are done; killed while dbt builds the models.
        "during dbt": _kill_when(landing, warehouse, state,
                                 lambda lines: any(line.startswith("  built stg_") for line in lines)),
    }
    process, lines = _start(landing, warehouse, state)
    process.wait(timeout=900)
    time.sleep(0.2)
    yield landing, warehouse, outputs, process.returncode, "".join(lines)


def test_the_run_after_three_kills_succeeds(killed_and_completed):
    _, _, outputs, returncode, output = killed_and_completed
    assert returncode == 0, output[-3000:]
    assert "Loading telephony files (dlt)" in outputs["after extract"]
    assert "built stg_" in outputs["during dbt"]
    # Each restart closes the killed run in Dagster's records and frees its writer-pool slot
    # (otherwise it would wait for that slot forever).
    for restart in (outputs["during load"], outputs["during dbt"], output):
        assert "was interrupted: marked failed" in restart


def test_every_line_is_loaded_once(killed_and_completed):
    landing, warehouse, _, _, _ = killed_and_completed
    lines = sum(1 for path in (landing / "telephony" / "queue_log").iterdir() if path.is_file()
                for line in path.read_text().splitlines() if line.strip())
    loaded, distinct = query(warehouse, "select count(*), count(distinct (source_file, line_number)) "
                                        "from raw_telephony.queue_log_events")[0]
    quarantined = query(warehouse, "select count(*) from raw_telephony.quarantine "
                                   "where source_file like 'queue_log%' or source_file like '%/queue_log%'")[0][0]
    assert loaded == distinct
    assert loaded + quarantined == lines
    cdr_rows = sum(1 for path in (landing / "telephony" / "cdr").iterdir() if path.is_file()
                   for line in path.read_text().splitlines() if line.strip())
    assert query(warehouse, "select count(*), count(distinct (source_file, line_number)) "
                            "from raw_telephony.cdr_records")[0] == (cdr_rows, cdr_rows)


def test_the_marts_equal_the_truth(killed_and_completed):
    from cxpipe.verify import compare_agents_with_truth, compare_with_truth

    landing, warehouse, _, _, _ = killed_and_completed
    voice = compare_with_truth(warehouse, landing / "ground_truth")
    assert voice.matches, voice.text()
    agents = compare_agents_with_truth(warehouse, landing / "ground_truth")
    assert agents.matches, agents.text()
