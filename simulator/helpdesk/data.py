"""The helpdesk as Zendesk serves it: JSON objects, saved under `<out>/helpdesk/`, viewable "as of".

`render()` turns a simulation into `HelpdeskData`: Zendesk-shaped objects (docs/helpdesk_api.md)
without their `url` (the server adds it for its own address). Objects that change are kept as
their history, so that the data can be served as it stood at any moment:

- tickets: the final state (as of the horizon) plus every audit (`ticket_events`); the state at
  an earlier moment is replayed from the audits up to it;
- users and satisfaction ratings: every version (one object per change, with its `updated_at`);
- groups, schedules, holidays and SLA policies do not change during the period.

Audits are by far the largest part, so each is kept as its JSON text with only what ordering and
replays need beside it (`TicketEvent`), and saved as JSON Lines: memory holds about the size of
the file, and a page is parsed when it is served.

`HelpdeskData.save(folder)` writes one file per resource, `load(folder)` reads them back;
`view(as_of)` gives the lists an API answer is cut from, each in its export order.
"""

from __future__ import annotations

import bisect
import json
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from simulator.clock import iso_utc
from simulator.helpdesk.business import rails_time_zone
from simulator.helpdesk.directory import SUPPORT_ADDRESS
from simulator.helpdesk.lifecycle import TicketRecord
from simulator.helpdesk.simulation import HelpdeskSimulation

FORMAT_VERSION = 2   # 2: ticket events in the export's shape (Audit rows, field-named Create/Change children)
FILES = ("account.json", "groups.json", "users.json", "tickets.json", "ticket_events.jsonl",
         "satisfaction_ratings.json", "sla_policies.json", "schedules.json", "holidays.json")
AUDIT_BASE_ID = 900000000000
CHILD_BASE_ID = 910000000000
RATING_BASE_ID = 370000000000

#: The `via` text of an audit (the ticket event row), per channel of the update.
VIA_TEXT = {
    "email": "Mail", "web": "Web form", "chat": "Chat", "native_messaging": "Native messaging",
    "twitter": "Twitter", "facebook": "Facebook", "rule": "Rule", "api": "API",
}
#: Ticket fields that audits change, with the converter from the audit's text value.
STATE_FIELDS = {"status": str, "priority": str, "group_id": int, "assignee_id": int}
#: Keys of a Create / Change child event besides the field it sets (whose name is its key).
CHILD_META_KEYS = frozenset({"id", "event_type", "type", "previous_value", "via", "via_reference_id"})


def parse_utc(text: str) -> int:
    """Epoch of an ISO 8601 UTC text such as 2026-10-12T08:03:11Z."""
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def child_field(child: dict) -> tuple[str, Any]:
    """(field, value) of a Create / Change child event, served as Zendesk's export does:
    `{"id": 1, "status": "open", "previous_value": "new", "event_type": "Change"}`."""
    for key, value in child.items():
        if key not in CHILD_META_KEYS:
            return key, value
    raise ValueError(f"child event {child.get('id')} sets no field")


class TicketEvent(NamedTuple):
    """One audit as stored: its order keys, its ticket-field changes (for replays), its JSON text.

    changes: (field, value) of its Create / Change children, and ("satisfaction_rating", (score,
    comment)) for a SatisfactionRating child.
    """

    timestamp: int
    id: int
    ticket_id: int
    changes: tuple[tuple[str, Any], ...]
    text: str

    def as_dict(self, comments: bool = True) -> dict:
        """The row as the export serves it, with or without its Comment children."""
        row = json.loads(self.text)
        if not comments:
            row["child_events"] = [c for c in row["child_events"] if c["event_type"] != "Comment"]
        return row

    @classmethod
    def from_dict(cls, row: dict, text: str | None = None) -> TicketEvent:
        changes = []
        for child in row["child_events"]:
            if child["event_type"] in ("Create", "Change"):
                name, value = child_field(child)
                value = sys.intern(value) if isinstance(value, str) else value   # few distinct: share them
                changes.append((sys.intern(name), value))
            elif child["event_type"] == "SatisfactionRating":
                changes.append(("satisfaction_rating", (child["score"], child["body"])))
        return cls(row["timestamp"], row["id"], row["ticket_id"], tuple(changes), text or _json(row))


