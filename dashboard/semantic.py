"""The semantic layer over the published snapshot, in-process.

The dashboard and the weekly report ask MetricFlow's engine for metrics by name (the same dbt
semantic models and metrics `cxpipe mf` uses), render the SQL it plans, and run that SQL on the
snapshot opened read-only. So a number on a page is the semantic layer's number: a ratio is the
ratio of the period's sums, never recomputed another way. The metric definitions come from the
snapshot itself (`published.documents`, written at publish time), so they always match the marts
they are read with.

Opening the snapshot read-only never blocks the pipeline: publishing replaces the file by a rename,
and the next `SnapshotSemantics` sees the new one.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from orchestration.publish import DOCUMENTS_TABLE, INFO_SCHEMA, INFO_TABLE, SNAPSHOT_FILE


class SnapshotError(RuntimeError):
    """The snapshot is missing or was published without what the dashboard needs."""


def _literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


# Which dimension of each semantic model (by its primary entity) a dashboard filter applies to.
# A filter a model has no dimension for does not apply to that model's metrics (the pages say so).
FILTER_DIMENSIONS: dict[str, dict[str, str]] = {
    # Voice queues only: the CX facts' queue_or_group also holds helpdesk groups, and a queue picked
    # from this list would silently drop every digital contact from CSAT and FCR.
    "queue": {
        "queue_day": "queue_name",
        "queue_interval": "queue_name",
    },
    "channel": {
        "cx_day": "channel",
        "ticket_day": "channel",
        "cost_day": "channel",
        "ticket_sla": "channel",
        "channel_day": "channel",
    },
    "team": {"agent_day": "team_name"},
    "agent": {"agent_day": "agent_id", "cx_day": "agent_id"},
    "contact_reason": {"cx_day": "contact_reason"},
}


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters: a date range (site-local report days, both ends included) and, per
    filter, the values kept (empty: all)."""

    start: date
    end: date
    queue: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()
    team: tuple[str, ...] = ()
    agent: tuple[str, ...] = ()
    contact_reason: tuple[str, ...] = ()

    def active(self) -> dict[str, tuple[str, ...]]:
        return {name: getattr(self, name) for name in FILTER_DIMENSIONS if getattr(self, name)}

    def where(self, entity: str, grain: str = "day") -> list[str]:
        """MetricFlow where constraints for the metrics of the semantic model whose primary entity
        is `entity`: the date range on metric_time at `grain`, and each active filter the model has a
        dimension for."""
        if grain == "month":
            start, end = self.start.replace(day=1), self.end.replace(day=1)
        else:
            start, end = self.start, self.end
        time = "{{ TimeDimension('metric_time', '" + grain + "') }}"
        constraints = [f"{time} >= {_literal(start)}", f"{time} <= {_literal(end)}"]
        for name, values in self.active().items():
            dimension = FILTER_DIMENSIONS[name].get(entity)
            if dimension:
                listed = ", ".join(_literal(v) for v in values)
                constraints.append("{{ Dimension('" + f"{entity}__{dimension}" + "') }}" + f" in ({listed})")
        return constraints

    def ignored_by(self, entity: str) -> list[str]:
        """The active filters that do not apply to the model of `entity`."""
        return [name for name in self.active() if entity not in FILTER_DIMENSIONS[name]]


