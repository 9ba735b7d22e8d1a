"""The landing files of the customer-experience sources (docs/cx_sources.md).

UTF-8 CSV, a header row, `,`-separated, `"`-quoted where needed, `\\n` line ends. Daily files are
named by the UTC date of the record's own moment (a survey's sent_at, a session's started_at, an
order's ordered_at), as the telephony files are; the CRM full exports carry the last simulated
(site-local) day.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from simulator.clock import iso_utc, utc_day_label
from simulator.cx.accounts import Ledger
from simulator.cx.catalog import CURRENCY
from simulator.cx.people import display_email, display_phone
from simulator.cx.sessions import Session
from simulator.cx.surveys import Survey

CRM_DIR = Path("crm")
IVR_DIR = Path("ivr")
SURVEYS_DIR = Path("surveys")
SURVEY_TOOLS = ("pulse", "helpdesk_survey")

SURVEY_HEADER = ("response_id", "survey_type", "scale", "score", "resolved", "contact_channel", "contact_ref",
                 "customer_ref", "respondent_phone", "respondent_email", "comment", "sent_at", "answered_at")
CUSTOMER_HEADER = ("customer_id", "name", "phone", "email", "segment", "region", "created_at", "updated_at")
CONTRACT_HEADER = ("contract_id", "customer_id", "product", "start_date", "end_date", "monthly_value", "currency",
                   "previous_contract_id", "status")
ORDER_HEADER = ("order_id", "customer_id", "ordered_at", "amount", "currency")
SESSION_HEADER = ("session_id", "kind", "started_at", "ended_at", "caller_phone", "customer_ref", "menu_path",
                  "outcome", "queue", "callid")


def write_csv(path: Path, header: Iterable[str], rows: Iterable[Iterable[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _daily(folder: Path, prefix: str, header: tuple[str, ...], dated_rows: list[tuple[int, tuple]]) -> list[Path]:
    by_day: dict[int, list[tuple]] = defaultdict(list)
    for epoch, row in dated_rows:
        by_day[epoch // 86400].append(row)
    return [write_csv(folder / f"{prefix}{utc_day_label(day)}.csv", header, rows)
            for day, rows in sorted(by_day.items())]


def write_surveys(out_dir: Path, surveys: list[Survey]) -> list[Path]:
    files = []
    for tool in SURVEY_TOOLS:
        own = sorted((s for s in surveys if s.tool == tool), key=lambda s: (s.sent_at, s.response_id))
        files += _daily(out_dir / SURVEYS_DIR / tool, "responses-", SURVEY_HEADER, [(s.sent_at, (
            s.response_id, s.survey_type, s.scale, "" if s.score is None else s.score, s.resolved,
            s.contact_channel, s.contact_ref, s.customer_ref, s.respondent_phone, s.respondent_email, s.comment,
            iso_utc(s.sent_at), "" if s.answered_at is None else iso_utc(s.answered_at),
        )) for s in own])
    return files


def write_sessions(out_dir: Path, sessions: list[Session]) -> list[Path]:
    return _daily(out_dir / IVR_DIR, "ivr_sessions-", SESSION_HEADER, [(s.started_at, (
        s.session_id, s.kind, iso_utc(s.started_at), iso_utc(s.ended_at), s.caller_phone or "", s.customer_ref or "",
        s.menu_path, s.outcome, s.queue, s.callid,
    )) for s in sessions])


def write_crm(out_dir: Path, ledger: Ledger, export_day: date, rng: random.Random) -> list[Path]:
    """Full exports of customers and contracts as of `export_day`, and the orders by day."""
    label = export_day.strftime("%Y%m%d")
    customers = []
    contracts = []
    for cid in sorted(ledger.accounts):
        account = ledger.accounts[cid]
        person = account.person
        customers.append((
            cid, person.name, display_phone(person.phone, rng) if person.phone else "",
            display_email(person.email, rng) if person.email else "", person.segment, person.region,
            iso_utc(account.created_at), iso_utc(account.updated_at),
        ))
        for c in sorted(account.contracts, key=lambda c: c.contract_id):
            contracts.append((
                c.contract_id, cid, c.product, c.start_date.isoformat(),
                c.end_date.isoformat() if c.end_date is not None else "", c.monthly_value, CURRENCY,
                c.previous_contract_id, "ended" if c.end_date is not None and c.end_date < export_day else "active",
            ))
    contracts.sort(key=lambda row: row[0])
    files = [write_csv(out_dir / CRM_DIR / f"customers-{label}.csv", CUSTOMER_HEADER, customers),
             write_csv(out_dir / CRM_DIR / f"contracts-{label}.csv", CONTRACT_HEADER, contracts)]
    files += _daily(out_dir / CRM_DIR, "orders-", ORDER_HEADER, [(o.ordered_at, (
        o.order_id, o.customer_id, iso_utc(o.ordered_at), o.amount, CURRENCY)) for o in ledger.orders])
    return files
