"""The planned schedules, published as a workforce-management (WFM) tool exports them.

Voice agents: the staffing planner's shifts (simulator/staffing.py) with their planned breaks,
exactly as planned (no jitter, absent agents included: absences are not planned). Helpdesk agents:
the business hours of their group's Zendesk schedule, one shift per open window of a business day
(no shift on the schedule's holidays), cut to the days the agent is active, with a 30-minute lunch
in the middle. Each shift is a list of segments (WORK, BREAK, LUNCH) that tile it in time order.

Files (docs/source_formats.md "WFM schedules"): `wfm/schedule-YYYYMMDD.csv` (voice) and
`wfm/schedule-digital-YYYYMMDD.csv` (helpdesk), one per schedule date (the local date on which a
shift starts), from the day before the first simulated day to `schedule_horizon_days` days after
the last one. Planning consumes no random numbers, so the schedules change nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from simulator.config import SimulationConfig
from simulator.staffing import AgentProfile, Shift

if TYPE_CHECKING:
    from simulator.helpdesk.directory import Directory
    from simulator.staffing import Workforce

WFM_DIR = Path("wfm")
SCHEDULE_HEADER = "agent_id,agent_name,team,schedule_date,activity,start_at,end_at"
VOICE_PREFIX = "schedule-"
DIGITAL_PREFIX = "schedule-digital-"

WORK, BREAK, LUNCH = "WORK", "BREAK", "LUNCH"
ACTIVITIES = (WORK, BREAK, LUNCH)
#: The planner's break reasons -> schedule activities.
BREAK_ACTIVITY = {"break": BREAK, "lunch": LUNCH}

LUNCH_SECONDS = 1800
QUARTER_SECONDS = 900
LUNCH_MIN_SHIFT_SECONDS = 4 * 3600     # a shorter (cut) digital shift has no lunch


@dataclass(frozen=True, slots=True)
class Segment:
    """One activity of a shift: [start, end) epochs."""

    activity: str
    start: int
    end: int


@dataclass(frozen=True)
class ScheduledShift:
    """One agent's planned shift: its segments tile [start, end) in time order."""

    agent_id: str
    agent_name: str
    team: str
    schedule_date: date       # local date (of `timezone`) on which the shift starts
    timezone: str             # the zone whose offset the export writes
    segments: tuple[Segment, ...]

    @property
    def start(self) -> int:
        return self.segments[0].start

    @property
    def end(self) -> int:
        return self.segments[-1].end


def schedule_days(cfg: SimulationConfig) -> list[date]:
    """Dates with a published schedule: the day before the start (night shifts running at the
    first instant) to `schedule_horizon_days` days after the last simulated day."""
    count = cfg.days + 1 + cfg.schedule_horizon_days
    return [cfg.start + timedelta(days=offset) for offset in range(-1, count - 1)]


def horizon_days(cfg: SimulationConfig) -> list[date]:
    """The `schedule_horizon_days` days after the last simulated day."""
    return [cfg.start + timedelta(days=cfg.days + offset) for offset in range(cfg.schedule_horizon_days)]


# -- voice ------------------------------------------------------------------------------------

def voice_shift(profile: AgentProfile, day: date, shift: Shift, timezone: str) -> ScheduledShift:
    """A planned (unjittered) shift of the staffing planner as segments: WORK between the breaks."""
    segments: list[Segment] = []
    cursor = shift.login
    for start, seconds, reason in sorted(shift.breaks):
        if start < cursor or start + seconds > shift.logout:
            raise ValueError(f"agent {profile.agent_id} on {day}: break at {start} does not fit its shift")
        if start > cursor:
            segments.append(Segment(WORK, cursor, start))
        segments.append(Segment(BREAK_ACTIVITY[reason], start, start + seconds))
        cursor = start + seconds
    if shift.logout > cursor:
        segments.append(Segment(WORK, cursor, shift.logout))
    return ScheduledShift(profile.agent_id, profile.name, profile.team, day, timezone, tuple(segments))


def voice_schedule(workforce: Workforce, day: date) -> list[ScheduledShift]:
    """Every planned voice shift starting on a site-local day (absent agents included)."""
    agents = workforce.agents
    timezone = workforce.cfg.site_timezone
    return [voice_shift(agents[shift.agent], day, shift, timezone) for shift in workforce.planned_shifts(day)]


# -- digital ----------------------------------------------------------------------------------

