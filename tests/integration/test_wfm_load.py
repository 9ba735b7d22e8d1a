"""Offline dlt loads of the WFM schedule source (docs/source_formats.md "WFM schedules") from a
small hand-written fixture (tests/fixtures/wfm/landing/wfm/schedule-20261025.csv, the autumn DST
day in Europe/Berlin):

- lines 2-6: 5 good segments (1001's shift with a break, 1002's night shift across the DST change,
  1003's training written in lower case)
- lines 7-13: 7 bad lines, one per quarantine rule (the last one has a phone number in a name)
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ingestion.pipelines import make_pipeline
from ingestion.wfm import wfm
from models.workforce import SCHEDULE_ACTIVITY_COLUMNS
from tests.conftest import FIXTURES

WFM_LANDING = FIXTURES / "wfm" / "landing"
SCHEDULE = "wfm/schedule-20261025.csv"
UTC = dt.UTC

EXPECTED_QUARANTINE = {
    7: "start_at '2026-10-25T08:00:00' has no UTC offset",
    8: "end_at 2026-10-25T09:00:00+01:00 is not after start_at 2026-10-25T10:00:00+01:00",
    9: "schedule_date '25.10.2026' is not a date (YYYY-MM-DD)",
    10: "agent_id is empty",
    11: "is longer than 24 hours",
    12: "expected 7 fields, got 6",
    13: "activity is empty",
}


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    target = tmp_path / "landing"
    shutil.copytree(WFM_LANDING, target)
    return target


@pytest.fixture
def load(tmp_path: Path) -> Callable[[Path], Any]:
    def run(landing_dir: Path) -> Any:
        pipeline = make_pipeline(
            tmp_path / "warehouse.duckdb", tmp_path / "pipelines",
            pipeline_name="cxpipe_wfm", dataset_name="raw_wfm", progress=None,
        )  # fmt: skip
        info = pipeline.run(wfm(landing_dir=str(landing_dir)))
        info.raise_on_failed_jobs()
        return info

    return run


def test_good_segments_load_typed_in_utc_and_bad_lines_are_quarantined(
    landing: Path, load: Callable[[Path], Any], sql: Any
) -> None:
    load(landing)
    columns = [r[0] for r in sql("describe raw_wfm.schedule_activities")]
    assert columns == [*SCHEDULE_ACTIVITY_COLUMNS, "_dlt_load_id"]
    rows = sql(
        "select line_number, agent_id, team, schedule_date, activity, start_at, end_at "
        "from raw_wfm.schedule_activities order by line_number"
    )
    assert [r[0] for r in rows] == [2, 3, 4, 5, 6]
    assert rows[0][1:] == (
        "1001", "Team A", dt.date(2026, 10, 25), "WORK",
        dt.datetime(2026, 10, 25, 6, 0, tzinfo=UTC), dt.datetime(2026, 10, 25, 8, 0, tzinfo=UTC),
    )  # fmt: skip
    # The night shift starts in summer time and ends in winter time: 9.5 hours, not 8.5.
    night = rows[3]
    assert night[5:] == (dt.datetime(2026, 10, 24, 20, 0, tzinfo=UTC), dt.datetime(2026, 10, 25, 5, 30, tzinfo=UTC))
    assert rows[4][4] == "TRAINING"

    quarantined = sql("select source, source_file, line_number, raw_text, reason from raw_wfm.quarantine")
    assert {r[2] for r in quarantined} == set(EXPECTED_QUARANTINE)
    for source, source_file, line, raw_text, reason in quarantined:
        assert (source, source_file) == ("wfm.schedules", SCHEDULE)
        assert EXPECTED_QUARANTINE[line] in reason, (line, reason)
        assert "1234567" not in raw_text, "a number in a quarantined line is shown scrubbed"


def test_a_second_run_loads_nothing_and_a_republished_file_is_read_whole(
    landing: Path, load: Callable[[Path], Any], sql: Any
) -> None:
    load(landing)
    load(landing)
    assert sql("select count(*) from raw_wfm.schedule_activities")[0][0] == 5
    assert sql("select count(*) from raw_wfm.quarantine")[0][0] == 7

    # The WFM tool publishes the day again: 1001 now works 08:00-12:00 (a complete export).
    path = landing / SCHEDULE
    path.write_text(
        "agent_id,agent_name,team,schedule_date,activity,start_at,end_at\n"
        "1001,Ada Moreno,Team A,2026-10-25,WORK,2026-10-25T08:00:00+01:00,2026-10-25T12:00:00+01:00\n"
    )
    later = time.time() + 5
    os.utime(path, (later, later))
    load(landing)
    loads = sql(
        "select _dlt_load_id, count(*) from raw_wfm.schedule_activities group by 1 order by 1"
    )
    assert [n for _, n in loads] == [5, 1]
    assert sql("select count(*) from raw_wfm.quarantine")[0][0] == 7
