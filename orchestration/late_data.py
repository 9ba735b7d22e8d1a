"""How far back the rows loaded since the last dbt build reach (D31).

The incremental marts rebuild the run's days and the lookback before them. Rows can be older than
that: history loaded from files without a date in their name (Asterisk's live `queue_log`, its
rotated copies), a file delivered weeks late. Before dbt runs, the dbt asset asks which site-local
days the telephony rows loaded since its last successful build belong to, and widens the window
back to the earliest of them. The mark is the latest dlt load id the build saw, kept in the
warehouse (`cxpipe_state.incremental_watermark`), so the answer does not depend on file names.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb

STATE_SCHEMA = "cxpipe_state"
WATERMARK_TABLE = f"{STATE_SCHEMA}.incremental_watermark"
#: The raw tables the incremental marts are built from, with their event time.
EVENT_TIMES = {
    "raw_telephony.queue_log_events": "event_at",
    "raw_telephony.cdr_records": "start_at",
    "raw_telephony.agent_state_events": "started_at",
}
LOADS_TABLE = "raw_telephony._dlt_loads"


def _exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, table = qualified.split(".")
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table]).fetchone()[0])


def latest_load_id(con: duckdb.DuckDBPyConnection) -> str | None:
    """The latest completed telephony load (dlt load ids are epoch seconds as text)."""
    if not _exists(con, LOADS_TABLE):
        return None
    row = con.execute(
        f"select load_id from {LOADS_TABLE} where status = 0 order by cast(load_id as double) desc limit 1"
    ).fetchone()
    return row[0] if row else None


def watermark(con: duckdb.DuckDBPyConnection) -> str | None:
    """The latest load the last successful build saw (None: no build recorded yet)."""
    if not _exists(con, WATERMARK_TABLE):
        return None
    row = con.execute(f"select load_id from {WATERMARK_TABLE}").fetchone()
    return row[0] if row else None


def earliest_new_day(con: duckdb.DuckDBPyConnection, since_load_id: str, site_timezone: str) -> date | None:
    """The earliest site-local day of the telephony rows loaded after `since_load_id`."""
    days = []
    for table, column in EVENT_TIMES.items():
        if not _exists(con, table):
            continue
        day = con.execute(
            f"select min(cast(timezone(?, {column}) as date)) from {table} "
            "where cast(_dlt_load_id as double) > cast(? as double)",
            [site_timezone, since_load_id],
        ).fetchone()[0]
        if day is not None:
            days.append(day)
    return min(days) if days else None


def window_start(run_start: date, warehouse: str, site_timezone: str) -> tuple[date, str | None, date | None]:
    """The first day dbt should treat as the run's (before the lookback): the run's first day, or
    the day before the earliest newly loaded row when that is earlier (the day before: a call that
    entered before midnight and ended after it belongs to the earlier day). Returns that day, the
    load id to record after a successful build, and the earliest new day (None: nothing older)."""
    if not Path(warehouse).exists():
        return run_start, None, None
    with duckdb.connect(warehouse, read_only=True) as con:
        latest = latest_load_id(con)
        seen = watermark(con)
        earliest = earliest_new_day(con, seen, site_timezone) if seen is not None and latest is not None else None
    if earliest is None or earliest - timedelta(days=1) >= run_start:
        return run_start, latest, earliest
    return earliest - timedelta(days=1), latest, earliest


def record_watermark(warehouse: str, load_id: str | None) -> None:
    """After a successful build: the loads up to `load_id` are in the marts."""
    if load_id is None:
        return
    with duckdb.connect(warehouse) as con:
        con.execute(f"create schema if not exists {STATE_SCHEMA}")
        con.execute(f"create or replace table {WATERMARK_TABLE} as "
                    "select ? as load_id, current_timestamp as recorded_at", [load_id])
