"""Dagster resources: where the landing files and the warehouse are (from the environment)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, EnvVar, InitResourceContext

from ingestion.privacy import KEY_FILE_NAME
from orchestration.run_lock import close_interrupted_runs, refresh_lock

# Every step that writes the DuckDB file runs in this pool, whose limit is 1: DuckDB allows one
# writing process at a time (dagster.yaml written by `cxpipe ui` sets the limit).
WRITER_POOL = "duckdb_writer"
# Jobs that only read the published snapshot: they do not take the refresh lock.
SNAPSHOT_READING_JOBS = frozenset({"cx_weekly_report"})


class CxpipeResource(ConfigurableResource):
    """Paths and site settings of this deployment."""

    landing_dir: str
    warehouse_path: str
    state_dir: str
    site_timezone: str = "UTC"
    # auto, api, simulator or off (orchestration/zendesk.py)
    zendesk: str = "auto"
    # The BI snapshot folder (orchestration/publish.py); empty: `snapshot/` beside the warehouse.
    snapshot_dir: str = ""

    @property
    def snapshot_path(self) -> Path:
        return Path(self.snapshot_dir) if self.snapshot_dir else Path(self.warehouse_path).parent / "snapshot"

    @property
    def dlt_pipelines_dir(self) -> Path:
        return Path(self.state_dir) / "dlt"

    @property
    def pseudonym_key_file(self) -> Path:
        """The state folder's pseudonymization key file (used when no key is configured)."""
        return Path(self.state_dir) / KEY_FILE_NAME

    @contextlib.contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator[CxpipeResource]:
        """For a whole run (the in-process executor sets resources up once per run): hold the
        warehouse's refresh lock (orchestration/run_lock.py), so a run launched while another
        refresh writes waits for it, or fails saying which run holds the warehouse."""
        run = context.dagster_run
        if run is None or run.job_name in SNAPSHOT_READING_JOBS:
            yield self
            return
        with refresh_lock(Path(self.warehouse_path), what=f"Dagster run {run.run_id[:8]} of {run.job_name}",
                          on_wait=context.log.warning if context.log else None):
            if context.instance is not None:
                for line in close_interrupted_runs(context.instance, run.run_id):
                    if context.log:
                        context.log.warning(line)
            yield self

    def connect(self, read_only: bool = True) -> duckdb.DuckDBPyConnection:
        """A connection to the warehouse; read-only for checks so they never take the write lock."""
        return duckdb.connect(self.warehouse_path, read_only=read_only)


def cxpipe_resource_from_env() -> CxpipeResource:
    return CxpipeResource(
        landing_dir=EnvVar("CXPIPE_LANDING_DIR"),
        warehouse_path=EnvVar("CXPIPE_WAREHOUSE"),
        state_dir=EnvVar("CXPIPE_STATE_DIR"),
        site_timezone=EnvVar("CXPIPE_SITE_TIMEZONE"),
        zendesk=os.environ.get("CXPIPE_ZENDESK") or "auto",
        snapshot_dir=os.environ.get("CXPIPE_SNAPSHOT_DIR") or "",
    )
