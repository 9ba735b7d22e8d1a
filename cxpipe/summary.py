"""The readable KPI summary printed by `cxpipe kpis` and `cxpipe demo`, read from the marts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from cxpipe.errors import CxpipeError

QUEUE_COLUMNS = (
    "offered, answered, abandoned, short_abandoned, answered_within_sl, handled, "
    "answered_wait_seconds, abandoned_wait_seconds, handle_seconds, max_wait_seconds, transferred"
)


@dataclass(frozen=True)
class QueueDay:
    queue_name: str
    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    answered_within_sl: int
    handled: int
    answered_wait_seconds: float
    abandoned_wait_seconds: float
    handle_seconds: float
    max_wait_seconds: float | None
    transferred: int

    @property
    def service_level(self) -> float | None:
        return _ratio(self.answered_within_sl, self.offered - self.short_abandoned)

    @property
    def abandon_rate(self) -> float | None:
        return _ratio(self.abandoned - self.short_abandoned, self.offered - self.short_abandoned)

    @property
    def asa_seconds(self) -> float | None:
        return _ratio(self.answered_wait_seconds, self.answered)

    @property
    def aht_seconds(self) -> float | None:
        return _ratio(self.handle_seconds, self.handled)

    @property
    def transfer_rate(self) -> float | None:
        return _ratio(self.transferred, self.answered)


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if not denominator else numerator / denominator


def _connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    if not warehouse.exists():
        raise CxpipeError(f"The warehouse {warehouse} does not exist; run `cxpipe run` first.")
    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        raise CxpipeError(f"Cannot open the warehouse {warehouse}: {str(exc).splitlines()[0]}") from exc


def load_queue_days(warehouse: Path, day: date | None) -> tuple[date, list[QueueDay], list[date]]:
    """The queues' daily KPIs for `day` (default: the latest day in the marts)."""
    with _connect(warehouse) as con:
        try:
            days = [r[0] for r in con.execute(
                "select distinct report_date from marts.kpi_queue_daily order by 1").fetchall()]
        except duckdb.CatalogException as exc:
            raise CxpipeError(
                f"The warehouse {warehouse} has no marts yet; run `cxpipe run` first.") from exc
        if not days:
            raise CxpipeError(f"The marts in {warehouse} are empty: no calls were loaded.")
        chosen = day or days[-1]
        if chosen not in days:
            raise CxpipeError(
                f"No calls on {chosen}; the marts cover {days[0]} to {days[-1]}.")
        rows = con.execute(
            f"select queue_name, {QUEUE_COLUMNS} from marts.kpi_queue_daily "
            "where report_date = ? order by queue_name",
            [chosen],
        ).fetchall()
    return chosen, [QueueDay(*row) for row in rows], days


def total(queues: list[QueueDay]) -> QueueDay:
    """All queues together, re-aggregated from the counts (never by averaging ratios)."""
    waits = [q.max_wait_seconds for q in queues if q.max_wait_seconds is not None]
    return QueueDay(
        queue_name="ALL QUEUES",
        offered=sum(q.offered for q in queues),
        answered=sum(q.answered for q in queues),
        abandoned=sum(q.abandoned for q in queues),
        short_abandoned=sum(q.short_abandoned for q in queues),
        answered_within_sl=sum(q.answered_within_sl for q in queues),
        handled=sum(q.handled for q in queues),
        answered_wait_seconds=sum(q.answered_wait_seconds for q in queues),
        abandoned_wait_seconds=sum(q.abandoned_wait_seconds for q in queues),
        handle_seconds=sum(q.handle_seconds for q in queues),
        max_wait_seconds=max(waits) if waits else None,
        transferred=sum(q.transferred for q in queues),
    )


def load_daily_totals(warehouse: Path, last_day: date, days: int = 14) -> list[tuple[date, QueueDay]]:
    """All queues together per day, for the `days` days up to `last_day`."""
    with _connect(warehouse) as con:
        rows = con.execute(
            f"select report_date, queue_name, {QUEUE_COLUMNS} from marts.kpi_queue_daily "
            "where report_date <= ? order by report_date",
            [last_day],
        ).fetchall()
    by_day: dict[date, list[QueueDay]] = {}
    for row in rows:
        by_day.setdefault(row[0], []).append(QueueDay(*row[1:]))
    return [(day, total(queues)) for day, queues in sorted(by_day.items())[-days:]]


def format_trend(totals: list[tuple[date, QueueDay]]) -> str:
    lines = ["", f"Last {len(totals)} days, all queues:", f"{'day':<14} {'offered':>8} {'SL':>7} {'ASA':>8} {'abandon':>8}"]
    for day, q in totals:
        bar = "#" * round((q.service_level or 0) * 20)
        lines.append(f"{day:%a %Y-%m-%d} {q.offered:>8} {_pct(q.service_level):>7} {_secs(q.asa_seconds):>8} "
                     f"{_pct(q.abandon_rate):>8}  {bar}")
    return "\n".join(lines)


def quarantine_count(warehouse: Path) -> int | None:
    """Lines and records that could not be loaded, all sources (None before any load)."""
    total_count = None
    with _connect(warehouse) as con:
        for table in ("raw_telephony.quarantine", "raw_zendesk.quarantine"):
            try:
                count = int(con.execute(f"select count(*) from {table}").fetchone()[0])
            except duckdb.CatalogException:
                continue
            total_count = (total_count or 0) + count
    return total_count


