"""The workforce: agents, their skills, their weekly days off and each day's shifts.

A small workforce-management planner, as a contact center would run one:
- it forecasts the expected calls per queue and half hour from the same traffic patterns the
  arrivals use and turns them into required agents with Erlang C (80 % within
  `service_level_seconds`, plus break shrinkage);
- it spreads working days over the week in proportion to the staff hours the pooled traffic
  requires (two days off per agent);
- it places each working agent's 8.5-hour shift greedily where it fills most of the remaining
  gap, with a bonus for the first person in an open half hour so that every open hour is covered;
- it staggers the breaks away from the peaks.
Absences are drawn afterwards and are *not* known to the planner, which is why an understaffed
day visibly hurts the service level.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from simulator.behaviour import expected_handle_seconds
from simulator.clock import local_wall_epoch
from simulator.config import SimulationConfig
from simulator.patterns import expected_daily_volume, intraday_weight

SLOT_MINUTES = 30
SLOTS = 1440 // SLOT_MINUTES
SHIFT_MINUTES = 510               # 8 h of work plus a 30 min lunch
DAY_SHIFT_WINDOW = (360, 1320)    # day shifts lie within 06:00-22:00 when a night shift exists
NIGHT_SHIFT_START = 1320          # 22:00 -> 06:30 the next morning
SERVICE_LEVEL_TARGET = 0.80
BREAK_SHRINKAGE = 0.12            # share of a shift spent on breaks and lunch
COVERAGE_BY_PENALTY = {0: 1.0, 1: 0.35, 2: 0.1}
EMPTY_SLOT_BONUS = 0.5            # extra value of the first person in an open half hour
#: Breaks of a shift: (earliest, latest) start in minutes after the shift start, seconds, reason.
BREAKS = ((90, 180, 900, "break"), (210, 300, 1800, "lunch"), (330, 420, 900, "break"))
BREAK_STEP_MINUTES = 15

FIRST_NAMES = (
    "Ada", "Bruno", "Carla", "Dario", "Elif", "Femi", "Greta", "Hugo", "Ines", "Jonas", "Kira",
    "Lars", "Mara", "Nils", "Olga", "Pavel", "Quinn", "Rosa", "Sami", "Tilda", "Umar", "Vera",
    "Wim", "Xenia", "Yusuf", "Zora", "Alba", "Bodo", "Cleo", "Dino", "Enno", "Frida", "Gil",
    "Hana", "Ivo", "Jana", "Kemal", "Lina", "Milo", "Nora", "Oskar", "Pia", "Rafi", "Sina",
)
LAST_NAMES = (
    "Moreno", "Albers", "Brandt", "Castell", "Demir", "Eklund", "Falk", "Grieco", "Holm",
    "Ibsen", "Jansen", "Kowal", "Lindqvist", "Marek", "Novak", "Okafor", "Petri", "Quast",
    "Rinaldi", "Sorensen", "Tamm", "Unger", "Varga", "Wendt", "Yilmaz", "Zeller", "Arendt",
    "Borg", "Carvalho", "Dahl", "Engel", "Fischbach", "Gruber", "Hartog", "Iversen", "Jovic",
)


@dataclass(frozen=True)
class AgentProfile:
    """A member of staff: identity, skills (queue index -> penalty, 0 = preferred) and rota."""

    index: int
    agent_id: str
    name: str
    team: str
    primary: int
    skills: tuple[tuple[int, int], ...]
    night: bool
    days_off: frozenset[int]

    @property
    def interface(self) -> str:
        return f"PJSIP/{self.agent_id}"


#: A weekday's planned shift: (agent index, local start minute, breaks as (offset minute, seconds, reason)).
PlannedShift = tuple[int, int, tuple[tuple[int, int, str], ...]]


@dataclass(frozen=True)
class Shift:
    """One agent's working day: login/logout epochs and breaks (start epoch, seconds, reason)."""

    agent: int
    login: int
    logout: int
    breaks: tuple[tuple[int, int, str], ...]


