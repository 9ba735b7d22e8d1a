"""Business hours: weekly schedules in their own time zone, holidays, and business time.

A schedule is what Zendesk serves (`intervals` in minutes from Sunday 00:00 of the schedule's
week, in its own time zone, and holidays as inclusive local dates). `BusinessClock` turns one into
its open windows as Unix epochs over a span of days, DST-correct (each local day's windows are
placed with zoneinfo, so a day with a clock change is 23 or 25 hours long and 08:00 stays 08:00),
and answers the two questions the simulation and the truth ask: how many open seconds lie between
two instants, and when a given amount of open time has passed.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from simulator.clock import local_wall_epoch

MINUTES_PER_WEEK = 7 * 1440

#: Zendesk (Rails) names of common IANA zones; a zone missing here is served by its IANA name,
#: which the pipeline also accepts (docs/helpdesk_api.md).
RAILS_TIME_ZONES = {
    "UTC": "UTC", "Etc/UTC": "UTC",
    "Europe/Berlin": "Berlin", "Europe/London": "London", "Europe/Paris": "Paris",
    "Europe/Madrid": "Madrid", "Europe/Rome": "Rome", "Europe/Amsterdam": "Amsterdam",
    "Europe/Vienna": "Vienna", "Europe/Zurich": "Zurich", "Europe/Stockholm": "Stockholm",
    "Europe/Warsaw": "Warsaw", "Europe/Lisbon": "Lisbon", "Europe/Dublin": "Dublin",
    "Europe/Helsinki": "Helsinki", "Europe/Athens": "Athens", "Europe/Istanbul": "Istanbul",
    "America/New_York": "Eastern Time (US & Canada)", "America/Chicago": "Central Time (US & Canada)",
    "America/Denver": "Mountain Time (US & Canada)", "America/Los_Angeles": "Pacific Time (US & Canada)",
    "America/Sao_Paulo": "Brasilia", "Asia/Tokyo": "Tokyo", "Asia/Singapore": "Singapore",
    "Asia/Kolkata": "New Delhi", "Australia/Sydney": "Sydney",
}


def rails_time_zone(iana: str) -> str:
    """The Zendesk time zone name of an IANA zone (the IANA name itself when unknown)."""
    return RAILS_TIME_ZONES.get(iana, iana)


@dataclass(frozen=True)
class Holiday:
    """A closed period of a schedule: local dates, both inclusive."""

    id: int
    name: str
    start_date: date
    end_date: date

    def covers(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date


@dataclass(frozen=True)
class Schedule:
    """Weekly open hours in one time zone. `intervals`: (start, end) minutes from Sunday 00:00."""

    id: int
    name: str
    timezone: str
    intervals: tuple[tuple[int, int], ...]
    holidays: tuple[Holiday, ...] = ()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_holiday(self, day: date) -> bool:
        return any(h.covers(day) for h in self.holidays)

    def day_windows(self, day: date) -> list[tuple[int, int]]:
        """Open windows of one local date as [start, end) epochs (none on a holiday)."""
        if self.is_holiday(day):
            return []
        tz = self.tz
        week_start = (day.weekday() + 1) % 7 * 1440          # Sunday = 0 in Zendesk's week
        windows = []
        for start, end in self.intervals:
            lo, hi = max(start, week_start), min(end, week_start + 1440)
            if lo < hi:
                windows.append((local_wall_epoch(day, lo - week_start, tz),
                                local_wall_epoch(day, hi - week_start, tz)))
        return windows


def weekly_intervals(days: range, open_minute: int, close_minute: int) -> tuple[tuple[int, int], ...]:
    """Zendesk intervals for the same hours on some weekdays (0 = Monday)."""
    return tuple(((d + 1) % 7 * 1440 + open_minute, (d + 1) % 7 * 1440 + close_minute) for d in days)


class BusinessClock:
    """A schedule's open windows as epochs from `first_day` to `last_day` (local dates).

    Queries outside that span see no open time; the simulation builds the clock with margins
    around the simulated period.
    """

    def __init__(self, schedule: Schedule, first_day: date, last_day: date) -> None:
        self.schedule = schedule
        starts: list[int] = []
        ends: list[int] = []
        day = first_day
        while day <= last_day:
            for start, end in schedule.day_windows(day):
                if ends and start <= ends[-1]:               # touching windows merge
                    ends[-1] = max(ends[-1], end)
                else:
                    starts.append(start)
                    ends.append(end)
            day += timedelta(days=1)
        self.starts = starts
        self.ends = ends
        self.cumulative = [0]                               # open seconds before window i
        for start, end in zip(starts, ends, strict=True):
            self.cumulative.append(self.cumulative[-1] + end - start)

    def _open_before(self, epoch: int) -> int:
        i = bisect.bisect_right(self.starts, epoch) - 1
        if i < 0:
            return 0
        return self.cumulative[i] + min(epoch, self.ends[i]) - self.starts[i]

    def seconds_between(self, start: int, end: int) -> int:
        """Open seconds in [start, end) (0 when end <= start)."""
        if end <= start:
            return 0
        return self._open_before(end) - self._open_before(start)

    def is_open(self, epoch: int) -> bool:
        i = bisect.bisect_right(self.starts, epoch) - 1
        return i >= 0 and epoch < self.ends[i]

    def after(self, start: int, seconds: int) -> int | None:
        """The instant at which `seconds` (> 0) of open time have passed since `start`.

        None when the clock's span ends first.
        """
        target = self._open_before(start) + seconds
        i = bisect.bisect_left(self.cumulative, target) - 1   # window in which the target is reached
        if i >= len(self.starts):
            return None
        return self.starts[i] + target - self.cumulative[i]

    def next_open(self, epoch: int) -> int | None:
        """`epoch` when open, else the start of the next window (None past the span)."""
        if self.is_open(epoch):
            return epoch
        i = bisect.bisect_right(self.starts, epoch)
        return self.starts[i] if i < len(self.starts) else None
