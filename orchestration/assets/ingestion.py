"""dlt ingestion as Dagster assets: one asset per raw table, keys `raw/<source>/<table>`."""


import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetsDefinition
from dagster_dlt import DagsterDltResource, dlt_assets

from ingestion.crm import DATASET_NAME as CRM_DATASET
from ingestion.crm import crm
from ingestion.ivr import DATASET_NAME as IVR_DATASET
from ingestion.ivr import ivr
from ingestion.pipelines import make_pipeline
from ingestion.privacy import resolve_key
from ingestion.surveys import DATASET_NAME as SURVEYS_DATASET
from ingestion.surveys import surveys
from ingestion.telephony import telephony
from ingestion.wfm import DATASET_NAME as WFM_DATASET
from ingestion.wfm import wfm
from ingestion.zendesk import DATASET_NAME as ZENDESK_DATASET
from ingestion.zendesk import zendesk
from orchestration.resources import WRITER_POOL, CxpipeResource
from orchestration.translators import CxDltTranslator
from orchestration.zendesk import resolve_mode, zendesk_endpoint

ZENDESK_PIPELINE_NAME = "cxpipe_zendesk"

# The source and pipeline given to the decorator only describe the assets (resource names,
# destination kind); the run builds them again from the deployment's settings. The description
# sources pseudonymize nothing: they get a placeholder key, the runs the deployment's key.
_DESCRIPTION_PIPELINE_DIR = Path(tempfile.gettempdir()) / "cxpipe_dlt_definitions"
_DESCRIPTION_ONLY_KEY = "describes-the-assets-never-used-to-load"


def _description_pipeline(pipeline_name: str = "cxpipe_telephony", dataset_name: str | None = None):
    kwargs: dict[str, Any] = {"pipeline_name": pipeline_name}
    if dataset_name is not None:
        kwargs["dataset_name"] = dataset_name
    return make_pipeline(
        warehouse_path=_DESCRIPTION_PIPELINE_DIR / "unused.duckdb",
        pipelines_dir=_DESCRIPTION_PIPELINE_DIR,
        **kwargs,
    )


def pseudonym_key(cxpipe: CxpipeResource) -> str:
    """The deployment's pseudonymization key (ingestion.privacy.resolve_key, with the state
    folder's key file last); a missing key fails the asset with the message saying how to set
    one, before anything is read."""
    return resolve_key(key_file=cxpipe.pseudonym_key_file)


def _landing(cxpipe: CxpipeResource) -> Path:
    landing = Path(cxpipe.landing_dir)
    if not landing.is_dir():
        raise FileNotFoundError(f"The landing folder {landing} does not exist.")
    return landing


@dlt_assets(
    dlt_source=telephony(landing_dir=".", pseudonym_key=_DESCRIPTION_ONLY_KEY),
    dlt_pipeline=_description_pipeline(),
    name="telephony_raw",
    dagster_dlt_translator=CxDltTranslator(),
    pool=WRITER_POOL,
)
def telephony_raw(
    context: AssetExecutionContext, dlt: DagsterDltResource, cxpipe: CxpipeResource
) -> Iterator[Any]:
    """Load new and grown telephony files from the landing folder into `raw_telephony`."""
    landing = _landing(cxpipe)
    source = telephony(landing_dir=str(landing), pseudonym_key=pseudonym_key(cxpipe))
    context.log.info(f"Loading telephony files from {landing} into {cxpipe.warehouse_path}")
    pipeline = make_pipeline(
        warehouse_path=Path(cxpipe.warehouse_path), pipelines_dir=cxpipe.dlt_pipelines_dir
    )
    for result in dlt.run(context=context, dlt_source=source, dlt_pipeline=pipeline):
        yield result


@dlt_assets(
    dlt_source=zendesk(base_url="http://127.0.0.1", email="definitions", api_token="definitions",
                       pseudonym_key=_DESCRIPTION_ONLY_KEY),
    dlt_pipeline=_description_pipeline(ZENDESK_PIPELINE_NAME, ZENDESK_DATASET),
    name="zendesk_raw",
    dagster_dlt_translator=CxDltTranslator(),
    pool=WRITER_POOL,
)
def zendesk_raw(
    context: AssetExecutionContext, dlt: DagsterDltResource, cxpipe: CxpipeResource
) -> Iterator[Any]:
    """Load what changed in the helpdesk (Zendesk API, or the simulated one) into `raw_zendesk`."""
    mode = resolve_mode(cxpipe.zendesk)
    key = pseudonym_key(cxpipe)
    pipeline = make_pipeline(
        warehouse_path=Path(cxpipe.warehouse_path),
        pipelines_dir=cxpipe.dlt_pipelines_dir,
        pipeline_name=ZENDESK_PIPELINE_NAME,
        dataset_name=ZENDESK_DATASET,
    )
    with zendesk_endpoint(mode, Path(cxpipe.landing_dir)) as endpoint:
        where = endpoint.get("base_url", "the Zendesk account in the dlt config")
        context.log.info(f"Loading the helpdesk from {where} into {cxpipe.warehouse_path}")
        source = zendesk(**endpoint, pseudonym_key=key)
        for result in dlt.run(context=context, dlt_source=source, dlt_pipeline=pipeline):
            yield result


def _file_source_assets(
    name: str, make_source: Callable[..., Any], dataset_name: str, what: str
) -> AssetsDefinition:
    """The assets of a CSV-export file source (surveys, CRM, IVR, WFM: `<landing>/<name>/`,
    dataset `raw_<name>`): new and grown files only; a missing folder loads nothing."""

    @dlt_assets(
        dlt_source=make_source(landing_dir=".", pseudonym_key=_DESCRIPTION_ONLY_KEY),
        dlt_pipeline=_description_pipeline(f"cxpipe_{name}", dataset_name),
        name=f"{name}_raw",
        dagster_dlt_translator=CxDltTranslator(),
        pool=WRITER_POOL,
    )
    def file_source_raw(
        context: AssetExecutionContext, dlt: DagsterDltResource, cxpipe: CxpipeResource
    ) -> Iterator[Any]:
        """Load new and grown files of one CSV-export source into its raw dataset."""
        landing = _landing(cxpipe)
        source = make_source(landing_dir=str(landing), pseudonym_key=pseudonym_key(cxpipe))
        folder = landing / name
        if not folder.is_dir():
            context.log.info(f"No {folder} folder: no {what} to load (the tables stay as they are).")
        else:
            context.log.info(f"Loading {what} from {folder} into {cxpipe.warehouse_path}")
        pipeline = make_pipeline(
            warehouse_path=Path(cxpipe.warehouse_path),
            pipelines_dir=cxpipe.dlt_pipelines_dir,
            pipeline_name=f"cxpipe_{name}",
            dataset_name=dataset_name,
        )
        for result in dlt.run(context=context, dlt_source=source, dlt_pipeline=pipeline):
            yield result

    return file_source_raw


surveys_raw = _file_source_assets("surveys", surveys, SURVEYS_DATASET, "survey responses")
crm_raw = _file_source_assets("crm", crm, CRM_DATASET, "CRM exports")
ivr_raw = _file_source_assets("ivr", ivr, IVR_DATASET, "IVR and bot sessions")
wfm_raw = _file_source_assets("wfm", wfm, WFM_DATASET, "workforce schedules")
CX_ASSETS = [surveys_raw, crm_raw, ivr_raw]
FILE_SOURCE_ASSETS = [*CX_ASSETS, wfm_raw]