@dataclass
class HelpdeskData:
    """Everything the helpdesk server serves (objects without `url`), with the histories."""

    account: dict[str, Any]
    groups: list[dict]
    users: list[dict]                  # every version, in (updated_at, id) order
    tickets: list[dict]                # final state, by id
    ticket_events: list[TicketEvent]   # audits in (timestamp, id) order
    satisfaction_ratings: list[dict]   # every version, in (updated_at, id) order
    sla_policies: list[dict]
    schedules: list[dict]
    holidays: dict[str, list[dict]]    # schedule id (text) -> holidays
    _views: dict[int, HelpdeskView] = field(default_factory=dict, repr=False, compare=False)

    @property
    def horizon(self) -> int:
        """The end of the simulated period: nothing happens after it."""
        return int(self.account["horizon_epoch"])

    def event_dicts(self, comments: bool = True) -> list[dict]:
        """Every audit as the export serves it (parsed: for tests and small data)."""
        return [event.as_dict(comments) for event in self.ticket_events]

    def save(self, folder: Path | str) -> list[Path]:
        """Write one file per resource (compact, deterministic) and return their paths: JSON
        documents, and the audits as JSON Lines (one audit a line, in export order)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for name in FILES:
            path = folder / name
            resource = name.split(".")[0]
            with open(path, "w", encoding="utf-8", newline="") as handle:
                if name.endswith(".jsonl"):
                    handle.writelines(event.text + "\n" for event in self.ticket_events)
                else:
                    handle.write(_json(getattr(self, resource)) + "\n")
            paths.append(path)
        return paths

    @classmethod
    def load(cls, folder: Path | str) -> HelpdeskData:
        """Read what `save()` wrote (a `<out>/helpdesk/` folder of a simulation)."""
        folder = Path(folder)
        missing = [name for name in FILES if not (folder / name).is_file()]
        if missing:
            raise FileNotFoundError(f"{folder} is not a simulated helpdesk folder: missing {', '.join(missing)}")
        values: dict[str, Any] = {}
        for name in FILES:        # account.json first: its format version says how to read the rest
            resource = name.split(".")[0]
            with open(folder / name, encoding="utf-8") as handle:
                if name.endswith(".jsonl"):
                    values[resource] = [TicketEvent.from_dict(json.loads(line), line.rstrip("\n"))
                                        for line in handle if line.strip()]
                else:
                    values[resource] = json.load(handle)
            if name == "account.json" and values["account"].get("format_version") != FORMAT_VERSION:
                raise ValueError(f"{folder}/account.json: unsupported format_version "
                                 f"{values['account'].get('format_version')!r} (expected {FORMAT_VERSION}): "
                                 "written by another version of the simulator; run `cxpipe simulate` again")
        return cls(**values)

    def view(self, as_of: int | None = None) -> HelpdeskView:
        """The data as it stood at `as_of` (None: the horizon). Views are cached."""
        as_of = self.horizon if as_of is None else int(as_of)
        if as_of not in self._views:
            if len(self._views) >= 4:
                self._views.pop(next(iter(self._views)))
            self._views[as_of] = HelpdeskView(self, as_of)
        return self._views[as_of]


class HelpdeskView:
    """The lists the API pages are cut from, as of one moment, each sorted in its export order.

    tickets / users: (updated_at epoch, id, object), the cursor exports' order; ticket_events:
    audits with timestamp <= as_of; satisfaction_ratings and groups by id.
    """

    def __init__(self, data: HelpdeskData, as_of: int) -> None:
        self.as_of = as_of
        self.tickets = self._tickets(data, as_of)
        cut = bisect.bisect_right(data.ticket_events, as_of, key=lambda event: event.timestamp)
        self.ticket_events = data.ticket_events[:cut]
        self.users = _latest_versions(data.users, as_of)
        self.users.sort(key=lambda item: (item[0], item[1]))
        ratings = _latest_versions(data.satisfaction_ratings, as_of)
        self.satisfaction_ratings = sorted(ratings, key=lambda item: item[1])
        self.groups = [g for g in data.groups if parse_utc(g["created_at"]) <= as_of]
        self.sla_policies = [p for p in data.sla_policies if parse_utc(p["created_at"]) <= as_of]
        self.schedules = [s for s in data.schedules if parse_utc(s["created_at"]) <= as_of]
        self.holidays = data.holidays

    @staticmethod
    def _tickets(data: HelpdeskData, as_of: int) -> list[tuple[int, int, dict]]:
        rating_ids = {r["ticket_id"]: r["id"] for r in data.satisfaction_ratings}
        rows = []
        later: dict[int, dict] = {}       # tickets changed after as_of: replayed below
        for ticket in data.tickets:
            if parse_utc(ticket["created_at"]) > as_of:
                continue
            if ticket["generated_timestamp"] <= as_of:
                rows.append((ticket["generated_timestamp"], ticket["id"], ticket))
            else:
                later[ticket["id"]] = initial_ticket(ticket)
        if later:
            for event in data.ticket_events:
                if event.timestamp > as_of:
                    break
                ticket = later.get(event.ticket_id)
                if ticket is not None:
                    apply_event(ticket, event, rating_ids)
            rows.extend((t["generated_timestamp"], t["id"], t) for t in later.values())
        rows.sort(key=lambda item: (item[0], item[1]))
        return rows


def _latest_versions(versions: list[dict], as_of: int) -> list[tuple[int, int, dict]]:
    """(updated_at epoch, id, object) of the newest version of each object at `as_of`."""
    latest: dict[int, tuple[int, int, dict]] = {}
    for version in versions:
        updated = parse_utc(version["updated_at"])
        if updated <= as_of and parse_utc(version["created_at"]) <= as_of:
            known = latest.get(version["id"])
            if known is None or known[0] <= updated:
                latest[version["id"]] = (updated, version["id"], version)
    return list(latest.values())


def initial_ticket(ticket: dict) -> dict:
    """A ticket's fixed fields with its changing ones empty (before its first audit)."""
    empty = dict(ticket)
    for name in STATE_FIELDS:
        empty[name] = None
    empty["satisfaction_rating"] = {"score": "unoffered"}
    empty["updated_at"] = ticket["created_at"]
    empty["generated_timestamp"] = parse_utc(ticket["created_at"])
    return empty


