"""Parsing of Asterisk CDR CSV rows (Master.csv and other layouts).

Master.csv has no header and quotes every field; its default column order (cdr_csv with
``loguniqueid`` and ``loguserfield``) is :data:`DEFAULT_COLUMNS`. Other layouts (cdr_custom,
``newcdrcolumns`` adding ``peeraccount,linkedid,sequence``, vendor exports) are described by a
comma-separated column list, or by the file's own header row (layout ``header``).

``start``/``answer``/``end`` are ``YYYY-MM-DD HH:MM:SS`` wall-clock times in the PBX's time zone
(UTC by default) and are converted to UTC here; a time with an explicit offset keeps its offset.
In a time zone with daylight saving time, a wall-clock time of the repeated autumn hour is
ambiguous in the file itself; it is read as the first occurrence.

Privacy (:func:`pseudonymized`): ``src`` and ``clid`` (the caller id, ``"Name" <number>``) become
the pseudonym of the caller's number (an internal extension stays as it is; the display name is
dropped); ``dst`` stays as it is when it is an extension (or ``s``, ``*97``...) and becomes a
pseudonym when it is an external number (7 digits or more, or ``+``); phone numbers and e-mail
addresses in ``lastdata`` and ``userfield`` (e.g. ``Dial(PJSIP/+12125550142@trunk)``) become
``[phone]`` / ``[email]``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Final, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ingestion.feed import Redact
from ingestion.filesource import csv_redactor
from ingestion.parsing import (
    HeaderLayout,
    ParseError,
    none_if_empty,
    parse_int,
    parse_timestamp,
    split_csv_line,
)
from ingestion.privacy import ANONYMOUS_VALUES, PHONE_MARKER, Pseudonymizer

__all__ = [
    "DEFAULT_COLUMNS",
    "HEADER_LAYOUT",
    "KNOWN_COLUMNS",
    "NEWCDRCOLUMNS",
    "CdrRow",
    "parse_cdr_row",
    "parse_layout",
    "parse_timezone",
    "pseudonymized",
    "redactor",
]

DEFAULT_COLUMNS: Final = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
    "uniqueid",
    "userfield",
)
"""Master.csv column order of cdr_csv with loguniqueid and loguserfield (no header)."""

NEWCDRCOLUMNS: Final = (*DEFAULT_COLUMNS, "peeraccount", "linkedid", "sequence")
"""Master.csv with ``newcdrcolumns = yes``."""

KNOWN_COLUMNS: Final = NEWCDRCOLUMNS
HEADER_LAYOUT: Final = "header"
"""The layout value that reads the column names from each file's first row."""

ALIASES: Final = {
    "calldate": "start",
    "start_at": "start",
    "answer_at": "answer",
    "end_at": "end",
    "duration_seconds": "duration",
    "billsec_seconds": "billsec",
}
"""Other names for the same columns (cdr_adaptive_odbc's ``calldate``, this project's own names)."""

REQUIRED: Final = ("start",)


class CdrRow(NamedTuple):
    """The typed fields of one CDR row; columns absent from the layout are None."""

    accountcode: str | None
    src: str | None
    dst: str | None
    dcontext: str | None
    clid: str | None
    channel: str | None
    dstchannel: str | None
    lastapp: str | None
    lastdata: str | None
    start_at: dt.datetime
    answer_at: dt.datetime | None
    end_at: dt.datetime | None
    duration_seconds: int | None
    billsec_seconds: int | None
    disposition: str | None
    amaflags: str | None
    uniqueid: str | None
    userfield: str | None
    peeraccount: str | None
    linkedid: str | None
    sequence: int | None