def _pct(value: float | None) -> str:
    return "   -" if value is None else f"{value * 100:5.1f}%"


def _secs(value: float | None) -> str:
    return "   -" if value is None else f"{value:6.1f}s"


def format_summary(day: date, queues: list[QueueDay], days: list[date], quarantined: int | None) -> str:
    header = (
        f"{'queue':<12} {'offered':>8} {'answered':>8} {'abandoned':>9} {'SL':>7} "
        f"{'ASA':>8} {'abandon':>8} {'AHT':>8} {'transfer':>8}"
    )
    lines = [
        f"Voice KPIs for {day} (site-local day; marts cover {days[0]} to {days[-1]}, {len(days)} days)",
        "SL = answered within the threshold / (offered - short abandons); abandon rate excludes short abandons.",
        "",
        header,
        "-" * len(header),
    ]
    for q in [*queues, total(queues)]:
        if q.queue_name == "ALL QUEUES":
            lines.append("-" * len(header))
        lines.append(
            f"{q.queue_name:<12} {q.offered:>8} {q.answered:>8} {q.abandoned:>9} {_pct(q.service_level):>7} "
            f"{_secs(q.asa_seconds):>8} {_pct(q.abandon_rate):>8} {_secs(q.aht_seconds):>8} "
            f"{_pct(q.transfer_rate):>8}"
        )
    if quarantined is not None:
        lines += ["", f"Quarantined lines and records (could not be read): {quarantined}"
                  + ("" if not quarantined else " - see raw_telephony.quarantine (file, line, reason) "
                     "and raw_zendesk.quarantine (page, position, reason)")]
    return "\n".join(lines)


def format_digital_summary(warehouse: Path, day: date) -> str:
    """The helpdesk's day per channel (kpi_ticket_daily) and the channel mix (kpi_channel_daily);
    empty when the deployment has no helpdesk data for that day."""
    with _connect(warehouse) as con:
        try:
            rows = con.execute(
                """
                select channel, sum(created), sum(solved), sum(backlog),
                       sum(first_reply_business_minutes_sum), sum(first_reply_count),
                       sum(satisfaction_good), sum(satisfaction_bad)
                from marts.kpi_ticket_daily where report_date = ? group by channel order by sum(created) desc
                """,
                [day],
            ).fetchall()
            mix = con.execute(
                "select channel, inbound_contacts, inbound_share from marts.kpi_channel_daily "
                "where report_date = ? order by inbound_contacts desc",
                [day],
            ).fetchall()
        except duckdb.CatalogException:
            return ""
    if not rows:
        return ""
    header = f"{'channel':<17} {'created':>8} {'solved':>7} {'backlog':>8} {'1st reply (bus.)':>17} {'CSAT':>7}"
    lines = ["", f"Digital channels on {day} (helpdesk; backlog at the end of the day):", header, "-" * len(header)]
    for channel, created, solved, backlog, reply_sum, reply_count, good, bad in rows:
        reply = "-" if not reply_count else f"{reply_sum / reply_count:8.0f} min"
        lines.append(f"{channel:<17} {int(created):>8} {int(solved):>7} {int(backlog):>8} {reply:>17} "
                     f"{_pct(_ratio(good, good + bad)):>7}")
    if mix:
        lines += ["", "Channel mix (inbound contacts): " + ", ".join(
            f"{channel} {share * 100:.0f}%" for channel, _, share in mix if share is not None)]
    return "\n".join(lines)


def format_cx_summary(warehouse: Path, day: date) -> str:
    """The customer-experience KPIs of the day over all channels (kpi_cx_daily), re-aggregated from
    their counts; empty when the deployment has none for that day."""
    with _connect(warehouse) as con:
        try:
            row = con.execute(
                """
                select sum(contacts), sum(fcr_resolved), sum(fcr_measured), sum(csat_satisfied),
                       sum(csat_answered), sum(tnps_promoters) - sum(tnps_detractors), sum(tnps_answered),
                       sum(ces_score_sum), sum(ces_answered), sum(ivr_self_served), sum(ivr_sessions),
                       sum(surveys_answered), sum(surveys_sent)
                from marts.kpi_cx_daily where report_date = ? and channel <> 'relationship'
                """,
                [day],
            ).fetchone()
        except duckdb.CatalogException:
            return ""
    if not row or not row[0]:
        return ""
    contacts, fcr, fcr_n, sat, csat_n, nps_net, nps_n, ces, ces_n, self_served, sessions, answered, sent = row
    nps = "-" if not nps_n else f"{100 * nps_net / nps_n:+.0f}"
    ces_mean = "-" if not ces_n else f"{ces / ces_n:.1f}"
    return "\n".join([
        "",
        f"Customer experience on {day} ({int(contacts)} contacts on all channels):",
        f"  FCR {_pct(_ratio(fcr, fcr_n)).strip()} (of {int(fcr_n)} with a known outcome; recent ones are "
        f"pending)   CSAT {_pct(_ratio(sat, csat_n)).strip()}   tNPS {nps}   CES {ces_mean}",
        f"  self-service {_pct(_ratio(self_served, sessions)).strip()} of IVR and bot sessions   "
        f"survey response rate {_pct(_ratio(answered, sent)).strip()}",
    ])
