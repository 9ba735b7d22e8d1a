"""The ``ivr`` dlt source: IVR and bot session exports of the landing folder (docs/cx_sources.md).

Reads ``<landing>/ivr/*`` (``ivr_sessions-YYYYMMDD.csv``, plain or gzip-compressed) into dataset
``raw_ivr``:

- ``ivr_sessions``  one row per session line, as it arrived
- ``quarantine``    one row per line that could not be loaded (file, line, text, reason)

Each run reads only new files and lines appended to known ones (content-based cursors,
:mod:`ingestion.files`); a missing ``ivr/`` folder loads nothing. Callers' numbers are loaded only
as pseudonyms (:mod:`ingestion.privacy`).

This module only wires the resource; parsing lives in :mod:`.sessions`.
"""

from __future__ import annotations

from typing import Any, Final

import dlt
from dlt.common.typing import TSecretStrValue

from ingestion.filesource import csv_export_resource, quarantine, route_quarantine
from ingestion.ivr import sessions
from ingestion.privacy import Pseudonymizer
from models.cx import IVR_SESSION_COLUMNS

__all__ = ["DATASET_NAME", "IVR_DIR", "ivr", "ivr_sessions", "quarantine"]

DATASET_NAME: Final = "raw_ivr"
IVR_DIR: Final = "ivr"
SOURCE: Final = "ivr.sessions"

ivr_sessions = csv_export_resource(
    name="ivr_sessions",
    subdir=IVR_DIR,
    source=SOURCE,
    columns=IVR_SESSION_COLUMNS,
    parse_header=sessions.parse_header,
    parse_row=sessions.parse_row,
    redactor=sessions.redactor,
    what="an IVR sessions",
    description="New session lines (callers' numbers as pseudonyms); bad lines to ``quarantine``.",
)


@dlt.source(name="ivr")
def ivr(
    landing_dir: str = dlt.config.value,
    pseudonym_key: TSecretStrValue | None = None,
    phone_region: str | None = None,
) -> Any:
    """IVR and bot sessions of the landing folder (+ their quarantine).

    Args:
        landing_dir: the landing folder (its ``ivr/`` folder is read). dlt config
            ``sources.ivr.landing_dir`` when not passed.
        pseudonym_key: the key callers' numbers are pseudonymized with
            (:func:`ingestion.privacy.resolve_key`); none fails here, before anything is read.
        phone_region: the region national numbers are read in (``CXPIPE_PHONE_REGION``, ``US``).
    """
    privacy = Pseudonymizer.from_settings(pseudonym_key, phone_region)
    return (route_quarantine(ivr_sessions(landing_dir, privacy)), quarantine())
