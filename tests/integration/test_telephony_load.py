"""Offline dlt loads of the telephony source into a temporary DuckDB file, from small fixtures.

Fixture landing folder (tests/fixtures/telephony/landing/telephony/):
- queue_log/queue_log-20261012: 10 lines: 8 events, 1 blank line, 1 malformed line (line 8)
- queue_log/vendor-export-20261012.csv: table form, header + 3 events (epoch and ISO times)
- cdr/Master-20261012.csv: 4 rows, the third with a non-integer duration
- agent_states/agent_states-20261012.csv: header + 6 rows, line 5 with an unknown state

Rotation tests rename, copy and gzip these files inside the private copy of the landing folder.
"""

from __future__ import annotations

import datetime as dt
import gzip
import logging
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dlt
import pytest
from dlt.common.pipeline import LoadInfo
from dlt.pipeline.exceptions import PipelineStepFailed

import ingestion.telephony
from ingestion.pipelines import make_pipeline
from ingestion.privacy import pseudonymize
from ingestion.telephony import telephony
from models import (
    AGENT_STATE_EVENT_COLUMNS,
    CDR_RECORD_COLUMNS,
    FROZEN_COLUMNS_CONTRACT,
    QUARANTINE_COLUMNS,
    QUEUE_LOG_EVENT_COLUMNS,
)
from tests.conftest import TEST_PSEUDONYM_KEY

FIXTURE_LANDING = Path(__file__).parents[1] / "fixtures" / "telephony" / "landing"
QUEUE_LOG_FILE = "telephony/queue_log/queue_log-20261012"
UTC = dt.UTC

EXPECTED_COUNTS = {
    "queue_log_events": 8 + 3,
    "cdr_records": 3,
    "agent_state_events": 5,
    "quarantine": 3,
}
DUCKDB_TYPES = {
    "text": "VARCHAR",
    "bigint": "BIGINT",
    "double": "DOUBLE",
    "timestamp": "TIMESTAMP WITH TIME ZONE",
}


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
    monkeypatch.delenv("CXPIPE_CDR_COLUMNS", raising=False)
    monkeypatch.delenv("CXPIPE_CDR_TIMEZONE", raising=False)


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    """A private copy of the fixture landing folder (tests append to its files)."""
    target = tmp_path / "landing"
    shutil.copytree(FIXTURE_LANDING, target)
    return target


@pytest.fixture
def load(tmp_path: Path) -> Callable[..., LoadInfo]:
    """Run the telephony source into tmp_path/warehouse.duckdb, as a fresh process would."""

    def run(landing_dir: Path, **source_args: Any) -> LoadInfo:
        pipeline = make_pipeline(
            tmp_path / "warehouse.duckdb", tmp_path / "pipelines", progress=None
        )
        return pipeline.run(telephony(landing_dir=str(landing_dir), **source_args))

    return run


def counts(sql: Callable[[str], list[tuple[Any, ...]]]) -> dict[str, int]:
    return {t: sql(f"select count(*) from raw_telephony.{t}")[0][0] for t in EXPECTED_COUNTS}