@dataclass(frozen=True)
class DayRoster:
    """Who works on a site-local day: the planned shifts and who of them is absent."""

    day: date
    shifts: tuple[Shift, ...]
    absent: frozenset[int]
    bad_day: bool


def erlang_c_wait_probability(agents: int, erlangs: float) -> float:
    """Probability that a call waits (Erlang C) with `agents` servers and `erlangs` of load."""
    if agents <= erlangs:
        return 1.0
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = erlangs * blocking / (k + erlangs * blocking)
    return agents * blocking / (agents - erlangs * (1 - blocking))


def erlang_c_service_level(agents: int, erlangs: float, aht: float, threshold: float) -> float:
    """Share of calls answered within `threshold` seconds (Erlang C)."""
    if agents <= erlangs:
        return 0.0
    wait = erlang_c_wait_probability(agents, erlangs)
    return 1.0 - wait * math.exp(-(agents - erlangs) * threshold / aht)


def required_agents(calls_per_second: float, aht: float, threshold: float,
                    target: float = SERVICE_LEVEL_TARGET) -> int:
    """Fewest agents that reach `target` service level for the given load (0 for no load)."""
    erlangs = calls_per_second * aht
    if erlangs <= 0:
        return 0
    agents = max(1, math.ceil(erlangs))
    while erlang_c_service_level(agents, erlangs, aht, threshold) < target:
        agents += 1
    return agents


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Integer seats proportional to `weights` (largest remainder), summing to `total`."""
    weight_sum = sum(weights)
    if weight_sum <= 0 or total <= 0:
        return [0] * len(weights)
    quotas = [total * w / weight_sum for w in weights]
    seats = [math.floor(q) for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - seats[i]), i))
    for i in order[: total - sum(seats)]:
        seats[i] += 1
    return seats


class Workforce:
    """Builds the agents once, then plans each day's roster (deterministically for a seed)."""

    def __init__(self, cfg: SimulationConfig, rng: random.Random) -> None:
        self.cfg = cfg
        self.tz = ZoneInfo(cfg.site_timezone)
        self.rng = rng
        self.aht = [expected_handle_seconds(q) for q in cfg.queues]
        self.night_queues = [i for i, q in enumerate(cfg.queues) if _open_at_night(q)]
        self._plans: dict[int, tuple[PlannedShift, ...]] = {}
        self._forecasts: dict[int, _Forecast] = {}
        self.agents = self._build_agents()

    # -- agents ---------------------------------------------------------------------------

    def _build_agents(self) -> list[AgentProfile]:
        """Head count split by workload into home queues; everyone also helps the main queue.

        Night agents (one to three, when a queue is open at night) serve only the night queues.
        Among day agents, non-main agents take the main queue at penalty 1, every other main
        agent takes a second queue at penalty 1, and every third agent the weighted (vip) queue
        at penalty 2, so that small queues are never left with a single person.
        """
        cfg = self.cfg
        n_night = 0
        if self.night_queues:
            n_night = min(1 if cfg.agents < 12 else 2 if cfg.agents < 45 else 3, cfg.agents // 4)
        n_day = cfg.agents - n_night
        workload = [
            sum(expected_daily_volume(cfg, q, w) for w in range(7)) * self.aht[i]
            for i, q in enumerate(cfg.queues)
        ]
        if sum(workload) <= 0:   # no traffic at all: still give everyone a home queue
            workload = [1.0] * len(cfg.queues)
        primaries = _interleaved(_apportion(n_day, workload))
        main = max(range(len(cfg.queues)), key=lambda i: (workload[i], -i))
        others = [i for i in range(len(cfg.queues)) if i != main and cfg.queues[i].weight == 0]
        weighted = [i for i in range(len(cfg.queues)) if cfg.queues[i].weight > 0]
        names = self._names(cfg.agents)
        n_teams = max(1, math.ceil(cfg.agents / 10))
        agents: list[AgentProfile] = []
        days_off = self._day_off_pairs(n_day)
        for index in range(cfg.agents):
            night = index >= n_day
            if night:
                k = index - n_day
                skills = {q: 0 for q in self.night_queues}
                primary = self.night_queues[0]
                off = frozenset({(5 + 2 * k) % 7, (6 + 2 * k) % 7})
            else:
                primary = primaries[index]
                skills = {primary: 0}
                if primary != main:
                    skills[main] = 1
                elif others and index % 2 == 0:
                    skills[others[(index // 2) % len(others)]] = 1
                if weighted and index % 3 == 0:
                    skills.setdefault(weighted[(index // 3) % len(weighted)], 2)
                off = days_off[index]
            agents.append(AgentProfile(
                index=index,
                agent_id=str(1001 + index),
                name=names[index],
                team=_team_name(index * n_teams // cfg.agents),
                primary=primary,
                skills=tuple(sorted(skills.items(), key=lambda kv: (kv[1], kv[0]))),
                night=night,
                days_off=off,
            ))
        return agents

    def _names(self, count: int) -> list[str]:
        combos = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
        if count <= len(combos):
            return self.rng.sample(combos, count)
        return [f"Agent {1001 + i}" for i in range(count)]

    def _day_off_pairs(self, n_day: int) -> list[frozenset[int]]:
        """Give each day agent two days off so that busy weekdays have the most people."""
        if n_day == 0:
            return []
        load = [self.required_staff_hours(w) for w in range(7)]
        total = sum(load) or 1.0
        shifts = 5 * n_day
        raw = [shifts * load[w] / total for w in range(7)]
        floor = min(n_day, max(1, math.ceil(0.1 * n_day)))
        working = [floor if load[w] > 0 else 0 for w in range(7)]
        while sum(working) < shifts:
            candidates = [w for w in range(7) if working[w] < n_day]
            if not candidates:
                break
            w = max(candidates, key=lambda d: (raw[d] - working[d], -d))
            working[w] += 1
        while sum(working) > shifts:  # only when the floors alone exceed five shifts each
            w = max(range(7), key=lambda d: (working[d] - raw[d], d))
            working[w] -= 1
        off_left = [n_day - working[w] for w in range(7)]
        pairs: list[frozenset[int]] = []
        for _ in range(n_day):
            first, second = sorted(range(7), key=lambda d: (-off_left[d], -d))[:2]
            off_left[first] -= 1
            off_left[second] -= 1
            pairs.append(frozenset({first, second}))
        return pairs

    # -- daily roster ---------------------------------------------------------------------

    def roster(self, day: date, offset: int) -> DayRoster:
        """Shifts of a site-local day (`offset` days after the start) and who is absent."""
        cfg = self.cfg
        rng = self.rng
        bad = offset in cfg.bad_day_offsets()
        rate = cfg.bad_day_absence_rate if bad else cfg.absence_rate
        shifts: list[Shift] = []
        absent: set[int] = set()
        planned = self.planned_shifts(day)
        for plan in planned:
            login = plan.login + rng.randint(-240, 60)
            logout = plan.logout + rng.randint(0, 240)
            breaks = tuple(
                (start + rng.randint(0, 240), seconds + rng.randint(0, 150), reason)
                for start, seconds, reason in plan.breaks
            )
            shifts.append(Shift(plan.agent, login, logout, breaks))
            if not bad and rng.random() < rate:
                absent.add(plan.agent)
        if bad:   # a bad day loses a fixed share of its staff, so it is reliably understaffed
            absent = set(rng.sample([plan.agent for plan in planned], round(rate * len(planned))))
        return DayRoster(day, tuple(shifts), frozenset(absent), bad)

    def planned_shifts(self, day: date) -> tuple[Shift, ...]:
        """The planned shifts of a site-local day, as the schedule publishes them: no jitter, no
        absences, breaks at their planned instants with their planned lengths.

        Deterministic and free of random draws (the weekday plan is cached), so planning any day,
        also one after the simulated period, changes nothing in the simulation.
        """
        shifts = []
        for agent_index, start_minute, break_plan in self._plan(day.weekday()):
            login = local_wall_epoch(day, start_minute, self.tz)
            logout = local_wall_epoch(day, start_minute + SHIFT_MINUTES, self.tz)
            breaks = tuple((login + minute * 60, seconds, reason) for minute, seconds, reason in break_plan)
            shifts.append(Shift(agent_index, login, logout, breaks))
        return tuple(shifts)

    def _plan(self, weekday: int) -> tuple[PlannedShift, ...]:
        """(agent, local start minute, breaks) of every agent working on a weekday (cached)."""
        if weekday not in self._plans:
            self._plans[weekday] = self._make_plan(weekday)
        return self._plans[weekday]

    def _make_plan(self, weekday: int) -> tuple[PlannedShift, ...]:
        """Night agents on the night shift; day agents placed greedily on the Erlang gaps."""
        cfg = self.cfg
        working = [a for a in self.agents if weekday not in a.days_off]
        middle = tuple(((low + high) // 2, seconds, reason) for low, high, seconds, reason in BREAKS)
        plan: list[PlannedShift] = [(a.index, NIGHT_SHIFT_START, middle) for a in working if a.night]
        day_agents = [a for a in working if not a.night]
        if not day_agents:
            return tuple(plan)
        forecast = self._forecast(weekday)
        first, last = self._day_window(weekday)
        starts = list(range(first, max(first, last - SHIFT_MINUTES) + 1, SLOT_MINUTES))
        staffed = [[0.0] * SLOTS for _ in cfg.queues]
        starts_by_agent: list[tuple[int, int]] = []
        # Scarce skills first, so the small queues get their few specialists where they are needed.
        day_agents.sort(key=lambda a: (-cfg.queues[a.primary].weight, cfg.queues[a.primary].share, a.index))
        for agent in day_agents:
            coverage = _coverage(agent)
            best_start, best_score = starts[0], -1.0
            for start in starts:
                score = 0.0
                for slot in _slots(start):
                    for q, share in coverage:
                        score += forecast.gain(q, slot, staffed[q][slot], share)
                if score > best_score + 1e-9:
                    best_start, best_score = start, score
            for slot in _slots(best_start):
                for q, share in coverage:
                    staffed[q][slot] += share
            starts_by_agent.append((best_start, agent.index))
        plan.extend(self._place_breaks(weekday, sorted(starts_by_agent)))
        plan.sort()
        return tuple(plan)

    def _place_breaks(self, weekday: int, starts: list[tuple[int, int]]) -> list[PlannedShift]:
        """Stagger the day shifts' breaks away from the peaks.

        Each break goes, in 15-minute steps within its window, where the pooled staffing surplus
        (people on shift minus people the pooled traffic needs) is largest; a placed break then
        lowers the surplus for the breaks placed after it.
        """
        quarters = 1440 // BREAK_STEP_MINUTES
        per_slot = SLOT_MINUTES // BREAK_STEP_MINUTES
        need = self._pooled_required(weekday)
        surplus = [-need[q // per_slot] for q in range(quarters)]
        for start, _ in starts:
            end = min(quarters, (start + SHIFT_MINUTES) // BREAK_STEP_MINUTES)
            for quarter in range(start // BREAK_STEP_MINUTES, end):
                surplus[quarter] += 1
        planned: list[PlannedShift] = []
        for start, agent in starts:
            breaks = []
            for low, high, seconds, reason in BREAKS:
                length = max(1, seconds // 60 // BREAK_STEP_MINUTES)
                best_key, best_offset = None, low
                for offset in range(low, high + 1, BREAK_STEP_MINUTES):
                    first = (start + offset) // BREAK_STEP_MINUTES
                    covered = [surplus[q] for q in range(first, min(quarters, first + length))]
                    key = (-min(covered, default=0.0), -sum(covered), abs(offset - (low + high) / 2))
                    if best_key is None or key < best_key:
                        best_key, best_offset = key, offset
                first = (start + best_offset) // BREAK_STEP_MINUTES
                for quarter in range(first, min(quarters, first + length)):
                    surplus[quarter] -= 1
                breaks.append((best_offset, seconds, reason))
            planned.append((agent, start, tuple(breaks)))
        return planned

    def _pooled_required(self, weekday: int) -> list[float]:
        """Agents the pooled traffic of all queues needs per half hour (no break shrinkage)."""
        forecast = self._forecast(weekday)
        required = []
        for slot in range(SLOTS):
            calls = [forecast.calls[q][slot] for q in range(len(self.cfg.queues))]
            total = sum(calls)
            if not total:
                required.append(0.0)
                continue
            aht = sum(c * a for c, a in zip(calls, self.aht, strict=True)) / total
            curve = service_level_curve(total * aht / (SLOT_MINUTES * 60), aht, self.cfg.service_level_seconds)
            required.append(float(_required_from_curve(curve)))
        return required

    def _day_window(self, weekday: int) -> tuple[int, int]:
        """Local minutes within which day shifts lie (06:00-22:00 when night staff exists)."""
        if self.night_queues:
            return DAY_SHIFT_WINDOW
        edges = [m for q in self.cfg.queues if (w := q.window(weekday)) is not None for m in w]
        return (min(edges), max(edges)) if edges else (480, 1080)

    def _forecast(self, weekday: int) -> _Forecast:
        """Expected calls and the Erlang C service-level curve per queue and half hour (cached)."""
        if weekday not in self._forecasts:
            self._forecasts[weekday] = self._make_forecast(weekday)
        return self._forecasts[weekday]

    def _make_forecast(self, weekday: int) -> _Forecast:
        cfg = self.cfg
        centers = [(slot + 0.5) * SLOT_MINUTES for slot in range(SLOTS)]
        weights = [intraday_weight(m / 60) for m in centers]
        calls: list[list[float]] = []
        curves: list[list[list[float]]] = []
        for i, queue in enumerate(cfg.queues):
            window = queue.window(weekday)
            volume = expected_daily_volume(cfg, queue, weekday)
            row = [0.0] * SLOTS
            if window is not None and volume > 0:
                mask = [window[0] <= m < window[1] for m in centers]
                total = sum(w for w, m in zip(weights, mask, strict=True) if m) or 1.0
                row = [volume * w / total if m else 0.0 for w, m in zip(weights, mask, strict=True)]
            calls.append(row)
            curves.append([
                service_level_curve(c * self.aht[i] / (SLOT_MINUTES * 60), self.aht[i], cfg.service_level_seconds)
                for c in row
            ])
        opened = [[_open_in_slot(q, weekday, slot) for slot in range(SLOTS)] for q in cfg.queues]
        return _Forecast(calls, curves, opened)

    def required_staff_hours(self, weekday: int) -> float:
        """Agent hours a weekday needs for the target service level during day-shift hours.

        Computed on the pooled traffic of all queues (multi-skilled agents pool it), so busy
        weekdays, which pool well, are not overstated against quiet weekends.
        """
        forecast = self._forecast(weekday)
        pooled = self._pooled_required(weekday)
        first, last = self._day_window(weekday)
        hours = 0.0
        for slot in range(first // SLOT_MINUTES, last // SLOT_MINUTES):
            if any(forecast.opened[q][slot] for q in range(len(self.cfg.queues))):
                hours += max(1.0, pooled[slot]) / (1 - BREAK_SHRINKAGE) * SLOT_MINUTES / 60
        return hours


class _Forecast:
    """A weekday's required agents per queue and half hour, and the value of adding staff there."""

    def __init__(self, calls: list[list[float]], curves: list[list[list[float]]], opened: list[list[bool]]) -> None:
        self.calls = calls
        self.curves = curves
        self.opened = opened
        self.required = [
            [_required_from_curve(curve) / (1 - BREAK_SHRINKAGE) if is_open else 0.0
             for curve, is_open in zip(curve_row, open_row, strict=True)]
            for curve_row, open_row in zip(curves, opened, strict=True)
        ]

    def gain(self, q: int, slot: int, staffed: float, share: float) -> float:
        """Part of the remaining gap that `share` of an agent fills, plus a bonus for an empty slot."""
        gap = self.required[q][slot] - staffed
        if gap <= 0:
            return 0.0
        value = min(share, gap)
        if staffed < 1:
            value += EMPTY_SLOT_BONUS * (min(1.0, staffed + share) - staffed)
        return value


def _required_from_curve(curve: list[float]) -> int:
    """Fewest agents reaching the target service level on an Erlang C curve (at least 1)."""
    need = next((n for n, level in enumerate(curve) if level >= SERVICE_LEVEL_TARGET), len(curve))
    return max(1, need)


def _coverage(agent: AgentProfile) -> list[tuple[int, float]]:
    """How much of the agent the planner counts in each of their queues (shares sum to 1).

    An agent answers their preferred queue first and helps the others when it is quiet; counting
    them fully everywhere would plan too few people.
    """
    raw = [(q, COVERAGE_BY_PENALTY.get(penalty, 0.05)) for q, penalty in agent.skills]
    total = sum(weight for _, weight in raw)
    return [(q, weight / total) for q, weight in raw]


def service_level_curve(erlangs: float, aht: float, threshold: float, extra: int = 12) -> list[float]:
    """Erlang C service level for 0, 1, 2, ... agents, up to where it is practically 1."""
    top = math.ceil(erlangs) + extra
    curve = [0.0]
    blocking = 1.0
    for n in range(1, top + 1):
        blocking = erlangs * blocking / (n + erlangs * blocking)
        if n <= erlangs:
            curve.append(0.0)
            continue
        wait = n * blocking / (n - erlangs * (1 - blocking))
        curve.append(1.0 - wait * math.exp(-(n - erlangs) * threshold / aht) if aht > 0 else 1.0)
    return curve


def _slots(start_minute: int) -> range:
    return range(start_minute // SLOT_MINUTES, min(SLOTS, (start_minute + SHIFT_MINUTES) // SLOT_MINUTES))


def _open_in_slot(queue, weekday: int, slot: int) -> bool:
    window = queue.window(weekday)
    center = (slot + 0.5) * SLOT_MINUTES
    return window is not None and window[0] <= center < window[1]


def _team_name(number: int) -> str:
    """'Team A'..'Team Z', then 'Team 27', ... for very large head counts."""
    return f"Team {chr(ord('A') + number)}" if number < 26 else f"Team {number + 1}"


def _open_at_night(queue) -> bool:
    """A queue open before 06:00 or after 22:00 on some day needs night staff."""
    for weekday in range(7):
        window = queue.window(weekday)
        if window is not None and (window[0] < DAY_SHIFT_WINDOW[0] or window[1] > DAY_SHIFT_WINDOW[1]):
            return True
    return False


def _interleaved(seats: list[int]) -> list[int]:
    """Queue index per day agent, interleaving the queues (so ids, teams and days off mix)."""
    order: list[int] = []
    given = [0] * len(seats)
    total = sum(seats)
    for position in range(total):
        # Pick the queue that is furthest behind its share at this point of the sequence.
        q = max(
            (i for i in range(len(seats)) if given[i] < seats[i]),
            key=lambda i: ((position + 1) * seats[i] / total - given[i], -i),
        )
        order.append(q)
        given[q] += 1
    return order


def shifts_crossing(roster: DayRoster, instant: int) -> list[Shift]:
    """Shifts of a roster still running at `instant`, cut to start there (the warm start)."""
    running = []
    for shift in roster.shifts:
        if shift.agent in roster.absent or shift.logout <= instant:
            continue
        breaks = tuple(b for b in shift.breaks if b[0] > instant)
        running.append(Shift(shift.agent, max(shift.login, instant), shift.logout, breaks))
    return running

