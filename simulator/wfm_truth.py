"""Workforce ground truth: agent time per day against the schedule, and the expected traffic.

`AgentDayBook` takes every agent state as the engine writes it to the agent-state feed (the
simulation's own timeline, never the files). A state lasts from its event to the agent's next
event; each span is cut at site-local midnight (DST days have 23 or 25 hours) and intersected with
the agent's planned schedule segments (simulator/wfm.py) as it closes, so memory holds one open
state per agent and one row of counters per agent and day. Rules (docs/simulator.md):

- logged_in_seconds: every state from LOGIN until LOGOUT (LOGIN lasts 0 s: AVAILABLE follows at
  the same second); available/on_contact/hold/acw/break_seconds: the time in that state; they add
  up to logged_in_seconds.
- scheduled_seconds: the schedule segments (WORK, BREAK, LUNCH) in the day; scheduled_work_seconds:
  its WORK segments.
- scheduled_logged_in_seconds: logged-in time inside any schedule segment.
- adherent_seconds: time inside WORK segments in AVAILABLE, ON_CONTACT, HOLD or ACW, plus time
  inside BREAK / LUNCH segments in BREAK.
- Rows: one per agent and site-local report date of the simulated days with scheduled or
  logged-in time. Helpdesk agents have no state feed: their state columns are empty.

`write_expected_intervals` writes the traffic model's expectation for the days after the run.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from simulator.behaviour import expected_handle_seconds
from simulator.clock import interval_floor, iso_utc, local_day_bounds
from simulator.config import SimulationConfig
from simulator.patterns import bin_wall_minutes, day_bins
from simulator.staffing import AgentProfile
from simulator.wfm import BREAK, LUNCH, WORK, ScheduledShift, Segment, csv_field

AGENT_DAILY_COLUMNS = (
    "agent_id", "report_date", "team", "is_state_tracked", "scheduled_seconds", "scheduled_work_seconds",
    "logged_in_seconds", "available_seconds", "on_contact_seconds", "hold_seconds", "acw_seconds",
    "break_seconds", "scheduled_logged_in_seconds", "adherent_seconds",
)
EXPECTED_INTERVAL_COLUMNS = (
    "queue_name", "report_date", "interval_start", "interval_start_utc", "expected_offered",
    "expected_aht_seconds",
)

LOGOUT = "LOGOUT"
#: Feed states with a column of their own (LOGIN has none: it lasts 0 s).
STATE_COLUMNS = ("AVAILABLE", "ON_CONTACT", "HOLD", "ACW", "BREAK")
WORKING_STATES = frozenset(("AVAILABLE", "ON_CONTACT", "HOLD", "ACW"))
# Counter positions: logged in, the five states, scheduled logged in, adherent.
_LOGGED, _SCHEDULED_LOGGED, _ADHERENT = 0, 6, 7
_STATE_INDEX = {state: 1 + i for i, state in enumerate(STATE_COLUMNS)}


def is_adherent(activity: str, state: str) -> bool:
    """In a WORK segment working (available, on a contact, on hold, wrapping up); in a BREAK or
    LUNCH segment on a break."""
    if activity == WORK:
        return state in WORKING_STATES
    return activity in (BREAK, LUNCH) and state == "BREAK"


#: (activity, state) pairs that count as adherent.
_ADHERENT_PAIRS = frozenset((a, s) for a in (WORK, BREAK, LUNCH) for s in STATE_COLUMNS if is_adherent(a, s))


class ReportDays:
    """The simulated site-local days as [start, end) epochs, for cutting spans at midnight."""

    def __init__(self, cfg: SimulationConfig) -> None:
        tz = ZoneInfo(cfg.site_timezone)
        self.dates = [cfg.start + timedelta(days=offset) for offset in range(cfg.days)]
        bounds = [local_day_bounds(day, tz) for day in self.dates]
        self.starts = [start for start, _ in bounds]
        self.ends = [end for _, end in bounds]

    def pieces(self, start: int, end: int) -> Iterable[tuple[int, int, int]]:
        """(day index, start, end) of the parts of [start, end) that fall in the simulated days."""
        i = max(0, bisect.bisect_right(self.starts, start) - 1)
        while start < end and i < len(self.starts):
            lo, hi = max(start, self.starts[i]), min(end, self.ends[i])
            if lo < hi:
                yield i, lo, hi
            start = max(start, self.ends[i])
            i += 1


def scheduled_by_day(shifts: Iterable[ScheduledShift], days: ReportDays) -> dict[tuple[str, int], list[int]]:
    """(agent id, day index) -> [scheduled seconds, scheduled WORK seconds], cut at midnight."""
    totals: dict[tuple[str, int], list[int]] = {}
    for shift in shifts:
        for segment in shift.segments:
            for day, lo, hi in days.pieces(segment.start, segment.end):
                counts = totals.setdefault((shift.agent_id, day), [0, 0])
                counts[0] += hi - lo
                if segment.activity == WORK:
                    counts[1] += hi - lo
    return totals


class AgentDayBook:
    """Voice agents' state timeline, accounted per site-local day against their schedule."""

    def __init__(self, cfg: SimulationConfig, agents: list[AgentProfile],
                 voice_shifts: Iterable[ScheduledShift]) -> None:
        self.cfg = cfg
        self.agents = agents
        self.days = ReportDays(cfg)
        self.voice_shifts = list(voice_shifts)
        index_of = {a.agent_id: a.index for a in agents}
        self._segments: list[list[Segment]] = [[] for _ in agents]
        for shift in self.voice_shifts:
            self._segments[index_of[shift.agent_id]].extend(shift.segments)
        for segments in self._segments:
            segments.sort(key=lambda s: s.start)
            for before, after in zip(segments, segments[1:], strict=False):
                if after.start < before.end:
                    raise ValueError(f"overlapping schedule segments {before} and {after}")
        self._next_segment = [0] * len(agents)
        self._open: list[tuple[int, str] | None] = [None] * len(agents)
        self._counts: dict[tuple[int, int], list[int]] = {}
        self._day = 0          # the report day of the simulation's clock (a hint: states come in time order)

    def state(self, agent: int, epoch: int, state: str) -> None:
        """The agent's state changes at `epoch` (as the feed writes it): close the previous one."""
        previous = self._open[agent]
        self._open[agent] = None if state == LOGOUT else (epoch, state)
        if previous is None or epoch <= previous[0]:
            return
        start, state_before = previous
        days = self.days
        day = self._day
        if days.starts[day] <= start and epoch <= days.ends[day]:    # the usual case: within one day
            self._account(agent, day, start, epoch, state_before)
            return
        for day, lo, hi in days.pieces(start, epoch):
            self._account(agent, day, lo, hi, state_before)
        self._day = min(len(days.starts) - 1, max(0, bisect.bisect_right(days.starts, epoch) - 1))

    def _account(self, agent: int, day: int, lo: int, hi: int, state: str) -> None:
        """Add [lo, hi) of one state, within one report day."""
        counts = self._counts.get((agent, day))
        if counts is None:
            counts = self._counts[(agent, day)] = [0] * 8
        counts[_LOGGED] += hi - lo
        column = _STATE_INDEX.get(state)
        if column is not None:
            counts[column] += hi - lo
        segments = self._segments[agent]
        i = self._next_segment[agent]
        while i < len(segments) and segments[i].end <= lo:   # spans come in time order
            i += 1
        self._next_segment[agent] = i
        while i < len(segments) and segments[i].start < hi:
            segment = segments[i]
            overlap = min(hi, segment.end) - max(lo, segment.start)
            if overlap > 0:
                counts[_SCHEDULED_LOGGED] += overlap
                if (segment.activity, state) in _ADHERENT_PAIRS:
                    counts[_ADHERENT] += overlap
            i += 1

    def rows(self, digital_shifts: Iterable[ScheduledShift] = ()) -> list[tuple[str, ...]]:
        """The agent_daily.csv rows, by report date, voice agents first, then by id."""
        days = self.days
        voice_scheduled = scheduled_by_day(self.voice_shifts, days)
        rows: list[tuple[tuple, tuple[str, ...]]] = []
        for agent in self.agents:
            for day in range(len(days.dates)):
                scheduled = voice_scheduled.get((agent.agent_id, day), [0, 0])
                counts = self._counts.get((agent.index, day), [0] * 8)
                if scheduled[0] == 0 and counts[_LOGGED] == 0:
                    continue
                rows.append(((day, 0, agent.index), (
                    agent.agent_id, days.dates[day].isoformat(), agent.team, "true",
                    *(str(v) for v in scheduled), *(str(v) for v in counts))))
        digital = list(digital_shifts)
        teams = {shift.agent_id: shift.team for shift in digital}
        for (agent_id, day), scheduled in scheduled_by_day(digital, days).items():
            if scheduled[0] == 0:
                continue
            rows.append(((day, 1, int(agent_id) if agent_id.isdigit() else 0, agent_id), (
                agent_id, days.dates[day].isoformat(), teams[agent_id], "false",
                *(str(v) for v in scheduled), *([""] * 8))))
        rows.sort(key=lambda item: item[0])
        return [row for _, row in rows]

    def summary(self) -> dict[str, float | int | None]:
        """Totals over the voice agents (for simulation.json)."""
        totals = [0] * 8
        for counts in self._counts.values():
            for i, value in enumerate(counts):
                totals[i] += value
        scheduled = sum(v[0] for v in scheduled_by_day(self.voice_shifts, self.days).values())
        return {
            "scheduled_seconds": scheduled,
            "logged_in_seconds": totals[_LOGGED],
            "scheduled_logged_in_seconds": totals[_SCHEDULED_LOGGED],
            "adherent_seconds": totals[_ADHERENT],
            "adherence": round(totals[_ADHERENT] / scheduled, 4) if scheduled else None,
        }

    def close(self, path: Path, digital_shifts: Iterable[ScheduledShift] = ()) -> Path:
        """Write ground_truth/agent_daily.csv."""
        _write_csv(path, AGENT_DAILY_COLUMNS, self.rows(digital_shifts))
        return path


