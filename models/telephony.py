"""Record contracts of the telephony raw tables (dataset ``raw_telephony``).

One pydantic model per table says what a row holds. The dlt column hints that give the tables their
explicit types in the warehouse (``*_COLUMNS``) are derived from these models, so ingestion, the
tests and the simulator share one definition and cannot drift apart.

The models describe the *raw* layer: every line as it arrived, typed but not interpreted. Meaning
(agent ids, outcomes, deduplication) is decided later, in dbt staging. See ``docs/ingestion.md``.
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import AwareDatetime, Field

from models.raw import (
    FILE_QUARANTINE_COLUMNS,
    FROZEN_COLUMNS_CONTRACT,
    FileQuarantineRow,
    RawRow,
    dlt_columns,
)

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


class QueueLogEvent(RawRow):
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
    data2: str | None = Field(
        description="Second data field; NULL when absent or empty. For ENTERQUEUE (the caller id) "
        "the caller's pseudonym (64 hex characters, docs/cx_sources.md 'Privacy'), an internal "
        "extension (up to 6 digits) as logged, or NULL (anonymous or unreadable)."
    )
    data3: str | None = Field(description="Third data field; NULL when absent or empty.")
    data4: str | None = Field(description="Fourth data field; NULL when absent or empty.")
    data5: str | None = Field(description="Fifth data field; NULL when absent or empty.")
    ingested_at: AwareDatetime = Field(description="When the load that brought the row ran (UTC).")


class CdrRecord(RawRow):
    """One row of an Asterisk CDR CSV (Master.csv or another configured layout).

    Table ``raw_telephony.cdr_records``, append-only. Columns missing from the file's layout are
    NULL.
    """

    source_file: str = Field(description="Path of the file relative to the landing folder.")
    line_number: int = Field(description="1-based physical line number in the file.")
    accountcode: str | None = Field(description="Account code; NULL when empty.")
    src: str | None = Field(
        description="Caller id number as its pseudonym (64 hex), or an internal extension (up to "
        "6 digits) as logged; NULL when empty, anonymous or unreadable."
    )
    dst: str | None = Field(
        description="Destination extension as logged; a dialled external number (7 digits or "
        "more) as its pseudonym; NULL when empty."
    )
    dcontext: str | None = Field(description="Destination context; NULL when empty.")
    clid: str | None = Field(
        description="Caller id: the pseudonym of its number (the display name is dropped), or an "
        "internal extension; NULL when empty, anonymous or unreadable."
    )
    channel: str | None = Field(description="Channel used; NULL when empty.")
    dstchannel: str | None = Field(
        description="Destination channel (the agent channel); NULL when empty."
    )
    lastapp: str | None = Field(description="Last application (Queue for queue visits).")
    lastdata: str | None = Field(
        description="Last application data (queue name first: '<queue>,t'); phone numbers and "
        "e-mail addresses in it replaced by [phone] / [email]."
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


class AgentStateEvent(RawRow):
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


QuarantineRow = FileQuarantineRow
"""The telephony quarantine row (shared by every file source, see :mod:`models.raw`)."""


QUEUE_LOG_EVENT_COLUMNS: Final = dlt_columns(QueueLogEvent)
CDR_RECORD_COLUMNS: Final = dlt_columns(CdrRecord)
AGENT_STATE_EVENT_COLUMNS: Final = dlt_columns(AgentStateEvent)
QUARANTINE_COLUMNS: Final = FILE_QUARANTINE_COLUMNS
