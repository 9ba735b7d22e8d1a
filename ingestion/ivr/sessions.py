"""Parsing of IVR and bot session exports: ``ivr/ivr_sessions-YYYYMMDD.csv`` (docs/cx_sources.md).

A CSV file with a header row (:data:`models.cx.IVR_SESSION_FILE_COLUMNS`; column order free,
unknown columns not loaded). A row that breaks the contract raises
:class:`~ingestion.parsing.ParseError` with the reason kept in quarantine: a missing
``session_id`` or ``started_at``, a time that cannot be read or has no UTC offset, ``ended_at``
before ``started_at``, a ``kind`` other than ivr / bot, an ``outcome`` other than self_served /
agent_requested / abandoned, the wrong number of fields. The caller's number is loaded only as its
pseudonym (``caller_phone_hash``, :mod:`ingestion.privacy`).
"""

from __future__ import annotations

import datetime as dt
from typing import Final, NamedTuple

from ingestion.feed import Redact
from ingestion.filesource import code_field, csv_redactor, phone_field, text_field
from ingestion.parsing import (
    HeaderLayout,
    ParseError,
    parse_optional_timestamp,
    parse_timestamp,
    required_text,
    split_csv_line,
    stripped_or_none,
)
from ingestion.privacy import Pseudonymizer
from models.cx import IVR_KINDS, IVR_OUTCOMES, IVR_SESSION_FILE_COLUMNS

__all__ = ["IvrSessionRecord", "parse_header", "parse_row", "redactor"]

REQUIRED: Final = ("session_id", "kind", "started_at", "outcome")


class IvrSessionRecord(NamedTuple):
    session_id: str
    kind: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    caller_phone_hash: str | None
    customer_ref: str | None
    menu_path: str | None
    outcome: str
    queue: str | None
    callid: str | None


def parse_header(text: str) -> HeaderLayout:
    """Recognise an export's header row (the columns of :data:`REQUIRED` must be there)."""
    return HeaderLayout.from_names(split_csv_line(text), IVR_SESSION_FILE_COLUMNS, REQUIRED)


def _one_of(values: dict[str, str], field: str, allowed: tuple[str, ...]) -> str:
    value = values[field].strip().lower()
    if value not in allowed:
        raise ParseError(f"{field} {values[field]!r} is not one of {', '.join(allowed)}")
    return value


def parse_row(text: str, layout: HeaderLayout, privacy: Pseudonymizer) -> IvrSessionRecord:
    """Parse and check one session row."""
    values = layout.values(split_csv_line(text))
    session_id = required_text(values, "session_id")
    kind = _one_of(values, "kind", IVR_KINDS)
    started_at = parse_timestamp(values["started_at"], field="started_at", naive_zone=None)
    ended_at = parse_optional_timestamp(values.get("ended_at"), "ended_at")
    if ended_at is not None and ended_at < started_at:
        raise ParseError(
            f"ended_at {values['ended_at'].strip()} is before started_at "
            f"{values['started_at'].strip()}"
        )
    return IvrSessionRecord(
        session_id=session_id,
        kind=kind,
        started_at=started_at,
        ended_at=ended_at,
        caller_phone_hash=privacy.phone(values.get("caller_phone")),
        customer_ref=stripped_or_none(values.get("customer_ref")),
        menu_path=stripped_or_none(values.get("menu_path")),
        outcome=_one_of(values, "outcome", IVR_OUTCOMES),
        queue=stripped_or_none(values.get("queue")),
        callid=stripped_or_none(values.get("callid")),
    )


def redactor(layout: HeaderLayout, privacy: Pseudonymizer) -> Redact:
    """A quarantined row as shown: the caller's number as its pseudonym, other fields scrubbed of
    addresses and ``+`` / ``00`` numbers (call ids stay readable); a row whose fields cannot be
    told apart scrubbed whole."""

    return csv_redactor(
        layout,
        {"caller_phone": phone_field(privacy)},
        code_field(privacy),
        whole_line=text_field(privacy),
    )