# -- expected traffic -------------------------------------------------------------------------

def expected_interval_rows(cfg: SimulationConfig, days: Iterable[date]) -> list[tuple[str, ...]]:
    """Per queue and site-local interval in which the queue is open: the expected new calls (the
    arrival rate integrated over the interval, without the random day level) and handle time."""
    tz = ZoneInfo(cfg.site_timezone)
    aht = [f"{expected_handle_seconds(q):.4f}" for q in cfg.queues]
    rows: list[tuple[int, str, tuple[str, ...]]] = []
    for day in days:
        bins = day_bins(cfg, day, tz)
        minutes = bin_wall_minutes(bins.starts, tz)
        floors = [interval_floor(t, tz, cfg.interval_minutes) for t in bins.starts.tolist()]
        for q, queue in enumerate(cfg.queues):
            window = queue.window(day.weekday())
            if window is None:
                continue
            is_open = (minutes >= window[0]) & (minutes < window[1])
            expected: dict[int, list] = {}
            values = bins.expected[q].tolist()
            for (local, start), bin_open, value in zip(floors, is_open.tolist(), values, strict=True):
                if bin_open:
                    item = expected.setdefault(start, [local, 0.0])
                    item[1] += value
            for start, (local, value) in expected.items():
                rows.append((start, queue.name, (
                    queue.name, local.date().isoformat(), local.strftime("%Y-%m-%d %H:%M:%S"), iso_utc(start),
                    f"{value:.4f}", aht[q])))
    rows.sort(key=lambda item: (item[0], item[1]))
    return [row for _, _, row in rows]


def write_expected_intervals(cfg: SimulationConfig, days: Iterable[date], path: Path) -> Path:
    """Write ground_truth/expected_interval.csv for `days` (the schedule horizon)."""
    _write_csv(path, EXPECTED_INTERVAL_COLUMNS, expected_interval_rows(cfg, days))
    return path


def _write_csv(path: Path, header: Iterable[str], rows: Iterable[Iterable[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(header) + "\n")
        for row in rows:
            handle.write(",".join(csv_field(value) for value in row) + "\n")

