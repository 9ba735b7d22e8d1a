"""Record contracts of the telephony raw tables (dataset ``raw_telephony``).

One pydantic model per table says what a row holds. The dlt column hints that give the tables their
explicit types in the warehouse (``*_COLUMNS``) are derived from these models, so ingestion, the
tests and the simulator share one definition and cannot drift apart.

The models describe the *raw* layer: every line as it arrived, typed but not interpreted. Meaning
(agent ids, outcomes, deduplication) is decided later, in dbt staging. See ``docs/ingestion.md``.
"""

from __future__ import annotations

import typing
from typing import Any, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from models._dlt_types import DLT_TYPES, unwrap_optional

__all__ = [
    "AGENT_STATES",
    "AGENT_STATE_EVENT_COLUMNS",
    "CDR_RECORD_COLUMNS",
    "FROZEN_COLUMNS_CONTRACT",
    "QUARANTINE_COLUMNS",
    "QUEUE_LOG_EVENT_COLUMNS",
    "AgentStateEvent",
    "CdrRecord",
    "QuarantineRow",
    "QueueLogEvent",
    "dlt_columns",
]

AGENT_STATES: Final[tuple[str, ...]] = (
    "LOGIN",
    "AVAILABLE",
    "ON_CONTACT",
    "HOLD",
    "ACW",
    "BREAK",
    "LOGOUT",
)
"""The states of the agent-state feed (docs/source_formats.md). Anything else is quarantined."""

AgentState = Literal["LOGIN", "AVAILABLE", "ON_CONTACT", "HOLD", "ACW", "BREAK", "LOGOUT"]

FROZEN_COLUMNS_CONTRACT: Final[dict[str, str]] = {
    "tables": "evolve",
    "columns": "freeze",
    "data_type": "freeze",
}
"""dlt schema contract of the raw telephony tables: the declared columns are the whole table.

A row with an undeclared column or a value of another type makes the load fail loudly instead of
silently widening the raw table (dlt still creates a table the first time it sees it)."""