def apply_event(ticket: dict, event: TicketEvent, rating_ids: dict[int, int]) -> None:
    """Apply one audit's changes (and its time) to a ticket's state, in place."""
    for name, value in event.changes:
        if name in STATE_FIELDS:
            ticket[name] = None if value is None else STATE_FIELDS[name](value)
        elif name == "satisfaction_score":
            ticket["satisfaction_rating"] = {"id": rating_ids.get(ticket["id"]), "score": value}
        elif name == "satisfaction_rating":
            score, comment = value
            ticket["satisfaction_rating"] = {"id": rating_ids.get(ticket["id"]), "score": score, "comment": comment}
    ticket["updated_at"] = iso_utc(event.timestamp)
    ticket["generated_timestamp"] = event.timestamp


# -- rendering a simulation ------------------------------------------------------------------

def render(sim: HelpdeskSimulation) -> HelpdeskData:
    """The Zendesk objects of a simulation (see the module docstring)."""
    d = sim.directory
    cfg = sim.cfg
    schedules = d.schedules
    zone_of_group = {g.id: next(s.timezone for s in schedules if s.id == g.schedule_id) for g in d.groups}
    account = {
        "format_version": FORMAT_VERSION,
        "subdomain": "simulated",
        "site_timezone": cfg.site_timezone,
        "start": cfg.start.isoformat(),
        "days": cfg.days,
        "seed": cfg.seed,
        "period_start": iso_utc(d.period_start),
        "horizon": iso_utc(d.horizon),
        "horizon_epoch": d.horizon,
        "tickets": len(sim.tickets),
    }
    groups = [
        {"id": g.id, "name": g.name, "description": g.description, "default": i == 0, "deleted": False,
         "is_public": True, "created_at": iso_utc(g.created_at), "updated_at": iso_utc(g.created_at)}
        for i, g in enumerate(d.groups)
    ]
    users = []
    for agent in d.agents:
        zone = zone_of_group.get(agent.group_id, cfg.site_timezone)
        base = _user(agent.id, agent.name, agent.email, agent.role, agent.active_from, zone)
        base["default_group_id"] = agent.group_id
        users.append(base)
        if agent.deactivated_at is not None:     # Zendesk downgrades a deactivated agent to an end user
            users.append({**base, "role": "end-user", "active": False, "default_group_id": None,
                          "updated_at": iso_utc(agent.deactivated_at)})
    for person in d.end_users:
        zone = schedules[1].timezone if person.region == "na" else cfg.site_timezone
        base = _user(person.id, person.name, person.email, "end-user", person.created_at, zone)
        users.append(base)
        for changed, phone in person.updates:
            users.append({**base, "phone": phone, "updated_at": iso_utc(changed)})
    users.sort(key=lambda u: (parse_utc(u["updated_at"]), u["id"]))

    ratings = _ratings(sim.tickets)
    rating_ids = {r["ticket_id"]: r["id"] for r in ratings}
    audits = _audits(sim.tickets)
    tickets = []
    by_ticket: dict[int, list[TicketEvent]] = {}
    for event in audits:
        by_ticket.setdefault(event.ticket_id, []).append(event)
    for record in sim.tickets:
        ticket = initial_ticket(_ticket_fields(record))
        for event in by_ticket.get(record.id, []):
            apply_event(ticket, event, rating_ids)
        tickets.append(ticket)
    schedule_objects = [
        {"id": s.id, "name": s.name, "time_zone": rails_time_zone(s.timezone),
         "intervals": [{"start_time": a, "end_time": b} for a, b in s.intervals],
         "created_at": iso_utc(d.setup_at), "updated_at": iso_utc(d.setup_at)}
        for s in schedules
    ]
    holidays = {
        str(s.id): [{"id": h.id, "name": h.name, "start_date": h.start_date.isoformat(),
                     "end_date": h.end_date.isoformat()} for h in s.holidays]
        for s in schedules
    }
    policies = [{**p, "created_at": iso_utc(p["created_at"]), "updated_at": iso_utc(p["updated_at"])}
                for p in d.sla_policies]
    return HelpdeskData(account=account, groups=groups, users=users, tickets=tickets, ticket_events=audits,
                        satisfaction_ratings=ratings, sla_policies=policies, schedules=schedule_objects,
                        holidays=holidays)


