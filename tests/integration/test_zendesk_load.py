"""Offline dlt loads of the zendesk source against a fake Zendesk on 127.0.0.1, into temp DuckDB.

The fake serves recorded pages from tests/fixtures/zendesk/ (``routes.json`` maps a request's path
and query to a page; ``{base_url}`` in a page becomes the server's address). It checks the Basic
auth header and records every request. Pages (start_date 2026-10-01):

- tickets: start page (101, 102 and a ticket without id) -> cursor tc1 (103, end_of_stream,
  after_cursor tc2); second run: cursor tc2 (102 updated: solved, a new tag).
- ticket_events, as Zendesk's export serves them (rows ``event_type`` Audit, each changed field as
  its own key of a Create / Change child), except 1003, whose children are in the Ticket Audits
  API's shape (``field_name`` / ``value``, ``type`` instead of ``event_type``). ``end_time`` is the
  timestamp of a page's last event and the next page starts there: start page (1001, 1002) ->
  start_time E1 = 1002's second (1002 again, 1003, 1004 at E2, end_of_stream, end_time E2); second
  run: start_time E2 (1004 again, new 1005).
- users: one page (4 users and one whose created_at is "yesterday"), after_cursor uc1; second run:
  cursor uc1, empty.
- groups: two pages (11, 12 | 13 deleted); satisfaction_ratings: 7001 good, 7002 and 7003
  offered (a second run reads again from the latest updated_at minus csat_lookback_days, not
  before start_date: the same page with the default 14 days; with one day, 7003 answered);
  sla_policies: 1 with 3 metrics; schedules: 1 with 5 intervals; holidays of schedule 1: 2.
- a third run finds nothing new: cursor tc3 (no tickets), start_time E3 (1005 again).
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from dlt.common.pipeline import LoadInfo

from ingestion.pipelines import make_pipeline
from ingestion.privacy import pseudonymize
from ingestion.zendesk import DATASET_NAME, zendesk
from tests.conftest import TEST_PSEUDONYM_KEY, assert_no_clear_contact_data

FIXTURES = Path(__file__).parents[1] / "fixtures" / "zendesk"
EMAIL = "agent@example.com"
API_TOKEN = "s3cr3t-t0ken-value"
START_DATE = "2026-10-01"
TICKETS_START = "/api/v2/incremental/tickets/cursor.json?start_time=1790812800"
TICKETS_TC1 = "/api/v2/incremental/tickets/cursor.json?cursor=tc1"
EVENTS = "/api/v2/incremental/ticket_events.json?include=comment_events"
EVENTS_E1 = f"{EVENTS}&start_time=1791792600"
RATINGS = "/api/v2/satisfaction_ratings.json?page[size]=100"

FIRST_RUN_COUNTS = {
    "tickets": 3,
    "tickets__tags": 3,
    "ticket_events": 4,
    "ticket_events__child_events": 12,
    "users": 4,
    "groups": 3,
    "satisfaction_ratings": 3,
    "sla_policies": 1,
    "sla_policies__policy_metrics": 3,
    "schedules": 1,
    "schedules__intervals": 5,
    "schedule_holidays": 2,
    "quarantine": 2,
}


@dataclass
class FakeZendesk:
    """A tiny Zendesk: recorded pages by path and query, Basic auth checked, requests logged."""

    routes: dict[str, str]
    base_url: str = ""
    requests: list[str] = field(default_factory=list)
    failures: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)

    def fail_next(self, key: str, status: int, headers: dict[str, str] | None = None) -> None:
        """Answer the next request for ``key`` with ``status`` (then serve the page again)."""
        self.failures.setdefault(key, []).append((status, headers or {}))

    def requested(self, since: int = 0) -> list[str]:
        return self.requests[since:]

    def answer(self, key: str, authorization: str | None) -> tuple[int, dict[str, str], bytes]:
        self.requests.append(key)
        expected = "Basic " + base64.b64encode(f"{EMAIL}/token:{API_TOKEN}".encode()).decode()
        if authorization != expected:
            return 401, {}, b'{"error": "Couldn\'t authenticate you"}'
        if self.failures.get(key):
            status, headers = self.failures[key].pop(0)
            return status, headers, b'{"error": "APIRateLimitExceeded"}'
        if key not in self.routes:
            return 404, {}, json.dumps({"error": "no recorded page", "key": key}).encode()
        text = (FIXTURES / self.routes[key]).read_text().replace("{base_url}", self.base_url)
        return 200, {"Content-Type": "application/json"}, text.encode()


def request_key(path: str) -> str:
    """``/path?a=1&b=2`` with the query parameters sorted (the routes.json key)."""
    parts = urlsplit(path)
    query = "&".join(f"{k}={v}" for k, v in sorted(parse_qsl(parts.query)))
    return parts.path + (f"?{query}" if query else "")


@pytest.fixture
def fake_zendesk() -> Iterator[FakeZendesk]:
    """The fake on a free port of 127.0.0.1, shut down and closed when the test ends."""
    fake = FakeZendesk(routes=json.loads((FIXTURES / "routes.json").read_text()))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            status, headers, body = fake.answer(
                request_key(self.path), self.headers.get("Authorization")
            )
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _credentials_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials the way a deployment gives them: dlt's environment variables."""
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
    monkeypatch.delenv("SOURCES__ZENDESK__SUBDOMAIN", raising=False)
    monkeypatch.setenv("SOURCES__ZENDESK__EMAIL", EMAIL)
    monkeypatch.setenv("SOURCES__ZENDESK__API_TOKEN", API_TOKEN)


