"""Incremental reading of landing files: only new files, and only the new bytes of grown files.

Landing files are append-only logs (an Asterisk queue_log grows all day) or daily exports. Each
run reads what was added since the previous run, so re-running never loads a line twice and a
large history is not re-parsed every time.

What was read is kept per file, in the dlt resource state, as a :class:`FileCursor`
(``{"size", "offset", "lines", "fingerprint"}``). dlt stores the resource state in the same load
package as the rows, so the cursor only moves forward when the rows it covers are loaded (a run that
fails while extracting reads the same bytes again next time).

A file that shrank, or whose first bytes are no longer the ones read before, has been replaced
(rotated, rewritten, re-exported): it is read again from the start and a warning is logged. Its rows
are then loaded a second time under the same ``source_file``; staging removes exact duplicates.

Only complete lines (ending in ``\\n``) are consumed; a last line without a newline is held back
until it is completed, or until the file has not been modified for ``settle_seconds`` (an export
without a final newline), so a line being written is never split in two.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator, MutableMapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final, NamedTuple

__all__ = [
    "FINGERPRINT_BYTES",
    "FileCursor",
    "FileSlice",
    "Line",
    "fingerprint",
    "iter_new_content",
    "list_landing_files",
    "plan_slice",
]

logger = logging.getLogger(__name__)

FINGERPRINT_BYTES: Final = 1024
"""How many leading bytes identify a file (a header or the first events: unique per file)."""

READ_CHUNK_BYTES: Final = 8 * 1024 * 1024
DEFAULT_SETTLE_SECONDS: Final = 60.0
_UTF8_BOM: Final = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class FileCursor:
    """How far a file has been read.

    ``size``: file size seen at the last read; ``offset``: bytes consumed (always the end of a
    complete line); ``lines``: lines consumed (so the next line is ``lines + 1``); ``fingerprint``:
    SHA-256 of the first ``min(FINGERPRINT_BYTES, offset)`` bytes.
    """

    size: int
    offset: int
    lines: int
    fingerprint: str

    def to_state(self) -> dict[str, Any]:
        """The JSON-able form stored in dlt resource state."""
        return asdict(self)

    @classmethod
    def from_state(cls, value: MutableMapping[str, Any] | None) -> FileCursor | None:
        """Read a cursor back from resource state (None when the file was never read)."""
        if not value:
            return None
        return cls(
            size=int(value["size"]),
            offset=int(value["offset"]),
            lines=int(value["lines"]),
            fingerprint=str(value["fingerprint"]),
        )


class Line(NamedTuple):
    """One physical line: its 1-based number, its bytes without the line ending."""

    number: int
    raw: bytes


def fingerprint(path: Path, length: int) -> str:
    """SHA-256 (hex) of the first ``length`` bytes of ``path``."""
    with path.open("rb") as handle:
        return hashlib.sha256(handle.read(length)).hexdigest()


def list_landing_files(directory: Path) -> list[Path]:
    """Regular, non-hidden files directly in ``directory``, sorted by name (empty if it is missing).

    Hidden files (``.name``) are skipped: tools write partial files under such names before
    renaming them.
    """
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.is_file() and not p.name.startswith("."))


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
    ) -> None:
        self.path = path
        self.relpath = relpath
        self.start = start
        self.size = size
        self._include_tail = include_unterminated_tail
        self._state = state
        self._end: FileCursor | None = None

    @property
    def from_beginning(self) -> bool:
        """True when this slice starts at the first line of the file (the header, if any)."""
        return self.start.offset == 0

    def first_line(self) -> bytes | None:
        """The file's first line (its header for CSV forms), BOM removed; None if not complete."""
        with self.path.open("rb") as handle:
            head = handle.readline()
        if not head.endswith(b"\n"):
            return None
        return _strip_line(head, strip_bom=True)

    def lines(self) -> Iterator[Line]:
        """Yield the new lines, numbered from the cursor (which moves only on :meth:`commit`)."""
        offset = self.start.offset
        number = self.start.lines
        pending = b""
        with self.path.open("rb") as handle:
            handle.seek(offset)
            remaining = self.size - offset
            while remaining > 0:
                chunk = handle.read(min(READ_CHUNK_BYTES, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                data = pending + chunk
                parts = data.split(b"\n")
                pending = parts.pop()
                for part in parts:
                    strip_bom = offset == 0
                    offset += len(part) + 1
                    number += 1
                    yield Line(number, _strip_line(part, strip_bom=strip_bom))
        if pending and self._include_tail:
            strip_bom = offset == 0
            offset += len(pending)
            number += 1
            yield Line(number, _strip_line(pending, strip_bom=strip_bom))
        self._end = FileCursor(
            size=self.size,
            offset=offset,
            lines=number,
            fingerprint=fingerprint(self.path, min(FINGERPRINT_BYTES, offset)),
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


def _strip_line(raw: bytes, strip_bom: bool) -> bytes:
    """Remove a trailing ``\\r`` / ``\\n`` and, at the start of a file, a UTF-8 BOM."""
    if raw.endswith(b"\n"):
        raw = raw[:-1]
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    if strip_bom and raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM) :]
    return raw


_START: Final = FileCursor(size=0, offset=0, lines=0, fingerprint="")


def plan_slice(
    path: Path,
    relpath: str,
    previous: FileCursor | None,
    state: MutableMapping[str, Any],
    settle_seconds: float = DEFAULT_SETTLE_SECONDS,
    now: float | None = None,
) -> FileSlice | None:
    """Decide what to read of ``path`` given its previous cursor; None when nothing is new.

    A file that shrank or whose first bytes changed is read again from the start (with a warning).
    """
    stat = path.stat()
    size = stat.st_size
    start = previous or _START
    if previous is not None:
        replaced_why = None
        if size < previous.size:
            replaced_why = f"it shrank from {previous.size} to {size} bytes"
        elif fingerprint(path, min(FINGERPRINT_BYTES, previous.offset)) != previous.fingerprint:
            replaced_why = "its first bytes changed"
        if replaced_why:
            logger.warning(
                "%s was replaced (%s): reading it again from the start; its %d lines already "
                "loaded stay in the raw table (staging removes exact duplicates)",
                relpath,
                replaced_why,
                previous.lines,
            )
            start = _START
    if size <= start.offset:
        return None
    age = (time.time() if now is None else now) - stat.st_mtime
    include_tail = age >= settle_seconds
    if not include_tail and not _has_complete_line(path, start.offset, size):
        return None
    return FileSlice(path, relpath, start, size, include_tail, state)


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


def iter_new_content(
    landing_dir: Path,
    subdir: str,
    state: MutableMapping[str, Any],
    settle_seconds: float = DEFAULT_SETTLE_SECONDS,
) -> Iterator[FileSlice]:
    """Yield a :class:`FileSlice` for every file of ``landing_dir/subdir`` that has unread lines.

    ``state`` maps the file's path relative to ``landing_dir`` (posix form) to its cursor; it is the
    dict the caller keeps in dlt resource state. Files are visited in name order.
    """
    directory = landing_dir / subdir
    for path in list_landing_files(directory):
        relpath = path.relative_to(landing_dir).as_posix()
        previous = FileCursor.from_state(state.get(relpath))
        file_slice = plan_slice(path, relpath, previous, state, settle_seconds)
        if file_slice is not None:
            yield file_slice
