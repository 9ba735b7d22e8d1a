"""Offline dlt loads of the customer-experience file sources (surveys, CRM, IVR) into a temporary
DuckDB file, from small hand-written fixtures (tests/fixtures/cx/landing/, docs/cx_sources.md).

Fixture landing folder:
- surveys/pulse/responses-20261012.csv: header + 13 rows and a blank line (line 13): 4 good
  (p-001..p-004), 9 bad, one per quarantine rule (lines 6-12, 14, 15)
- surveys/helpdesk_survey/responses-20261012.csv: 2 good, 1 with resolved 'maybe'
- surveys/legacy/export.csv: a file with another header (both lines to quarantine)
- crm/customers-20261012.csv: 4 good (C004's phone unreadable), 2 bad; contracts: 3 good,
  4 bad; orders: 2 good, 3 bad; crm/README.txt: not an export (a warning, not loaded)
- ivr/ivr_sessions-20261012.csv: 4 good, 4 bad

Phones and e-mails in the files are in many formats; the same people appear in several sources
(+1 212 555 0142 is customer C001, survey p-001 and IVR S001).
"""

from __future__ import annotations

import datetime as dt
import decimal
import gzip
import logging
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dlt.common.pipeline import LoadInfo

from ingestion.crm import crm
from ingestion.ivr import ivr
from ingestion.pipelines import make_pipeline
from ingestion.privacy import normalize_email, normalize_phone, pseudonymize
from ingestion.surveys import surveys
from ingestion.telephony import telephony
from models.cx import (
    CONTRACT_COLUMNS,
    CUSTOMER_COLUMNS,
    FROZEN_COLUMNS_CONTRACT,
    IVR_SESSION_COLUMNS,
    ORDER_COLUMNS,
    QUARANTINE_COLUMNS,
    SURVEY_RESPONSE_COLUMNS,
)
from tests.conftest import FIXTURES, TEST_PSEUDONYM_KEY, assert_no_clear_contact_data

CX_LANDING = FIXTURES / "cx" / "landing"
TELEPHONY_LANDING = FIXTURES / "telephony" / "landing"
SOURCES: dict[str, Callable[..., Any]] = {"surveys": surveys, "crm": crm, "ivr": ivr}
PULSE = "surveys/pulse/responses-20261012.csv"
HELPDESK = "surveys/helpdesk_survey/responses-20261012.csv"
LEGACY = "surveys/legacy/export.csv"
CUSTOMERS = "crm/customers-20261012.csv"
CONTRACTS = "crm/contracts-20261012.csv"
ORDERS = "crm/orders-20261012.csv"
SESSIONS = "ivr/ivr_sessions-20261012.csv"
UTC = dt.UTC

TABLES = {
    "raw_surveys": {"survey_responses": 6, "quarantine": 12},
    "raw_crm": {"customers": 4, "contracts": 3, "orders": 2, "quarantine": 9},
    "raw_ivr": {"ivr_sessions": 4, "quarantine": 4},
}
CONTRACTS_OF_TABLES = {
    ("raw_surveys", "survey_responses"): SURVEY_RESPONSE_COLUMNS,
    ("raw_crm", "customers"): CUSTOMER_COLUMNS,
    ("raw_crm", "contracts"): CONTRACT_COLUMNS,
    ("raw_crm", "orders"): ORDER_COLUMNS,
    ("raw_ivr", "ivr_sessions"): IVR_SESSION_COLUMNS,
}
DUCKDB_TYPES = {
    "text": "VARCHAR",
    "bigint": "BIGINT",
    "timestamp": "TIMESTAMP WITH TIME ZONE",
    "date": "DATE",
    "decimal": "DECIMAL(18,4)",
}

