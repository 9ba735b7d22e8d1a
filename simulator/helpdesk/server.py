"""A local Zendesk: the endpoints of docs/helpdesk_api.md, served from simulated helpdesk data.

    with serve_helpdesk(data, port=0) as server:      # port 0: a free port is picked
        requests.get(f"{server.base_url}/api/v2/groups.json", auth=(f"{DEFAULT_EMAIL}/token", DEFAULT_TOKEN))

Standard library only (`http.server.ThreadingHTTPServer`), bound to 127.0.0.1. What it does as
Zendesk does: HTTP Basic auth with `{email}/token:{api_token}` (401 otherwise); the cursor
exports of tickets and users (`start_time`, then `cursor=<after_cursor>`, `per_page` up to 1000,
`end_of_stream`), the time-based export of ticket events (`start_time`, `include=comment_events`,
`next_page`, `end_time`, `end_of_stream`), cursor pagination of groups and satisfaction ratings
(`page[size]` up to 100, `page[after]`, `meta.has_more`, `links.next`), and single pages for SLA
policies, schedules and holidays. Choices where Zendesk leaves room (see docs/simulator.md):

- Items are in (updated_at, id) order in the cursor exports and (timestamp, id) order in the
  event export; `start_time` keeps the items updated (events: happened) at or after it.
- A time-based page never splits one second: it ends before the second that would be cut (or
  holds all of that second's events when they alone exceed the page). As Zendesk's, `end_time` is
  the timestamp of the page's last event, and the next page and the next run start there: the
  events of that second are served again (clients de-duplicate by id). A page that holds one
  second only and is not the last moves on to the next second (`end_time` + 1), so an export
  always ends. An empty page keeps `end_time` = `start_time`.
- The data is served "as of" a moment (`server.as_of`, default: the end of the simulated
  period): nothing that happened later is visible, tickets and users show the state they had
  then. Moving `as_of` forward between two runs is an incremental load.
- `rate_limit_on`: request numbers (1 = the first request the server receives, counted before
  authentication) answered `429 Too Many Requests` with `Retry-After`.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from simulator.helpdesk.data import HelpdeskData, HelpdeskView, TicketEvent

DEFAULT_EMAIL = "simulator@helpdesk.example.com"
DEFAULT_TOKEN = "simulated-api-token"
DEFAULT_CREDENTIALS: tuple[tuple[str, str], ...] = ((DEFAULT_EMAIL, DEFAULT_TOKEN),)
EXPORT_PAGE_LIMIT = 1000
CURSOR_PAGE_LIMIT = 100

Answer = tuple[int, dict[str, str], dict[str, Any]]


class ApiError(Exception):
    """An error answer: HTTP status and Zendesk's {"error", "description"} body."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.body = {"error": error, "description": description}


class HelpdeskServer(ThreadingHTTPServer):
    """The HTTP server; `start()` serves in a background thread, `stop()` ends it for good."""

    daemon_threads = True

    def __init__(self, data: HelpdeskData, port: int = 0, *, host: str = "127.0.0.1",
                 credentials: Iterable[tuple[str, str]] = DEFAULT_CREDENTIALS, as_of: int | datetime | None = None,
                 rate_limit_on: Iterable[int] = (), retry_after: int = 1,
                 export_page_size: int = EXPORT_PAGE_LIMIT) -> None:
        super().__init__((host, port), _Handler)
        self.data = data
        self.credentials = frozenset((email, token) for email, token in credentials)
        self.rate_limit_on = frozenset(int(n) for n in rate_limit_on)
        self.retry_after = int(retry_after)
        self.export_page_size = min(int(export_page_size), EXPORT_PAGE_LIMIT)
        self.request_count = 0
        # (path with query, status) of the latest requests, in arrival order (for tests and demos)
        self.requests: deque[tuple[str, int]] = deque(maxlen=10_000)
        self._lock = threading.Lock()
        self._as_of = _epoch(as_of)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def as_of(self) -> int:
        """The moment the data is served as of (Unix seconds); None sets the period's end."""
        return self.data.horizon if self._as_of is None else self._as_of

    @as_of.setter
    def as_of(self, value: int | datetime | None) -> None:
        with self._lock:
            self._as_of = _epoch(value)

    def view(self) -> HelpdeskView:
        with self._lock:
            return self.data.view(self._as_of)

    def start(self) -> HelpdeskServer:
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="helpdesk-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket (idempotent)."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self.server_close()

    def count_request(self) -> int:
        with self._lock:
            self.request_count += 1
            return self.request_count

    def record(self, path: str, status: int) -> None:
        with self._lock:
            self.requests.append((path, status))