class _RawRow(BaseModel):
    """Base of the raw row contracts: immutable, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class QueueLogEvent(_RawRow):
    """One line of an Asterisk queue_log file (pipe form or vendor table form).

    Table ``raw_telephony.queue_log_events``, append-only: a line is loaded once, as it arrived.
    """

    source_file: str = Field(
        description="Path of the file relative to the landing folder, '/'-separated "
        "(e.g. telephony/queue_log/queue_log-20261012)."
    )
    line_number: int = Field(description="1-based physical line number in the file.")
    event_epoch: float = Field(description="Event time as Unix seconds (UTC); may be fractional.")
    event_at: AwareDatetime = Field(description="Event time as a UTC timestamp.")
    callid: str | None = Field(
        description="Caller channel unique id, or NONE / REALTIME for agent events; "
        "NULL when empty."
    )
    queue_name: str | None = Field(description="Queue name, or NONE; NULL when empty.")
    agent: str | None = Field(
        description="Member interface as logged (PJSIP/1001, Agent/1001, NONE); NULL when empty."
    )
    event: str = Field(description="Event name, upper-case (ENTERQUEUE, CONNECT, custom names...).")
    data1: str | None = Field(description="First data field; NULL when absent or empty.")
    data2: str | None = Field(description="Second data field; NULL when absent or empty.")
    data3: str | None = Field(description="Third data field; NULL when absent or empty.")
    data4: str | None = Field(description="Fourth data field; NULL when absent or empty.")
    data5: str | None = Field(description="Fifth data field; NULL when absent or empty.")
    ingested_at: AwareDatetime = Field(description="When the load that brought the row ran (UTC).")


class CdrRecord(_RawRow):
    """One row of an Asterisk CDR CSV (Master.csv or another configured layout).

    Table ``raw_telephony.cdr_records``, append-only. Columns missing from the file's layout are
    NULL.
    """

    source_file: str = Field(description="Path of the file relative to the landing folder.")
    line_number: int = Field(description="1-based physical line number in the file.")
    accountcode: str | None = Field(description="Account code; NULL when empty.")
    src: str | None = Field(description="Caller id number; NULL when empty.")
    dst: str | None = Field(description="Destination extension; NULL when empty.")
    dcontext: str | None = Field(description="Destination context; NULL when empty.")
    clid: str | None = Field(description="Caller id with text; NULL when empty.")
    channel: str | None = Field(description="Channel used; NULL when empty.")
    dstchannel: str | None = Field(
        description="Destination channel (the agent channel); NULL when empty."
    )
    lastapp: str | None = Field(description="Last application (Queue for queue visits).")
    lastdata: str | None = Field(
        description="Last application data (queue name first: '<queue>,t')."
    )
    start_at: AwareDatetime = Field(description="Start of the call, converted to UTC.")
    answer_at: AwareDatetime | None = Field(
        description="Answer time in UTC; NULL when never answered."
    )
    end_at: AwareDatetime | None = Field(description="End of the call in UTC; NULL when empty.")
    duration_seconds: int | None = Field(description="end - start in seconds.")
    billsec_seconds: int | None = Field(description="end - answer in seconds.")
    disposition: str | None = Field(description="ANSWERED, NO ANSWER, BUSY, FAILED.")
    amaflags: str | None = Field(description="DOCUMENTATION, BILLING, OMIT.")
    uniqueid: str | None = Field(description="Channel unique id (the queue_log callid).")
    userfield: str | None = Field(description="User field; NULL when empty.")
    peeraccount: str | None = Field(description="Peer account (newcdrcolumns layout only).")
    linkedid: str | None = Field(description="Linked id (newcdrcolumns layout only).")
    sequence: int | None = Field(description="CDR sequence number (newcdrcolumns layout only).")
    ingested_at: AwareDatetime = Field(description="When the load that brought the row ran (UTC).")


class AgentStateEvent(_RawRow):
    """One state change of the agent-state feed. Table ``raw_telephony.agent_state_events``."""

    source_file: str = Field(description="Path of the file relative to the landing folder.")
    line_number: int = Field(description="1-based physical line number in the file (header is 1).")
    agent_id: str = Field(
        description="Agent id (meets the part after the last '/' of queue_log agent)."
    )
    agent_name: str | None = Field(description="Agent display name; NULL when empty.")
    team: str | None = Field(description="Team name; NULL when empty.")
    state: AgentState = Field(description="New state, upper-case: " + ", ".join(AGENT_STATES) + ".")
    started_at: AwareDatetime = Field(description="When the state began (UTC).")
    reason: str | None = Field(description="Reason code (e.g. lunch); NULL when empty.")
    ingested_at: AwareDatetime = Field(description="When the load that brought the row ran (UTC).")


class QuarantineRow(_RawRow):
    """A line that could not be parsed, kept with where it was and why.

    Table ``raw_telephony.quarantine``, append-only; written by every telephony resource.
    """

    source: str = Field(
        description="Feed the line came from: telephony.queue_log, telephony.cdr or "
        "telephony.agent_states."
    )
    source_file: str = Field(description="Path of the file relative to the landing folder.")
    line_number: int = Field(description="1-based physical line number in the file.")
    raw_text: str = Field(
        description="The line as read (undecodable bytes shown as \\x.. escapes)."
    )
    reason: str = Field(description="Why the line was not loaded, in words.")
    quarantined_at: AwareDatetime = Field(description="When the load that met the line ran (UTC).")






def _base_type(annotation: Any) -> Any:
    """Map ``Literal[...]`` and ``Annotated[...]`` annotations to the Python type they hold."""
    origin = typing.get_origin(annotation)
    if origin is Literal:
        (kind,) = {type(v) for v in typing.get_args(annotation)}
        return kind
    if origin is typing.Annotated:
        return typing.get_args(annotation)[0]
    return annotation


def dlt_columns(model: type[BaseModel]) -> dict[str, dict[str, Any]]:
    """Derive dlt column hints (a ``columns=`` dict) from a row contract.

    Every field becomes a column with an explicit data type, its nullability (``X | None`` is
    nullable) and the field's description, in declaration order (the warehouse keeps that order).
    """
    hints = typing.get_type_hints(model, include_extras=False)
    columns: dict[str, dict[str, Any]] = {}
    for name, field in model.model_fields.items():
        inner, nullable = unwrap_optional(hints[name])
        kind = _base_type(inner)
        if kind not in DLT_TYPES:
            raise TypeError(f"{model.__name__}.{name}: no dlt type for {kind!r}")
        column: dict[str, Any] = {"name": name, **DLT_TYPES[kind], "nullable": nullable}
        if field.description:
            column["description"] = field.description
        columns[name] = column
    return columns


QUEUE_LOG_EVENT_COLUMNS: Final = dlt_columns(QueueLogEvent)
CDR_RECORD_COLUMNS: Final = dlt_columns(CdrRecord)
AGENT_STATE_EVENT_COLUMNS: Final = dlt_columns(AgentStateEvent)
QUARANTINE_COLUMNS: Final = dlt_columns(QuarantineRow)
