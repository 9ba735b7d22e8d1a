"""Record contracts of the helpdesk raw tables (Zendesk Support, dataset ``raw_zendesk``).

One pydantic model per API object says which fields the pipeline relies on and their types
(docs/helpdesk_api.md, "Fields used"). The ingestion validates every record against its model:
a record whose used fields are missing or of another type (a ticket without ``id``, a timestamp
that is not ISO 8601 with an offset) goes to quarantine instead of its table. Everything else the
API returns is kept as it arrived (``extra="allow"``) and typed by dlt, so the models say what is
*guaranteed*, not everything a table holds.

The dlt hints that give the guaranteed columns their explicit types (``*_HINTS``) are derived from
the models, so ingestion, the simulator and the tests share one definition. Validation checks
shapes and types only, not domain values: an unknown ``status`` or ``score`` is loaded (and left
to dbt's ``accepted_values`` tests) rather than dropped from the raw layer.
"""

from __future__ import annotations

import datetime as dt
import typing
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue

from models._dlt_types import DLT_TYPES, unwrap_optional

__all__ = [
    "CHILD_EVENT_FIELD_EVENT_TYPES",
    "CHILD_EVENT_META_KEYS",
    "CHILD_EVENT_TEXT_FIELDS",
    "CHILD_EVENT_VALUE_FIELDS",
    "GROUP_HINTS",
    "HOLIDAY_HINTS",
    "QUARANTINE_COLUMNS",
    "SATISFACTION_RATING_HINTS",
    "SCHEDULE_HINTS",
    "SLA_POLICY_HINTS",
    "TICKET_EVENT_HINTS",
    "TICKET_HINTS",
    "USER_HINTS",
    "ChildEvent",
    "Group",
    "Holiday",
    "HelpdeskQuarantineRow",
    "PolicyMetric",
    "SatisfactionRating",
    "Schedule",
    "ScheduleInterval",
    "SlaPolicy",
    "TableHints",
    "Ticket",
    "TicketEvent",
    "User",
    "Via",
    "table_hints",
]


class _ApiRecord(BaseModel):
    """Base of the API record contracts: the used fields are typed, any other field is kept."""

    model_config = ConfigDict(frozen=True, extra="allow")


class Via(_ApiRecord):
    """How a ticket was created (``via.source`` and the rest are kept as they arrive)."""

    channel: str | None = Field(
        default=None,
        description="Channel the ticket came in by: email, web, chat, native_messaging, twitter, "
        "facebook, api, ...",
    )


class Ticket(_ApiRecord):
    """A ticket as the incremental ticket export returns it. Table ``raw_zendesk.tickets``
    (merged on ``id``: one row per ticket, its latest state)."""

    id: int = Field(description="Ticket id.")
    created_at: AwareDatetime = Field(description="When the ticket was created (UTC).")
    updated_at: AwareDatetime = Field(description="When the ticket was last updated (UTC).")
    status: str | None = Field(
        default=None,
        description="new, open, pending, hold, solved, closed or deleted.",
    )
    via: Via | None = Field(default=None, description="How the ticket was created.")
    group_id: int | None = Field(default=None, description="Assigned group id.")
    assignee_id: int | None = Field(default=None, description="Assigned agent (user) id.")
    requester_id: int | None = Field(default=None, description="Requester (user) id.")
    submitter_id: int | None = Field(default=None, description="Submitter (user) id.")
    subject: str | None = Field(default=None, description="Subject line.")
    priority: str | None = Field(default=None, description="low, normal, high, urgent or NULL.")
    tags: list[str] = Field(default_factory=list, description="Tags (child table tickets__tags).")
    generated_timestamp: int | None = Field(
        default=None,
        description="Unix seconds of the ticket's latest change, system updates included (the "
        "cursor export's order); of two versions in one load the higher wins.",
    )


CHILD_EVENT_VALUE_FIELDS: Final = ("value", "previous_value")
"""Child-event fields that Zendesk sends as a string, a number, a list (tags) or null. They are
loaded as text: a string as it is, any other JSON value as its JSON text (``["a", "b"]``), so the
column has one type and a status or group change is a plain string to staging."""

