"""Contacts, their customer and reason, and first-contact resolution (docs/cx_sources.md, "Measures").

A contact is a call (one per callid), an inbound ticket that was not deleted, or an IVR / bot
session that did not reach an agent. Customers are found the way the warehouse finds them: by
the caller's number, the requester's e-mail (else profile phone), or the bot's customer_ref (else
the caller's number), matched to the CRM; reasons through the seeds' rules (catalog.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from simulator.callers import ANONYMOUS
from simulator.cx.capture import Call
from simulator.cx.catalog import OTHER, reason_of_path, reason_of_subject
from simulator.cx.people import Population
from simulator.cx.sessions import AGENT_REQUESTED, Session
from simulator.helpdesk.lifecycle import CLOSED, DELETED, SOLVED
from simulator.helpdesk.truth import TicketTruth

VOICE = "voice"
UNKNOWN_REASON = "unknown"
LONG_WAIT_SECONDS = 60        # a call that waited longer is a long wait (truth and behaviour)


@dataclass(slots=True)
class Contact:
    contact_id: str
    channel: str
    started_at: int
    customer_id: str | None
    queue_or_group: str
    agent_id: str
    reason: str
    is_transferred: bool
    outcome: str
    wait_seconds: int | None = None          # calls: the wait over all queue visits
    reopened: bool = False                   # tickets: solved more than once
    resolution_seconds: int | None = None    # tickets: created -> first solve
    is_repeat_followed: bool | None = None
    is_fcr: bool | None = None
    preceded: bool = False                   # another contact of the customer in the window before


def call_contacts(calls: list[Call], sessions_by_callid: dict[str, Session],
                  population: Population) -> list[Contact]:
    contacts = []
    for call in calls:
        session = sessions_by_callid.get(call.callid)
        reason = reason_of_path(session.menu_path) if session is not None else None
        contacts.append(Contact(
            contact_id=f"call:{call.callid}", channel=VOICE, started_at=call.started_at,
            customer_id=None if call.caller == ANONYMOUS else population.customer_of_phone(call.caller),
            queue_or_group=call.first.queue, agent_id=call.agent_id, reason=reason or UNKNOWN_REASON,
            is_transferred=call.is_transferred, outcome=call.outcome, wait_seconds=call.wait_seconds,
        ))
    return contacts


def is_ticket_contact(truth: TicketTruth) -> bool:
    """Inbound (the customer wrote first) and not deleted."""
    return not truth.record.is_outbound and truth.status != DELETED


def ticket_reason(truth: TicketTruth) -> str:
    """The keyword rule on the subject; when no keyword is there, on the opening message."""
    reason = reason_of_subject(truth.record.subject)
    actions = truth.record.actions
    if reason == OTHER and actions and actions[0].comment is not None:
        reason = reason_of_subject(actions[0].comment.body)
    return reason


def ticket_contacts(truths: list[TicketTruth], population: Population) -> list[Contact]:
    contacts = []
    for truth in truths:
        if not is_ticket_contact(truth):
            continue
        record = truth.record
        created_group = truth.created_group_id
        contacts.append(Contact(
            contact_id=f"ticket:{record.id}", channel=record.channel, started_at=record.created_at,
            customer_id=population.customer_of_requester(record.requester),
            queue_or_group=str(created_group),
            agent_id=str(truth.first_reply_agent_id) if truth.first_reply_agent_id is not None else "",
            reason=ticket_reason(truth),
            is_transferred=any(group != created_group for _, group in truth.group_changes),
            outcome="solved" if truth.status in (SOLVED, CLOSED) else "open",
            reopened=len(truth.solve_times) > 1,
            resolution_seconds=(truth.solve_times[0] - record.created_at) if truth.solve_times else None,
        ))
    return contacts


def session_contacts(sessions: list[Session], population: Population) -> list[Contact]:
    contacts = []
    for session in sessions:
        if session.outcome == AGENT_REQUESTED:
            continue
        customer = session.customer_ref or population.customer_of_phone(session.caller_phone)
        contacts.append(Contact(
            contact_id=f"{session.kind}:{session.session_id}", channel=session.kind,
            started_at=session.started_at, customer_id=customer, queue_or_group="", agent_id="",
            reason=reason_of_path(session.menu_path) or UNKNOWN_REASON, is_transferred=False,
            outcome=session.outcome,
        ))
    return contacts


def apply_fcr(contacts: list[Contact], window_seconds: int) -> int | None:
    """Set is_repeat_followed, is_fcr and preceded; return data_as_of (None without contacts).

    data_as_of = the latest started_at. Contacts of one customer are ordered by (started_at,
    contact_id). A contact is followed when the next one of its customer starts at most the
    window after it; its window is closed when started_at + window <= data_as_of.
    is_repeat_followed: followed -> true; else closed -> false; else NULL.
    is_fcr: followed -> false; else closed -> not transferred; else NULL. Both NULL for contacts
    without a customer.
    """
    if not contacts:
        return None
    data_as_of = max(c.started_at for c in contacts)
    by_customer: dict[str, list[Contact]] = {}
    for contact in contacts:
        if contact.customer_id is not None:
            by_customer.setdefault(contact.customer_id, []).append(contact)
    for own in by_customer.values():
        own.sort(key=lambda c: (c.started_at, c.contact_id))
        for index, contact in enumerate(own):
            following = own[index + 1] if index + 1 < len(own) else None
            followed = following is not None and following.started_at - contact.started_at <= window_seconds
            if followed:
                following.preceded = True
            closed = contact.started_at + window_seconds <= data_as_of
            if followed:
                contact.is_repeat_followed, contact.is_fcr = True, False
            elif closed:
                contact.is_repeat_followed, contact.is_fcr = False, not contact.is_transferred
    return data_as_of


def local_date(epoch: int, tz: tzinfo, cache: dict[int, str]) -> str:
    """Site-local date text of an epoch (cached per quarter hour: zone offsets and their changes
    are whole quarter hours)."""
    quarter = epoch // 900
    text = cache.get(quarter)
    if text is None:
        text = datetime.fromtimestamp(quarter * 900, tz).date().isoformat()
        cache[quarter] = text
    return text
