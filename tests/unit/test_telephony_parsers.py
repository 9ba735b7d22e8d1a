"""Unit tests of the telephony line parsers and of the record contracts they fill."""

from __future__ import annotations

import datetime as dt

import pytest

from ingestion.parsing import ParseError
from ingestion.telephony.agent_states import (
    AgentStateRecord,
    parse_agent_state_header,
    parse_agent_state_row,
)
from ingestion.telephony.cdr import (
    DEFAULT_COLUMNS,
    NEWCDRCOLUMNS,
    CdrRow,
    parse_cdr_row,
    parse_layout,
    parse_timezone,
)
from ingestion.telephony.queue_log import (
    QueueLogRecord,
    parse_pipe_line,
    parse_table_header,
    parse_table_row,
)
from models import (
    AGENT_STATE_EVENT_COLUMNS,
    AGENT_STATES,
    CDR_RECORD_COLUMNS,
    QUARANTINE_COLUMNS,
    QUEUE_LOG_EVENT_COLUMNS,
)

UTC = dt.UTC
T0 = 1791788400  # 2026-10-12T07:00:00Z


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# --------------------------------------------------------------------------- queue_log, pipe form

# Every event of docs/source_formats.md, as Asterisk writes it, with the data fields expected.
DOCUMENTED_EVENTS = [
    (
        "1791788412|1791788412.1|support|NONE|ENTERQUEUE||+4930123456|1",
        ("support", "NONE", None, "+4930123456", "1", None, None),
    ),
    (
        "1791788415|1791788412.1|support|PJSIP/1001|CONNECT|3|1791788415.2|2",
        ("support", "PJSIP/1001", "3", "1791788415.2", "2", None, None),
    ),
    (
        "1791788600|1791788412.1|support|PJSIP/1001|COMPLETEAGENT|3|185|1",
        ("support", "PJSIP/1001", "3", "185", "1", None, None),
    ),
    (
        "1791788600|1791788412.1|support|PJSIP/1001|COMPLETECALLER|3|185|1",
        ("support", "PJSIP/1001", "3", "185", "1", None, None),
    ),
    (
        "1791788442|1791788412.1|support|NONE|ABANDON|2|3|30",
        ("support", "NONE", "2", "3", "30", None, None),
    ),
    (
        "1791788712|1791788412.1|support|NONE|EXITWITHTIMEOUT|1|1|300",
        ("support", "NONE", "1", "1", "300", None, None),
    ),
    (
        "1791788420|1791788412.1|support|NONE|EXITWITHKEY|5|1|1|8",
        ("support", "NONE", "5", "1", "1", "8", None),
    ),
    (
        "1791788420|1791788412.1|support|NONE|EXITEMPTY|1|1|8",
        ("support", "NONE", "1", "1", "8", None, None),
    ),
    (
        "1791788412|1791788412.1|support|NONE|JOINEMPTY|1|1|0",
        ("support", "NONE", "1", "1", "0", None, None),
    ),
    (
        "1791788412|1791788412.1|support|NONE|FULL",
        ("support", "NONE", None, None, None, None, None),
    ),
    (
        "1791788412|1791788412.1|support|NONE|JOINUNAVAIL|1|1|0",
        ("support", "NONE", "1", "1", "0", None, None),
    ),
    (
        "1791788500|1791788412.1|support|PJSIP/1001|BLINDTRANSFER|2000|from-internal|3|85|1",
        ("support", "PJSIP/1001", "2000", "from-internal", "3", "85", "1"),
    ),
    (
        "1791788500|1791788412.1|support|PJSIP/1001|ATTENDEDTRANSFER|BRIDGE|1791788499.9|3|85|1",
        ("support", "PJSIP/1001", "BRIDGE", "1791788499.9", "3", "85", "1"),
    ),
    (
        "1791788430|1791788412.1|support|PJSIP/1002|RINGNOANSWER|15000",
        ("support", "PJSIP/1002", "15000", None, None, None, None),
    ),
    (
        "1791788430|1791788412.1|support|PJSIP/1002|RINGCANCELED|2300",
        ("support", "PJSIP/1002", "2300", None, None, None, None),
    ),
    (
        "1791788400|NONE|support|Agent/1001|AGENTLOGIN|PJSIP/1001",
        ("support", "Agent/1001", "PJSIP/1001", None, None, None, None),
    ),
    (
        "1791817200|NONE|support|Agent/1001|AGENTLOGOFF|PJSIP/1001|28800",
        ("support", "Agent/1001", "PJSIP/1001", "28800", None, None, None),
    ),
    (
        "1791788401|NONE|support|PJSIP/1001|ADDMEMBER|",
        ("support", "PJSIP/1001", None, None, None, None, None),
    ),
    (
        "1791788401|NONE|support|PJSIP/1001|REMOVEMEMBER|",
        ("support", "PJSIP/1001", None, None, None, None, None),
    ),
    (
        "1791795600|NONE|support|PJSIP/1001|PAUSE|lunch",
        ("support", "PJSIP/1001", "lunch", None, None, None, None),
    ),
    (
        "1791799200|NONE|support|PJSIP/1001|UNPAUSE|",
        ("support", "PJSIP/1001", None, None, None, None, None),
    ),
    (
        "1791795600|NONE|NONE|PJSIP/1001|PAUSEALL|meeting",
        ("NONE", "PJSIP/1001", "meeting", None, None, None, None),
    ),
    (
        "1791799200|NONE|NONE|PJSIP/1001|UNPAUSEALL|",
        ("NONE", "PJSIP/1001", None, None, None, None, None),
    ),
    ("1791788400|NONE|NONE|NONE|CONFIGRELOAD|", ("NONE", "NONE", None, None, None, None, None)),
    ("1791788400|NONE|NONE|NONE|QUEUESTART|", ("NONE", "NONE", None, None, None, None, None)),
]


