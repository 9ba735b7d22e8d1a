"""The helpdesk ground truth: ticket KPIs computed in Python from the simulation's own actions.

Computed from the `TicketRecord`s (never from the JSON the server serves), with the rules of the
KPI sheet ("Tickets, chat, email, messaging") and these choices:

- An agent is a user with role agent or admin (a deactivated agent still is one). A *public agent
  reply* is a public comment by an agent in any audit but the creation: the opening message of a
  ticket an agent created (outbound) is not a reply.
- first_reply: created -> the first public agent reply; NULL for outbound tickets (the agent spoke
  first) and while there is none.
- first_resolution: created -> the first change of status to solved; full_resolution: created ->
  the last one, only when the ticket is solved or closed at the horizon (NULL while reopened).
- reopens = solves - 1 (NULL when never solved).
- Business minutes count the open time of the schedule of the ticket's group (site schedule, or the
  second one for North America; tickets never move between those), in that schedule's zone, without
  its holidays. Minutes are seconds / 60, rounded to 4 decimals (sums: summed in seconds first).
- ticket_daily, per site-local day, channel (via.channel) and group:
  created: tickets created that day, in the group they were created in, except the ones deleted
  (spam: counted in `deleted` instead, and measured nowhere); solved: tickets first
  reaching solved that day, in the group they had then; backlog: tickets not solved, closed or
  deleted at the end of the day, in the group they had then; the first reply and resolution
  counts and sums belong to the row where the ticket was created (like a call's wait belongs to
  the interval it was offered in). Only rows with something to count.

ticket_sla (ground_truth/ticket_sla.csv): one row per SLA metric instance, with these rules (the
project's decisions, close to Zendesk's but written down so that the warehouse can match them):

- Policies are evaluated in `position` order. A policy matches a ticket state when every `all`
  condition holds and, if `any` is non-empty, at least one `any` condition holds. Conditions:
  `via_id` (the ticket's channel, through Zendesk's via ids: `via_id is N` holds when the channel
  of via id N is the ticket's `via.channel`) and `group_id`, with the operators `is` / `is_not`.
  The first matching policy applies; its policy_metrics row for (the ticket's priority, the
  metric) gives the target (minutes) and business_hours. No priority, no such row, or no
  matching policy: no instance row.
- The policy and target of an instance are fixed by the ticket's state (channel, group,
  priority) right after the audit that starts the instance. Deleted tickets have no SLA rows.
- first_reply_time: one instance per ticket, from the creation to the first public agent reply
  (as for first_reply above). Outbound tickets (the agent wrote first) have none.
- next_reply_time: starts at a public comment by an end user (not an agent) that comes after a
  public agent comment (an outbound ticket's opening comment counts as one) while no instance is
  running; fulfilled by the next public agent comment. End-user comments while one runs start
  nothing. Internal notes never count. (An end-user comment for which no policy applies, e.g.
  no priority yet, records nothing and leaves nothing running.)
- requester_wait_time: one instance per ticket from the creation; it accumulates the time spent
  in status new, open or hold (not pending, solved, closed) and is fulfilled at the last solve
  when the ticket is solved or closed at the horizon; otherwise it is still running.
- Elapsed time: calendar seconds or, when the policy metric has business_hours, the business
  seconds of the ticket's schedule (as for the business minutes above; requester_wait_time sums
  the business seconds of each counted status interval). A running clock stops at the latest
  instant anything happened in the helpdesk (`data_as_of`: what a warehouse that loaded
  everything knows; the horizon itself may be minutes later).
- breached: fulfilled -> elapsed > target * 60 s; running -> true when the elapsed
  time so far is over the target, else NULL (still running, not breached yet).
- Columns: elapsed_minutes = seconds / 60 (4 decimals) as of the fulfilment or data_as_of;
  fulfilled_at is NULL while running; rows in (ticket_id, metric, instance) order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from simulator.clock import iso_utc, local_day_bounds
from simulator.helpdesk.business import BusinessClock
from simulator.helpdesk.directory import VIA_CHANNELS
from simulator.helpdesk.lifecycle import CLOSED, DELETED, HOLD, NEW, OPEN, SOLVED, TicketRecord
from simulator.helpdesk.simulation import HelpdeskSimulation
from simulator.truth import _write_csv

TICKET_COLUMNS = (
    "ticket_id", "channel", "is_outbound", "report_date", "created_at", "status", "priority",
    "group_id", "group_name", "created_group_id", "solved_group_id", "assignee_id", "solved_assignee_id",
    "requester_id", "submitter_id", "schedule_id", "first_reply_at", "first_reply_agent_id", "first_solved_at",
    "last_solved_at",
    "solves", "reopens", "public_agent_replies", "internal_notes", "first_reply_minutes",
    "first_reply_business_minutes", "first_resolution_minutes", "first_resolution_business_minutes",
    "full_resolution_minutes", "full_resolution_business_minutes", "satisfaction_score",
)
DAILY_KEY_COLUMNS = ("report_date", "channel", "group_id", "group_name")
DAILY_COLUMNS = (
    "created", "deleted", "solved", "backlog",
    "first_reply_count", "first_reply_minutes_sum", "first_reply_business_minutes_sum",
    "first_resolution_count", "first_resolution_minutes_sum", "first_resolution_business_minutes_sum",
    "full_resolution_count", "full_resolution_minutes_sum", "full_resolution_business_minutes_sum",
)
_METRICS = ("first_reply", "first_resolution", "full_resolution")
SLA_COLUMNS = (
    "ticket_id", "metric", "instance", "policy_id", "policy_title", "priority", "target_minutes",
    "business_hours", "started_at", "fulfilled_at", "elapsed_minutes", "breached",
)
SLA_METRICS = ("first_reply_time", "next_reply_time", "requester_wait_time")
#: Statuses in which the requester waits (requester_wait_time runs).
REQUESTER_WAITS = (NEW, OPEN, HOLD)


def minutes_text(seconds: int | None) -> str:
    return "" if seconds is None else f"{seconds / 60:.4f}"


@dataclass
class TicketTruth:
    """The truth of one ticket (seconds for durations; None = NULL)."""

    record: TicketRecord
    status: str
    priority: str | None
    group_id: int
    created_group_id: int
    solved_group_id: int | None
    assignee_id: int | None
    solved_assignee_id: int | None
    first_reply_at: int | None
    first_reply_agent_id: int | None
    solve_times: list[int]
    public_agent_replies: int
    internal_notes: int
    seconds: dict[str, int | None]            # <metric> and <metric>_business
    status_changes: list[tuple[int, str]]     # (epoch, status)
    group_changes: list[tuple[int, int]]      # (epoch, group id)
    satisfaction_score: str

    @property
    def first_solved_at(self) -> int | None:
        return self.solve_times[0] if self.solve_times else None

    @property
    def last_solved_at(self) -> int | None:
        return self.solve_times[-1] if self.solve_times else None


def ticket_truth(sim: HelpdeskSimulation, record: TicketRecord) -> TicketTruth:
    """Follow a ticket's actions and measure it."""
    d = sim.directory
    agents = {a.id for a in d.agents}
    state: dict[str, Any] = {}
    status_changes: list[tuple[int, str]] = []
    group_changes: list[tuple[int, int]] = []
    solve_times: list[int] = []
    first_reply_at = None
    first_reply_agent = None
    replies = notes = 0
    solved_group = solved_assignee = None
    score = "unoffered"
    for index, action in enumerate(record.actions):
        for name, value in action.changes:
            state[name] = value
            if name == "status":
                status_changes.append((action.at, value))
            elif name == "group_id":
                group_changes.append((action.at, value))
            elif name == "satisfaction_score":
                score = value
        comment = action.comment
        if index > 0 and comment is not None and comment.author_id in agents:
            if comment.public:
                replies += 1
                if first_reply_at is None and not record.is_outbound:
                    first_reply_at = action.at
                    first_reply_agent = comment.author_id
            else:
                notes += 1
        if ("status", SOLVED) in action.changes:
            solve_times.append(action.at)
            if len(solve_times) == 1:
                solved_group = state["group_id"]
            solved_assignee = state.get("assignee_id")
    clock = d.clocks[record.schedule_id]
    created = record.created_at
    status = state["status"]
    ends = {
        "first_reply": first_reply_at,
        "first_resolution": solve_times[0] if solve_times else None,
        "full_resolution": solve_times[-1] if solve_times and status in (SOLVED, CLOSED) else None,
    }
    seconds: dict[str, int | None] = {}
    for metric, end in ends.items():
        seconds[metric] = None if end is None else end - created
        seconds[f"{metric}_business"] = None if end is None else clock.seconds_between(created, end)
    return TicketTruth(
        record=record, status=status, priority=state.get("priority"), group_id=state["group_id"],
        created_group_id=group_changes[0][1], solved_group_id=solved_group, assignee_id=state.get("assignee_id"),
        solved_assignee_id=solved_assignee, first_reply_at=first_reply_at,
        first_reply_agent_id=first_reply_agent, solve_times=solve_times,
        public_agent_replies=replies, internal_notes=notes, seconds=seconds, status_changes=status_changes,
        group_changes=group_changes, satisfaction_score=score,
    )


