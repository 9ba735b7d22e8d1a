"""Record contracts of the customer-experience file sources: surveys, CRM, IVR (docs/cx_sources.md).

Datasets ``raw_surveys`` (``survey_responses``), ``raw_crm`` (``customers``, ``contracts``,
``orders``) and ``raw_ivr`` (``ivr_sessions``), each with its ``quarantine`` table. One pydantic
model per table says what a row holds; the dlt column hints (``*_COLUMNS``) are derived from them,
so ingestion, the simulator and the tests share one definition.

The *file* columns (``*_FILE_COLUMNS``: the CSV header the simulator writes and the ingestion
expects) differ from the *table* columns in two ways: phone numbers and e-mail addresses arrive in
clear and are loaded only as pseudonyms (``phone`` -> ``phone_hash``, see
:mod:`ingestion.privacy`), and every table adds ``source_file``, ``line_number`` (and a survey's
``tool``, its folder) and ``ingested_at``. Rows are kept as they arrived (append-only); which
export of a record wins is decided in dbt staging.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Final, Literal

from pydantic import AwareDatetime, Field

from models.raw import (
    FILE_QUARANTINE_COLUMNS,
    FROZEN_COLUMNS_CONTRACT,
    FileQuarantineRow,
    RawRow,
    dlt_columns,
)

__all__ = [
    "CONTACT_CHANNELS",
    "CONTACT_SURVEY_TYPES",
    "CONTRACT_COLUMNS",
    "CONTRACT_FILE_COLUMNS",
    "CUSTOMER_COLUMNS",
    "CUSTOMER_FILE_COLUMNS",
    "FROZEN_COLUMNS_CONTRACT",
    "IVR_KINDS",
    "IVR_OUTCOMES",
    "IVR_SESSION_COLUMNS",
    "IVR_SESSION_FILE_COLUMNS",
    "MONEY_DECIMAL_PLACES",
    "ORDER_COLUMNS",
    "ORDER_FILE_COLUMNS",
    "QUARANTINE_COLUMNS",
    "RESOLVED_ANSWERS",
    "SURVEY_RESPONSE_COLUMNS",
    "SURVEY_RESPONSE_FILE_COLUMNS",
    "SURVEY_TYPES",
    "Contract",
    "Customer",
    "IvrSession",
    "Order",
    "QuarantineRow",
    "SurveyResponse",
]

# --- domain values checked at ingestion ---------------------------------------------------------

SURVEY_TYPES: Final = ("csat", "tnps", "rnps", "ces")
"""``csat``, ``tnps`` (transactional NPS), ``ces``: after a contact; ``rnps`` (relationship NPS):
periodic, no contact. Anything else is quarantined."""
CONTACT_SURVEY_TYPES: Final = ("csat", "tnps", "ces")
"""Survey types sent after a contact: they need ``contact_channel`` and ``contact_ref``."""
CONTACT_CHANNELS: Final = ("voice", "ticket")
"""``voice``: ``contact_ref`` is a queue_log callid; ``ticket``: a Zendesk ticket id."""
RESOLVED_ANSWERS: Final = ("yes", "no")
IVR_KINDS: Final = ("ivr", "bot")
IVR_OUTCOMES: Final = ("self_served", "agent_requested", "abandoned")
MONEY_DECIMAL_PLACES: Final = 4
"""Amounts are loaded exactly as DECIMAL(18, 4); an amount with more decimal places is
quarantined rather than rounded."""

SurveyType = Literal["csat", "tnps", "rnps", "ces"]
ResolvedAnswer = Literal["yes", "no"]
IvrKind = Literal["ivr", "bot"]
IvrOutcome = Literal["self_served", "agent_requested", "abandoned"]

# --- the files ---------------------------------------------------------------------------------

SURVEY_RESPONSE_FILE_COLUMNS: Final = (
    "response_id", "survey_type", "scale", "score", "resolved", "contact_channel", "contact_ref",
    "customer_ref", "respondent_phone", "respondent_email", "comment", "sent_at", "answered_at",
)  # fmt: skip
"""Header of ``surveys/<tool>/responses-YYYYMMDD.csv``."""
CUSTOMER_FILE_COLUMNS: Final = (
    "customer_id", "name", "phone", "email", "segment", "region", "created_at", "updated_at",
)  # fmt: skip
"""Header of ``crm/customers-YYYYMMDD.csv``."""
CONTRACT_FILE_COLUMNS: Final = (
    "contract_id", "customer_id", "product", "start_date", "end_date", "monthly_value",
    "currency", "previous_contract_id", "status",
)  # fmt: skip
"""Header of ``crm/contracts-YYYYMMDD.csv``."""
ORDER_FILE_COLUMNS: Final = ("order_id", "customer_id", "ordered_at", "amount", "currency")
"""Header of ``crm/orders-YYYYMMDD.csv``."""
IVR_SESSION_FILE_COLUMNS: Final = (
    "session_id", "kind", "started_at", "ended_at", "caller_phone", "customer_ref", "menu_path",
    "outcome", "queue", "callid",
)  # fmt: skip
"""Header of ``ivr/ivr_sessions-YYYYMMDD.csv``."""

_SOURCE_FILE = "Path of the file relative to the landing folder, '/'-separated."
_LINE_NUMBER = "1-based physical line number in the file (the header is line 1)."
_INGESTED_AT = "When the load that brought the row ran (UTC)."
_PSEUDONYM = " (HMAC-SHA256 with the deployment's key, 64 hex; docs/cx_sources.md 'Privacy')"


class SurveyResponse(RawRow):
    """One line of a survey tool's export. Table ``raw_surveys.survey_responses``, append-only:
    a later export of the same invitation (e.g. once answered) is another row; staging keeps the
    latest."""

    source_file: str = Field(description=_SOURCE_FILE)
    line_number: int = Field(description=_LINE_NUMBER)
    tool: str = Field(description="The survey tool: the name of the file's folder under surveys/.")
    response_id: str = Field(description="The tool's id of the invitation (unique per tool).")
    survey_type: SurveyType = Field(description="csat, tnps, rnps or ces (lower case).")
    scale: str = Field(description="The answer scale as <min>-<max> (1-5, 1-10, 0-10, 1-7, 1-3).")
    score: int | None = Field(
        description="The answer, a whole number on the scale; NULL while not answered."
    )
    resolved: ResolvedAnswer | None = Field(
        description="'Was your issue resolved?': yes or no (lower case); NULL when not asked or "
        "not answered."
    )
    contact_channel: str | None = Field(
        description="voice or ticket for a survey after a contact; as given (NULL when empty) "
        "for rnps."
    )
    contact_ref: str | None = Field(
        description="The contact it follows: a queue_log callid (voice) or a Zendesk ticket id "
        "(ticket); required for csat, tnps and ces."
    )
    customer_ref: str | None = Field(description="The CRM customer_id when the tool knows it.")
    respondent_phone_hash: str | None = Field(
        description="Pseudonym of the respondent's phone number" + _PSEUDONYM + "; NULL when "
        "none or unreadable."
    )
    respondent_email_hash: str | None = Field(
        description="Pseudonym of the respondent's e-mail address" + _PSEUDONYM + "."
    )
    comment: str | None = Field(
        description="Free text, with e-mail addresses and phone numbers replaced by [email] / "
        "[phone]."
    )
    sent_at: AwareDatetime = Field(description="When the invitation was sent (UTC).")
    answered_at: AwareDatetime | None = Field(
        description="When it was answered (UTC); NULL while not answered."
    )
    ingested_at: AwareDatetime = Field(description=_INGESTED_AT)


class Customer(RawRow):
    """One line of a CRM customers export (a full export per day). Table ``raw_crm.customers``,
    append-only: every export's lines; staging keeps the latest export of each customer."""

    source_file: str = Field(description=_SOURCE_FILE)
    line_number: int = Field(description=_LINE_NUMBER)
    customer_id: str = Field(description="The CRM's customer id.")
    name: str | None = Field(description="Customer name (personal data: raw layer only).")
    phone_hash: str | None = Field(
        description="Pseudonym of the phone number (E.164 first)" + _PSEUDONYM + "; NULL when "
        "none or unreadable."
    )
    email_hash: str | None = Field(
        description="Pseudonym of the e-mail address (trimmed, lower case first)" + _PSEUDONYM
        + "."
    )
    segment: str | None = Field(description="consumer, small_business, enterprise (as given).")
    region: str | None = Field(description="emea, north_america (as given).")
    created_at: AwareDatetime | None = Field(description="When the customer was created (UTC).")
    updated_at: AwareDatetime | None = Field(description="When the record last changed (UTC).")
    ingested_at: AwareDatetime = Field(description=_INGESTED_AT)