class _ExplainOnlyClient:
    """The SqlClient MetricFlow's engine wants: it only plans here (explain), the snapshot
    connection runs the SQL."""

    def __init__(self) -> None:
        from metricflow.protocols.sql_client import SqlEngine
        from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer

        self.sql_engine_type = SqlEngine.DUCKDB
        self.sql_plan_renderer = DuckDbSqlPlanRenderer()

    def query(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("the dashboard runs MetricFlow's SQL on the snapshot itself")

    execute = dry_run = query

    def close(self) -> None:
        return None

    def render_bind_parameter_key(self, bind_parameter_key: str) -> str:
        return "$" + bind_parameter_key


class SnapshotSemantics:
    """MetricFlow over one published snapshot (read-only)."""

    def __init__(self, snapshot_dir: Path) -> None:
        from metricflow.engine.metricflow_engine import MetricFlowEngine
        from metricflow_semantics.model.dbt_manifest_parser import parse_manifest_from_dbt_generated_manifest
        from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

        snapshot_file = Path(snapshot_dir) / SNAPSHOT_FILE
        if not snapshot_file.exists():
            raise SnapshotError(
                f"no published snapshot at {snapshot_file}: run the pipeline (cxpipe run or cxpipe demo) "
                "first, or point CXPIPE_SNAPSHOT_DIR / --snapshot at the folder that holds it"
            )
        self.snapshot_file = snapshot_file
        self._con = duckdb.connect()
        documents = self._read_documents(snapshot_file)
        if "semantic_manifest" not in documents:
            raise SnapshotError(
                f"{snapshot_file} was published without the semantic manifest (an older version of "
                "cx-pipeline): run the pipeline again to republish it"
            )
        manifest = parse_manifest_from_dbt_generated_manifest(manifest_json_string=documents["semantic_manifest"])
        self.kpi_settings: dict[str, Any] = json.loads(documents.get("kpi_settings", "{}"))
        databases = {model.node_relation.database for model in manifest.semantic_models}
        if len(databases) != 1:
            raise SnapshotError(f"the semantic models point at several databases: {sorted(map(str, databases))}")
        # The semantic models name the warehouse's catalog; the snapshot answers to that name.
        self.catalog = str(databases.pop())
        self._con.execute(f'attach {_literal(snapshot_file)} as "{self.catalog}" (read_only)')
        self._planning = threading.Lock()  # the engine numbers its SQL aliases with a global counter
        self._engine = MetricFlowEngine(SemanticManifestLookup(manifest), _ExplainOnlyClient())

    def _read_documents(self, snapshot_file: Path) -> dict[str, str]:
        with duckdb.connect(str(snapshot_file), read_only=True) as con:
            present = con.execute(
                "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
                [INFO_SCHEMA, DOCUMENTS_TABLE],
            ).fetchone()[0]
            if not present:
                return {}
            return dict(con.execute(f"select name, content from {INFO_SCHEMA}.{DOCUMENTS_TABLE}").fetchall())

    def close(self) -> None:
        self._con.close()

    def sql(self, metrics: Sequence[str], group_by: Sequence[str] = (), where: Sequence[str] = ()) -> str:
        """The SQL MetricFlow plans for the metrics by the group-by items under the constraints."""
        from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

        request = MetricFlowQueryRequest.create(
            metric_names=list(metrics),
            group_by_names=list(group_by) or None,
            where_constraints=list(where) or None,
        )
        with self._planning:
            return self._engine.explain(request).sql_statement.sql

    def query(
        self, metrics: Sequence[str], group_by: Sequence[str] = (), where: Sequence[str] = ()
    ) -> pd.DataFrame:
        """Metrics by group-by items, one column each; `metric_time__<grain>` columns are dates.
        Columns are named as asked (a dimension without its entity prefix is not renamed)."""
        with self._con.cursor() as cursor:  # one connection per call: Streamlit sessions run in threads
            frame = cursor.execute(self.sql(metrics, group_by, where)).df()
        for column in frame.columns:
            if column.startswith("metric_time__") or column.endswith("__report_date"):
                frame[column] = pd.to_datetime(frame[column]).dt.date
        sort = [column for column in group_by if column in frame.columns]
        return frame.sort_values(sort).reset_index(drop=True) if sort else frame

    def table(self, sql: str, parameters: Sequence[object] = ()) -> pd.DataFrame:
        """A plain read of the snapshot's tables (dimension lists, annotations): never a metric."""
        with self._con.cursor() as cursor:
            return cursor.execute(sql, list(parameters)).df()

    def info(self) -> dict[str, Any]:
        """When the snapshot was published and what it holds."""
        row = self.table(
            f'select max(published_at), sum(row_count), count(*) from "{self.catalog}".{INFO_SCHEMA}.{INFO_TABLE}'
        ).iloc[0]
        return {"published_at": row.iloc[0], "rows": int(row.iloc[1]), "tables": int(row.iloc[2])}