def _epoch(value: int | datetime | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("as_of must be timezone-aware")
        return int(value.timestamp())
    return int(value)


@contextmanager
def serve_helpdesk(data: HelpdeskData | Path | str, port: int = 0, **options: Any) -> Iterator[HelpdeskServer]:
    """Serve `data` (or a saved `<out>/helpdesk/` folder) on 127.0.0.1 while the block runs.

    Options are those of `HelpdeskServer` (host, credentials, as_of, rate_limit_on, retry_after,
    export_page_size). The server is stopped and its port closed however the block ends.
    """
    if not isinstance(data, HelpdeskData):
        data = HelpdeskData.load(data)
    server = HelpdeskServer(data, port, **options)
    try:
        server.start()
        yield server
    finally:
        server.stop()


class _Handler(BaseHTTPRequestHandler):
    server: HelpdeskServer
    protocol_version = "HTTP/1.0"        # one request per connection: nothing outlives stop()
    server_version = "SimulatedZendesk/1"

    def log_message(self, format: str, *args: Any) -> None:   # noqa: A002 - the base class's name
        """Quiet: the server keeps `requests` instead of writing to stderr."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        number = self.server.count_request()
        try:
            if number in self.server.rate_limit_on:
                raise _RateLimited
            self._authenticate()
            status, headers, body = answer(self.server, self.path)
        except _RateLimited:
            status, headers = 429, {"Retry-After": str(self.server.retry_after)}
            body = {"error": "APIRateLimitExceeded",
                    "description": "Number of allowed API requests per minute exceeded"}
        except ApiError as error:
            status, body = error.status, error.body
            headers = {"WWW-Authenticate": 'Basic realm="Web"'} if status == 401 else {}
        self._send(status, headers, body)

    def _other_method(self) -> None:
        self.server.count_request()
        self._send(405, {"Allow": "GET"}, {"error": "MethodNotAllowed", "description": "The simulator only reads"})

    do_POST = do_PUT = do_PATCH = do_DELETE = _other_method  # noqa: N815

    def _authenticate(self) -> None:
        header = self.headers.get("Authorization", "")
        scheme, _, encoded = header.partition(" ")
        try:
            user, _, token = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user, token = "", ""
        email, _, kind = user.rpartition("/")
        if scheme.lower() != "basic" or kind != "token" or (email, token) not in self.server.credentials:
            raise ApiError(401, "Couldn't authenticate you", "Use {email}/token and an API token (HTTP Basic)")

    def _send(self, status: int, headers: dict[str, str], body: dict[str, Any]) -> None:
        payload = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        self.server.record(self.path, status)
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


class _RateLimited(Exception):
    pass


# -- routing and pages (pure functions of the server's settings and view) ----------------------

def answer(server: HelpdeskServer, raw_path: str) -> Answer:
    """The answer to an authenticated GET of `raw_path` (path and query)."""
    parts = urlsplit(raw_path)
    params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    path = parts.path.rstrip("/")
    view = server.view()
    base = server.base_url
    if path == "/api/v2/incremental/tickets/cursor.json":
        return _cursor_export(view.tickets, "tickets", "tickets", params, base, path, server.export_page_size)
    if path == "/api/v2/incremental/users/cursor.json":
        return _cursor_export(view.users, "users", "users", params, base, path, server.export_page_size)
    if path == "/api/v2/incremental/ticket_events.json":
        return _time_export(view, params, base, path, server.export_page_size)
    if path == "/api/v2/groups.json":
        items = [(g["id"], g) for g in view.groups]
        return _cursor_pages(items, "groups", "groups", params, base, path)
    if path == "/api/v2/satisfaction_ratings.json":
        start = _int_param(params, "start_time")
        items = [(rid, r) for updated, rid, r in view.satisfaction_ratings if start is None or updated >= start]
        return _cursor_pages(items, "satisfaction_ratings", "satisfaction_ratings", params, base, path)
    if path == "/api/v2/slas/policies.json":
        policies = [_with_url(p, base, "slas/policies") for p in view.sla_policies]
        return 200, {}, {"sla_policies": policies, "next_page": None, "previous_page": None, "count": len(policies)}
    if path == "/api/v2/business_hours/schedules.json":
        return 200, {}, {"schedules": list(view.schedules)}
    prefix, suffix = "/api/v2/business_hours/schedules/", "/holidays.json"
    if path.startswith(prefix) and path.endswith(suffix):
        schedule_id = path[len(prefix):-len(suffix)]
        if schedule_id not in view.holidays or not any(str(s["id"]) == schedule_id for s in view.schedules):
            raise ApiError(404, "RecordNotFound", f"No schedule {schedule_id}")
        return 200, {}, {"holidays": list(view.holidays[schedule_id])}
    raise ApiError(404, "InvalidEndpoint", f"Not found: {path}")


def _int_param(params: dict[str, str], name: str, default: int | None = None, *, lo: int | None = None,
               hi: int | None = None) -> int | None:
    if name not in params:
        return default
    try:
        value = int(params[name])
    except ValueError:
        raise ApiError(400, "InvalidValue", f"{name} must be an integer, got {params[name]!r}") from None
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ApiError(400, "InvalidValue", f"{name} must be between {lo} and {hi}, got {value}")
    return value


def _url(base: str, path: str, query: dict[str, Any]) -> str:
    return f"{base}{path}?{urlencode({k: v for k, v in query.items() if v is not None})}"


def _with_url(item: dict, base: str, resource: str) -> dict:
    return {"url": f"{base}/api/v2/{resource}/{item['id']}.json", **item}


def _encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("ascii")).decode("ascii")


def _decode(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        raise ApiError(400, "InvalidPaginationParameter", f"cursor {cursor!r} is not valid") from None


def _export_cursor(position: tuple[int, int]) -> str:
    return _encode(f"{position[0]}.0||{position[1]}|")


def _export_position(cursor: str) -> tuple[int, int]:
    text = _decode(cursor)
    try:
        stamp, rest = text.split("||", 1)
        return int(float(stamp)), int(rest.rstrip("|"))
    except ValueError:
        raise ApiError(400, "InvalidPaginationParameter", f"cursor {cursor!r} is not valid") from None


def _cursor_export(items: list[tuple[int, int, dict]], key: str, resource: str, params: dict[str, str],
                   base: str, path: str, page_size: int) -> Answer:
    """Incremental cursor export: items after the cursor's (updated_at, id), or updated >= start_time."""
    limit = _int_param(params, "per_page", page_size, lo=1, hi=EXPORT_PAGE_LIMIT)
    if "cursor" in params:
        position = _export_position(params["cursor"])
    elif "start_time" in params:
        position = (_int_param(params, "start_time", lo=0), 0)     # ids are > 0: every item of that second
    else:
        raise ApiError(400, "InvalidValue", "start_time or cursor is required")
    first = bisect.bisect_right(items, position, key=lambda item: (item[0], item[1]))
    page = items[first:first + limit]
    end_of_stream = first + limit >= len(items)
    cursor = _export_cursor((page[-1][0], page[-1][1]) if page else position)
    query = {"cursor": cursor, "per_page": params.get("per_page")}
    return 200, {}, {
        key: [_with_url(item, base, resource) for _, _, item in page],
        "after_url": _url(base, path, query), "after_cursor": cursor,
        "before_url": None, "before_cursor": None, "end_of_stream": end_of_stream,
    }


def _time_export(view: HelpdeskView, params: dict[str, str], base: str, path: str, page_size: int) -> Answer:
    """Time-based export of ticket events (see the module docstring for the page boundaries)."""
    if "start_time" not in params:
        raise ApiError(400, "InvalidValue", "start_time is required")
    start = _int_param(params, "start_time", lo=0)
    limit = _int_param(params, "per_page", page_size, lo=1, hi=EXPORT_PAGE_LIMIT)
    include = params.get("include", "")
    comments = "comment_events" in include.split(",")
    events = view.ticket_events
    stamp = _stamp
    first = bisect.bisect_left(events, start, key=stamp)
    last = min(first + limit, len(events))
    if first < last < len(events) and stamp(events[last]) == stamp(events[last - 1]):
        second = stamp(events[last - 1])
        cut = bisect.bisect_left(events, second, key=stamp)
        last = cut if cut > first else bisect.bisect_right(events, second, key=stamp)
    page = events[first:last]
    end_of_stream = last >= len(events)
    if not page:
        end_time = start
    elif stamp(page[0]) == stamp(page[-1]) and not end_of_stream:
        end_time = stamp(page[-1]) + 1       # one whole second: starting there again would repeat this page
    else:
        end_time = stamp(page[-1])           # that second is served again on the next page
    rows = [event.as_dict(comments) for event in page]
    return 200, {}, {
        "ticket_events": rows,
        "next_page": _url(base, path, {"start_time": end_time, "include": params.get("include"),
                                       "per_page": params.get("per_page")}),
        "previous_page": None, "count": len(rows), "end_time": end_time, "end_of_stream": end_of_stream,
    }


def _stamp(event: TicketEvent) -> int:
    return event.timestamp


def _cursor_pages(items: list[tuple[int, dict]], key: str, resource: str, params: dict[str, str], base: str,
                  path: str) -> Answer:
    """Zendesk's cursor pagination over items in id order: page[size], page[after], meta, links."""
    size = _int_param(params, "page[size]", CURSOR_PAGE_LIMIT, lo=1, hi=CURSOR_PAGE_LIMIT)
    after = params.get("page[after]")
    first = 0
    if after:
        text = _decode(after)
        if not text.startswith("id:") or not text[3:].isdigit():
            raise ApiError(400, "InvalidPaginationParameter", f"page[after] {after!r} is not valid")
        first = bisect.bisect_right(items, int(text[3:]), key=lambda item: item[0])
    page = items[first:first + size]
    has_more = first + size < len(items)
    after_cursor = _encode(f"id:{page[-1][0]}") if page else None
    before_cursor = _encode(f"id:{page[0][0]}") if page else None
    query = {k: v for k, v in params.items() if k not in ("page[after]", "page[before]")}
    query["page[after]"] = after_cursor
    return 200, {}, {
        key: [_with_url(item, base, resource) for _, item in page],
        "meta": {"has_more": has_more, "after_cursor": after_cursor, "before_cursor": before_cursor},
        "links": {"next": _url(base, path, query) if has_more else None, "prev": None},
    }
