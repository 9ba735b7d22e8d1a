"""The one place that names assets and groups them, so that dlt's tables and dbt's sources meet:
a raw table is `raw/<source>/<table>` whether dlt writes it or dbt reads it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import AssetKey, AssetSpec
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings
from dagster_dlt import DagsterDltTranslator
from dagster_dlt.translator import DltResourceTranslatorData


def raw_asset_key(source_name: str, table_name: str) -> AssetKey:
    return AssetKey(["raw", source_name, table_name])


class CxDltTranslator(DagsterDltTranslator):
    """dlt resource -> `raw/<source>/<resource>`, grouped as `ingestion`."""

    def get_asset_spec(self, data: DltResourceTranslatorData) -> AssetSpec:
        spec = super().get_asset_spec(data)
        resource = data.resource
        return spec.replace_attributes(
            key=raw_asset_key(resource.source_name, resource.name),
            deps=[],
            group_name="ingestion",
            description=(resource.__doc__ or spec.description or "").strip() or None,
        )


class CxDbtTranslator(DagsterDbtTranslator):
    """dbt source -> `raw/<source>/<table>` (or `<meta.dagster.asset_key_prefix>/<table>`);
    dbt model or seed -> its name, grouped by layer."""

    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            # A source written by a Python asset (the forecast) names its key prefix in its meta.
            meta = dbt_resource_props.get("source_meta", {}).get("dagster", {})
            if "asset_key_prefix" in meta:
                return AssetKey([meta["asset_key_prefix"], dbt_resource_props["name"]])
            return raw_asset_key(dbt_resource_props["source_name"], dbt_resource_props["name"])
        return AssetKey([dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn", [])
        # fqn: [project, layer, ...]
        if len(fqn) > 2 and fqn[1] in ("staging", "intermediate", "marts"):
            return fqn[1]
        return None
