"""Paginators for Zendesk's three kinds of list endpoints, on dlt's ``RESTClient``.

- **Cursor export** (``/incremental/tickets/cursor.json``, ``/incremental/users/cursor.json``):
  the first request carries ``start_time``, every later one only ``cursor=<after_cursor>``; the
  export is done when ``end_of_stream`` is true. The last ``after_cursor`` (also the one of the
  final page) is where the next run continues: :class:`CursorExportPaginator` keeps it.
- **Time-based export** (``/incremental/ticket_events.json``): follow ``next_page`` until
  ``end_of_stream``; the last page's ``end_time`` is the next run's ``start_time``:
  :class:`TimeExportPaginator` keeps it. ``end_time`` is the timestamp of the page's last item,
  so the next page starts with that second again (the resource skips the repeats).
- **Cursor pagination** (``/groups.json``, ``/satisfaction_ratings.json``): ``meta.has_more``
  and ``meta.after_cursor`` sent back as ``page[after]``: dlt's own
  ``JSONResponseCursorPaginator`` (see :func:`cursor_pagination`).

Each paginator also stops when a page would lead back to itself (same cursor or URL, no items),
so a misbehaving server cannot keep a run looping.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from dlt.sources.helpers.rest_client.paginators import (
    BaseNextUrlPaginator,
    BaseReferencePaginator,
    JSONResponseCursorPaginator,
)
from requests import Request, Response

__all__ = [
    "CursorExportPaginator",
    "TimeExportPaginator",
    "cursor_pagination",
]

logger = logging.getLogger(__name__)


def _body(response: Response) -> dict[str, Any]:
    body = response.json()
    if not isinstance(body, dict):
        raise ValueError(f"{response.url}: expected a JSON object, got {type(body).__name__}")
    return body


class CursorExportPaginator(BaseReferencePaginator):
    """Zendesk's incremental cursor export: ``start_time`` first, then ``cursor=<after_cursor>``.

    ``after_cursor`` is the cursor after the last page read (None until a page named one); save
    it and start the next run with ``cursor=<after_cursor>`` to read only what changed since.
    """

    def __init__(self) -> None:
        super().__init__()
        self.after_cursor: str | None = None
        self.end_of_stream = False

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        body = _body(response)
        sent = dict(parse_qsl(urlsplit(response.url).query)).get("cursor")
        cursor = body.get("after_cursor") or None
        if cursor is not None:
            self.after_cursor = str(cursor)
        self.end_of_stream = bool(body.get("end_of_stream", True))
        if "end_of_stream" not in body:
            logger.warning("%s: no end_of_stream in the answer; stopping here", response.url)
        if self.end_of_stream or cursor is None or (str(cursor) == sent and not data):
            self._next_reference = None
        else:
            self._next_reference = str(cursor)

    def update_request(self, request: Request) -> None:
        params = {k: v for k, v in (request.params or {}).items() if k != "start_time"}
        params["cursor"] = self._next_reference
        request.params = params

    def __str__(self) -> str:
        return f"{super().__str__()}: after_cursor={self.after_cursor}"


def _start_time(url: str) -> int | None:
    value = dict(parse_qsl(urlsplit(url).query)).get("start_time")
    return int(value) if value is not None and value.isdigit() else None


def _with_start_time(url: str, start_time: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "start_time"]
    query.append(("start_time", str(start_time)))
    return urlunsplit(parts._replace(query=urlencode(query)))


class TimeExportPaginator(BaseNextUrlPaginator):
    """Zendesk's time-based incremental export: follow ``next_page`` until ``end_of_stream``.

    ``end_time`` (Unix seconds) is the ``end_time`` of the last page read: the ``start_time`` of
    the next run. Query parameters of the first request that the ``next_page`` URL lacks (such as
    ``include=comment_events``) are carried over to the following pages.

    Zendesk's ``end_time`` is the timestamp of the page's last item, and a second is never split
    across pages. A full page whose items all fall in the requested second would therefore lead
    back to itself: then the export goes on one second later (that second was served whole), so
    a run always ends.
    """

    def __init__(self) -> None:
        super().__init__()
        self.end_time: int | None = None
        self.end_of_stream = False
        self._carry: dict[str, Any] = {}

    def init_request(self, request: Request) -> None:
        self._carry = {k: v for k, v in (request.params or {}).items() if k != "start_time"}

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        body = _body(response)
        end_time = body.get("end_time")
        if end_time is not None:
            self.end_time = int(end_time)
        self.end_of_stream = bool(body.get("end_of_stream", True))
        if "end_of_stream" not in body:
            logger.warning("%s: no end_of_stream in the answer; stopping here", response.url)
        next_page = body.get("next_page") or None
        sent = _start_time(response.url)
        following = _start_time(str(next_page)) if next_page else None
        stuck = sent is not None and following is not None and following <= sent
        if stuck and data and not self.end_of_stream:
            logger.warning(
                "%s: the page does not move past start_time=%d (one second holds a whole page); "
                "going on from the next second", response.url, sent,
            )
            next_page = _with_start_time(str(next_page), sent + 1)
            self.end_time = sent + 1
            stuck = False
        if (self.end_of_stream or next_page is None or stuck
                or (next_page == response.url and not data)):
            self._next_reference = None
        else:
            self._next_reference = str(next_page)

    def update_request(self, request: Request) -> None:
        super().update_request(request)  # url = next_page, params cleared
        present = {k for k, _ in parse_qsl(urlsplit(request.url).query)}
        missing = {k: v for k, v in self._carry.items() if k not in present}
        request.params = missing or None

    def __str__(self) -> str:
        return f"{super().__str__()}: end_time={self.end_time}"


def cursor_pagination() -> JSONResponseCursorPaginator:
    """Zendesk's cursor pagination (``meta.has_more``, ``meta.after_cursor`` -> ``page[after]``)."""
    return JSONResponseCursorPaginator(
        cursor_path="meta.after_cursor",
        cursor_param="page[after]",
        has_more_path="meta.has_more",
    )