def _at(changes: list[tuple[int, Any]], before: int) -> Any:
    """The value of a timeline just before `before` (None when it had none yet)."""
    value = None
    for at, new in changes:
        if at >= before:
            break
        value = new
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def ticket_rows(sim: HelpdeskSimulation, truths: list[TicketTruth]) -> Iterable[tuple]:
    tz = sim.site_tz
    names = {g.id: g.name for g in sim.directory.groups}
    for t in truths:
        r = t.record
        yield tuple(_text(v) for v in (
            r.id, r.channel, r.is_outbound, datetime.fromtimestamp(r.created_at, tz).date().isoformat(),
            iso_utc(r.created_at), t.status, t.priority, t.group_id, names[t.group_id], t.created_group_id,
            t.solved_group_id, t.assignee_id, t.solved_assignee_id, r.requester.id, r.submitter_id, r.schedule_id,
            iso_utc(t.first_reply_at) if t.first_reply_at is not None else None, t.first_reply_agent_id,
            iso_utc(t.first_solved_at) if t.first_solved_at is not None else None,
            iso_utc(t.last_solved_at) if t.last_solved_at is not None else None,
            len(t.solve_times), len(t.solve_times) - 1 if t.solve_times else None,
            t.public_agent_replies, t.internal_notes,
            *(minutes_text(t.seconds[f"{m}{suffix}"]) or None for m in _METRICS for suffix in ("", "_business")),
            t.satisfaction_score,
        ))