EXPECTED_QUARANTINE = {
    ("surveys.responses", PULSE, 6): "score 6 is outside the scale 1-5",
    ("surveys.responses", PULSE, 7): "score '4.5' is not a whole number",
    ("surveys.responses", PULSE, 8): "survey_type 'nps' is not one of csat, tnps, rnps, ces",
    ("surveys.responses", PULSE, 9): "scale '1to5' is not <min>-<max>",
    ("surveys.responses", PULSE, 10): "response_id is empty",
    ("surveys.responses", PULSE, 11): "sent_at is empty",
    ("surveys.responses", PULSE, 12): "a csat survey (sent after a contact) has no contact_ref",
    ("surveys.responses", PULSE, 14): "answered_at 2026-10-12T09:00:00Z is before sent_at",
    ("surveys.responses", PULSE, 15): "expected 13 fields, got 10",
    ("surveys.responses", HELPDESK, 4): "resolved 'maybe' is not yes, no or empty",
    ("surveys.responses", LEGACY, 1): "not a survey responses header: missing column(s)",
    ("surveys.responses", LEGACY, 2): "the file's header (line 1) is not valid",
    ("crm.customers", CUSTOMERS, 6): "customer_id is empty",
    ("crm.customers", CUSTOMERS, 7): "created_at 'yesterday' is not an ISO-8601 timestamp",
    ("crm.contracts", CONTRACTS, 5): "end_date 2026-04-30 is before start_date 2026-05-01",
    ("crm.contracts", CONTRACTS, 6): "start_date '2026/05/01' is not a date (YYYY-MM-DD)",
    ("crm.contracts", CONTRACTS, 7): "monthly_value 'abc' is not a decimal number",
    ("crm.contracts", CONTRACTS, 8): "contract_id is empty",
    ("crm.orders", ORDERS, 4): "amount '12.345678' has more than 4 decimal places",
    ("crm.orders", ORDERS, 5): "ordered_at '2026-10-12 12:00:00' has no UTC offset",
    ("crm.orders", ORDERS, 6): "customer_id is empty",
    ("ivr.sessions", SESSIONS, 6): "kind 'fax' is not one of ivr, bot",
    ("ivr.sessions", SESSIONS, 7): "ended_at 2026-10-12T08:29:00Z is before started_at",
    ("ivr.sessions", SESSIONS, 8): "outcome 'hung_up' is not one of self_served, agent_requested",
    ("ivr.sessions", SESSIONS, 9): "started_at is empty",
}

# Every phone number written in the fixtures (surveys, CRM, IVR, telephony), in their formats.
CLEAR_PHONES = (
    "+1 (212) 555-0142", "(212) 555-0143", "212-555-0199", "+1 212 555 0144", "+1 212 555 0150",
    "+44 20 7946 0123", "+1 212 555 0145", "+1 212 555 0151", "+1 212 555 0152",
    "+1 212 555 0142", "001 212 555 0143", "+1 212 555 0146", "+1 212 555 0147",
    "+1 212 555 0148", "(212) 555-0149", "+4930123456", "+4930999999", "+4930777777",
    "+4930555555",
)  # fmt: skip


def pseudonym(value: str) -> str:
    return pseudonymize(TEST_PSEUDONYM_KEY, value)


def phone(text: str) -> str:
    normalized = normalize_phone(text, "US")
    assert normalized is not None, text
    return pseudonym(normalized)


def email(text: str) -> str:
    normalized = normalize_email(text)
    assert normalized is not None, text
    return pseudonym(normalized)


