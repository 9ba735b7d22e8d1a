"""How far back the rows loaded since the last dbt build reach (D31).

The incremental marts rebuild the run's days and the lookback before them. Rows can be older than
that: history loaded from files without a date in their name (Asterisk's live `queue_log`, its
rotated copies), a file delivered weeks late, a late file loaded by a backfill of other days.
Before dbt runs, the dbt asset asks which site-local days the telephony rows loaded since its last
successful build belong to, and widens the window to cover them. The mark is the latest dlt load
id the build saw, kept in the warehouse (`cxpipe_state.incremental_build`), so the answer does not
depend on file names. The same
table keeps a fingerprint of what the marts were built with (site time zone, dbt project): when it
changes, the next build is a full one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

STATE_SCHEMA = "cxpipe_state"
BUILD_TABLE = f"{STATE_SCHEMA}.incremental_build"
#: An incremental mart: when it exists, the marts have been built before.
INCREMENTAL_PROBE = "marts.fct_queue_calls"
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
    if not _exists(con, BUILD_TABLE):
        return None
    row = con.execute(f"select load_id from {BUILD_TABLE}").fetchone()
    return row[0] if row else None


def new_days(con: duckdb.DuckDBPyConnection, since_load_id: str, site_timezone: str) -> tuple[date, date] | None:
    """The earliest and the latest site-local day of the telephony rows loaded after
    `since_load_id` (None: no such row)."""
    firsts, lasts = [], []
    for table, column in EVENT_TIMES.items():
        if not _exists(con, table):
            continue
        first, last = con.execute(
            f"select min(cast(timezone(?, {column}) as date)), max(cast(timezone(?, {column}) as date)) "
            f"from {table} where cast(_dlt_load_id as double) > cast(? as double)",
            [site_timezone, site_timezone, since_load_id],
        ).fetchone()
        if first is not None:
            firsts.append(first)
            lasts.append(last)
    return (min(firsts), max(lasts)) if firsts else None


@dataclass(frozen=True)
class Window:
    """The days dbt treats as the run's (before the lookback), the load id to record after a
    successful build, and the days of the rows loaded since the last build (None: none)."""

    start: date
    end: date
    load_id: str | None
    new_rows: tuple[date, date] | None


def run_window(run_start: date, run_end: date, warehouse: str, site_timezone: str) -> Window:
    """The run's days, widened to cover the telephony rows loaded since the last build: back to
    the day before the earliest of them (a call that entered before midnight and ended after it
    belongs to the earlier day), and on to the latest of them (a late file for a day after a
    backfilled range), but never past today."""
    if not Path(warehouse).exists():
        return Window(run_start, run_end, None, None)
    with duckdb.connect(warehouse, read_only=True) as con:
        latest = latest_load_id(con)
        seen = watermark(con)
        days = new_days(con, seen, site_timezone) if seen is not None and latest is not None else None
    if days is None:
        return Window(run_start, run_end, latest, None)
    today = datetime.now(ZoneInfo(site_timezone)).date()
    start = min(run_start, days[0] - timedelta(days=1))
    end = max(run_end, min(days[1], today))
    return Window(start, end, latest, days)
def build_fingerprint(site_timezone: str, project_dir: Path) -> str:
    """What the incremental marts' past rows were computed with: the site time zone and the dbt
    project (models, macros, seeds, dbt_project.yml with its vars). When it changes, the rows
    outside the window would keep the old rules (or the old days: a new time zone moves calls to
    other dates, and a day window would then hold them twice), so the next build is a full one."""
    digest = hashlib.sha256(site_timezone.encode())
    files = [project_dir / "dbt_project.yml"]
    for folder in ("models", "macros", "seeds"):
        files.extend(sorted(path for path in (project_dir / folder).rglob("*") if path.is_file()))
    for path in files:
        digest.update(path.relative_to(project_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def full_refresh_reason(warehouse: str, fingerprint: str) -> str | None:
    """Why the next build must be a full one (None: an incremental build is right)."""
    if not Path(warehouse).exists():
        return None
    with duckdb.connect(warehouse, read_only=True) as con:
        if not _exists(con, INCREMENTAL_PROBE):
            return None  # the first build builds everything anyway
        if not _exists(con, BUILD_TABLE):
            return "the marts were built before the build fingerprint was kept"
        row = con.execute(f"select fingerprint from {BUILD_TABLE}").fetchone()
    if row is None or row[0] != fingerprint:
        return "the site time zone or the dbt project (models, macros, seeds, vars) changed since the last build"
    return None


def record_build(warehouse: str, load_id: str | None, fingerprint: str) -> None:
    """After a successful build of every incremental mart: the loads up to `load_id` are in the
    marts, built with `fingerprint`."""
    with duckdb.connect(warehouse) as con:
        con.execute(f"create schema if not exists {STATE_SCHEMA}")
        con.execute(f"create or replace table {BUILD_TABLE} as "
                    "select ? as load_id, ? as fingerprint, current_timestamp as built_at", [load_id, fingerprint])