def daily_totals(sim: HelpdeskSimulation, truths: list[TicketTruth]) -> dict[tuple[str, str, int], dict[str, int]]:
    """(report_date, channel, group_id) -> counts and sums in *seconds* (minutes are written)."""
    tz = sim.site_tz
    cfg = sim.cfg
    rows: dict[tuple[str, str, int], dict[str, int]] = {}

    def row(day: str, channel: str, group: int) -> dict[str, int]:
        key = (day, channel, group)
        if key not in rows:
            rows[key] = dict.fromkeys(DAILY_COLUMNS, 0)
        return rows[key]

    def local_day(epoch: int) -> str:
        return datetime.fromtimestamp(epoch, tz).date().isoformat()

    for t in truths:
        r = t.record
        created_row = row(local_day(r.created_at), r.channel, t.created_group_id)
        if t.status == DELETED:
            # Spam deleted by an agent is not a contact: counted apart, never as created.
            created_row["deleted"] += 1
            continue
        created_row["created"] += 1
        for metric in _METRICS:
            if t.seconds[metric] is not None:
                created_row[f"{metric}_count"] += 1
                created_row[f"{metric}_minutes_sum"] += t.seconds[metric]
                created_row[f"{metric}_business_minutes_sum"] += t.seconds[f"{metric}_business"]
        if t.first_solved_at is not None:
            row(local_day(t.first_solved_at), r.channel, t.solved_group_id)["solved"] += 1
    for offset in range(cfg.days):
        day = cfg.start + timedelta(days=offset)
        end = local_day_bounds(day, tz)[1]
        label = day.isoformat()
        for t in truths:
            if t.record.created_at >= end:
                continue
            if _at(t.status_changes, end) in (SOLVED, CLOSED, DELETED):
                continue
            row(label, t.record.channel, _at(t.group_changes, end))["backlog"] += 1
    return rows


@dataclass(frozen=True)
class SlaTarget:
    """What applies to an SLA instance: the policy, and its target for the ticket's priority."""

    policy_id: int
    policy_title: str
    priority: str
    target_minutes: int
    business_hours: bool


@dataclass(frozen=True)
class SlaInstance:
    """One SLA metric instance of a ticket (seconds; fulfilled_at None = still running)."""

    ticket_id: int
    metric: str
    instance: int
    target: SlaTarget
    started_at: int
    fulfilled_at: int | None
    elapsed_seconds: int

    @property
    def breached(self) -> bool | None:
        """Fulfilled: over the target or not. Running: True once over the target, else None."""
        over = self.elapsed_seconds > self.target.target_minutes * 60
        return over if self.fulfilled_at is not None or over else None


def _condition_holds(condition: dict[str, Any], channel: str, group_id: int | None) -> bool:
    field, operator, value = condition["field"], condition["operator"], condition["value"]
    if field == "via_id":
        holds = VIA_CHANNELS.get(int(value)) == channel
    elif field == "group_id":
        holds = group_id is not None and int(value) == group_id
    else:
        raise ValueError(f"SLA policy condition on {field!r}: the ticket truth knows via_id and group_id only")
    if operator == "is":
        return holds
    if operator == "is_not":
        return not holds
    raise ValueError(f"SLA policy condition operator {operator!r}: the ticket truth knows is and is_not only")


