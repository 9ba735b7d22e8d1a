"""From an API page to rows: contract checks, quarantine rows, and the export time arithmetic.

A page's records are checked one by one against their contract (:mod:`models.helpdesk`). A
record that passes is loaded as it arrived, with its used fields typed (timestamps as UTC
datetimes); one that does not becomes a quarantine row (the page URL, its position and id, the
record as JSON and the reason) and the rest of the page loads.

Every record is first pseudonymized (:func:`pseudonymize_record`): e-mail addresses and phone
numbers become keyed pseudonyms in ``*_hash`` fields (users' ``email`` -> ``email_hash``, a
``via.source`` ``address`` -> ``address_hash``, ...), free text is scrubbed of them, so neither
the tables nor the quarantine ever hold one in clear.

Ticket events are then normalised (:func:`normalize_ticket_event`): Zendesk sends a field
change as ``{"status": "open", "previous_value": "new"}`` in the incremental export and as
``{"field_name": "status", "value": "open", ...}`` in the Ticket Audits API; both load as the
latter. A ``Create`` / ``Change`` child whose field cannot be told is quarantined alone and its
event loads without it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from pydantic import BaseModel, ValidationError

from ingestion.privacy import Pseudonymizer

from models.helpdesk import (
    CHILD_EVENT_FIELD_EVENT_TYPES,
    CHILD_EVENT_META_KEYS,
    CHILD_EVENT_TEXT_FIELDS,
)

__all__ = [
    "MIN_EXPORT_LAG_SECONDS",
    "PageRows",
    "Rejected",
    "child_values_as_text",
    "describe_validation_error",
    "export_start_time",
    "lookback_start_time",
    "normalize_ticket_event",
    "pseudonymize_record",
    "split_page",
    "ticket_version_filled",
    "to_unix",
]

MIN_EXPORT_LAG_SECONDS: Final = 60
"""Zendesk refuses an export ``start_time`` less than a minute in the past."""
MAX_REASON_ERRORS: Final = 3


@dataclass(frozen=True)
class Rejected:
    """A list item of a record that cannot be loaded (a child event): where it is in the record
    (``path``: list field and index), what it was and why. The record loads without it."""

    path: tuple[str, int]
    raw: Any
    record_id: Any
    reason: str


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


def lookback_start_time(
    latest_seen: str | None, start: int, lookback_days: float, now: float
) -> int:
    """The ``start_time`` of an export read again over a look-back window.

    ``latest_seen`` (an ISO timestamp, the latest ``updated_at`` of the previous runs) minus
    ``lookback_days``, but never before ``start`` (the first run's start) nor less than a minute
    before ``now``; ``start`` itself on the first run (``latest_seen`` None).
    """
    if not latest_seen:
        return export_start_time(start, now)
    back = to_unix(latest_seen) - int(lookback_days * 86400)
    return export_start_time(max(start, back), now)


HASHED_FIELDS: Final = {
    "email": ("email_hash", "email"),
    "phone": ("phone_hash", "phone"),
    "address": ("address_hash", "address"),
    "recipient": ("recipient_hash", "email"),
    "from": ("from_hash", "address"),
    "to": ("to_hash", "address"),
}
"""Fields (at any depth) whose text value is an e-mail address or a phone number, and the field
its pseudonym goes to: a user's ``email`` / ``phone``, a ``via.source.from`` / ``to`` object's
``address`` (e-mail, or a phone number for voice and SMS), a ticket's ``recipient``, a voice
comment's ``data.from`` / ``data.to``. (``from`` / ``to`` holding objects, as in ``via.source``,
are walked into instead.)"""

DROPPED_FIELDS: Final = frozenset({"formatted_phone", "original_recipients", "email_ccs"})
"""Fields dropped: a second form of a number already pseudonymized (``formatted_phone``), and
lists of third parties' addresses of an e-mail (``via.source.from.original_recipients``,
``email_ccs``), which no model uses."""

TEXT_FIELDS: Final = frozenset({
    "subject", "raw_subject", "description", "body", "html_body", "plain_body", "signature",
    "notes", "details", "comment", "transcription_text",
})
"""Free-text fields (at any depth): e-mail addresses and phone numbers in them become
``[email]`` / ``[phone]``; every other text value is scrubbed of e-mail addresses and of numbers
written in international form (``+``, ``00``) only (ids and codes are long numbers too)."""


CHILD_EVENT_VALUE_KEYS: Final = frozenset({"value", "previous_value"})


def pseudonymize_record(record: Any, privacy: Pseudonymizer) -> Any:
    """The record with no e-mail address or phone number in clear (see :data:`HASHED_FIELDS`,
    :data:`DROPPED_FIELDS`, :data:`TEXT_FIELDS`). A ``Create`` / ``Change`` child of a free-text
    field (``subject``, ``description``) has its ``value`` / ``previous_value`` scrubbed like the
    text. Any JSON value is accepted (a record that is not an object is checked later)."""
    return _pseudonymized(record, privacy, text=False)


def _pseudonymized(value: Any, privacy: Pseudonymizer, text: bool) -> Any:
    if isinstance(value, str):
        return privacy.scrub_text(value) if text else _without_emails(value, privacy)
    if isinstance(value, list):
        return [_pseudonymized(item, privacy, text) for item in value]
    if not isinstance(value, dict):
        return value
    is_field_change = value.get("event_type", value.get("type")) in CHILD_EVENT_FIELD_EVENT_TYPES
    free_text_change = is_field_change and (
        value.get("field_name") in TEXT_FIELDS or any(key in TEXT_FIELDS for key in value)
    )
    result: dict[str, Any] = {}
    for key, item in value.items():
        if key in DROPPED_FIELDS:
            if key == "formatted_phone" and value.get("phone") is None and item:
                result["phone_hash"] = privacy.phone(item)
            continue
        if key in HASHED_FIELDS and not isinstance(item, dict | list):
            target, kind = HASHED_FIELDS[key]
            if item is None or isinstance(item, str):
                result[target] = getattr(privacy, kind)(item)
            else:
                result[target] = getattr(privacy, kind)(str(item))
            continue
        scrub_all = key in TEXT_FIELDS or (free_text_change and key in CHILD_EVENT_VALUE_KEYS)
        result[key] = _pseudonymized(item, privacy, text or scrub_all)
    return result


def _without_emails(value: str, privacy: Pseudonymizer) -> str:
    """Any other text: e-mail addresses and numbers written with ``+`` / ``00`` replaced."""
    return privacy.scrub_text(value, international_only=True) or value


def ticket_version_filled(row: dict[str, Any]) -> dict[str, Any]:
    """A ticket row with ``generated_timestamp`` (the version that wins the merge) set from
    ``updated_at`` when the record had none, so that every row of a load can be ordered."""
    if row.get("generated_timestamp") is None and isinstance(row.get("updated_at"), dt.datetime):
        return {**row, "generated_timestamp": int(row["updated_at"].timestamp())}
    return row


def _field_of(child: Mapping[str, Any]) -> str | None:
    """The field a ``Create`` / ``Change`` child sets, in the export's shape: the one key that
    is not metadata (``tags`` when a tags change also lists ``added_tags`` / ``removed_tags``)."""
    keys = [key for key in child if key not in CHILD_EVENT_META_KEYS]
    return keys[0] if len(keys) == 1 else None


def normalize_ticket_event(record: Any) -> tuple[Any, list[Rejected]]:
    """A ticket event with its ``Create`` / ``Change`` children in the ``field_name`` / ``value``
    shape, whichever of Zendesk's two shapes it arrived in; and the children that could not be
    normalised (left in place, for :func:`split_page` to take out of the row and quarantine on
    their own once the event passed its check).

    A child without ``event_type`` takes its ``type`` (the Ticket Audits API's name). Without
    ``field_name``, the field is the child's one key that is not metadata
    (:data:`models.helpdesk.CHILD_EVENT_META_KEYS`): ``{"status": "open", "previous_value":
    "new"}`` becomes ``field_name`` status, ``value`` open; the key itself is removed so the
    child table gains no column per ticket field. Anything that is not a dict is left for the
    contract check to reject.
    """
    if not isinstance(record, dict) or not isinstance(record.get("child_events"), list):
        return record, []
    children: list[Any] = []
    rejected: list[Rejected] = []
    for index, child in enumerate(record["child_events"]):
        if not isinstance(child, dict):
            children.append(child)
            continue
        child = dict(child)
        if child.get("event_type") is None and isinstance(child.get("type"), str):
            child["event_type"] = child["type"]
        if child.get("event_type") in CHILD_EVENT_FIELD_EVENT_TYPES and "field_name" not in child:
            field = _field_of(child)
            if field is None:
                others = sorted(key for key in child if key not in CHILD_EVENT_META_KEYS)
                rejected.append(Rejected(
                    path=("child_events", index),
                    raw=record["child_events"][index],
                    record_id=child.get("id"),
                    reason=(
                        f"ticket event {record.get('id')}, child_events[{index}]: a "
                        f"{child['event_type']} without a recognisable field (no field_name, "
                        + (f"several candidate keys: {', '.join(others)}"
                           if others else "no key besides the metadata")
                        + "); the event is loaded without it"
                    ),
                ))
                children.append(child)
                continue
            child["field_name"] = field
            child["value"] = child.pop(field)
        children.append(child)
    return {**record, "child_events": children}, rejected


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
    """Turn the ``value`` / ``previous_value`` (and ``added_tags`` / ``removed_tags``) of each
    child event into text (strings as they are, other JSON values as JSON text), so the child
    table has one type per column."""
    children = row.get(list_field)
    if not children:
        return row
    converted = []
    for child in children:
        child = dict(child)
        for name in CHILD_EVENT_TEXT_FIELDS:
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
    normalize: Callable[[Any], tuple[Any, list[Rejected]]] | None = None,
    to_row: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    prepare: Callable[[Any], Any] | None = None,
) -> PageRows:
    """Check each record of a page against ``model``.

    Args:
        records: the page's list of records.
        model: their contract; the row is the record with its declared fields typed.
        source: ``zendesk.<resource>``, for quarantine rows.
        location: the page URL, for quarantine rows.
        at: when the load runs (``quarantined_at``).
        extra: fields added to every record before the check (``schedule_id`` of holidays).
        normalize: a first step from the record as sent to the record to check, which may name
            list items that cannot be loaded (e.g. :func:`normalize_ticket_event`): when the
            record passes, they are taken out of its row and quarantined on their own.
        to_row: a last step from the checked record to the row (e.g. :func:`child_values_as_text`).
        prepare: a step applied to every record as it arrived, before anything else, whose result
            is also what a quarantine row shows (:func:`pseudonymize_record`).
    """
    rows: list[dict[str, Any]] = []
    quarantined: list[dict[str, Any]] = []

    def reject(index: int, raw: Any, record_id: Any, reason: str) -> None:
        quarantined.append(
            {
                "source": source,
                "location": location,
                "record_index": index,
                "record_id": None if record_id is None else str(record_id),
                "raw_text": _raw_text(raw),
                "reason": reason,
                "quarantined_at": at,
            }
        )

    for index, arrived in enumerate(records):
        record = prepare(arrived) if prepare else arrived
        record_id = record.get("id") if isinstance(record, dict) else None
        try:
            if not isinstance(record, dict):
                raise TypeError(f"record is a JSON {type(record).__name__}, not an object")
            checked_record, parts = normalize(record) if normalize else (record, [])
            checked = model.model_validate({**checked_record, **(extra or {})})
            row = checked.model_dump(exclude_unset=True)
            for name, position in sorted((part.path for part in parts), reverse=True):
                del row[name][position]
            rows.append(to_row(row) if to_row else row)
        except (ValidationError, TypeError) as exc:
            reason = (
                describe_validation_error(exc) if isinstance(exc, ValidationError) else str(exc)
            )
            reject(index, record, record_id, reason)
        else:
            for part in parts:
                reject(index, part.raw, part.record_id, part.reason)
    return PageRows(rows, quarantined)
