"""The ``telephony`` dlt source: Asterisk queue_log, Asterisk CDR and the agent-state feed.

Reads the landing folder (docs/source_formats.md) into dataset ``raw_telephony``:

- ``queue_log_events``   one row per queue_log line (``telephony/queue_log/*``)
- ``cdr_records``        one row per CDR row (``telephony/cdr/*``)
- ``agent_state_events`` one row per agent state change (``telephony/agent_states/*``)
- ``quarantine``         one row per line that could not be parsed, from any of the three

All four are append-only raw history: each run reads only the files and bytes added since the
previous run (cursors in dlt resource state, see :mod:`ingestion.files`), so a second run over the
same landing folder loads nothing. Files are recognised by content: a rotated (renamed or
gzip-compressed) or copied file is not loaded again. Interpretation (agent ids, outcomes,
deduplication) is dbt's.

Caller numbers never enter the warehouse in clear (:mod:`ingestion.privacy`): ENTERQUEUE's
``data2`` and the CDR's ``src`` / ``clid`` hold the caller's pseudonym, an external CDR ``dst``
too, and quarantined lines are shown with the same replacements.

This module only wires the resources; parsing lives in :mod:`.queue_log`, :mod:`.cdr` and
:mod:`.agent_states`, file reading in :mod:`ingestion.files` and :mod:`ingestion.feed`, what
the file sources share in :mod:`ingestion.filesource`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

import dlt
from dlt.common.typing import TSecretStrValue

from ingestion.feed import FileParser, LineParser, OpenFile, extract_lines, with_load_id_column
from ingestion.filesource import (
    code_field,
    files_state,
    header_text,
    landing_folder,
    materialize_arrow_table,
    quarantine,
    route_quarantine,
)
from ingestion.files import FileSlice
from ingestion.parsing import HeaderLayout, ParseError
from ingestion.privacy import Pseudonymizer, log_unreadable
from ingestion.telephony import cdr as cdr_parsing
from ingestion.telephony import queue_log as queue_log_parsing
from ingestion.telephony.agent_states import parse_agent_state_header, parse_agent_state_row
from ingestion.telephony.cdr import HEADER_LAYOUT, parse_cdr_row, parse_layout, parse_timezone
from ingestion.telephony.queue_log import parse_pipe_line, parse_table_header, parse_table_row
from models.telephony import (
    AGENT_STATE_EVENT_COLUMNS,
    CDR_RECORD_COLUMNS,
    FROZEN_COLUMNS_CONTRACT,
    QUEUE_LOG_EVENT_COLUMNS,
)

__all__ = [
    "DATASET_NAME",
    "agent_state_events",
    "cdr_records",
    "quarantine",
    "queue_log_events",
    "resolve_cdr_settings",
    "telephony",
]

logger = logging.getLogger(__name__)

DATASET_NAME: Final = "raw_telephony"
QUEUE_LOG_DIR: Final = "telephony/queue_log"
CDR_DIR: Final = "telephony/cdr"
AGENT_STATES_DIR: Final = "telephony/agent_states"

ENV_CDR_COLUMNS: Final = "CXPIPE_CDR_COLUMNS"
ENV_CDR_TIMEZONE: Final = "CXPIPE_CDR_TIMEZONE"


def _then(
    parse: Callable[[str], Any],
    privacy: Pseudonymizer,
    step: Callable[[Any, Pseudonymizer], Any],
) -> Callable[[str], Any]:
    """``parse`` followed by the privacy step of its feed."""
    return lambda text: step(parse(text), privacy)


def queue_log_file_opener(privacy: Pseudonymizer) -> OpenFile:
    """``*.csv`` (and ``*.csv.gz``) files are the vendor table form (header row), all other files
    the pipe form; ENTERQUEUE caller ids are pseudonymized."""

    def open_queue_log_file(file_slice: FileSlice) -> FileParser:
        step = queue_log_parsing.pseudonymized
        if Path(file_slice.content_name).suffix.lower() == ".csv":
            try:
                layout = parse_table_header(header_text(file_slice))
            except ParseError as exc:
                raise ParseError(f"not a queue_log table header: {exc}") from None
            return LineParser(
                _then(lambda text: parse_table_row(text, layout=layout), privacy, step),
                header_lines=1,
                redact=queue_log_parsing.redactor(privacy, layout),
            )
        return LineParser(
            _then(parse_pipe_line, privacy, step), redact=queue_log_parsing.redactor(privacy)
        )

    return open_queue_log_file


def open_agent_state_file(file_slice: FileSlice) -> FileParser:
    """The agent-state feed always has a header row (and no personal data)."""
    try:
        layout = parse_agent_state_header(header_text(file_slice))
    except ParseError as exc:
        raise ParseError(f"not an agent-state header: {exc}") from None
    return LineParser(lambda text: parse_agent_state_row(text, layout=layout), header_lines=1)


def cdr_file_opener(
    cdr_columns: str | None, cdr_timezone: str, privacy: Pseudonymizer | None = None
) -> OpenFile:
    """The CDR parser factory for a layout (None: Master.csv default; ``header``: per file).
    With ``privacy`` (always, when loading) caller ids are pseudonymized."""
    zone = parse_timezone(cdr_timezone)

    def parser_for(layout: HeaderLayout, header_lines: int) -> LineParser:
        def parse(text: str) -> Any:
            return parse_cdr_row(text, layout=layout, zone=zone)

        if privacy is None:
            return LineParser(parse, header_lines=header_lines)
        return LineParser(
            _then(parse, privacy, cdr_parsing.pseudonymized),
            header_lines=header_lines,
            redact=cdr_parsing.redactor(layout, privacy),
        )

    if cdr_columns is not None and cdr_columns.strip().lower() == HEADER_LAYOUT:

        def open_with_header(file_slice: FileSlice) -> FileParser:
            try:
                layout = parse_layout(header_text(file_slice))
            except ParseError as exc:
                raise ParseError(f"not a CDR header: {exc}") from None
            return parser_for(layout, header_lines=1)

        return open_with_header

    parser = parser_for(parse_layout(cdr_columns), header_lines=0)
    return lambda file_slice: parser


def resolve_cdr_settings(
    cdr_columns: str | None, cdr_timezone: str | None
) -> tuple[str | None, str]:
    """CDR layout and time zone: the argument (or dlt config), else ``CXPIPE_CDR_COLUMNS`` /
    ``CXPIPE_CDR_TIMEZONE``, else the Master.csv layout and UTC. Invalid values raise ValueError."""
    columns = cdr_columns if cdr_columns else os.environ.get(ENV_CDR_COLUMNS) or None
    timezone = cdr_timezone if cdr_timezone else os.environ.get(ENV_CDR_TIMEZONE) or "UTC"
    try:
        cdr_file_opener(columns, timezone)
    except ParseError as exc:
        raise ValueError(f"invalid CDR settings: {exc}") from None
    if columns and columns.strip().lower() != HEADER_LAYOUT:
        unknown = [
            name.strip()
            for name, known in zip(columns.split(","), parse_layout(columns).names, strict=True)
            if known is None
        ]
        if unknown:
            logger.warning("CDR columns not loaded (not known to the pipeline): %s", unknown)
    return columns, timezone


@dlt.resource(
    name="queue_log_events",
    write_disposition="append",
    columns=with_load_id_column(QUEUE_LOG_EVENT_COLUMNS),
    schema_contract=FROZEN_COLUMNS_CONTRACT,
)
def queue_log_events(landing_dir: str, privacy: Pseudonymizer) -> Iterator[Any]:
    """New lines of the queue_log files, one row per event (ENTERQUEUE caller ids as pseudonyms);
    bad lines to ``quarantine``."""
    yield from materialize_arrow_table(QUEUE_LOG_EVENT_COLUMNS)
    yield from extract_lines(
        landing_dir=landing_folder(landing_dir, "telephony"),
        subdir=QUEUE_LOG_DIR,
        source="telephony.queue_log",
        columns=QUEUE_LOG_EVENT_COLUMNS,
        open_file=queue_log_file_opener(privacy),
        files_state=files_state(),
        redact=queue_log_parsing.redactor(privacy),
        redact_reason=code_field(privacy),
    )
    log_unreadable(privacy, "telephony.queue_log")


@dlt.resource(
    name="cdr_records",
    write_disposition="append",
    columns=with_load_id_column(CDR_RECORD_COLUMNS),
    schema_contract=FROZEN_COLUMNS_CONTRACT,
)
def cdr_records(
    landing_dir: str,
    privacy: Pseudonymizer,
    cdr_columns: str | None = None,
    cdr_timezone: str = "UTC",
) -> Iterator[Any]:
    """New rows of the CDR files in the configured layout, times in UTC, caller ids as
    pseudonyms; bad rows to quarantine."""
    open_file = cdr_file_opener(cdr_columns, cdr_timezone, privacy)
    yield from materialize_arrow_table(CDR_RECORD_COLUMNS)
    yield from extract_lines(
        landing_dir=landing_folder(landing_dir, "telephony"),
        subdir=CDR_DIR,
        source="telephony.cdr",
        columns=CDR_RECORD_COLUMNS,
        open_file=open_file,
        files_state=files_state(),
        redact=code_field(privacy),
        redact_reason=code_field(privacy),
    )
    log_unreadable(privacy, "telephony.cdr")


@dlt.resource(
    name="agent_state_events",
    write_disposition="append",
    columns=with_load_id_column(AGENT_STATE_EVENT_COLUMNS),
    schema_contract=FROZEN_COLUMNS_CONTRACT,
)
def agent_state_events(landing_dir: str, privacy: Pseudonymizer) -> Iterator[Any]:
    """New rows of the agent-state feed; unknown states and bad times to ``quarantine``. (The
    feed holds no contact data; a misplaced file's lines are scrubbed in quarantine all the
    same.)"""
    yield from materialize_arrow_table(AGENT_STATE_EVENT_COLUMNS)
    yield from extract_lines(
        landing_dir=landing_folder(landing_dir, "telephony"),
        subdir=AGENT_STATES_DIR,
        source="telephony.agent_states",
        columns=AGENT_STATE_EVENT_COLUMNS,
        open_file=open_agent_state_file,
        files_state=files_state(),
        redact=code_field(privacy),
        redact_reason=code_field(privacy),
    )


@dlt.source(name="telephony")
def telephony(
    landing_dir: str = dlt.config.value,
    cdr_columns: str | None = None,
    cdr_timezone: str | None = None,
    pseudonym_key: TSecretStrValue | None = None,
    phone_region: str | None = None,
) -> Any:
    """Telephony files of the landing folder: queue_log, CDR, agent states (+ their quarantine).

    Args:
        landing_dir: the landing folder (its ``telephony/`` subfolders are read). dlt config key
            ``sources.telephony.landing_dir`` when not passed.
        cdr_columns: CDR column layout, comma-separated (``...,peeraccount,linkedid,sequence``),
            or ``header`` to read each file's own header row. Default: ``CXPIPE_CDR_COLUMNS``, else
            the 18 Master.csv columns.
        cdr_timezone: IANA zone the PBX writes CDR times in. Default: ``CXPIPE_CDR_TIMEZONE``,
            else UTC.
        pseudonym_key: the key caller ids are pseudonymized with. Default:
            ``CXPIPE_PSEUDONYM_KEY``, else the dlt secret ``pseudonymization.key``, else the file
            ``CXPIPE_PSEUDONYM_KEY_FILE`` (:func:`ingestion.privacy.resolve_key`); none fails here,
            before anything is read.
        phone_region: the region national numbers are read in (``CXPIPE_PHONE_REGION``, ``US``).
    """
    privacy = Pseudonymizer.from_settings(pseudonym_key, phone_region)
    columns, timezone = resolve_cdr_settings(cdr_columns, cdr_timezone)
    return (
        route_quarantine(queue_log_events(landing_dir, privacy)),
        route_quarantine(cdr_records(landing_dir, privacy, columns, timezone)),
        route_quarantine(agent_state_events(landing_dir, privacy)),
        quarantine(),
    )
