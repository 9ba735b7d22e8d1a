"""Unit tests of incremental file reading (ingestion.files: cursors, growth, replacement, tails,
rotation by rename, copies, gzip files; ingestion.content: fingerprints of plain and gzip content)
and of the feed that turns new lines into Arrow batches and quarantine rows (ingestion.feed)."""

from __future__ import annotations

import datetime as dt
import gzip
import logging
import os
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from dlt.extract.items import DataItemWithMeta

from ingestion.content import ContentProbe, UnreadableContent, content_name, sha256_hex
from ingestion.feed import LineParser, RunStamp, extract_lines
from ingestion.files import FileCursor, continues, cursor_mismatch, iter_new_content
from ingestion.telephony.queue_log import parse_pipe_line
from models import QUEUE_LOG_EVENT_COLUMNS


def read_all(
    landing: Path, state: dict[str, Any], settle_seconds: float = 60.0
) -> dict[str, list[tuple[int, bytes]]]:
    """Read every new line under landing/feed, commit the cursors, return {relpath: [(n, raw)]}."""
    out: dict[str, list[tuple[int, bytes]]] = {}
    for file_slice in iter_new_content(landing, "feed", state, settle_seconds):
        out[file_slice.relpath] = [(line.number, line.raw) for line in file_slice.lines()]
        file_slice.commit()
    return out


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    (tmp_path / "feed").mkdir()
    return tmp_path


def test_new_file_then_only_appended_lines(landing: Path) -> None:
    log = landing / "feed" / "log-1"
    log.write_bytes(b"a\nb\n")
    state: dict[str, Any] = {}
    assert read_all(landing, state) == {"feed/log-1": [(1, b"a"), (2, b"b")]}
    cursor = FileCursor.from_state(state["feed/log-1"])
    assert (cursor.size, cursor.offset, cursor.lines, len(cursor.fingerprint)) == (4, 4, 2, 64)
    assert read_all(landing, state) == {}  # nothing new: the file is not even listed
    with log.open("ab") as handle:
        handle.write(b"c\n\nd\n")
    assert read_all(landing, state) == {"feed/log-1": [(3, b"c"), (4, b""), (5, b"d")]}
    assert state["feed/log-1"]["lines"] == 5


def test_crlf_and_bom_are_removed(landing: Path) -> None:
    (landing / "feed" / "x.csv").write_bytes(b"\xef\xbb\xbfh1,h2\r\n1,2\r\n")
    assert read_all(landing, {}) == {"feed/x.csv": [(1, b"h1,h2"), (2, b"1,2")]}


def test_unterminated_last_line_waits_until_completed(landing: Path) -> None:
    log = landing / "feed" / "log-1"
    log.write_bytes(b"a\nhalf a li")
    state: dict[str, Any] = {}
    assert read_all(landing, state) == {"feed/log-1": [(1, b"a")]}
    assert state["feed/log-1"]["offset"] == 2
    with log.open("ab") as handle:
        handle.write(b"ne\n")
    assert read_all(landing, state) == {"feed/log-1": [(2, b"half a line")]}


def test_unterminated_last_line_of_a_settled_file_is_read(landing: Path) -> None:
    log = landing / "feed" / "export.csv"
    log.write_bytes(b"a\nlast")
    old = time.time() - 3600
    os.utime(log, (old, old))
    state: dict[str, Any] = {}
    assert read_all(landing, state) == {"feed/export.csv": [(1, b"a"), (2, b"last")]}
    assert read_all(landing, state) == {}


