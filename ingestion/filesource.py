"""What the line-based file sources share (telephony, surveys, CRM, IVR): the landing folder, the
per-file cursors in resource state, tables created on the first run, the ``quarantine`` table and
its routing, and how a quarantined CSV line is shown without personal data.

Each source's ``__init__.py`` wires its resources with these helpers; reading and parsing lines is
:mod:`ingestion.feed` and :mod:`ingestion.files`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import dlt
from dlt.extract.resource import DltResource

from ingestion.feed import (
    QUARANTINE_TABLE,
    ArrowBatch,
    FileParser,
    LineParser,
    Redact,
    RunStamp,
    extract_lines,
    first_run,
    with_load_id_column,
)
from ingestion.files import FileSlice
from ingestion.parsing import HeaderLayout, ParseError, split_csv_line
from ingestion.privacy import (
    ANONYMOUS_VALUES,
    EMAIL_MARKER,
    PHONE_MARKER,
    Pseudonymizer,
    log_unreadable,
)
from models.raw import FILE_QUARANTINE_COLUMNS, FROZEN_COLUMNS_CONTRACT

__all__ = [
    "code_field",
    "csv_export_resource",
    "csv_redactor",
    "files_state",
    "header_text",
    "landing_folder",
    "materialize_arrow_table",
    "phone_field",
    "email_field",
    "quarantine",
    "route_quarantine",
    "text_field",
]


def files_state(*scope: str) -> dict[str, Any]:
    """This resource's per-file cursors (``{relative path: cursor}``) in dlt resource state;
    ``scope`` nests them (one dict per survey tool folder, so files of two folders are never taken
    for renames or copies of each other)."""
    state = dlt.current.resource_state().setdefault("files", {})
    for key in scope:
        state = state.setdefault(key, {})
    return state


def materialize_arrow_table(columns: Mapping[str, Any]) -> Iterator[Any]:
    """Create the resource's table on its first run even when there is no data yet.

    dbt's sources must exist before the first line arrives (e.g. no agent-state files yet). An empty
    Arrow table is used, not ``dlt.mark.materialize_table_schema()``: that goes through dlt's
    dict normaliser, which would add a NOT NULL ``_dlt_id`` column the Arrow batches do not have.
    """
    if first_run():
        yield ArrowBatch(columns, RunStamp.current()).flush()


def landing_folder(landing_dir: str, source: str) -> Path:
    """The landing folder, which must exist (a missing *subfolder* only means no files yet)."""
    path = Path(landing_dir)
    if not path.is_dir():
        raise FileNotFoundError(
            f"landing folder {path} does not exist (check CXPIPE_LANDING_DIR or "
            f"sources.{source}.landing_dir)"
        )
    return path


def header_text(file_slice: FileSlice) -> str:
    """The file's first line as text, for CSV forms with a header row."""
    raw = file_slice.first_line()
    try:
        return (raw or b"").decode("utf-8")
    except UnicodeDecodeError:
        raise ParseError("header row is not valid UTF-8") from None


