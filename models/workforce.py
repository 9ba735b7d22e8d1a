"""Record contracts of the workforce-management (WFM) source: published agent schedules
(docs/source_formats.md "WFM schedules").

Dataset ``raw_wfm``: ``schedule_activities`` (one row per line of a schedule export) and its
``quarantine`` table. A WFM tool publishes one file per schedule date (``wfm/schedule-YYYYMMDD.csv``,
and as many workforces as it has: ``schedule-digital-YYYYMMDD.csv``), each row one activity
segment of an agent's shift (``WORK``, ``BREAK``, ``LUNCH``, ``MEETING``...). Rows are kept as they
arrived (append-only); a re-published schedule replaces the earlier one for that agent and date in
staging. Which activity means which agent state is the ``wfm_activities`` seed, not code.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from pydantic import AwareDatetime, Field

from models.raw import (
    FILE_QUARANTINE_COLUMNS,
    FROZEN_COLUMNS_CONTRACT,
    FileQuarantineRow,
    RawRow,
    dlt_columns,
)

__all__ = [
    "FROZEN_COLUMNS_CONTRACT",
    "MAX_SEGMENT_HOURS",
    "QUARANTINE_COLUMNS",
    "SCHEDULE_ACTIVITY_COLUMNS",
    "SCHEDULE_FILE_COLUMNS",
    "QuarantineRow",
    "ScheduleActivity",
]

SCHEDULE_FILE_COLUMNS: Final = (
    "agent_id", "agent_name", "team", "schedule_date", "activity", "start_at", "end_at",
)  # fmt: skip
"""Header of ``wfm/schedule-*.csv`` (column order free, unknown columns not loaded)."""

MAX_SEGMENT_HOURS: Final = 24
"""A segment longer than this is not a schedule activity (a typo in a date): quarantined."""


class ScheduleActivity(RawRow):
    """One activity segment of an agent's published shift. Table ``raw_wfm.schedule_activities``,
    append-only: a re-published schedule is more rows; staging keeps the latest per agent and
    date."""

    source_file: str = Field(
        description="Path of the file relative to the landing folder, '/'-separated."
    )
    line_number: int = Field(
        description="1-based physical line number in the file (the header is line 1)."
    )
    agent_id: str = Field(
        description="The agent's id in the system the agent works in (the agent-state feed's "
        "agent_id for phone agents, the helpdesk user id for digital agents)."
    )
    agent_name: str | None = Field(description="The agent's name as the WFM tool has it.")
    team: str | None = Field(description="The agent's team in the WFM tool.")
    schedule_date: dt.date = Field(
        description="The site-local date the shift belongs to (the date it starts on)."
    )
    activity: str = Field(
        description="The planned activity, upper case (WORK, BREAK, LUNCH, MEETING, ...); its "
        "meaning is the wfm_activities seed."
    )
    start_at: AwareDatetime = Field(description="Start of the segment (UTC).")
    end_at: AwareDatetime = Field(
        description=f"End of the segment (UTC); after start_at, at most {MAX_SEGMENT_HOURS} hours "
        "later."
    )
    ingested_at: AwareDatetime = Field(description="When the load that brought the row ran (UTC).")


QuarantineRow = FileQuarantineRow
"""The quarantine row of the source (shared by every file source, :mod:`models.raw`)."""

SCHEDULE_ACTIVITY_COLUMNS: Final = dlt_columns(ScheduleActivity)
QUARANTINE_COLUMNS: Final = FILE_QUARANTINE_COLUMNS
