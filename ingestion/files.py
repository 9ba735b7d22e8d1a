"""Incremental reading of landing files: only new content, however the files are named.

Landing files are append-only logs (an Asterisk queue_log grows all day) or daily exports, and log
rotation renames them (``queue_log`` -> ``queue_log.1``, or ``queue_log-20261012`` with logrotate's
``dateext``) and compresses them (``queue_log.2.gz``). Each run reads what was added since the
previous run, so re-running never loads a line twice and a large history is not re-parsed.

What was read is kept in the dlt resource state as one :class:`FileCursor` per file name
(``{"size", "offset", "lines", "fingerprint", "tail", "signature"}``). dlt stores the resource
state in the same load package as the rows, so a cursor only moves forward when the rows it covers
are loaded (a run that fails while extracting reads the same bytes again next time).

A cursor identifies *content*, not a name: the SHA-256 of the first ``min(offset, 1 KiB)`` bytes
(``fingerprint``) and of the 1 KiB just before ``offset`` (``tail``), over the decompressed bytes
for ``.gz`` files. A file *continues* a cursor when it is at least as large as it was and both
hashes still match, i.e. it holds what was read, possibly followed by more. So, per run:

1. A file that continues the cursor under its own name is read after it (the common case).
2. Otherwise, a file that continues another name's cursor is that content under a new name:
   renamed (the old name is gone or holds other content, e.g. rotation) it takes the cursor over;
   a copy (the other file still holds that content, e.g. a file delivered twice) is not loaded again
   and a warning names both files. Either way only what follows the cursor is read, numbered on from
   its line count; rows keep the ``source_file`` under which they were read.
3. Otherwise the file is read from line 1. If its own name had a cursor that no other file took
   over, the file was replaced (it shrank, its first bytes or the bytes before the cursor changed):
   a warning says so, and its earlier rows stay in the raw table (staging removes exact duplicates).

Only complete lines (ending in ``\\n``) are consumed; a last line without a newline is held back
until it is completed, or until the file has not been modified for ``settle_seconds`` (an export
without a final newline), so a line being written is never split in two. A ``.gz`` file is complete
by nature: it is read to its end at once, and is not decompressed again while its on-disk signature
(size and gzip trailer) is unchanged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Final, NamedTuple

from ingestion.content import (
    FINGERPRINT_BYTES,
    TAIL_BYTES,
    ContentProbe,
    UnreadableContent,
    content_name,
    open_content,
    sha256_hex,
)

__all__ = [
    "FINGERPRINT_BYTES",
    "FileCursor",
    "FileSlice",
    "Line",
    "continues",
    "cursor_mismatch",
    "fingerprint",
    "iter_new_content",
    "list_landing_files",
    "plan_slice",
]

logger = logging.getLogger(__name__)

READ_CHUNK_BYTES: Final = 8 * 1024 * 1024
DEFAULT_SETTLE_SECONDS: Final = 60.0
MIN_MATCH_LINES: Final = 2
"""Lines a cursor must have consumed to be recognised under another file name (see
:func:`continues`)."""
_UTF8_BOM: Final = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class FileCursor:
    """How far a file's content has been read, and what that content was.

    ``size``: content size seen at the last read; ``offset``: bytes consumed (the end of a complete
    line, or of the content); ``lines``: lines consumed (so the next line is ``lines + 1``);
    ``fingerprint``: SHA-256 of the first ``min(FINGERPRINT_BYTES, offset)`` bytes; ``tail``:
    SHA-256 of the ``TAIL_BYTES`` bytes before ``offset`` (empty in cursors written before it
    existed: not checked); ``signature``: for a ``.gz`` file, its on-disk signature (see
    :attr:`ContentProbe.signature`), else empty.
    """

    size: int
    offset: int
    lines: int
    fingerprint: str
    tail: str = ""
    signature: str = ""

    def to_state(self) -> dict[str, Any]:
        """The JSON-able form stored in dlt resource state."""
        return asdict(self)

    @classmethod
    def from_state(cls, value: Mapping[str, Any] | None) -> FileCursor | None:
        """Read a cursor back from resource state (None when the file was never read)."""
        if not value:
            return None
        return cls(
            size=int(value["size"]),
            offset=int(value["offset"]),
            lines=int(value["lines"]),
            fingerprint=str(value["fingerprint"]),
            tail=str(value.get("tail", "")),
            signature=str(value.get("signature", "")),
        )


_START: Final = FileCursor(size=0, offset=0, lines=0, fingerprint="")


class Line(NamedTuple):
    """One physical line: its 1-based number, its bytes without the line ending."""

    number: int
    raw: bytes


def fingerprint(path: Path, length: int) -> str:
    """SHA-256 (hex) of the first ``length`` content bytes of ``path`` (decompressed for ``.gz``)."""
    with open_content(path) as handle:
        return sha256_hex(handle.read(length))


def list_landing_files(directory: Path) -> list[Path]:
    """Regular, non-hidden files directly in ``directory``, sorted by name (empty if it is missing).

    Hidden files (``.name``) are skipped: tools write partial files under such names before
    renaming them.
    """
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.is_file() and not p.name.startswith("."))


def cursor_mismatch(probe: ContentProbe, cursor: FileCursor) -> str | None:
    """Why the probed file does not hold the content ``cursor`` read; None when it does (possibly
    followed by more).

    Checked in order: a gzip file with the cursor's on-disk signature is that content (no need to
    decompress it); a file smaller than at the last read, whose first bytes differ, or whose bytes
    before the cursor differ (a rewrite that kept the first KiB), is other content.
    """
    if probe.compressed and cursor.signature and cursor.signature == probe.signature:
        return None
    if probe.size < cursor.size:
        return f"it shrank from {cursor.size} to {probe.size} bytes"
    if probe.head_hash(cursor.offset) != cursor.fingerprint:
        return "its first bytes changed"
    if cursor.tail and probe.tail_hash(cursor.offset) != cursor.tail:
        return f"the bytes before line {cursor.lines + 1} changed"
    return None


def continues(probe: ContentProbe, cursor: FileCursor, exact: bool = False) -> bool:
    """True when the probed file holds the content ``cursor`` read (for matching any name).

    ``exact``: only when it holds exactly that content, nothing more (for full exports, where a
    longer file that starts like an earlier export is a new export, not that export grown).

    A cursor that consumed fewer than :data:`MIN_MATCH_LINES` lines identifies nothing: a CSV
    export holding only its header line looks like every other export of that feed (re-reading
    such a line loads no row). The first-bytes hash is compared before the rest: it is cheap, and
    rules out almost every other file before a gzip file would be decompressed to learn its size.
    """
    if cursor.lines < MIN_MATCH_LINES or probe.head_hash(cursor.offset) != cursor.fingerprint:
        return False
    if cursor_mismatch(probe, cursor) is not None:
        return False
    return not exact or probe.size == cursor.offset


class FileSlice:
    """The part of one file not read yet, with the means to read it and record that it was read.

    Iterate :meth:`lines` to get the new complete lines; once their rows are handed to dlt, call
    :meth:`commit` to store the new cursor in the resource state.
    """

    def __init__(
        self,
        path: Path,
        relpath: str,
        start: FileCursor,
        size: int,
        include_unterminated_tail: bool,
        state: MutableMapping[str, Any],
        signature: str = "",
    ) -> None:
        self.path = path
        self.relpath = relpath
        self.start = start
        self.size = size
        self._include_tail = include_unterminated_tail
        self._state = state
        self._signature = signature
        self._end: FileCursor | None = None

    @property
    def from_beginning(self) -> bool:
        """True when this slice starts at the first line of the file (the header, if any)."""
        return self.start.offset == 0

    @property
    def content_name(self) -> str:
        """The file name without a ``.gz`` suffix: what tells the content's form (``x.csv.gz``
        is a CSV file)."""
        return content_name(self.path)

    def first_line(self) -> bytes | None:
        """The file's first line (its header for CSV forms), BOM removed; None if not complete."""
        with open_content(self.path) as handle:
            head = handle.readline()
        if not head.endswith(b"\n"):
            return None
        return _strip_line(head, strip_bom=True)

    def lines(self) -> Iterator[Line]:
        """Yield the new lines, numbered from the cursor (which moves only on :meth:`commit`).

        The last ``TAIL_BYTES`` bytes consumed are kept, to hash them into the end cursor's
        ``tail``.
        """
        offset = self.start.offset
        number = self.start.lines
        pending = b""
        with open_content(self.path) as handle:
            before = max(0, offset - TAIL_BYTES)
            handle.seek(before)
            window = handle.read(offset - before)
            remaining = self.size - offset
            while remaining > 0:
                chunk = handle.read(min(READ_CHUNK_BYTES, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                data = pending + chunk
                parts = data.split(b"\n")
                pending = parts.pop()
                window = _last_bytes(window, data[: len(data) - len(pending)])
                for part in parts:
                    strip_bom = offset == 0
                    offset += len(part) + 1
                    number += 1
                    yield Line(number, _strip_line(part, strip_bom=strip_bom))
        if pending and self._include_tail:
            strip_bom = offset == 0
            offset += len(pending)
            number += 1
            window = _last_bytes(window, pending)
            yield Line(number, _strip_line(pending, strip_bom=strip_bom))
        self._end = FileCursor(
            size=self.size,
            offset=offset,
            lines=number,
            fingerprint=fingerprint(self.path, min(FINGERPRINT_BYTES, offset)),
            tail=sha256_hex(window),
            signature=self._signature,
        )

    @property
    def end(self) -> FileCursor:
        """The cursor after the last line yielded by :meth:`lines` (which must have finished)."""
        if self._end is None:
            raise RuntimeError(f"{self.relpath}: lines() was not read to the end")
        return self._end

    def commit(self) -> None:
        """Record in the resource state that the file was read up to :attr:`end`."""
        self._state[self.relpath] = self.end.to_state()


def _last_bytes(window: bytes, consumed: bytes) -> bytes:
    """The last ``TAIL_BYTES`` of ``window + consumed``, without copying a large ``consumed``."""
    if len(consumed) >= TAIL_BYTES:
        return consumed[-TAIL_BYTES:]
    return (window + consumed)[-TAIL_BYTES:]


def _strip_line(raw: bytes, strip_bom: bool) -> bytes:
    """Remove a trailing ``\\r`` / ``\\n`` and, at the start of a file, a UTF-8 BOM."""
    if raw.endswith(b"\n"):
        raw = raw[:-1]
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    if strip_bom and raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM) :]
    return raw


