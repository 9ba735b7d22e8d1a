"""Rows loaded since the last build widen the incremental window to their days, and a changed
time zone or dbt project makes the next build a full one (orchestration/late_data.py, D31)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb

from orchestration.late_data import (
    Window,
    build_fingerprint,
    full_refresh_reason,
    record_build,
    run_window,
)

PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"


def _warehouse(path: Path, rows: list[tuple[str, str]], marts: bool = True) -> None:
    """raw_telephony with queue_log rows (UTC instant, load id), its loads, and a built mart."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw_telephony")
        con.execute("create table raw_telephony.queue_log_events (event_at timestamptz, _dlt_load_id varchar)")
        con.execute("create table raw_telephony._dlt_loads (load_id varchar, status bigint)")
        for at, load_id in rows:
            con.execute("insert into raw_telephony.queue_log_events values (cast(? as timestamptz), ?)", [at, load_id])
        for load_id in sorted({load_id for _, load_id in rows}):
            con.execute("insert into raw_telephony._dlt_loads values (?, 0)", [load_id])
        if marts:
            con.execute("create schema marts")
            con.execute("create table marts.fct_queue_calls (report_date date)")


def test_the_first_build_widens_nothing(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    day = date(2026, 10, 20)
    assert run_window(day, day, str(warehouse), "UTC") == Window(day, day, None, None)
    _warehouse(warehouse, [("2026-10-01 10:00:00+00", "1790000000.5")])
    assert run_window(day, day, str(warehouse), "UTC") == Window(day, day, "1790000000.5", None)


def test_rows_loaded_after_the_build_reach_back_and_forward_to_their_site_local_days(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    # Load 2 brings a line of 2026-10-03 22:30 UTC (the 4th in Berlin, the 3rd in Chicago) and one
    # of 2026-10-25. Load ids compare as numbers ("999..." sorts after "1790..." as text).
    _warehouse(warehouse, [("2026-10-01 10:00:00+00", "999999999.1"),
                           ("2026-10-03 22:30:00+00", "1790000000.5"),
                           ("2026-10-25 08:00:00+00", "1790000000.5")])
    record_build(str(warehouse), "999999999.1", "f")
    day = date(2026, 10, 20)
    window = run_window(day, day, str(warehouse), "Europe/Berlin")
    assert window == Window(date(2026, 10, 3), date(2026, 10, 25), "1790000000.5",
                            (date(2026, 10, 4), date(2026, 10, 25)))
    assert run_window(day, day, str(warehouse), "America/Chicago").start == date(2026, 10, 2)
    # A backfill of September that loads the late file still builds the late file's days.
    september = run_window(date(2026, 9, 1), date(2026, 9, 5), str(warehouse), "UTC")
    assert (september.start, september.end) == (date(2026, 9, 1), date(2026, 10, 25))
    # Once the build succeeded, the same rows widen nothing.
    record_build(str(warehouse), window.load_id, "f")
    assert run_window(day, day, str(warehouse), "UTC") == Window(day, day, "1790000000.5", None)


def test_a_changed_time_zone_or_project_makes_a_full_refresh(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    _warehouse(warehouse, [("2026-10-01 10:00:00+00", "1790000000.5")], marts=False)
    berlin = build_fingerprint("Europe/Berlin", PROJECT)
    assert full_refresh_reason(str(warehouse), berlin) is None  # no mart yet: the build is full anyway
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_queue_calls (report_date date)")
    assert "before the build fingerprint" in full_refresh_reason(str(warehouse), berlin)
    record_build(str(warehouse), "1790000000.5", berlin)
    assert full_refresh_reason(str(warehouse), berlin) is None
    assert "time zone" in full_refresh_reason(str(warehouse), build_fingerprint("UTC", PROJECT))
    # A changed var (or model, macro, seed) changes the fingerprint too.
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    before = build_fingerprint("Europe/Berlin", project)
    path = project / "dbt_project.yml"
    path.write_text(path.read_text().replace("interval_minutes: 15", "interval_minutes: 30"))
    assert build_fingerprint("Europe/Berlin", project) != before