@pytest.mark.parametrize(
    ("line", "expected"),
    DOCUMENTED_EVENTS,
    ids=lambda v: v.split("|")[4] if isinstance(v, str) else "",
)
def test_pipe_line_every_documented_event(line: str, expected: tuple) -> None:
    record = parse_pipe_line(line)
    epoch, callid, _, _, event = line.split("|")[:5]
    assert record.event_epoch == float(epoch)
    assert record.event_at == dt.datetime.fromtimestamp(int(epoch), UTC)
    assert record.callid == callid
    assert record.event == event
    got = (
        record.queue_name,
        record.agent,
        record.data1,
        record.data2,
        record.data3,
        record.data4,
        record.data5,
    )
    assert got == expected


def test_documented_events_cover_the_format_table() -> None:
    documented = {
        "ENTERQUEUE", "CONNECT", "COMPLETEAGENT", "COMPLETECALLER", "ABANDON", "EXITWITHTIMEOUT",
        "EXITWITHKEY", "EXITEMPTY", "JOINEMPTY", "FULL", "JOINUNAVAIL", "BLINDTRANSFER",
        "ATTENDEDTRANSFER", "RINGNOANSWER", "RINGCANCELED", "AGENTLOGIN", "AGENTLOGOFF",
        "ADDMEMBER", "REMOVEMEMBER", "PAUSE", "UNPAUSE", "PAUSEALL", "UNPAUSEALL",
        "CONFIGRELOAD", "QUEUESTART",
    }  # fmt: skip
    assert {line.split("|")[4] for line, _ in DOCUMENTED_EVENTS} == documented


def test_pipe_line_trailing_fields_may_be_omitted() -> None:
    full = parse_pipe_line(f"{T0}|1.1|support|NONE|ABANDON|1|1|30||")
    short = parse_pipe_line(f"{T0}|1.1|support|NONE|ABANDON|1|1|30")
    assert full == short
    assert (short.data3, short.data4, short.data5) == ("30", None, None)
    bare = parse_pipe_line(f"{T0}|NONE|NONE|NONE|QUEUESTART")
    assert (bare.data1, bare.data5) == (None, None)


def test_pipe_line_fractional_epoch() -> None:
    record = parse_pipe_line(f"{T0}.25|1.1|support|NONE|ENTERQUEUE||+49|1")
    assert record.event_epoch == T0 + 0.25
    assert record.event_at == utc(2026, 10, 12, 7, 0, 0, 250000)
    assert record.event_at.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize("event", ["CLOSED", "DIVERTED", "MYVENDOREVENT"])
def test_pipe_line_custom_events_are_kept(event: str) -> None:
    record = parse_pipe_line(f"{T0}|1.1|support|NONE|{event}|x")
    assert (record.event, record.data1) == (event, "x")