def plan_slice(
    probe: ContentProbe,
    relpath: str,
    start: FileCursor,
    state: MutableMapping[str, Any],
    settle_seconds: float = DEFAULT_SETTLE_SECONDS,
    now: float | None = None,
) -> FileSlice | None:
    """What is left to read of the probed file after ``start`` (a cursor it continues, or the
    start of the file); None when nothing is new.

    A gzip file is complete: it is read to its end, last line with or without a newline. A plain
    file's unterminated last line is included only once the file has settled.
    """
    if probe.compressed:
        if start.signature == probe.signature or probe.size <= start.offset:
            return None
        return FileSlice(probe.path, relpath, start, probe.size, True, state, probe.signature)
    stat = probe.path.stat()
    size = stat.st_size
    if size <= start.offset:
        return None
    include_tail = (time.time() if now is None else now) - stat.st_mtime >= settle_seconds
    if not include_tail and not _has_complete_line(probe.path, start.offset, size):
        return None
    return FileSlice(probe.path, relpath, start, size, include_tail, state)


def _has_complete_line(path: Path, offset: int, size: int) -> bool:
    """True when the bytes after ``offset`` contain a newline (a complete line to read)."""
    with path.open("rb") as handle:
        handle.seek(offset)
        remaining = size - offset
        while remaining > 0:
            chunk = handle.read(min(1024 * 1024, remaining))
            if not chunk:
                return False
            if b"\n" in chunk:
                return True
            remaining -= len(chunk)
    return False


