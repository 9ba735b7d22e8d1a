"""Time helpers: integer epoch seconds in, site-local days and UTC text out.

The simulation clock is an integer Unix epoch (seconds, UTC), so what the files say is exactly
what the ground truth uses. The site's time zone only enters through these helpers, which use
zoneinfo so that days with a daylight-saving change have 23 or 25 hours.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

UTC = UTC
_EPOCH_DAY0 = date(1970, 1, 1)


def local_wall_epoch(day: date, minute_of_day: int, tz: ZoneInfo) -> int:
    """Epoch of a site-local wall-clock time (`minute_of_day` may reach 1440 = next midnight).

    A wall time that does not exist (the hour skipped in spring) resolves as zoneinfo does with
    fold=0, i.e. to the instant one hour later on the wall clock.
    """
    day = day + timedelta(days=minute_of_day // 1440)
    minute_of_day %= 1440
    local = datetime(day.year, day.month, day.day, minute_of_day // 60, minute_of_day % 60, tzinfo=tz)
    return int(local.timestamp())


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[int, int]:
    """[start, end) epochs of a site-local day: 86400 s, or 82800 / 90000 s on DST days."""
    return local_wall_epoch(day, 0, tz), local_wall_epoch(day + timedelta(days=1), 0, tz)


def local_datetime(epoch: int, tz: ZoneInfo) -> datetime:
    """Aware site-local datetime of an epoch (with the right `fold` in the repeated hour)."""
    return datetime.fromtimestamp(epoch, tz)


def interval_floor(epoch: int, tz: ZoneInfo, minutes: int) -> tuple[datetime, int]:
    """Site-local interval containing `epoch`: (aware local start, start epoch).

    The floor is taken on the local wall clock, so on the autumn DST day the local interval
    02:00 exists twice with two different UTC instants.
    """
    local = datetime.fromtimestamp(epoch, tz)
    minute_of_day = (local.hour * 60 + local.minute) // minutes * minutes
    start = local.replace(hour=minute_of_day // 60, minute=minute_of_day % 60, second=0, microsecond=0)
    return start, int(start.timestamp())


@lru_cache(maxsize=4096)
def _utc_date(day_number: int) -> date:
    return _EPOCH_DAY0 + timedelta(days=day_number)


@lru_cache(maxsize=4096)
def utc_day_label(day_number: int) -> str:
    """'YYYYMMDD' of a UTC day number (epoch // 86400), used in rotated file names."""
    return _utc_date(day_number).strftime("%Y%m%d")


@lru_cache(maxsize=4096)
def _utc_date_text(day_number: int) -> str:
    return _utc_date(day_number).isoformat()


def _clock_text(epoch: int) -> str:
    seconds = epoch % 86400
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def iso_utc(epoch: int) -> str:
    """'2026-10-12T06:58:02Z'."""
    return f"{_utc_date_text(epoch // 86400)}T{_clock_text(epoch)}Z"


def sql_utc(epoch: int) -> str:
    """'2026-10-12 06:58:02' (UTC), the CDR timestamp form."""
    return f"{_utc_date_text(epoch // 86400)} {_clock_text(epoch)}"