def test_pipe_line_event_is_upper_cased_and_empty_fields_are_null() -> None:
    record = parse_pipe_line(f"{T0}|||PJSIP/1001|closed")
    assert record.event == "CLOSED"
    assert (record.callid, record.queue_name, record.agent) == (None, None, "PJSIP/1001")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("this line is not a queue_log event", "expected at least 5 '|'-separated fields"),
        (f"{T0}|1.1|support|NONE", "got 4"),
        (f"{T0}|1.1|q|NONE|EXITWITHKEY|1|2|3|4|5|6", "expected at most 10"),
        ("yesterday|1.1|support|NONE|ENTERQUEUE", "epoch 'yesterday' is not a number"),
        ("-5|1.1|support|NONE|ENTERQUEUE", "epoch '-5'"),
        ("|1.1|support|NONE|ENTERQUEUE", "epoch ''"),
        (f"{T0}|1.1|support|NONE|", "event name is empty"),
        (f"{T0}|1.1|support|NONE|  |1", "event name is empty"),
    ],
)
def test_pipe_line_malformed_lines_say_why(line: str, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_pipe_line(line)
    assert reason in str(info.value)


# --------------------------------------------------------------------------- queue_log, table form

TABLE_HEADER = "time,callid,queuename,agent,event,data1,data2,data3,data4,data5"


def test_table_row_with_epoch_time() -> None:
    layout = parse_table_header(TABLE_HEADER)
    record = parse_table_row(f"{T0},1.1,support,NONE,ENTERQUEUE,,+4930123456,1,,", layout)
    assert record == parse_pipe_line(f"{T0}|1.1|support|NONE|ENTERQUEUE||+4930123456|1")


def test_table_row_with_iso_time_without_offset_is_utc() -> None:
    layout = parse_table_header(TABLE_HEADER)
    record = parse_table_row("2026-10-12T07:10:05,1.1,support,PJSIP/1002,CONNECT,5,1.2,3,,", layout)
    assert record.event_at == utc(2026, 10, 12, 7, 10, 5)
    assert record.event_epoch == T0 + 605
    assert (record.data1, record.data2, record.data3, record.data4) == ("5", "1.2", "3", None)


def test_table_row_with_iso_time_and_offset_is_converted_to_utc() -> None:
    layout = parse_table_header(TABLE_HEADER)
    record = parse_table_row("2026-10-12 09:15:00.5+02:00,1.1,q,NONE,ABANDON,1,1,30,,", layout)
    assert record.event_at == utc(2026, 10, 12, 7, 15, 0, 500000)
    assert record.event_at.tzinfo == UTC
    assert record.event_epoch == T0 + 900.5


def test_table_header_is_recognised_by_name_not_position() -> None:
    layout = parse_table_header(" Event , TIME,agent,queuename,callid,data1")
    record = parse_table_row("pause,1791788400,PJSIP/1001,NONE,NONE,lunch", layout)
    assert (record.event, record.agent, record.data1, record.event_epoch) == (
        "PAUSE",
        "PJSIP/1001",
        "lunch",
        T0,
    )


def test_table_combined_data_column() -> None:
    layout = parse_table_header("time,callid,queuename,agent,event,data")
    record = parse_table_row(f'{T0},1.1,support,PJSIP/1001,CONNECT,"3|1.2|2"', layout)
    assert (record.data1, record.data2, record.data3, record.data4) == ("3", "1.2", "2", None)


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("epoch|callid|queuename|agent|event", "missing column(s)"),
        ("time,callid,queuename,agent", "missing column(s) event"),
        ("time,callid,queuename,agent,event,data,data1", "both a combined 'data' column"),
        ("time,time,callid,queuename,agent,event", "appear more than once"),
    ],
)
def test_table_header_not_recognised(header: str, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_table_header(header)
    assert reason in str(info.value)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (f"{T0},1.1,support,NONE", "expected 10 fields, got 4"),
        ("12/10/2026 07:00,1.1,support,NONE,ENTERQUEUE,,,,,", "is not an ISO-8601 timestamp"),
        (",1.1,support,NONE,ENTERQUEUE,,,,,", "time is empty"),
        (f'{T0},1.1,support,NONE,"ENTERQUEUE,,,,,', "not a valid CSV line"),
    ],
)
def test_table_row_malformed(row: str, reason: str) -> None:
    layout = parse_table_header(TABLE_HEADER)
    with pytest.raises(ParseError) as info:
        parse_table_row(row, layout)
    assert reason in str(info.value)


# --------------------------------------------------------------------------- CDR

