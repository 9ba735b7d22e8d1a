"""The customer-experience ground truth, computed from the simulation's own records (never from
the files), by the rules of docs/cx_sources.md ("Measures"), made exact here:

contacts.csv, one row per contact in (started_at, contact_id) order:
- a call per callid (`call:<callid>`, channel `voice`): started_at = its first queue entry;
  queue_or_group = that entry's queue; agent_id = the agent of the first answered entry;
  is_transferred = an entry ended in a transfer or the call visited more than one queue; outcome
  `answered` if an entry was answered, else the first entry's outcome (abandoned, timed_out,
  exited_with_key, exited_empty, blocked); wait_seconds = the sum of the entries' waits;
  customer = the caller number matched to a CRM phone (E.164; `anonymous` has none);
- an inbound, not deleted ticket (`ticket:<id>`, channel = via.channel): started_at = created_at;
  queue_or_group = the group id it was created in; agent_id = the Zendesk user id of the author
  of the first public agent reply (empty if none); is_transferred = its group changed after
  creation; outcome `solved` when solved or closed at the horizon, else `open`; customer = the
  requester's e-mail matched to a CRM e-mail (lower case), else the profile phone to a CRM phone;
- an IVR or bot session that did not reach an agent (`ivr:<session_id>` / `bot:<session_id>`,
  channel `ivr` / `bot`, outcome `self_served` / `abandoned`, never transferred, no queue or
  agent): customer = customer_ref, else the caller number matched to a CRM phone;
- report_date = the site-local date of started_at. contact_reason: calls and sessions by the
  first menu key or bot intent (seed ivr_menu_reasons; a call without a session: `unknown`),
  tickets by the first keyword by rank contained in the lower-cased subject (seed
  contact_reason_keywords), else in the opening message, else `other`;
- FCR (fcr_window_days = 7): data_as_of = the latest started_at of all contacts. The contacts of
  one customer in (started_at, contact_id) order; a contact is followed when the next one starts
  at most 7 x 24 h after it; its window is closed when started_at + 7 x 24 h <= data_as_of.
  is_repeat_followed = followed -> true, else closed -> false, else NULL; is_fcr = followed ->
  false, else closed -> not is_transferred, else NULL; both NULL without a customer.

cx_daily.csv, one row per site-local report_date and channel with anything to count:
- contacts, contacts_known_customer, fcr_resolved (is_fcr true), fcr_measured (is_fcr not
  NULL), repeat_followed, repeat_measured: the contacts of that day and channel;
- survey columns: an invitation or answer after a contact counts on its contact's report_date
  and channel (a ticket's via channel, not `ticket`); surveys_sent = those invitation rows (one
  per question: csat, tnps, ces), surveys_answered = those with a score. An rnps answer counts
  (rnps_* only) on the site-local day it was answered, channel `relationship`; rnps invitations
  are in neither surveys_sent nor surveys_answered (an unanswered one has no day). csat_satisfied = score >= the scale's top-box minimum
  (seed survey_scales); csat_mean_5pt_sum = the sum of 1 + (score - min) x 4 / (max - min) (exact,
  written with 6 decimals); NPS promoters 9-10, detractors 0-6; ces_low_effort = 5-7;
  resolved_yes / resolved_no = answered rows with resolved yes / no;
- ivr_sessions / ivr_self_served (channels ivr and bot): every session started that day (handed
  to an agent or not) / the self-served ones.

customer_monthly.csv, one row per site-local calendar month of the period and segment (all three
segments every month), over the CRM export (contracts and orders as simulated):
- active on a day: a contract with start_date <= day <= end_date (or no end_date);
- customers_at_start: active on the month's first day; churned: of those, not active on the next
  month's first day; churn_rate = churned / customers_at_start;
- new_customers: the customer's earliest start_date is in the month;
- mrr_start / mrr_end: sum of monthly_value of contracts active on the month's first / last day;
- expansion_revenue / contraction_revenue: over contracts starting in the month with a
  previous_contract_id, the sum of monthly_value - previous monthly_value where positive / of
  previous monthly_value - monthly_value where positive (both >= 0);
- orders, order_revenue: orders whose ordered_at falls in the month (site-local);
  ordering_customers: distinct customers among them; repurchasing_customers: those of them
  with an order in the month for which they have an earlier order (any earlier ordered_at);
  repurchase_rate = repurchasing_customers / ordering_customers;
- ltv = (mrr_start / customers_at_start) / churn_rate, NULL when churn_rate is 0 or NULL.
  Rates have 6 decimals, money 2.

customer_experience.csv, one row per CRM customer (customer_id order): segment, region, contacts,
long_wait_calls (calls with wait_seconds > 60), repeat_contacts (is_repeat_followed true),
transferred_contacts, unresolved_contacts (is_fcr false), csat_answered and csat_satisfied (csat
answers after the customer's contacts), has_churned: every contract of the customer has an
end_date before the site-local date of data_as_of (so none is active then; every customer here
had a contract running when the period began or starting in it, and churns end within it).

Booleans are `true` / `false`, NULL is an empty field, times UTC `...Z`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

from simulator.clock import iso_utc
from simulator.cx.accounts import Ledger
from simulator.cx.catalog import SURVEY_SCALES
from simulator.cx.contacts import LONG_WAIT_SECONDS, VOICE, Contact, local_date
from simulator.cx.sessions import SELF_SERVED, Session
from simulator.cx.surveys import CES, CSAT, RNPS, TNPS, Survey
from simulator.truth import _write_csv

RELATIONSHIP = "relationship"

CONTACT_COLUMNS = (
    "contact_id", "channel", "started_at", "report_date", "customer_id", "queue_or_group", "agent_id",
    "contact_reason", "is_transferred", "outcome", "wait_seconds", "is_repeat_followed", "is_fcr",
)
DAILY_COLUMNS = (
    "contacts", "contacts_known_customer", "fcr_resolved", "fcr_measured", "repeat_followed", "repeat_measured",
    "csat_answered", "csat_satisfied", "csat_mean_5pt_sum", "tnps_answered", "tnps_promoters", "tnps_detractors",
    "rnps_answered", "rnps_promoters", "rnps_detractors", "ces_answered", "ces_sum", "ces_low_effort",
    "surveys_sent", "surveys_answered", "resolved_yes", "resolved_no", "ivr_sessions", "ivr_self_served",
)
MONTHLY_COLUMNS = (
    "month_start", "segment", "customers_at_start", "churned", "churn_rate", "new_customers", "mrr_start",
    "mrr_end", "expansion_revenue", "contraction_revenue", "orders", "order_revenue", "ordering_customers",
    "repurchasing_customers", "repurchase_rate", "ltv",
)
EXPERIENCE_COLUMNS = (
    "customer_id", "segment", "region", "contacts", "long_wait_calls", "repeat_contacts", "transferred_contacts",
    "unresolved_contacts", "csat_answered", "csat_satisfied", "has_churned",
)
SEGMENT_ORDER = ("consumer", "small_business", "enterprise")


def _bool(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def normalized_5pt(scale: str, score: int) -> Fraction:
    low, high, _ = SURVEY_SCALES[scale]
    return 1 + Fraction(4 * (score - low), high - low)


def is_satisfied(survey: Survey) -> bool:
    """A csat answer in the top box of its scale."""
    return survey.score is not None and survey.score >= SURVEY_SCALES[survey.scale][2]


def contact_rows(contacts: list[Contact], tz: ZoneInfo) -> list[tuple]:
    cache: dict[int, str] = {}
    return [tuple(str(v) for v in (
        c.contact_id, c.channel, iso_utc(c.started_at), local_date(c.started_at, tz, cache), c.customer_id or "",
        c.queue_or_group, c.agent_id, c.reason, _bool(c.is_transferred), c.outcome,
        "" if c.wait_seconds is None else c.wait_seconds, _bool(c.is_repeat_followed), _bool(c.is_fcr),
    )) for c in sorted(contacts, key=lambda c: (c.started_at, c.contact_id))]


def daily_totals(contacts: list[Contact], surveys: list[Survey], sessions: list[Session],
                 tz: ZoneInfo) -> dict[tuple[str, str], dict[str, Fraction | int]]:
    cache: dict[int, str] = {}
    rows: dict[tuple[str, str], dict] = {}

    def row(day: str, channel: str) -> dict:
        key = (day, channel)
        if key not in rows:
            rows[key] = dict.fromkeys(DAILY_COLUMNS, 0)
            rows[key]["csat_mean_5pt_sum"] = Fraction(0)
        return rows[key]

    for c in contacts:
        r = row(local_date(c.started_at, tz, cache), c.channel)
        r["contacts"] += 1
        if c.customer_id is not None:
            r["contacts_known_customer"] += 1
        if c.is_fcr is not None:
            r["fcr_measured"] += 1
            r["fcr_resolved"] += c.is_fcr
        if c.is_repeat_followed is not None:
            r["repeat_measured"] += 1
            r["repeat_followed"] += c.is_repeat_followed
    for s in surveys:
        if s.survey_type == RNPS:
            if s.score is None:
                continue
            assert s.answered_at is not None
            r = row(local_date(s.answered_at, tz, cache), RELATIONSHIP)
        else:
            assert s.contact is not None
            r = row(local_date(s.contact.started_at, tz, cache), s.contact.channel)
            r["surveys_sent"] += 1
            if s.score is None:
                continue
            r["surveys_answered"] += 1
        score = s.score
        if s.survey_type == CSAT:
            r["csat_answered"] += 1
            r["csat_satisfied"] += is_satisfied(s)
            r["csat_mean_5pt_sum"] += normalized_5pt(s.scale, score)
        elif s.survey_type in (TNPS, RNPS):
            prefix = s.survey_type
            r[f"{prefix}_answered"] += 1
            r[f"{prefix}_promoters"] += score >= 9
            r[f"{prefix}_detractors"] += score <= 6
        elif s.survey_type == CES:
            r["ces_answered"] += 1
            r["ces_sum"] += score
            r["ces_low_effort"] += score >= 5
        if s.resolved == "yes":
            r["resolved_yes"] += 1
        elif s.resolved == "no":
            r["resolved_no"] += 1
    for session in sessions:
        r = row(local_date(session.started_at, tz, cache), session.kind)
        r["ivr_sessions"] += 1
        r["ivr_self_served"] += session.outcome == SELF_SERVED
    return rows


def _months(first: date, last: date) -> list[date]:
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _ratio(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:.6f}" if denominator else ""


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def monthly_rows(ledger: Ledger) -> list[tuple]:
    tz = ledger.tz
    cents_by_id = {c.contract_id: c.cents for a in ledger.accounts.values() for c in a.contracts}
    orders_by_customer: dict[str, list[int]] = defaultdict(list)
    order_months = []
    for order in ledger.orders:
        orders_by_customer[order.customer_id].append(order.ordered_at)
        order_months.append(datetime.fromtimestamp(order.ordered_at, tz).date().replace(day=1))
    far = date.max.toordinal()
    # Per account: segment, first start, and (start, end, cents, change) per contract as ordinals.
    compact = []
    for account in ledger.accounts.values():
        spans = [(c.start_date.toordinal(), c.end_date.toordinal() if c.end_date else far, c.cents,
                  c.cents - cents_by_id[c.previous_contract_id] if c.previous_contract_id else None)
                 for c in account.contracts]
        compact.append((account.person.segment, account.first_start.toordinal(), spans))
    rows = []
    for month in _months(ledger.first_day, ledger.last_day):
        following = (month + timedelta(days=32)).replace(day=1)
        first, last, next_first = month.toordinal(), following.toordinal() - 1, following.toordinal()
        t = {s: dict.fromkeys(("at_start", "churned", "new", "mrr_start", "mrr_end", "expansion", "contraction",
                               "orders", "order_revenue"), 0) for s in SEGMENT_ORDER}
        buyers: dict[str, dict[str, bool]] = {s: {} for s in SEGMENT_ORDER}
        for segment, first_start, spans in compact:
            counts = t[segment]
            active_first = active_next = False
            for start, end, cents, change in spans:
                if start <= first <= end:
                    active_first = True
                    counts["mrr_start"] += cents
                if start <= next_first <= end:
                    active_next = True
                if start <= last <= end:
                    counts["mrr_end"] += cents
                if change is not None and first <= start <= last:
                    if change > 0:
                        counts["expansion"] += change
                    else:
                        counts["contraction"] -= change
            if active_first:
                counts["at_start"] += 1
                counts["churned"] += not active_next
            if first <= first_start <= last:
                counts["new"] += 1
        for order, order_month in zip(ledger.orders, order_months, strict=True):
            if order_month != month:
                continue
            segment = ledger.accounts[order.customer_id].person.segment
            t[segment]["orders"] += 1
            t[segment]["order_revenue"] += order.amount_cents
            earlier = any(other < order.ordered_at for other in orders_by_customer[order.customer_id])
            buyers[segment][order.customer_id] = buyers[segment].get(order.customer_id, False) or earlier
        for segment in SEGMENT_ORDER:
            counts = t[segment]
            at_start, churned = counts["at_start"], counts["churned"]
            with_orders = len(buyers[segment])
            repurchasing = sum(buyers[segment].values())
            # ltv = (mrr_start / customers_at_start) / (churned / customers_at_start) = mrr_start / churned
            ltv = f"{Decimal(counts['mrr_start']) / 100 / churned:.2f}" if churned else ""
            rows.append((
                month.isoformat(), segment, at_start, churned, _ratio(churned, at_start), counts["new"],
                _money(counts["mrr_start"]), _money(counts["mrr_end"]), _money(counts["expansion"]),
                _money(counts["contraction"]), counts["orders"], _money(counts["order_revenue"]), with_orders,
                repurchasing, _ratio(repurchasing, with_orders), ltv,
            ))
    return rows


@dataclass
class CustomerFigures:
    contacts: int = 0
    long_wait_calls: int = 0
    repeat_contacts: int = 0
    transferred_contacts: int = 0
    unresolved_contacts: int = 0
    csat_answered: int = 0
    csat_satisfied: int = 0


def experience_rows(ledger: Ledger, contacts: list[Contact], surveys: list[Survey],
                    data_as_of: int | None) -> list[tuple]:
    figures: dict[str, CustomerFigures] = defaultdict(CustomerFigures)
    for c in contacts:
        if c.customer_id is None:
            continue
        f = figures[c.customer_id]
        f.contacts += 1
        f.long_wait_calls += c.channel == VOICE and (c.wait_seconds or 0) > LONG_WAIT_SECONDS
        f.repeat_contacts += c.is_repeat_followed is True
        f.transferred_contacts += c.is_transferred
        f.unresolved_contacts += c.is_fcr is False
    for s in surveys:
        if s.survey_type == CSAT and s.score is not None and s.contact is not None and s.contact.customer_id:
            f = figures[s.contact.customer_id]
            f.csat_answered += 1
            f.csat_satisfied += is_satisfied(s)
    as_of_day = (datetime.fromtimestamp(data_as_of, ledger.tz).date() if data_as_of is not None
                 else ledger.last_day)
    rows = []
    for cid in sorted(ledger.accounts):
        account = ledger.accounts[cid]
        f = figures.get(cid, CustomerFigures())
        churned = all(c.end_date is not None and c.end_date < as_of_day for c in account.contracts)
        rows.append((cid, account.person.segment, account.person.region, f.contacts, f.long_wait_calls, f.repeat_contacts,
                     f.transferred_contacts, f.unresolved_contacts, f.csat_answered, f.csat_satisfied,
                     _bool(churned)))
    return rows


def write_cx_truth(truth_dir: Path, contacts: list[Contact], surveys: list[Survey], sessions: list[Session],
                   ledger: Ledger, data_as_of: int | None) -> tuple[list[Path], dict]:
    """Write the four truth files; return them and the rows (for the summary and tests)."""
    tz = ledger.tz
    truth_dir.mkdir(parents=True, exist_ok=True)
    paths = [truth_dir / name for name in ("contacts.csv", "cx_daily.csv", "customer_monthly.csv",
                                            "customer_experience.csv")]
    _write_csv(paths[0], CONTACT_COLUMNS, contact_rows(contacts, tz))
    daily = daily_totals(contacts, surveys, sessions, tz)
    _write_csv(paths[1], ("report_date", "channel", *DAILY_COLUMNS), (
        (day, channel, *(f"{float(v[c]):.6f}" if c == "csat_mean_5pt_sum" else v[c] for c in DAILY_COLUMNS))
        for (day, channel), v in sorted(daily.items())))
    monthly = monthly_rows(ledger)
    _write_csv(paths[2], MONTHLY_COLUMNS, monthly)
    experience = experience_rows(ledger, contacts, surveys, data_as_of)
    _write_csv(paths[3], EXPERIENCE_COLUMNS, experience)
    return paths, {"daily": daily, "monthly": monthly, "experience": experience}
