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
  created: tickets created that day, in the group they were created in; solved: tickets first
  reaching solved that day, in the group they had then; backlog: tickets not solved, closed or
  deleted at the end of the day, in the group they had then; the first reply and resolution
  counts and sums belong to the row where the ticket was created (like a call's wait belongs to
  the interval it was offered in). Only rows with something to count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from simulator.clock import iso_utc, local_day_bounds
from simulator.helpdesk.lifecycle import CLOSED, DELETED, SOLVED, TicketRecord
from simulator.helpdesk.simulation import HelpdeskSimulation
from simulator.truth import _write_csv

TICKET_COLUMNS = (
    "ticket_id", "channel", "is_outbound", "report_date", "created_at", "status", "priority",
    "group_id", "group_name", "created_group_id", "solved_group_id", "assignee_id", "solved_assignee_id",
    "requester_id", "submitter_id", "schedule_id", "first_reply_at", "first_solved_at", "last_solved_at",
    "solves", "reopens", "public_agent_replies", "internal_notes", "first_reply_minutes",
    "first_reply_business_minutes", "first_resolution_minutes", "first_resolution_business_minutes",
    "full_resolution_minutes", "full_resolution_business_minutes", "satisfaction_score",
)
DAILY_KEY_COLUMNS = ("report_date", "channel", "group_id", "group_name")
DAILY_COLUMNS = (
    "created", "solved", "backlog",
    "first_reply_count", "first_reply_minutes_sum", "first_reply_business_minutes_sum",
    "first_resolution_count", "first_resolution_minutes_sum", "first_resolution_business_minutes_sum",
    "full_resolution_count", "full_resolution_minutes_sum", "full_resolution_business_minutes_sum",
)
_METRICS = ("first_reply", "first_resolution", "full_resolution")


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
        solved_assignee_id=solved_assignee, first_reply_at=first_reply_at, solve_times=solve_times,
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
            iso_utc(t.first_reply_at) if t.first_reply_at is not None else None,
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


def write_ticket_truth(sim: HelpdeskSimulation, truth_dir: Path) -> tuple[list[Path], dict[str, Any]]:
    """Write ground_truth/tickets.csv and ticket_daily.csv; return the paths and a summary."""
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
    return [tickets_path, daily_path], summarize(truths)


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


def summarize(truths: list[TicketTruth]) -> dict[str, Any]:
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
    }


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    values = sorted(values)
    middle = len(values) // 2
    value = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
    return round(value, 1)
