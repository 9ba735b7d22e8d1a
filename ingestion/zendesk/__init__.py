"""The ``zendesk`` dlt source: the Zendesk Support REST API (docs/helpdesk_api.md, docs/zendesk.md).

Loads dataset ``raw_zendesk``:

- ``tickets``              incremental cursor export, merged on ``id`` (child ``tickets__tags``)
- ``ticket_events``        incremental ticket event export with comment events, merged on ``id``
                           (child table ``ticket_events__child_events``)
- ``users``                incremental cursor export, merged on ``id``
- ``groups``               all groups each run, merged on ``id``
- ``satisfaction_ratings`` ratings since the last ``updated_at`` seen minus a look-back window
                           (``csat_lookback_days``), merged on ``id``
- ``sla_policies``, ``schedules``, ``schedule_holidays``   replaced each run
- ``quarantine``           records that do not meet their contract, from any of the above

No e-mail address or phone number is loaded in clear: every record is pseudonymized first
(:func:`~ingestion.zendesk.records.pseudonymize_record`; users' ``email`` / ``phone`` become
``email_hash`` / ``phone_hash``, a ticket's ``via.source`` addresses ``address_hash``, free text
is scrubbed), quarantined records included.

Incremental resources keep where they stopped in their dlt resource state (``after_cursor``,
``end_time``, ``updated_at``) and continue from there, so a second run reads only what changed.
Records are loaded as Zendesk sends them, with the fields the pipeline uses typed
(:mod:`models.helpdesk`); meaning is decided in dbt staging.

This module only wires the resources; HTTP (auth, rate limits, retries) lives in :mod:`.client`,
pagination in :mod:`.paginators`, record checks in :mod:`.records`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator
from functools import partial
from typing import Any, Final

import dlt
from dlt.common.typing import TSecretStrValue
from dlt.extract.resource import DltResource
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.client import PageData
from dlt.sources.helpers.rest_client.paginators import BasePaginator, SinglePagePaginator
from pydantic import BaseModel

from ingestion.feed import QUARANTINE_TABLE, RunStamp, first_run
from ingestion.privacy import Pseudonymizer
from ingestion.zendesk.client import (
    CREDENTIALS_HELP,
    ZendeskConfigError,
    ZendeskConnection,
    raise_for_zendesk_status,
    resolve_base_url,
    safe_url,
)
from ingestion.zendesk.paginators import (
    CursorExportPaginator,
    TimeExportPaginator,
    cursor_pagination,
)
from ingestion.zendesk.records import (
    PageRows,
    child_values_as_text,
    export_start_time,
    lookback_start_time,
    normalize_ticket_event,
    pseudonymize_record,
    split_page,
    ticket_version_filled,
    to_unix,
)
from models.helpdesk import (
    GROUP_HINTS,
    HOLIDAY_HINTS,
    QUARANTINE_COLUMNS,
    SATISFACTION_RATING_HINTS,
    SCHEDULE_HINTS,
    SLA_POLICY_HINTS,
    TICKET_EVENT_HINTS,
    TICKET_HINTS,
    USER_HINTS,
    Group,
    Holiday,
    SatisfactionRating,
    Schedule,
    SlaPolicy,
    TableHints,
    Ticket,
    TicketEvent,
    User,
)
from models.raw import FROZEN_COLUMNS_CONTRACT

__all__ = [
    "DATASET_NAME",
    "DEFAULT_CSAT_LOOKBACK_DAYS",
    "DEFAULT_START_DATE",
    "groups",
    "quarantine",
    "satisfaction_ratings",
    "schedule_holidays",
    "schedules",
    "sla_policies",
    "ticket_events",
    "tickets",
    "users",
    "zendesk",
]

logger = logging.getLogger(__name__)

DATASET_NAME: Final = "raw_zendesk"
DEFAULT_START_DATE: Final = "2000-01-01T00:00:00Z"
"""First-run start of the exports when no ``start_date`` is configured: the whole history."""
DEFAULT_CSAT_LOOKBACK_DAYS: Final = 14
"""Days of satisfaction ratings read again each run (see :func:`satisfaction_ratings`)."""
PAGE_SIZE: Final = 100

TICKETS_PATH: Final = "/api/v2/incremental/tickets/cursor.json"
TICKET_EVENTS_PATH: Final = "/api/v2/incremental/ticket_events.json"
USERS_PATH: Final = "/api/v2/incremental/users/cursor.json"
GROUPS_PATH: Final = "/api/v2/groups.json"
SATISFACTION_RATINGS_PATH: Final = "/api/v2/satisfaction_ratings.json"
SLA_POLICIES_PATH: Final = "/api/v2/slas/policies.json"
SCHEDULES_PATH: Final = "/api/v2/business_hours/schedules.json"
HOLIDAYS_PATH: Final = "/api/v2/business_hours/schedules/{schedule_id}/holidays.json"


# --- helpers shared by the resources ---------------------------------------------------------


def _state() -> dict[str, Any]:
    """This resource's dlt state (saved with the load package, restored from the warehouse)."""
    return dlt.current.resource_state()


