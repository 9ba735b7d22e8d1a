"""Parsing of CRM exports: ``crm/customers-*.csv``, ``crm/contracts-*.csv``, ``crm/orders-*.csv``
(docs/cx_sources.md).

CSV files with a header row (:data:`models.cx.CUSTOMER_FILE_COLUMNS` and the others; column order
free, unknown columns not loaded). A row that breaks the contract raises
:class:`~ingestion.parsing.ParseError` with the reason kept in quarantine: a missing id, a date or
time that cannot be read (times need a UTC offset), an amount that is not an exact decimal number,
a contract whose ``end_date`` is before its ``start_date``, the wrong number of fields.

Customers' phone numbers and e-mail addresses are loaded only as pseudonyms (``phone_hash``,
``email_hash``, :mod:`ingestion.privacy`); a number or address that cannot be read is NULL and
counted, never kept in clear.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Final, NamedTuple

from ingestion.feed import Redact
from ingestion.filesource import code_field, csv_redactor, email_field, phone_field, text_field
from ingestion.parsing import (
    HeaderLayout,
    ParseError,
    parse_date,
    parse_decimal,
    parse_optional_timestamp,
    parse_timestamp,
    required_text,
    split_csv_line,
    stripped_or_none,
)
from ingestion.privacy import Pseudonymizer
from models.cx import (
    CONTRACT_FILE_COLUMNS,
    CUSTOMER_FILE_COLUMNS,
    MONEY_DECIMAL_PLACES,
    ORDER_FILE_COLUMNS,
)

__all__ = [
    "ContractRecord",
    "CustomerRecord",
    "OrderRecord",
    "parse_contract",
    "parse_contracts_header",
    "parse_customer",
    "parse_customers_header",
    "parse_order",
    "parse_orders_header",
    "redactor",
]

CUSTOMER_REQUIRED: Final = ("customer_id",)
CONTRACT_REQUIRED: Final = ("contract_id", "customer_id", "start_date", "monthly_value")
ORDER_REQUIRED: Final = ("order_id", "customer_id", "ordered_at", "amount")


class CustomerRecord(NamedTuple):
    customer_id: str
    name: str | None
    phone_hash: str | None
    email_hash: str | None
    segment: str | None
    region: str | None
    created_at: dt.datetime | None
    updated_at: dt.datetime | None


class ContractRecord(NamedTuple):
    contract_id: str
    customer_id: str
    product: str | None
    start_date: dt.date
    end_date: dt.date | None
    monthly_value: decimal.Decimal
    currency: str | None
    previous_contract_id: str | None
    status: str | None


class OrderRecord(NamedTuple):
    order_id: str
    customer_id: str
    ordered_at: dt.datetime
    amount: decimal.Decimal
    currency: str | None


def parse_customers_header(text: str) -> HeaderLayout:
    return HeaderLayout.from_names(split_csv_line(text), CUSTOMER_FILE_COLUMNS, CUSTOMER_REQUIRED)


def parse_contracts_header(text: str) -> HeaderLayout:
    return HeaderLayout.from_names(split_csv_line(text), CONTRACT_FILE_COLUMNS, CONTRACT_REQUIRED)


def parse_orders_header(text: str) -> HeaderLayout:
    return HeaderLayout.from_names(split_csv_line(text), ORDER_FILE_COLUMNS, ORDER_REQUIRED)


def _money(values: dict[str, str], field: str) -> decimal.Decimal:
    amount = parse_decimal(values.get(field), field, MONEY_DECIMAL_PLACES)
    if amount is None:
        raise ParseError(f"{field} is empty")
    return amount


def parse_customer(text: str, layout: HeaderLayout, privacy: Pseudonymizer) -> CustomerRecord:
    """One line of a customers export."""
    values = layout.values(split_csv_line(text))
    return CustomerRecord(
        customer_id=required_text(values, "customer_id"),
        name=stripped_or_none(values.get("name")),
        phone_hash=privacy.phone(values.get("phone")),
        email_hash=privacy.email(values.get("email")),
        segment=stripped_or_none(values.get("segment")),
        region=stripped_or_none(values.get("region")),
        created_at=parse_optional_timestamp(values.get("created_at"), "created_at"),
        updated_at=parse_optional_timestamp(values.get("updated_at"), "updated_at"),
    )


def parse_contract(text: str, layout: HeaderLayout) -> ContractRecord:
    """One line of a contracts export."""
    values = layout.values(split_csv_line(text))
    contract_id = required_text(values, "contract_id")
    customer_id = required_text(values, "customer_id")
    start_date = parse_date(values["start_date"], "start_date")
    if start_date is None:
        raise ParseError("start_date is empty")
    end_date = parse_date(values.get("end_date"), "end_date")
    if end_date is not None and end_date < start_date:
        raise ParseError(f"end_date {end_date} is before start_date {start_date}")
    return ContractRecord(
        contract_id=contract_id,
        customer_id=customer_id,
        product=stripped_or_none(values.get("product")),
        start_date=start_date,
        end_date=end_date,
        monthly_value=_money(values, "monthly_value"),
        currency=stripped_or_none(values.get("currency")),
        previous_contract_id=stripped_or_none(values.get("previous_contract_id")),
        status=stripped_or_none(values.get("status")),
    )


def parse_order(text: str, layout: HeaderLayout) -> OrderRecord:
    """One line of an orders file."""
    values = layout.values(split_csv_line(text))
    return OrderRecord(
        order_id=required_text(values, "order_id"),
        customer_id=required_text(values, "customer_id"),
        ordered_at=parse_timestamp(values["ordered_at"], field="ordered_at", naive_zone=None),
        amount=_money(values, "amount"),
        currency=stripped_or_none(values.get("currency")),
    )


def redactor(layout: HeaderLayout, privacy: Pseudonymizer) -> Redact:
    """A quarantined CRM line as shown: ``phone`` / ``email`` as pseudonyms, the name scrubbed of
    addresses and numbers, other fields of addresses and ``+`` / ``00`` numbers; a line whose
    fields cannot be told apart scrubbed whole."""

    return csv_redactor(
        layout,
        {"phone": phone_field(privacy), "email": email_field(privacy), "name": text_field(privacy)},
        code_field(privacy),
        whole_line=text_field(privacy),
    )
