"""dlt ingestion as Dagster assets: one asset per raw table, keys `raw/<source>/<table>`."""


import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext
from dagster_dlt import DagsterDltResource, dlt_assets

from ingestion.pipelines import make_pipeline
from ingestion.telephony import telephony
from orchestration.resources import WRITER_POOL, CxpipeResource
from orchestration.translators import CxDltTranslator

# The source and pipeline given to the decorator only describe the assets (resource names,
# destination kind); the run builds them again from the deployment's settings.
_DESCRIPTION_PIPELINE_DIR = Path(tempfile.gettempdir()) / "cxpipe_dlt_definitions"


@dlt_assets(
    dlt_source=telephony(landing_dir="."),
    dlt_pipeline=make_pipeline(
        warehouse_path=_DESCRIPTION_PIPELINE_DIR / "unused.duckdb",
        pipelines_dir=_DESCRIPTION_PIPELINE_DIR,
    ),
    name="telephony_raw",
    dagster_dlt_translator=CxDltTranslator(),
    pool=WRITER_POOL,
)
def telephony_raw(
    context: AssetExecutionContext, dlt: DagsterDltResource, cxpipe: CxpipeResource
) -> Iterator[Any]:
    """Load new and grown telephony files from the landing folder into `raw_telephony`."""
    landing = Path(cxpipe.landing_dir)
    if not landing.is_dir():
        raise FileNotFoundError(f"The landing folder {landing} does not exist.")
    context.log.info(f"Loading telephony files from {landing} into {cxpipe.warehouse_path}")
    pipeline = make_pipeline(
        warehouse_path=Path(cxpipe.warehouse_path), pipelines_dir=cxpipe.dlt_pipelines_dir
    )
    for result in dlt.run(
        context=context, dlt_source=telephony(landing_dir=str(landing)), dlt_pipeline=pipeline
    ):
        yield result
