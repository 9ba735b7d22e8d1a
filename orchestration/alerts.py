"""KPI alerts as Dagster asset checks (warning severity, never blocking): the latest day of the
marts against the targets and the trailing baseline. Thresholds are dbt vars of
dbt_project/dbt_project.yml (`alert_*`, with `service_level_target`), read like the forecast's.

Each alert is a pure function over a data frame read from a mart (tested alone), wrapped in an
asset check that reads the mart, picks the day (the run's requested last day, else the latest
day in the mart) and reports what it found as readable metadata.
"""


from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from orchestration.kpi_settings import kpi_vars
from orchestration.partitions import checked_day, site_today
from orchestration.resources import WRITER_POOL, CxpipeResource


@dataclass
class Alert:
    """What an alert check found: the findings (one line each) and figures for the metadata."""

    checked: str
    findings: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.findings

    def result(self) -> AssetCheckResult:
        metadata: dict[str, Any] = {"checked": self.checked, **self.figures}
        metadata["findings"] = MetadataValue.md(
            "\n".join(f"- {line}" for line in self.findings) if self.findings else "none"
        )
        return AssetCheckResult(
            passed=self.passed,
            severity=AssetCheckSeverity.WARN,
            metadata=metadata,
            description="; ".join(self.findings[:3]) if self.findings else None,
        )


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def service_level_alert(daily: pd.DataFrame, day: date, target: float, min_offered: int) -> Alert:
    """Queues whose service level on `day` is below `target` (answered within the threshold /
    offered - short abandons), among queues offered at least `min_offered` calls that day."""
    today = daily[daily["report_date"] == day]
    alert = Alert(checked=f"service level on {day} against the target {target:.0%}")
    below = []
    for row in today.itertuples():
        offered = row.offered - row.short_abandoned
        level = _ratio(row.answered_within_sl, offered)
        if row.offered >= min_offered and level is not None and level < target:
            below.append(row.queue_name)
            alert.findings.append(f"{row.queue_name}: service level {_pct(level)} below {target:.0%} "
                                  f"({row.answered_within_sl} of {offered} calls within the threshold)")
    alert.figures["queues_below_target"] = len(below)
    return alert


def abandonment_alert(daily: pd.DataFrame, day: date, baseline_days: int, spike_ratio: float,
                      min_points: float, min_offered: int) -> Alert:
    """Queues whose abandon rate on `day` is at least `spike_ratio` times their rate over the
    `baseline_days` before it and at least `min_points` above it (rates as ratios of sums)."""
    alert = Alert(checked=f"abandon rate on {day} against the {baseline_days} days before")
    start = day - timedelta(days=baseline_days)
    for queue, rows in daily.groupby("queue_name"):
        today = rows[rows["report_date"] == day]
        base = rows[(rows["report_date"] >= start) & (rows["report_date"] < day)]
        if today.empty or base.empty or int(today["offered"].sum()) < min_offered:
            continue
        rate = _ratio(float((today["abandoned"] - today["short_abandoned"]).sum()),
                      float((today["offered"] - today["short_abandoned"]).sum()))
        usual = _ratio(float((base["abandoned"] - base["short_abandoned"]).sum()),
                       float((base["offered"] - base["short_abandoned"]).sum()))
        if rate is None or usual is None:
            continue
        if rate >= usual * spike_ratio and rate - usual >= min_points:
            alert.findings.append(f"{queue}: abandon rate {_pct(rate)}, usually {_pct(usual)}")
    alert.figures["queues_spiking"] = len(alert.findings)
    return alert


