"""Data checks written in Python, for what dbt tests cannot see (the raw load itself, the run's
requested days). dbt's own data tests arrive as asset checks through dagster-dbt."""


import os
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dagster import (
    AssetCheckExecutionContext,
    AssetChecksDefinition,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    asset_check,
)

from orchestration.partitions import checked_day, run_days
from orchestration.resources import WRITER_POOL, CxpipeResource
from orchestration.translators import raw_asset_key


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


def volume_drop_share() -> float:
    return float(os.environ.get("CXPIPE_VOLUME_DROP_SHARE", "0.5"))


def volume_drop(counts: dict[date, int], day: date, share: float, weeks: int = 4) -> tuple[bool, dict]:
    """Whether `day`'s count holds up against the median of the same weekday in the `weeks` weeks
    before (at least two of them with data): below `share` of it is a drop (a missing or cut
    file). Without enough history, or with `share` 0, nothing is a drop."""
    baseline = sorted(counts[d] for w in range(1, weeks + 1) if (d := day - timedelta(days=7 * w)) in counts)
    count = counts.get(day, 0)
    metadata: dict[str, object] = {"day": day.isoformat(), "calls_entered": count, "drop_share": share}
    if share <= 0 or len(baseline) < 2:
        metadata["baseline"] = "not enough history" if share > 0 else "off"
        return True, metadata
    middle = len(baseline) // 2
    median = baseline[middle] if len(baseline) % 2 else (baseline[middle - 1] + baseline[middle]) / 2
    metadata["same_weekday_median"] = median
    return count >= share * median, metadata


@asset_check(
    asset=raw_asset_key("telephony", "queue_log_events"),
    name="no_volume_drop",
    blocking=True,
    pool=WRITER_POOL,
    description=(
        "Fails, and blocks the marts, when the calls entering the queues on the run's day (the "
        "requested last day, else the latest day before today) fall below CXPIPE_VOLUME_DROP_SHARE "
        "(default 0.5; 0 turns it off) of the same weekday's median over the four weeks before: "
        "a missing or cut queue_log file, not a quiet day."
    ),
)
def queue_log_volume(context: AssetCheckExecutionContext, cxpipe: CxpipeResource) -> AssetCheckResult:
    zone = cxpipe.site_timezone or "UTC"
    with cxpipe.connect() as con:
        if not _table_exists(con, "raw_telephony", "queue_log_events"):
            return AssetCheckResult(passed=True, metadata={"day": "no queue_log yet"})
        rows = con.execute(
            f"select cast(timezone('{zone}', to_timestamp(event_epoch)) as date) as day, count(*) "
            "from raw_telephony.queue_log_events where upper(event) = 'ENTERQUEUE' group by day"
        ).fetchall()
    counts = {day: int(n) for day, n in rows}
    day = checked_day(context.run.tags, set(counts), datetime.now(ZoneInfo(zone)).date())
    if day is None:
        return AssetCheckResult(passed=True, metadata={"day": "no complete day yet"})
    passed, metadata = volume_drop(counts, day, volume_drop_share())
    return AssetCheckResult(
        passed=passed,
        severity=AssetCheckSeverity.ERROR,
        metadata=metadata,
        description=None if passed else (
            f"Only {metadata['calls_entered']} calls entered the queues on {day}, against a usual "
            f"{metadata['same_weekday_median']:g} on that weekday: is a queue_log file missing or cut?"
        ),
    )


def quarantine_max_share() -> float:
    return float(os.environ.get("CXPIPE_QUARANTINE_MAX_SHARE", "0.01"))


def quarantine_block_share() -> float:
    """Above this share of unreadable lines in a feed's latest load, the source is too broken to
    publish: the check fails with ERROR and blocks the marts."""
    return float(os.environ.get("CXPIPE_QUARANTINE_BLOCK_SHARE", "0.2"))


QUARANTINE_BLOCK_MIN_LINES = 20
"""A latest load blocks only with at least this many unreadable lines (one bad line of three is noise)."""


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
            "share exceeds CXPIPE_QUARANTINE_MAX_SHARE (default 0.01). (The blocking rule is each "
            "feed's `latest_load_readable` check.)"
        ),
    )
    def quarantine_share(cxpipe: CxpipeResource) -> AssetCheckResult:
        limit = quarantine_max_share()
        metadata: dict[str, object] = {"max_share": limit}
        worst = 0.0
        with cxpipe.connect() as con:
            has_quarantine = _table_exists(con, schema, "quarantine")
            for source, table in tables.items():
                # (lines, lines of the latest load) of the good table and of the quarantine
                good = _lines(con, schema, table, None) if _table_exists(con, schema, table) else (0, 0, None)
                bad = _lines(con, schema, "quarantine", source) if has_quarantine else (0, 0, None)
                share = bad[0] / (good[0] + bad[0]) if (good[0] + bad[0]) else 0.0
                worst = max(worst, share)
                metadata[f"{source} quarantined"] = int(bad[0])
                metadata[f"{source} share"] = round(share, 6)
            if has_quarantine:
                reasons = con.execute(
                    f"select reason, count(*) from {schema}.quarantine group by reason "
                    "order by count(*) desc limit 5"
                ).fetchall()
                metadata["top reasons"] = "; ".join(f"{n} x {r}" for r, n in reasons) or "none"
        return AssetCheckResult(passed=worst <= limit, severity=AssetCheckSeverity.WARN, metadata=metadata)

    return quarantine_share


