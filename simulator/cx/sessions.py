"""IVR and chat-bot sessions: what callers and chatters did before (or instead of) an agent.

- Every call that reached a queue (its first queue entry, refused calls included) had an IVR
  session just before: it ends at the entry's instant with `agent_requested`, the queue and the
  callid; its first key is one that leads to that queue (the vip line takes premium numbers
  whatever they press).
- Other IVR sessions end `self_served` (balance, invoice copy, outage information, password
  reset, order status, opening hours) or `abandoned`, from callers, other numbers of the pool,
  CRM customers who never call, or anonymous callers. Some are placed shortly before a call of the
  same number: the customer tried the menu first and then called (a repeat contact).
- Bot sessions (web chat) precede most chats (`agent_requested`, handed to the chat's group);
  others are self-served or abandoned. A logged-in visitor's session carries the CRM customer id;
  some of those come shortly before a ticket of the same customer.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from simulator.callers import ANONYMOUS
from simulator.cx.capture import Call
from simulator.cx.catalog import (
    BOT_SELF_SERVICE,
    IVR_MENU,
    IVR_SELF_SERVICE,
    OTHER,
    QUEUE_KEYS,
    TOPIC_REASONS,
    VIP_KEYS,
)
from simulator.cx.draw import Weighted, between, pick
from simulator.cx.people import Population

AGENT_REQUESTED, SELF_SERVED, ABANDONED = "agent_requested", "self_served", "abandoned"
IVR, BOT = "ivr", "bot"

IVR_SELF_SERVED_PER_CALL = 0.2
IVR_ABANDONED_PER_CALL = 0.05
BOT_BEFORE_CHAT_RATE = 0.7
BOT_SELF_SERVED_PER_CHAT = 0.6
BOT_ABANDONED_PER_CHAT = 0.15
BOT_PER_CALL_WITHOUT_HELPDESK = 0.04
BEFORE_CONTACT_SHARE = 0.3        # of self-served / abandoned sessions: shortly before a contact
LOGGED_IN_RATE = 0.7              # bot visitors who are known customers and logged in


@dataclass(slots=True)
class Session:
    kind: str
    started_at: int
    ended_at: int
    caller_phone: str | None
    customer_ref: str | None
    menu_path: str
    outcome: str
    queue: str = ""
    callid: str = ""
    session_id: str = ""


@dataclass(frozen=True)
class TicketStart:
    """What the sessions need of an inbound ticket."""

    ticket_id: int
    created_at: int
    channel: str
    topic: str
    group_name: str
    customer_id: str | None


_QUEUE_KEYS = {queue: Weighted(keys) for queue, keys in QUEUE_KEYS.items()}
_VIP_KEYS = Weighted(VIP_KEYS)
_IVR_SELF_SERVICE = Weighted(IVR_SELF_SERVICE)
_BOT_SELF_SERVICE = Weighted(BOT_SELF_SERVICE)


_AGENT_OPTIONS = {m.key: [sub for sub, _, self_service in m.options if not self_service] for m in IVR_MENU}


def _agent_path(rng: random.Random, key: str) -> str:
    agent_options = _AGENT_OPTIONS[key]
    if agent_options and rng.random() < 0.85:
        return f"{key}>{pick(rng, agent_options)}"
    return key


def _menu_seconds(rng: random.Random, path: str) -> int:
    return 6 + sum(between(rng, 5, 22) for _ in path.split(">"))


def _delay_before(rng: random.Random, median: float, low: int, high: int) -> int:
    return min(max(round(rng.lognormvariate(math.log(median), 1.2)), low), high)


def intent_of_topic(topic: str) -> str:
    """The bot intent a chatter picks for a ticket topic (its reason; `agent` for other)."""
    reason = TOPIC_REASONS.get(topic, OTHER)
    return "agent" if reason == OTHER else reason


def build_sessions(calls: list[Call], chats: list[TicketStart], tickets: list[TicketStart],
                   population: Population, pool: list[str], bounds: tuple[int, int],
                   rng: random.Random, *, helpdesk: bool) -> list[Session]:
    """Every IVR and bot session of the period, with ids, in (started_at, id) order."""
    period_start, horizon = bounds
    sessions: list[Session] = []
    for call in calls:
        path = _agent_path(rng, _QUEUE_KEYS.get(call.first.queue, _VIP_KEYS).draw(rng))
        phone = None if call.caller == ANONYMOUS else call.caller
        sessions.append(Session(IVR, call.started_at - _menu_seconds(rng, path), call.started_at, phone, None,
                                path, AGENT_REQUESTED, call.first.queue, call.callid))

    def when(at: int) -> int | None:
        """A moment near `at` inside the period, or None."""
        moment = at + between(rng, -1800, 1800)
        return moment if period_start <= moment < horizon - 600 else None

    known_callers = [c for c in calls if c.caller != ANONYMOUS]
    silent_phones = [p.phone for p in population.customers if p.origin == "silent" and p.phone]
    n_self = round(IVR_SELF_SERVED_PER_CALL * len(calls))
    n_abandoned = round(IVR_ABANDONED_PER_CALL * len(calls))
    for index in range(n_self + n_abandoned):
        outcome = SELF_SERVED if index < n_self else ABANDONED
        start: int | None = None
        phone: str | None = None
        if known_callers and rng.random() < BEFORE_CONTACT_SHARE:
            call = pick(rng, known_callers)
            start = call.started_at - 90 - _delay_before(rng, 2 * 3600, 120, 2 * 86400)
            phone = call.caller
            if start < period_start:
                start = None
        if start is None and calls:
            start = when(pick(rng, calls).started_at)
            draw = rng.random()
            if draw < 0.15 and known_callers:
                phone = pick(rng, known_callers).caller
            elif draw < 0.40 and pool:
                phone = pick(rng, pool)
            elif draw < 0.92 and silent_phones:
                phone = pick(rng, silent_phones)
        if start is None:
            continue
        if outcome == SELF_SERVED:
            path = _IVR_SELF_SERVICE.draw(rng)
            seconds = _menu_seconds(rng, path) + between(rng, 20, 150)
        else:
            key = pick(rng, IVR_MENU).key
            path = key if rng.random() < 0.6 else _agent_path(rng, key)
            seconds = _menu_seconds(rng, path) + between(rng, 0, 20)
        sessions.append(Session(IVR, start, start + seconds, phone, None, path, outcome))

    # Bots.
    for chat in chats:
        if rng.random() >= BOT_BEFORE_CHAT_RATE:
            continue
        path = f"{intent_of_topic(chat.topic)}>{chat.topic}"
        logged_in = chat.customer_id if chat.customer_id and rng.random() < LOGGED_IN_RATE else None
        sessions.append(Session(BOT, chat.created_at - between(rng, 30, 150), chat.created_at, None, logged_in,
                                path, AGENT_REQUESTED, chat.group_name))
    if helpdesk:
        n_self = round(BOT_SELF_SERVED_PER_CHAT * len(chats))
        n_abandoned = round(BOT_ABANDONED_PER_CHAT * len(chats))
    else:
        n_self = round(BOT_PER_CALL_WITHOUT_HELPDESK * len(calls))
        n_abandoned = round(n_self / 4)
    known_tickets = [t for t in tickets if t.customer_id]
    times = [t.created_at for t in tickets] or [c.started_at for c in calls]
    customer_ids = [p.customer_id for p in population.customers]
    for index in range(n_self + n_abandoned):
        outcome = SELF_SERVED if index < n_self else ABANDONED
        start = None
        customer = None
        if known_tickets and rng.random() < BEFORE_CONTACT_SHARE:
            ticket = pick(rng, known_tickets)
            start = ticket.created_at - 200 - _delay_before(rng, 3600, 120, 86400)
            customer = ticket.customer_id
            if start < period_start:
                start = None
        if start is None and times:
            start = when(pick(rng, times))
            customer = pick(rng, customer_ids) if customer_ids and rng.random() < 0.55 else None
        if start is None:
            continue
        if outcome == SELF_SERVED:
            path = _BOT_SELF_SERVICE.draw(rng)
            seconds = between(rng, 40, 300)
        else:
            path = pick(rng, ("billing", "technical", "account", "delivery", "sales", "cancellation"))
            seconds = between(rng, 10, 120)
        sessions.append(Session(BOT, start, start + seconds, None, customer, path, outcome))

    sessions.sort(key=lambda s: (s.started_at, s.ended_at, s.kind, s.callid, s.menu_path, s.customer_ref or "",
                                 s.caller_phone or ""))
    counters = {IVR: 0, BOT: 0}
    for session in sessions:
        counters[session.kind] += 1
        session.session_id = f"{session.kind.upper()}{counters[session.kind]:08d}"
    return sessions