def test_shrunk_file_is_read_again_from_the_start(
    landing: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = landing / "feed" / "log-1"
    log.write_bytes(b"a\nb\nc\n")
    state: dict[str, Any] = {}
    read_all(landing, state)
    log.write_bytes(b"a\n")
    with caplog.at_level(logging.WARNING, logger="ingestion.files"):
        assert read_all(landing, state) == {"feed/log-1": [(1, b"a")]}
    assert "feed/log-1 was replaced (it shrank from 6 to 2 bytes)" in caplog.text


def test_file_with_changed_first_bytes_is_read_again(
    landing: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = landing / "feed" / "log-1"
    log.write_bytes(b"a\nb\n")
    state: dict[str, Any] = {}
    read_all(landing, state)
    log.write_bytes(b"x\ny\nz\n")  # grew, but it is another file
    with caplog.at_level(logging.WARNING, logger="ingestion.files"):
        assert read_all(landing, state) == {"feed/log-1": [(1, b"x"), (2, b"y"), (3, b"z")]}
    assert "its first bytes changed" in caplog.text


def test_hidden_files_and_folders_are_skipped_and_missing_folder_is_empty(tmp_path: Path) -> None:
    assert read_all(tmp_path, {}) == {}
    (tmp_path / "feed" / "sub").mkdir(parents=True)
    (tmp_path / "feed" / ".partial").write_bytes(b"a\n")
    (tmp_path / "feed" / "b").write_bytes(b"b\n")
    (tmp_path / "feed" / "a").write_bytes(b"a\n")
    assert list(read_all(tmp_path, {})) == ["feed/a", "feed/b"]


def test_feed_yields_arrow_batches_and_marked_quarantine_rows(landing: Path) -> None:
    lines = [f"{1791788400 + i}|1.{i}|support|NONE|ENTERQUEUE||+49|1" for i in range(5)]
    lines.insert(2, "broken")
    (landing / "feed" / "log").write_text("\n".join(lines) + "\n\n")
    run = RunStamp("1791800000.5", dt.datetime(2026, 10, 12, 10, tzinfo=dt.UTC))
    state: dict[str, Any] = {}

    items = list(
        extract_lines(
            landing_dir=landing,
            subdir="feed",
            source="test.feed",
            columns=QUEUE_LOG_EVENT_COLUMNS,
            open_file=lambda _: LineParser(parse_pipe_line),
            files_state=state,
            run=run,
            batch_rows=2,
        )
    )

    tables = [i for i in items if isinstance(i, pa.Table)]
    assert [t.num_rows for t in tables] == [2, 2, 1]
    merged = pa.concat_tables(tables)
    assert merged.column("line_number").to_pylist() == [1, 2, 4, 5, 6]
    assert set(merged.column("_dlt_load_id").to_pylist()) == {"1791800000.5"}
    assert set(merged.column("ingested_at").to_pylist()) == {run.at}
    assert merged.schema.field("event_at").type == pa.timestamp("us", tz="UTC")
    (marked,) = [i for i in items if isinstance(i, DataItemWithMeta)]
    assert marked.meta.table_name == "quarantine"
    assert marked.data == [
        {
            "source": "test.feed",
            "source_file": "feed/log",
            "line_number": 3,
            "raw_text": "broken",
            "reason": "expected at least 5 '|'-separated fields (epoch|callid|queuename|agent|event), got 1",
            "quarantined_at": run.at,
        }
    ]
    assert state["feed/log"]["lines"] == 7  # the trailing blank line is consumed too


# --- content identity: fingerprints, rotation, copies, gzip ---------------------------------------


def lines_of(first: int, last: int) -> bytes:
    """Distinct queue_log-like lines ``first``..``last`` (about 50 bytes each)."""
    return b"".join(
        f"{1791788400 + i}|1791788400.{i}|support|NONE|ENTERQUEUE||+49|1\n".encode()
        for i in range(first, last + 1)
    )


def numbered(first: int, last: int, start: int = 1) -> list[tuple[int, bytes]]:
    """What read_all returns for ``lines_of(first, last)`` read from line ``start``."""
    return [(start + k, line) for k, line in enumerate(lines_of(first, last).splitlines())]


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def cursor_of(data: bytes, lines: int) -> FileCursor:
    """The cursor of a file whose ``data`` was read completely (``lines`` lines)."""
    return FileCursor(
        size=len(data),
        offset=len(data),
        lines=lines,
        fingerprint=sha256_hex(data[:1024]),
        tail=sha256_hex(data[-1024:]),
    )


def no_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_probe_sees_plain_and_gzip_files_as_the_same_content(tmp_path: Path) -> None:
    data = lines_of(1, 60)
    assert len(data) > 2048
    plain, packed = tmp_path / "log", tmp_path / "log.gz"
    plain.write_bytes(data)
    packed.write_bytes(gzipped(data))
    for probe in (ContentProbe(plain), ContentProbe(packed)):
        assert probe.size == len(data)
        assert probe.head == data[:1024]
        assert probe.head_hash(10) == sha256_hex(data[:10])
        assert probe.head_hash(5000) == sha256_hex(data[:1024])  # at most the first KiB
        assert probe.tail_hash(2000) == sha256_hex(data[976:2000])
        assert probe.tail_hash(100) == sha256_hex(data[:100])
    assert ContentProbe(plain).signature == ""
    assert ContentProbe(packed).signature.startswith(f"{packed.stat().st_size}:")
    assert (content_name(packed), content_name(Path("x.csv.gz")), content_name(plain)) == (
        "log",
        "x.csv",
        "log",
    )


def test_truncated_gzip_is_unreadable(tmp_path: Path) -> None:
    packed = tmp_path / "log.gz"
    packed.write_bytes(gzipped(lines_of(1, 60))[:-30])
    with pytest.raises(UnreadableContent, match="not a complete gzip file"):
        _ = ContentProbe(packed).size


def test_cursor_mismatch_tells_what_changed(tmp_path: Path) -> None:
    data = lines_of(1, 60)
    cursor = cursor_of(data, 60)
    log = tmp_path / "log"

    def mismatch(content: bytes) -> str | None:
        log.write_bytes(content)
        return cursor_mismatch(ContentProbe(log), cursor)

    assert mismatch(data) is None
    assert mismatch(data + lines_of(61, 62)) is None  # grown: continues
    assert mismatch(data[:-10]) == f"it shrank from {len(data)} to {len(data) - 10} bytes"
    assert mismatch(b"X" + data[1:]) == "its first bytes changed"
    rewritten = data[:2000] + data[2000:].replace(b"ENTERQUEUE", b"ABANDON|||")
    assert len(rewritten) == len(data)
    assert mismatch(rewritten) == "the bytes before line 61 changed"
    old_style = FileCursor.from_state({k: v for k, v in cursor.to_state().items() if k != "tail"})
    assert old_style is not None and old_style.tail == "" and old_style.signature == ""
    assert cursor_mismatch(ContentProbe(log), old_style) is None  # no tail known: not checked


def test_continues_compares_only_what_a_short_cursor_read(tmp_path: Path) -> None:
    log = tmp_path / "log"
    short = cursor_of(b"a\nb\n", 2)
    log.write_bytes(b"a\nb\n" + lines_of(1, 40))  # grew past 1 KiB: its first KiB is new
    assert continues(ContentProbe(log), short)
    log.write_bytes(b"a\nc\n" + lines_of(1, 40))
    assert not continues(ContentProbe(log), short)
    # a single line (a CSV header alone) does not identify a file under another name
    log.write_bytes(b"h1,h2\n1,2\n")
    assert not continues(ContentProbe(log), cursor_of(b"h1,h2\n", 1))
    assert cursor_mismatch(ContentProbe(log), cursor_of(b"h1,h2\n", 1)) is None  # its own: fine


def test_header_only_export_is_not_taken_for_a_copy(
    landing: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (landing / "feed" / "states-1.csv").write_bytes(b"h1,h2\n")
    state: dict[str, Any] = {}
    read_all(landing, state)
    (landing / "feed" / "states-2.csv").write_bytes(b"h1,h2\n1,2\n")
    with caplog.at_level(logging.WARNING, logger="ingestion.files"):
        assert read_all(landing, state) == {"feed/states-2.csv": [(1, b"h1,h2"), (2, b"1,2")]}
    assert no_warnings(caplog) == []


def test_small_file_growing_past_one_kib_is_read_in_pieces(
    landing: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = landing / "feed" / "log"
    log.write_bytes(lines_of(1, 2))
    state: dict[str, Any] = {}
    assert read_all(landing, state) == {"feed/log": numbered(1, 2)}
    with log.open("ab") as handle:
        handle.write(lines_of(3, 60))
    with caplog.at_level(logging.INFO, logger="ingestion.files"):
        assert read_all(landing, state) == {"feed/log": numbered(3, 60, start=3)}
    assert no_warnings(caplog) == []
    cursor = FileCursor.from_state(state["feed/log"])
    assert cursor is not None and cursor.fingerprint == sha256_hex(lines_of(1, 60)[:1024])


def test_renamed_file_is_not_read_again_and_its_cursor_moves(
    landing: Path, caplog: pytest.LogCaptureFixture
) -> None:
    feed = landing / "feed"
    (feed / "queue_log").write_bytes(lines_of(1, 10))
    state: dict[str, Any] = {}
    read_all(landing, state)
    (feed / "queue_log").rename(feed / "queue_log-20261012")
    with caplog.at_level(logging.INFO, logger="ingestion.files"):
        assert read_all(landing, state) == {}
    assert "feed/queue_log-20261012 is feed/queue_log renamed: continuing after line 10" in (
        caplog.text
    )
    assert no_warnings(caplog) == []
    assert list(state) == ["feed/queue_log-20261012"]
    assert state["feed/queue_log-20261012"]["lines"] == 10


def test_numbered_rotation_reads_each_line_once_with_consistent_numbers(
    landing: Path, caplog: pytest.LogCaptureFixture
) -> None:
    feed = landing / "feed"
    log = feed / "queue_log"
    log.write_bytes(lines_of(1, 10))
    state: dict[str, Any] = {}
    read_all(landing, state)
    with log.open("ab") as handle:  # written after the last run, before the rotation
        handle.write(lines_of(11, 12))
    log.rename(feed / "queue_log.1")
    log.write_bytes(lines_of(101, 102))
    with caplog.at_level(logging.INFO, logger="ingestion.files"):
        assert read_all(landing, state) == {
            "feed/queue_log.1": numbered(11, 12, start=11),
            "feed/queue_log": numbered(101, 102),
        }
    assert "feed/queue_log holds new content (its previous content was renamed)" in caplog.text
    # the next rotation shifts both files; only the new queue_log is read
    (feed / "queue_log.1").rename(feed / "queue_log.2")
    log.rename(feed / "queue_log.1")
    log.write_bytes(lines_of(201, 201))
    with caplog.at_level(logging.INFO, logger="ingestion.files"):
        assert read_all(landing, state) == {"feed/queue_log": numbered(201, 201)}
        assert read_all(landing, state) == {}
    assert no_warnings(caplog) == []
    assert {k: v["lines"] for k, v in state.items()} == {
        "feed/queue_log": 1,
        "feed/queue_log.1": 2,
        "feed/queue_log.2": 12,
    }


def test_copytruncate_rotation_reads_the_copy_tail_and_the_new_log(
    landing: Path, caplog: pytest.LogCaptureFixture
) -> None:
    feed = landing / "feed"
    log = feed / "queue_log"
    log.write_bytes(lines_of(1, 10))
    state: dict[str, Any] = {}
    read_all(landing, state)
    with log.open("ab") as handle:
        handle.write(lines_of(11, 11))
    (feed / "queue_log.1").write_bytes(log.read_bytes())  # logrotate copytruncate
    log.write_bytes(lines_of(101, 101))
    with caplog.at_level(logging.WARNING, logger="ingestion.files"):
        assert read_all(landing, state) == {
            "feed/queue_log.1": numbered(11, 11, start=11),
            "feed/queue_log": numbered(101, 101),
        }
    assert no_warnings(caplog) == []


def test_copy_under_a_second_name_is_not_read_twice(
    landing: Path, caplog: pytest.LogCaptureFixture
) -> None:
    feed = landing / "feed"
    (feed / "Master.csv").write_bytes(lines_of(1, 10))
    state: dict[str, Any] = {}
    read_all(landing, state)
    (feed / "Master (1).csv").write_bytes(lines_of(1, 10))
    with caplog.at_level(logging.WARNING, logger="ingestion.files"):
        assert read_all(landing, state) == {}
    assert (
        "feed/Master (1).csv holds the same content as feed/Master.csv (lines 1-10): a copy, "
        "not loaded again" in caplog.text
    )
    caplog.clear()
    with (feed / "Master (1).csv").open("ab") as handle:  # the copy then grows on its own
        handle.write(lines_of(11, 11))
    with caplog.at_level(logging.WARNING, logger="ingestion.files"):
        assert read_all(landing, state) == {"feed/Master (1).csv": numbered(11, 11, start=11)}
    assert no_warnings(caplog) == []


def test_copy_of_a_growing_file_is_compared_after_the_original_is_read(landing: Path) -> None:
    feed = landing / "feed"
    log = feed / "queue_log"
    log.write_bytes(lines_of(1, 10))
    state: dict[str, Any] = {}
    read_all(landing, state)
    with log.open("ab") as handle:
        handle.write(lines_of(11, 12))
    (feed / "a-copy").write_bytes(log.read_bytes())  # sorts first, but the original is read first
    assert read_all(landing, state) == {"feed/queue_log": numbered(11, 12, start=11)}


def test_same_file_delivered_twice_in_one_run_is_read_once(
    landing: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (landing / "feed" / "cdr-a.csv").write_bytes(lines_of(1, 3))
    (landing / "feed" / "cdr-b.csv").write_bytes(lines_of(1, 3))
    with caplog.at_level(logging.WARNING, logger="ingestion.files"):
        assert read_all(landing, {}) == {"feed/cdr-a.csv": numbered(1, 3)}
    assert "feed/cdr-b.csv holds the same content as feed/cdr-a.csv" in caplog.text


def test_rewritten_file_with_the_same_first_kib_is_read_again(
    landing: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = landing / "feed" / "queue_log"
    log.write_bytes(lines_of(1, 60))
    state: dict[str, Any] = {}
    read_all(landing, state)
    # same first 30 lines (> 1 KiB), longer lines after: the old offset now falls mid-line
    rewritten = lines_of(1, 30) + lines_of(31, 60).replace(b"|+49|", b"|+4930123456|")
    log.write_bytes(rewritten)
    with caplog.at_level(logging.WARNING, logger="ingestion.files"):
        got = read_all(landing, state)
    assert got == {"feed/queue_log": list(enumerate(rewritten.splitlines(), start=1))}
    assert "feed/queue_log was replaced (the bytes before line 61 changed)" in caplog.text


def test_gzip_file_is_read_whole_and_not_decompressed_again(
    landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (landing / "feed" / "export.csv.gz").write_bytes(gzipped(b"h\n1\nlast"))
    state: dict[str, Any] = {}
    # a gzip file is complete: its last line is read although the file was just written
    assert read_all(landing, state) == {"feed/export.csv.gz": [(1, b"h"), (2, b"1"), (3, b"last")]}
    assert state["feed/export.csv.gz"]["signature"]

    def no_decompression(self: ContentProbe) -> int:
        raise AssertionError(f"{self.path.name} was decompressed again")

    monkeypatch.setattr(ContentProbe, "size", property(no_decompression))
    assert read_all(landing, state) == {}


def test_gzip_of_a_file_already_read_loads_only_what_was_not_read(
    landing: Path, caplog: pytest.LogCaptureFixture
) -> None:
    feed = landing / "feed"
    (feed / "queue_log.1").write_bytes(lines_of(1, 10))
    state: dict[str, Any] = {}
    read_all(landing, state)
    # compressed beside the original first (a copy), then the original is removed (renamed)
    (feed / "queue_log.1.gz").write_bytes(gzipped(lines_of(1, 10)))
    with caplog.at_level(logging.WARNING, logger="ingestion.files"):
        assert read_all(landing, state) == {}
    assert "feed/queue_log.1.gz holds the same content as feed/queue_log.1" in caplog.text
    (feed / "queue_log.1").unlink()
    assert read_all(landing, state) == {}
    # a file that had grown before it was compressed: only its last lines are new
    (feed / "queue_log").write_bytes(lines_of(20, 25))
    read_all(landing, state)
    (feed / "queue_log").unlink()
    (feed / "queue_log-20261012.gz").write_bytes(gzipped(lines_of(20, 27)))
    assert read_all(landing, state) == {"feed/queue_log-20261012.gz": numbered(26, 27, start=7)}
    assert read_all(landing, state) == {}


def test_incomplete_gzip_is_skipped_until_it_is_complete(
    landing: Path, caplog: pytest.LogCaptureFixture
) -> None:
    packed = landing / "feed" / "queue_log.2.gz"
    complete = gzipped(lines_of(1, 60))
    packed.write_bytes(complete[: len(complete) // 2])
    state: dict[str, Any] = {}
    with caplog.at_level(logging.WARNING, logger="ingestion.files"):
        assert read_all(landing, state) == {}
    assert "feed/queue_log.2.gz: not a complete gzip file" in caplog.text
    assert state == {}
    packed.write_bytes(complete)
    assert read_all(landing, state) == {"feed/queue_log.2.gz": numbered(1, 60)}