CHILD_EVENT_TEXT_FIELDS: Final = (*CHILD_EVENT_VALUE_FIELDS, "added_tags", "removed_tags")
"""Child-event fields loaded as text in the same way (the tag lists of a tags change, as JSON
text rather than child tables of the child table)."""

CHILD_EVENT_FIELD_EVENT_TYPES: Final = frozenset({"Create", "Change"})
"""Child events that set a ticket field (and are normalised to ``field_name`` / ``value``)."""

CHILD_EVENT_META_KEYS: Final = frozenset({
    "id", "event_type", "type", "field_name", "value", "previous_value", "added_tags",
    "removed_tags", "via", "via_reference_id", "audit_id", "created_at", "timestamp",
    "ticket_id", "updater_id", "author_id", "public", "body", "html_body", "plain_body",
    "attachments", "metadata", "system", "url",
})
"""Keys of a ``Create`` / ``Change`` child event that are not the changed field.

The incremental ticket event export sends the changed field as its own key
(``{"id": 1, "status": "open", "previous_value": "new", "event_type": "Change"}``; tags as
``tags`` beside ``added_tags`` / ``removed_tags``), the Ticket Audits API as ``field_name`` /
``value``. The source accepts both: without ``field_name``, the field is the one key that is
not in this set."""


class ChildEvent(_ApiRecord):
    """One change or comment inside a ticket event (table ``ticket_events__child_events``).

    ``Create`` / ``Change`` children arrive in either of Zendesk's two shapes (the export's
    field-named key or the audits API's ``field_name`` / ``value``, see
    :data:`CHILD_EVENT_META_KEYS`) and are loaded in the second one.
    """

    id: int = Field(description="Child event id.")
    event_type: str = Field(
        description="Create (a field set by the creation audit), Change, Comment, "
        "SatisfactionRating, Notification, ... (from ``type`` when absent)."
    )
    field_name: str | None = Field(
        default=None,
        description="Field set (Create / Change events): status, priority, group_id, "
        "assignee_id, tags, satisfaction_score, ...",
    )
    value: JsonValue = Field(
        default=None,
        description="New value (Create / Change events): text; a non-string value as its JSON "
        "text.",
    )
    previous_value: JsonValue = Field(
        default=None,
        description="Previous value (Change events; NULL on Create): text; a non-string value "
        "as its JSON text.",
    )
    author_id: int | None = Field(default=None, description="Comment author (Comment events).")
    public: bool | None = Field(default=None, description="Comment is public (Comment events).")
    body: str | None = Field(default=None, description="Comment text (Comment events).")


class TicketEvent(_ApiRecord):
    """One row of the incremental ticket event export (``include=comment_events``).

    Table ``raw_zendesk.ticket_events`` (merged on ``id``), its ``child_events`` in the child
    table ``ticket_events__child_events`` (linked by ``_dlt_parent_id`` = parent ``_dlt_id``).
    """

    id: int = Field(description="Ticket event (audit) id.")
    ticket_id: int = Field(description="Ticket id.")
    timestamp: int = Field(description="Event time as Unix seconds.")
    created_at: AwareDatetime = Field(description="Event time (UTC).")
    updater_id: int | None = Field(default=None, description="User who made the change.")
    event_type: str | None = Field(
        default=None, description="Audit (every row of the export); the changes are children."
    )
    child_events: list[ChildEvent] = Field(
        default_factory=list, description="Changes and comments of the event (child table)."
    )


class User(_ApiRecord):
    """A user (end-user, agent or admin). Table ``raw_zendesk.users`` (merged on ``id``).

    A deactivated agent is downgraded: its latest version has ``role`` end-user and ``active``
    false (the tickets it was assigned to still name it)."""

    id: int = Field(description="User id.")
    name: str | None = Field(default=None, description="Display name.")
    email_hash: str | None = Field(
        default=None,
        description="Pseudonym (HMAC-SHA256, 64 hex) of the e-mail address, made at ingestion "
        "(docs/cx_sources.md 'Privacy'); the address itself is never loaded.",
    )
    phone_hash: str | None = Field(
        default=None,
        description="Pseudonym of the phone number (E.164 first); NULL when none or unreadable.",
    )
    role: str | None = Field(default=None, description="end-user, agent or admin.")
    active: bool | None = Field(default=None, description="False once deactivated or deleted.")
    created_at: AwareDatetime = Field(description="When the user was created (UTC).")
    updated_at: AwareDatetime = Field(description="When the user was last updated (UTC).")
    default_group_id: int | None = Field(default=None, description="The agent's default group.")


