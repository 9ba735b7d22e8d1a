"""Parsing of survey tool exports: ``surveys/<tool>/responses-YYYYMMDD.csv`` (docs/cx_sources.md).

A CSV file with a header row (:data:`models.cx.SURVEY_RESPONSE_FILE_COLUMNS`; column order free,
unknown columns not loaded). Each row is checked and typed; a row that breaks a rule of the
contract raises :class:`~ingestion.parsing.ParseError` with the reason kept in quarantine, never
clipped or guessed: a score outside its scale or not a whole number, an unknown ``survey_type``,
a malformed ``scale``, a missing ``response_id`` or ``sent_at``, a survey after a contact without
``contact_ref`` (or with a channel other than voice / ticket), ``answered_at`` before
``sent_at``, a ``resolved`` other than yes / no, a time without a UTC offset, the wrong number of
fields.

The respondent's phone and e-mail are loaded only as pseudonyms, and the comment is scrubbed of
addresses and numbers (:mod:`ingestion.privacy`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final, NamedTuple

from ingestion.feed import Redact
from ingestion.filesource import code_field, csv_redactor, email_field, phone_field, text_field
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
from models.cx import (
    CONTACT_CHANNELS,
    CONTACT_SURVEY_TYPES,
    RESOLVED_ANSWERS,
    SURVEY_RESPONSE_FILE_COLUMNS,
    SURVEY_TYPES,
)

__all__ = ["SurveyResponseRecord", "parse_header", "parse_row", "parse_scale", "redactor"]

REQUIRED: Final = ("response_id", "survey_type", "scale", "score", "sent_at", "answered_at")
_SCALE_RE: Final = re.compile(r"^(\d+)\s*-\s*(\d+)$")
_INTEGER_RE: Final = re.compile(r"^[+-]?\d+$")


class SurveyResponseRecord(NamedTuple):
    """The typed fields of one survey response (file, line and tool are added by the resource)."""

    tool: str
    response_id: str
    survey_type: str
    scale: str
    score: int | None
    resolved: str | None
    contact_channel: str | None
    contact_ref: str | None
    customer_ref: str | None
    respondent_phone_hash: str | None
    respondent_email_hash: str | None
    comment: str | None
    sent_at: dt.datetime
    answered_at: dt.datetime | None


def parse_header(text: str) -> HeaderLayout:
    """Recognise an export's header row (the columns of :data:`REQUIRED` must be there)."""
    return HeaderLayout.from_names(split_csv_line(text), SURVEY_RESPONSE_FILE_COLUMNS, REQUIRED)


def parse_scale(text: str) -> tuple[int, int]:
    """``<min>-<max>`` with min < max (``1-5``, ``0-10``)."""
    found = _SCALE_RE.match(text.strip())
    if not found or int(found.group(1)) >= int(found.group(2)):
        raise ParseError(f"scale {text!r} is not <min>-<max> with min < max (e.g. 1-5, 0-10)")
    return int(found.group(1)), int(found.group(2))


def _score(text: str, low: int, high: int, scale: str) -> int | None:
    value = text.strip()
    if not value:
        return None
    if not _INTEGER_RE.match(value):
        raise ParseError(f"score {text!r} is not a whole number")
    score = int(value)
    if not low <= score <= high:
        raise ParseError(f"score {score} is outside the scale {scale}")
    return score


def parse_row(
    text: str, layout: HeaderLayout, tool: str, privacy: Pseudonymizer
) -> SurveyResponseRecord:
    """Parse and check one response row of an export of ``tool``."""
    values = layout.values(split_csv_line(text))
    response_id = required_text(values, "response_id")
    survey_type = values["survey_type"].strip().lower()
    if survey_type not in SURVEY_TYPES:
        raise ParseError(
            f"survey_type {values['survey_type']!r} is not one of {', '.join(SURVEY_TYPES)}"
        )
    low, high = parse_scale(values["scale"])
    scale = f"{low}-{high}"
    score = _score(values["score"], low, high, scale)
    resolved = stripped_or_none(values.get("resolved"))
    if resolved is not None:
        resolved = resolved.lower()
        if resolved not in RESOLVED_ANSWERS:
            raise ParseError(f"resolved {values['resolved']!r} is not yes, no or empty")
    channel = stripped_or_none(values.get("contact_channel"))
    channel = channel.lower() if channel else None
    contact_ref = stripped_or_none(values.get("contact_ref"))
    if survey_type in CONTACT_SURVEY_TYPES:
        if contact_ref is None:
            raise ParseError(f"a {survey_type} survey (sent after a contact) has no contact_ref")
        if channel not in CONTACT_CHANNELS:
            raise ParseError(
                f"contact_channel {values.get('contact_channel', '')!r} of a {survey_type} survey "
                f"is not one of {', '.join(CONTACT_CHANNELS)}"
            )
    sent_at = parse_timestamp(values["sent_at"], field="sent_at", naive_zone=None)
    answered_at = parse_optional_timestamp(values["answered_at"], "answered_at")
    if answered_at is not None and answered_at < sent_at:
        raise ParseError(
            f"answered_at {values['answered_at'].strip()} is before sent_at "
            f"{values['sent_at'].strip()}"
        )
    return SurveyResponseRecord(
        tool=tool,
        response_id=response_id,
        survey_type=survey_type,
        scale=scale,
        score=score,
        resolved=resolved,
        contact_channel=channel,
        contact_ref=contact_ref,
        customer_ref=stripped_or_none(values.get("customer_ref")),
        respondent_phone_hash=privacy.phone(values.get("respondent_phone")),
        respondent_email_hash=privacy.email(values.get("respondent_email")),
        comment=privacy.scrub_text(stripped_or_none(values.get("comment"))),
        sent_at=sent_at,
        answered_at=answered_at,
    )


def redactor(layout: HeaderLayout, privacy: Pseudonymizer) -> Redact:
    """A quarantined row as shown: phone and e-mail as pseudonyms, the comment scrubbed of
    addresses and numbers, other fields of addresses and ``+`` / ``00`` numbers; a row whose
    fields cannot be told apart scrubbed whole."""

    return csv_redactor(
        layout,
        {
            "respondent_phone": phone_field(privacy),
            "respondent_email": email_field(privacy),
            "comment": text_field(privacy),
        },
        code_field(privacy),
        whole_line=text_field(privacy),
    )