def sla_target(policies: list[dict[str, Any]], metric: str, channel: str, group_id: int | None,
               priority: str | None) -> SlaTarget | None:
    """The target of `metric` for a ticket state: the first matching policy by position, and its
    row for the priority (None: no priority, no matching policy, or no row in the first match)."""
    if priority is None:
        return None
    for policy in sorted(policies, key=lambda p: p["position"]):
        conditions = policy["filter"]
        if not all(_condition_holds(c, channel, group_id) for c in conditions["all"]):
            continue
        if conditions["any"] and not any(_condition_holds(c, channel, group_id) for c in conditions["any"]):
            continue
        row = next((m for m in policy["policy_metrics"]
                    if m["priority"] == priority and m["metric"] == metric), None)
        if row is None:
            return None
        return SlaTarget(policy_id=policy["id"], policy_title=policy["title"], priority=priority,
                         target_minutes=row["target"], business_hours=bool(row["business_hours"]))
    return None


def _elapsed(clock: BusinessClock, target: SlaTarget, start: int, end: int) -> int:
    return clock.seconds_between(start, end) if target.business_hours else max(0, end - start)


def data_as_of(sim: HelpdeskSimulation) -> int:
    """The latest instant anything happened in the helpdesk (at or before the horizon): what a
    warehouse that loaded everything knows, so running SLA clocks are measured up to it."""
    return max((action.at for record in sim.tickets for action in record.actions), default=sim.directory.horizon)


def ticket_sla(sim: HelpdeskSimulation, record: TicketRecord, as_of: int | None = None) -> list[SlaInstance]:
    """The SLA instances of a ticket, followed through its actions; running ones are measured up
    to `as_of` (default: data_as_of(sim))."""
    d = sim.directory
    agents = {a.id for a in d.agents}
    horizon = data_as_of(sim) if as_of is None else as_of
    clock = d.clocks[record.schedule_id]
    channel = record.channel
    state: dict[str, Any] = {}
    statuses: list[tuple[int, str]] = []
    solves: list[int] = []
    reply_target: SlaTarget | None = None     # first_reply_time, fulfilled at first_reply_at
    first_reply_at: int | None = None
    wait: SlaTarget | None = None             # requester_wait_time
    next_replies: list[tuple[SlaTarget, int, int | None]] = []  # (target, start, fulfilment)
    agent_spoke = False

    def target(metric: str) -> SlaTarget | None:
        return sla_target(d.sla_policies, metric, channel, state.get("group_id"), state.get("priority"))

    for index, action in enumerate(record.actions):
        for name, value in action.changes:
            state[name] = value
            if name == "status":
                statuses.append((action.at, value))
                if value == SOLVED:
                    solves.append(action.at)
        comment = action.comment
        if index == 0:
            reply_target = None if record.is_outbound else target("first_reply_time")
            wait = target("requester_wait_time")
        if comment is None or not comment.public:
            continue
        if comment.author_id in agents:
            agent_spoke = True
            if index > 0 and first_reply_at is None:
                first_reply_at = action.at
            if next_replies and next_replies[-1][2] is None:
                next_replies[-1] = (*next_replies[-1][:2], action.at)
        elif agent_spoke and not (next_replies and next_replies[-1][2] is None):
            started = target("next_reply_time")
            if started is not None:
                next_replies.append((started, action.at, None))
    if state.get("status") == DELETED:
        return []
    instances: list[SlaInstance] = []

    def add(metric: str, number: int, applied: SlaTarget, start: int, end: int | None, seconds: int) -> None:
        instances.append(SlaInstance(record.id, metric, number, applied, start, end, seconds))

    created = record.created_at
    if reply_target is not None:
        add("first_reply_time", 1, reply_target, created, first_reply_at,
            _elapsed(clock, reply_target, created, horizon if first_reply_at is None else first_reply_at))
    for number, (applied, start, end) in enumerate(next_replies, 1):
        add("next_reply_time", number, applied, start, end,
            _elapsed(clock, applied, start, horizon if end is None else end))
    if wait is not None:
        fulfilled = solves[-1] if solves and state["status"] in (SOLVED, CLOSED) else None
        until = horizon if fulfilled is None else fulfilled
        bounds = [at for at, _ in statuses[1:]] + [horizon]
        seconds = sum(_elapsed(clock, wait, at, min(end, until))
                      for (at, status), end in zip(statuses, bounds, strict=True)
                      if status in REQUESTER_WAITS and at < until)
        add("requester_wait_time", 1, wait, created, fulfilled, seconds)
    return instances


