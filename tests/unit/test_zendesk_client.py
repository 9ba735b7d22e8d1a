"""Unit tests of the Zendesk client pieces: paginators (on hand-made responses), the retrying
adapter (429 / Retry-After, 5xx, connection errors) against a scripted HTTP server on 127.0.0.1,
error messages, settings, record checks and the export time arithmetic."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from requests import Request, Response

from ingestion.zendesk import zendesk
from ingestion.zendesk.client import (
    MAX_RETRY_AFTER_SECONDS,
    RetryingAdapter,
    ZendeskApiError,
    ZendeskConfigError,
    ZendeskConnection,
    backoff_seconds,
    raise_for_zendesk_status,
    resolve_base_url,
    retry_after_seconds,
)
from ingestion.zendesk.paginators import (
    CursorExportPaginator,
    TimeExportPaginator,
    cursor_pagination,
)
from ingestion.zendesk.records import (
    child_values_as_text,
    export_start_time,
    lookback_start_time,
    normalize_ticket_event,
    split_page,
    ticket_version_filled,
    to_unix,
)
from models.helpdesk import Holiday, Ticket, TicketEvent

NOW = dt.datetime(2026, 10, 12, 9, 0, tzinfo=dt.UTC)
TOKEN = "t0p-s3cret"


@pytest.fixture(autouse=True)
def _no_telemetry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")


def response(body: Any, url: str, status: int = 200) -> Response:
    """A requests Response as the client would receive it."""
    resp = Response()
    resp.status_code = status
    resp._content = json.dumps(body).encode()
    resp.url = url
    resp.request = requests.Request("GET", url).prepare()
    return resp


# --- paginators ------------------------------------------------------------------------------


def test_cursor_export_follows_after_cursor_until_end_of_stream() -> None:
    paginator = CursorExportPaginator()
    request = Request("GET", "https://x.zendesk.com/api/v2/incremental/tickets/cursor.json",
                      params={"start_time": 1790812800, "per_page": 2})
    paginator.init_request(request)

    first = response({"tickets": [{"id": 1}], "after_cursor": "c1", "end_of_stream": False},
                     "https://x/api?start_time=1790812800")
    paginator.update_state(first, [{"id": 1}])
    paginator.update_request(request)
    assert paginator.has_next_page
    assert request.params == {"per_page": 2, "cursor": "c1"}  # start_time dropped for a cursor
    assert paginator.after_cursor == "c1"

    last = response({"tickets": [{"id": 2}], "after_cursor": "c2", "end_of_stream": True},
                    "https://x/api?cursor=c1")
    paginator.update_state(last, [{"id": 2}])
    assert not paginator.has_next_page
    assert paginator.after_cursor == "c2"  # where the next run continues


def test_cursor_export_keeps_the_last_cursor_when_a_page_names_none() -> None:
    paginator = CursorExportPaginator()
    paginator.update_state(
        response({"tickets": [], "after_cursor": "c1", "end_of_stream": False}, "https://x/a"), []
    )
    paginator.update_state(
        response({"tickets": [], "after_cursor": None, "end_of_stream": True}, "https://x/a"), []
    )
    assert paginator.after_cursor == "c1" and not paginator.has_next_page


def test_cursor_export_stops_when_the_cursor_does_not_move() -> None:
    paginator = CursorExportPaginator()
    page = response({"users": [], "after_cursor": "c1", "end_of_stream": False},
                    "https://x/api?cursor=c1")
    paginator.update_state(page, [])
    assert not paginator.has_next_page


def test_time_export_follows_next_page_and_keeps_end_time() -> None:
    paginator = TimeExportPaginator()
    request = Request("GET", "https://x/api/v2/incremental/ticket_events.json",
                      params={"start_time": 100, "include": "comment_events"})
    paginator.init_request(request)
    page = response({"ticket_events": [{"id": 1}], "end_time": 200, "end_of_stream": False,
                     "next_page": "https://x/api/v2/incremental/ticket_events.json?start_time=200"},
                    "https://x/api/v2/incremental/ticket_events.json?start_time=100")
    paginator.update_state(page, [{"id": 1}])
    paginator.update_request(request)
    assert paginator.has_next_page and paginator.end_time == 200
    assert request.url == "https://x/api/v2/incremental/ticket_events.json?start_time=200"
    assert request.params == {"include": "comment_events"}  # carried over, start_time not

    last = response({"ticket_events": [], "end_time": 300, "end_of_stream": True,
                     "next_page": "https://x/api/v2/incremental/ticket_events.json?start_time=300"},
                    request.url)
    paginator.update_state(last, [])
    assert not paginator.has_next_page and paginator.end_time == 300


def test_time_export_moves_on_when_a_full_page_holds_only_the_requested_second(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Zendesk's end_time is the last item's timestamp: a page that one second fills would lead
    # back to itself; that second was served whole, so the export goes on one second later
    paginator = TimeExportPaginator()
    url = "https://x/e.json?start_time=500&include=comment_events"
    page = response({"end_time": 500, "end_of_stream": False, "next_page": url}, url)
    with caplog.at_level(logging.WARNING):
        paginator.update_state(page, [{"id": 1, "timestamp": 500}, {"id": 2, "timestamp": 500}])
    request = Request("GET", url)
    paginator.update_request(request)
    assert paginator.has_next_page and paginator.end_time == 501
    assert dict(parse_qsl(urlsplit(request.url).query)) == {
        "start_time": "501", "include": "comment_events"}
    assert "does not move past start_time=500" in caplog.text
    # an empty page that leads back to itself ends the export
    stuck = TimeExportPaginator()
    same = {"end_time": 500, "end_of_stream": False, "next_page": url}
    stuck.update_state(response(same, url), [])
    assert not stuck.has_next_page


def test_time_export_does_not_repeat_params_already_in_next_page() -> None:
    paginator = TimeExportPaginator()
    params = {"start_time": 1, "include": "comment_events"}
    request = Request("GET", "https://x/e.json", params=params)
    paginator.init_request(request)
    next_page = "https://x/e.json?start_time=2&include=comment_events"
    page = response({"end_time": 2, "end_of_stream": False, "next_page": next_page},
                    "https://x/e.json?start_time=1")
    paginator.update_state(page, [{"id": 1}])
    paginator.update_request(request)
    assert request.params is None


def test_cursor_pagination_sends_page_after_until_has_more_is_false() -> None:
    paginator = cursor_pagination()
    request = Request("GET", "https://x/api/v2/groups.json", params={"page[size]": 100})
    more = {"groups": [{}], "meta": {"has_more": True, "after_cursor": "g1"}}
    paginator.update_state(response(more, "https://x/g"), [{}])
    paginator.update_request(request)
    assert paginator.has_next_page
    assert request.params == {"page[size]": 100, "page[after]": "g1"}
    done = {"groups": [{}], "meta": {"has_more": False, "after_cursor": "g2"}}
    paginator.update_state(response(done, "https://x/g"), [{}])
    assert not paginator.has_next_page


# --- retry arithmetic --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("1", 1.0),
        ("37", 37.0),
        ("0", 1.0),  # never a tight loop
        ("86400", MAX_RETRY_AFTER_SECONDS),  # capped
        (None, 60.0),  # no header: Zendesk's one-minute window
        ("soon", 60.0),
        ("Mon, 12 Oct 2026 09:00:30 GMT", 30.0),  # an HTTP date
    ],
)
def test_retry_after_seconds(header: str | None, expected: float) -> None:
    assert retry_after_seconds(header, now=NOW.timestamp) == pytest.approx(expected)


def test_backoff_doubles_up_to_a_cap() -> None:
    assert [backoff_seconds(n, 1.0, 5.0) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]


# --- the retrying adapter against a scripted server ----------------------------------------------


class ScriptedServer:
    """Answers requests from a script of (status, headers, body); the last entry repeats."""

    def __init__(self, script: list[tuple[int, dict[str, str], dict[str, Any]]]) -> None:
        self.script = list(script)
        self.seen: list[tuple[str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                server.seen.append((self.path, self.headers.get("Authorization")))
                status, headers, body = (
                    server.script.pop(0) if len(server.script) > 1 else server.script[0]
                )
                data = json.dumps(body).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> ScriptedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """Record the adapter's waits instead of sleeping."""
    waits: list[float] = []
    monkeypatch.setattr(RetryingAdapter, "__init__", _patched_init(waits))
    yield waits


