"""The one place that builds dlt pipelines for the warehouse (a DuckDB file by default).

Ingestion code, Dagster assets and tests all build their pipeline here, so the destination, the
dataset name and the pipeline's working folder (where dlt keeps state and pending packages) are
the same everywhere.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

import dlt
from dlt.common.runtime.collector import LogCollector

from ingestion.telephony import DATASET_NAME as TELEPHONY_DATASET

__all__ = ["make_pipeline"]

PROGRESS_LOG_PERIOD_SECONDS = 10.0


def make_pipeline(
    warehouse_path: Path,
    pipelines_dir: Path | None = None,
    pipeline_name: str = "cxpipe_telephony",
    dataset_name: str = TELEPHONY_DATASET,
    progress: Literal["log"] | None = "log",
) -> dlt.Pipeline:
    """A dlt pipeline loading into the DuckDB file ``warehouse_path``, dataset ``raw_telephony``.

    Args:
        warehouse_path: the DuckDB database file (created when missing).
        pipelines_dir: dlt's working folder for this pipeline's state, schemas and packages not yet
            loaded; dlt's default (``~/.dlt/pipelines``) when None. Keep it with the warehouse: the
            file cursors live in its state (and in the warehouse, which dlt restores them from
            when this folder is lost). Deleting the warehouse but keeping this folder would make
            dlt believe every file was already loaded; delete both.
        pipeline_name: names the state; one pipeline per source.
        dataset_name: the DuckDB schema the tables are created in.
        progress: ``"log"`` logs extract/normalize/load progress every 10 s to the
            ``cxpipe.ingestion`` logger; None is silent.
    """
    warehouse_path = Path(warehouse_path)
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    collector = (
        LogCollector(
            log_period=PROGRESS_LOG_PERIOD_SECONDS,
            logger=logging.getLogger("cxpipe.ingestion"),
            dump_system_stats=False,
        )
        if progress == "log"
        else None
    )
    return dlt.pipeline(
        pipeline_name=pipeline_name,
        pipelines_dir=str(pipelines_dir) if pipelines_dir is not None else None,
        destination=dlt.destinations.duckdb(credentials=str(warehouse_path)),
        dataset_name=dataset_name,
        progress=collector,
    )
