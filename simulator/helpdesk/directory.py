"""Who and what the helpdesk has: groups, agents, end users, schedules, holidays, SLA policies.

All of it is fixed before the first ticket (except end users, who appear with their first
ticket), from the config and one random stream. Ids look like Zendesk's (large integers, below
2**53 so that every JSON reader keeps them exact); timestamps are integer Unix seconds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from simulator.clock import local_day_bounds, local_wall_epoch
from simulator.config import SimulationConfig
from simulator.helpdesk.business import BusinessClock, Holiday, Schedule, weekly_intervals
from simulator.staffing import FIRST_NAMES, LAST_NAMES

SUPPORT, BILLING, TECHNICAL, NORTH_AMERICA = "Support", "Billing", "Technical", "North America"
EU, NA = "eu", "na"                        # requester regions: site schedule / second schedule

GROUP_BASE_ID = 360000100000
USER_BASE_ID = 361000000000
END_USER_BASE_ID = 362000000000
SCHEDULE_BASE_ID = 380000000000
HOLIDAY_BASE_ID = 381000000000
SLA_BASE_ID = 382000000000
SYSTEM_USER_ID = -1                        # Zendesk's updater id for automations and triggers

SUPPORT_ADDRESS = "support@helpdesk.example.com"
PRIORITIES = ("low", "normal", "high", "urgent")


@dataclass(frozen=True)
class GroupInfo:
    id: int
    name: str
    description: str
    schedule_id: int
    created_at: int
    agent_count: int


@dataclass(frozen=True)
class AgentInfo:
    """An agent (or the admin). Active in [active_from, deactivated_at); created at active_from."""

    id: int
    name: str
    email: str
    role: str
    group_id: int | None
    active_from: int
    deactivated_at: int | None = None

    def active(self, epoch: int) -> bool:
        return self.active_from <= epoch and (self.deactivated_at is None or epoch < self.deactivated_at)


@dataclass
class EndUser:
    """A requester. `updates`: later versions as (epoch, phone) (a profile change)."""

    id: int
    name: str
    email: str | None
    region: str
    created_at: int
    updates: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Directory:
    """The helpdesk's fixed setup plus the end users met so far."""

    period_start: int
    horizon: int                      # end of the last simulated site-local day
    schedules: list[Schedule]
    clocks: dict[int, BusinessClock]  # schedule id -> open windows around the period
    groups: list[GroupInfo]
    agents: list[AgentInfo]           # agents first, the admin last
    sla_policies: list[dict]
    setup_at: int                     # when groups, schedules and policies were created
    end_users: list[EndUser] = field(default_factory=list)

    def group(self, name: str) -> GroupInfo:
        return next(g for g in self.groups if g.name == name)

    def group_by_id(self, group_id: int) -> GroupInfo:
        return next(g for g in self.groups if g.id == group_id)

    def clock_of_group(self, group_id: int) -> BusinessClock:
        return self.clocks[self.group_by_id(group_id).schedule_id]

    @property
    def admin(self) -> AgentInfo:
        return self.agents[-1]

    def agents_of(self, group_id: int) -> list[AgentInfo]:
        return [a for a in self.agents if a.group_id == group_id and a.role == "agent"]

    def pick_agent(self, group_id: int, epoch: int, rng: random.Random, prefer: int | None = None,
                   avoid: int | None = None) -> int:
        """An agent of the group active at `epoch`: mostly `prefer` when it is one of them."""
        active = [a.id for a in self.agents_of(group_id) if a.active(epoch) and a.id != avoid]
        if not active:
            return self.admin.id
        if prefer in active and rng.random() < 0.92:
            return prefer
        return rng.choice(active)


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _email(name: str, number: int, domain: str) -> str:
    return f"{name.lower().replace(' ', '.')}.{number}@{domain}"