class Group(_ApiRecord):
    """An agent group. Table ``raw_zendesk.groups`` (merged on ``id``)."""

    id: int = Field(description="Group id.")
    name: str | None = Field(default=None, description="Group name.")
    created_at: AwareDatetime = Field(description="When the group was created (UTC).")
    updated_at: AwareDatetime = Field(description="When the group was last updated (UTC).")
    deleted: bool | None = Field(default=None, description="True for a deleted group.")


class SatisfactionRating(_ApiRecord):
    """A CSAT rating. Table ``raw_zendesk.satisfaction_ratings`` (merged on ``id``)."""

    id: int = Field(description="Satisfaction rating id.")
    ticket_id: int | None = Field(default=None, description="Rated ticket.")
    assignee_id: int | None = Field(default=None, description="Agent assigned when rated.")
    group_id: int | None = Field(default=None, description="Group assigned when rated.")
    requester_id: int | None = Field(default=None, description="Requester who rated.")
    score: str | None = Field(default=None, description="good, bad, offered or unoffered.")
    comment: str | None = Field(default=None, description="The requester's comment.")
    created_at: AwareDatetime = Field(description="When the rating was created (UTC).")
    updated_at: AwareDatetime = Field(description="When the rating was last updated (UTC).")


class PolicyMetric(_ApiRecord):
    """One target of an SLA policy (child table ``sla_policies__policy_metrics``)."""

    priority: str | None = Field(default=None, description="Ticket priority the target is for.")
    metric: str = Field(
        description="first_reply_time, next_reply_time, requester_wait_time, agent_work_time, "
        "periodic_update_time or pausable_update_time."
    )
    target: int = Field(description="Target in minutes.")
    business_hours: bool | None = Field(
        default=None, description="True: counted in business hours only."
    )


class SlaPolicy(_ApiRecord):
    """An SLA policy. Table ``raw_zendesk.sla_policies`` (replaced every run)."""

    id: int = Field(description="SLA policy id.")
    title: str | None = Field(default=None, description="Policy title.")
    position: int | None = Field(default=None, description="Order in which policies match.")
    filter: dict[str, JsonValue] | None = Field(
        default=None,
        description="Conditions the ticket must meet ({all: [...], any: [...]}), as JSON.",
    )
    policy_metrics: list[PolicyMetric] = Field(
        default_factory=list, description="Targets per priority (child table)."
    )


class ScheduleInterval(_ApiRecord):
    """A weekly open interval of a schedule (child table ``schedules__intervals``)."""

    start_time: int = Field(
        description="Minutes from Sunday 00:00 of the week, in the schedule's time zone."
    )
    end_time: int = Field(
        description="Minutes from Sunday 00:00 of the week, in the schedule's time zone."
    )


class Schedule(_ApiRecord):
    """A business-hours schedule. Table ``raw_zendesk.schedules`` (replaced every run)."""

    id: int = Field(description="Schedule id.")
    name: str | None = Field(default=None, description="Schedule name.")
    time_zone: str = Field(
        description="Zendesk (Rails) time zone name such as Berlin, or an IANA name."
    )
    intervals: list[ScheduleInterval] = Field(
        default_factory=list, description="Weekly open intervals (child table)."
    )


class Holiday(_ApiRecord):
    """A holiday of a schedule. Table ``raw_zendesk.schedule_holidays`` (replaced every run)."""

    schedule_id: int = Field(description="The schedule the holiday belongs to (added on load).")
    id: int = Field(description="Holiday id.")
    name: str | None = Field(default=None, description="Holiday name.")
    start_date: dt.date = Field(description="First day, inclusive, in the schedule's zone.")
    end_date: dt.date = Field(description="Last day, inclusive, in the schedule's zone.")