ANSWERED = (
    '"","+4930123456","200","from-queue","""Caller"" <+4930123456>","PJSIP/trunk-00000001",'
    '"PJSIP/1001-0000002a","Queue","support,t","2026-10-12 07:00:12","2026-10-12 07:00:15",'
    '"2026-10-12 07:03:20","188","185","ANSWERED","DOCUMENTATION","1791788412.1",""'
)
UNANSWERED = (
    '"","+4930999999","300","from-queue","","PJSIP/trunk-00000003","","Queue","sales,t",'
    '"2026-10-12 07:05:00","","2026-10-12 07:05:30",30,0,"NO ANSWER","DOCUMENTATION","1791788700.3",""'
)


def test_cdr_default_layout_answered_call() -> None:
    row = parse_cdr_row(ANSWERED, parse_layout(None))
    assert row.clid == '"Caller" <+4930123456>'
    assert (row.lastapp, row.lastdata, row.dstchannel) == (
        "Queue",
        "support,t",
        "PJSIP/1001-0000002a",
    )
    assert row.start_at == utc(2026, 10, 12, 7, 0, 12)
    assert row.answer_at == utc(2026, 10, 12, 7, 0, 15)
    assert row.end_at == utc(2026, 10, 12, 7, 3, 20)
    assert (row.duration_seconds, row.billsec_seconds) == (188, 185)
    assert (row.disposition, row.amaflags, row.uniqueid) == (
        "ANSWERED",
        "DOCUMENTATION",
        "1791788412.1",
    )
    assert (row.accountcode, row.userfield) == (None, None)
    assert (row.peeraccount, row.linkedid, row.sequence) == (None, None, None)


def test_cdr_unanswered_call_has_no_answer_time() -> None:
    row = parse_cdr_row(UNANSWERED, parse_layout(None))
    assert row.answer_at is None
    assert (row.billsec_seconds, row.disposition, row.dstchannel) == (0, "NO ANSWER", None)


def test_cdr_times_are_converted_from_the_pbx_time_zone() -> None:
    berlin = parse_timezone("Europe/Berlin")
    row = parse_cdr_row(ANSWERED, parse_layout(None), berlin)  # CEST, UTC+2 in October
    assert row.start_at == utc(2026, 10, 12, 5, 0, 12)
    assert row.start_at.tzinfo == UTC
    winter = ANSWERED.replace("2026-10-12", "2026-12-01")
    assert parse_cdr_row(winter, parse_layout(None), berlin).start_at == utc(2026, 12, 1, 6, 0, 12)


def test_cdr_newcdrcolumns_layout() -> None:
    layout = parse_layout(",".join(NEWCDRCOLUMNS))
    row = parse_cdr_row(ANSWERED + ',"","1791788412.0","42"', layout)
    assert (row.peeraccount, row.linkedid, row.sequence) == (None, "1791788412.0", 42)
    assert row.uniqueid == "1791788412.1"
    with pytest.raises(ParseError, match="expected 21 fields, got 18"):
        parse_cdr_row(ANSWERED, layout)


