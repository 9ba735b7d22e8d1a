"""`simulate_cx()`: customers, IVR and bot sessions, surveys, contracts and orders for a run
whose calls (and tickets) are simulated already, with their ground truth.

It runs after the voice and helpdesk parts and only reads their records, so it changes none of
their files. Its random streams are derived from the seed with a CX-only key: one stream each
for the people, the sessions, the surveys, the accounts and the way the CRM writes numbers and
addresses.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from simulator.clock import local_day_bounds
from simulator.config import SimulationConfig
from simulator.cx.accounts import Experience, Ledger, apply_behaviour, open_accounts
from simulator.cx.capture import Call
from simulator.cx.catalog import SURVEY_SCALES
from simulator.cx.contacts import (
    LONG_WAIT_SECONDS,
    VOICE,
    Contact,
    apply_fcr,
    call_contacts,
    session_contacts,
    ticket_contacts,
)
from simulator.cx.files import write_crm, write_sessions, write_surveys
from simulator.cx.people import Population, build_population
from simulator.cx.sessions import AGENT_REQUESTED, IVR, SELF_SERVED, Session, TicketStart, build_sessions
from simulator.cx.surveys import (
    CES,
    CSAT,
    HELPDESK_SURVEY,
    PULSE,
    RNPS,
    TNPS,
    Survey,
    helpdesk_after_tickets,
    number_surveys,
    pulse_after_calls,
    relationship_waves,
)
from simulator.cx.truth import is_satisfied, normalized_5pt, write_cx_truth
from simulator.helpdesk.simulation import HelpdeskSimulation
from simulator.helpdesk.truth import TicketTruth, ticket_truth

#: Mixed into the seed so that the CX streams are independent of the voice and helpdesk streams.
CX_STREAM_KEY = 0x43585349   # "CXSI"
FCR_WINDOW_SECONDS = 7 * 86400


@dataclass
class CxRun:
    landing_files: list[Path]
    truth_files: list[Path]
    summary: dict[str, Any]
    customers: int
    population: Population
    contacts: list[Contact] = field(default_factory=list)


def simulate_cx(cfg: SimulationConfig, calls: list[Call], pool: list[str], helpdesk: HelpdeskSimulation | None,
                out_dir: Path, truth_dir: Path) -> CxRun:
    seeds = np.random.SeedSequence([cfg.seed, CX_STREAM_KEY]).generate_state(5, dtype=np.uint64).tolist()
    people_rng, session_rng, survey_rng, account_rng, display_rng = (random.Random(s) for s in seeds)
    tz = cfg.tz
    first_day = cfg.start
    last_day = cfg.start + timedelta(days=cfg.days - 1)
    period_start, horizon = local_day_bounds(first_day, tz)[0], local_day_bounds(last_day, tz)[1]

    truths: list[TicketTruth] = [ticket_truth(helpdesk, r) for r in helpdesk.tickets] if helpdesk else []
    group_names = {g.id: g.name for g in helpdesk.directory.groups} if helpdesk else {}
    population = build_population(
        calls, pool, [t.record for t in truths], {q.name for q in cfg.queues if q.weight > 0}, people_rng,
        known_caller_rate=cfg.cx_known_caller_rate, known_requester_rate=cfg.cx_known_requester_rate,
        cross_channel_rate=cfg.cx_cross_channel_rate)

    tickets = ticket_contacts(truths, population)
    by_ticket = {c.contact_id: c for c in tickets}
    starts = [TicketStart(ticket_id=t.record.id, created_at=t.record.created_at, channel=t.record.channel,
                          topic=t.record.tags[0] if t.record.tags else "", group_name=group_names[t.created_group_id],
                          customer_id=by_ticket[f"ticket:{t.record.id}"].customer_id)
              for t in truths if f"ticket:{t.record.id}" in by_ticket]
    sessions = build_sessions(calls, [s for s in starts if s.channel == "chat"], starts, population, pool,
                              (period_start, horizon), session_rng, helpdesk=helpdesk is not None)
    by_callid = {s.callid: s for s in sessions if s.callid}
    contacts = call_contacts(calls, by_callid, population) + tickets + session_contacts(sessions, population)
    data_as_of = apply_fcr(contacts, FCR_WINDOW_SECONDS)
    contact_index = {c.contact_id: c for c in contacts}

    ledger = Ledger(tz, first_day, last_day, horizon)
    open_accounts(population.customers, ledger, cfg.days, account_rng)
    bad_contacts = _bad_contact_times(contacts)
    surveys = pulse_after_calls(calls, contact_index, horizon, survey_rng)
    surveys += helpdesk_after_tickets(truths, contact_index, horizon, survey_rng)
    surveys += relationship_waves(
        population.customers, ledger.active_at,
        lambda cid, at: sum(t < at for t in bad_contacts.get(cid, ())), first_day, cfg.days, tz, horizon, survey_rng)
    number_surveys(surveys)
    experience = _experience(contacts, surveys, bad_contacts)
    churned = apply_behaviour(ledger, experience, cfg.days, account_rng)

    landing = write_crm(out_dir, ledger, last_day, display_rng)
    landing += write_sessions(out_dir, sessions)
    landing += write_surveys(out_dir, surveys)
    truth_files, tables = write_cx_truth(truth_dir, contacts, surveys, sessions, ledger, data_as_of)
    summary = _summary(population, contacts, surveys, sessions, ledger, experience, churned, tables)
    return CxRun(landing_files=landing, truth_files=truth_files, summary=summary,
                 customers=len(population.customers), population=population, contacts=contacts)


def _bad_contact_times(contacts: list[Contact]) -> dict[str, list[int]]:
    """Per customer, the start of each contact that went badly: a call that waited over 60 s or
    was not answered, or a contact the customer had to repeat."""
    bad: dict[str, list[int]] = defaultdict(list)
    for c in contacts:
        if c.customer_id is None:
            continue
        long_call = c.channel == VOICE and ((c.wait_seconds or 0) > LONG_WAIT_SECONDS or c.outcome != "answered")
        if long_call or c.is_repeat_followed:
            bad[c.customer_id].append(c.started_at)
    return bad


def _unhappy(survey: Survey) -> bool:
    score = survey.score
    if score is None:
        return False
    if survey.survey_type == CSAT:
        return normalized_5pt(survey.scale, score) <= 2
    if survey.survey_type in (TNPS, RNPS):
        return score <= 6
    return score <= 3        # CES


def _happy(survey: Survey) -> bool:
    score = survey.score
    if score is None:
        return False
    if survey.survey_type == CSAT:
        return is_satisfied(survey)
    if survey.survey_type in (TNPS, RNPS):
        return score >= 9
    return score >= 5


def _experience(contacts: list[Contact], surveys: list[Survey],
                bad_contacts: dict[str, list[int]]) -> dict[str, Experience]:
    experience: dict[str, Experience] = defaultdict(Experience)
    for cid, times in bad_contacts.items():
        experience[cid].bad_times.extend(times)
    for c in contacts:
        if c.customer_id is not None and c.is_fcr:
            experience[c.customer_id].good += 1
    for s in surveys:
        cid = s.customer_id if s.survey_type == RNPS else (s.contact.customer_id if s.contact else None)
        if cid is None or s.answered_at is None:
            continue
        if _unhappy(s):
            experience[cid].bad_times.append(s.answered_at)
        elif _happy(s):
            experience[cid].good += 1
    return experience


def _rate(numerator: float, denominator: float, digits: int = 4) -> float | None:
    return round(numerator / denominator, digits) if denominator else None


def _summary(population: Population, contacts: list[Contact], surveys: list[Survey], sessions: list[Session],
             ledger: Ledger, experience: dict[str, Experience], churned: set[str], tables: dict) -> dict[str, Any]:
    """Headline figures of the run (for simulation.json and the calibration in docs/simulator.md)."""
    channels: dict[str, set[str]] = defaultdict(set)
    for c in contacts:
        if c.customer_id is not None:
            channels[c.customer_id].add("voice" if c.channel in (VOICE, IVR) else "digital")
    measured = [c for c in contacts if c.is_fcr is not None]
    repeat_measured = [c for c in contacts if c.is_repeat_followed is not None]
    answered = [s for s in surveys if s.score is not None]

    def of(kind: str) -> list[Survey]:
        return [s for s in answered if s.survey_type == kind]

    def nps(kind: str) -> float | None:
        own = of(kind)
        return round(100 * (sum(s.score >= 9 for s in own) - sum(s.score <= 6 for s in own)) / len(own), 1) if own else None

    sent = Counter("rnps" if s.survey_type == RNPS else s.tool for s in surveys)
    got = Counter("rnps" if s.survey_type == RNPS else s.tool for s in answered)
    csat = of(CSAT)
    ces = of(CES)
    resolved = [s.resolved for s in answered if s.resolved]
    churn_by_segment = {}
    for segment in ("consumer", "small_business", "enterprise"):
        own = [cid for cid, a in ledger.accounts.items() if a.person.segment == segment and not a.new]
        churn_by_segment[segment] = _rate(sum(cid in churned for cid in own), len(own))
    existing = [cid for cid, a in ledger.accounts.items() if not a.new]
    bad = {cid for cid in existing if cid in experience and experience[cid].bad_times}
    good = [cid for cid in existing if cid in channels and cid not in bad]
    silent = [cid for cid in existing if cid not in channels]
    calls = [c for c in contacts if c.channel == VOICE]
    tickets = [c for c in contacts if c.channel not in (VOICE, "ivr", "bot")]
    return {
        "customers": len(population.customers),
        "contacts": len(contacts),
        "calls_known_customer": _rate(sum(c.customer_id is not None for c in calls), len(calls)),
        "tickets_known_customer": _rate(sum(c.customer_id is not None for c in tickets), len(tickets)),
        "customers_contacting": len(channels),
        "cross_channel_customers": sum(len(v) > 1 for v in channels.values()),
        "fcr": _rate(sum(bool(c.is_fcr) for c in measured), len(measured)),
        "repeat_contact_rate": _rate(sum(bool(c.is_repeat_followed) for c in repeat_measured), len(repeat_measured)),
        "cross_channel_repeats": _cross_channel_repeats(contacts),
        "csat": _rate(sum(is_satisfied(s) for s in csat), len(csat)),
        "csat_by_scale": {scale: _rate(sum(is_satisfied(s) for s in csat if s.scale == scale),
                                       sum(s.scale == scale for s in csat)) for scale in SURVEY_SCALES
                          if any(s.scale == scale for s in csat)},
        "tnps": nps(TNPS),
        "rnps": nps(RNPS),
        "ces_mean": round(sum(s.score for s in ces) / len(ces), 2) if ces else None,
        "ces_low_effort": _rate(sum(s.score >= 5 for s in ces), len(ces)),
        "fcr_survey": _rate(resolved.count("yes"), len(resolved)),
        "response_rate": {kind: _rate(got[kind], sent[kind]) for kind in (PULSE, HELPDESK_SURVEY, "rnps")},
        "surveys_sent": {kind: sent[kind] for kind in (PULSE, HELPDESK_SURVEY, "rnps")},
        "self_service_rate": {kind: _rate(sum(s.outcome == SELF_SERVED for s in sessions if s.kind == kind),
                                          sum(s.kind == kind for s in sessions)) for kind in ("ivr", "bot")},
        "sessions_agent_requested": sum(s.outcome == AGENT_REQUESTED for s in sessions),
        "churn_in_period_by_segment": churn_by_segment,
        "churn_in_period_bad_experience": _rate(sum(cid in churned for cid in bad), len(bad)),
        "churn_in_period_good_experience": _rate(sum(cid in churned for cid in good), len(good)),
        "churn_in_period_no_contact": _rate(sum(cid in churned for cid in silent), len(silent)),
        "customer_monthly": [dict(zip(("month_start", "segment", "customers_at_start", "churned", "churn_rate"), row[:5],
                                      strict=True)) for row in tables["monthly"]],
        "orders": len(ledger.orders),
    }


def _cross_channel_repeats(contacts: list[Contact]) -> int:
    """Contacts followed (within the window) by a contact of the same customer on another channel."""
    by_customer: dict[str, list[Contact]] = defaultdict(list)
    for c in contacts:
        if c.customer_id is not None:
            by_customer[c.customer_id].append(c)
    count = 0
    for own in by_customer.values():
        own.sort(key=lambda c: (c.started_at, c.contact_id))
        for first, second in zip(own, own[1:], strict=False):
            if first.is_repeat_followed and first.channel != second.channel:
                count += 1
    return count
