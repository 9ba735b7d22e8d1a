"""Parsing of the agent-state feed: a CSV file with a header, one row per state change.

``agent_id,agent_name,team,state,started_at,reason`` (docs/source_formats.md). ``state`` must be
one of :data:`models.telephony.AGENT_STATES` (case-insensitive); ``started_at`` must be ISO 8601
*with* an offset: the feed promises one, and reading a local time as UTC would shift every
duration silently, so a time without an offset is quarantined instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Final, NamedTuple

from ingestion.parsing import (
    HeaderLayout,
    ParseError,
    none_if_empty,
    parse_timestamp,
    split_csv_line,
)
from models.telephony import AGENT_STATES

__all__ = ["AgentStateRecord", "parse_agent_state_header", "parse_agent_state_row"]

COLUMNS: Final = ("agent_id", "agent_name", "team", "state", "started_at", "reason")
REQUIRED: Final = ("agent_id", "state", "started_at")
_STATES: Final = frozenset(AGENT_STATES)


class AgentStateRecord(NamedTuple):
    """The typed fields of one agent state change."""

    agent_id: str
    agent_name: str | None
    team: str | None
    state: str
    started_at: dt.datetime
    reason: str | None


def parse_agent_state_header(text: str) -> HeaderLayout:
    """Recognise the feed's header row (``agent_id``, ``state`` and ``started_at`` are required)."""
    return HeaderLayout.from_names(split_csv_line(text), COLUMNS, REQUIRED)


def parse_agent_state_row(text: str, layout: HeaderLayout) -> AgentStateRecord:
    """Parse one row of the feed by the columns of ``layout``."""
    values = layout.values(split_csv_line(text))
    agent_id = values["agent_id"].strip()
    if not agent_id:
        raise ParseError("agent_id is empty")
    state = values["state"].strip().upper()
    if state not in _STATES:
        raise ParseError(f"state {values['state']!r} is not one of {', '.join(AGENT_STATES)}")
    started_at = parse_timestamp(values["started_at"], field="started_at", naive_zone=None)
    return AgentStateRecord(
        agent_id=agent_id,
        agent_name=none_if_empty(values.get("agent_name")),
        team=none_if_empty(values.get("team")),
        state=state,
        started_at=started_at,
        reason=none_if_empty(values.get("reason")),
    )
