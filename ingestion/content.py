"""The content of a landing file, whether stored plain or gzip-compressed, and its fingerprints.

Log rotation compresses old files (``queue_log-20261012.gz``). The pipeline reads such files
transparently, and identifies every file by its *content* (the decompressed bytes), not by its name
or its storage: ``queue_log.1`` and, later, ``queue_log.1.gz`` holding the same lines are the same
content, read once.

A :class:`ContentProbe` answers the questions asked to recognise a file cheaply: its first bytes,
its content size, and the hash of the bytes just before a given position. Plain files are read with
``seek``; a gzip file is decompressed as far as needed (its size needs one full pass, done once per
probe), and has a cheap on-disk :attr:`~ContentProbe.signature` so that a compressed file already
read is not decompressed again on every run.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from functools import cached_property
from pathlib import Path
from typing import BinaryIO, Final

__all__ = [
    "FINGERPRINT_BYTES",
    "GZIP_SUFFIX",
    "TAIL_BYTES",
    "ContentProbe",
    "UnreadableContent",
    "content_name",
    "is_compressed",
    "open_content",
    "sha256_hex",
]

FINGERPRINT_BYTES: Final = 1024
"""How many leading bytes identify a file (a header or the first events: unique per file)."""

TAIL_BYTES: Final = 1024
"""How many bytes before a read position are hashed to check that they were not rewritten."""

GZIP_SUFFIX: Final = ".gz"
_GZIP_TRAILER_BYTES: Final = 8
_PASS_BYTES: Final = 1024 * 1024


class UnreadableContent(OSError):
    """A file whose content cannot be read (a truncated or corrupt gzip file, e.g. one being
    written by logrotate while the pipeline lists the folder)."""


def is_compressed(path: Path) -> bool:
    """True for gzip files (name ending in ``.gz``, any case)."""
    return path.name.lower().endswith(GZIP_SUFFIX)


def content_name(path: Path) -> str:
    """The file name without a compression suffix (``x.csv.gz`` -> ``x.csv``), which tells the
    content's form (e.g. a ``.csv`` queue_log is the table form)."""
    return path.name[: -len(GZIP_SUFFIX)] if is_compressed(path) else path.name


def open_content(path: Path) -> BinaryIO:
    """Open ``path`` for reading its content: decompressed for gzip files, raw bytes otherwise.

    Gzip handles support forward ``seek`` (by decompressing), which is all the reader needs.
    """
    if is_compressed(path):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def sha256_hex(data: bytes) -> str:
    """SHA-256 of ``data`` as hex (the form stored in cursors)."""
    return hashlib.sha256(data).hexdigest()


class ContentProbe:
    """Lazy, cached facts about one file's content, for deciding what of it was already read.

    Every answer is computed on first use and kept: a probe describes the file as it was when first
    asked, for one run. Errors reading a gzip file are raised as :class:`UnreadableContent`.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.compressed = is_compressed(path)
        self._disk_size = path.stat().st_size
        self._head_hashes: dict[int, str] = {}

    @cached_property
    def signature(self) -> str:
        """A cheap identity of a gzip file as stored: its size and gzip trailer (CRC-32 and length
        of the uncompressed data). Empty for plain files, which may grow and so are checked by
        content."""
        if not self.compressed:
            return ""
        with self.path.open("rb") as handle:
            handle.seek(max(0, self._disk_size - _GZIP_TRAILER_BYTES))
            trailer = handle.read(_GZIP_TRAILER_BYTES)
        return f"{self._disk_size}:{trailer.hex()}"

    @cached_property
    def head(self) -> bytes:
        """The first :data:`FINGERPRINT_BYTES` bytes of the content (fewer if it is shorter)."""
        return self._read(0, FINGERPRINT_BYTES)

    @cached_property
    def size(self) -> int:
        """Content size in bytes (for gzip: decompressed, which takes one pass over the file)."""
        if not self.compressed:
            return self._disk_size
        total = 0
        try:
            with open_content(self.path) as handle:
                while chunk := handle.read(_PASS_BYTES):
                    total += len(chunk)
        except (OSError, EOFError, zlib.error) as exc:
            raise UnreadableContent(f"not a complete gzip file ({exc})") from exc
        return total

    def head_hash(self, length: int) -> str:
        """SHA-256 of the first ``min(length, FINGERPRINT_BYTES)`` content bytes."""
        length = min(length, FINGERPRINT_BYTES)
        if length not in self._head_hashes:
            self._head_hashes[length] = sha256_hex(self.head[:length])
        return self._head_hashes[length]

    def tail_hash(self, end: int) -> str:
        """SHA-256 of the :data:`TAIL_BYTES` content bytes before position ``end`` (fewer near the
        start): what a cursor ending at ``end`` remembers of the last lines it consumed."""
        start = max(0, end - TAIL_BYTES)
        return sha256_hex(self._read(start, end - start))

    def _read(self, offset: int, length: int) -> bytes:
        """``length`` content bytes from ``offset`` (fewer at the end of the content)."""
        try:
            with open_content(self.path) as handle:
                handle.seek(offset)
                return handle.read(length)
        except (OSError, EOFError, zlib.error) as exc:
            raise UnreadableContent(f"not a complete gzip file ({exc})") from exc
