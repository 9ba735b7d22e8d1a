"""`simulate_helpdesk()`: the tickets of a configured run, from arrivals to the horizon.

Random streams are derived from the config's seed with a helpdesk-only key, so turning the
helpdesk on or off (or changing its volume) never changes the voice simulation, and the same
config always gives the same tickets.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

import numpy as np

from simulator.config import SimulationConfig
from simulator.helpdesk.directory import (
    BILLING,
    END_USER_BASE_ID,
    EU,
    NA,
    NORTH_AMERICA,
    SUPPORT,
    Directory,
    EndUser,
    build_directory,
)
from simulator.helpdesk.lifecycle import NEW, PENDING, Comment, Lifecycle, TicketRecord
from simulator.helpdesk.texts import Texts
from simulator.helpdesk.traffic import CHANNELS, NORTH_AMERICA_SHARE, OUTBOUND, Stream, day_arrivals
from simulator.staffing import FIRST_NAMES, LAST_NAMES

#: Mixed into the seed so that the helpdesk streams are independent of the voice streams.
HELPDESK_STREAM_KEY = 0x48454C50   # "HELP"
FIRST_TICKET_ID = 1001
SOCIAL = ("twitter", "facebook")
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")


@dataclass
class HelpdeskSimulation:
    """The simulated helpdesk: its setup and every ticket with its actions (up to the horizon)."""

    cfg: SimulationConfig
    directory: Directory
    tickets: list[TicketRecord]

    @property
    def site_tz(self) -> ZoneInfo:
        return self.cfg.tz


class _People:
    """End users: new ones appear with their first ticket; about a third of tickets come from
    someone who wrote before. Social requesters have no e-mail address, half the messaging ones."""

    def __init__(self, directory: Directory, rng: random.Random) -> None:
        self.d = directory
        self.rng = rng
        self.known: dict[str, list[EndUser]] = {EU: [], NA: []}

    def requester(self, channel: str, region: str, at: int, *, needs_email: bool = False) -> EndUser:
        rng = self.rng
        known = self.known[region]
        if known and rng.random() < 0.3:
            user = rng.choice(known)
            if user.email is not None or not needs_email:
                return user
        number = len(self.d.end_users) + 1
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if channel in SOCIAL and not needs_email:
            name, email = f"@{first.lower()}{last.lower()[:3]}{number}", None
        else:
            name = f"{first} {last}"
            email = f"{first.lower()}.{last.lower()}.{number}@{rng.choice(EMAIL_DOMAINS)}"
            if channel == "native_messaging" and not needs_email and rng.random() < 0.5:
                email = None
        created = at if rng.random() < 0.8 else (
            self.d.period_start - rng.randint(1, 900) * 86400 - rng.randint(0, 86399))
        user = EndUser(id=END_USER_BASE_ID + number, name=name, email=email, region=region, created_at=created)
        if rng.random() < 0.06:
            changed = at + rng.randint(3600, 10 * 86400)
            if changed <= self.d.horizon:
                user.updates.append((changed, f"+44 20 7946 {rng.randint(0, 999):04d}"))
        self.d.end_users.append(user)
        known.append(user)
        return user


def _priority(rng: random.Random, channel: str) -> str | None:
    if channel in ("email", "web"):
        return rng.choices((None, "low", "normal", "high", "urgent"), (0.08, 0.15, 0.50, 0.20, 0.07))[0]
    return "high" if rng.random() < 0.2 else "normal"


def _ticket_type(rng: random.Random) -> str | None:
    return rng.choices((None, "question", "incident", "task", "problem"), (0.13, 0.50, 0.30, 0.05, 0.02))[0]


def simulate_helpdesk(cfg: SimulationConfig) -> HelpdeskSimulation:
    """Simulate every ticket of the period (arrivals day by day, each ticket played to its end)."""
    seeds = np.random.SeedSequence([cfg.seed, HELPDESK_STREAM_KEY]).generate_state(4, dtype=np.uint64).tolist()
    arrival_rng = np.random.default_rng(seeds[0])
    rng = random.Random(seeds[1])
    directory = build_directory(cfg, random.Random(seeds[2]))
    people = _People(directory, random.Random(seeds[3]))
    texts = Texts()
    site, other = directory.schedules
    zones = {EU: ZoneInfo(site.timezone), NA: ZoneInfo(other.timezone)}
    streams = [
        Stream(channel=spec, region=region,
               share=spec.share * (NORTH_AMERICA_SHARE if region == NA else 1 - NORTH_AMERICA_SHARE),
               clock=directory.clocks[(other if region == NA else site).id], tz=zones[region])
        for spec in CHANNELS for region in (EU, NA)
    ]
    tickets: list[TicketRecord] = []
    for offset in range(cfg.days):
        day = cfg.start + timedelta(days=offset)
        for epoch, index in day_arrivals(day, cfg.tz, streams, cfg.tickets_per_day, arrival_rng):
            tickets.append(_play_ticket(FIRST_TICKET_ID + len(tickets), epoch, streams[index], directory,
                                        people, rng, texts, zones))
    return HelpdeskSimulation(cfg=cfg, directory=directory, tickets=tickets)


def _play_ticket(ticket_id: int, at: int, stream: Stream, d: Directory, people: _People,
                 rng: random.Random, texts: Texts, zones: dict) -> TicketRecord:
    spec = stream.channel
    region = stream.region
    if spec.name == OUTBOUND:
        group = d.group(NORTH_AMERICA if region == NA else (BILLING if rng.random() < 0.3 else SUPPORT))
        agent = d.pick_agent(group.id, at, rng)
        requester = people.requester("email", region, at, needs_email=True)
        tag, subject, body = texts.outbound(rng)
        record = TicketRecord(
            id=ticket_id, channel="web", region=region, is_outbound=True, created_at=at, requester=requester,
            submitter_id=agent, subject=subject, description=body, ticket_type="task", tags=[tag],
            schedule_id=group.schedule_id,
        )
        life = Lifecycle(record, d, spec, rng, texts, group_id=group.id, priority="normal", spam=False,
                         region_tz=zones[region])
        life.agent_acted = True
        life.play(agent, PENDING, Comment(agent, True, body), "web")
        return record
    channel = spec.name
    tag, subject, body, billing = texts.topic(rng, 0.22 if channel in ("email", "web") else 0.10)
    if region == NA:
        group = d.group(NORTH_AMERICA)
    elif billing and channel in ("email", "web"):
        group = d.group(BILLING)
    else:
        group = d.group(SUPPORT)
    requester = people.requester(channel, region, at)
    tags = [tag] + (["vip"] if rng.random() < 0.05 else [])
    spam = channel in ("email", "web") and rng.random() < 0.02
    if spam:
        subject, body, tags = "You have won a prize", "Click here to claim your prize.", ["spam"]
    record = TicketRecord(
        id=ticket_id, channel=channel, region=region, is_outbound=False, created_at=at, requester=requester,
        submitter_id=requester.id, subject=subject, description=body, ticket_type=_ticket_type(rng), tags=tags,
        schedule_id=group.schedule_id,
    )
    life = Lifecycle(record, d, spec, rng, texts, group_id=group.id, priority=_priority(rng, channel), spam=spam,
                     region_tz=zones[region])
    life.play(requester.id, NEW, Comment(requester.id, True, body), channel)
    return record