def test_cdr_header_layout_in_another_order_with_aliases_and_extra_columns() -> None:
    layout = parse_layout("uniqueid, CallDate ,answer,end,disposition,billsec,recordingfile,dst")
    row = parse_cdr_row(
        "1.1,2026-10-12 07:00:12,,2026-10-12 07:00:40,NO ANSWER,0,rec.wav,200", layout
    )
    assert (row.uniqueid, row.start_at, row.answer_at) == ("1.1", utc(2026, 10, 12, 7, 0, 12), None)
    assert (row.disposition, row.billsec_seconds, row.dst, row.duration_seconds) == (
        "NO ANSWER",
        0,
        "200",
        None,
    )
    assert layout.ignored == 1


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (ANSWERED.replace('"188"', '"abc"'), "duration 'abc' is not an integer"),
        (ANSWERED.replace('"2026-10-12 07:00:12"', '""'), "start is empty"),
        (
            ANSWERED.replace('"2026-10-12 07:03:20"', '"yesterday"'),
            "end 'yesterday' is not an ISO-8601",
        ),
        (ANSWERED.rsplit(",", 1)[0], "expected 18 fields, got 17"),
    ],
)
def test_cdr_malformed_rows(row: str, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_cdr_row(row, parse_layout(None))
    assert reason in str(info.value)


@pytest.mark.parametrize(
    ("columns", "reason"),
    [
        ("src,dst,end", "missing column(s) start"),
        ("start,src,src", "appear more than once"),
        ("", "layout is empty"),
    ],
)
def test_cdr_layout_errors(columns: str, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_layout(columns)
    assert reason in str(info.value)


def test_cdr_default_layout_is_the_18_master_csv_columns() -> None:
    assert len(DEFAULT_COLUMNS) == 18
    assert parse_layout(None).names == DEFAULT_COLUMNS
    with pytest.raises(ParseError, match="not an IANA time zone"):
        parse_timezone("Mars/Olympus_Mons")


# --------------------------------------------------------------------------- agent states

AGENT_HEADER = "agent_id,agent_name,team,state,started_at,reason"


@pytest.mark.parametrize("state", AGENT_STATES)
def test_agent_state_every_state(state: str) -> None:
    layout = parse_agent_state_header(AGENT_HEADER)
    record = parse_agent_state_row(f"1001,Ada Moreno,Team A,{state},2026-10-12T06:58:02Z,", layout)
    assert record == AgentStateRecord(
        "1001", "Ada Moreno", "Team A", state, utc(2026, 10, 12, 6, 58, 2), None
    )


def test_agent_state_lower_case_state_reason_and_offset() -> None:
    layout = parse_agent_state_header(AGENT_HEADER)
    record = parse_agent_state_row("1002,Bo,Team B,break,2026-10-12T09:00:00+02:00,lunch", layout)
    assert (record.state, record.reason, record.started_at) == (
        "BREAK",
        "lunch",
        utc(2026, 10, 12, 7),
    )
    assert record.started_at.tzinfo == UTC


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            "1001,Ada,Team A,DANCING,2026-10-12T07:01:00Z,",
            "state 'DANCING' is not one of LOGIN, AVAILABLE",
        ),
        ("1001,Ada,Team A,,2026-10-12T07:01:00Z,", "state '' is not one of"),
        ("1001,Ada,Team A,HOLD,2026-10-12T07:01:00,", "has no UTC offset"),
        (
            "1001,Ada,Team A,HOLD,12.10.2026 07:01,",
            "started_at '12.10.2026 07:01' is not an ISO-8601 timestamp",
        ),
        ("1001,Ada,Team A,HOLD,,", "started_at is empty"),
        (",Ada,Team A,HOLD,2026-10-12T07:01:00Z,", "agent_id is empty"),
        ("1001,Ada,Team A,HOLD", "expected 6 fields, got 4"),
    ],
)
def test_agent_state_bad_rows(row: str, reason: str) -> None:
    layout = parse_agent_state_header(AGENT_HEADER)
    with pytest.raises(ParseError) as info:
        parse_agent_state_row(row, layout)
    assert reason in str(info.value)


def test_agent_state_header_requires_the_key_columns() -> None:
    with pytest.raises(ParseError, match="missing column"):
        parse_agent_state_header("agent,name,team,status,at,reason")
    layout = parse_agent_state_header("state,agent_id,started_at")  # optional columns may be absent
    record = parse_agent_state_row("LOGOUT,1001,2026-10-12T15:00:00Z", layout)
    assert (record.agent_id, record.agent_name, record.team, record.reason) == (
        "1001",
        None,
        None,
        None,
    )


# --------------------------------------------------------------------------- contracts


@pytest.mark.parametrize(
    ("record_type", "columns"),
    [
        (QueueLogRecord, QUEUE_LOG_EVENT_COLUMNS),
        (CdrRow, CDR_RECORD_COLUMNS),
        (AgentStateRecord, AGENT_STATE_EVENT_COLUMNS),
    ],
)
def test_parsed_records_fill_the_contract_columns_in_order(
    record_type: type, columns: dict
) -> None:
    fields = list(record_type._fields)
    assert ["source_file", "line_number", *fields, "ingested_at"] == list(columns)


def test_contract_column_types() -> None:
    q = QUEUE_LOG_EVENT_COLUMNS
    assert q["event_epoch"]["data_type"] == "double"
    assert (q["event_at"]["data_type"], q["event_at"]["timezone"]) == ("timestamp", True)
    assert (q["data1"]["nullable"], q["event"]["nullable"]) == (True, False)
    assert CDR_RECORD_COLUMNS["duration_seconds"]["data_type"] == "bigint"
    assert CDR_RECORD_COLUMNS["answer_at"]["nullable"] is True
    assert CDR_RECORD_COLUMNS["start_at"]["nullable"] is False
    assert list(QUARANTINE_COLUMNS) == [
        "source",
        "source_file",
        "line_number",
        "raw_text",
        "reason",
        "quarantined_at",
    ]
    assert all(not c["nullable"] for c in QUARANTINE_COLUMNS.values())
