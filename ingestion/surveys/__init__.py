"""The ``surveys`` dlt source: survey tool exports of the landing folder (docs/cx_sources.md).

Reads ``<landing>/surveys/<tool>/*`` (each tool's folder holds its ``responses-YYYYMMDD.csv``
exports, plain or gzip-compressed) into dataset ``raw_surveys``:

- ``survey_responses``  one row per response line, with the folder's name as ``tool``
- ``quarantine``        one row per line that could not be loaded (file, line, text, reason)

Like the telephony files, each run reads only new files and lines appended to known ones
(content-based cursors in the resource state, one set per tool folder: :mod:`ingestion.files`);
rows are appended as they arrived and staging decides which export of a response wins. A missing
``surveys/`` folder loads nothing. Respondents' phones and e-mails are loaded only as pseudonyms
(:mod:`ingestion.privacy`).

This module only wires the resource; parsing lives in :mod:`.responses`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
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
from ingestion.parsing import ParseError
from ingestion.privacy import Pseudonymizer, log_unreadable
from ingestion.surveys import responses
from models.cx import FROZEN_COLUMNS_CONTRACT, SURVEY_RESPONSE_COLUMNS

__all__ = ["DATASET_NAME", "SURVEYS_DIR", "quarantine", "survey_responses", "surveys"]

logger = logging.getLogger(__name__)

DATASET_NAME: Final = "raw_surveys"
SURVEYS_DIR: Final = "surveys"
SOURCE: Final = "surveys.responses"


def tool_folders(landing: Path) -> list[str]:
    """The tool folders of ``<landing>/surveys`` in name order (hidden ones skipped); a file
    directly in ``surveys/`` belongs to no tool: it is named in a warning and not loaded."""
    root = landing / SURVEYS_DIR
    if not root.is_dir():
        return []
    tools = []
    for path in sorted(root.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_dir():
            tools.append(path.name)
        elif path.is_file():
            logger.warning(
                "%s/%s is not in a tool folder (surveys/<tool>/...): not loaded",
                SURVEYS_DIR,
                path.name,
            )
    return tools


def response_file_opener(tool: str, privacy: Pseudonymizer) -> OpenFile:
    """Every file of a tool folder is an export with a header row."""

    def open_response_file(file_slice: FileSlice) -> FileParser:
        try:
            layout = responses.parse_header(header_text(file_slice))
        except ParseError as exc:
            raise ParseError(f"not a survey responses header: {exc}") from None
        return LineParser(
            lambda text: responses.parse_row(text, layout, tool, privacy),
            header_lines=1,
            redact=responses.redactor(layout, privacy),
        )

    return open_response_file


@dlt.resource(
    name="survey_responses",
    write_disposition="append",
    columns=with_load_id_column(SURVEY_RESPONSE_COLUMNS),
    schema_contract=FROZEN_COLUMNS_CONTRACT,
)
def survey_responses(landing_dir: str, privacy: Pseudonymizer) -> Iterator[Any]:
    """New response lines of every tool's exports; bad lines to ``quarantine``."""
    yield from materialize_arrow_table(SURVEY_RESPONSE_COLUMNS)
    landing = landing_folder(landing_dir, "surveys")
    for tool in tool_folders(landing):
        yield from extract_lines(
            landing_dir=landing,
            subdir=f"{SURVEYS_DIR}/{tool}",
            source=SOURCE,
            columns=SURVEY_RESPONSE_COLUMNS,
            open_file=response_file_opener(tool, privacy),
            files_state=files_state(tool),
            redact=text_field(privacy),
            redact_reason=text_field(privacy),
        )
    log_unreadable(privacy, SOURCE)


@dlt.source(name="surveys")
def surveys(
    landing_dir: str = dlt.config.value,
    pseudonym_key: TSecretStrValue | None = None,
    phone_region: str | None = None,
) -> Any:
    """Survey responses of the landing folder (+ their quarantine).

    Args:
        landing_dir: the landing folder (its ``surveys/<tool>/`` folders are read). dlt config
            ``sources.surveys.landing_dir`` when not passed.
        pseudonym_key: the key phones and e-mails are pseudonymized with
            (:func:`ingestion.privacy.resolve_key`); none fails here, before anything is read.
        phone_region: the region national numbers are read in (``CXPIPE_PHONE_REGION``, ``US``).
    """
    privacy = Pseudonymizer.from_settings(pseudonym_key, phone_region)
    return (route_quarantine(survey_responses(landing_dir, privacy)), quarantine())
