"""From an API page to rows: contract checks, quarantine rows, and the export time arithmetic.

A page's records are checked one by one against their contract (:mod:`models.helpdesk`). A
record that passes is loaded as it arrived, with its used fields typed (timestamps as UTC
datetimes); one that does not becomes a quarantine row (the page URL, its position and id, the
record as JSON and the reason) and the rest of the page loads.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from pydantic import BaseModel, ValidationError

from models.helpdesk import CHILD_EVENT_VALUE_FIELDS

__all__ = [
    "MIN_EXPORT_LAG_SECONDS",
    "PageRows",
    "child_values_as_text",
    "describe_validation_error",
    "export_start_time",
    "split_page",
    "to_unix",
]

MIN_EXPORT_LAG_SECONDS: Final = 60
"""Zendesk refuses an export ``start_time`` less than a minute in the past."""
MAX_REASON_ERRORS: Final = 3


@dataclass(frozen=True)
class PageRows:
    """The records of one page, split: ``rows`` to load, ``quarantined`` rows with reasons."""

    rows: list[dict[str, Any]]
    quarantined: list[dict[str, Any]]


def to_unix(value: str | int | float | dt.date | dt.datetime) -> int:
    """Unix seconds of a start date: an ISO date or timestamp (UTC when it has no offset), a
    ``date``/``datetime`` or a number of Unix seconds (also as text)."""
    if isinstance(value, bool):
        raise ValueError(f"start date {value!r} is not a date")
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        if text.isdigit():
            return int(text)
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"start date {value!r} is not an ISO date or timestamp (e.g. 2026-01-01)"
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp())


def export_start_time(start: int, now: float) -> int:
    """The ``start_time`` to send: ``start``, but at least a minute before ``now``.

    Zendesk refuses a more recent one; starting a little earlier only reads again a few records
    that the merge on ``id`` de-duplicates.
    """
    return max(0, min(start, int(now) - MIN_EXPORT_LAG_SECONDS))


def describe_validation_error(error: ValidationError) -> str:
    """A reason a person can act on: ``created_at: Input should be a valid datetime (got 'x')``."""
    parts = []
    for item in error.errors()[:MAX_REASON_ERRORS]:
        where = ""
        for key in item["loc"]:
            where += f"[{key}]" if isinstance(key, int) else (f".{key}" if where else str(key))
        message = item["msg"]
        if item["type"] != "missing":
            message += f" (got {item['input']!r})"
        parts.append(f"{where or 'record'}: {message}")
    more = error.error_count() - MAX_REASON_ERRORS
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def child_values_as_text(row: dict[str, Any], list_field: str = "child_events") -> dict[str, Any]:
    """Turn the ``value``/``previous_value`` of each child event into text (strings as they are,
    other JSON values as JSON text), so the child table has one type per column."""
    children = row.get(list_field)
    if not children:
        return row
    converted = []
    for child in children:
        child = dict(child)
        for name in CHILD_EVENT_VALUE_FIELDS:
            value = child.get(name)
            if value is not None and not isinstance(value, str):
                child[name] = json.dumps(value, ensure_ascii=False)
        converted.append(child)
    return {**row, list_field: converted}


def _raw_text(record: Any) -> str:
    try:
        return json.dumps(record, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(record)


def split_page(
    records: Iterable[Any],
    model: type[BaseModel],
    *,
    source: str,
    location: str,
    at: dt.datetime,
    extra: Mapping[str, Any] | None = None,
    to_row: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> PageRows:
    """Check each record of a page against ``model``.

    Args:
        records: the page's list of records.
        model: their contract; the row is the record with its declared fields typed.
        source: ``zendesk.<resource>``, for quarantine rows.
        location: the page URL, for quarantine rows.
        at: when the load runs (``quarantined_at``).
        extra: fields added to every record before the check (``schedule_id`` of holidays).
        to_row: a last step from the checked record to the row (e.g. :func:`child_values_as_text`).
    """
    rows: list[dict[str, Any]] = []
    quarantined: list[dict[str, Any]] = []
    for index, record in enumerate(records):
        record_id = record.get("id") if isinstance(record, dict) else None
        try:
            if not isinstance(record, dict):
                raise TypeError(f"record is a JSON {type(record).__name__}, not an object")
            checked = model.model_validate({**record, **(extra or {})})
            row = checked.model_dump(exclude_unset=True)
            rows.append(to_row(row) if to_row else row)
        except (ValidationError, TypeError) as exc:
            reason = (
                describe_validation_error(exc) if isinstance(exc, ValidationError) else str(exc)
            )
            quarantined.append(
                {
                    "source": source,
                    "location": location,
                    "record_index": index,
                    "record_id": None if record_id is None else str(record_id),
                    "raw_text": _raw_text(record),
                    "reason": reason,
                    "quarantined_at": at,
                }
            )
    return PageRows(rows, quarantined)