@dataclass(frozen=True)
class _Known:
    """A cursor that a file may continue: under which name, and whether that name's file still
    holds this content in this run (then a second file holding it is a copy)."""

    name: str
    cursor: FileCursor
    held: bool


class _Survey:
    """Which cursor each file of a folder continues, as the state stood when the run began.

    ``own``: files that continue the cursor under their own name; ``others``: every other file,
    with the other names whose cursor it continues (often none); ``replaced``: why a file no longer
    fits its own cursor; ``taken_over``: names whose cursor another file continues (their content
    moved, or was copied). Files whose content cannot be read are left out (with a warning).
    """

    def __init__(
        self,
        probes: Mapping[str, ContentProbe],
        known: Mapping[str, FileCursor],
        exact: bool = False,
    ) -> None:
        self.exact = exact
        self.own: list[str] = []
        self.others: dict[str, list[str]] = {}
        self.replaced: dict[str, str] = {}
        for relpath, probe in probes.items():
            try:
                self._survey(relpath, probe, known)
            except UnreadableContent as exc:
                logger.warning("%s: %s; skipped, tried again next run", relpath, exc)
        self.taken_over = {name for names in self.others.values() for name in names}

    def _survey(self, relpath: str, probe: ContentProbe, known: Mapping[str, FileCursor]) -> None:
        own = known.get(relpath)
        why = cursor_mismatch(probe, own) if own is not None else None
        if own is not None and why is None:
            self.own.append(relpath)
            return
        if why is not None:
            self.replaced[relpath] = why
        self.others[relpath] = [
            name
            for name, cursor in known.items()
            if name != relpath and continues(probe, cursor, self.exact)
        ]