def _materialize_on_first_run() -> Iterator[Any]:
    """Create the resource's table with its declared columns on its first run, even without
    records, so that dbt's sources exist from the start."""
    if first_run():
        yield dlt.mark.materialize_table_schema()


def _pages(
    client: RESTClient,
    path: str,
    data_selector: str,
    paginator: BasePaginator,
    params: dict[str, Any] | None = None,
) -> Iterator[PageData[Any]]:
    """The pages of one endpoint; an error answer raises ZendeskApiError naming the endpoint."""
    return client.paginate(
        path,
        params=params,
        paginator=paginator,
        data_selector=data_selector,
        hooks={"response": [raise_for_zendesk_status]},
    )


def _split(
    page: PageData[Any],
    model: type[BaseModel],
    resource: str,
    run: RunStamp,
    privacy: Pseudonymizer,
    **split_args: Any,
) -> PageRows:
    """Pseudonymize a page's records and check them against ``model``; log how many were
    quarantined and why."""
    location = safe_url(page.response.url)
    split = split_page(
        page, model, source=f"zendesk.{resource}", location=location, at=run.at,
        prepare=partial(pseudonymize_record, privacy=privacy), **split_args,
    )
    if split.quarantined:
        logger.warning(
            "%s: %d of %d records quarantined (first: %s)",
            location, len(split.quarantined), len(page), split.quarantined[0]["reason"],
        )
    return split


def _emit(split: PageRows) -> Iterator[Any]:
    """The good rows to the resource's table, the bad records to ``quarantine``."""
    if split.rows:
        yield split.rows
    if split.quarantined:
        yield dlt.mark.with_table_name(split.quarantined, QUARANTINE_TABLE)


def _page_rows(
    page: PageData[Any],
    model: type[BaseModel],
    resource: str,
    run: RunStamp,
    privacy: Pseudonymizer,
    **split_args: Any,
) -> Iterator[Any]:
    """Check a page and yield its rows and quarantine rows."""
    yield from _emit(_split(page, model, resource, run, privacy, **split_args))


def _hints(hints: TableHints) -> dict[str, Any]:
    """The ``@dlt.resource`` keyword arguments of a contract's columns and child tables."""
    return {"columns": hints.columns, "nested_hints": hints.nested_hints()}


def _merge_hints(hints: TableHints, version: str = "updated_at") -> dict[str, Any]:
    """Merge on ``id``; of two versions of a record in one load, the highest ``version`` column
    (``updated_at``; tickets: ``generated_timestamp``) wins. dlt sorts by one column only."""
    columns = dict(hints.columns)
    if version in columns:
        columns[version] = {**columns[version], "dedup_sort": "desc"}
    return {
        "write_disposition": "merge",
        "primary_key": "id",
        "columns": columns,
        "nested_hints": hints.nested_hints(),
    }