@pytest.fixture
def load(tmp_path: Path, fake_zendesk: FakeZendesk) -> Callable[[], LoadInfo]:
    """Run the source into tmp_path/warehouse.duckdb, as a fresh process would."""

    def run() -> LoadInfo:
        pipeline = make_pipeline(
            tmp_path / "warehouse.duckdb",
            tmp_path / "pipelines",
            pipeline_name="cxpipe_zendesk",
            dataset_name=DATASET_NAME,
            progress=None,
        )
        info = pipeline.run(zendesk(base_url=fake_zendesk.base_url, start_date=START_DATE))
        info.raise_on_failed_jobs()
        return info

    return run


def counts(sql: Callable[[str], list[tuple[Any, ...]]]) -> dict[str, int]:
    return {t: sql(f"select count(*) from {DATASET_NAME}.{t}")[0][0] for t in FIRST_RUN_COUNTS}


def describe(sql: Callable[[str], list[tuple[Any, ...]]], table: str) -> dict[str, str]:
    return {r[0]: r[1] for r in sql(f"describe {DATASET_NAME}.{table}")}


def test_first_run_loads_every_resource_typed(
    load: Callable[[], LoadInfo], sql: Any, caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    # dlt logs each request with its headers at DEBUG (its logger may already be set up)
    monkeypatch.setenv("RUNTIME__LOG_LEVEL", "DEBUG")
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="dlt")
    load()
    logs = caplog.text + capfd.readouterr().err  # dlt's own handler writes to stderr
    assert counts(sql) == FIRST_RUN_COUNTS

    tickets = describe(sql, "tickets")
    assert tickets["id"] == "BIGINT"
    assert tickets["created_at"] == tickets["updated_at"] == "TIMESTAMP WITH TIME ZONE"
    assert tickets["via__channel"] == "VARCHAR"
    assert {"status", "group_id", "assignee_id", "requester_id", "subject", "priority"} <= set(
        tickets
    )
    assert sql(
        f"select id, status, via__channel, group_id, assignee_id from {DATASET_NAME}.tickets "
        "order by id"
    ) == [(101, "open", "email", 11, 201), (102, "pending", "web", 12, 202),
          (103, "new", "chat", 11, None)]

    children = describe(sql, "ticket_events__child_events")
    assert children["value"] == children["previous_value"] == "VARCHAR"
    assert children["public"] == "BOOLEAN" and children["author_id"] == "BIGINT"
    # a tags change (a JSON list) is kept as JSON text, a status change as the plain string
    # the Ticket Audits API's shape (event 1003): field_name / value as sent, event_type from type
    rows = sql(
        f"select c.field_name, c.value, c.previous_value from {DATASET_NAME}.ticket_events e "
        f"join {DATASET_NAME}.ticket_events__child_events c on c._dlt_parent_id = e._dlt_id "
        "where e.id = 1003 and c.event_type = 'Change' order by c.id"
    )
    assert rows == [("status", "pending", "new"), ("assignee_id", "202", None),
                    ("tags", '["login"]', "[]")]
    # the export's shape: the field's own key becomes field_name / value, a number its JSON text
    assert sql(
        f"select e.id, e.event_type, c.event_type, c.field_name, c.value, c.previous_value "
        f"from {DATASET_NAME}.ticket_events e join {DATASET_NAME}.ticket_events__child_events c "
        "on c._dlt_parent_id = e._dlt_id where e.id in (1001, 1002) and c.event_type <> 'Comment' "
        "order by c.id"
    ) == [(1001, "Audit", "Create", "status", "new", None),
          (1001, "Audit", "Create", "group_id", "11", None),
          (1002, "Audit", "Create", "status", "new", None),
          (1002, "Audit", "Create", "tags", '["login"]', None)]
    assert sql(
        f"select added_tags, removed_tags from {DATASET_NAME}.ticket_events__child_events "
        "where id = 5005"
    ) == [('["login"]', "[]")]
    # ... and adds no column per ticket field to the child table
    assert not {"status", "group_id", "tags", "assignee_id"} & set(children)
    assert children["added_tags"] == "VARCHAR"
    assert sql(
        f"select event_type, count(*) from {DATASET_NAME}.ticket_events__child_events "
        "group by 1 order by 1"
    ) == [("Change", 3), ("Comment", 3), ("Create", 6)]
    assert sql(
        f"select author_id, public, body from {DATASET_NAME}.ticket_events__child_events "
        "where id = 5010"
    ) == [(202, False, "Checked the SSO logs.")]

    assert describe(sql, "schedule_holidays")["start_date"] == "DATE"
    assert sql(
        f"select schedule_id, id, start_date::varchar, end_date::varchar from "
        f"{DATASET_NAME}.schedule_holidays order by id"
    ) == [(1, 91, "2026-10-03", "2026-10-03"), (1, 92, "2026-12-24", "2026-12-26")]
    assert sql(
        f"select min(start_time), max(end_time) from {DATASET_NAME}.schedules__intervals"
    ) == [(1980, 8220)]  # Monday 09:00 .. Friday 17:00
    assert describe(sql, "sla_policies")["filter"] == "JSON"

    # credentials never reach the logs (dlt logs every request at DEBUG)
    assert "Making GET request to" in logs
    assert API_TOKEN not in logs
    assert base64.b64encode(f"{EMAIL}/token:{API_TOKEN}".encode()).decode() not in logs