def score_drop_alert(daily: pd.DataFrame, day: date, baseline_days: int, csat_drop: float,
                     nps_drop: float, min_answers: int) -> Alert:
    """CSAT (share satisfied) and transactional NPS of `day`, all channels, against the
    `baseline_days` before it: an alert when either fell by more than its threshold."""
    alert = Alert(checked=f"CSAT and tNPS on {day} against the {baseline_days} days before")
    start = day - timedelta(days=baseline_days)
    today = daily[daily["report_date"] == day]
    base = daily[(daily["report_date"] >= start) & (daily["report_date"] < day)]

    def csat(frame: pd.DataFrame) -> tuple[float | None, int]:
        answered = int(frame["csat_answered"].sum())
        return _ratio(float(frame["csat_satisfied"].sum()), answered), answered

    def nps(frame: pd.DataFrame) -> tuple[float | None, int]:
        answered = int(frame["tnps_answered"].sum())
        share = _ratio(float(frame["tnps_promoters"].sum() - frame["tnps_detractors"].sum()), answered)
        return (None if share is None else 100 * share), answered

    for name, measure, threshold, unit in (("CSAT", csat, csat_drop, "points"), ("tNPS", nps, nps_drop, "")):
        now, answers = measure(today)
        usual, _ = measure(base)
        alert.figures[f"{name} today"] = None if now is None else round(now, 4)
        alert.figures[f"{name} baseline"] = None if usual is None else round(usual, 4)
        if now is None or usual is None or answers < min_answers:
            continue
        if usual - now > threshold:
            shown = (lambda v: _pct(v)) if name == "CSAT" else (lambda v: f"{v:.0f}")
            alert.findings.append(f"{name} {shown(now)} from {answers} answers, usually {shown(usual)}")
    return alert


def backlog_alert(daily: pd.DataFrame, day: date, growth_days: int) -> Alert:
    """The helpdesk backlog (all channels and groups, end of day) rose on each of the
    `growth_days` days up to `day`."""
    totals = daily.groupby("report_date")["backlog"].sum().sort_index()
    window = totals[totals.index <= day].tail(growth_days + 1)
    alert = Alert(checked=f"backlog over the {growth_days} days up to {day}")
    alert.figures["backlog"] = int(window.iloc[-1]) if len(window) else 0
    if len(window) == growth_days + 1 and window.index[-1] == day and (window.diff().dropna() > 0).all():
        alert.findings.append(f"the backlog grew {growth_days} days in a row: "
                              + " -> ".join(str(int(v)) for v in window.to_numpy()))
    return alert


def staffing_gap_alert(intervals: pd.DataFrame, max_short: float) -> Alert:
    """Intervals of the first forecast day whose published schedule is short of the required
    positions by more than `max_short` agents (unpublished days are not alerted: NULL gap)."""
    if intervals.empty:
        return Alert(checked="staffing gap (no forecast yet)")
    first = intervals["report_date"].min()
    day = intervals[(intervals["report_date"] == first) & intervals["staffing_gap"].notna()]
    short = day[day["staffing_gap"] < -max_short].sort_values("staffing_gap")
    alert = Alert(checked=f"staffing gap on {first} (more than {max_short:g} agents short)")
    alert.figures["intervals_short"] = len(short)
    if len(short):
        worst = short.iloc[0]
        alert.findings.append(
            f"{len(short)} of {len(day)} intervals short of staff; worst {worst['staffing_gap']:.1f} agents at "
            f"{pd.Timestamp(worst['interval_start']):%H:%M} ({worst['scheduled_agents']:.1f} scheduled, "
            f"{int(worst['required_positions'])} positions required)"
        )
    return alert


# --- the asset checks -----------------------------------------------------------------------------


def _day(context: AssetCheckExecutionContext, frame: pd.DataFrame, cxpipe: CxpipeResource) -> date | None:
    """The run's last day when it is over, else the latest complete day in the mart."""
    days = set() if frame.empty else set(frame["report_date"])
    return checked_day(context.run.tags, days, site_today(cxpipe.site_timezone or "UTC"))


def _read(cxpipe: CxpipeResource, sql: str) -> pd.DataFrame:
    with cxpipe.connect() as con:
        frame = con.execute(sql).df()
    if "report_date" in frame:
        frame["report_date"] = pd.to_datetime(frame["report_date"]).dt.date
    return frame


def _no_data(what: str) -> AssetCheckResult:
    return AssetCheckResult(passed=True, severity=AssetCheckSeverity.WARN, metadata={"checked": f"{what}: no data"})