# --- resources -------------------------------------------------------------------------------


def _cursor_export(
    connection: ZendeskConnection,
    path: str,
    key: str,
    model: type[BaseModel],
    start_date: str,
    privacy: Pseudonymizer,
    **split_args: Any,
) -> Iterator[Any]:
    """A cursor export (tickets, users): from the saved ``after_cursor``, or from ``start_date``
    on the first run, until ``end_of_stream``; the new ``after_cursor`` is saved page by page."""
    yield from _materialize_on_first_run()
    state = _state()
    run = RunStamp.current()
    saved = state.get("after_cursor")
    if saved:
        params: dict[str, Any] = {"cursor": saved}
    else:
        params = {"start_time": export_start_time(to_unix(start_date), time.time())}
    paginator = CursorExportPaginator()
    for page in _pages(connection.client(), path, key, paginator, params):
        yield from _page_rows(page, model, key, run, privacy, **split_args)
        if paginator.after_cursor:
            state["after_cursor"] = paginator.after_cursor


@dlt.resource(name="tickets", **_merge_hints(TICKET_HINTS, version="generated_timestamp"))
def tickets(
    connection: ZendeskConnection, privacy: Pseudonymizer, start_date: str = DEFAULT_START_DATE
) -> Iterator[Any]:
    """Tickets created or updated since the last run (incremental cursor export), latest state
    per ticket; its ``tags`` in the child table ``tickets__tags``.

    A ticket that changed while the export ran appears twice in it: of the two rows, the one
    with the higher ``generated_timestamp`` wins the merge (a ticket sent without one gets its
    ``updated_at`` there). The export is ordered and resumed by (``generated_timestamp``, id), so
    it never serves two versions of a ticket with the same ``generated_timestamp``.
    """
    yield from _cursor_export(
        connection, TICKETS_PATH, "tickets", Ticket, start_date, privacy,
        to_row=ticket_version_filled,
    )


@dlt.resource(name="users", **_merge_hints(USER_HINTS))
def users(
    connection: ZendeskConnection, privacy: Pseudonymizer, start_date: str = DEFAULT_START_DATE
) -> Iterator[Any]:
    """Users (agents, admins, end-users) created or updated since the last run. The first run
    reads every user whatever `start_date` says: an agent not updated since before it would
    otherwise be missing, and the tickets of the period need their authors."""
    yield from _cursor_export(connection, USERS_PATH, "users", User, DEFAULT_START_DATE, privacy)


@dlt.resource(name="ticket_events", **_merge_hints(TICKET_EVENT_HINTS))
def ticket_events(
    connection: ZendeskConnection, privacy: Pseudonymizer, start_date: str = DEFAULT_START_DATE
) -> Iterator[Any]:
    """Ticket events (audits) with their changes and comments, from the ``end_time`` the last run
    reached (or ``start_date``); ``child_events`` in ``ticket_events__child_events``, each
    ``Create`` / ``Change`` child as ``field_name`` / ``value`` / ``previous_value`` whichever
    shape Zendesk sent (:func:`~ingestion.zendesk.records.normalize_ticket_event`).

    Zendesk's ``end_time`` is the timestamp of a page's last event and the next page (and the
    next run) starts there, so the events of that second come twice. The ids of that second are
    kept (also in the resource state, for the next run) and their repeats skipped; any repeat
    that still gets through (an earlier ``start_time``) is merged on ``id``.
    """
    yield from _materialize_on_first_run()
    state = _state()
    run = RunStamp.current()
    saved = state.get("end_time")
    start = int(saved) if saved is not None else to_unix(start_date)
    params = {"start_time": export_start_time(start, time.time()), "include": "comment_events"}
    paginator = TimeExportPaginator()
    seen = set(state.get("end_time_ids") or []) if saved is not None else set()
    for page in _pages(connection.client(), TICKET_EVENTS_PATH, "ticket_events", paginator, params):
        repeats = {i for i, record in enumerate(page) if _record_id(record) in seen}
        split = _split(page, TicketEvent, "ticket_events", run, privacy,
                       normalize=normalize_ticket_event, to_row=child_values_as_text)
        if repeats:
            split = PageRows(
                [row for row in split.rows if row["id"] not in seen],
                [q for q in split.quarantined if q["record_index"] not in repeats],
            )
        yield from _emit(split)
        if paginator.end_time is not None:
            state["end_time"] = paginator.end_time
            seen = {
                _record_id(record) for record in page
                if isinstance(record, dict) and _is_at_or_after(record.get("timestamp"),
                                                                paginator.end_time)
            } - {None}
            state["end_time_ids"] = sorted(seen)


