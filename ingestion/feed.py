"""From new landing lines to what a dlt resource yields: typed Arrow batches and quarantine rows.

Shared by the line-based file sources. A source supplies, per file, a parser that turns one line of
text into a record (a named tuple whose fields are the table's data columns, in order); this module
reads the new lines (:mod:`ingestion.files`), skips blank lines and the header, parses, and yields

- the good rows as ``pyarrow.Table`` batches (fast to hand to dlt: no per-row dicts to normalise),
  with ``source_file``, ``line_number``, ``ingested_at`` and ``_dlt_load_id`` added;
- the bad lines as quarantine dicts (source, file, line, raw text, reason), marked for the
  ``quarantine`` table.

Nothing is silent: a bad line becomes a quarantine row, and each file read is summarised in a log
line (lines read, loaded, blank, quarantined).
"""

from __future__ import annotations

import datetime as dt
import logging
import operator
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

import dlt
import pyarrow as pa
from dlt.common.schema.utils import dlt_load_id_column
from dlt.common.storages.exceptions import CurrentLoadPackageStateNotAvailable

from ingestion.files import FileSlice, iter_new_content
from ingestion.parsing import ParseError

__all__ = [
    "BATCH_ROWS",
    "QUARANTINE_TABLE",
    "ArrowBatch",
    "FileParser",
    "LineParser",
    "OpenFile",
    "Redact",
    "RunStamp",
    "arrow_schema",
    "extract_lines",
    "with_load_id_column",
]

logger = logging.getLogger(__name__)

BATCH_ROWS: Final = 50_000
"""Rows per Arrow batch handed to dlt (and per quarantine list)."""

QUARANTINE_TABLE: Final = "quarantine"
LOAD_ID_COLUMN: Final = "_dlt_load_id"

_ARROW_TYPES: Final[dict[str, pa.DataType]] = {
    "text": pa.string(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
}


def arrow_schema(columns: Mapping[str, Mapping[str, Any]]) -> pa.Schema:
    """The Arrow schema of a table from its dlt column hints (timestamps: microseconds, UTC)."""
    fields = []
    for name, column in columns.items():
        data_type = column["data_type"]
        if data_type == "timestamp":
            arrow_type = pa.timestamp("us", tz="UTC" if column.get("timezone", True) else None)
        elif data_type == "decimal":
            arrow_type = pa.decimal128(column["precision"], column["scale"])
        else:
            arrow_type = _ARROW_TYPES[data_type]
        fields.append(pa.field(name, arrow_type, nullable=column.get("nullable", True)))
    return pa.schema(fields)


def with_load_id_column(columns: Mapping[str, Any]) -> dict[str, Any]:
    """Column hints plus dlt's ``_dlt_load_id`` column.

    dlt adds ``_dlt_load_id`` to rows it normalises from dicts, but not to Arrow tables unless
    configured globally; the feed adds it itself, so every raw table links its rows to
    ``_dlt_loads``.
    """
    return {**columns, LOAD_ID_COLUMN: dlt_load_id_column()}


@dataclass(frozen=True)
class RunStamp:
    """The load a run belongs to: dlt's load id and the instant it names (``ingested_at``)."""

    load_id: str | None
    at: dt.datetime

    @classmethod
    def current(cls) -> RunStamp:
        """The stamp of the load package being extracted (now, when run outside a pipeline)."""
        try:
            load_id = dlt.current.load_package_state()["load_id"]
        except CurrentLoadPackageStateNotAvailable:
            return cls(None, dt.datetime.now(dt.UTC))
        try:
            at = dt.datetime.fromtimestamp(float(load_id), tz=dt.UTC)
        except ValueError:
            at = dt.datetime.now(dt.UTC)
        return cls(load_id, at)


def first_run() -> bool:
    """True once per resource: on its first run (recorded in its dlt resource state). Sources
    use it to create their tables before the first record arrives, so dbt's sources exist."""
    state = dlt.current.resource_state()
    first = not state.get("materialized")
    state["materialized"] = True
    return first


class ArrowBatch:
    """Collects parsed records of one table and turns them into ``pyarrow.Table`` batches.

    ``columns`` are the table's contract columns: ``source_file``, ``line_number``, the record's
    fields in order, then ``ingested_at``.
    """

    def __init__(self, columns: Mapping[str, Mapping[str, Any]], run: RunStamp) -> None:
        names = list(columns)
        if names[:2] != ["source_file", "line_number"] or names[-1] != "ingested_at":
            raise ValueError(f"unexpected contract column order: {names}")
        self._schema = arrow_schema(columns)
        self._fields = operator.attrgetter(*names[2:-1])
        self._run = run
        self._rows: list[tuple[Any, ...]] = []

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, source_file: str, line_number: int, record: Any) -> None:
        """Add one parsed record found at ``source_file`` line ``line_number``."""
        self._rows.append((source_file, line_number, *self._fields(record), self._run.at))

    def flush(self) -> pa.Table:
        """The collected rows as one Arrow table (with ``_dlt_load_id`` in a load); then empty."""
        rows, self._rows = self._rows, []
        if rows:
            values = list(zip(*rows, strict=True))
        else:
            values = [() for _ in self._schema]
        arrays = [pa.array(v, type=f.type) for v, f in zip(values, self._schema, strict=True)]
        table = pa.Table.from_arrays(arrays, schema=self._schema)
        if self._run.load_id is not None:
            table = table.append_column(
                pa.field(LOAD_ID_COLUMN, pa.string(), nullable=False),
                pa.array([self._run.load_id] * len(rows), type=pa.string()),
            )
        return table