def test_malformed_records_are_quarantined_and_the_page_loads(
    load: Callable[[], LoadInfo], sql: Any, fake_zendesk: FakeZendesk
) -> None:
    load()
    rows = sql(
        f"select source, location, record_index, record_id, raw_text, reason "
        f"from {DATASET_NAME}.quarantine order by source"
    )
    assert len(rows) == 2
    ticket, user = rows
    assert ticket[0] == "zendesk.tickets"
    assert ticket[1] == (
        f"{fake_zendesk.base_url}/api/v2/incremental/tickets/cursor.json?start_time=1790812800"
    )
    assert ticket[2:4] == (2, None)
    assert json.loads(ticket[4])["subject"] == "a ticket without id"
    assert ticket[5] == "id: Field required"
    assert user[0] == "zendesk.users" and user[2:4] == (4, "399")
    assert user[5].startswith("created_at: Input should be a valid datetime")
    assert "'yesterday'" in user[5]
    # the rest of both pages loaded
    assert sql(f"select count(*) from {DATASET_NAME}.tickets where id in (101, 102)") == [(2,)]
    assert sql(
        f"select count(*) from {DATASET_NAME}.users where id in (201, 202, 301, 302)"
    ) == [(4,)]
    assert sql(f"select count(*) from {DATASET_NAME}.users where id = 399") == [(0,)]