def _record_id(record: Any) -> Any:
    return record.get("id") if isinstance(record, dict) else None


def _is_at_or_after(timestamp: Any, second: int) -> bool:
    return isinstance(timestamp, int) and not isinstance(timestamp, bool) and timestamp >= second


@dlt.resource(name="groups", **_merge_hints(GROUP_HINTS))
def groups(connection: ZendeskConnection, privacy: Pseudonymizer) -> Iterator[Any]:
    """All agent groups, every run (a few dozen rows; the API has no changed-since filter)."""
    yield from _materialize_on_first_run()
    run = RunStamp.current()
    params = {"page[size]": PAGE_SIZE}
    for page in _pages(connection.client(), GROUPS_PATH, "groups", cursor_pagination(), params):
        yield from _page_rows(page, Group, "groups", run, privacy)


@dlt.resource(name="satisfaction_ratings", **_merge_hints(SATISFACTION_RATING_HINTS))
def satisfaction_ratings(
    connection: ZendeskConnection,
    privacy: Pseudonymizer,
    start_date: str = DEFAULT_START_DATE,
    lookback_days: int = DEFAULT_CSAT_LOOKBACK_DAYS,
) -> Iterator[Any]:
    """CSAT ratings from the latest ``updated_at`` seen by the previous runs minus
    ``lookback_days`` (or from ``start_date`` on the first run, and never before it).

    Zendesk's ``start_time`` filter of this endpoint may apply to ``created_at``: a rating
    offered before the last run and answered (``good`` / ``bad``) after it would then not come
    back from the latest ``updated_at`` on. Reading the last ``lookback_days`` again brings it
    back; the merge on ``id`` keeps one row per rating, its latest version.

    The cursor is kept by hand rather than with ``dlt.sources.incremental``: the resource also
    yields quarantine rows, which have no ``updated_at`` for dlt to filter on.
    """
    yield from _materialize_on_first_run()
    state = _state()
    run = RunStamp.current()
    saved = state.get("updated_at")
    start = lookback_start_time(saved, to_unix(start_date), lookback_days, time.time())
    params = {"start_time": start, "page[size]": PAGE_SIZE}
    client = connection.client()
    path = SATISFACTION_RATINGS_PATH
    for page in _pages(client, path, "satisfaction_ratings", cursor_pagination(), params):
        split = _split(page, SatisfactionRating, "satisfaction_ratings", run, privacy)
        if split.rows:
            latest = max(row["updated_at"] for row in split.rows).astimezone(dt.UTC)
            if not saved or latest > dt.datetime.fromisoformat(saved):
                saved = state["updated_at"] = latest.isoformat()
        yield from _emit(split)


@dlt.resource(name="sla_policies", write_disposition="replace", **_hints(SLA_POLICY_HINTS))
def sla_policies(connection: ZendeskConnection, privacy: Pseudonymizer) -> Iterator[Any]:
    """All SLA policies with their targets (``sla_policies__policy_metrics``), replaced each run."""
    yield from _materialize_on_first_run()
    run = RunStamp.current()
    for page in _pages(connection.client(), SLA_POLICIES_PATH, "sla_policies",
                       SinglePagePaginator()):
        yield from _page_rows(page, SlaPolicy, "sla_policies", run, privacy)