Redact = Callable[[str], str]
"""Turns the text of a line that goes to quarantine into what may be stored: phone numbers and
e-mail addresses replaced (see :mod:`ingestion.privacy`)."""


class FileParser(Protocol):
    """Parses the data lines of one file. ``header_lines``: leading lines that are not data;
    ``redact``: how a line of this file is shown in quarantine (None: as it is, or the source's
    ``redact``)."""

    header_lines: int
    redact: Redact | None

    def __call__(self, text: str) -> Any: ...


@dataclass(frozen=True)
class LineParser:
    """A :class:`FileParser` from a plain function (``header_lines`` = 0 or 1)."""

    parse: Callable[[str], Any]
    header_lines: int = 0
    redact: Redact | None = None

    def __call__(self, text: str) -> Any:
        return self.parse(text)


OpenFile = Callable[[FileSlice], FileParser]
"""Returns the parser of one file (reading its header if it has one); raises ParseError when the
file cannot be read at all (e.g. its header is not recognised)."""


REDACTION_FAILED: Final = "[line not shown: it could not be redacted]"


def _shown(raw: bytes, redact: Redact | None) -> str:
    """The line's text as kept in quarantine: decoded (bad bytes as ``\\xNN``), then redacted.
    A redaction that fails hides the whole line rather than risk keeping personal data."""
    text = raw.decode("utf-8", errors="backslashreplace")
    if redact is None:
        return text
    try:
        return redact(text)
    except Exception:  # noqa: BLE001 - a quarantine row must be written whatever the line holds
        logger.exception("redacting a quarantined line failed; the line is not shown")
        return REDACTION_FAILED


def _quarantine_row(
    source: str, source_file: str, line_number: int, raw_text: str, reason: str, run: RunStamp
) -> dict[str, Any]:
    return {
        "source": source,
        "source_file": source_file,
        "line_number": line_number,
        "raw_text": raw_text,
        "reason": reason,
        "quarantined_at": run.at,
    }


def extract_lines(
    *,
    landing_dir: Path,
    subdir: str,
    source: str,
    columns: Mapping[str, Mapping[str, Any]],
    open_file: OpenFile,
    files_state: MutableMapping[str, Any],
    run: RunStamp | None = None,
    batch_rows: int = BATCH_ROWS,
    redact: Redact | None = None,
    include: Callable[[str], bool] | None = None,
    full_exports: bool = False,
    redact_reason: Redact | None = None,
) -> Iterator[Any]:
    """Yield Arrow batches of good rows and marked quarantine lists for the new lines of a feed.

    ``files_state`` is the per-file cursor dict kept in the resource state; each file's cursor is
    committed once its lines have been yielded. ``redact``: how a quarantined line is shown when
    its file's parser has no ``redact`` of its own (e.g. a file whose header is not recognised);
    ``include``: which files of the folder belong to the feed (by name, see
    :func:`~ingestion.files.iter_new_content`); ``full_exports``: the files are complete
    exports, matched with other names' cursors only when identical (same function);
    ``redact_reason``: how a reason is shown (in quarantine and in the log), since a reason may
    quote a value (a header line that is really a data line lists its fields).
    """
    show_reason = redact_reason or (lambda reason: reason)
    run = run or RunStamp.current()
    batch = ArrowBatch(columns, run)
    quarantined: list[dict[str, Any]] = []
    for file_slice in iter_new_content(
        landing_dir, subdir, files_state, include=include, full_exports=full_exports
    ):
        relpath = file_slice.relpath
        try:
            parser: FileParser | None = open_file(file_slice)
            file_error = None
        except ParseError as exc:
            parser, file_error = None, show_reason(str(exc))
            logger.error(
                "%s: cannot read the file (%s); its lines go to quarantine", relpath, file_error
            )
        shown_as = (getattr(parser, "redact", None) if parser is not None else None) or redact
        read = loaded = blank = bad = 0
        for line in file_slice.lines():
            read += 1
            if parser is not None and line.number <= parser.header_lines:
                continue
            try:
                text = line.raw.decode("utf-8")
                if not text.strip():
                    blank += 1
                    continue
                if parser is None:
                    raise ParseError(
                        file_error
                        if line.number == 1
                        else f"the file's header (line 1) is not valid: {file_error}"
                    )
                batch.add(relpath, line.number, parser(text))
                loaded += 1
            except UnicodeDecodeError as exc:
                bad += 1
                reason = f"not valid UTF-8 (byte {exc.start}: {exc.reason})"
                quarantined.append(
                    _quarantine_row(
                        source, relpath, line.number, _shown(line.raw, shown_as), reason, run
                    )
                )
            except ParseError as exc:
                bad += 1
                quarantined.append(
                    _quarantine_row(
                        source,
                        relpath,
                        line.number,
                        _shown(line.raw, shown_as),
                        show_reason(str(exc)),
                        run,
                    )
                )
            if len(batch) >= batch_rows:
                yield batch.flush()
            if len(quarantined) >= batch_rows:
                yield dlt.mark.with_table_name(quarantined, QUARANTINE_TABLE)
                quarantined = []
        file_slice.commit()
        log = logger.warning if bad else logger.info
        log(
            "%s: read lines %d-%d (%d): %d loaded, %d blank skipped, %d quarantined",
            relpath,
            file_slice.start.lines + 1,
            file_slice.end.lines,
            read,
            loaded,
            blank,
            bad,
        )
    if len(batch):
        yield batch.flush()
    if quarantined:
        yield dlt.mark.with_table_name(quarantined, QUARANTINE_TABLE)
