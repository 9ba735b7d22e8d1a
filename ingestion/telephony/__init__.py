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

This module only wires the resources; parsing lives in :mod:`.queue_log`, :mod:`.cdr` and
:mod:`.agent_states`, file reading in :mod:`ingestion.files` and :mod:`ingestion.feed`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import Any, Final

import dlt
from dlt.extract.resource import DltResource

from ingestion.feed import (
    QUARANTINE_TABLE,
    ArrowBatch,
    FileParser,
    LineParser,
    OpenFile,
    RunStamp,
    extract_lines,
    first_run,
    with_load_id_column,
)
from ingestion.files import FileSlice
from ingestion.parsing import HeaderLayout, ParseError
from ingestion.telephony.agent_states import parse_agent_state_header, parse_agent_state_row
from ingestion.telephony.cdr import HEADER_LAYOUT, parse_cdr_row, parse_layout, parse_timezone
from ingestion.telephony.queue_log import parse_pipe_line, parse_table_header, parse_table_row
from models.telephony import (
    AGENT_STATE_EVENT_COLUMNS,
    CDR_RECORD_COLUMNS,
    FROZEN_COLUMNS_CONTRACT,
    QUARANTINE_COLUMNS,
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


def _files_state() -> dict[str, Any]:
    """This resource's per-file cursors (``{relative path: cursor}``) in dlt resource state."""
    return dlt.current.resource_state().setdefault("files", {})


def _materialize_arrow_table(columns: Mapping[str, Any]) -> Iterator[Any]:
    """Create the resource's table on its first run even when there is no data yet.

    dbt's sources must exist before the first line arrives (e.g. no agent-state files yet). An empty
    Arrow table is used, not ``dlt.mark.materialize_table_schema()``: that goes through dlt's
    dict normaliser, which would add a NOT NULL ``_dlt_id`` column the Arrow batches do not have.
    """
    if first_run():
        yield ArrowBatch(columns, RunStamp.current()).flush()


def _landing(landing_dir: str) -> Path:
    path = Path(landing_dir)
    if not path.is_dir():
        raise FileNotFoundError(
            f"landing folder {path} does not exist (check CXPIPE_LANDING_DIR or "
            "sources.telephony.landing_dir)"
        )
    return path


def _header_text(file_slice: FileSlice) -> str:
    """The file's first line as text, for CSV forms with a header row."""
    raw = file_slice.first_line()
    try:
        return (raw or b"").decode("utf-8")
    except UnicodeDecodeError:
        raise ParseError("header row is not valid UTF-8") from None


def open_queue_log_file(file_slice: FileSlice) -> FileParser:
    """``*.csv`` (and ``*.csv.gz``) files are the vendor table form (header row), all other files
    the pipe form."""
    if Path(file_slice.content_name).suffix.lower() == ".csv":
        try:
            layout = parse_table_header(_header_text(file_slice))
        except ParseError as exc:
            raise ParseError(f"not a queue_log table header: {exc}") from None
        return LineParser(partial(parse_table_row, layout=layout), header_lines=1)
    return LineParser(parse_pipe_line)


def open_agent_state_file(file_slice: FileSlice) -> FileParser:
    """The agent-state feed always has a header row."""
    try:
        layout = parse_agent_state_header(_header_text(file_slice))
    except ParseError as exc:
        raise ParseError(f"not an agent-state header: {exc}") from None
    return LineParser(partial(parse_agent_state_row, layout=layout), header_lines=1)


def cdr_file_opener(cdr_columns: str | None, cdr_timezone: str) -> OpenFile:
    """The CDR parser factory for a layout (None: Master.csv default; ``header``: per file)."""
    zone = parse_timezone(cdr_timezone)
    if cdr_columns is not None and cdr_columns.strip().lower() == HEADER_LAYOUT:

        def open_with_header(file_slice: FileSlice) -> FileParser:
            try:
                layout = parse_layout(_header_text(file_slice))
            except ParseError as exc:
                raise ParseError(f"not a CDR header: {exc}") from None
            return LineParser(partial(parse_cdr_row, layout=layout, zone=zone), header_lines=1)

        return open_with_header

    layout: HeaderLayout = parse_layout(cdr_columns)
    parser = LineParser(partial(parse_cdr_row, layout=layout, zone=zone))
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
def queue_log_events(landing_dir: str) -> Iterator[Any]:
    """New lines of the queue_log files, one row per event; bad lines to ``quarantine``."""
    yield from _materialize_arrow_table(QUEUE_LOG_EVENT_COLUMNS)
    yield from extract_lines(
        landing_dir=_landing(landing_dir),
        subdir=QUEUE_LOG_DIR,
        source="telephony.queue_log",
        columns=QUEUE_LOG_EVENT_COLUMNS,
        open_file=open_queue_log_file,
        files_state=_files_state(),
    )


@dlt.resource(
    name="cdr_records",
    write_disposition="append",
    columns=with_load_id_column(CDR_RECORD_COLUMNS),
    schema_contract=FROZEN_COLUMNS_CONTRACT,
)
def cdr_records(
    landing_dir: str, cdr_columns: str | None = None, cdr_timezone: str = "UTC"
) -> Iterator[Any]:
    """New rows of the CDR files in the configured layout, times in UTC; bad rows to quarantine."""
    open_file = cdr_file_opener(cdr_columns, cdr_timezone)
    yield from _materialize_arrow_table(CDR_RECORD_COLUMNS)
    yield from extract_lines(
        landing_dir=_landing(landing_dir),
        subdir=CDR_DIR,
        source="telephony.cdr",
        columns=CDR_RECORD_COLUMNS,
        open_file=open_file,
        files_state=_files_state(),
    )


@dlt.resource(
    name="agent_state_events",
    write_disposition="append",
    columns=with_load_id_column(AGENT_STATE_EVENT_COLUMNS),
    schema_contract=FROZEN_COLUMNS_CONTRACT,
)
def agent_state_events(landing_dir: str) -> Iterator[Any]:
    """New rows of the agent-state feed; unknown states and bad times to ``quarantine``."""
    yield from _materialize_arrow_table(AGENT_STATE_EVENT_COLUMNS)
    yield from extract_lines(
        landing_dir=_landing(landing_dir),
        subdir=AGENT_STATES_DIR,
        source="telephony.agent_states",
        columns=AGENT_STATE_EVENT_COLUMNS,
        open_file=open_agent_state_file,
        files_state=_files_state(),
    )


@dlt.resource(
    name=QUARANTINE_TABLE,
    write_disposition="append",
    columns=QUARANTINE_COLUMNS,
    schema_contract=FROZEN_COLUMNS_CONTRACT,
)
def quarantine() -> Iterator[Any]:
    """Declares the ``quarantine`` table; the rows come from the other resources.

    Every telephony resource sends its unparseable lines to this table with
    ``dlt.mark.with_table_name(rows, "quarantine")``. This resource yields no rows itself: it
    exists so that the table has a resource of its own, with its columns and append disposition
    declared once. Dagster's dlt integration creates one asset per resource, so this is how the
    quarantine table gets its own asset (and checks on it). On the first run it materialises the
    empty table, so dbt can read it before any line was ever quarantined. (Quarantine rows are
    dicts, normalised by dlt like any JSON row: the table also has ``_dlt_load_id`` and
    ``_dlt_id``.)
    """
    if first_run():
        yield dlt.mark.materialize_table_schema()


def _route_quarantine(resource: DltResource) -> DltResource:
    """Give ``resource`` a table variant for ``quarantine`` rows with the quarantine contract.

    Without it, rows marked ``with_table_name(..., "quarantine")`` would take the hints of the
    resource that yields them (its columns would be added to the quarantine table). The variant
    starts from a copy of the resource's hints, so its columns are cleared before they are set.
    """
    resource.apply_hints(table_name=QUARANTINE_TABLE, create_table_variant=True, columns={})
    resource.apply_hints(
        table_name=QUARANTINE_TABLE,
        create_table_variant=True,
        columns=QUARANTINE_COLUMNS,
        write_disposition="append",
        schema_contract=FROZEN_COLUMNS_CONTRACT,
    )
    return resource


@dlt.source(name="telephony")
def telephony(
    landing_dir: str = dlt.config.value,
    cdr_columns: str | None = None,
    cdr_timezone: str | None = None,
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
    """
    columns, timezone = resolve_cdr_settings(cdr_columns, cdr_timezone)
    return (
        _route_quarantine(queue_log_events(landing_dir)),
        _route_quarantine(cdr_records(landing_dir, columns, timezone)),
        _route_quarantine(agent_state_events(landing_dir)),
        quarantine(),
    )
