"""Parsing of WFM schedule exports: ``wfm/schedule-*.csv`` (docs/source_formats.md "WFM schedules").

A CSV file with a header row (:data:`models.workforce.SCHEDULE_FILE_COLUMNS`; column order free,
unknown columns not loaded), one row per activity segment of an agent's shift. A row that breaks
the contract raises :class:`~ingestion.parsing.ParseError` with the reason kept in quarantine: a
missing ``agent_id``, ``activity`` or ``schedule_date``, a date that is not ``YYYY-MM-DD``, a time
without a UTC offset (a schedule is planned on a local clock: reading it as UTC would shift every
shift silently), ``end_at`` not after ``start_at``, a segment longer than
:data:`~models.workforce.MAX_SEGMENT_HOURS` hours, the wrong number of fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Final, NamedTuple

from ingestion.feed import Redact
from ingestion.filesource import code_field, csv_redactor, text_field
from ingestion.parsing import (
    HeaderLayout,
    ParseError,
    parse_date,
    parse_timestamp,
    required_text,
    split_csv_line,
    stripped_or_none,
)
from ingestion.privacy import Pseudonymizer
from models.workforce import MAX_SEGMENT_HOURS, SCHEDULE_FILE_COLUMNS

__all__ = ["ScheduleActivityRecord", "parse_header", "parse_row", "redactor"]

REQUIRED: Final = ("agent_id", "schedule_date", "activity", "start_at", "end_at")


class ScheduleActivityRecord(NamedTuple):
    """The typed fields of one schedule segment (file, line are added by the resource)."""

    agent_id: str
    agent_name: str | None
    team: str | None
    schedule_date: dt.date
    activity: str
    start_at: dt.datetime
    end_at: dt.datetime


def parse_header(text: str) -> HeaderLayout:
    """Recognise an export's header row (the columns of :data:`REQUIRED` must be there)."""
    return HeaderLayout.from_names(split_csv_line(text), SCHEDULE_FILE_COLUMNS, REQUIRED)


def parse_row(text: str, layout: HeaderLayout) -> ScheduleActivityRecord:
    """Parse and check one schedule segment."""
    values = layout.values(split_csv_line(text))
    agent_id = required_text(values, "agent_id")
    schedule_date = parse_date(values["schedule_date"], "schedule_date")
    if schedule_date is None:
        raise ParseError("schedule_date is empty")
    activity = required_text(values, "activity").upper()
    start_at = parse_timestamp(values["start_at"], field="start_at", naive_zone=None)
    end_at = parse_timestamp(values["end_at"], field="end_at", naive_zone=None)
    if end_at <= start_at:
        raise ParseError(
            f"end_at {values['end_at'].strip()} is not after start_at {values['start_at'].strip()}"
        )
    if end_at - start_at > dt.timedelta(hours=MAX_SEGMENT_HOURS):
        raise ParseError(
            f"the segment {values['start_at'].strip()} - {values['end_at'].strip()} is longer "
            f"than {MAX_SEGMENT_HOURS} hours"
        )
    return ScheduleActivityRecord(
        agent_id=agent_id,
        agent_name=stripped_or_none(values.get("agent_name")),
        team=stripped_or_none(values.get("team")),
        schedule_date=schedule_date,
        activity=activity,
        start_at=start_at,
        end_at=end_at,
    )


def redactor(layout: HeaderLayout, privacy: Pseudonymizer) -> Redact:
    """A quarantined row as shown: the agent's name scrubbed like free text, other fields of
    addresses and ``+`` / ``00`` numbers; a row whose fields cannot be told apart scrubbed whole."""
    return csv_redactor(
        layout, {"agent_name": text_field(privacy)}, code_field(privacy), whole_line=text_field(privacy)
    )
