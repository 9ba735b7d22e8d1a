"""Small parsing helpers shared by the file sources: fields, numbers, timestamps, CSV headers.

Every helper is pure and raises :class:`ParseError` with a reason a person can act on; the
resources turn that reason into a quarantine row (file, line, raw text, reason).
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

__all__ = [
    "ParseError",
    "HeaderLayout",
    "epoch_to_utc",
    "none_if_empty",
    "parse_date",
    "parse_decimal",
    "parse_epoch",
    "parse_int",
    "parse_optional_timestamp",
    "parse_timestamp",
    "required_text",
    "split_csv_line",
    "stripped_or_none",
]

UTC: Final = dt.UTC
_EPOCH_RE: Final = re.compile(r"^\d+(\.\d+)?$")
_DATE_RE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DECIMAL_RE: Final = re.compile(r"^[+-]?\d+(\.\d+)?$")
_DECIMAL_INTEGER_DIGITS: Final = 14


class ParseError(ValueError):
    """A line (or header) that cannot be loaded. ``str(error)`` is the reason kept in quarantine."""


def none_if_empty(value: str | None) -> str | None:
    """Empty text is NULL in the raw tables (an omitted trailing field and an empty one agree)."""
    return value if value else None


def parse_epoch(text: str, field: str = "epoch") -> float:
    """Unix seconds, integer or fractional (``1761980412`` or ``1761980412.25``)."""
    value = text.strip()
    if not _EPOCH_RE.match(value):
        raise ParseError(f"{field} {text!r} is not a number of Unix seconds")
    return float(value)


def epoch_to_utc(epoch: float) -> dt.datetime:
    """The UTC instant of a Unix epoch, timezone-aware."""
    if not math.isfinite(epoch):
        raise ParseError(f"epoch {epoch!r} is not a finite number")
    try:
        return dt.datetime.fromtimestamp(epoch, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ParseError(f"epoch {epoch!r} is out of range") from exc


def parse_int(text: str, field: str) -> int | None:
    """An integer field; empty is NULL."""
    value = text.strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ParseError(f"{field} {text!r} is not an integer") from None


def parse_timestamp(
    text: str,
    field: str,
    naive_zone: dt.tzinfo | None = UTC,
) -> dt.datetime:
    """An ISO-8601 timestamp in UTC (``2026-10-12T06:58:02Z``, ``2026-10-12 06:58:02``, ``+02:00``).

    A timestamp without an offset is read in ``naive_zone``; with ``naive_zone=None`` it is an error
    (for feeds whose format promises an offset, where guessing would shift times silently).
    """
    value = text.strip()
    if not value:
        raise ParseError(f"{field} is empty")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ParseError(f"{field} {text!r} is not an ISO-8601 timestamp") from None
    if parsed.tzinfo is None:
        if naive_zone is None:
            raise ParseError(
                f"{field} {text!r} has no UTC offset (expected e.g. 2026-10-12T06:58:02Z)"
            )
        parsed = parsed.replace(tzinfo=naive_zone)
    return parsed.astimezone(UTC)


def stripped_or_none(value: str | None) -> str | None:
    """A field's text without surrounding blanks; empty (or only blanks) is NULL."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def required_text(values: Mapping[str, str], field: str) -> str:
    """A field that must not be empty (an id), without surrounding blanks."""
    value = stripped_or_none(values.get(field))
    if value is None:
        raise ParseError(f"{field} is empty")
    return value


def parse_optional_timestamp(
    text: str | None, field: str, naive_zone: dt.tzinfo | None = None
) -> dt.datetime | None:
    """:func:`parse_timestamp` for a field that may be empty (NULL); by default an offset is
    required."""
    if text is None or not text.strip():
        return None
    return parse_timestamp(text, field=field, naive_zone=naive_zone)


def parse_date(text: str | None, field: str) -> dt.date | None:
    """A calendar date ``YYYY-MM-DD``; empty is NULL."""
    value = (text or "").strip()
    if not value:
        return None
    if not _DATE_RE.match(value):
        raise ParseError(f"{field} {text!r} is not a date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ParseError(f"{field} {text!r} is not a date (YYYY-MM-DD)") from None


def parse_decimal(text: str | None, field: str, places: int) -> decimal.Decimal | None:
    """An exact decimal number with ``.`` as the decimal point and at most ``places`` decimal
    places (``1234.50``, ``-3``); empty is NULL. Thousands separators, exponents and more decimal
    places are errors: a value is never rounded or guessed."""
    value = (text or "").strip()
    if not value:
        return None
    if not _DECIMAL_RE.match(value):
        raise ParseError(f"{field} {text!r} is not a decimal number (e.g. 49.90)")
    whole, _, fraction = value.lstrip("+-").partition(".")
    if len(fraction) > places:
        raise ParseError(f"{field} {text!r} has more than {places} decimal places")
    if len(whole.lstrip("0")) > _DECIMAL_INTEGER_DIGITS:
        raise ParseError(f"{field} {text!r} is too large")
    return decimal.Decimal(value)


def split_csv_line(text: str) -> list[str]:
    """Split one CSV line (RFC 4180 quoting, ``""`` escapes). A field may not span lines."""
    try:
        rows = list(csv.reader([text], strict=True))
    except csv.Error as exc:
        raise ParseError(f"not a valid CSV line ({exc})") from None
    return rows[0] if rows else [""]


@dataclass(frozen=True)
class HeaderLayout:
    """Where each known column sits in a CSV file, read from its header row.

    ``names[i]`` is the canonical column name of field ``i`` (None for a column that is not used).
    """

    names: tuple[str | None, ...]

    @classmethod
    def from_names(
        cls,
        header: Sequence[str],
        known: Iterable[str],
        required: Iterable[str] = (),
        aliases: Mapping[str, str] | None = None,
    ) -> HeaderLayout:
        """Map header names (case and surrounding blanks ignored) to canonical names.

        Unknown names map to None (the column is not loaded); a missing required name or a name
        given twice is a :class:`ParseError`.
        """
        known_set = set(known)
        alias_map = dict(aliases or {})
        names: list[str | None] = []
        for raw in header:
            name = raw.strip().lower()
            name = alias_map.get(name, name)
            names.append(name if name in known_set else None)
        seen = [n for n in names if n is not None]
        duplicates = sorted({n for n in seen if seen.count(n) > 1})
        if duplicates:
            raise ParseError(f"column(s) {', '.join(duplicates)} appear more than once")
        missing = [n for n in required if n not in seen]
        if missing:
            raise ParseError(
                f"missing column(s) {', '.join(missing)} (got: {', '.join(header) or 'nothing'})"
            )
        return cls(tuple(names))

    @property
    def ignored(self) -> int:
        """How many columns of the file are not loaded."""
        return sum(1 for n in self.names if n is None)

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def values(self, fields: Sequence[str]) -> dict[str, str]:
        """The known fields of one row by canonical name; the field count must match the header."""
        if len(fields) != len(self.names):
            raise ParseError(f"expected {len(self.names)} fields, got {len(fields)}")
        return {
            name: value for name, value in zip(self.names, fields, strict=True) if name is not None
        }
