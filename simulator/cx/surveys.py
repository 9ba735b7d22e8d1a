"""Survey invitations and answers that respond to the experience they ask about.

Two tools:
- `pulse` (SMS): after some answered calls, CSAT on 1-5, often tNPS on 0-10 and sometimes CES on
  1-7 (one invitation row per question, sent together, answered together or not at all); and the
  relationship NPS (`rnps`), sent in weekly waves to a sample of the customer base.
- `helpdesk_survey` (e-mail): CSAT on 1-10 with "was your issue resolved?" after the last solve of
  inbound tickets solved at the horizon.

A contact's answers come from one latent satisfaction: lower after a long wait, a transfer, a
contact that repeats an earlier one, a reopened or slow ticket. Relationship answers drop with
every bad experience the customer had before the invitation. Invitations sent after the horizon
are not written; answers after it are not known (empty score and answered_at).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from simulator.clock import local_wall_epoch
from simulator.cx.capture import Call
from simulator.cx.contacts import LONG_WAIT_SECONDS, VOICE, Contact
from simulator.cx.people import Person
from simulator.helpdesk.truth import TicketTruth

PULSE, HELPDESK_SURVEY = "pulse", "helpdesk_survey"
CSAT, TNPS, RNPS, CES = "csat", "tnps", "rnps", "ces"

PULSE_SURVEY_RATE = 0.35          # answered calls (with a number) that get an invitation
PULSE_TNPS_RATE = 0.5
PULSE_CES_RATE = 0.35
PULSE_RESPONSE_RATE = 0.3
HELPDESK_SURVEY_RATE = 0.6        # solved inbound tickets (requester with an e-mail) surveyed
HELPDESK_RESPONSE_RATE = 0.3
HELPDESK_RESOLVED_ASKED = 0.92    # answers that also answer "resolved?"
RNPS_WAVE_SAMPLE = 0.02           # of the customers (reachable and active) per weekly wave
RNPS_RESPONSE_RATE = 0.22
RNPS_WAVE_WEEKDAY = 1             # Tuesday, 10:00-12:00 site-local

GOOD_COMMENTS = ("Friendly and quick.", "Sorted out in one call, thanks!", "Very helpful agent.",
                 "Easy, thank you.")
BAD_COMMENTS = ("Waited far too long.", "I had to call again, the problem is not solved.",
                "Transferred twice and still no answer.", "Nobody could help me.")
NEUTRAL_COMMENTS = ("OK.", "It took a while but it worked.", "Fine, but the menu is confusing.")


@dataclass(slots=True)
class Survey:
    tool: str
    survey_type: str
    scale: str
    sent_at: int
    score: int | None = None
    answered_at: int | None = None
    resolved: str = ""
    contact: Contact | None = None
    contact_channel: str = ""
    contact_ref: str = ""
    customer_ref: str = ""
    customer_id: str | None = None        # rnps: the customer asked
    respondent_phone: str = ""
    respondent_email: str = ""
    comment: str = ""
    response_id: str = ""


def _clip(value: float, low: int, high: int) -> int:
    return min(max(int(math.floor(value + 0.5)), low), high)


def csat5(x: float) -> int:
    for score, limit in ((1, -1.2), (2, -0.5), (3, 0.1), (4, 1.0)):
        if x < limit:
            return score
    return 5


def _comment(rng: random.Random, x: float) -> str:
    if rng.random() >= 0.25:
        return ""
    return rng.choice(GOOD_COMMENTS if x > 0.8 else BAD_COMMENTS if x < -0.3 else NEUTRAL_COMMENTS)


def _answer_time(rng: random.Random, sent: int, median: float) -> int:
    return sent + max(30, round(rng.lognormvariate(math.log(median), 1.2)))


def call_experience(rng: random.Random, contact: Contact) -> float:
    wait = contact.wait_seconds or 0
    return (1.1 + rng.gauss(0.0, 1.0) - 0.6 * (wait > LONG_WAIT_SECONDS) - 0.6 * (wait > 180)
            - 0.5 * contact.is_transferred - 0.5 * contact.preceded)


def ticket_experience(rng: random.Random, contact: Contact) -> float:
    slow = contact.resolution_seconds is not None and contact.resolution_seconds > 3 * 86400
    return (0.8 + rng.gauss(0.0, 1.0) - 0.9 * contact.reopened - 0.4 * slow - 0.5 * contact.is_transferred
            - 0.5 * contact.preceded)


def pulse_after_calls(calls: list[Call], contacts: dict[str, Contact], horizon: int,
                      rng: random.Random) -> list[Survey]:
    surveys = []
    for call in calls:
        contact = contacts[f"call:{call.callid}"]
        if contact.outcome != "answered" or call.caller == "anonymous" or rng.random() >= PULSE_SURVEY_RATE:
            continue
        sent = call.ended_at + rng.randint(60, 600)
        if sent > horizon:
            continue
        x = call_experience(rng, contact)
        types = [CSAT] + ([TNPS] if rng.random() < PULSE_TNPS_RATE else []) + (
            [CES] if rng.random() < PULSE_CES_RATE else [])
        answered = _answer_time(rng, sent, 25 * 60) if rng.random() < PULSE_RESPONSE_RATE else None
        if answered is not None and answered > horizon:
            answered = None
        comment = _comment(rng, x) if answered is not None else ""
        customer_ref = contact.customer_id if contact.customer_id and rng.random() < 0.8 else ""
        for kind in types:
            survey = Survey(tool=PULSE, survey_type=kind, scale={CSAT: "1-5", TNPS: "0-10", CES: "1-7"}[kind],
                            sent_at=sent, contact=contact, contact_channel=VOICE, contact_ref=call.callid,
                            customer_ref=customer_ref or "", respondent_phone=call.caller)
            if answered is not None:
                survey.answered_at = answered
                survey.score = {CSAT: csat5(x), TNPS: _clip(7.2 + 1.8 * x, 0, 10),
                                CES: _clip(4.6 + 1.3 * x, 1, 7)}[kind]
                survey.comment = comment if kind == CSAT else ""
            surveys.append(survey)
    return surveys


def helpdesk_after_tickets(truths: list[TicketTruth], contacts: dict[str, Contact], horizon: int,
                           rng: random.Random) -> list[Survey]:
    surveys = []
    for truth in truths:
        contact = contacts.get(f"ticket:{truth.record.id}")
        email = truth.record.requester.email
        if contact is None or contact.outcome != "solved" or email is None or rng.random() >= HELPDESK_SURVEY_RATE:
            continue
        sent = truth.solve_times[-1] + rng.randint(3600, 4 * 3600)
        if sent > horizon:
            continue
        x = ticket_experience(rng, contact)
        survey = Survey(tool=HELPDESK_SURVEY, survey_type=CSAT, scale="1-10", sent_at=sent, contact=contact,
                        contact_channel="ticket", contact_ref=str(truth.record.id),
                        customer_ref=contact.customer_id if contact.customer_id and rng.random() < 0.7 else "",
                        respondent_email=email)
        if rng.random() < HELPDESK_RESPONSE_RATE:
            answered = _answer_time(rng, sent, 4 * 3600)
            if answered <= horizon:
                survey.answered_at = answered
                survey.score = _clip(7.6 + 1.4 * x, 1, 10)
                if rng.random() < HELPDESK_RESOLVED_ASKED:
                    survey.resolved = "yes" if x + rng.gauss(0.0, 0.5) > -0.5 else "no"
                survey.comment = _comment(rng, x)
        surveys.append(survey)
    return surveys


def relationship_waves(customers: list[Person], active_at, bad_before, cfg_start, days: int, tz: ZoneInfo,
                       horizon: int, rng: random.Random) -> list[Survey]:
    """Weekly rNPS waves (Tuesdays; the first day when the period has none) to a sample of the
    customers active then and reachable (e-mail, else phone)."""
    wave_days = [cfg_start + timedelta(days=o) for o in range(days)
                 if (cfg_start + timedelta(days=o)).weekday() == RNPS_WAVE_WEEKDAY] or [cfg_start]
    offsets = {"consumer": 0.0, "small_business": 0.15, "enterprise": 0.3}
    surveys = []
    for day in wave_days:
        base = local_wall_epoch(day, 10 * 60, tz)
        for person in customers:
            if rng.random() >= RNPS_WAVE_SAMPLE or not (person.email or person.phone):
                continue
            sent = base + rng.randint(0, 7200)
            if sent > horizon or not active_at(person.customer_id, sent):
                continue
            survey = Survey(tool=PULSE, survey_type=RNPS, scale="0-10", sent_at=sent, customer_id=person.customer_id,
                            customer_ref=person.customer_id or "", respondent_email=person.email or "",
                            respondent_phone="" if person.email else (person.phone or ""))
            if rng.random() < RNPS_RESPONSE_RATE:
                answered = _answer_time(rng, sent, 20 * 3600)
                if answered <= horizon:
                    y = offsets[person.segment] + rng.gauss(0.0, 1.2) - 0.35 * bad_before(person.customer_id, sent)
                    survey.answered_at = answered
                    survey.score = _clip(7.4 + 2.0 * y, 0, 10)
                    survey.comment = _comment(rng, y)
            surveys.append(survey)
    return surveys


def number_surveys(surveys: list[Survey]) -> None:
    """Response ids per tool, in (sent_at, contact_ref, customer_ref, type) order."""
    order = {CSAT: 0, TNPS: 1, CES: 2, RNPS: 3}
    prefixes = {PULSE: "PU", HELPDESK_SURVEY: "HS"}
    counters = dict.fromkeys(prefixes, 0)
    for survey in sorted(surveys, key=lambda s: (s.sent_at, s.tool, s.contact_ref, s.customer_ref,
                                                 order[s.survey_type], s.respondent_email, s.respondent_phone)):
        counters[survey.tool] += 1
        survey.response_id = f"{prefixes[survey.tool]}{counters[survey.tool]:08d}"
