"""The dbt project as Dagster assets: seeds, staging, intermediate and marts; dbt data tests
become asset checks. Unit tests are not run here: they check the SQL, not the data, and run in CI."""


from collections.abc import Iterator
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.dbt_project import dbt_project
from orchestration.resources import WRITER_POOL
from orchestration.translators import CxDbtTranslator


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=CxDbtTranslator(),
    pool=WRITER_POOL,
)
def cx_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    yield from dbt.cli(
        ["build", "--exclude-resource-type", "unit_test"], context=context
    ).stream()
