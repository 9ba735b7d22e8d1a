"""The ``wfm`` dlt source: published agent schedules of a workforce-management tool
(docs/source_formats.md "WFM schedules").

Reads ``<landing>/wfm/*`` (``schedule-YYYYMMDD.csv``, ``schedule-<workforce>-YYYYMMDD.csv``,
plain or gzip-compressed) into dataset ``raw_wfm``:

- ``schedule_activities``  one row per activity segment line, as it arrived
- ``quarantine``           one row per line that could not be loaded (file, line, text, reason)

Each file is a complete export of its date: a new file, or a file re-published with other content,
is read whole (content-based cursors, :mod:`ingestion.files`, as for the CRM's exports); staging
keeps each agent's latest published schedule per date. A missing ``wfm/`` folder loads nothing.

This module only wires the resource; parsing lives in :mod:`.schedules`.
"""

from __future__ import annotations

from typing import Any, Final

import dlt
from dlt.common.typing import TSecretStrValue

from ingestion.filesource import csv_export_resource, quarantine, route_quarantine
from ingestion.privacy import Pseudonymizer
from ingestion.wfm import schedules
from models.workforce import SCHEDULE_ACTIVITY_COLUMNS

__all__ = ["DATASET_NAME", "WFM_DIR", "quarantine", "schedule_activities", "wfm"]

DATASET_NAME: Final = "raw_wfm"
WFM_DIR: Final = "wfm"
SOURCE: Final = "wfm.schedules"

schedule_activities = csv_export_resource(
    name="schedule_activities",
    subdir=WFM_DIR,
    source=SOURCE,
    columns=SCHEDULE_ACTIVITY_COLUMNS,
    parse_header=schedules.parse_header,
    parse_row=lambda text, layout, _privacy: schedules.parse_row(text, layout),
    redactor=schedules.redactor,
    what="a WFM schedule",
    full_exports=True,
    description="Schedule segments of new and re-published exports; bad lines to ``quarantine``.",
)


@dlt.source(name="wfm")
def wfm(
    landing_dir: str = dlt.config.value,
    pseudonym_key: TSecretStrValue | None = None,
    phone_region: str | None = None,
) -> Any:
    """Agent schedules of the landing folder (+ their quarantine).

    Args:
        landing_dir: the landing folder (its ``wfm/`` folder is read). dlt config
            ``sources.wfm.landing_dir`` when not passed.
        pseudonym_key: the key quarantined lines are scrubbed with (a schedule holds no customer
            data, but a broken line can hold anything); none fails here, before anything is read.
        phone_region: the region national numbers are read in (``CXPIPE_PHONE_REGION``, ``US``).
    """
    privacy = Pseudonymizer.from_settings(pseudonym_key, phone_region)
    return (route_quarantine(schedule_activities(landing_dir, privacy)), quarantine())