def clear_emails() -> tuple[str, ...]:
    """Every e-mail address written in the fixture files."""
    text = " ".join(p.read_text() for p in CX_LANDING.rglob("*") if p.is_file())
    return tuple(sorted(set(re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", text))))


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    """A private copy of the fixture landing folder (tests append to its files)."""
    target = tmp_path / "landing"
    shutil.copytree(CX_LANDING, target)
    return target


@pytest.fixture
def load(tmp_path: Path) -> Callable[..., dict[str, LoadInfo]]:
    """Run the three sources (or those named) into tmp_path/warehouse.duckdb, one pipeline each,
    as a fresh process would."""

    def run(landing_dir: Path, names: tuple[str, ...] = tuple(SOURCES)) -> dict[str, LoadInfo]:
        infos = {}
        for name in names:
            pipeline = make_pipeline(
                tmp_path / "warehouse.duckdb", tmp_path / "pipelines",
                pipeline_name=f"cxpipe_{name}", dataset_name=f"raw_{name}", progress=None,
            )  # fmt: skip
            info = pipeline.run(SOURCES[name](landing_dir=str(landing_dir)))
            info.raise_on_failed_jobs()
            infos[name] = info
        return infos

    return run


def counts(sql: Any) -> dict[str, dict[str, int]]:
    return {
        schema: {t: sql(f"select count(*) from {schema}.{t}")[0][0] for t in tables}
        for schema, tables in TABLES.items()
    }


def snapshot(sql: Any) -> dict[str, list[tuple[Any, ...]]]:
    return {
        f"{schema}.{t}": sorted(sql(f"select * from {schema}.{t}"), key=repr)
        for schema, tables in TABLES.items()
        for t in tables
    }


def test_first_load_creates_typed_tables_with_the_rows_as_they_arrived(
    landing: Path, load: Callable[..., dict[str, LoadInfo]], sql: Any
) -> None:
    load(landing)
    assert counts(sql) == TABLES

    for (schema, table), contract in CONTRACTS_OF_TABLES.items():
        columns = {r[0]: (r[1], r[2]) for r in sql(f"describe {schema}.{table}")}
        assert list(columns) == [*contract, "_dlt_load_id"], table
        for name, hint in contract.items():
            expected = (DUCKDB_TYPES[hint["data_type"]], "YES" if hint["nullable"] else "NO")
            assert columns[name] == expected, f"{table}.{name}"
    for schema in TABLES:
        columns = [r[0] for r in sql(f"describe {schema}.quarantine")]
        assert columns == [*QUARANTINE_COLUMNS, "_dlt_load_id", "_dlt_id"]

    assert sql(
        "select tool, response_id, line_number, survey_type, scale, score, resolved, "
        "contact_channel, contact_ref, customer_ref, comment, sent_at, answered_at "
        "from raw_surveys.survey_responses order by tool, response_id"
    ) == [
        ("helpdesk_survey", "h-001", 2, "csat", "1-10", 9, "yes", "ticket", "90001", "C003", None,
         dt.datetime(2026, 10, 12, 11, tzinfo=UTC), dt.datetime(2026, 10, 12, 12, tzinfo=UTC)),
        ("helpdesk_survey", "h-002", 3, "csat", "1-10", 3, "no", "ticket", "90002", None,
         "Still broken", dt.datetime(2026, 10, 12, 11, 5, tzinfo=UTC),
         dt.datetime(2026, 10, 12, 11, 45, tzinfo=UTC)),
        ("pulse", "p-001", 2, "csat", "1-5", 5, None, "voice", "1791792000.1", "C001",
         "Great help", dt.datetime(2026, 10, 12, 8, 15, 2, tzinfo=UTC),
         dt.datetime(2026, 10, 12, 8, 20, tzinfo=UTC)),
        ("pulse", "p-002", 3, "tnps", "0-10", 9, None, "voice", "1791792060.3", None,
         "Call me back on [phone], or mail [email]", dt.datetime(2026, 10, 12, 8, 16, tzinfo=UTC),
         dt.datetime(2026, 10, 12, 8, 30, tzinfo=UTC)),  # +02:00 in the file
        ("pulse", "p-003", 4, "ces", "1-7", None, None, "voice", "1791792120.4", None, None,
         dt.datetime(2026, 10, 12, 8, 17, tzinfo=UTC), None),  # not answered yet
        ("pulse", "p-004", 5, "rnps", "0-10", 7, None, None, None, "C002", None,
         dt.datetime(2026, 10, 12, 9, tzinfo=UTC), dt.datetime(2026, 10, 12, 10, tzinfo=UTC)),
    ]  # fmt: skip
    assert sql(
        "select contract_id, start_date, end_date, monthly_value, previous_contract_id "
        "from raw_crm.contracts order by contract_id"
    ) == [
        ("K001", dt.date(2025, 1, 10), dt.date(2026, 3, 31), decimal.Decimal("19.9000"), None),
        ("K002", dt.date(2026, 4, 1), None, decimal.Decimal("29.9000"), "K001"),
        ("K003", dt.date(2025, 2, 1), None, decimal.Decimal("19.9000"), None),
    ]
    assert sql("select order_id, ordered_at, amount from raw_crm.orders order by 1") == [
        ("O001", dt.datetime(2026, 10, 12, 10, tzinfo=UTC), decimal.Decimal("49.9000")),
        ("O002", dt.datetime(2026, 10, 12, 9, 30, tzinfo=UTC), decimal.Decimal("120.0000")),
    ]
    assert sql(
        "select session_id, kind, menu_path, outcome, queue, callid from raw_ivr.ivr_sessions "
        "order by 1"
    ) == [
        ("S001", "ivr", "1>3", "agent_requested", "support", "1791792000.1"),
        ("S002", "ivr", "2", "self_served", None, None),
        ("S003", "bot", "billing>invoice_copy", "self_served", None, None),
        ("S004", "ivr", "1", "abandoned", None, None),
    ]


def test_every_bad_line_is_in_quarantine_with_file_line_and_reason(
    landing: Path, load: Callable[..., dict[str, LoadInfo]], sql: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    load(landing)
    rows = sql(
        " union all ".join(
            f"select source, source_file, line_number, reason, raw_text from {schema}.quarantine"
            for schema in TABLES
        )
    )
    found = {(source, file, line): reason for source, file, line, reason, _ in rows}
    assert set(found) == set(EXPECTED_QUARANTINE)
    for where, reason in found.items():
        assert reason.startswith(EXPECTED_QUARANTINE[where]), (where, reason)
    # the raw text is the line, with the contact data replaced
    texts = {(file, line): text for _, file, line, _, text in rows}
    assert texts[(ORDERS, 4)] == "O003,C001,2026-10-12T12:00:00Z,12.345678,EUR"
    assert texts[(PULSE, 10)] == (
        f",csat,1-5,3,,voice,1791792200.9,,{phone('+1 212 555 0150')},"
        f"{email('erin@example.com')},,2026-10-12T09:05:00Z,2026-10-12T09:06:00Z"
    )
    assert texts[(PULSE, 15)] == "p-013,csat,1-5,4,,voice,[phone],,[phone],[email]"  # fields unknown
    assert texts[(LEGACY, 2)] == "x1,5,[email]"
    assert "crm/README.txt is not a CRM export" in caplog.text
    assert sql("select count(*) from raw_crm.customers where source_file like '%README%'") == [(0,)]


def test_second_run_changes_nothing(
    landing: Path, load: Callable[..., dict[str, LoadInfo]], sql: Any
) -> None:
    load(landing)
    before = snapshot(sql)
    second = load(landing)
    assert all(info.loads_ids == [] for info in second.values())
    assert snapshot(sql) == before


def test_grown_and_new_files_load_only_the_new_lines(
    landing: Path, load: Callable[..., dict[str, LoadInfo]], sql: Any
) -> None:
    load(landing)
    before = snapshot(sql)
    with (landing / PULSE).open("a", encoding="utf-8") as pulse:
        pulse.write("p-020,csat,1-5,2,,voice,1791799000.1,,,,,2026-10-12T12:00:00Z,"
                    "2026-10-12T12:01:00Z\n")  # fmt: skip
        pulse.write("p-021,csat,1-5,9,,voice,1791799000.2,,,,,2026-10-12T12:00:00Z,\n")
    with (landing / SESSIONS).open("a", encoding="utf-8") as sessions:
        sessions.write("S009,bot,2026-10-12T12:00:00Z,2026-10-12T12:02:00Z,,C001,billing,"
                       "self_served,,\n")  # fmt: skip
    (landing / "crm" / "orders-20261013.csv").write_text(
        "order_id,customer_id,ordered_at,amount,currency\nO010,C002,2026-10-13T09:00:00Z,5,EUR\n"
    )

    load(landing)

    after = snapshot(sql)
    for table, rows in before.items():
        assert set(rows) <= set(after[table]), table  # nothing loaded before is touched
    new = {table: sorted(set(after[table]) - set(rows), key=repr) for table, rows in before.items()}
    assert [(r[0], r[1], r[3]) for r in new["raw_surveys.survey_responses"]] == [
        (PULSE, 16, "p-020")
    ]
    assert [(r[1], r[2], r[4]) for r in new["raw_surveys.quarantine"]] == [
        (PULSE, 17, "score 9 is outside the scale 1-5")
    ]
    assert [(r[0], r[1], r[2]) for r in new["raw_ivr.ivr_sessions"]] == [(SESSIONS, 10, "S009")]
    assert [(r[0], r[1], r[2]) for r in new["raw_crm.orders"]] == [
        ("crm/orders-20261013.csv", 2, "O010")
    ]
    assert sum(len(rows) for rows in new.values()) == 4


def test_a_new_full_export_is_read_whole_and_a_copy_not_again(
    landing: Path, load: Callable[..., dict[str, LoadInfo]], sql: Any
) -> None:
    """The next day's customers export starts with all of today's and adds a customer: it is
    a new export (read from line 1), not today's grown; a gzip copy of an export is no news."""
    load(landing, ("crm",))
    today = (landing / CUSTOMERS).read_text()
    (landing / "crm" / "customers-20261013.csv").write_text(
        today + "C007,Gus Green,+1 212 555 0160,gus@example.com,consumer,emea,"
        "2026-10-13T09:00:00Z,2026-10-13T09:00:00Z\n"
    )
    with gzip.open(landing / "crm" / "contracts-20261012.csv.gz", "wt") as copy:
        copy.write((landing / CONTRACTS).read_text())
    load(landing, ("crm",))
    assert sql(
        "select customer_id, line_number from raw_crm.customers "
        "where source_file = 'crm/customers-20261013.csv' order by line_number"
    ) == [("C001", 2), ("C002", 3), ("C003", 4), ("C004", 5), ("C007", 8)]
    assert sql("select count(*) from raw_crm.contracts") == [(3,)]


def test_pseudonyms_are_those_of_the_clear_values_and_join_across_sources(
    landing: Path, load: Callable[..., dict[str, LoadInfo]], sql: Any
) -> None:
    load(landing)
    assert sql(
        "select customer_id, phone_hash, email_hash from raw_crm.customers order by 1"
    ) == [
        ("C001", phone("+1 (212) 555-0142"), email("alice@example.com")),
        ("C002", phone("+44 20 7946 0123"), email("bob@example.com")),
        ("C003", phone("(212) 555-0143"), email("carol@example.net")),
        ("C004", None, email("dave@example.net")),  # 'not a number': NULL, never clear
    ]
    assert sql(
        "select response_id, respondent_phone_hash, respondent_email_hash "
        "from raw_surveys.survey_responses order by 1"
    ) == [
        ("h-001", None, email("carol@example.net")),
        ("h-002", None, email("  DAVE@example.net ")),
        ("p-001", phone("+1 (212) 555-0142"), None),
        ("p-002", phone("(212) 555-0143"), None),
        ("p-003", None, None),  # anonymous
        ("p-004", None, email("Bob@Example.COM")),
    ]
    assert sql("select session_id, caller_phone_hash from raw_ivr.ivr_sessions order by 1") == [
        ("S001", phone("+1 212 555 0142")),
        ("S002", None),
        ("S003", None),
        ("S004", phone("001 212 555 0143")),
    ]
    # one person, one pseudonym: the caller of S001 is customer C001, who answered p-001
    assert sql(
        "select c.customer_id, s.response_id, i.session_id from raw_crm.customers c "
        "join raw_surveys.survey_responses s on s.respondent_phone_hash = c.phone_hash "
        "join raw_ivr.ivr_sessions i on i.caller_phone_hash = c.phone_hash order by 1"
    ) == [("C001", "p-001", "S001"), ("C003", "p-002", "S004")]


def test_no_phone_number_or_email_address_in_clear_in_any_raw_table(
    tmp_path: Path, landing: Path, load: Callable[..., dict[str, LoadInfo]], sql: Any
) -> None:
    shutil.copytree(TELEPHONY_LANDING, landing, dirs_exist_ok=True)
    load(landing)
    telephony_pipeline = make_pipeline(
        tmp_path / "warehouse.duckdb", tmp_path / "pipelines", progress=None
    )
    telephony_pipeline.run(telephony(landing_dir=str(landing))).raise_on_failed_jobs()
    schemas = [
        row[0]
        for row in sql(
            "select distinct table_schema from information_schema.tables "
            "where table_schema like 'raw_%' order by 1"
        )
    ]
    assert schemas == ["raw_crm", "raw_ivr", "raw_surveys", "raw_telephony"]
    emails = clear_emails()
    assert len(emails) >= 8
    for schema in schemas:
        assert_no_clear_contact_data(sql, schema, emails=emails, phones=CLEAR_PHONES)


def test_missing_folders_load_nothing_but_create_the_tables(
    tmp_path: Path, load: Callable[..., dict[str, LoadInfo]], sql: Any
) -> None:
    empty = tmp_path / "empty_landing"
    empty.mkdir()
    load(empty)
    assert counts(sql) == {
        schema: dict.fromkeys(tables, 0) for schema, tables in TABLES.items()
    }


def test_the_tables_are_frozen_to_their_contracts(
    landing: Path, load: Callable[..., dict[str, LoadInfo]]
) -> None:
    infos = load(landing)
    for name, info in infos.items():
        schema = info.pipeline.default_schema
        for table in [*TABLES[f"raw_{name}"]]:
            assert schema.tables[table]["schema_contract"] == FROZEN_COLUMNS_CONTRACT, table


def test_a_file_without_its_header_is_quarantined_without_its_contact_data(
    tmp_path: Path, load: Callable[..., dict[str, LoadInfo]], sql: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The header check quotes the first line, which here is a customer: the reason (in the
    table and in the log) and the lines show no phone number or e-mail address."""
    landing = tmp_path / "headless"
    (landing / "crm").mkdir(parents=True)
    (landing / "crm" / "customers-20261014.csv").write_text(
        "C010,Hal Hill,+1 212 555 0170,hal@example.com,consumer,emea,,\n"
        "C011,Ida Ito,(212) 555-0171,ida@example.com,consumer,emea,,\n"
    )
    load(landing, ("crm",))
    rows = sql("select line_number, reason, raw_text from raw_crm.quarantine order by 1")
    assert [r[0] for r in rows] == [1, 2]
    assert rows[0][1].startswith("not a CRM customers header: missing column(s) customer_id")
    assert rows[1][2] == "C011,Ida Ito,[phone],[email],consumer,emea,,"
    assert_no_clear_contact_data(sql, "raw_crm", emails=("hal@example.com", "ida@example.com"),
                                 phones=("+1 212 555 0170", "(212) 555-0171"))  # fmt: skip
    assert "hal@example.com" not in caplog.text and "555 0170" not in caplog.text