@dlt.resource(name="schedules", write_disposition="replace", **_hints(SCHEDULE_HINTS))
def schedules(connection: ZendeskConnection, privacy: Pseudonymizer) -> Iterator[Any]:
    """All business-hours schedules with their weekly intervals (``schedules__intervals``)."""
    yield from _materialize_on_first_run()
    run = RunStamp.current()
    for page in _pages(connection.client(), SCHEDULES_PATH, "schedules", SinglePagePaginator()):
        yield from _page_rows(page, Schedule, "schedules", run, privacy)


def _schedule_ids(client: RESTClient) -> list[int]:
    """Ids of the schedules (records without a usable id are quarantined by ``schedules``)."""
    ids = []
    for page in _pages(client, SCHEDULES_PATH, "schedules", SinglePagePaginator()):
        for record in page:
            schedule_id = record.get("id") if isinstance(record, dict) else None
            if isinstance(schedule_id, int) and not isinstance(schedule_id, bool):
                ids.append(schedule_id)
    return ids


@dlt.resource(name="schedule_holidays", write_disposition="replace", **_hints(HOLIDAY_HINTS))
def schedule_holidays(connection: ZendeskConnection, privacy: Pseudonymizer) -> Iterator[Any]:
    """The holidays of every schedule (one request per schedule), each row with its
    ``schedule_id``; replaced each run."""
    yield from _materialize_on_first_run()
    run = RunStamp.current()
    client = connection.client()
    for schedule_id in _schedule_ids(client):
        path = HOLIDAYS_PATH.format(schedule_id=schedule_id)
        for page in _pages(client, path, "holidays", SinglePagePaginator()):
            yield from _page_rows(
                page, Holiday, "schedule_holidays", run, privacy,
                extra={"schedule_id": schedule_id},
            )


@dlt.resource(
    name=QUARANTINE_TABLE,
    write_disposition="append",
    columns=QUARANTINE_COLUMNS,
    schema_contract=FROZEN_COLUMNS_CONTRACT,
)
def quarantine() -> Iterator[Any]:
    """Declares the ``quarantine`` table; its rows come from the other resources.

    As in the telephony source: every resource sends the records that do not meet their contract
    here with ``dlt.mark.with_table_name(rows, "quarantine")``; this resource yields no rows, it
    gives the table its own resource (one Dagster asset per resource) and creates it on the
    first run, so dbt can read it before anything was ever quarantined.
    """
    if first_run():
        yield dlt.mark.materialize_table_schema()


def _route_quarantine(resource: DltResource) -> DltResource:
    """Give ``resource`` a table variant for ``quarantine`` rows with the quarantine contract.

    Without it, rows marked ``with_table_name(..., "quarantine")`` would take the hints of the
    resource that yields them (its columns, primary key, merge disposition and child tables).
    The variant starts from a copy of the resource's hints, so those are cleared first.
    """
    resource.apply_hints(
        table_name=QUARANTINE_TABLE,
        create_table_variant=True,
        columns={},
        primary_key=[],
        merge_key=[],
        nested_hints={},
    )
    resource.apply_hints(
        table_name=QUARANTINE_TABLE,
        create_table_variant=True,
        columns=QUARANTINE_COLUMNS,
        write_disposition="append",
        schema_contract=FROZEN_COLUMNS_CONTRACT,
    )
    return resource


def connection_from(
    subdomain: str | None, email: str | None, api_token: str | None, base_url: str | None
) -> ZendeskConnection:
    """Check the settings and build the connection; a missing one names what to set."""
    root = resolve_base_url(subdomain, base_url)
    missing = [name for name, value in (("email", email), ("api_token", api_token)) if not value]
    if missing:
        raise ZendeskConfigError(f"Zendesk {' and '.join(missing)} missing: {CREDENTIALS_HELP}")
    return ZendeskConnection(base_url=root, email=str(email), api_token=str(api_token))


