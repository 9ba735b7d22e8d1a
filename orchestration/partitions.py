"""Daily partitions in the site time zone, and the days a run is for.

A partition is one site-local day (`2026-10-12`). The dbt models are partitioned: a run for the
days S..E rebuilds the incremental marts for S minus the lookback (dbt var
`incremental_lookback_days`) through E, so late events correct the days before S (D31). The
ingestion assets are not partitioned: they load whatever is new in the landing folder or the API,
whichever day it is about. The forecast and the BI snapshot are not partitioned either: they read
all history.

A run's days are its partition (`dagster/partition`) or partition range
(`dagster/asset_partition_range_start` / `_end`, one run for many days: the backfill policy of the
dbt assets is a single run)."""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from dagster import DailyPartitionsDefinition

HISTORY_START_ENV = "CXPIPE_HISTORY_START"
DEFAULT_HISTORY_START = "2020-01-01"

PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
#: Set on runs whose days were worked out from the landing files (the sensor, `cxpipe run`
#: without --start/--end) rather than asked for: a day without calls in them only warns.
DAYS_FROM_FILES_TAG = "cxpipe/days_from_files"
#: Set on runs that rebuild every incremental model from scratch (`cxpipe run --full-refresh`).
FULL_REFRESH_TAG = "cxpipe/full_refresh"


class PartitionSettingError(ValueError):
    pass


def history_start(environ: Mapping[str, str] | None = None) -> date:
    """The first day that can be a partition (CXPIPE_HISTORY_START, default 2020-01-01)."""
    env = os.environ if environ is None else environ
    text = env.get(HISTORY_START_ENV) or DEFAULT_HISTORY_START
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PartitionSettingError(f"{HISTORY_START_ENV}={text!r} is not a date like 2024-01-01.") from None


def site_timezone() -> str:
    return os.environ.get("CXPIPE_SITE_TIMEZONE") or "UTC"


def daily_partitions() -> DailyPartitionsDefinition:
    """One partition per site-local day from CXPIPE_HISTORY_START through today (end_offset=1:
    today's partition exists, for intraday refreshes)."""
    return DailyPartitionsDefinition(
        start_date=history_start().isoformat(), timezone=site_timezone(), end_offset=1
    )


def site_today(zone: str | None = None) -> date:
    return datetime.now(ZoneInfo(zone or site_timezone())).date()


@dataclass(frozen=True)
class RunDays:
    start: date
    end: date
    #: True when the days were worked out from new files (the sensor, `cxpipe run` alone).
    from_files: bool = False


def run_days(tags: Mapping[str, str]) -> RunDays | None:
    """The site-local days a run is for, from its partition tags (None: not a partitioned run)."""
    from_files = tags.get(DAYS_FROM_FILES_TAG) == "true"
    if PARTITION_TAG in tags:
        day = date.fromisoformat(tags[PARTITION_TAG])
        return RunDays(day, day, from_files)
    if RANGE_START_TAG in tags and RANGE_END_TAG in tags:
        return RunDays(date.fromisoformat(tags[RANGE_START_TAG]), date.fromisoformat(tags[RANGE_END_TAG]),
                       from_files)
    return None


def range_tags(start: date, end: date) -> dict[str, str]:
    """The tags that make a run of the refresh job cover the partitions start..end."""
    if start == end:
        return {PARTITION_TAG: start.isoformat()}
    return {RANGE_START_TAG: start.isoformat(), RANGE_END_TAG: end.isoformat()}


def clamp_days(days: list[date], today: date, first: date | None = None) -> tuple[date, date] | None:
    """The partition range covering `days`, cut to the partitions that exist (history start
    through today): a schedule published for next week touches no partition yet. None when no
    day is left."""
    first = first or history_start()
    inside = [day for day in days if first <= day <= today]
    if not inside:
        return None
    return min(inside), max(inside)


LOOKBACK_ENV = "CXPIPE_LOOKBACK_DAYS"


def lookback_days() -> int:
    """Days before a run's first day that the incremental marts rebuild too: CXPIPE_LOOKBACK_DAYS,
    else the dbt var incremental_lookback_days (macro day_window reads the same two)."""
    from orchestration.kpi_settings import kpi_vars

    text = os.environ.get(LOOKBACK_ENV) or str(kpi_vars().get("incremental_lookback_days", 0))
    try:
        days = int(text)
    except ValueError:
        raise PartitionSettingError(f"{LOOKBACK_ENV}={text!r} is not a whole number of days.") from None
    if days < 0:
        raise PartitionSettingError(f"{LOOKBACK_ENV}={text!r} must be 0 or more.")
    return days


def window_environment_variables(days: RunDays) -> dict[str, str]:
    """The days of a run for dbt (macro day_window subtracts the lookback)."""
    return {"CXPIPE_WINDOW_START": days.start.isoformat(), "CXPIPE_WINDOW_END": days.end.isoformat()}


def checked_day(tags: Mapping[str, str], days_with_data: "set[date] | list[date]", today: date) -> date | None:
    """The day a daily check or alert looks at: the run's last day when it was asked for and is
    over. Else (today's partition; days worked out from file names) the latest complete day: the
    latest day with data is taken to be still filling (files cut at UTC midnight hold the first
    hours of the next site-local day), so the day before it, not after the run's last day and
    before today. None when there is no such day."""
    days = run_days(tags)
    if days is not None and not days.from_files and days.end < today:
        return days.end
    if not days_with_data:
        return None
    filling = max(days_with_data)
    past = [day for day in days_with_data
            if day < today and day < filling and (days is None or day <= days.end)]
    return max(past) if past else None
