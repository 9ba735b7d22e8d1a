"""Rows loaded since the last build widen the incremental window back to their day (D31)."""

from __future__ import annotations

from datetime import date

import duckdb

from orchestration.late_data import record_watermark, window_start


def _warehouse(path, rows):
    """raw_telephony with queue_log rows (site-local instant text in UTC, load id) and the loads."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw_telephony")
        con.execute("create table raw_telephony.queue_log_events (event_at timestamptz, _dlt_load_id varchar)")
        con.execute("create table raw_telephony._dlt_loads (load_id varchar, status bigint)")
        for at, load_id in rows:
            con.execute("insert into raw_telephony.queue_log_events values (cast(? as timestamptz), ?)", [at, load_id])
        for load_id in sorted({load_id for _, load_id in rows}):
            con.execute("insert into raw_telephony._dlt_loads values (?, 0)", [load_id])


def test_the_first_build_records_the_mark_and_widens_nothing(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    assert window_start(date(2026, 10, 20), str(warehouse), "UTC") == (date(2026, 10, 20), None, None)
    _warehouse(warehouse, [("2026-10-01 10:00:00+00", "1790000000.5")])
    start, load_id, earliest = window_start(date(2026, 10, 20), str(warehouse), "UTC")
    assert (start, load_id, earliest) == (date(2026, 10, 20), "1790000000.5", None)
    record_watermark(str(warehouse), load_id)


def test_rows_loaded_after_the_mark_reach_back_to_their_site_local_day(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    # Load 2 brings a line of 2026-10-03 22:30 UTC: the 4th in Berlin, the 3rd in Chicago. The
    # mark compares load ids as numbers ("999..." sorts after "1790..." as text).
    _warehouse(warehouse, [("2026-10-01 10:00:00+00", "999999999.1"),
                           ("2026-10-03 22:30:00+00", "1790000000.5"),
                           ("2026-10-20 08:00:00+00", "1790000000.5")])
    record_watermark(str(warehouse), "999999999.1")
    start, load_id, earliest = window_start(date(2026, 10, 20), str(warehouse), "Europe/Berlin")
    assert (start, load_id, earliest) == (date(2026, 10, 3), "1790000000.5", date(2026, 10, 4))
    assert window_start(date(2026, 10, 20), str(warehouse), "America/Chicago")[0] == date(2026, 10, 2)
    # A run for days before the new rows keeps its own start.
    assert window_start(date(2026, 9, 1), str(warehouse), "UTC")[0] == date(2026, 9, 1)
    # Once the build succeeded, the same rows widen nothing.
    record_watermark(str(warehouse), load_id)
    assert window_start(date(2026, 10, 20), str(warehouse), "UTC") == (date(2026, 10, 20), load_id, None)