def _lookback_days(value: Any) -> int:
    """``csat_lookback_days`` as a whole number of days >= 0 (config may give it as text)."""
    try:
        days = int(str(value).strip())
    except ValueError:
        days = -1
    if days < 0:
        raise ZendeskConfigError(
            f"csat_lookback_days {value!r} is not a whole number of days >= 0 "
            "(sources.zendesk.csat_lookback_days / SOURCES__ZENDESK__CSAT_LOOKBACK_DAYS)"
        )
    return days


@dlt.source(name="zendesk")
def zendesk(
    subdomain: str | None = dlt.config.value,
    email: str | None = dlt.secrets.value,
    api_token: str | None = dlt.secrets.value,
    base_url: str | None = None,
    start_date: str = DEFAULT_START_DATE,
    csat_lookback_days: int = DEFAULT_CSAT_LOOKBACK_DAYS,
    pseudonym_key: TSecretStrValue | None = None,
    phone_region: str | None = None,
) -> Any:
    """Zendesk Support tickets, ticket events, users, groups, CSAT, SLA policies and schedules.

    Args:
        subdomain: the account's subdomain (``acme`` for https://acme.zendesk.com). dlt config
            ``sources.zendesk.subdomain`` / env ``SOURCES__ZENDESK__SUBDOMAIN``. Not needed
            when ``base_url`` is given.
        email: e-mail of the agent or admin the API token belongs to. dlt secret
            ``sources.zendesk.email`` / env ``SOURCES__ZENDESK__EMAIL``.
        api_token: a Zendesk API token. dlt secret ``sources.zendesk.api_token`` / env
            ``SOURCES__ZENDESK__API_TOKEN``.
        base_url: the API root instead of ``https://{subdomain}.zendesk.com`` (the simulator's
            ``http://127.0.0.1:{port}``, tests). Config ``sources.zendesk.base_url``.
        start_date: where the first run of the incremental resources starts: an ISO date or
            timestamp (UTC unless it has an offset) or Unix seconds. Later runs continue from
            their saved cursors. Default: 2000-01-01, the whole history.
        csat_lookback_days: days of satisfaction ratings read again every run, counted back from
            the latest ``updated_at`` already loaded, so that a rating answered after the run
            that loaded its ``offered`` version is updated (whichever timestamp Zendesk's
            ``start_time`` filters on). Config ``sources.zendesk.csat_lookback_days``; default 14.
        pseudonym_key: the key e-mail addresses and phone numbers are pseudonymized with
            (:func:`ingestion.privacy.resolve_key`: ``CXPIPE_PSEUDONYM_KEY``, the dlt secret
            ``pseudonymization.key``, ``CXPIPE_PSEUDONYM_KEY_FILE``).
        phone_region: the region national numbers are read in (``CXPIPE_PHONE_REGION``, ``US``).

    Raises:
        ZendeskConfigError: a setting is missing or invalid (the message says what to set).
        PseudonymKeyError: no pseudonymization key (the message says how to give one).
    """
    connection = connection_from(subdomain, email, api_token, base_url)
    privacy = Pseudonymizer.from_settings(pseudonym_key, phone_region)
    try:
        to_unix(start_date)
    except ValueError as exc:
        raise ZendeskConfigError(str(exc)) from None
    lookback = _lookback_days(csat_lookback_days)
    return (
        _route_quarantine(tickets(connection, privacy, start_date)),
        _route_quarantine(ticket_events(connection, privacy, start_date)),
        _route_quarantine(users(connection, privacy)),
        _route_quarantine(groups(connection, privacy)),
        _route_quarantine(satisfaction_ratings(connection, privacy, start_date, lookback)),
        _route_quarantine(sla_policies(connection, privacy)),
        _route_quarantine(schedules(connection, privacy)),
        _route_quarantine(schedule_holidays(connection, privacy)),
        quarantine(),
    )