class HelpdeskQuarantineRow(BaseModel):
    """An API record that could not be loaded, kept with where it was and why.

    Table ``raw_zendesk.quarantine``, append-only; written by every Zendesk resource.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(description="Resource the record came from: zendesk.<resource>.")
    location: str = Field(description="URL of the page the record was on.")
    record_index: int = Field(description="0-based position of the record in the page's list.")
    record_id: str | None = Field(description="The record's id as sent; NULL when it has none.")
    raw_text: str = Field(description="The record as JSON.")
    reason: str = Field(description="Why the record was not loaded, in words.")
    quarantined_at: AwareDatetime = Field(description="When the load that met the record ran.")


# --- dlt hints derived from the contracts ----------------------------------------------------

NESTED_SEPARATOR: Final = "__"


@dataclass(frozen=True)
class TableHints:
    """dlt hints of one root table: its ``columns`` and the columns of its child tables.

    ``nested`` maps a list field (``child_events``) to the columns of the child table dlt makes
    of it (``ticket_events__child_events``); pass it as the resource's ``nested_hints``.
    """

    columns: dict[str, dict[str, Any]]
    nested: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def nested_hints(self) -> dict[str, dict[str, Any]]:
        """The ``nested_hints=`` argument of ``@dlt.resource``."""
        return {name: {"columns": columns} for name, columns in self.nested.items()}




def _column(name: str, kind: Any, nullable: bool, description: str | None) -> dict[str, Any]:
    if kind is JsonValue:
        hint: dict[str, Any] = {"data_type": "text"}  # loaded as text, see CHILD_EVENT_VALUE_FIELDS
    elif typing.get_origin(kind) is dict:
        hint = {"data_type": "json"}
    elif kind in DLT_TYPES:
        hint = DLT_TYPES[kind]
    else:
        raise TypeError(f"{name}: no dlt type for {kind!r}")
    column: dict[str, Any] = {"name": name, **hint, "nullable": nullable}
    if description:
        column["description"] = description
    return column


def _model_columns(
    model: type[BaseModel], prefix: str = "", force_nullable: bool = False
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, dict[str, Any]]]]:
    columns: dict[str, dict[str, Any]] = {}
    nested: dict[str, dict[str, dict[str, Any]]] = {}
    hints = typing.get_type_hints(model)
    for name, info in model.model_fields.items():
        kind, nullable = unwrap_optional(hints[name])
        nullable = nullable or force_nullable or kind is JsonValue
        column_name = f"{prefix}{name}"
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            # a nested object: dlt flattens it into <name>__<field> columns
            sub_columns, _ = _model_columns(kind, f"{column_name}{NESTED_SEPARATOR}", nullable)
            columns.update(sub_columns)
        elif typing.get_origin(kind) is list:
            (item,) = typing.get_args(kind)
            if isinstance(item, type) and issubclass(item, BaseModel):
                nested[column_name], _ = _model_columns(item)
            else:  # a list of scalars: dlt makes a child table with one ``value`` column
                nested[column_name] = {"value": _column("value", item, False, info.description)}
        else:
            columns[column_name] = _column(column_name, kind, nullable, info.description)
    return columns, nested


def table_hints(model: type[BaseModel]) -> TableHints:
    """Derive the dlt hints of a contract: typed columns in declaration order (nested objects
    flattened with ``__``, as dlt does) and the columns of the child tables of its list fields."""
    columns, nested = _model_columns(model)
    return TableHints(columns, nested)


TICKET_HINTS: Final = table_hints(Ticket)
TICKET_EVENT_HINTS: Final = table_hints(TicketEvent)
USER_HINTS: Final = table_hints(User)
GROUP_HINTS: Final = table_hints(Group)
SATISFACTION_RATING_HINTS: Final = table_hints(SatisfactionRating)
SLA_POLICY_HINTS: Final = table_hints(SlaPolicy)
SCHEDULE_HINTS: Final = table_hints(Schedule)
HOLIDAY_HINTS: Final = table_hints(Holiday)
QUARANTINE_COLUMNS: Final = table_hints(HelpdeskQuarantineRow).columns
