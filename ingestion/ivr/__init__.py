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

from collections.abc import Iterator
from typing import Any, Final

import dlt
from dlt.common.typing import TSecretStrValue

from ingestion.feed import FileParser, LineParser, OpenFile, extract_lines, with_load_id_column
from ingestion.filesource import (
    files_state,
    header_text,
    landing_folder,
    materialize_arrow_table,
    quarantine,
    route_quarantine,
    text_field,
)
from ingestion.files import FileSlice
from ingestion.ivr import sessions
from ingestion.parsing import ParseError
from ingestion.privacy import Pseudonymizer, log_unreadable
from models.cx import FROZEN_COLUMNS_CONTRACT, IVR_SESSION_COLUMNS

__all__ = ["DATASET_NAME", "IVR_DIR", "ivr", "ivr_sessions", "quarantine"]

DATASET_NAME: Final = "raw_ivr"
IVR_DIR: Final = "ivr"
SOURCE: Final = "ivr.sessions"


def session_file_opener(privacy: Pseudonymizer) -> OpenFile:
    """Every file of ``ivr/`` is a sessions export with a header row."""

    def open_session_file(file_slice: FileSlice) -> FileParser:
        try:
            layout = sessions.parse_header(header_text(file_slice))
        except ParseError as exc:
            raise ParseError(f"not an IVR sessions header: {exc}") from None
        return LineParser(
            lambda text: sessions.parse_row(text, layout, privacy),
            header_lines=1,
            redact=sessions.redactor(layout, privacy),
        )

    return open_session_file


@dlt.resource(
    name="ivr_sessions",
    write_disposition="append",
    columns=with_load_id_column(IVR_SESSION_COLUMNS),
    schema_contract=FROZEN_COLUMNS_CONTRACT,
)
def ivr_sessions(landing_dir: str, privacy: Pseudonymizer) -> Iterator[Any]:
    """New session lines (callers' numbers as pseudonyms); bad lines to ``quarantine``."""
    yield from materialize_arrow_table(IVR_SESSION_COLUMNS)
    yield from extract_lines(
        landing_dir=landing_folder(landing_dir, "ivr"),
        subdir=IVR_DIR,
        source=SOURCE,
        columns=IVR_SESSION_COLUMNS,
        open_file=session_file_opener(privacy),
        files_state=files_state(),
        redact=text_field(privacy),
        redact_reason=text_field(privacy),
    )
    log_unreadable(privacy, SOURCE)


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