def iter_new_content(
    landing_dir: Path,
    subdir: str,
    state: MutableMapping[str, Any],
    settle_seconds: float = DEFAULT_SETTLE_SECONDS,
    include: Callable[[str], bool] | None = None,
    full_exports: bool = False,
) -> Iterator[FileSlice]:
    """Yield a :class:`FileSlice` for every file of ``landing_dir/subdir`` that has unread lines.

    ``state`` maps a file's path relative to ``landing_dir`` (posix form) to its cursor; it is the
    dict the caller keeps in dlt resource state, and it is updated here when a cursor moves to a
    file's new name. Files that continue their own cursor are read first, then the others, each in
    name order: a copy is then compared with what its original holds after this run's read, and a
    file read earlier in the run is known to the files after it (the same file delivered twice in
    one run is read once). ``include``: which files of the folder belong to this feed, by their
    content name (:func:`~ingestion.content.content_name`, e.g. ``customers-20261012.csv`` for
    ``customers-20261012.csv.gz``); all of them when None. ``full_exports``: the files are
    complete exports (a CRM's customers each day), so a file matches another name's cursor only
    when it holds exactly what that cursor read (a copy, or the file renamed or compressed); a
    file that starts like an earlier export and goes on is a new export, read from line 1.
    """
    probes = {
        path.relative_to(landing_dir).as_posix(): ContentProbe(path)
        for path in list_landing_files(landing_dir / subdir)
        if include is None or include(content_name(path))
    }
    known = {name: c for name, value in state.items() if (c := FileCursor.from_state(value))}
    survey = _Survey(probes, known, exact=full_exports)
    read_here: list[str] = []
    for relpath in [*survey.own, *survey.others]:
        probe = probes[relpath]
        try:
            if relpath in survey.others:
                start = _start_of_other(relpath, probes, known, survey, read_here, state)
            else:
                start = known[relpath]
            file_slice = plan_slice(probe, relpath, start, state, settle_seconds)
        except UnreadableContent as exc:
            logger.warning("%s: %s; skipped, tried again next run", relpath, exc)
            continue
        if file_slice is not None:
            read_here.append(relpath)
            yield file_slice  # the caller reads it and commits its end cursor
        elif start.offset > 0:
            state[relpath] = replace(start, signature=probe.signature).to_state()
            read_here.append(relpath)


def _start_of_other(
    relpath: str,
    probes: Mapping[str, ContentProbe],
    known: Mapping[str, FileCursor],
    survey: _Survey,
    read_here: list[str],
    state: MutableMapping[str, Any],
) -> FileCursor:
    """Where to start reading a file that does not continue its own cursor (see module doc).

    The candidates are the cursors of other names it continued when the run began, and the cursors
    of files read earlier in this run; the one that covers most content wins.
    """
    probe = probes[relpath]
    candidates = [_Known(name, known[name], name in survey.own) for name in survey.others[relpath]]
    for name in read_here:
        cursor = FileCursor.from_state(state.get(name))
        if name != relpath and cursor is not None and continues(probe, cursor, survey.exact):
            candidates.append(_Known(name, cursor, True))
    if candidates:
        best = max(candidates, key=lambda k: (k.cursor.offset, k.held))
        _take_over(relpath, best, probes, survey, state)
        return best.cursor
    if relpath in survey.taken_over:
        logger.info("%s holds new content (its previous content was renamed)", relpath)
    elif relpath in survey.replaced:
        logger.warning(
            "%s was replaced (%s): reading it again from the start; its %d lines already "
            "loaded stay in the raw table (staging removes exact duplicates)",
            relpath,
            survey.replaced[relpath],
            known[relpath].lines,
        )
    return _START


def _take_over(
    relpath: str,
    source: _Known,
    probes: Mapping[str, ContentProbe],
    survey: _Survey,
    state: MutableMapping[str, Any],
) -> None:
    """Log how ``relpath`` relates to the content it continues; a renamed file's old name loses the
    cursor (its file is gone, or holds other content that is read as a new file)."""
    lines = source.cursor.lines
    if source.held:
        logger.warning(
            "%s holds the same content as %s (lines 1-%d): a copy, not loaded again; only lines "
            "after %d are read from it",
            relpath,
            source.name,
            lines,
            lines,
        )
        return
    logger.info("%s is %s renamed: continuing after line %d", relpath, source.name, lines)
    still_there = source.name in probes and source.name not in survey.others
    if not still_there and FileCursor.from_state(state.get(source.name)) == source.cursor:
        del state[source.name]
