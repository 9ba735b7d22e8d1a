"""The `bi_snapshot` asset: after the marts are built and their blocking checks passed, publish
them to the read-only snapshot BI tools use (orchestration/publish.py), swapped in atomically."""

from collections.abc import Iterable
from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, MetadataValue, asset

from orchestration.publish import publish_snapshot
from orchestration.resources import WRITER_POOL, CxpipeResource

SNAPSHOT_KEY = AssetKey(["bi_snapshot"])


def mart_keys(dbt_assets: Iterable[AssetsDefinition]) -> list[AssetKey]:
    """The keys of the dbt marts (group `marts`)."""
    return sorted(
        (spec.key for assets in dbt_assets for spec in assets.specs if spec.group_name == "marts"),
        key=lambda key: key.to_user_string(),
    )


def build_bi_snapshot(marts: list[AssetKey]) -> AssetsDefinition:
    """The publish asset, after every mart (and so after their blocking checks)."""
    return asset(
        key=SNAPSHOT_KEY,
        deps=marts,
        group_name="publish",
        pool=WRITER_POOL,
        description=(
            "The marts as a read-only DuckDB file (<snapshot>/cx_snapshot.duckdb) and Parquet files "
            "(<snapshot>/parquet/<mart>.parquet) for BI tools, with their descriptions; replaced "
            "atomically, so a reader sees the previous refresh or this one, never half. Runs only when "
            "the marts' blocking checks passed (Dagster skips it otherwise)."
        ),
    )(bi_snapshot)


def bi_snapshot(context: AssetExecutionContext, cxpipe: CxpipeResource) -> MaterializeResult:
    snapshot_dir = cxpipe.snapshot_path
    result = publish_snapshot(Path(cxpipe.warehouse_path), snapshot_dir)
    context.log.info(
        f"Published {len(result.tables)} marts ({sum(result.tables.values())} rows) to {result.snapshot_file} "
        f"and {snapshot_dir / 'parquet'}"
    )
    return MaterializeResult(
        metadata={
            "snapshot_file": MetadataValue.path(str(result.snapshot_file)),
            "parquet_dir": MetadataValue.path(str(snapshot_dir / "parquet")),
            "tables": len(result.tables),
            "rows": sum(result.tables.values()),
            "published_at": result.published_at.isoformat(),
            "row_counts": MetadataValue.md(
                "\n".join(f"- {name}: {rows}" for name, rows in sorted(result.tables.items()))
            ),
        }
    )