def parse_timezone(name: str) -> ZoneInfo:
    """The IANA time zone the PBX writes CDR times in (``CXPIPE_CDR_TIMEZONE``)."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ParseError(f"CDR time zone {name!r} is not an IANA time zone name") from None


def parse_layout(columns: str | list[str] | tuple[str, ...] | None) -> HeaderLayout:
    """The column layout of CDR rows from a comma-separated list (None: Master.csv default).

    Names are case-insensitive; a name this pipeline does not know is accepted and not loaded;
    ``start`` is required. The value ``header`` is not a layout: resolve it per file with
    :func:`parse_layout` on the file's first row.
    """
    if columns is None:
        names: list[str] = list(DEFAULT_COLUMNS)
    elif isinstance(columns, str):
        names = columns.split(",") if columns.strip() else []
    else:
        names = list(columns)
    if not names:
        raise ParseError("CDR column layout is empty")
    return HeaderLayout.from_names(names, KNOWN_COLUMNS, REQUIRED, ALIASES)


def _timestamp(text: str | None, field: str, zone: dt.tzinfo) -> dt.datetime | None:
    if text is None or not text.strip():
        return None
    return parse_timestamp(text, field=field, naive_zone=zone)


def parse_cdr_row(text: str, layout: HeaderLayout, zone: dt.tzinfo = dt.UTC) -> CdrRow:
    """Parse one CDR CSV line by ``layout``; wall-clock times are read in ``zone``, given in UTC."""
    values = layout.values(split_csv_line(text))
    start_at = _timestamp(values.get("start"), "start", zone)
    if start_at is None:
        raise ParseError("start is empty")

    def text_of(name: str) -> str | None:
        return none_if_empty(values.get(name))

    return CdrRow(
        accountcode=text_of("accountcode"),
        src=text_of("src"),
        dst=text_of("dst"),
        dcontext=text_of("dcontext"),
        clid=text_of("clid"),
        channel=text_of("channel"),
        dstchannel=text_of("dstchannel"),
        lastapp=text_of("lastapp"),
        lastdata=text_of("lastdata"),
        start_at=start_at,
        answer_at=_timestamp(values.get("answer"), "answer", zone),
        end_at=_timestamp(values.get("end"), "end", zone),
        duration_seconds=parse_int(values.get("duration", ""), "duration"),
        billsec_seconds=parse_int(values.get("billsec", ""), "billsec"),
        disposition=text_of("disposition"),
        amaflags=text_of("amaflags"),
        uniqueid=text_of("uniqueid"),
        userfield=text_of("userfield"),
        peeraccount=text_of("peeraccount"),
        linkedid=text_of("linkedid"),
        sequence=parse_int(values.get("sequence", ""), "sequence"),
    )


def pseudonymized(row: CdrRow, privacy: Pseudonymizer) -> CdrRow:
    """The row with its caller ids (``src``, ``clid``) and an external ``dst`` as pseudonyms, and
    phone numbers and e-mail addresses in ``lastdata`` / ``userfield`` and in the channel names
    (``Local/2125550142@from-internal-...``) as ``[phone]`` / ``[email]``."""
    return row._replace(
        src=privacy.caller_id(row.src),
        clid=privacy.caller_id(row.clid),
        dst=privacy.dialled(row.dst),
        channel=privacy.scrub_text(row.channel),
        dstchannel=privacy.scrub_text(row.dstchannel),
        lastdata=privacy.scrub_text(row.lastdata),
        userfield=privacy.scrub_text(row.userfield),
    )


def redactor(layout: HeaderLayout, privacy: Pseudonymizer) -> Redact:
    """How a quarantined CDR line of ``layout`` is shown: the fields of :func:`pseudonymized`
    replaced the same way (a number that cannot be read as ``[phone]``), and e-mail addresses and
    ``+`` / ``00`` numbers elsewhere as ``[email]`` / ``[phone]``."""

    def number(function: Callable[[str], str | None]) -> Callable[[str], str]:
        def show(value: str) -> str:
            if not value.strip() or value.strip().lower() in ANONYMOUS_VALUES:
                return value
            return function(value) or PHONE_MARKER

        return show

    def text(value: str) -> str:
        return privacy.scrub_text(value) or value

    def other(value: str) -> str:
        return privacy.scrub_text(value, international_only=True) or value

    return csv_redactor(
        layout,
        {
            "src": number(privacy.caller_id),
            "clid": number(privacy.caller_id),
            "dst": number(privacy.dialled),
            "lastdata": text,
            "userfield": text,
        },
        other,
    )