class Contract(RawRow):
    """One line of a CRM contracts export (a full export per day). Table ``raw_crm.contracts``,
    append-only."""

    source_file: str = Field(description=_SOURCE_FILE)
    line_number: int = Field(description=_LINE_NUMBER)
    contract_id: str = Field(description="The CRM's contract id.")
    customer_id: str = Field(description="The customer the contract belongs to.")
    product: str | None = Field(description="Product or plan name.")
    start_date: dt.date = Field(description="First day of service.")
    end_date: dt.date | None = Field(
        description="Last day of service, inclusive; NULL while running. Never before start_date."
    )
    monthly_value: decimal.Decimal = Field(description="Monthly value in currency, DECIMAL(18, 4).")
    currency: str | None = Field(description="ISO currency code (as given).")
    previous_contract_id: str | None = Field(
        description="The contract of the same customer this one replaces (upgrade, downgrade)."
    )
    status: str | None = Field(description="active or ended (as given).")
    ingested_at: AwareDatetime = Field(description=_INGESTED_AT)


class Order(RawRow):
    """One line of a CRM orders file (the orders placed that day). Table ``raw_crm.orders``,
    append-only."""

    source_file: str = Field(description=_SOURCE_FILE)
    line_number: int = Field(description=_LINE_NUMBER)
    order_id: str = Field(description="The CRM's order id.")
    customer_id: str = Field(description="The customer who ordered.")
    ordered_at: AwareDatetime = Field(description="When the order was placed (UTC).")
    amount: decimal.Decimal = Field(description="Order amount in currency, DECIMAL(18, 4).")
    currency: str | None = Field(description="ISO currency code (as given).")
    ingested_at: AwareDatetime = Field(description=_INGESTED_AT)


