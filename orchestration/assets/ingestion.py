"""dlt ingestion as Dagster assets: one asset per raw table, keys `raw/<source>/<table>`."""


import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext
from dagster_dlt import DagsterDltResource, dlt_assets

from ingestion.pipelines import make_pipeline
from ingestion.telephony import telephony
from ingestion.zendesk import DATASET_NAME as ZENDESK_DATASET
from ingestion.zendesk import zendesk
from orchestration.resources import WRITER_POOL, CxpipeResource
from orchestration.translators import CxDltTranslator
from orchestration.zendesk import resolve_mode, zendesk_endpoint

ZENDESK_PIPELINE_NAME = "cxpipe_zendesk"

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


@dlt_assets(
    dlt_source=zendesk(base_url="http://127.0.0.1", email="definitions", api_token="definitions"),
    dlt_pipeline=make_pipeline(
        warehouse_path=_DESCRIPTION_PIPELINE_DIR / "unused.duckdb",
        pipelines_dir=_DESCRIPTION_PIPELINE_DIR,
        pipeline_name=ZENDESK_PIPELINE_NAME,
        dataset_name=ZENDESK_DATASET,
    ),
    name="zendesk_raw",
    dagster_dlt_translator=CxDltTranslator(),
    pool=WRITER_POOL,
)
def zendesk_raw(
    context: AssetExecutionContext, dlt: DagsterDltResource, cxpipe: CxpipeResource
) -> Iterator[Any]:
    """Load what changed in the helpdesk (Zendesk API, or the simulated one) into `raw_zendesk`."""
    mode = resolve_mode(cxpipe.zendesk)
    pipeline = make_pipeline(
        warehouse_path=Path(cxpipe.warehouse_path),
        pipelines_dir=cxpipe.dlt_pipelines_dir,
        pipeline_name=ZENDESK_PIPELINE_NAME,
        dataset_name=ZENDESK_DATASET,
    )
    with zendesk_endpoint(mode, Path(cxpipe.landing_dir)) as endpoint:
        where = endpoint.get("base_url", "the Zendesk account in the dlt config")
        context.log.info(f"Loading the helpdesk from {where} into {cxpipe.warehouse_path}")
        for result in dlt.run(context=context, dlt_source=zendesk(**endpoint), dlt_pipeline=pipeline):
            yield result
