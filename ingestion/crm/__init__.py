"""The ``crm`` dlt source: CRM exports of the landing folder (docs/cx_sources.md).

Reads ``<landing>/crm/`` into dataset ``raw_crm``, by file name:

- ``customers``  ``customers-YYYYMMDD.csv``: a full export of the customers each day
- ``contracts``  ``contracts-YYYYMMDD.csv``: a full export of the contracts each day
- ``orders``     ``orders-YYYYMMDD.csv``: the orders placed that day
- ``quarantine`` one row per line that could not be loaded (file, line, text, reason)

Each run reads only new files and lines appended to known ones (content-based cursors,
:mod:`ingestion.files`), so a new full export is loaded whole once and an export already loaded is
not loaded again. Rows are appended as they arrived (with ``source_file`` / ``line_number``);
"the latest export wins" is decided in staging. A missing ``crm/`` folder loads nothing; a file of
the folder that is none of the three (by its name) is named in a warning and not loaded. A new
customers or contracts export is read whole even when it begins with all of the previous one
(content-based matching would otherwise take it for that export grown); a copy of an export (the
same content under another name, or compressed) is still not loaded twice.
Customers' phone numbers and e-mail addresses are loaded only as pseudonyms
(:mod:`ingestion.privacy`).

This module only wires the resources; parsing lives in :mod:`.records`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

import dlt
from dlt.common.typing import TSecretStrValue

from ingestion.content import content_name
from ingestion.filesource import csv_export_resource, quarantine, route_quarantine
from ingestion.files import list_landing_files
from ingestion.parsing import HeaderLayout
from ingestion.privacy import Pseudonymizer
from ingestion.crm import records
from models.cx import CONTRACT_COLUMNS, CUSTOMER_COLUMNS, ORDER_COLUMNS

__all__ = ["CRM_DIR", "DATASET_NAME", "contracts", "crm", "customers", "orders", "quarantine"]

logger = logging.getLogger(__name__)

DATASET_NAME: Final = "raw_crm"
CRM_DIR: Final = "crm"
FILE_PREFIXES: Final = {"customers": "customers", "contracts": "contracts", "orders": "orders"}
"""Which files of ``crm/`` each table reads: names starting with the prefix (``customers-20261012
.csv``, ``customers.csv.gz``)."""
FULL_EXPORTS: Final = frozenset({"customers", "contracts"})
"""Tables whose files are complete exports: a new export is read whole even when it begins with
the whole previous export (nothing changed but new lines at the end)."""


def _is(prefix: str) -> Callable[[str], bool]:
    return lambda name: name.lower().startswith(prefix)


def unknown_files(landing: Path) -> list[str]:
    """Files of ``crm/`` that no table reads (by name)."""
    return [
        path.name
        for path in list_landing_files(landing / CRM_DIR)
        if not any(content_name(path).lower().startswith(p) for p in FILE_PREFIXES.values())
    ]


def _warn_about_unknown_files(landing: Path) -> None:
    for name in unknown_files(landing):
        logger.warning(
            "%s/%s is not a CRM export this pipeline reads (customers-*, contracts-*, "
            "orders-*): not loaded",
            CRM_DIR,
            name,
        )


def _table(
    table: str,
    columns: Mapping[str, Any],
    parse_header: Callable[[str], HeaderLayout],
    parse_row: Callable[[str, HeaderLayout, Pseudonymizer], Any],
    description: str,
    on_start: Callable[[Path], None] | None = None,
) -> Any:
    """The resource of one CRM table: the files of ``crm/`` named for it; customers and contracts
    are full exports (a new export that starts like the previous one is read whole, see
    :func:`~ingestion.files.iter_new_content`)."""
    return csv_export_resource(
        name=table,
        subdir=CRM_DIR,
        source=f"crm.{table}",
        columns=columns,
        parse_header=parse_header,
        parse_row=parse_row,
        redactor=records.redactor,
        what=f"a CRM {table}",
        description=description,
        full_exports=table in FULL_EXPORTS,
        include=_is(FILE_PREFIXES[table]),
        on_start=on_start,
    )


customers = _table(
    "customers",
    CUSTOMER_COLUMNS,
    records.parse_customers_header,
    records.parse_customer,
    "New lines of the customers exports (phone and e-mail as pseudonyms); bad lines to ``quarantine``.",
    on_start=_warn_about_unknown_files,
)
contracts = _table(
    "contracts",
    CONTRACT_COLUMNS,
    records.parse_contracts_header,
    lambda text, layout, _privacy: records.parse_contract(text, layout),
    "New lines of the contracts exports; bad lines to ``quarantine``.",
)
orders = _table(
    "orders",
    ORDER_COLUMNS,
    records.parse_orders_header,
    lambda text, layout, _privacy: records.parse_order(text, layout),
    "New lines of the orders files; bad lines to ``quarantine``.",
)


@dlt.source(name="crm")
def crm(
    landing_dir: str = dlt.config.value,
    pseudonym_key: TSecretStrValue | None = None,
    phone_region: str | None = None,
) -> Any:
    """CRM customers, contracts and orders of the landing folder (+ their quarantine).

    Args:
        landing_dir: the landing folder (its ``crm/`` folder is read). dlt config
            ``sources.crm.landing_dir`` when not passed.
        pseudonym_key: the key phones and e-mails are pseudonymized with
            (:func:`ingestion.privacy.resolve_key`); none fails here, before anything is read.
        phone_region: the region national numbers are read in (``CXPIPE_PHONE_REGION``, ``US``).
    """
    privacy = Pseudonymizer.from_settings(pseudonym_key, phone_region)
    return (
        route_quarantine(customers(landing_dir, privacy)),
        route_quarantine(contracts(landing_dir, privacy)),
        route_quarantine(orders(landing_dir, privacy)),
        quarantine(),
    )