def test_second_run_loads_only_what_changed(
    load: Callable[[], LoadInfo], sql: Any, fake_zendesk: FakeZendesk
) -> None:
    load()
    first = len(fake_zendesk.requests)
    load()
    second = fake_zendesk.requested(first)
    # each incremental resource continues where the first run stopped
    assert "/api/v2/incremental/tickets/cursor.json?cursor=tc2" in second
    events = "/api/v2/incremental/ticket_events.json?include=comment_events"
    assert f"{events}&start_time=1791806400" in second
    assert "/api/v2/incremental/users/cursor.json?cursor=uc1" in second
    # ratings: from the latest updated_at (7002, 16:30) minus 14 days, but not before start_date
    assert f"{RATINGS}&start_time=1790812800" in second
    assert not [key for key in second
                if ("start_time=1790812800" in key and not key.startswith(RATINGS))
                or "cursor=tc1" in key]

    after = counts(sql)
    assert after == {**FIRST_RUN_COUNTS, "tickets__tags": 4, "ticket_events": 5,
                     "ticket_events__child_events": 15}
    # the updated ticket is merged: one row, its latest state and tags
    assert sql(f"select id, count(*) from {DATASET_NAME}.tickets group by id order by id") == [
        (101, 1), (102, 1), (103, 1)
    ]
    assert sql(
        f"select status, updated_at::varchar from {DATASET_NAME}.tickets where id = 102"
    ) == [("solved", "2026-10-13 07:30:00+00")]
    assert sql(
        f"select g.value from {DATASET_NAME}.tickets t join {DATASET_NAME}.tickets__tags g "
        "on g._dlt_parent_id = t._dlt_id where t.id = 102 order by g.value"
    ) == [("login",), ("password_reset",)]
    # the event read again at the boundary second is not duplicated, nor are its child events
    assert sql(f"select count(*) from {DATASET_NAME}.ticket_events where id = 1004") == [(1,)]
    assert sql(
        f"select count(*) from {DATASET_NAME}.ticket_events__child_events where id in (5011, 5012)"
    ) == [(2,)]
    assert sql(
        f"select field_name, value, previous_value, added_tags from "
        f"{DATASET_NAME}.ticket_events__child_events where id in (5013, 5014) order by id"
    ) == [("status", "solved", "pending", None),
          ("tags", '["login", "password_reset"]', '["login"]', '["password_reset"]')]

    # a third run with nothing new changes nothing
    load()
    assert counts(sql) == after


def test_rate_limited_page_is_waited_out(
    load: Callable[[], LoadInfo], sql: Any, fake_zendesk: FakeZendesk,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_zendesk.fail_next(TICKETS_TC1, 429, {"Retry-After": "1"})
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="ingestion.zendesk.client"):
        load()
    assert time.monotonic() - started >= 1.0
    assert fake_zendesk.requests.count(TICKETS_TC1) == 2
    assert counts(sql) == FIRST_RUN_COUNTS
    assert "rate limited by Zendesk (429, Retry-After: 1); waiting 1 s" in caplog.text


def test_two_versions_of_a_ticket_in_one_run_keep_the_latest(
    load: Callable[[], LoadInfo], sql: Any, fake_zendesk: FakeZendesk, tmp_path: Path
) -> None:
    # the export lists a ticket again when it changed while the export ran: here the second page
    # repeats 102 with a later update (served before its older version's page is merged)
    second_page = json.loads((FIXTURES / "tickets_tc1.json").read_text())
    newer = json.loads((FIXTURES / "tickets_tc2_run2.json").read_text())["tickets"][0]
    second_page["tickets"].insert(0, newer)
    page = tmp_path / "tickets_tc1_with_102_again.json"
    page.write_text(json.dumps(second_page))
    fake_zendesk.routes[TICKETS_TC1] = str(page)  # an absolute path wins over FIXTURES
    load()
    assert sql(f"select id, status from {DATASET_NAME}.tickets order by id") == [
        (101, "open"), (102, "solved"), (103, "new")
    ]
    assert sql(
        f"select g.value from {DATASET_NAME}.tickets t join {DATASET_NAME}.tickets__tags g "
        "on g._dlt_parent_id = t._dlt_id where t.id = 102 order by g.value"
    ) == [("login",), ("password_reset",)]
    assert sql(f"select count(*) from {DATASET_NAME}.tickets__tags") == [(4,)]


def _serve_modified(
    fake: FakeZendesk, key: str, tmp_path: Path, change: Callable[[dict], None]
) -> None:
    """Serve a changed copy of the page recorded for ``key``."""
    body = json.loads((FIXTURES / fake.routes[key]).read_text())
    change(body)
    page = tmp_path / f"changed_{len(list(tmp_path.glob('changed_*')))}.json"
    page.write_text(json.dumps(body))
    fake.routes[key] = str(page)  # an absolute path wins over FIXTURES