def _daily_check(context: AssetCheckExecutionContext, cxpipe: CxpipeResource, what: str, sql: str,
                 evaluate: Callable[[pd.DataFrame, date, dict[str, Any]], Alert]) -> AssetCheckResult:
    """Read a mart, pick the day, apply an alert rule with the dbt vars."""
    daily = _read(cxpipe, sql)
    day = _day(context, daily, cxpipe)
    if day is None:
        return _no_data(what)
    return evaluate(daily, day, kpi_vars()).result()


@asset_check(asset=AssetKey(["kpi_queue_daily"]), name="service_level_below_target", pool=WRITER_POOL,
             description="Warns when a queue's service level on the day is below service_level_target.")
def service_level_check(context: AssetCheckExecutionContext, cxpipe: CxpipeResource) -> AssetCheckResult:
    return _daily_check(
        context, cxpipe, "service level",
        "select queue_name, report_date, offered, short_abandoned, answered_within_sl from marts.kpi_queue_daily",
        lambda daily, day, v: service_level_alert(daily, day, float(v["service_level_target"]),
                                                  int(v["alert_min_offered"])),
    )


@asset_check(asset=AssetKey(["kpi_queue_daily"]), name="abandonment_spike", pool=WRITER_POOL,
             description="Warns when a queue's abandon rate jumps against its trailing baseline.")
def abandonment_check(context: AssetCheckExecutionContext, cxpipe: CxpipeResource) -> AssetCheckResult:
    return _daily_check(
        context, cxpipe, "abandonment",
        "select queue_name, report_date, offered, abandoned, short_abandoned from marts.kpi_queue_daily",
        lambda daily, day, v: abandonment_alert(
            daily, day, int(v["alert_baseline_days"]), float(v["alert_abandon_spike_ratio"]),
            float(v["alert_abandon_min_points"]), int(v["alert_min_offered"])),
    )


@asset_check(asset=AssetKey(["kpi_cx_daily"]), name="satisfaction_falling", pool=WRITER_POOL,
             description="Warns when CSAT or tNPS of the day fell against the trailing baseline.")
def satisfaction_check(context: AssetCheckExecutionContext, cxpipe: CxpipeResource) -> AssetCheckResult:
    return _daily_check(
        context, cxpipe, "satisfaction",
        "select report_date, sum(csat_satisfied) as csat_satisfied, sum(csat_answered) as csat_answered, "
        "sum(tnps_promoters) as tnps_promoters, sum(tnps_detractors) as tnps_detractors, "
        "sum(tnps_answered) as tnps_answered from marts.kpi_cx_daily group by report_date",
        lambda daily, day, v: score_drop_alert(
            daily, day, int(v["alert_baseline_days"]), float(v["alert_csat_drop"]),
            float(v["alert_nps_drop"]), int(v["alert_min_answers"])),
    )


@asset_check(asset=AssetKey(["kpi_ticket_daily"]), name="backlog_growing", pool=WRITER_POOL,
             description="Warns when the helpdesk backlog grew several days in a row.")
def backlog_check(context: AssetCheckExecutionContext, cxpipe: CxpipeResource) -> AssetCheckResult:
    return _daily_check(
        context, cxpipe, "backlog",
        "select report_date, sum(backlog) as backlog from marts.kpi_ticket_daily group by report_date",
        lambda daily, day, v: backlog_alert(daily, day, int(v["alert_backlog_growth_days"])),
    )


@asset_check(asset=AssetKey(["kpi_staffing_interval"]), name="staffing_gap", pool=WRITER_POOL,
             description="Warns when the published schedule is short of the required positions tomorrow.")
def staffing_gap_check(cxpipe: CxpipeResource) -> AssetCheckResult:
    settings = kpi_vars()
    intervals = _read(cxpipe, "select report_date, interval_start, staffing_gap, scheduled_agents, "
                              "required_positions from marts.kpi_staffing_interval")
    return staffing_gap_alert(intervals, float(settings["alert_staffing_short_agents"])).result()


ALERT_CHECKS = [service_level_check, abandonment_check, satisfaction_check, backlog_check, staffing_gap_check]
