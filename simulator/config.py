"""Parameters of a simulation run.

Everything that shapes the simulated contact center is a field here, with a default that gives a
believable mid-size center (30 agents, about 2000 calls a day, service level around 80-90 % on
normal days). A config is immutable and serialisable, so the same config and seed always produce
the same files, and `ground_truth/simulation.json` records exactly what was run.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Opening hours of a queue for one weekday: ("HH:MM", "HH:MM") in site-local time, close
#: exclusive ("24:00" allowed), or None when the queue is closed all day.
DayHours = tuple[str, str] | None

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _all_week(hours: DayHours) -> tuple[DayHours, ...]:
    return (hours,) * 7


@dataclass(frozen=True)
class QueueSpec:
    """One call queue: when it is open, how much traffic it gets and how its callers behave.

    Durations are seconds. Lognormal distributions are given by their median and the sigma of the
    underlying normal (0.5 is a moderate skew, 1.0 a long tail).
    """

    name: str
    extension: str
    share: float
    hours: tuple[DayHours, ...]
    maxlen: int = 30
    max_wait_seconds: int | None = None
    weight: int = 0
    talk_median_seconds: float = 150.0
    talk_sigma: float = 0.6
    patience_median_seconds: float = 150.0
    patience_sigma: float = 1.0
    short_patience_rate: float = 0.02
    acw_median_seconds: float = 20.0
    hold_rate: float = 0.12
    blind_transfer_rate: float = 0.03
    attended_transfer_rate: float = 0.015
    exit_key_rate: float = 0.0

    def window(self, weekday: int) -> tuple[int, int] | None:
        """Opening window of a weekday (0 = Monday) as minutes after local midnight."""
        hours = self.hours[weekday]
        if hours is None:
            return None
        return _minutes(hours[0]), _minutes(hours[1])


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def default_queues() -> tuple[QueueSpec, ...]:
    """Four queues with different hours and caller behaviour.

    support is open around the clock (quiet nights, one or two night agents), sales and billing
    keep office hours, vip is small, weighted first, and times out callers sooner.
    """
    return (
        QueueSpec(
            name="support", extension="7001", share=0.50, hours=_all_week(("00:00", "24:00")),
            maxlen=10, talk_median_seconds=105, talk_sigma=0.6, patience_median_seconds=180,
            hold_rate=0.14, blind_transfer_rate=0.035, attended_transfer_rate=0.015,
            exit_key_rate=0.02,
        ),
        QueueSpec(
            name="sales", extension="7002", share=0.25,
            hours=(("08:00", "20:00"),) * 6 + (None,),
            maxlen=8, max_wait_seconds=300, talk_median_seconds=130, talk_sigma=0.65,
            patience_median_seconds=150, hold_rate=0.08, blind_transfer_rate=0.025,
            attended_transfer_rate=0.01,
        ),
        QueueSpec(
            name="billing", extension="7003", share=0.17, hours=(("08:00", "18:00"),) * 5 + (None, None),
            maxlen=6, max_wait_seconds=420, talk_median_seconds=120, talk_sigma=0.55,
            patience_median_seconds=200, hold_rate=0.18, blind_transfer_rate=0.03,
            attended_transfer_rate=0.02, exit_key_rate=0.03,
        ),
        QueueSpec(
            name="vip", extension="7004", share=0.08,
            hours=(("07:00", "21:00"),) * 5 + (("09:00", "17:00"), None),
            maxlen=4, max_wait_seconds=180, weight=10, talk_median_seconds=150, talk_sigma=0.5,
            patience_median_seconds=240, hold_rate=0.10, blind_transfer_rate=0.01,
            attended_transfer_rate=0.03,
        ),
    )


@dataclass(frozen=True)
class SimulationConfig:
    """What to simulate. Every field has a default; `start`..`start + days - 1` are site-local days.

    Traffic
      calls_per_day: expected new calls on an average weekday (Monday to Friday; Monday is the
        busiest, Saturday and Sunday are low); blind transfers add queue entries on top.
      queues: the queues (QueueSpec); their `share` values split the traffic.
    Staff
      agents: head count, 1001, 1002, ...; a planner spreads their shifts over the expected load.
      absence_rate: chance that a scheduled agent misses a shift (unplanned, so it hurts).
      bad_days: day offsets (0 = start) on which exactly `bad_day_absence_rate` of the scheduled
        agents are absent; None means every tenth day from the fourth (offsets 3, 13, 23, ...),
        each moved forward to the next weekday when it falls on a weekend.
    Ground truth settings (the KPI rules of docs/decisions.md)
      service_level_seconds, short_abandon_seconds, interval_minutes.
    Workforce management
      schedule_horizon_days: days after the last simulated day for which the planned schedules
        (wfm/schedule-*.csv) and the expected traffic (ground_truth/expected_interval.csv) are
        published, as a WFM tool publishes the next weeks.
    Helpdesk (digital channels, simulator/helpdesk/; independent of the voice random streams)
      helpdesk: also simulate the helpdesk (e-mail, web form, chat, messaging, social tickets),
        written as JSON under `helpdesk/` with its truth in ground_truth/tickets*.csv.
      tickets_per_day: expected new tickets on an average weekday (all channels, outbound too).
      helpdesk_second_timezone: IANA zone of the second business schedule (one group uses it).
    Customer experience (simulator/cx/; after voice and helpdesk, on its own random streams)
      cx: also simulate the CRM (customers, contracts, orders), IVR and bot sessions and surveys,
        with their truth in ground_truth/contacts.csv, cx_daily.csv, customer_*.csv.
      cx_known_caller_rate / cx_known_requester_rate: share of callers / helpdesk requesters who
        are CRM customers.
      cx_cross_channel_rate: share of helpdesk requesters (with an e-mail and no profile phone)
        paired with a caller, so that the same customer calls and writes.
    """

    start: date = date(2026, 10, 12)
    days: int = 30
    seed: int = 42
    site_timezone: str = "Europe/Berlin"
    agents: int = 30
    calls_per_day: int = 2000
    absence_rate: float = 0.05
    bad_days: tuple[int, ...] | None = None
    bad_day_absence_rate: float = 0.3
    queues: tuple[QueueSpec, ...] = field(default_factory=default_queues)
    ring_timeout_seconds: int = 15
    ring_no_answer_rate: float = 0.03
    callback_rate_after_failure: float = 0.5
    callback_rate_after_transfer: float = 0.25
    callback_rate_after_answer: float = 0.04
    anonymous_caller_rate: float = 0.01
    caller_pool_size: int | None = None
    service_level_seconds: int = 20
    short_abandon_seconds: int = 5
    interval_minutes: int = 15
    schedule_horizon_days: int = 14
    helpdesk: bool = True
    tickets_per_day: int = 300
    helpdesk_second_timezone: str = "America/New_York"
    cx: bool = True
    cx_known_caller_rate: float = 0.90
    cx_known_requester_rate: float = 0.92
    cx_cross_channel_rate: float = 0.3

    def __post_init__(self) -> None:
        problems = list(_problems(self))
        if problems:
            raise ValueError("invalid SimulationConfig: " + "; ".join(problems))
        if self.bad_days is not None:
            object.__setattr__(self, "bad_days", tuple(sorted(set(int(d) for d in self.bad_days))))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.site_timezone)

    def bad_day_offsets(self) -> frozenset[int]:
        """Day offsets with heavier absence (see `bad_days`)."""
        if self.bad_days is not None:
            return frozenset(self.bad_days)
        offsets = set()
        for offset in range(3, self.days, 10):
            while (self.start + timedelta(days=offset)).weekday() >= 5:   # move to a weekday
                offset += 1
            if offset < self.days:
                offsets.add(offset)
        return frozenset(offsets)

    def queue_index(self, name: str) -> int:
        for index, queue in enumerate(self.queues):
            if queue.name == name:
                return index
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of every field (dates as ISO strings)."""
        data = dataclasses.asdict(self)
        data["start"] = self.start.isoformat()
        data["bad_days"] = sorted(self.bad_day_offsets())
        return data