def test_two_incremental_runs_leave_every_event_once(
    load: Callable[[], LoadInfo], sql: Any, fake_zendesk: FakeZendesk
) -> None:
    # each page ends at its last event's second and the next page (and run) starts there:
    # 1002 comes twice in the first run, 1004 in the first and the second
    load()
    assert fake_zendesk.requests.count(EVENTS_E1) == 1
    load_of_1004 = f"select _dlt_load_id from {DATASET_NAME}.ticket_events where id = 1004"
    first_load_of_1004 = sql(load_of_1004)
    load()
    assert sql(
        f"select count(*), count(distinct id), min(id), max(id) from {DATASET_NAME}.ticket_events"
    ) == [(5, 5, 1001, 1005)]
    assert sql(
        f"select count(*), count(distinct id), min(id), max(id) "
        f"from {DATASET_NAME}.ticket_events__child_events"
    ) == [(15, 15, 5001, 5015)]
    # the repeat of the boundary second was skipped, not loaded again
    assert sql(load_of_1004) == first_load_of_1004


def test_a_repeated_event_that_gets_through_is_merged(
    load: Callable[[], LoadInfo], sql: Any, fake_zendesk: FakeZendesk, tmp_path: Path
) -> None:
    # a server that starts a page earlier than the previous end_time: 1001 comes again in the
    # same load, outside the boundary second, and only the merge on id keeps one of it
    start = json.loads((FIXTURES / "ticket_events_start.json").read_text())
    _serve_modified(fake_zendesk, EVENTS_E1, tmp_path,
                    lambda body: body["ticket_events"].insert(0, start["ticket_events"][0]))
    load()
    assert sql(f"select count(*), count(distinct id) from {DATASET_NAME}.ticket_events") == [(4, 4)]
    assert sql(
        f"select count(*), count(distinct id) from {DATASET_NAME}.ticket_events__child_events"
    ) == [(12, 12)]


def test_a_change_without_a_recognisable_field_is_quarantined_alone(
    load: Callable[[], LoadInfo], sql: Any, fake_zendesk: FakeZendesk, tmp_path: Path
) -> None:
    bad = {"id": 5099, "via": "Web form", "via_reference_id": None, "previous_value": "x",
           "event_type": "Change"}
    _serve_modified(fake_zendesk, EVENTS_E1, tmp_path,
                    lambda body: body["ticket_events"][2]["child_events"].append(bad))
    load()
    (row,) = sql(
        f"select record_index, record_id, raw_text, reason from {DATASET_NAME}.quarantine "
        "where source = 'zendesk.ticket_events'"
    )
    assert row[:2] == (2, "5099") and json.loads(row[2]) == bad
    assert row[3] == (
        "ticket event 1004, child_events[2]: a Change without a recognisable field "
        "(no field_name, no key besides the metadata); the event is loaded without it"
    )
    # the event loaded with its other children
    assert sql(
        f"select c.id from {DATASET_NAME}.ticket_events e join "
        f"{DATASET_NAME}.ticket_events__child_events c on c._dlt_parent_id = e._dlt_id "
        "where e.id = 1004 order by c.id"
    ) == [(5011,), (5012,)]


def test_the_latest_ticket_version_wins_by_generated_timestamp(
    load: Callable[[], LoadInfo], sql: Any, fake_zendesk: FakeZendesk, tmp_path: Path
) -> None:
    newer_102 = json.loads((FIXTURES / "tickets_tc2_run2.json").read_text())["tickets"][0]

    def first_page(body: dict) -> None:
        body["tickets"].insert(0, newer_102)  # served before its older version (out of order)

    def second_page(body: dict) -> None:
        # 101 again: same updated_at, a later generated_timestamp (a system update)
        older_101 = json.loads((FIXTURES / "tickets_start.json").read_text())["tickets"][0]
        body["tickets"].append({**older_101, "priority": "urgent",
                                "generated_timestamp": older_101["generated_timestamp"] + 60})

    _serve_modified(fake_zendesk, TICKETS_START, tmp_path, first_page)
    _serve_modified(fake_zendesk, TICKETS_TC1, tmp_path, second_page)
    load()
    assert sql(
        f"select id, status, priority, generated_timestamp from {DATASET_NAME}.tickets order by id"
    ) == [(101, "open", "urgent", 1791794460), (102, "solved", "high", 1791876600),
          (103, "new", None, 1791806400)]
    assert sql(f"select count(*) from {DATASET_NAME}.tickets__tags") == [(4,)]
    assert describe(sql, "tickets")["generated_timestamp"] == "BIGINT"


