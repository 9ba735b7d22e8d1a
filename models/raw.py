"""What every file-fed raw table shares: the frozen-columns contract, column hints derived from a
row contract, and the quarantine row of the file sources (telephony, surveys, CRM, IVR, WFM).

The per-source modules (:mod:`models.telephony`, :mod:`models.cx`) describe their tables with
pydantic models built on :class:`RawRow` and derive their dlt ``columns=`` hints with
:func:`dlt_columns`; every table of a file source is declared with
:data:`FROZEN_COLUMNS_CONTRACT`.
"""

from __future__ import annotations

import typing
from typing import Any, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from models._dlt_types import DLT_TYPES, unwrap_optional

__all__ = [
    "FILE_QUARANTINE_COLUMNS",
    "FROZEN_COLUMNS_CONTRACT",
    "FileQuarantineRow",
    "RawRow",
    "dlt_columns",
]

FROZEN_COLUMNS_CONTRACT: Final[dict[str, str]] = {
    "tables": "evolve",
    "columns": "freeze",
    "data_type": "freeze",
}
"""dlt schema contract of the raw file tables: the declared columns are the whole table.

A row with an undeclared column or a value of another type makes the load fail loudly instead of
silently widening the raw table (dlt still creates a table the first time it sees it)."""


class RawRow(BaseModel):
    """Base of the raw row contracts: immutable, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class FileQuarantineRow(RawRow):
    """A line of a landing file that could not be loaded, kept with where it was and why.

    Table ``quarantine`` of each file source's dataset (``raw_telephony``, ``raw_surveys``,
    ``raw_crm``, ``raw_ivr``), append-only; written by every resource of the source.
    """

    source: str = Field(
        description="Feed the line came from, <source>.<feed>: telephony.queue_log, "
        "telephony.cdr, telephony.agent_states, surveys.responses, crm.customers, crm.contracts, "
        "crm.orders, ivr.sessions, wfm.schedules."
    )
    source_file: str = Field(description="Path of the file relative to the landing folder.")
    line_number: int = Field(description="1-based physical line number in the file.")
    raw_text: str = Field(
        description="The line as read (undecodable bytes shown as \\x.. escapes), with phone "
        "numbers and e-mail addresses replaced by their pseudonyms or by [phone] / [email]."
    )
    reason: str = Field(description="Why the line was not loaded, in words.")
    quarantined_at: AwareDatetime = Field(description="When the load that met the line ran (UTC).")


def _base_type(annotation: Any) -> Any:
    """Map ``Literal[...]`` and ``Annotated[...]`` annotations to the Python type they hold."""
    origin = typing.get_origin(annotation)
    if origin is Literal:
        (kind,) = {type(v) for v in typing.get_args(annotation)}
        return kind
    if origin is typing.Annotated:
        return typing.get_args(annotation)[0]
    return annotation


def dlt_columns(model: type[BaseModel]) -> dict[str, dict[str, Any]]:
    """Derive dlt column hints (a ``columns=`` dict) from a row contract.

    Every field becomes a column with an explicit data type, its nullability (``X | None`` is
    nullable) and the field's description, in declaration order (the warehouse keeps that order).
    """
    hints = typing.get_type_hints(model, include_extras=False)
    columns: dict[str, dict[str, Any]] = {}
    for name, field in model.model_fields.items():
        inner, nullable = unwrap_optional(hints[name])
        kind = _base_type(inner)
        if kind not in DLT_TYPES:
            raise TypeError(f"{model.__name__}.{name}: no dlt type for {kind!r}")
        column: dict[str, Any] = {"name": name, **DLT_TYPES[kind], "nullable": nullable}
        if field.description:
            column["description"] = field.description
        columns[name] = column
    return columns


FILE_QUARANTINE_COLUMNS: Final = dlt_columns(FileQuarantineRow)