def snapshot(sql: Callable[[str], list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    return {t: sorted(sql(f"select * from raw_telephony.{t}"), key=repr) for t in EXPECTED_COUNTS}


def describe(sql: Callable[[str], list[tuple[Any, ...]]], table: str) -> dict[str, tuple[str, str]]:
    """{column: (type, null)} in table order."""
    return {r[0]: (r[1], r[2]) for r in sql(f"describe raw_telephony.{table}")}


def test_first_load_creates_typed_tables(
    landing: Path, load: Callable[..., LoadInfo], sql: Any
) -> None:
    info = load(landing)
    assert counts(sql) == EXPECTED_COUNTS

    for table, contract, system in [
        ("queue_log_events", QUEUE_LOG_EVENT_COLUMNS, ["_dlt_load_id"]),
        ("cdr_records", CDR_RECORD_COLUMNS, ["_dlt_load_id"]),
        ("agent_state_events", AGENT_STATE_EVENT_COLUMNS, ["_dlt_load_id"]),
        ("quarantine", QUARANTINE_COLUMNS, ["_dlt_load_id", "_dlt_id"]),
    ]:
        columns = describe(sql, table)
        assert list(columns) == [*contract, *system], table
        for name, hint in contract.items():
            expected = (DUCKDB_TYPES[hint["data_type"]], "YES" if hint["nullable"] else "NO")
            assert columns[name] == expected, f"{table}.{name}"

    load_id = info.loads_ids[0]
    ingested = {
        row
        for t in ("queue_log_events", "cdr_records", "agent_state_events")
        for row in sql(f"select distinct ingested_at, _dlt_load_id from raw_telephony.{t}")
    }
    assert ingested == {(dt.datetime.fromtimestamp(float(load_id), UTC), load_id)}


def test_rows_hold_the_parsed_values(
    landing: Path, load: Callable[..., LoadInfo], sql: Any
) -> None:
    load(landing)
    connect = sql(
        "select event_epoch, event_at, callid, queue_name, agent, event, data1, data2, data3, data4"
        f" from raw_telephony.queue_log_events where source_file = '{QUEUE_LOG_FILE}' and line_number = 4"
    )
    assert connect == [
        (1791788415.5, dt.datetime(2026, 10, 12, 7, 0, 15, 500000, tzinfo=UTC), "1791788412.1",
         "support", "PJSIP/1001", "CONNECT", "3", "1791788415.2", "2", None)
    ]  # fmt: skip
    assert sql(
        "select event, data1 from raw_telephony.queue_log_events where line_number = 10"
    ) == [("CLOSED", None)]
    vendor = sql(
        "select line_number, event_epoch, event from raw_telephony.queue_log_events"
        " where source_file like '%vendor-export-20261012.csv' order by line_number"
    )
    assert vendor == [
        (2, 1791789000.0, "ENTERQUEUE"),
        (3, 1791789005.0, "CONNECT"),
        (4, 1791789300.0, "COMPLETEAGENT"),
    ]
    cdr = sql(
        "select uniqueid, start_at, answer_at, billsec_seconds from raw_telephony.cdr_records order by line_number"
    )
    assert cdr[1] == ("1791788700.3", dt.datetime(2026, 10, 12, 7, 5, tzinfo=UTC), None, 0)
    assert [row[0] for row in cdr] == ["1791788412.1", "1791788700.3", "1791789000.5"]
    states = sql(
        "select line_number, state, started_at, reason from raw_telephony.agent_state_events order by line_number"
    )
    assert [r[0] for r in states] == [2, 3, 4, 6, 7]
    assert states[-1] == (7, "BREAK", dt.datetime(2026, 10, 12, 7, 0, tzinfo=UTC), "lunch")


def test_second_run_changes_nothing(landing: Path, load: Callable[..., LoadInfo], sql: Any) -> None:
    load(landing)
    before = snapshot(sql)
    loads_before = sql("select load_id from raw_telephony._dlt_loads")

    second = load(landing)

    assert second.loads_ids == []
    assert snapshot(sql) == before
    assert sql("select load_id from raw_telephony._dlt_loads") == loads_before
    for table in EXPECTED_COUNTS:
        duplicates = sql(
            f"select source_file, line_number from raw_telephony.{table}"
            " group by all having count(*) > 1"
        )
        assert duplicates == [], table


def test_appended_lines_load_alone(landing: Path, load: Callable[..., LoadInfo], sql: Any) -> None:
    first = load(landing)
    with (landing / QUEUE_LOG_FILE).open("a", encoding="utf-8") as log:
        log.write("1791788900|1791788900.6|support|NONE|ENTERQUEUE||+4930111111|1\n")
        log.write("1791788920|1791788900.6|support|NONE|ABANDON|1|1|20\n")

    second = load(landing)

    after = counts(sql)
    assert after == {**EXPECTED_COUNTS, "queue_log_events": EXPECTED_COUNTS["queue_log_events"] + 2}
    new_rows = sql(
        "select line_number, event from raw_telephony.queue_log_events"
        f" where _dlt_load_id = '{second.loads_ids[0]}' order by line_number"
    )
    assert new_rows == [(11, "ENTERQUEUE"), (12, "ABANDON")]
    old_load = sql(
        f"select count(*) from raw_telephony.queue_log_events where _dlt_load_id = '{first.loads_ids[0]}'"
    )
    assert old_load == [(EXPECTED_COUNTS["queue_log_events"],)]


def test_malformed_line_is_quarantined_and_good_lines_load(
    landing: Path, load: Callable[..., LoadInfo], sql: Any
) -> None:
    load(landing)
    rows = sql(
        "select source, source_file, line_number, raw_text, reason from raw_telephony.quarantine"
        f" where source_file = '{QUEUE_LOG_FILE}'"
    )
    assert len(rows) == 1
    source, source_file, line_number, raw_text, reason = rows[0]
    assert (source, source_file, line_number, raw_text) == (
        "telephony.queue_log",
        QUEUE_LOG_FILE,
        8,
        "this line is not a queue_log event",
    )
    assert "expected at least 5 '|'-separated fields" in reason
    loaded = sql(
        "select line_number from raw_telephony.queue_log_events"
        f" where source_file = '{QUEUE_LOG_FILE}' order by line_number"
    )
    assert [r[0] for r in loaded] == [1, 2, 3, 4, 6, 7, 9, 10]  # 5 is blank, 8 is quarantined


def test_quarantine_table_receives_rows_from_every_resource(
    landing: Path, load: Callable[..., LoadInfo], sql: Any
) -> None:
    load(landing)
    rows = sql(
        "select source, source_file, line_number, reason from raw_telephony.quarantine order by source"
    )
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("telephony.agent_states", "telephony/agent_states/agent_states-20261012.csv", 5),
        ("telephony.cdr", "telephony/cdr/Master-20261012.csv", 3),
        ("telephony.queue_log", QUEUE_LOG_FILE, 8),
    ]
    assert "state 'DANCING' is not one of" in rows[0][3]
    assert "duration 'abc' is not an integer" in rows[1][3]
    assert list(describe(sql, "quarantine")) == [*QUARANTINE_COLUMNS, "_dlt_load_id", "_dlt_id"]


def test_empty_landing_still_creates_every_table(
    tmp_path: Path, load: Callable[..., LoadInfo], sql: Any
) -> None:
    empty = tmp_path / "empty_landing"
    empty.mkdir()
    load(empty)
    assert counts(sql) == dict.fromkeys(EXPECTED_COUNTS, 0)
    assert list(describe(sql, "agent_state_events")) == [*AGENT_STATE_EVENT_COLUMNS, "_dlt_load_id"]
    # the first real rows then load into the materialised tables
    shutil.copytree(FIXTURE_LANDING, empty, dirs_exist_ok=True)
    load(empty)
    assert counts(sql) == EXPECTED_COUNTS


def test_failed_run_is_read_again(
    landing: Path, load: Callable[..., LoadInfo], sql: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_parse = ingestion.telephony.parse_pipe_line

    def crash_on_abandon(text: str) -> Any:
        if "ABANDON" in text:
            raise RuntimeError("simulated crash while extracting")
        return real_parse(text)

    monkeypatch.setattr(ingestion.telephony, "parse_pipe_line", crash_on_abandon)
    with pytest.raises(PipelineStepFailed):
        load(landing)
    monkeypatch.setattr(ingestion.telephony, "parse_pipe_line", real_parse)

    load(landing)
    assert counts(sql) == EXPECTED_COUNTS


def test_replaced_file_is_read_again_from_the_start(
    landing: Path, load: Callable[..., LoadInfo], sql: Any, caplog: pytest.LogCaptureFixture
) -> None:
    load(landing)
    (landing / QUEUE_LOG_FILE).write_text(
        "1791790000|NONE|NONE|NONE|QUEUESTART|\n", encoding="utf-8"
    )
    with caplog.at_level(logging.WARNING, logger="ingestion.files"):
        load(landing)
    assert f"{QUEUE_LOG_FILE} was replaced" in caplog.text
    rows = sql(
        "select line_number, event_epoch from raw_telephony.queue_log_events"
        f" where source_file = '{QUEUE_LOG_FILE}' and line_number = 1 order by event_epoch"
    )
    assert rows == [(1, 1791788400.0), (1, 1791790000.0)]  # raw keeps both; staging decides


# --- rotation, copies and compressed files: content is loaded once, whatever the file's name ------

QUEUE_LOG_DIR = "telephony/queue_log"
CDR_FILE = "telephony/cdr/Master-20261012.csv"
AGENT_STATES_FILE = "telephony/agent_states/agent_states-20261012.csv"


def gzip_file(path: Path, keep: bool = False) -> Path:
    """Compress ``path`` to ``path.gz`` as logrotate's ``compress`` does (removing it unless
    ``keep``)."""
    packed = path.with_name(path.name + ".gz")
    packed.write_bytes(gzip.compress(path.read_bytes(), mtime=0))
    if not keep:
        path.unlink()
    return packed


def test_rotation_by_rename_loads_nothing_new(
    landing: Path, load: Callable[..., LoadInfo], sql: Any, caplog: pytest.LogCaptureFixture
) -> None:
    load(landing)
    before = snapshot(sql)
    for name in (QUEUE_LOG_FILE, CDR_FILE, AGENT_STATES_FILE):
        (landing / name).rename(landing / f"{name}.1")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="ingestion"):
        load(landing)
    assert snapshot(sql) == before  # neither raw nor quarantine rows are loaded again
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    load(landing)  # the cursors moved to the new names
    assert snapshot(sql) == before


def test_rotation_with_appended_lines_loads_only_the_new_lines(
    landing: Path, load: Callable[..., LoadInfo], sql: Any
) -> None:
    load(landing)
    with (landing / QUEUE_LOG_FILE).open("a", encoding="utf-8") as log:
        log.write("1791788900|1791788900.6|support|NONE|ENTERQUEUE||+4930111111|1\n")
        log.write("not an event either\n")
    rotated = f"{QUEUE_LOG_DIR}/queue_log-20261012.1"
    (landing / QUEUE_LOG_FILE).rename(landing / rotated)
    (landing / QUEUE_LOG_FILE).write_text(
        "1791875000|1791875000.1|support|NONE|ENTERQUEUE||+4930222222|1\n", encoding="utf-8"
    )

    second = load(landing)

    new_rows = sql(
        "select source_file, line_number, callid from raw_telephony.queue_log_events"
        f" where _dlt_load_id = '{second.loads_ids[0]}' order by all"
    )
    assert new_rows == [
        (QUEUE_LOG_FILE, 1, "1791875000.1"),
        (rotated, 11, "1791788900.6"),  # numbered on from the 10 lines read as QUEUE_LOG_FILE
    ]
    assert sql(
        "select source_file, line_number, raw_text from raw_telephony.quarantine"
        f" where _dlt_load_id = '{second.loads_ids[0]}'"
    ) == [(rotated, 12, "not an event either")]
    assert counts(sql)["queue_log_events"] == EXPECTED_COUNTS["queue_log_events"] + 2


def test_duplicate_copy_under_another_name_loads_nothing_and_warns(
    landing: Path, load: Callable[..., LoadInfo], sql: Any, caplog: pytest.LogCaptureFixture
) -> None:
    load(landing)
    before = snapshot(sql)
    copy = "telephony/cdr/Master-20261012 (redelivered).csv"
    shutil.copyfile(landing / CDR_FILE, landing / copy)
    with caplog.at_level(logging.WARNING, logger="ingestion.files"):
        load(landing)
    assert snapshot(sql) == before
    assert f"{copy} holds the same content as {CDR_FILE} (lines 1-4): a copy" in caplog.text


def test_gzip_of_an_already_loaded_file_loads_nothing(
    landing: Path, load: Callable[..., LoadInfo], sql: Any
) -> None:
    load(landing)
    before = snapshot(sql)
    for name in (QUEUE_LOG_FILE, CDR_FILE, AGENT_STATES_FILE):
        gzip_file(landing / name)
    load(landing)
    assert snapshot(sql) == before


def test_new_gzip_files_load(tmp_path: Path, load: Callable[..., LoadInfo], sql: Any) -> None:
    landing = tmp_path / "landing"
    for name in (QUEUE_LOG_FILE, AGENT_STATES_FILE, f"{QUEUE_LOG_DIR}/vendor-export-20261012.csv"):
        (landing / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIXTURE_LANDING / name, landing / name)
        gzip_file(landing / name)

    load(landing)

    assert sql(
        "select source_file, count(*), max(line_number) from raw_telephony.queue_log_events"
        " group by 1 order by 1"
    ) == [
        (f"{QUEUE_LOG_FILE}.gz", 8, 10),
        (f"{QUEUE_LOG_DIR}/vendor-export-20261012.csv.gz", 3, 4),  # table form: .csv.gz
    ]
    assert sql("select line_number, state from raw_telephony.agent_state_events order by 1") == [
        (2, "LOGIN"),
        (3, "AVAILABLE"),
        (4, "ON_CONTACT"),
        (6, "ACW"),
        (7, "BREAK"),
    ]
    assert sql("select source_file, line_number from raw_telephony.quarantine order by 1") == [
        (f"{AGENT_STATES_FILE}.gz", 5),
        (f"{QUEUE_LOG_FILE}.gz", 8),
    ]


def test_rewritten_file_with_the_same_first_kib_is_read_again(
    tmp_path: Path, load: Callable[..., LoadInfo], sql: Any, caplog: pytest.LogCaptureFixture
) -> None:
    landing = tmp_path / "landing"
    log = landing / QUEUE_LOG_FILE
    log.parent.mkdir(parents=True)
    events = [f"{1791788400 + i}|1791788400.{i}|support|NONE|ENTERQUEUE||+49|1" for i in range(40)]
    log.write_text("\n".join(events) + "\n", encoding="utf-8")
    load(landing)
    assert len(log.read_bytes()) > 1024
    # rewritten in place, same size: first 30 lines (> 1 KiB) kept, the last 10 now ABANDONs
    events[30:] = [e.replace("ENTERQUEUE||+49|1", "ABANDON|10|10|300") for e in events[30:]]
    log.write_text("\n".join(events) + "\n", encoding="utf-8")

    with caplog.at_level(logging.WARNING, logger="ingestion.files"):
        second = load(landing)

    assert f"{QUEUE_LOG_FILE} was replaced (the bytes before line 41 changed)" in caplog.text
    assert sql(
        "select count(*), min(line_number), max(line_number), count(*) filter (event = 'ABANDON')"
        f" from raw_telephony.queue_log_events where _dlt_load_id = '{second.loads_ids[0]}'"
    ) == [(40, 1, 40, 10)]


def test_cdr_layout_and_time_zone_from_the_environment(
    tmp_path: Path, load: Callable[..., LoadInfo], sql: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = tmp_path / "landing"
    (landing / "telephony" / "cdr").mkdir(parents=True)
    (landing / "telephony" / "cdr" / "vendor.csv").write_text(
        "uniqueid,calldate,answer,end,billsec,disposition,linkedid,sequence\n"
        "1.1,2026-10-12 09:00:00,2026-10-12 09:00:05,2026-10-12 09:01:05,60,ANSWERED,1.0,7\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CXPIPE_CDR_COLUMNS", "header")
    monkeypatch.setenv("CXPIPE_CDR_TIMEZONE", "Europe/Berlin")
    load(landing)
    assert sql(
        "select line_number, uniqueid, start_at, answer_at, billsec_seconds, linkedid, sequence, src"
        " from raw_telephony.cdr_records"
    ) == [
        (
            2,
            "1.1",
            dt.datetime(2026, 10, 12, 7, 0, tzinfo=UTC),
            dt.datetime(2026, 10, 12, 7, 0, 5, tzinfo=UTC),
            60,
            "1.0",
            7,
            None,
        )
    ]


def test_cdr_newcdrcolumns_layout_as_argument(
    tmp_path: Path, load: Callable[..., LoadInfo], sql: Any
) -> None:
    landing = tmp_path / "landing"
    (landing / "telephony" / "cdr").mkdir(parents=True)
    row = (
        (FIXTURE_LANDING / "telephony" / "cdr" / "Master-20261012.csv").read_text().splitlines()[0]
    )
    (landing / "telephony" / "cdr" / "Master.csv").write_text(row + ',"peer","1791788412.0","3"\n')
    columns = (
        "accountcode,src,dst,dcontext,clid,channel,dstchannel,lastapp,lastdata,start,answer,end,"
        "duration,billsec,disposition,amaflags,uniqueid,userfield,peeraccount,linkedid,sequence"
    )
    load(landing, cdr_columns=columns)
    assert sql(
        "select uniqueid, peeraccount, linkedid, sequence from raw_telephony.cdr_records"
    ) == [("1791788412.1", "peer", "1791788412.0", 3)]


def test_invalid_cdr_settings_fail_before_loading(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not an IANA time zone"):
        telephony(landing_dir=str(tmp_path), cdr_timezone="Mars/Base")
    with pytest.raises(ValueError, match="missing column"):
        telephony(landing_dir=str(tmp_path), cdr_columns="src,dst")


def test_declared_columns_are_frozen(
    landing: Path, load: Callable[..., LoadInfo], tmp_path: Path
) -> None:
    load(landing)
    pipeline = make_pipeline(tmp_path / "warehouse.duckdb", tmp_path / "pipelines", progress=None)
    schema = pipeline.default_schema
    for table in EXPECTED_COUNTS:
        assert schema.tables[table]["schema_contract"] == FROZEN_COLUMNS_CONTRACT, table
    intruder = dlt.resource(
        [{"source_file": "x", "line_number": 1, "surprise": "y"}], name="queue_log_events"
    )
    with pytest.raises(PipelineStepFailed, match="freeze"):
        pipeline.run(intruder, schema=schema)


def test_unusual_files_bom_crlf_bad_header_and_bad_bytes(
    tmp_path: Path, load: Callable[..., LoadInfo], sql: Any
) -> None:
    landing = tmp_path / "landing"
    queue_log = landing / "telephony" / "queue_log"
    agent_states = landing / "telephony" / "agent_states"
    queue_log.mkdir(parents=True)
    agent_states.mkdir(parents=True)
    (queue_log / "export.CSV").write_bytes(
        b"\xef\xbb\xbftime,callid,queuename,agent,event,data\r\n"
        b"1791788400,1.1,support,NONE,ENTERQUEUE,|+4930123456|1\r\n"
    )
    (queue_log / "queue_log-latin1").write_bytes(
        b"1791788400|1.2|M\xfcller|NONE|ENTERQUEUE||+4930123456|1\n"
    )
    (agent_states / "wrong.csv").write_text("who,what,when\n1001,LOGIN,2026-10-12T06:58:02Z\n")

    load(landing)

    caller = pseudonymize(TEST_PSEUDONYM_KEY, "+4930123456")  # the caller id, never in clear
    assert sql(
        "select source_file, line_number, event, data2, data3 from raw_telephony.queue_log_events"
    ) == [("telephony/queue_log/export.CSV", 2, "ENTERQUEUE", caller, "1")]
    rows = sql(
        "select source_file, line_number, raw_text, reason from raw_telephony.quarantine order by 1, 2"
    )
    assert [(r[0], r[1]) for r in rows] == [
        ("telephony/agent_states/wrong.csv", 1),
        ("telephony/agent_states/wrong.csv", 2),
        ("telephony/queue_log/queue_log-latin1", 1),
    ]
    assert rows[0][3].startswith(
        "not an agent-state header: missing column(s) agent_id, state, started_at"
    )
    assert rows[1][3].startswith("the file's header (line 1) is not valid")
    assert rows[2][2] == f"1791788400|1.2|M\\xfcller|NONE|ENTERQUEUE||{caller}|1"
    assert rows[2][3].startswith("not valid UTF-8")


def test_ingestion_does_not_import_dagster() -> None:
    code = (
        "import sys, ingestion.telephony, ingestion.pipelines, models; "
        "assert not [m for m in sys.modules if m.startswith('dagster')], 'dagster imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_caller_numbers_are_pseudonymized_in_rows_and_in_quarantine(
    landing: Path, load: Callable[..., LoadInfo], sql: Any
) -> None:
    """ENTERQUEUE caller ids and the CDR's src / clid hold the caller's pseudonym, the CDR's dst
    (an extension) stays, and a quarantined line shows the pseudonym, never the number."""
    load(landing)

    def pseudonym(number: str) -> str:
        return pseudonymize(TEST_PSEUDONYM_KEY, number)

    assert sql(
        "select data2 from raw_telephony.queue_log_events where event = 'ENTERQUEUE' order by data2"
    ) == sorted([(pseudonym("+4930123456"),), (pseudonym("+4930555555"),),
                 (pseudonym("+4930999999"),)])  # fmt: skip
    assert sql("select src, clid, dst from raw_telephony.cdr_records order by line_number") == [
        (pseudonym("+4930123456"), pseudonym("+4930123456"), "200"),
        (pseudonym("+4930999999"), pseudonym("+4930999999"), "300"),
        (pseudonym("+4930555555"), None, "400"),
    ]
    (cdr_line,) = sql("select raw_text from raw_telephony.quarantine where source = 'telephony.cdr'")
    assert "+4930777777" not in cdr_line[0] and pseudonym("+4930777777") in cdr_line[0]
    texts = sql(
        "select string_agg(raw_text, ' ') from raw_telephony.quarantine"
    )[0][0] + " ".join(str(v) for t in ("queue_log_events", "cdr_records")
                       for row in sql(f"select * from raw_telephony.{t}") for v in row)  # fmt: skip
    assert "+49" not in texts and "Caller" not in texts