def test_csat_lookback_brings_back_a_rating_answered_after_the_run(
    load: Callable[[], LoadInfo], sql: Any, fake_zendesk: FakeZendesk,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCES__ZENDESK__CSAT_LOOKBACK_DAYS", "1")
    load()
    assert sql(
        f"select id, score from {DATASET_NAME}.satisfaction_ratings order by id"
    ) == [(7001, "good"), (7002, "offered"), (7003, "offered")]
    first = len(fake_zendesk.requests)
    load()
    # one day back from the latest updated_at seen (7002, 2026-10-12 16:30): 7003, offered at
    # 14:00 and answered the next morning, is read again and merged
    assert f"{RATINGS}&start_time=1791736200" in fake_zendesk.requested(first)
    assert sql(
        f"select id, score, comment, created_at::varchar, updated_at::varchar "
        f"from {DATASET_NAME}.satisfaction_ratings order by id"
    ) == [
        (7001, "good", "Quick answer, thanks", "2026-10-12 15:00:00+00", "2026-10-12 15:00:00+00"),
        (7002, "offered", None, "2026-10-12 16:30:00+00", "2026-10-12 16:30:00+00"),
        (7003, "bad", "Took three days", "2026-10-12 14:00:00+00", "2026-10-13 08:00:00+00"),
    ]


def test_no_email_address_or_phone_number_is_loaded_in_clear(
    load: Callable[[], LoadInfo], sql: Any
) -> None:
    """Users' e-mail and phone become email_hash / phone_hash (the same person's pseudonym in
    every format), a ticket's via.source addresses address_hash, free text is scrubbed, and no
    table (the quarantine included) holds an address or a number."""
    load()

    def pseudonym(value: str) -> str:
        return pseudonymize(TEST_PSEUDONYM_KEY, value)

    users = describe(sql, "users")
    assert "email" not in users and "phone" not in users
    assert users["email_hash"] == users["phone_hash"] == "VARCHAR"
    assert sql(
        f"select id, email_hash, phone_hash from {DATASET_NAME}.users where id in (301, 302) "
        "order by id"
    ) == [(301, pseudonym("carla@example.com"), None),
          (302, pseudonym("dan@example.com"), pseudonym("+49301234567"))]  # fmt: skip
    assert sql(
        f"select via__source__from__address_hash, via__source__to__address_hash, recipient_hash "
        f"from {DATASET_NAME}.tickets where id = 101"
    ) == [(pseudonym("carla@example.com"), pseudonym("support@acme.example"),
           pseudonym("support@acme.example"))]  # fmt: skip
    assert sql(
        f"select body from {DATASET_NAME}.ticket_events__child_events where id = 5003"
    ) == [("My invoice shows the wrong amount. Call me on [phone] or [phone], [email]",)]
    (user_399,) = sql(
        f"select raw_text from {DATASET_NAME}.quarantine where source = 'zendesk.users'"
    )
    assert json.loads(user_399[0])["email_hash"] == pseudonym("eve@example.com")
    assert_no_clear_contact_data(sql, DATASET_NAME)



def test_credentials_are_stored_nowhere(load: Callable[[], LoadInfo], tmp_path: Path) -> None:
    """Neither the API token nor the Basic header built from it is in any file the load leaves:
    the warehouse, dlt's pipeline state and schemas, its logs."""
    load()
    secrets = [API_TOKEN.encode(), base64.b64encode(f"{EMAIL}/token:{API_TOKEN}".encode())]
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert any(path.name == "warehouse.duckdb" for path in files)
    assert any("pipelines" in path.parts for path in files)
    for path in files:
        content = path.read_bytes()
        assert not any(secret in content for secret in secrets), path
