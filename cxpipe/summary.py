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


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h"


def _money(value: float) -> str:
    return f"{value:,.2f}"


def _optional_query(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[tuple]:
    """Rows of `sql`, or none when its mart (or a column of it) is missing in an older warehouse."""
    try:
        return con.execute(sql, params).fetchall()
    except (duckdb.CatalogException, duckdb.BinderException):
        return []


def _agent_lines(con: duckdb.DuckDBPyConnection, day: date) -> list[str]:
    """Phone agents of the day per team and all together (kpi_agent_daily), as ratios of summed seconds."""
    rows = _optional_query(con, """
        select coalesce(team_name, '(no team)'),
               count(*) filter (where logged_in_seconds > 0),
               coalesce(sum(logged_in_seconds), 0), coalesce(sum(handle_seconds), 0),
               coalesce(sum(available_seconds), 0), coalesce(sum(adherent_seconds), 0),
               coalesce(sum(scheduled_seconds), 0), coalesce(sum(scheduled_not_logged_in_seconds), 0),
               coalesce(sum(call_handle_seconds), 0), coalesce(sum(calls_handled), 0)
        from marts.kpi_agent_daily where report_date = ? and is_phone_agent
        group by 1 order by 1
        """, [day])
    if not rows:
        return []
    totals = ("ALL TEAMS", *(sum(float(r[i]) for r in rows) for i in range(1, len(rows[0]))))
    header = (f"{'team':<14} {'agents':>6} {'logged in':>10} {'occupancy':>9} {'utiliz.':>8} "
              f"{'adherence':>9} {'shrinkage':>9} {'AHT':>8}")
    lines = ["", f"Phone agents on {day} (ratios of the day's summed seconds; agents = logged in):",
             header, "-" * len(header)]
    for team, agents, logged_in, handle, available, adherent, scheduled, not_logged_in, call_handle, calls in (
            [*rows, totals] if len(rows) > 1 else rows):
        if team == "ALL TEAMS":
            lines.append("-" * len(header))
        lines.append(
            f"{team:<14} {int(agents):>6} {_hours(logged_in):>10} {_pct(_ratio(handle, handle + available)):>9} "
            f"{_pct(_ratio(handle, logged_in)):>8} {_pct(_ratio(adherent, scheduled)):>9} "
            f"{_pct(_ratio(not_logged_in, scheduled)):>9} {_secs(_ratio(call_handle, calls)):>8}")
    return lines


def _cost_lines(con: duckdb.DuckDBPyConnection, day: date) -> list[str]:
    """The day's cost per channel and in total (kpi_cost_daily); cost per contact = total cost / contacts."""
    rows = _optional_query(con, """
        select channel, coalesce(handled_contacts, 0), coalesce(total_cost, 0)::double
        from marts.kpi_cost_daily
        where report_date = ? and (handled_contacts > 0 or total_cost > 0)
        order by total_cost desc, channel
        """, [day])
    if not rows:
        return []
    header = f"{'channel':<17} {'contacts':>8} {'total cost':>12} {'per contact':>11}"
    lines = ["", f"Cost on {day} (agent paid hours x hourly cost + fixed cost):", header, "-" * len(header)]
    contacts_all = sum(int(r[1]) for r in rows)
    cost_all = sum(float(r[2]) for r in rows)
    for channel, contacts, cost in [*rows, ("ALL CHANNELS", contacts_all, cost_all)]:
        if channel == "ALL CHANNELS":
            lines.append("-" * len(header))
        per_contact = _ratio(cost, contacts)
        lines.append(f"{channel:<17} {int(contacts):>8} {_money(cost):>12} "
                     f"{'-' if per_contact is None else _money(per_contact):>11}")
    return lines


def _staffing_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The first day of the forecast horizon (kpi_staffing_interval) and the pooled backtest error."""
    first = _optional_query(con, """
        select report_date, sum(forecast_offered), max(required_positions),
               count(*) filter (where staffing_gap < 0), count(*)
        from marts.kpi_staffing_interval
        where report_date = (select min(report_date) from marts.kpi_staffing_interval)
        group by report_date
        """, [])
    if not first:
        return []
    first_day, offered, peak, short_count, intervals = first[0]
    lines = ["", f"Staffing look-ahead, first forecast day {first_day}:",
             f"  forecast calls {float(offered or 0):.0f}   peak required positions "
             f"{'-' if peak is None else int(peak)}   intervals short of staff {int(short_count)} of {int(intervals)}"]
    if short_count:
        gap, start = _optional_query(con, """
            select staffing_gap, interval_start from marts.kpi_staffing_interval
            where report_date = ? and staffing_gap < 0 order by staffing_gap, interval_start limit 1
            """, [first_day])[0]
        lines.append(f"  worst gap {gap:+.1f} agents at {start:%H:%M} (scheduled - required positions)")
    backtest = _optional_query(con, """
        select daily_mape, interval_wape, holdout_start, holdout_end
        from marts.fct_forecast_backtest where queue_name = '*' order by holdout_end desc limit 1
        """, [])
    if backtest:
        mape, wape, start, end = backtest[0]
        lines.append(f"  backtest {start} to {end}, all queues: daily MAPE {_pct(mape).strip()}   "
                     f"interval WAPE {_pct(wape).strip()}")
    return lines


def format_workforce_summary(warehouse: Path, day: date) -> str | None:
    """Phone agents' occupancy, utilization, adherence and shrinkage (kpi_agent_daily), the cost per
    contact (kpi_cost_daily) of the day, and the staffing look-ahead of the forecast
    (kpi_staffing_interval, fct_forecast_backtest); None when the warehouse has none of them."""
    with _connect(warehouse) as con:
        lines = [*_agent_lines(con, day), *_cost_lines(con, day), *_staffing_lines(con)]
    return "\n".join(lines) if lines else None
