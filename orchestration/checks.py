"""Data checks written in Python, for what dbt tests cannot see (the raw load itself, the run's
requested days). dbt's own data tests arrive as asset checks through dagster-dbt."""


import os
from datetime import date, timedelta

from dagster import (
    AssetCheckExecutionContext,
    AssetChecksDefinition,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    asset_check,
)

from orchestration.resources import WRITER_POOL, CxpipeResource
from orchestration.translators import raw_asset_key

START_TAG = "cxpipe/start"
END_TAG = "cxpipe/end"


def _table_exists(con, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


@asset_check(
    asset=raw_asset_key("telephony", "queue_log_events"),
    name="rows_arrived",
    blocking=True,
    pool=WRITER_POOL,
    description="Blocks the marts when no queue_log event has ever been loaded (wrong landing folder).",
)
def queue_log_rows_arrived(cxpipe: CxpipeResource) -> AssetCheckResult:
    with cxpipe.connect() as con:
        if not _table_exists(con, "raw_telephony", "queue_log_events"):
            return AssetCheckResult(
                passed=False,
                description=f"No queue_log file has been loaded from {cxpipe.landing_dir}/telephony/queue_log.",
            )
        rows, files = con.execute(
            "select count(*), count(distinct source_file) from raw_telephony.queue_log_events"
        ).fetchone()
    return AssetCheckResult(
        passed=rows > 0,
        metadata={"rows": int(rows), "files": int(files)},
        description=None if rows else "The queue_log table is empty.",
    )


def quarantine_max_share() -> float:
    return float(os.environ.get("CXPIPE_QUARANTINE_MAX_SHARE", "0.01"))


def file_quarantine_share_check(source_name: str, tables: dict[str, str]) -> AssetChecksDefinition:
    """The `quarantine_share` check of a file source's `raw/<source>/quarantine` asset: the lines
    of each feed that could not be loaded, against the lines loaded; warns when a feed's share
    exceeds CXPIPE_QUARANTINE_MAX_SHARE. ``tables``: quarantine `source` value -> its table."""
    schema = f"raw_{source_name}"

    @asset_check(
        asset=raw_asset_key(source_name, "quarantine"),
        name="quarantine_share",
        # Checks only read, but DuckDB lets no other process open the file while a writer has it.
        pool=WRITER_POOL,
        description=(
            "Lines that could not be read, per feed, against the lines read; warns when a feed's "
            "share exceeds CXPIPE_QUARANTINE_MAX_SHARE (default 0.01)."
        ),
    )
    def quarantine_share(cxpipe: CxpipeResource) -> AssetCheckResult:
        limit = quarantine_max_share()
        metadata: dict[str, object] = {"max_share": limit}
        worst = 0.0
        with cxpipe.connect() as con:
            has_quarantine = _table_exists(con, schema, "quarantine")
            for source, table in tables.items():
                good = (
                    con.execute(f"select count(*) from {schema}.{table}").fetchone()[0]
                    if _table_exists(con, schema, table)
                    else 0
                )
                bad = (
                    con.execute(
                        f"select count(*) from {schema}.quarantine where source = ?", [source]
                    ).fetchone()[0]
                    if has_quarantine
                    else 0
                )
                share = bad / (good + bad) if (good + bad) else 0.0
                worst = max(worst, share)
                metadata[f"{source} quarantined"] = int(bad)
                metadata[f"{source} share"] = round(share, 6)
            if has_quarantine:
                reasons = con.execute(
                    f"select reason, count(*) from {schema}.quarantine group by reason "
                    "order by count(*) desc limit 5"
                ).fetchall()
                metadata["top reasons"] = "; ".join(f"{n} x {r}" for r, n in reasons) or "none"
        return AssetCheckResult(
            passed=worst <= limit,
            severity=AssetCheckSeverity.WARN,
            metadata=metadata,
        )

    return quarantine_share


quarantine_share = file_quarantine_share_check(
    "telephony",
    {
        "telephony.queue_log": "queue_log_events",
        "telephony.cdr": "cdr_records",
        "telephony.agent_states": "agent_state_events",
    },
)
surveys_quarantine_share = file_quarantine_share_check(
    "surveys", {"surveys.responses": "survey_responses"}
)
crm_quarantine_share = file_quarantine_share_check(
    "crm", {"crm.customers": "customers", "crm.contracts": "contracts", "crm.orders": "orders"}
)
ivr_quarantine_share = file_quarantine_share_check("ivr", {"ivr.sessions": "ivr_sessions"})
wfm_quarantine_share = file_quarantine_share_check(
    "wfm", {"wfm.schedules": "schedule_activities"}
)


def _requested_days(tags: dict[str, str]) -> "tuple[date, date] | None":
    if START_TAG in tags and END_TAG in tags:
        return date.fromisoformat(tags[START_TAG]), date.fromisoformat(tags[END_TAG])
    return None


@asset_check(
    asset=AssetKey(["kpi_queue_daily"]),
    name="days_present",
    blocking=True,
    pool=WRITER_POOL,
    description=(
        "Every site-local day the run was asked for (run tags cxpipe/start and cxpipe/end, set by "
        "`cxpipe run --start --end`) has offered calls, or the check fails and blocks what follows. "
        "Without a requested range it warns about days without calls between the first and the "
        "last loaded day (a missing file, or a day the site was closed)."
    ),
)
def days_present(context: AssetCheckExecutionContext, cxpipe: CxpipeResource) -> AssetCheckResult:
    with cxpipe.connect() as con:
        loaded = {
            row[0] for row in con.execute("select distinct report_date from marts.kpi_queue_daily").fetchall()
        }
    requested = _requested_days(context.run.tags)
    if requested is None:
        if not loaded:
            return AssetCheckResult(passed=False, description="kpi_queue_daily is empty.")
        first, last = min(loaded), max(loaded)
    else:
        first, last = requested
    expected = {first + timedelta(days=n) for n in range((last - first).days + 1)}
    missing = sorted(expected - loaded)
    return AssetCheckResult(
        passed=not missing,
        severity=AssetCheckSeverity.ERROR if requested else AssetCheckSeverity.WARN,
        metadata={
            "first_day": first.isoformat(),
            "last_day": last.isoformat(),
            "days_loaded": len(expected & loaded),
            "missing_days": ", ".join(d.isoformat() for d in missing[:31]) or "none",
        },
    )


@asset_check(
    asset=raw_asset_key("zendesk", "tickets"),
    name="rows_arrived",
    blocking=True,
    pool=WRITER_POOL,
    description="Blocks the marts when the helpdesk source is on but no ticket has ever been loaded.",
)
def zendesk_rows_arrived(cxpipe: CxpipeResource) -> AssetCheckResult:
    with cxpipe.connect() as con:
        if not _table_exists(con, "raw_zendesk", "tickets"):
            return AssetCheckResult(passed=False, description="No helpdesk ticket has been loaded.")
        tickets, events = con.execute(
            "select (select count(*) from raw_zendesk.tickets), "
            "(select count(*) from raw_zendesk.ticket_events)"
        ).fetchone()
    return AssetCheckResult(
        passed=tickets > 0,
        metadata={"tickets": int(tickets), "ticket_events": int(events)},
        description=None if tickets else "The tickets table is empty.",
    )


@asset_check(
    asset=raw_asset_key("zendesk", "quarantine"),
    name="quarantine_share",
    pool=WRITER_POOL,
    description=(
        "Helpdesk records that could not be loaded, per endpoint, against the records loaded; warns "
        "when an endpoint's share exceeds CXPIPE_QUARANTINE_MAX_SHARE (default 0.01)."
    ),
)
def zendesk_quarantine_share(cxpipe: CxpipeResource) -> AssetCheckResult:
    limit = quarantine_max_share()
    metadata: dict[str, object] = {"max_share": limit}
    worst = 0.0
    with cxpipe.connect() as con:
        if _table_exists(con, "raw_zendesk", "quarantine"):
            bad_by_source = dict(
                con.execute("select source, count(*) from raw_zendesk.quarantine group by source").fetchall()
            )
        else:
            bad_by_source = {}
        for source, bad in sorted(bad_by_source.items()):
            table = source.removeprefix("zendesk.")
            good = (
                con.execute(f'select count(*) from raw_zendesk."{table}"').fetchone()[0]
                if _table_exists(con, "raw_zendesk", table)
                else 0
            )
            share = bad / (good + bad) if (good + bad) else 0.0
            worst = max(worst, share)
            metadata[f"{source} quarantined"] = int(bad)
            metadata[f"{source} share"] = round(share, 6)
        metadata["quarantined"] = int(sum(bad_by_source.values()))
    return AssetCheckResult(passed=worst <= limit, severity=AssetCheckSeverity.WARN, metadata=metadata)


CX_CHECKS = [surveys_quarantine_share, crm_quarantine_share, ivr_quarantine_share]
WFM_CHECKS = [wfm_quarantine_share]
ALL_CHECKS = [queue_log_rows_arrived, quarantine_share, days_present, *CX_CHECKS, *WFM_CHECKS]
ZENDESK_CHECKS = [zendesk_rows_arrived, zendesk_quarantine_share]
