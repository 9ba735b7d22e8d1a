"""How the record contracts' Python types become dlt column types (shared by every source's
contracts, so a timestamp or an id is typed the same way in every raw table)."""

from __future__ import annotations

import datetime as dt
import decimal
import types
import typing
from typing import Any, Final

from pydantic import AwareDatetime

DLT_TYPES: Final[dict[Any, dict[str, Any]]] = {
    str: {"data_type": "text"},
    int: {"data_type": "bigint"},
    float: {"data_type": "double"},
    bool: {"data_type": "bool"},
    dt.datetime: {"data_type": "timestamp", "timezone": True, "precision": 6},
    AwareDatetime: {"data_type": "timestamp", "timezone": True, "precision": 6},
    dt.date: {"data_type": "date"},
    # money: exact, 4 decimal places (DECIMAL(18, 4) in DuckDB)
    decimal.Decimal: {"data_type": "decimal", "precision": 18, "scale": 4},
}


def unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    """Return (inner type, nullable) of ``X | None`` / ``Optional[X]`` annotations."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"unsupported union annotation {annotation!r}")
        return args[0], True
    return annotation, False