def lunch_start(start: int, end: int, tz: ZoneInfo) -> int:
    """Start of a 30-minute lunch centred on [start, end), rounded to a quarter hour of the local
    wall clock and kept inside the shift."""
    middle = start + (end - start) // 2 - LUNCH_SECONDS // 2
    offset = int(datetime.fromtimestamp(middle, tz).utcoffset().total_seconds())
    rounded = (middle + offset + QUARTER_SECONDS // 2) // QUARTER_SECONDS * QUARTER_SECONDS - offset
    return min(max(rounded, start), end - LUNCH_SECONDS)


def business_shift_segments(start: int, end: int, tz: ZoneInfo) -> tuple[Segment, ...]:
    """WORK, LUNCH, WORK for a shift of at least four hours; WORK alone for a shorter one."""
    if end - start < LUNCH_MIN_SHIFT_SECONDS:
        return (Segment(WORK, start, end),)
    lunch = lunch_start(start, end, tz)
    parts = (Segment(WORK, start, lunch), Segment(LUNCH, lunch, lunch + LUNCH_SECONDS),
             Segment(WORK, lunch + LUNCH_SECONDS, end))
    return tuple(s for s in parts if s.end > s.start)


def digital_schedule(directory: Directory, day: date) -> list[ScheduledShift]:
    """Helpdesk agents (role `agent`) on a local date of their group's schedule: one shift per open
    window of that date, cut to the time the agent is active (hired, not yet deactivated)."""
    schedules = {s.id: s for s in directory.schedules}
    default = directory.schedules[0]
    groups = {g.id: g for g in directory.groups}
    shifts = []
    for agent in directory.agents:
        if agent.role != "agent":
            continue
        group = groups.get(agent.group_id) if agent.group_id is not None else None
        schedule = schedules.get(group.schedule_id, default) if group is not None else default
        tz = schedule.tz
        for open_at, close_at in schedule.day_windows(day):
            start = max(open_at, agent.active_from)
            end = close_at if agent.deactivated_at is None else min(close_at, agent.deactivated_at)
            if end <= start:
                continue
            shifts.append(ScheduledShift(str(agent.id), agent.name, group.name if group is not None else "",
                                         day, schedule.timezone, business_shift_segments(start, end, tz)))
    return shifts


# -- export -----------------------------------------------------------------------------------

def local_iso(epoch: int, tz: ZoneInfo) -> str:
    """'2026-10-25T07:00:00+01:00': local wall clock with its UTC offset, to the second."""
    return datetime.fromtimestamp(epoch, tz).isoformat(timespec="seconds")


def csv_field(text: str) -> str:
    """A CSV field, quoted only when it must be."""
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def schedule_rows(shifts: Iterable[ScheduledShift]) -> list[str]:
    """The export's lines (without header), one per segment, by agent and time."""
    zones: dict[str, ZoneInfo] = {}
    lines = []
    for shift in shifts:
        tz = zones.setdefault(shift.timezone, ZoneInfo(shift.timezone))
        head = ",".join((csv_field(shift.agent_id), csv_field(shift.agent_name), csv_field(shift.team),
                         shift.schedule_date.isoformat()))
        lines.extend(f"{head},{s.activity},{local_iso(s.start, tz)},{local_iso(s.end, tz)}" for s in shift.segments)
    return lines


def write_schedule_file(folder: Path, prefix: str, day: date, shifts: list[ScheduledShift]) -> Path:
    """`<prefix>YYYYMMDD.csv` of one schedule date (a header alone when nobody is scheduled)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{prefix}{day.strftime('%Y%m%d')}.csv"
    ordered = sorted(shifts, key=lambda s: (_id_key(s.agent_id), s.start))
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(SCHEDULE_HEADER + "\n")
        handle.writelines(line + "\n" for line in schedule_rows(ordered))
    return path


def _id_key(agent_id: str) -> tuple[int, int | str]:
    return (0, int(agent_id)) if agent_id.isdigit() else (1, agent_id)


def plan_voice(cfg: SimulationConfig, workforce: Workforce) -> dict[date, list[ScheduledShift]]:
    """The voice schedule of every schedule date (no random draws: the simulation is unchanged)."""
    return {day: voice_schedule(workforce, day) for day in schedule_days(cfg)}


def plan_digital(cfg: SimulationConfig, directory: Directory) -> dict[date, list[ScheduledShift]]:
    """The helpdesk schedule of every schedule date."""
    return {day: digital_schedule(directory, day) for day in schedule_days(cfg)}


def write_schedules(out_dir: Path, voice: dict[date, list[ScheduledShift]],
                    digital: dict[date, list[ScheduledShift]]) -> list[Path]:
    """One voice file and, with the helpdesk, one digital file per schedule date."""
    folder = out_dir / WFM_DIR
    files = [write_schedule_file(folder, VOICE_PREFIX, day, shifts) for day, shifts in voice.items()]
    files += [write_schedule_file(folder, DIGITAL_PREFIX, day, shifts) for day, shifts in digital.items()]
    return files


def shifts_between(schedule: dict[date, list[ScheduledShift]], first: date, last: date) -> list[ScheduledShift]:
    """The shifts of the schedule dates first..last (inclusive)."""
    return [shift for day, shifts in schedule.items() if first <= day <= last for shift in shifts]
