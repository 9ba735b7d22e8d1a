"""The `bi_snapshot` asset: after the marts are built and their blocking checks passed, publish
them to the read-only snapshot BI tools use (orchestration/publish.py), swapped in atomically."""

import json
from collections.abc import Iterable
from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, MetadataValue, asset

from orchestration.dbt_project import dbt_project
from orchestration.kpi_settings import kpi_vars
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
    result = publish_snapshot(Path(cxpipe.warehouse_path), snapshot_dir, documents=snapshot_documents())
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


def snapshot_documents() -> dict[str, str]:
    """What the snapshot's readers need besides the tables: the semantic manifest the dbt parse
    wrote beside manifest.json (the dashboard's metric definitions) and the KPI settings."""
    semantic_manifest = Path(dbt_project.manifest_path).with_name("semantic_manifest.json")
    return {
        "semantic_manifest": semantic_manifest.read_text(encoding="utf-8"),
        "kpi_settings": json.dumps(kpi_vars(), sort_keys=True, default=str),
    }


WEEKLY_REPORT_KEY = AssetKey(["weekly_report"])


@asset(
    key=WEEKLY_REPORT_KEY,
    deps=[SNAPSHOT_KEY],
    group_name="publish",
    description=(
        "The weekly stakeholder report: one self-contained HTML file (inline charts, no script) for the "
        "last complete Monday-Sunday week of the BI snapshot, in <snapshot>/reports/cx-weekly-<ISO week>.html. "
        "Reads the snapshot only; numbers from the semantic layer, as on the dashboard. Job cx_weekly_report, "
        "scheduled on Mondays."
    ),
)
def weekly_report(context: AssetExecutionContext, cxpipe: CxpipeResource) -> MaterializeResult:
    # Imported here: altair and MetricFlow load only when the report runs, not with the definitions.
    from dashboard.charts import fmt
    from dashboard.report import render_weekly_report, write_report
    from dashboard.semantic import SnapshotSemantics

    semantics = SnapshotSemantics(cxpipe.snapshot_path)
    try:
        report = render_weekly_report(semantics)
    finally:
        semantics.close()
    target = write_report(report, cxpipe.snapshot_path / "reports")
    context.log.info(f"Weekly report for the week of {report.week_start} written to {target}")
    lines = ["| KPI | this week | week before |", "|---|---|---|"] + [
        f"| {row.label} | {fmt(row.value, row.unit)} | {fmt(row.previous, row.unit)} |"
        for row in report.headline.itertuples()
    ]
    return MaterializeResult(
        metadata={
            "report": MetadataValue.path(str(target)),
            "week_start": report.week_start.isoformat(),
            "headline": MetadataValue.md("\n".join(lines)),
        }
    )