class IvrSession(RawRow):
    """One IVR (phone menu) or bot (chat) session. Table ``raw_ivr.ivr_sessions``, append-only."""

    source_file: str = Field(description=_SOURCE_FILE)
    line_number: int = Field(description=_LINE_NUMBER)
    session_id: str = Field(description="Unique session id.")
    kind: IvrKind = Field(description="ivr (phone menu) or bot (chat bot), lower case.")
    started_at: AwareDatetime = Field(description="Start of the session (UTC).")
    ended_at: AwareDatetime | None = Field(
        description="End of the session (UTC); never before started_at; NULL when not given."
    )
    caller_phone_hash: str | None = Field(
        description="Pseudonym of the caller's number" + _PSEUDONYM + "; NULL for bots, "
        "anonymous callers and unreadable numbers."
    )
    customer_ref: str | None = Field(
        description="CRM customer_id when the bot knows the customer (logged-in web chat)."
    )
    menu_path: str | None = Field(
        description="The choices in order, '>'-separated menu keys (1>3) or bot intents."
    )
    outcome: IvrOutcome = Field(description="self_served, agent_requested or abandoned.")
    queue: str | None = Field(description="The queue it was handed to (agent_requested only).")
    callid: str | None = Field(
        description="The queue_log callid of the call it became (agent_requested IVR sessions)."
    )
    ingested_at: AwareDatetime = Field(description=_INGESTED_AT)


QuarantineRow = FileQuarantineRow
"""The quarantine row of the three sources (shared by every file source, :mod:`models.raw`)."""

SURVEY_RESPONSE_COLUMNS: Final = dlt_columns(SurveyResponse)
CUSTOMER_COLUMNS: Final = dlt_columns(Customer)
CONTRACT_COLUMNS: Final = dlt_columns(Contract)
ORDER_COLUMNS: Final = dlt_columns(Order)
IVR_SESSION_COLUMNS: Final = dlt_columns(IvrSession)
QUARANTINE_COLUMNS: Final = FILE_QUARANTINE_COLUMNS