def latest_load_readable_check(source_name: str, feed: str, table: str) -> AssetChecksDefinition:
    """The blocking `latest_load_readable` check of a file feed's raw table: the source is too
    broken to publish when more than CXPIPE_QUARANTINE_BLOCK_SHARE of the lines of its latest load
    (and at least 20) could not be read; the marts built from it are then not built, and the BI
    snapshot keeps the last good day."""
    schema = f"raw_{source_name}"

    @asset_check(
        asset=raw_asset_key(source_name, table),
        name="latest_load_readable",
        blocking=True,
        pool=WRITER_POOL,
        description=(
            f"Fails, and blocks what is built from {source_name}/{table}, when more than "
            "CXPIPE_QUARANTINE_BLOCK_SHARE (default 0.2) of the lines of its latest load could not "
            "be read (at least 20 lines)."
        ),
    )
    def latest_load_readable(cxpipe: CxpipeResource) -> AssetCheckResult:
        block = quarantine_block_share()
        with cxpipe.connect() as con:
            good = _lines(con, schema, table, None) if _table_exists(con, schema, table) else (0, 0, None)
            bad = _lines(con, schema, "quarantine", feed) if _table_exists(con, schema, "quarantine") else (0, 0, None)
        latest = max(filter(None, (good[2], bad[2])), default=None)
        latest_good = good[1] if good[2] == latest else 0
        latest_bad = bad[1] if bad[2] == latest else 0
        share = latest_bad / (latest_good + latest_bad) if (latest_good + latest_bad) else 0.0
        broken = latest_bad >= QUARANTINE_BLOCK_MIN_LINES and share > block
        return AssetCheckResult(
            passed=not broken,
            severity=AssetCheckSeverity.ERROR,
            metadata={"latest_load": latest or "none", "lines_loaded": latest_good,
                      "lines_quarantined": latest_bad, "share": round(share, 6), "block_share": block},
            description=(f"Too broken to publish: {latest_bad} of {latest_good + latest_bad} lines of "
                         f"the latest {feed} load could not be read (see raw_{source_name}.quarantine)."
                         if broken else None),
        )

    return latest_load_readable


def _lines(con, schema: str, table: str, source: str | None) -> tuple[int, int, str | None]:
    """(rows, rows of the latest load, the latest load id) of a raw table (of one feed's rows in
    the quarantine table)."""
    where = "where source = ?" if source else ""
    params = [source] if source else []
    total, latest = con.execute(
        f"select count(*), max(_dlt_load_id) from {schema}.{table} {where}", params
    ).fetchone()
    if latest is None:
        return int(total), 0, None
    in_latest = con.execute(
        f"select count(*) from {schema}.{table} {where} {'and' if where else 'where'} _dlt_load_id = ?",
        [*params, latest],
    ).fetchone()[0]
    return int(total), int(in_latest), latest


# The feeds of the file sources: quarantine `source` value -> raw table.
FEEDS = {
    "telephony": {"telephony.queue_log": "queue_log_events", "telephony.cdr": "cdr_records",
                  "telephony.agent_states": "agent_state_events"},
    "surveys": {"surveys.responses": "survey_responses"},
    "crm": {"crm.customers": "customers", "crm.contracts": "contracts", "crm.orders": "orders"},
    "ivr": {"ivr.sessions": "ivr_sessions"},
    "wfm": {"wfm.schedules": "schedule_activities"},
}
quarantine_share = file_quarantine_share_check("telephony", FEEDS["telephony"])
surveys_quarantine_share = file_quarantine_share_check("surveys", FEEDS["surveys"])
crm_quarantine_share = file_quarantine_share_check("crm", FEEDS["crm"])
ivr_quarantine_share = file_quarantine_share_check("ivr", FEEDS["ivr"])
wfm_quarantine_share = file_quarantine_share_check("wfm", FEEDS["wfm"])


@asset_check(
    asset=AssetKey(["kpi_queue_daily"]),
    name="days_present",
    blocking=True,
    pool=WRITER_POOL,
    description=(
        "Every complete site-local day the run was asked for (its partitions: the schedule's day, "
        "a backfill, `cxpipe run --start --end`) has offered calls, or the check fails and blocks "
        "what follows. When the days were worked out from new files (the landing sensor, `cxpipe "
        "run` alone) it warns about days without calls between the first and the last loaded day "
        "(a missing file, or a day the site was closed)."
    ),
)
def days_present(context: AssetCheckExecutionContext, cxpipe: CxpipeResource) -> AssetCheckResult:
    with cxpipe.connect() as con:
        loaded = {
            row[0] for row in con.execute("select distinct report_date from marts.kpi_queue_daily").fetchall()
        }
    days = run_days(context.run.tags)
    requested = days is not None and not days.from_files
    if not requested:
        if not loaded:
            return AssetCheckResult(passed=False, description="kpi_queue_daily is empty.")
        first, last = min(loaded), max(loaded)
    else:
        # Today's partition is still running: only the days before it must have calls.
        first = days.start
        last = min(days.end, datetime.now(ZoneInfo(cxpipe.site_timezone or "UTC")).date() - timedelta(days=1))
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
# One blocking check per file feed.
READABLE_CHECKS = [
    latest_load_readable_check(source, feed, table)
    for source, feeds in FEEDS.items()
    for feed, table in feeds.items()
]
ALL_CHECKS = [queue_log_rows_arrived, queue_log_volume, quarantine_share, days_present, *CX_CHECKS, *WFM_CHECKS, *READABLE_CHECKS]
ZENDESK_CHECKS = [zendesk_rows_arrived, zendesk_quarantine_share]