def _patched_init(waits: list[float]) -> Any:
    original = RetryingAdapter.__init__

    def init(self: RetryingAdapter, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.sleep = waits.append

    return init


def connection(url: str, max_attempts: int = 4) -> ZendeskConnection:
    return ZendeskConnection(base_url=url, email="agent@example.com", api_token=TOKEN,
                             max_attempts=max_attempts)


def pages(conn: ZendeskConnection, path: str = "/api/v2/groups.json") -> list[list[Any]]:
    client = conn.client()
    return [
        list(page)
        for page in client.paginate(path, data_selector="groups", paginator=cursor_pagination(),
                                    hooks={"response": [raise_for_zendesk_status]})
    ]


GROUPS_PAGE = {"groups": [{"id": 1}], "meta": {"has_more": False, "after_cursor": None}}


def test_429_is_waited_out_with_retry_after_and_never_fails(
    sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    limited = (429, {"Retry-After": "7"}, {"error": "APIRateLimitExceeded"})
    # more 429s than max_attempts: rate limits do not use up the attempts
    script = [limited] * 6 + [(200, {}, GROUPS_PAGE)]
    with ScriptedServer(script) as server, caplog.at_level(logging.DEBUG):
        assert pages(connection(server.url, max_attempts=2)) == [[{"id": 1}]]
    assert sleeps == [7.0] * 6
    assert len(server.seen) == 7
    assert caplog.text.count("rate limited by Zendesk (429, Retry-After: 7); waiting 7 s") == 6
    expected = "Basic " + base64.b64encode(f"agent@example.com/token:{TOKEN}".encode()).decode()
    assert {auth for _, auth in server.seen} == {expected}
    assert TOKEN not in caplog.text and expected not in caplog.text


def test_a_long_retry_after_is_capped_and_logged(
    sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    script = [(429, {"Retry-After": "3600"}, {}), (200, {}, GROUPS_PAGE)]
    with ScriptedServer(script) as server, caplog.at_level(logging.WARNING):
        pages(connection(server.url))
    assert sleeps == [MAX_RETRY_AFTER_SECONDS]
    assert "capped at 300 s" in caplog.text


def test_5xx_is_retried_with_backoff_then_succeeds(sleeps: list[float]) -> None:
    script = [(503, {}, {})] * 3 + [(200, {}, GROUPS_PAGE)]
    with ScriptedServer(script) as server:
        assert pages(connection(server.url, max_attempts=4)) == [[{"id": 1}]]
    assert sleeps == [1.0, 2.0, 4.0]


def test_5xx_gives_up_after_max_attempts_naming_the_endpoint(sleeps: list[float]) -> None:
    with ScriptedServer([(502, {}, {"error": "bad gateway"})]) as server:
        with pytest.raises(ZendeskApiError) as caught:
            pages(connection(server.url, max_attempts=3), "/api/v2/groups.json")
    assert len(server.seen) == 3 and sleeps == [1.0, 2.0]
    message = str(caught.value)
    assert f"GET {server.url}/api/v2/groups.json: HTTP 502 after 3 attempts" in message
    assert "bad gateway" in message and TOKEN not in message


def test_connection_errors_are_retried_then_name_the_endpoint(sleeps: list[float]) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ZendeskApiError, match=r"GET http://127\.0\.0\.1:\d+/api/v2/groups\.json: "
                                               r"no answer after 3 attempts \(ConnectionError"):
        pages(connection(f"http://127.0.0.1:{port}", max_attempts=3))
    assert sleeps == [1.0, 2.0]


def test_401_fails_at_once_with_a_hint_and_without_the_token(sleeps: list[float]) -> None:
    with ScriptedServer([(401, {}, {"error": "Couldn't authenticate you"})]) as server:
        with pytest.raises(ZendeskApiError) as caught:
            pages(connection(server.url))
    assert len(server.seen) == 1 and sleeps == []
    assert "HTTP 401: the credentials were refused" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_connection_repr_hides_the_token() -> None:
    assert TOKEN not in repr(connection("https://x.zendesk.com"))


# --- settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subdomain", "expected"),
    [("acme", "https://acme.zendesk.com"), ("ACME.zendesk.com", "https://acme.zendesk.com"),
     ("https://acme-eu.zendesk.com/", "https://acme-eu.zendesk.com")],
)
def test_base_url_from_subdomain(subdomain: str, expected: str) -> None:
    assert resolve_base_url(subdomain, None) == expected


def test_base_url_overrides_subdomain() -> None:
    assert resolve_base_url("acme", "http://127.0.0.1:8089/") == "http://127.0.0.1:8089"


@pytest.mark.parametrize("subdomain", ["acme corp", "-acme", "acme.example.com"])
def test_invalid_subdomain_is_refused(subdomain: str) -> None:
    with pytest.raises(ZendeskConfigError, match="not valid"):
        resolve_base_url(subdomain, None)


@pytest.fixture
def no_zendesk_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("SUBDOMAIN", "EMAIL", "API_TOKEN", "BASE_URL", "START_DATE"):
        monkeypatch.delenv(f"SOURCES__ZENDESK__{name}", raising=False)
    return monkeypatch


def test_missing_settings_say_what_to_set(no_zendesk_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ZendeskConfigError, match="subdomain is missing: set SOURCES__ZENDESK__SUB"):
        zendesk()
    no_zendesk_env.setenv("SOURCES__ZENDESK__SUBDOMAIN", "acme")
    with pytest.raises(ZendeskConfigError, match="email and api_token missing: set "):
        zendesk()
    no_zendesk_env.setenv("SOURCES__ZENDESK__EMAIL", "agent@example.com")
    with pytest.raises(ZendeskConfigError, match="api_token missing.*SOURCES__ZENDESK__API_TOKEN"):
        zendesk()


def test_settings_from_environment(no_zendesk_env: pytest.MonkeyPatch) -> None:
    no_zendesk_env.setenv("SOURCES__ZENDESK__SUBDOMAIN", "acme")
    no_zendesk_env.setenv("SOURCES__ZENDESK__EMAIL", "agent@example.com")
    no_zendesk_env.setenv("SOURCES__ZENDESK__API_TOKEN", TOKEN)
    source = zendesk()
    assert set(source.resources) == {
        "tickets", "ticket_events", "users", "groups", "satisfaction_ratings", "sla_policies",
        "schedules", "schedule_holidays", "quarantine",
    }
    with pytest.raises(ZendeskConfigError, match="not an ISO date"):
        zendesk(start_date="last tuesday")


def test_csat_lookback_days_is_checked(no_zendesk_env: pytest.MonkeyPatch) -> None:
    # read from config: the integration test loads with SOURCES__ZENDESK__CSAT_LOOKBACK_DAYS=1
    no_zendesk_env.setenv("SOURCES__ZENDESK__EMAIL", "agent@example.com")
    no_zendesk_env.setenv("SOURCES__ZENDESK__API_TOKEN", TOKEN)
    assert "satisfaction_ratings" in zendesk(base_url="http://x", csat_lookback_days=0).resources
    with pytest.raises(ZendeskConfigError, match="csat_lookback_days -1 is not a whole number"):
        zendesk(base_url="http://127.0.0.1:1", csat_lookback_days=-1)
    no_zendesk_env.setenv("SOURCES__ZENDESK__CSAT_LOOKBACK_DAYS", "two weeks")
    with pytest.raises(Exception, match="csat_lookback_days. cannot be coerced"):  # dlt says it
        zendesk(base_url="http://127.0.0.1:1")


# --- records and export times ------------------------------------------------------------------


def test_split_page_types_good_records_and_quarantines_bad_ones() -> None:
    records = [
        {"id": 1, "created_at": "2026-10-12T08:03:11Z", "updated_at": "2026-10-12T08:03:11Z",
         "status": "open", "via": {"channel": "email", "source": {"rel": None}}, "custom": "kept"},
        {"created_at": "2026-10-12T08:03:11Z", "updated_at": "2026-10-12T08:03:11Z"},
        {"id": 3, "created_at": "2026-10-12 08:03", "updated_at": "2026-10-12T08:03:11Z"},
        "not an object",
    ]
    split = split_page(records, Ticket, source="zendesk.tickets", location="https://x/p?cursor=c",
                       at=NOW)
    (row,) = split.rows
    assert row["created_at"] == dt.datetime(2026, 10, 12, 8, 3, 11, tzinfo=dt.UTC)
    assert row["via"] == {"channel": "email", "source": {"rel": None}} and row["custom"] == "kept"
    assert "tags" not in row  # nothing added that the API did not send
    reasons = {q["record_index"]: (q["record_id"], q["reason"]) for q in split.quarantined}
    assert reasons[1] == (None, "id: Field required")
    assert reasons[2][0] == "3"
    assert reasons[2][1].startswith("created_at: Input should have timezone info")
    assert reasons[3] == (None, "record is a JSON str, not an object")
    assert {q["location"] for q in split.quarantined} == {"https://x/p?cursor=c"}
    assert json.loads(split.quarantined[0]["raw_text"])["updated_at"] == "2026-10-12T08:03:11Z"


def test_a_bad_child_event_quarantines_its_event_and_names_it() -> None:
    event = {"id": 9, "ticket_id": 1, "timestamp": 1, "created_at": "2026-10-12T08:00:00Z",
             "child_events": [{"id": 1, "event_type": "Change"}, {"event_type": "Comment"}]}
    split = split_page([event], TicketEvent, source="zendesk.ticket_events", location="u", at=NOW)
    assert split.rows == []
    assert split.quarantined[0]["reason"] == "child_events[1].id: Field required"


def test_child_values_become_text() -> None:
    row = {"id": 1, "child_events": [
        {"field_name": "status", "value": "solved", "previous_value": None},
        {"field_name": "tags", "value": ["a", "b"], "previous_value": [], "added_tags": ["b"],
         "removed_tags": []},
        {"field_name": "x", "value": 5, "previous_value": True},
    ]}
    children = child_values_as_text(row)["child_events"]
    values = [(c["value"], c["previous_value"]) for c in children]
    assert values == [("solved", None), ('["a", "b"]', "[]"), ("5", "true")]
    assert (children[1]["added_tags"], children[1]["removed_tags"]) == ('["b"]', "[]")


def event(*children: dict[str, Any]) -> dict[str, Any]:
    return {"id": 9, "ticket_id": 1, "timestamp": 1, "created_at": "2026-10-12T08:00:00Z",
            "event_type": "Audit", "via": "Web form", "child_events": list(children)}


META = {"via": "Web form", "via_reference_id": None}


def test_export_shape_children_become_field_name_and_value() -> None:
    record = event(
        {"id": 1, **META, "status": "new", "event_type": "Create"},
        {"id": 2, **META, "group_id": 11, "event_type": "Create"},
        {"id": 3, **META, "status": "open", "previous_value": "new", "event_type": "Change"},
        {"id": 4, **META, "tags": ["a", "b"], "added_tags": ["b"], "removed_tags": [],
         "previous_value": ["a"], "event_type": "Change"},
        {"id": 5, **META, "type": "Comment", "author_id": 7, "body": "Hi", "html_body": "<p>Hi</p>",
         "public": True, "attachments": [], "audit_id": 9, "created_at": "2026-10-12T08:00:00Z",
         "event_type": "Comment"},
    )
    normalized, rejected = normalize_ticket_event(record)
    assert rejected == []
    children = normalized["child_events"]
    assert [(c["event_type"], c.get("field_name"), c.get("value"), c.get("previous_value"))
            for c in children] == [
        ("Create", "status", "new", None), ("Create", "group_id", 11, None),
        ("Change", "status", "open", "new"), ("Change", "tags", ["a", "b"], ["a"]),
        ("Comment", None, None, None)]
    # the field's own key is gone (no column per ticket field), the metadata stays
    assert "status" not in children[0] and "tags" not in children[3]
    assert children[3]["added_tags"] == ["b"] and children[0]["via"] == "Web form"
    assert children[4] == record["child_events"][4]
    assert record["child_events"][0]["status"] == "new"           # the record sent is not changed
    split = split_page([record], TicketEvent, source="zendesk.ticket_events", location="u", at=NOW,
                       normalize=normalize_ticket_event, to_row=child_values_as_text)
    assert [(c.get("field_name"), c.get("value")) for c in split.rows[0]["child_events"]] == [
        ("status", "new"), ("group_id", "11"), ("status", "open"), ("tags", '["a", "b"]'),
        (None, None)]


def test_audits_api_shape_children_load_as_they_are() -> None:
    record = event(
        {"id": 1, "type": "Change", "field_name": "status", "value": "open",
         "previous_value": "new"},
        {"id": 2, "type": "Comment", "author_id": 7, "public": False, "body": "note"},
    )
    normalized, rejected = normalize_ticket_event(record)
    assert rejected == []
    assert normalized["child_events"] == [
        {"id": 1, "type": "Change", "event_type": "Change", "field_name": "status",
         "value": "open", "previous_value": "new"},
        {"id": 2, "type": "Comment", "event_type": "Comment", "author_id": 7, "public": False,
         "body": "note"},
    ]


@pytest.mark.parametrize(
    ("child", "why"),
    [({"id": 3, **META, "previous_value": "x", "event_type": "Change"},
      "no key besides the metadata"),
     ({"id": 3, **META, "status": "open", "priority": "high", "event_type": "Change"},
      "several candidate keys: priority, status")],
)
def test_a_change_without_a_recognisable_field_is_quarantined_alone(
    child: dict[str, Any], why: str
) -> None:
    record = event({"id": 1, **META, "status": "new", "event_type": "Create"}, child,
                   {"id": 4, "type": "Comment", "author_id": 7, "public": True, "body": "Hi",
                    "event_type": "Comment"})
    split = split_page(["not an event", record], TicketEvent, source="zendesk.ticket_events",
                       location="u", at=NOW, normalize=normalize_ticket_event,
                       to_row=child_values_as_text)
    (row,) = split.rows
    assert [c["id"] for c in row["child_events"]] == [1, 4]        # the event loads without it
    bad = split.quarantined[1]
    assert (bad["record_index"], bad["record_id"]) == (1, "3")
    assert json.loads(bad["raw_text"]) == child
    assert bad["reason"] == (f"ticket event 9, child_events[1]: a Change without a recognisable "
                             f"field (no field_name, {why}); the event is loaded without it")


def test_an_invalid_event_is_quarantined_whole_with_the_index_as_sent() -> None:
    record = event({"id": 1, **META, "previous_value": "x", "event_type": "Change"},
                   {"id": "two", **META, "status": "open", "event_type": "Change"})
    split = split_page([record], TicketEvent, source="zendesk.ticket_events", location="u",
                       at=NOW, normalize=normalize_ticket_event)
    assert split.rows == []
    (bad,) = split.quarantined                                    # one row: the event, as sent
    assert bad["record_id"] == "9" and json.loads(bad["raw_text"]) == record
    assert bad["reason"].startswith("child_events[1].id: Input should be a valid integer")


def test_a_ticket_without_generated_timestamp_gets_its_updated_at() -> None:
    updated = dt.datetime(2026, 10, 12, 8, 40, tzinfo=dt.UTC)
    assert ticket_version_filled({"id": 1, "updated_at": updated})["generated_timestamp"] == int(
        updated.timestamp())
    assert ticket_version_filled({"id": 1, "updated_at": updated, "generated_timestamp": 5}) == {
        "id": 1, "updated_at": updated, "generated_timestamp": 5}


def test_lookback_start_time() -> None:
    now = NOW.timestamp()
    start = to_unix("2026-09-01")
    assert lookback_start_time(None, start, 14, now) == start                  # first run
    seen = "2026-10-10T12:00:00+00:00"
    assert lookback_start_time(seen, start, 14, now) == to_unix("2026-09-26T12:00:00Z")
    assert lookback_start_time(seen, start, 0, now) == to_unix(seen)
    assert lookback_start_time(seen, start, 60, now) == start                  # not before start
    assert lookback_start_time("2026-10-12T09:00:00+00:00", start, 0, now) == int(now) - 60


def test_extra_fields_are_added_before_the_check() -> None:
    holiday = {"id": 1, "name": "X", "start_date": "2026-12-24", "end_date": "2026-12-26"}
    split = split_page([holiday], Holiday, source="zendesk.schedule_holidays", location="u", at=NOW,
                       extra={"schedule_id": 4})
    assert split.rows[0]["schedule_id"] == 4
    assert split.rows[0]["start_date"] == dt.date(2026, 12, 24)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2026-10-01", 1790812800), ("2026-10-01T02:00:00+02:00", 1790812800),
     ("1790812800", 1790812800), (dt.date(2026, 10, 1), 1790812800), (1790812800, 1790812800)],
)
def test_to_unix(value: Any, expected: int) -> None:
    assert to_unix(value) == expected


def test_export_start_time_is_at_least_a_minute_old() -> None:
    now = NOW.timestamp()
    assert export_start_time(1790812800, now) == 1790812800
    assert export_start_time(int(now), now) == int(now) - 60
    assert export_start_time(int(now) + 3600, now) == int(now) - 60