def sla_rows(instances: Iterable[SlaInstance]) -> Iterable[tuple]:
    for i in sorted(instances, key=lambda i: (i.ticket_id, i.metric, i.instance)):
        t = i.target
        yield tuple(_text(v) for v in (
            i.ticket_id, i.metric, i.instance, t.policy_id, t.policy_title, t.priority, t.target_minutes,
            t.business_hours, iso_utc(i.started_at), iso_utc(i.fulfilled_at) if i.fulfilled_at is not None else None,
            minutes_text(i.elapsed_seconds), i.breached,
        ))


def write_ticket_truth(sim: HelpdeskSimulation, truth_dir: Path) -> tuple[list[Path], dict[str, Any]]:
    """Write ground_truth/tickets.csv, ticket_daily.csv and ticket_sla.csv; return the paths and
    a summary."""
    truth_dir.mkdir(parents=True, exist_ok=True)
    truths = [ticket_truth(sim, record) for record in sim.tickets]
    tickets_path = truth_dir / "tickets.csv"
    _write_csv(tickets_path, TICKET_COLUMNS, ticket_rows(sim, truths))
    names = {g.id: g.name for g in sim.directory.groups}
    daily = daily_totals(sim, truths)
    daily_path = truth_dir / "ticket_daily.csv"
    sums = {c for c in DAILY_COLUMNS if c.endswith("_sum")}
    _write_csv(daily_path, (*DAILY_KEY_COLUMNS, *DAILY_COLUMNS), (
        (day, channel, group, names[group], *(minutes_text(v[c]) if c in sums else v[c] for c in DAILY_COLUMNS))
        for (day, channel, group), v in sorted(daily.items())
    ))
    as_of = data_as_of(sim)
    sla = [instance for record in sim.tickets for instance in ticket_sla(sim, record, as_of)]
    sla_path = truth_dir / "ticket_sla.csv"
    _write_csv(sla_path, SLA_COLUMNS, sla_rows(sla))
    return [tickets_path, daily_path, sla_path], summarize(truths, sla)


def helpdesk_setup(sim: HelpdeskSimulation) -> dict[str, Any]:
    """What the truth was computed with (for simulation.json): groups, schedules, agents."""
    d = sim.directory
    return {
        "horizon": iso_utc(d.horizon),
        "groups": [{"group_id": g.id, "name": g.name, "schedule_id": g.schedule_id} for g in d.groups],
        "schedules": [
            {"schedule_id": s.id, "name": s.name, "timezone": s.timezone, "intervals": [list(i) for i in s.intervals],
             "holidays": [{"name": h.name, "start_date": h.start_date.isoformat(), "end_date": h.end_date.isoformat()}
                          for h in s.holidays]}
            for s in d.schedules
        ],
        "agents": [
            {"user_id": a.id, "name": a.name, "role": a.role, "group_id": a.group_id,
             "active_from": iso_utc(a.active_from),
             "deactivated_at": iso_utc(a.deactivated_at) if a.deactivated_at is not None else None}
            for a in d.agents
        ],
    }


def summarize(truths: list[TicketTruth], sla: list[SlaInstance] | None = None) -> dict[str, Any]:
    sla = sla or []
    by_channel: dict[str, int] = {}
    by_status: dict[str, int] = {}
    for t in truths:
        by_channel[t.record.channel] = by_channel.get(t.record.channel, 0) + 1
        by_status[t.status] = by_status.get(t.status, 0) + 1
    solved = [t for t in truths if t.solve_times]
    replied = [t for t in truths if t.seconds["first_reply"] is not None]
    return {
        "tickets": len(truths),
        "outbound": sum(t.record.is_outbound for t in truths),
        "by_channel": dict(sorted(by_channel.items())),
        "status_at_end": dict(sorted(by_status.items())),
        "solved": len(solved),
        "reopened": sum(len(t.solve_times) > 1 for t in truths),
        "median_first_reply_minutes": _median([t.seconds["first_reply"] / 60 for t in replied]),
        "median_first_reply_business_minutes": _median([t.seconds["first_reply_business"] / 60 for t in replied]),
        "sla": {
            metric: {
                "instances": sum(i.metric == metric for i in sla),
                "running": sum(i.metric == metric and i.fulfilled_at is None for i in sla),
                "breached": sum(i.metric == metric and i.breached is True for i in sla),
            }
            for metric in SLA_METRICS
        },
    }


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    values = sorted(values)
    middle = len(values) // 2
    value = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
    return round(value, 1)
