"""Parsing of Asterisk queue_log lines: the native pipe form and the vendor CSV table form.

Pipe form, one event per line (docs/source_formats.md)::

    epoch|callid|queuename|agent|event|data1|data2|data3|data4|data5

Trailing data fields may be omitted. Table form: a CSV file whose header names the same fields
(``time`` instead of ``epoch``; ``data1..data5`` or one ``data`` field holding them '|'-separated);
``time`` is Unix seconds or an ISO-8601 timestamp (UTC when it has no offset).

The parsers only type the fields: event names are upper-cased but any name is kept (custom PBX
events such as CLOSED); what an event means for the KPIs is decided in dbt.

Privacy: ENTERQUEUE's ``data2`` is the caller id. :func:`pseudonymized` replaces it by the
caller's pseudonym (an internal extension stays, anonymous becomes NULL) before the record is
loaded, and :func:`redactor` shows a quarantined line with the same replacement.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final, NamedTuple

from ingestion.feed import Redact
from ingestion.filesource import csv_redactor
from ingestion.parsing import (
    HeaderLayout,
    ParseError,
    epoch_to_utc,
    parse_epoch,
    parse_timestamp,
    split_csv_line,
)
from ingestion.privacy import ANONYMOUS_VALUES, Pseudonymizer

__all__ = [
    "CALLER_ID_EVENT",
    "QueueLogRecord",
    "parse_pipe_line",
    "parse_table_header",
    "parse_table_row",
    "pseudonymized",
    "redactor",
]

MIN_FIELDS: Final = 5
MAX_FIELDS: Final = 10
DATA_FIELDS: Final = ("data1", "data2", "data3", "data4", "data5")
TABLE_COLUMNS: Final = ("time", "callid", "queuename", "agent", "event", *DATA_FIELDS, "data")
TABLE_REQUIRED: Final = ("time", "callid", "queuename", "agent", "event")
TABLE_ALIASES: Final = {"epoch": "time", "queue_name": "queuename", "queue": "queuename"}
_EPOCH_RE: Final = re.compile(r"^\d+(\.\d+)?$")
CALLER_ID_EVENT: Final = "ENTERQUEUE"
"""The event whose ``data2`` is the caller id (``ENTERQUEUE|url|callerid|position``)."""


class QueueLogRecord(NamedTuple):
    """The typed fields of one queue_log event (the file and line are added by the resource)."""

    event_epoch: float
    event_at: dt.datetime
    callid: str | None
    queue_name: str | None
    agent: str | None
    event: str
    data1: str | None = None
    data2: str | None = None
    data3: str | None = None
    data4: str | None = None
    data5: str | None = None


def _record(
    event_epoch: float,
    event_at: dt.datetime,
    callid: str,
    queue_name: str,
    agent: str,
    event: str,
    data: list[str],
) -> QueueLogRecord:
    """Build a record from split fields, checking the event name and the number of data fields."""
    name = event.strip().upper()
    if not name:
        raise ParseError("event name is empty")
    if len(data) > len(DATA_FIELDS):
        raise ParseError(f"expected at most {len(DATA_FIELDS)} data fields, got {len(data)}")
    padded = [v or None for v in data] + [None] * (len(DATA_FIELDS) - len(data))
    return QueueLogRecord(
        event_epoch, event_at, callid or None, queue_name or None, agent or None, name, *padded
    )


def parse_pipe_line(text: str) -> QueueLogRecord:
    """Parse one pipe-form line ``epoch|callid|queuename|agent|event[|data1..data5]``."""
    fields = text.split("|")
    if len(fields) < MIN_FIELDS:
        raise ParseError(
            f"expected at least {MIN_FIELDS} '|'-separated fields "
            f"(epoch|callid|queuename|agent|event), got {len(fields)}"
        )
    if len(fields) > MAX_FIELDS:
        raise ParseError(f"expected at most {MAX_FIELDS} '|'-separated fields, got {len(fields)}")
    epoch = parse_epoch(fields[0])
    return _record(
        epoch, epoch_to_utc(epoch), fields[1], fields[2], fields[3], fields[4], fields[5:]
    )


def parse_table_header(text: str) -> HeaderLayout:
    """Recognise a table-form header: ``time,callid,queuename,agent,event,data1..data5`` (or
    ``data``)."""
    layout = HeaderLayout.from_names(
        split_csv_line(text), TABLE_COLUMNS, TABLE_REQUIRED, TABLE_ALIASES
    )
    has_numbered = any(name in layout for name in DATA_FIELDS)
    if has_numbered and "data" in layout:
        raise ParseError("header has both a combined 'data' column and data1..data5 columns")
    return layout


def _parse_time(text: str) -> tuple[float, dt.datetime]:
    """``time`` of the table form: Unix seconds, or ISO-8601 (UTC when it has no offset)."""
    value = text.strip()
    if _EPOCH_RE.match(value):
        epoch = float(value)
        return epoch, epoch_to_utc(epoch)
    at = parse_timestamp(value, field="time")
    return at.timestamp(), at


def parse_table_row(text: str, layout: HeaderLayout) -> QueueLogRecord:
    """Parse one data row of the table form, by the columns of ``layout``."""
    values = layout.values(split_csv_line(text))
    epoch, at = _parse_time(values["time"])
    if "data" in values:
        combined = values["data"]
        data = combined.split("|") if combined else []
    else:
        data = [values.get(name, "") for name in DATA_FIELDS]
        while data and not data[-1]:
            data.pop()
    return _record(
        epoch, at, values["callid"], values["queuename"], values["agent"], values["event"], data
    )


def pseudonymized(record: QueueLogRecord, privacy: Pseudonymizer) -> QueueLogRecord:
    """The record with ENTERQUEUE's caller id (``data2``) replaced by its pseudonym
    (:meth:`~ingestion.privacy.Pseudonymizer.caller_id`), and a phone number inside the agent
    field (a member that rings a remote agent's phone: ``Local/2125550142@from-internal``)
    scrubbed to ``[phone]``; other fields as they are."""
    agent = privacy.scrub_text(record.agent)
    if agent != record.agent:
        record = record._replace(agent=agent)
    if record.event == CALLER_ID_EVENT and record.data2 is not None:
        return record._replace(data2=privacy.caller_id(record.data2))
    return record


def _caller_id_shown(value: str, privacy: Pseudonymizer) -> str:
    if not value.strip() or value.strip().lower() in ANONYMOUS_VALUES:
        return value
    return privacy.caller_id(value) or "[phone]"


def redactor(privacy: Pseudonymizer, layout: HeaderLayout | None = None) -> Redact:
    """How a quarantined queue_log line is shown: an ENTERQUEUE caller id as its pseudonym, and
    e-mail addresses and numbers written with ``+`` / ``00`` anywhere as ``[email]`` /
    ``[phone]`` (epochs and call ids are long numbers too, so national numbers elsewhere in a
    line cannot be told). ``layout``: the table form's header; None for the pipe form."""

    def scrub(text: str) -> str:
        return privacy.scrub_text(text, international_only=True) or text

    if layout is None:

        def redact_pipe(text: str) -> str:
            fields = text.split("|")
            if len(fields) > 6 and fields[4].strip().upper() == CALLER_ID_EVENT:
                fields[6] = _caller_id_shown(fields[6], privacy)
            return scrub("|".join(fields))

        return redact_pipe

    def combined_data(value: str) -> str:
        data = value.split("|")
        if len(data) > 1:
            data[1] = _caller_id_shown(data[1], privacy)
        return "|".join(data)

    table = csv_redactor(
        layout,
        {"data2": lambda value: _caller_id_shown(value, privacy), "data": combined_data},
        scrub,
    )

    def redact_table(text: str) -> str:
        try:
            values = layout.values(split_csv_line(text))
        except ParseError:
            return scrub(text)
        if values.get("event", "").strip().upper() != CALLER_ID_EVENT:
            return scrub(text)
        return table(text)

    return redact_table
