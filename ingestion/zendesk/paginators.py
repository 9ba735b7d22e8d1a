"""Paginators for Zendesk's three kinds of list endpoints, on dlt's ``RESTClient``.

- **Cursor export** (``/incremental/tickets/cursor.json``, ``/incremental/users/cursor.json``):
  the first request carries ``start_time``, every later one only ``cursor=<after_cursor>``; the
  export is done when ``end_of_stream`` is true. The last ``after_cursor`` (also the one of the
  final page) is where the next run continues: :class:`CursorExportPaginator` keeps it.
- **Time-based export** (``/incremental/ticket_events.json``): follow ``next_page`` until
  ``end_of_stream``; the last page's ``end_time`` is the next run's ``start_time``:
  :class:`TimeExportPaginator` keeps it.
- **Cursor pagination** (``/groups.json``, ``/satisfaction_ratings.json``): ``meta.has_more``
  and ``meta.after_cursor`` sent back as ``page[after]``: dlt's own
  ``JSONResponseCursorPaginator`` (see :func:`cursor_pagination`).

Each paginator also stops when a page would lead back to itself (same cursor or URL, no items),
so a misbehaving server cannot keep a run looping.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl, urlsplit

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


class TimeExportPaginator(BaseNextUrlPaginator):
    """Zendesk's time-based incremental export: follow ``next_page`` until ``end_of_stream``.

    ``end_time`` (Unix seconds) is the ``end_time`` of the last page read: the ``start_time`` of
    the next run. Query parameters of the first request that the ``next_page`` URL lacks (such as
    ``include=comment_events``) are carried over to the following pages.
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
        if self.end_of_stream or next_page is None or (next_page == response.url and not data):
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