@dlt.resource(
    name=QUARANTINE_TABLE,
    write_disposition="append",
    columns=FILE_QUARANTINE_COLUMNS,
    schema_contract=FROZEN_COLUMNS_CONTRACT,
)
def quarantine() -> Iterator[Any]:
    """Declares the ``quarantine`` table; the rows come from the source's other resources.

    Every resource of a file source sends its unreadable lines to this table with
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


def route_quarantine(resource: DltResource) -> DltResource:
    """Give ``resource`` a table variant for ``quarantine`` rows with the quarantine contract.

    Without it, rows marked ``with_table_name(..., "quarantine")`` would take the hints of the
    resource that yields them (its columns would be added to the quarantine table). The variant
    starts from a copy of the resource's hints, so its columns are cleared before they are set.
    """
    resource.apply_hints(table_name=QUARANTINE_TABLE, create_table_variant=True, columns={})
    resource.apply_hints(
        table_name=QUARANTINE_TABLE,
        create_table_variant=True,
        columns=FILE_QUARANTINE_COLUMNS,
        write_disposition="append",
        schema_contract=FROZEN_COLUMNS_CONTRACT,
    )
    return resource


def csv_export_resource(
    *,
    name: str,
    subdir: str,
    source: str,
    columns: Mapping[str, Any],
    parse_header: Callable[[str], HeaderLayout],
    parse_row: Callable[[str, HeaderLayout, Pseudonymizer], Any],
    redactor: Callable[[HeaderLayout, Pseudonymizer], Redact],
    what: str,
    description: str,
    full_exports: bool = False,
    include: Callable[[str], bool] | None = None,
    on_start: Callable[[Path], None] | None = None,
) -> DltResource:
    """A resource over the CSV exports of one landing subfolder (``<landing>/<subdir>/*``, every
    file an export with a header row): new files and lines appended to known ones, good rows to
    table ``name`` (append-only, frozen ``columns``), bad lines to ``quarantine`` (route it with
    :func:`route_quarantine`). ``parse_row(text, layout, privacy)`` types one line or raises
    :class:`ParseError`; ``redactor`` says how a quarantined line is shown; ``what`` names the
    export in the reason of a file whose header is not recognised; ``description`` is the
    resource's docstring (the asset's description in Dagster); ``full_exports`` and ``include``
    (which files of the folder the feed reads, by name): see
    :func:`ingestion.files.iter_new_content`; ``on_start(landing)`` runs before the files are read
    (e.g. to name files no feed reads).

    The resource takes ``(landing_dir, privacy)``.
    """

    def open_file_for(privacy: Pseudonymizer) -> Callable[[FileSlice], FileParser]:
        def open_export(file_slice: FileSlice) -> FileParser:
            try:
                layout = parse_header(header_text(file_slice))
            except ParseError as exc:
                raise ParseError(f"not {what} header: {exc}") from None
            return LineParser(
                lambda text: parse_row(text, layout, privacy),
                header_lines=1,
                redact=redactor(layout, privacy),
            )

        return open_export

    def rows(landing_dir: str, privacy: Pseudonymizer) -> Iterator[Any]:
        landing = landing_folder(landing_dir, source.split(".")[0])
        if on_start is not None:
            on_start(landing)
        yield from materialize_arrow_table(columns)
        yield from extract_lines(
            landing_dir=landing,
            subdir=subdir,
            source=source,
            columns=columns,
            open_file=open_file_for(privacy),
            files_state=files_state(),
            redact=text_field(privacy),
            redact_reason=text_field(privacy),
            full_exports=full_exports,
            include=include,
        )
        log_unreadable(privacy, source)

    rows.__doc__ = description
    return dlt.resource(
        rows,
        name=name,
        write_disposition="append",
        columns=with_load_id_column(columns),
        schema_contract=FROZEN_COLUMNS_CONTRACT,
    )


# --- quarantined lines without personal data ---------------------------------------------------


def _replaced(pseudonym: Callable[[str], str | None], marker: str) -> Callable[[str], str]:
    """A field's value as shown in quarantine: its pseudonym; ``anonymous`` and the like as they
    are; a value that cannot be read as the marker."""

    def show(value: str) -> str:
        if not value.strip() or value.strip().lower() in ANONYMOUS_VALUES:
            return value
        return pseudonym(value) or marker

    return show


def phone_field(privacy: Pseudonymizer) -> Callable[[str], str]:
    """A phone field of a quarantined line: its pseudonym, or ``[phone]``."""
    return _replaced(privacy.phone, PHONE_MARKER)


def email_field(privacy: Pseudonymizer) -> Callable[[str], str]:
    """An e-mail field of a quarantined line: its pseudonym, or ``[email]``."""
    return _replaced(privacy.email, EMAIL_MARKER)


def text_field(privacy: Pseudonymizer) -> Callable[[str], str]:
    """A free-text field (a comment, a name) or a whole line: addresses and numbers replaced."""
    return lambda value: privacy.scrub_text(value) or value


def code_field(privacy: Pseudonymizer) -> Callable[[str], str]:
    """Any other field (ids, codes, times): only e-mail addresses and numbers written with ``+`` /
    ``00`` replaced, so call ids and order numbers stay readable."""
    return lambda value: privacy.scrub_text(value, international_only=True) or value


def _join_csv(fields: list[str], quote_all: bool) -> str:
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, lineterminator="", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    )
    writer.writerow(fields)
    return buffer.getvalue()


def csv_redactor(
    layout: HeaderLayout,
    fields: Mapping[str, Callable[[str], str]],
    other: Callable[[str], str],
    whole_line: Callable[[str], str] | None = None,
) -> Redact:
    """How a quarantined CSV line of ``layout`` is shown: the named ``fields`` replaced by their
    function (a pseudonym, a scrubbed text), every other field passed through ``other`` (a light
    scrub that leaves ids alone). A line whose fields cannot be told apart (not valid CSV, or
    another number of fields than the header) is passed whole through ``whole_line`` (default
    ``other``)."""
    positions = {i: fields[name] for i, name in enumerate(layout.names) if name in fields}
    fallback = whole_line or other

    def redact(text: str) -> str:
        try:
            values = split_csv_line(text)
        except ParseError:
            return fallback(text)
        if len(values) != len(layout.names):
            return fallback(text)
        shown = [
            positions[i](value) if i in positions else other(value)
            for i, value in enumerate(values)
        ]
        return _join_csv(shown, quote_all=text.lstrip().startswith('"'))

    return redact
