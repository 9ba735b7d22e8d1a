"""Unit tests of incremental file reading (ingestion.files: cursors, growth, replacement, tails)
and of the feed that turns new lines into Arrow batches and quarantine rows (ingestion.feed)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from dlt.extract.items import DataItemWithMeta

from ingestion.feed import LineParser, RunStamp, extract_lines
from ingestion.files import FileCursor, iter_new_content
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
