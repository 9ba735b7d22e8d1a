"""HTTP for the Zendesk Support API: base URL, Basic auth, rate limits, retries, clear errors.

Every request of the source goes through one :class:`RetryingAdapter` mounted on a dlt
``Session`` (which adds a default timeout) inside dlt's ``RESTClient``:

- ``429 Too Many Requests`` is waited out for the ``Retry-After`` seconds Zendesk sends and
  retried, however often it comes: a rate limit is a reason to slow down, never to fail a load.
  Each wait is capped (:data:`MAX_RETRY_AFTER_SECONDS`) and logged.
- ``5xx`` answers, connection errors and timeouts are retried with exponential backoff a bounded
  number of times; then :class:`ZendeskApiError` names the endpoint and what went wrong.
- Other errors (401, 403, 404, 400...) fail at once with a hint of what to check.

The adapter retries below the ``requests`` session, so response hooks (the error check) and the
paginators only ever see the final answer. Credentials live only in the auth object; no log line
or error message carries them (URLs carry no credentials: Zendesk takes them in a header).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit

import requests
from dlt.sources.helpers.requests.session import Session
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.redaction import sanitize_url
from requests.adapters import HTTPAdapter
from requests.auth import HTTPBasicAuth

__all__ = [
    "CREDENTIALS_HELP",
    "DEFAULT_MAX_ATTEMPTS",
    "MAX_RETRY_AFTER_SECONDS",
    "RetryingAdapter",
    "ZendeskApiError",
    "ZendeskConfigError",
    "ZendeskConnection",
    "backoff_seconds",
    "endpoint_of",
    "raise_for_zendesk_status",
    "resolve_base_url",
    "retry_after_seconds",
    "safe_url",
]

logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS: Final = 5
"""Attempts for one request that meets 5xx answers or connection errors (429s do not count)."""
DEFAULT_BACKOFF_SECONDS: Final = 1.0
"""First backoff wait; doubled per failed attempt (1, 2, 4, 8 s with 5 attempts)."""
MAX_BACKOFF_SECONDS: Final = 60.0
MAX_RETRY_AFTER_SECONDS: Final = 300.0
"""Longest single wait on a 429. Zendesk's limits are per minute, so a longer Retry-After is
unusual; waiting at most 5 minutes and asking again keeps a run from sleeping for hours."""
DEFAULT_RETRY_AFTER_SECONDS: Final = 60.0
"""Wait on a 429 without a usable Retry-After header (Zendesk's limits are per minute)."""
REQUEST_TIMEOUT_SECONDS: Final = 60.0
RETRY_STATUS_MIN: Final = 500

CREDENTIALS_HELP: Final = (
    "set SOURCES__ZENDESK__SUBDOMAIN, SOURCES__ZENDESK__EMAIL and SOURCES__ZENDESK__API_TOKEN "
    "(or subdomain in .dlt/config.toml and email / api_token in .dlt/secrets.toml under "
    "[sources.zendesk]); see docs/zendesk.md"
)

_SUBDOMAIN_RE: Final = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


class ZendeskConfigError(ValueError):
    """The source is not configured well enough to connect (missing or invalid settings)."""


class ZendeskApiError(RuntimeError):
    """A request to Zendesk failed for good; the message names the endpoint and the cause."""


def endpoint_of(url: str, method: str = "GET") -> str:
    """``GET https://acme.zendesk.com/api/v2/...json``: the endpoint, without the query."""
    parts = urlsplit(url)
    return f"{method} {parts.scheme}://{parts.netloc}{parts.path}"


def resolve_base_url(subdomain: str | None, base_url: str | None) -> str:
    """The API root: ``base_url`` as given (simulator, tests), else
    ``https://{subdomain}.zendesk.com``.

    A subdomain pasted as a host or URL (``acme.zendesk.com``, ``https://acme.zendesk.com/``) is
    accepted; anything else that is not a valid host label is a :class:`ZendeskConfigError`.
    """
    if base_url:
        parts = urlsplit(base_url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ZendeskConfigError(f"base_url {base_url!r} is not an http(s) URL")
        return base_url.strip().rstrip("/")
    if not subdomain or not subdomain.strip():
        raise ZendeskConfigError(f"the Zendesk subdomain is missing: {CREDENTIALS_HELP}")
    name = subdomain.strip().lower()
    name = re.sub(r"^https?://", "", name).rstrip("/")
    name = name.removesuffix(".zendesk.com")
    if not _SUBDOMAIN_RE.match(name):
        raise ZendeskConfigError(
            f"Zendesk subdomain {subdomain!r} is not valid: give the part before .zendesk.com "
            "(e.g. acme for https://acme.zendesk.com)"
        )
    return f"https://{name}.zendesk.com"


def retry_after_seconds(
    header: str | None,
    default: float = DEFAULT_RETRY_AFTER_SECONDS,
    cap: float = MAX_RETRY_AFTER_SECONDS,
    now: Callable[[], float] = time.time,
) -> float:
    """Seconds to wait for a ``Retry-After`` header: delay-seconds or an HTTP date.

    Missing or unreadable: ``default``. The result is at least 1 s (a server answering 0 must not
    be asked again in a tight loop) and at most ``cap``.
    """
    seconds = default
    value = (header or "").strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        seconds = float(value)
    elif value:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.UTC)
            seconds = when.timestamp() - now()
    return min(max(seconds, 1.0), cap)


def backoff_seconds(
    attempt: int, base: float = DEFAULT_BACKOFF_SECONDS, cap: float = MAX_BACKOFF_SECONDS
) -> float:
    """Wait after failed attempt number ``attempt`` (1-based): base, 2*base, 4*base, ... <= cap."""
    return min(cap, base * 2 ** (attempt - 1))


class RetryingAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` that waits out 429s and retries 5xx answers and connection errors.

    Args:
        max_attempts: attempts per request for 5xx answers and connection errors (>= 1).
        backoff: first backoff wait in seconds (doubled per attempt, at most 60 s).
        max_retry_after: cap of one 429 wait in seconds.
        sleep: the wait function (tests pass a recorder instead of ``time.sleep``).
    """

    def __init__(
        self,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        backoff: float = DEFAULT_BACKOFF_SECONDS,
        max_retry_after: float = MAX_RETRY_AFTER_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        super().__init__()
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.sleep = sleep

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        """Send ``request``; wait out 429s, retry 5xx and connection errors (see the class)."""
        endpoint = endpoint_of(request.url or "", request.method or "GET")
        failures = 0
        while True:
            try:
                response = super().send(request, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                failures += 1
                if failures >= self.max_attempts:
                    raise ZendeskApiError(
                        f"{endpoint}: no answer after {failures} attempts "
                        f"({type(exc).__name__}: {exc})"
                    ) from exc
                wait = backoff_seconds(failures, self.backoff)
                logger.warning(
                    "%s: %s (attempt %d of %d); retrying in %.0f s",
                    endpoint, type(exc).__name__, failures, self.max_attempts, wait,
                )
                self.sleep(wait)
                continue

            if response.status_code == 429:
                header = response.headers.get("Retry-After")
                wait = retry_after_seconds(header, cap=self.max_retry_after)
                _discard(response)
                logger.warning(
                    "%s: rate limited by Zendesk (429, Retry-After: %s); waiting %.0f s%s",
                    endpoint, header or "none", wait,
                    f" (capped at {self.max_retry_after:.0f} s)"
                    if wait >= self.max_retry_after
                    else "",
                )
                self.sleep(wait)
                continue

            if response.status_code >= RETRY_STATUS_MIN:
                failures += 1
                if failures >= self.max_attempts:
                    body = _body_excerpt(response)
                    raise ZendeskApiError(
                        f"{endpoint}: HTTP {response.status_code} after {failures} attempts; "
                        "Zendesk kept failing, try again later (https://status.zendesk.com)"
                        + (f"; answer: {body}" if body else "")
                    )
                wait = backoff_seconds(failures, self.backoff)
                logger.warning(
                    "%s: HTTP %d (attempt %d of %d); retrying in %.0f s",
                    endpoint, response.status_code, failures, self.max_attempts, wait,
                )
                _discard(response)
                self.sleep(wait)
                continue
            return response


def _body_excerpt(response: requests.Response, limit: int = 300) -> str:
    """The start of an error answer's body on one line (Zendesk explains errors there)."""
    try:
        text = response.text or ""
    except requests.RequestException:
        return ""
    return " ".join(text.split())[:limit]


def _discard(response: requests.Response) -> None:
    """Read and release an answer that is not used, so its connection can be reused."""
    try:
        _ = response.content
    except requests.RequestException:
        pass
    response.close()


_STATUS_HINTS: Final[dict[int, str]] = {
    400: "the request was refused (a start_time in the future or less than a minute ago?)",
    401: "the credentials were refused: check the e-mail and API token "
    "(sources.zendesk.email / api_token) and that token access is enabled in Admin Center",
    403: "access denied: the user needs agent or admin rights for this endpoint",
    404: "not found: check the subdomain (or base_url)",
}


def raise_for_zendesk_status(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    """Response hook: an error answer (after the adapter's retries) becomes a ZendeskApiError."""
    status = response.status_code
    if status < 400:
        return
    endpoint = endpoint_of(response.url, response.request.method or "GET")
    hint = _STATUS_HINTS.get(status, "the request was refused")
    body = _body_excerpt(response)
    detail = f"; answer: {body}" if body else ""
    raise ZendeskApiError(f"{endpoint}: HTTP {status}: {hint}{detail}")


@dataclass(frozen=True)
class ZendeskConnection:
    """Where and as whom to connect; builds the REST clients of the resources.

    ``api_token`` is excluded from ``repr`` so that the object can be logged or shown in an
    error without leaking it.
    """

    base_url: str
    email: str
    api_token: str = field(repr=False)
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    backoff: float = DEFAULT_BACKOFF_SECONDS
    max_retry_after: float = MAX_RETRY_AFTER_SECONDS

    def session(self) -> Session:
        """A dlt session (default timeout, no raise-for-status) with the retrying adapter."""
        session = Session(timeout=REQUEST_TIMEOUT_SECONDS, raise_for_status=False)
        adapter = RetryingAdapter(self.max_attempts, self.backoff, self.max_retry_after)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        session.headers["Accept"] = "application/json"
        return session

    def client(self) -> RESTClient:
        """A dlt ``RESTClient`` on the API root with Zendesk API-token Basic auth."""
        return RESTClient(
            base_url=self.base_url,
            auth=HTTPBasicAuth(f"{self.email}/token", self.api_token),
            session=self.session(),
        )


def safe_url(url: str) -> str:
    """The URL as it may be logged or stored (sensitive query parameters masked)."""
    return sanitize_url(url)