def _problems(cfg: SimulationConfig):
    if not isinstance(cfg.start, date):
        yield "start must be a datetime.date"
    if cfg.days < 1:
        yield "days must be >= 1"
    if cfg.agents < 1:
        yield "agents must be >= 1"
    if cfg.calls_per_day < 0:
        yield "calls_per_day must be >= 0"
    for name in ("absence_rate", "bad_day_absence_rate", "ring_no_answer_rate",
                 "callback_rate_after_failure", "callback_rate_after_transfer",
                 "callback_rate_after_answer", "anonymous_caller_rate", "cx_known_caller_rate",
                 "cx_known_requester_rate", "cx_cross_channel_rate"):
        if not 0.0 <= getattr(cfg, name) <= 1.0:
            yield f"{name} must be between 0 and 1"
    if cfg.ring_timeout_seconds < 2:
        yield "ring_timeout_seconds must be >= 2"
    if cfg.service_level_seconds < 0 or cfg.short_abandon_seconds < 0:
        yield "service_level_seconds and short_abandon_seconds must be >= 0"
    if cfg.interval_minutes <= 0 or 60 % cfg.interval_minutes:
        yield "interval_minutes must divide an hour (5, 10, 15, 20, 30 or 60), as in the marts"
    if cfg.schedule_horizon_days < 0:
        yield "schedule_horizon_days must be >= 0"
    if cfg.caller_pool_size is not None and cfg.caller_pool_size < 1:
        yield "caller_pool_size must be >= 1"
    for name in ("site_timezone", "helpdesk_second_timezone"):
        try:
            ZoneInfo(getattr(cfg, name))
        except (ZoneInfoNotFoundError, ValueError):
            yield f"unknown {name} {getattr(cfg, name)!r}"
    if cfg.tickets_per_day < 0:
        yield "tickets_per_day must be >= 0"
    if not cfg.queues:
        yield "at least one queue is needed"
    names = [q.name for q in cfg.queues]
    if len(set(names)) != len(names):
        yield "queue names must be unique"
    for queue in cfg.queues:
        if not queue.name or "|" in queue.name or "," in queue.name or '"' in queue.name:
            yield f"queue name {queue.name!r} must be non-empty without | , or quotes"
        if len(queue.hours) != 7:
            yield f"queue {queue.name}: hours needs 7 entries (Monday..Sunday)"
            continue
        for weekday in range(7):
            window = queue.window(weekday)
            if window is not None and not 0 <= window[0] < window[1] <= 1440:
                yield f"queue {queue.name}: bad hours on {WEEKDAYS[weekday]}"
        if queue.share < 0 or queue.maxlen < 1:
            yield f"queue {queue.name}: share must be >= 0 and maxlen >= 1"
        if queue.max_wait_seconds is not None and queue.max_wait_seconds < 1:
            yield f"queue {queue.name}: max_wait_seconds must be >= 1"
        if queue.blind_transfer_rate + queue.attended_transfer_rate > 1:
            yield f"queue {queue.name}: transfer rates add up to more than 1"