def _midweek_on_or_after(start: date, offset: int) -> date:
    """The first Tuesday-Thursday at or after start + offset (holidays fall midweek here)."""
    day = start + timedelta(days=max(offset, 0))
    while day.weekday() not in (1, 2, 3):
        day += timedelta(days=1)
    return day


def build_schedules(cfg: SimulationConfig) -> list[Schedule]:
    """The site schedule (Mon-Fri 08:00-18:00, two holidays) and a second one in another zone.

    Holidays: one day near the first third of the period and two days from the second third,
    each moved to the next Tuesday-Thursday; the second schedule has one of its own near the
    middle. In short runs they may fall after the last day.
    """
    first = _midweek_on_or_after(cfg.start, cfg.days // 3)
    second = _midweek_on_or_after(cfg.start, max(2 * cfg.days // 3, (first - cfg.start).days + 2))
    other = _midweek_on_or_after(cfg.start, cfg.days // 2)
    site = Schedule(
        id=SCHEDULE_BASE_ID + 1, name="Support hours", timezone=cfg.site_timezone,
        intervals=weekly_intervals(range(5), 8 * 60, 18 * 60),
        holidays=(
            Holiday(HOLIDAY_BASE_ID + 1, "Company day", first, first),
            Holiday(HOLIDAY_BASE_ID + 2, "Autumn holidays", second, second + timedelta(days=1)),
        ),
    )
    second_zone = cfg.helpdesk_second_timezone
    north_america = Schedule(
        id=SCHEDULE_BASE_ID + 2, name="North America hours", timezone=second_zone,
        intervals=weekly_intervals(range(5), 9 * 60, 17 * 60),
        holidays=(Holiday(HOLIDAY_BASE_ID + 3, "Regional holiday", other, other),),
    )
    return [site, north_america]


#: Zendesk's numeric via ids (the "Via types reference") -> the `via.channel` text of tickets
#: created that way. The same rows as dbt_project/seeds/zendesk_via_types.csv, repeated here
#: because the simulator imports nothing else of the project (a unit test keeps both equal).
#: An SLA condition `via_id is N` matches a ticket whose channel is VIA_CHANNELS[N].
VIA_CHANNELS = {
    0: "web", 4: "email", 5: "api", 8: "rule", 29: "chat", 30: "twitter", 33: "voice", 34: "voice",
    35: "voice", 38: "facebook", 41: "facebook", 75: "native_messaging",
}
VIA_ID_CHAT, VIA_ID_NATIVE_MESSAGING = 29, 75


def _sla_policies(groups: dict[str, GroupInfo], created_at: int) -> list[dict]:
    """Three policies, matched by position: live channels (calendar time), North America and a
    catch-all standard policy (business hours). Targets in minutes per priority. Channel
    conditions use Zendesk's numeric via ids, as the API serves them."""
    def metrics(targets: dict[str, tuple[int, int, int, int]], business: bool) -> list[dict]:
        return [
            {"priority": priority, "metric": metric, "target": values[i], "business_hours": business}
            for metric, values in targets.items()
            for i, priority in enumerate(PRIORITIES)
        ]

    return [
        {
            "id": SLA_BASE_ID + 1, "title": "Live channels", "description": "Chat and messaging, around the clock",
            "position": 1,
            "filter": {"all": [], "any": [
                {"field": "via_id", "operator": "is", "value": VIA_ID_CHAT},
                {"field": "via_id", "operator": "is", "value": VIA_ID_NATIVE_MESSAGING},
            ]},
            "policy_metrics": metrics({
                "first_reply_time": (30, 15, 10, 5),
                "next_reply_time": (60, 30, 15, 10),
                "requester_wait_time": (1440, 720, 480, 240),
            }, business=False),
            "created_at": created_at, "updated_at": created_at,
        },
        {
            "id": SLA_BASE_ID + 2, "title": "North America", "description": "Tickets of the North America team",
            "position": 2,
            "filter": {"all": [{"field": "group_id", "operator": "is", "value": groups[NORTH_AMERICA].id}], "any": []},
            "policy_metrics": metrics({
                "first_reply_time": (480, 240, 120, 60),
                "next_reply_time": (960, 480, 240, 120),
                "requester_wait_time": (2880, 1920, 960, 480),
            }, business=True),
            "created_at": created_at, "updated_at": created_at,
        },
        {
            "id": SLA_BASE_ID + 3, "title": "Standard", "description": "Every other ticket",
            "position": 3,
            "filter": {"all": [], "any": []},
            "policy_metrics": metrics({
                "first_reply_time": (480, 240, 120, 60),
                "next_reply_time": (960, 480, 240, 120),
                "requester_wait_time": (2880, 1920, 960, 480),
            }, business=True),
            "created_at": created_at, "updated_at": created_at,
        },
    ]


def build_directory(cfg: SimulationConfig, rng: random.Random) -> Directory:
    """Groups, agents (one deactivated mid-period, one hired during it), schedules and policies."""
    tz = cfg.tz
    period_start = local_day_bounds(cfg.start, tz)[0]
    horizon = local_day_bounds(cfg.start + timedelta(days=cfg.days - 1), tz)[1]
    schedules = build_schedules(cfg)
    clocks = {
        s.id: BusinessClock(s, cfg.start - timedelta(days=14), cfg.start + timedelta(days=cfg.days + 90))
        for s in schedules
    }
    setup_at = period_start - 400 * 86400
    site_id, other_id = schedules[0].id, schedules[1].id
    scale = max(1.0, cfg.tickets_per_day / 300)
    specs = (
        (SUPPORT, "First-line support for every channel", site_id, round(8 * scale)),
        (BILLING, "Invoices, payments and refunds", site_id, round(3 * scale)),
        (TECHNICAL, "Second-line technical support (escalations)", site_id, round(3 * scale)),
        (NORTH_AMERICA, "Customers in North America (schedule: North America hours)", other_id, round(3 * scale)),
    )
    groups = [
        GroupInfo(id=GROUP_BASE_ID + i + 1, name=name, description=text, schedule_id=schedule,
                  created_at=setup_at + i * 3600, agent_count=count)
        for i, (name, text, schedule, count) in enumerate(specs)
    ]
    agents: list[AgentInfo] = []
    number = 0
    for group in groups:
        for _ in range(group.agent_count):
            number += 1
            name = _name(rng)
            agents.append(AgentInfo(
                id=USER_BASE_ID + number, name=name, email=_email(name, number, "helpdesk.example.com"),
                role="agent", group_id=group.id,
                active_from=period_start - rng.randint(30, 700) * 86400 - rng.randint(0, 86399),
            ))
    # One support agent leaves half-way (keeping the history), one joins after a third. The leaver
    # stays an agent here (and in the truth); its Zendesk user is downgraded then (data.render).
    leaver = 1
    deactivated = local_wall_epoch(cfg.start + timedelta(days=cfg.days // 2), 13 * 60, tz)
    agents[leaver] = AgentInfo(**{**vars(agents[leaver]), "deactivated_at": deactivated})
    number += 1
    name = _name(rng)
    agents.append(AgentInfo(
        id=USER_BASE_ID + number, name=name, email=_email(name, number, "helpdesk.example.com"),
        role="agent", group_id=groups[0].id,
        active_from=local_wall_epoch(cfg.start + timedelta(days=cfg.days // 3), 9 * 60, tz),
    ))
    agents.append(AgentInfo(
        id=USER_BASE_ID + 999, name="Helpdesk Admin", email="admin@helpdesk.example.com", role="admin",
        group_id=groups[0].id, active_from=setup_at,
    ))
    return Directory(
        period_start=period_start, horizon=horizon, schedules=schedules, clocks=clocks, groups=groups,
        agents=agents, sla_policies=_sla_policies({g.name: g for g in groups}, setup_at + 7200),
        setup_at=setup_at,
    )