def _user(user_id: int, name: str, email: str | None, role: str, created: int, zone: str) -> dict:
    return {
        "id": user_id, "name": name, "email": email, "role": role, "active": True, "verified": email is not None,
        "suspended": False, "created_at": iso_utc(created), "updated_at": iso_utc(created),
        "time_zone": rails_time_zone(zone), "iana_time_zone": zone, "locale": "en-US", "phone": None,
        "default_group_id": None, "organization_id": None, "external_id": None, "tags": [], "shared": False,
    }


def _source(record: TicketRecord) -> dict:
    requester = record.requester
    if record.is_outbound:
        return {"from": {}, "to": {"name": requester.name, "address": requester.email}, "rel": None}
    channel = record.channel
    if channel == "email":
        return {"from": {"address": requester.email, "name": requester.name},
                "to": {"name": "Support", "address": SUPPORT_ADDRESS}, "rel": None}
    if channel in ("twitter", "facebook"):
        rel = "direct_message" if channel == "twitter" else "message"
        return {"from": {"name": requester.name}, "to": {}, "rel": rel}
    if channel in ("chat", "native_messaging"):
        return {"from": {}, "to": {}, "rel": channel}
    return {"from": {}, "to": {}, "rel": None}


def _ticket_fields(record: TicketRecord) -> dict:
    created = iso_utc(record.created_at)
    return {
        "id": record.id, "external_id": None,
        "via": {"channel": record.channel, "source": _source(record)},
        "created_at": created, "updated_at": created, "generated_timestamp": record.created_at,
        "type": record.ticket_type, "subject": record.subject, "raw_subject": record.subject,
        "description": record.description, "priority": None, "status": None,
        "recipient": SUPPORT_ADDRESS if record.channel == "email" else None,
        "requester_id": record.requester.id, "submitter_id": record.submitter_id, "assignee_id": None,
        "organization_id": None, "group_id": None, "collaborator_ids": [], "follower_ids": [],
        "email_cc_ids": [], "forum_topic_id": None, "problem_id": None, "has_incidents": False,
        "is_public": True, "due_at": None, "tags": list(record.tags), "custom_fields": [],
        "satisfaction_rating": {"score": "unoffered"}, "sharing_agreement_ids": [], "followup_ids": [],
        "brand_id": 1, "allow_channelback": record.channel in ("twitter", "facebook", "native_messaging"),
        "allow_attachments": True, "from_messaging_channel": record.channel == "native_messaging",
    }


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _audits(tickets: list[TicketRecord]) -> list[TicketEvent]:
    """Every action as a ticket event row; audit and child ids increase with time, like Zendesk's.

    Ids are fixed first (in time order), then each ticket's rows are written in its own order
    (previous values) and kept as JSON text only.
    """
    by_id = {record.id: record for record in tickets}
    order = sorted((action.at, record.id, index) for record in tickets for index, action in enumerate(record.actions))
    ids: dict[tuple[int, int], tuple[int, int]] = {}       # (ticket, index) -> (audit id, last child id before)
    child_id = CHILD_BASE_ID
    for n, (_, ticket_id, index) in enumerate(order):
        action = by_id[ticket_id].actions[index]
        ids[(ticket_id, index)] = (AUDIT_BASE_ID + n + 1, child_id)
        child_id += (action.comment is not None) + len(action.changes) + (action.rating is not None)
    events = []
    for record in tickets:
        previous: dict[str, object] = {}
        for index, action in enumerate(record.actions):
            audit_id, child_id = ids[(record.id, index)]
            created = iso_utc(action.at)
            children = []
            if action.comment is not None:
                child_id += 1
                children.append({
                    "id": child_id, "type": "Comment", "author_id": action.comment.author_id,
                    "public": action.comment.public, "body": action.comment.body, "audit_id": audit_id,
                    "created_at": created, "event_type": "Comment",
                })
            for name, value in action.changes:
                child_id += 1
                if index == 0:      # the creation audit sets each initial field: no previous value
                    children.append({"id": child_id, name: _text(value), "event_type": "Create"})
                else:
                    children.append({"id": child_id, name: _text(value), "previous_value": _text(previous.get(name)),
                                     "event_type": "Change"})
                previous[name] = value
            if action.rating is not None:
                child_id += 1
                score, comment = action.rating
                children.append({"id": child_id, "event_type": "SatisfactionRating", "score": score,
                                 "assignee_id": previous.get("assignee_id"), "body": comment})
            row = {
                "id": audit_id, "ticket_id": record.id, "timestamp": action.at, "created_at": created,
                "updater_id": action.updater_id, "via": VIA_TEXT[action.via], "event_type": "Audit",
                "child_events": children,
            }
            events.append(TicketEvent.from_dict(row))
    events.sort(key=lambda event: (event.timestamp, event.id))
    return events


def _ratings(tickets: list[TicketRecord]) -> list[dict]:
    """Satisfaction ratings: an `offered` version, and a `good`/`bad` one when answered."""
    offered = sorted((t.rating.offered_at, t.id, t.rating) for t in tickets if t.rating is not None)
    versions = []
    for n, (_, _, rating) in enumerate(offered):
        rating.id = RATING_BASE_ID + n + 1
        base = {
            "id": rating.id, "ticket_id": rating.ticket_id, "assignee_id": rating.assignee_id,
            "group_id": rating.group_id, "requester_id": rating.requester_id, "score": "offered",
            "comment": None, "reason": None,
            "created_at": iso_utc(rating.offered_at), "updated_at": iso_utc(rating.offered_at),
        }
        versions.append(base)
        if rating.answered_at is not None:
            versions.append({**base, "score": rating.score, "comment": rating.comment,
                             "updated_at": iso_utc(rating.answered_at)})
    versions.sort(key=lambda v: (parse_utc(v["updated_at"]), v["id"]))
    return versions


__all__ = ["FILES", "FORMAT_VERSION", "HelpdeskData", "HelpdeskView", "TicketEvent", "apply_event", "child_field",
           "parse_utc", "render"]
