"""The life of one ticket: who writes what, when, and which fields change.

A ticket is a sequence of `Action`s (Zendesk's audits): the creation, agent replies and internal
notes, customer replies, status changes, reassignments, a satisfaction survey and the closure. Each
ticket is played from its creation to its end or to the horizon (the end of the last simulated
day), whichever comes first; what would happen later is not recorded.

Timing is what makes business and calendar time differ: an agent's delay is drawn in *business*
seconds of the ticket's group schedule and laid onto its open windows (a mail that arrives on
Friday evening is read on Monday morning), except that a few tickets waiting outside business
hours are picked up by someone on duty. Customers answer in calendar time and mostly not at night.

Statuses follow Zendesk: new (nobody touched it), open, pending (waiting for the customer), hold
(waiting for a third party), solved, closed (by an automation, on the first full hour four days
after the last solve; a closed ticket never changes again) and deleted (spam). A customer reply
to a pending or solved ticket opens it again: a reply to a solved one is a reopen.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from simulator.helpdesk.directory import (
    BILLING,
    SUPPORT,
    SYSTEM_USER_ID,
    TECHNICAL,
    Directory,
    EndUser,
)
from simulator.helpdesk.texts import Texts
from simulator.helpdesk.traffic import ChannelSpec

NEW, OPEN, PENDING, HOLD, SOLVED, CLOSED, DELETED = "new", "open", "pending", "hold", "solved", "closed", "deleted"
UNRESOLVED = (NEW, OPEN, PENDING, HOLD)
CLOSE_AFTER_SECONDS = 4 * 86400
SURVEY_AFTER_SECONDS = 86400
MAX_ACTIONS = 80


@dataclass(slots=True)
class Comment:
    author_id: int
    public: bool
    body: str


@dataclass(slots=True)
class Action:
    """One audit: who (updater_id; -1 = an automation) changed what, through which channel.

    changes: (field, new value) for status, priority, group_id, assignee_id, satisfaction_score.
    rating: (score, comment) when the requester rated the ticket.
    """

    at: int
    updater_id: int
    via: str
    changes: list[tuple[str, object]]
    comment: Comment | None = None
    rating: tuple[str, str | None] | None = None


@dataclass
class RatingRecord:
    """A satisfaction survey: offered by an automation, maybe answered (good/bad) later."""

    ticket_id: int
    offered_at: int
    assignee_id: int | None
    group_id: int
    requester_id: int
    answered_at: int | None = None
    score: str | None = None
    comment: str | None = None
    id: int = 0


@dataclass
class TicketRecord:
    """A simulated ticket: what it was created with and every action up to the horizon."""

    id: int
    channel: str
    region: str
    is_outbound: bool
    created_at: int
    requester: EndUser
    submitter_id: int
    subject: str
    description: str
    ticket_type: str | None
    tags: list[str]
    schedule_id: int
    actions: list[Action] = field(default_factory=list)
    rating: RatingRecord | None = None


def lognormal_seconds(rng: random.Random, median_seconds: float, sigma: float, minimum: int = 1) -> int:
    return max(minimum, int(rng.lognormvariate(math.log(median_seconds), sigma)))


class Lifecycle:
    """Plays one ticket. `play()` fills `record.actions` (and `record.rating`)."""

    def __init__(self, record: TicketRecord, directory: Directory, spec: ChannelSpec, rng: random.Random,
                 texts: Texts, *, group_id: int, priority: str | None, spam: bool, region_tz: tzinfo) -> None:
        self.record = record
        self.d = directory
        self.spec = spec
        self.rng = rng
        self.texts = texts
        self.horizon = directory.horizon
        self.region_tz = region_tz
        self.spam = spam
        self.status = NEW
        self.group_id = group_id
        self.assignee_id: int | None = None
        self.priority = priority
        self.last_at = record.created_at - 1
        self.done = False
        self.escalated = False
        self.held = False
        self.solves = 0
        self.agent_acted = False
        self.leaver = next((a for a in directory.agents if a.deactivated_at is not None), None)

    # -- recording -----------------------------------------------------------------------------

    def _add(self, at: int, updater: int, via: str, changes: list[tuple[str, object]],
             comment: Comment | None = None, rating: tuple[str, str | None] | None = None) -> bool:
        """Record an action at `at` (moved after the previous one); False past the horizon."""
        self._reassign_from_leaver(max(at, self.last_at + 1))
        at = max(at, self.last_at + 1)
        if at > self.horizon or len(self.record.actions) >= MAX_ACTIONS:
            self.done = True
            return False
        effective = []
        for name, value in changes:
            current = getattr(self, _STATE[name]) if name in _STATE else None
            if name in _STATE and current == value:
                continue
            if name in _STATE:
                setattr(self, _STATE[name], value)
            effective.append((name, value))
        self.record.actions.append(Action(at, updater, via, effective, comment, rating))
        self.last_at = at
        return True

    def _reassign_from_leaver(self, before: int) -> None:
        """When the deactivated agent still holds an unresolved ticket, the admin hands it over
        to a colleague at the moment of the deactivation."""
        leaver = self.leaver
        if (leaver is None or self.assignee_id != leaver.id or self.status not in UNRESOLVED
                or not self.last_at < leaver.deactivated_at <= min(before, self.horizon)):
            return
        at = leaver.deactivated_at
        other = self.d.pick_agent(self.group_id, at, self.rng, avoid=leaver.id)
        self.assignee_id = other
        self.record.actions.append(Action(at, self.d.admin.id, "web", [("assignee_id", other)]))
        self.last_at = at

    # -- timing --------------------------------------------------------------------------------

    def agent_time(self, after: int, median_minutes: float, sigma: float = 0.9) -> int:
        """When an agent acts, `median_minutes` of business time (typically) after `after`."""
        clock = self.d.clock_of_group(self.group_id)
        if not clock.is_open(after) and self.rng.random() < self.spec.after_hours_rate:
            return after + lognormal_seconds(self.rng, 35 * 60, 0.8, 60)
        at = clock.after(after, lognormal_seconds(self.rng, median_minutes * 60, sigma, 30))
        return at if at is not None else self.horizon + 1

    def customer_time(self, after: int, median_minutes: float, sigma: float = 1.1) -> int:
        """When the customer answers: calendar time, mostly not between 23:00 and 07:00."""
        at = after + lognormal_seconds(self.rng, median_minutes * 60, sigma, 20)
        local = datetime.fromtimestamp(at, self.region_tz)
        if (local.hour >= 23 or local.hour < 7) and self.rng.random() < 0.85:
            morning = local.replace(hour=7, minute=0, second=0, microsecond=0)
            if local.hour >= 23:
                morning += timedelta(days=1)
            at = int(morning.timestamp()) + self.rng.randint(0, 3 * 3600)
        return at

    # -- the ticket ------------------------------------------------------------------------------

    def play(self, creator: int, initial_status: str, first_comment: Comment, via: str) -> None:
        record = self.record
        changes: list[tuple[str, object]] = [("status", initial_status), ("priority", self.priority),
                                             ("group_id", self.group_id)]
        if record.is_outbound:
            changes.append(("assignee_id", creator))
        self.status = ""   # so that the creation records every initial field
        self.priority = None
        self.group_id = None
        self._add(record.created_at, creator, via, changes, first_comment)
        if record.channel == "chat":
            self._chat()
        while not self.done:
            if self.status in (NEW, OPEN):
                self._agent_turn()
            elif self.status == HOLD:
                self._resume_from_hold()
            elif self.status == PENDING:
                self._pending()
            elif self.status == SOLVED:
                self._solved()
            else:
                break
        if not self.done:
            self._reassign_from_leaver(self.horizon)

    def _customer_via(self) -> str:
        channel = self.record.channel
        return "email" if channel == "web" else channel

    def _agent_via(self) -> str:
        channel = self.record.channel
        return channel if channel in ("chat", "native_messaging", "twitter", "facebook") else "web"

    def _customer_says(self, at: int, reopen: bool = False) -> bool:
        requester = self.record.requester.id
        status = [("status", OPEN)] if self.status in (PENDING, SOLVED, HOLD) else []
        body = self.texts.customer_reopen(self.rng) if reopen else self.texts.customer_reply(self.rng)
        return self._add(at, requester, self._customer_via(), status, Comment(requester, True, body))

    def _chat(self) -> None:
        """A live chat: picked up within seconds, a few exchanges, usually solved at its end."""
        rng = self.rng
        agent = self.d.pick_agent(self.group_id, self.record.created_at, rng)
        t = self.record.created_at + rng.randint(15, 120)
        if not self._add(t, agent, "chat", [("assignee_id", agent), ("status", OPEN)],
                         Comment(agent, True, self.texts.chat_greeting(rng))):
            return
        self.agent_acted = True
        for _ in range(rng.randint(1, 4)):
            t = self.last_at + rng.randint(20, 180)
            if not self._customer_says(t):
                return
            t = self.last_at + rng.randint(15, 120)
            if not self._add(t, agent, "chat", [], Comment(agent, True, self.texts.agent_reply(rng))):
                return
        t = self.last_at + rng.randint(30, 240)
        if rng.random() < 0.88:
            self._solve(t, agent, comment=False)
        else:
            self._add(t, agent, "chat", [("status", PENDING)], Comment(agent, True, self.texts.follow_up(rng)))

    def _agent_turn(self) -> None:
        """The ticket waits for an agent: maybe a chaser from the customer, then the agent acts."""
        rng = self.rng
        if self.escalated and not self.assignee_id:
            median = 240.0
        elif not self.agent_acted:
            median = self.spec.agent_minutes
        else:
            median = self.spec.agent_minutes * 0.8
        at = self.agent_time(self.last_at, median)
        if rng.random() < 0.07:
            chaser = self.customer_time(self.last_at, 90)
            if chaser < at and not self._customer_says(chaser):
                return
        if self.done:
            return
        self._agent_acts(max(at, self.last_at + 1))

    def _agent_acts(self, at: int) -> None:
        rng = self.rng
        texts = self.texts
        agent = self.d.pick_agent(self.group_id, at, rng, prefer=self.assignee_id)
        via = self._agent_via()
        first = not self.agent_acted
        self.agent_acted = True
        if self.spam and first:
            self._add(at, agent, "web", [("status", DELETED)])
            self.done = True
            return
        group_name = self.d.group_by_id(self.group_id).name
        if group_name == SUPPORT and not self.escalated and rng.random() < 0.08:
            target = self.d.group(TECHNICAL if rng.random() < 0.7 else BILLING)
            self.escalated = True
            self._add(at, agent, "web", [("status", OPEN), ("group_id", target.id), ("assignee_id", None)],
                      Comment(agent, False, texts.escalation_note(rng, target.name)))
            return
        if rng.random() < 0.04:
            other = self.d.pick_agent(self.group_id, at, rng, avoid=agent)
            if other != agent:
                self._add(at, agent, "web", [("status", OPEN), ("assignee_id", other)],
                          Comment(agent, False, texts.handover_note(rng)))
                return
        if rng.random() < 0.12:
            note = Comment(agent, False, texts.internal_note(rng))
            if not self._add(at, agent, "web", [("assignee_id", agent)], note):
                return
            at = self.last_at + rng.randint(60, 900)
        changes: list[tuple[str, object]] = [("assignee_id", agent)]
        if rng.random() < 0.03:
            changes.append(("priority", rng.choice(("high", "urgent")) if self.priority != "urgent" else "high"))
        r = rng.random()
        if not self.held and r < 0.06:
            self.held = True
            changes.append(("status", HOLD))
            body = texts.hold_reply(rng)
        elif r < 0.14:
            changes.append(("status", OPEN))
            body = texts.agent_reply(rng)
        elif r < 0.62:
            changes.append(("status", PENDING))
            body = texts.question(rng)
        else:
            self._solve(at, agent, comment=True, extra=changes)
            return
        self._add(at, agent, via, changes, Comment(agent, True, body))

    def _resume_from_hold(self) -> None:
        at = self.agent_time(self.last_at, 480)
        agent = self.d.pick_agent(self.group_id, at, self.rng, prefer=self.assignee_id)
        if self.rng.random() < 0.5:
            self._solve(at, agent, comment=True, extra=[("assignee_id", agent)])
        else:
            self._add(at, agent, self._agent_via(), [("assignee_id", agent), ("status", PENDING)],
                      Comment(agent, True, self.texts.question(self.rng)))

    def _pending(self) -> None:
        rng = self.rng
        reply_rate = 0.55 if self.record.is_outbound else 0.72
        if rng.random() < reply_rate:
            self._customer_says(self.customer_time(self.last_at, self.spec.customer_minutes))
            return
        at = self.agent_time(self.last_at, 1500, sigma=0.5)
        agent = self.d.pick_agent(self.group_id, at, rng, prefer=self.assignee_id)
        self._solve(at, agent, comment=rng.random() < 0.5, extra=[("assignee_id", agent)])

    def _solve(self, at: int, agent: int, *, comment: bool, extra: list | None = None) -> None:
        changes = [c for c in (extra or []) if c[0] != "status"] + [("status", SOLVED)]
        body = Comment(agent, True, self.texts.solution(self.rng)) if comment else None
        if self._add(at, agent, self._agent_via() if comment else "web", changes, body):
            self.solves += 1

    def _solved(self) -> None:
        """Solved: the customer may reopen it within four days; otherwise maybe a survey, then closure."""
        rng = self.rng
        solved_at = self.last_at
        close_at = -(-(solved_at + CLOSE_AFTER_SECONDS) // 3600) * 3600
        reopen_rate = 0.09 if self.solves == 1 else 0.04
        if rng.random() < reopen_rate:
            at = solved_at + lognormal_seconds(rng, 18 * 3600, 1.0, 600)
            if at < close_at - 60:
                self._customer_says(at, reopen=True)
                return
        record = self.record
        if (record.rating is None and record.requester.email is not None
                and solved_at + SURVEY_AFTER_SECONDS < close_at):
            self._survey(solved_at, close_at)
            if self.done:
                return
        if self._add(close_at, SYSTEM_USER_ID, "rule", [("status", CLOSED)]):
            self.done = True

    def _survey(self, solved_at: int, close_at: int) -> None:
        rng = self.rng
        record = self.record
        offered_at = solved_at + SURVEY_AFTER_SECONDS
        if not self._add(offered_at, SYSTEM_USER_ID, "rule", [("satisfaction_score", "offered")]):
            return
        record.rating = RatingRecord(ticket_id=record.id, offered_at=self.last_at, assignee_id=self.assignee_id,
                                     group_id=self.group_id, requester_id=record.requester.id)
        if rng.random() >= 0.35:
            return
        at = offered_at + lognormal_seconds(rng, 5 * 3600, 1.0, 120)
        if at >= close_at - 60:
            return
        bad_rate = 0.10 + 0.25 * (self.solves > 1) + 0.12 * (solved_at - record.created_at > 3 * 86400)
        score = "bad" if rng.random() < bad_rate else "good"
        text = self.texts.rating_comment(rng, score) if rng.random() < 0.4 else None
        requester = record.requester.id
        if self._add(at, requester, "web", [("satisfaction_score", score)], rating=(score, text)):
            record.rating.answered_at = self.last_at
            record.rating.score = score
            record.rating.comment = text


#: Ticket fields an action may change -> the attribute of Lifecycle holding the current value.
_STATE = {"status": "status", "priority": "priority", "group_id": "group_id", "assignee_id": "assignee_id"}

__all__ = [
    "CLOSED", "DELETED", "HOLD", "NEW", "OPEN", "PENDING", "SOLVED", "UNRESOLVED",
    "Action", "Comment", "Lifecycle", "RatingRecord", "TicketRecord",
]
