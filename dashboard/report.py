"""The weekly stakeholder report: one self-contained HTML file (inline CSS and SVG charts, no
script, nothing fetched when opened) for the last complete Monday-Sunday week of the published
snapshot, ready to attach to an e-mail. The numbers are the dashboard's: the semantic layer's.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import altair as alt
import pandas as pd

from dashboard import charts, data
from dashboard.semantic import Filters, SnapshotSemantics

REPORT_KPIS = (
    *(data.KPIS[metric] for metric in ("offered", "service_level", "asa_seconds", "abandon_rate", "aht_seconds")),
    replace(data.KPIS["contacts"], label="Contacts, all channels"),
    *(data.KPIS[metric] for metric in ("csat", "tnps", "ces_mean", "tickets_created", "first_reply_minutes_avg")),
    replace(data.KPIS["ticket_backlog"], label="Ticket backlog (end of week)"),
    *(data.KPIS[metric] for metric in ("sla_breach_rate", "cost_per_contact")),
)

STYLE = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; color: #222; max-width: 980px;
       margin: 24px auto; padding: 0 16px; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ddd; }
.meta { color: #666; font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #eee; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.better { color: #1a7f37; } .worse { color: #c62828; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; } .charts > div { flex: 1 1 460px; }
"""


@dataclass(frozen=True)
class WeeklyReport:
    week_start: date
    html: str
    headline: pd.DataFrame


def last_complete_week(last_day: date) -> date:
    """The Monday of the last Monday-Sunday week that ends on or before `last_day`."""
    sunday = last_day - timedelta(days=(last_day.weekday() + 1) % 7)
    return sunday - timedelta(days=6)


def _svg(chart: alt.TopLevelMixin) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(chart.to_json())


def _table(frame: pd.DataFrame, columns: list[tuple[str, str]]) -> str:
    head = "".join(f"<th>{html.escape(title)}</th>" for _, title in columns)
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for key, _ in columns:
            value = row[key]
            css = " class='num'" if isinstance(value, (int, float)) and not isinstance(value, bool) else ""
            cells.append(f"<td{css}>{html.escape(str(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _headline_rows(headline: pd.DataFrame) -> str:
    rows = []
    for row in headline.itertuples():
        change, css = "", ""
        if not pd.isna(row.value) and not pd.isna(row.previous) and row.previous:
            relative = (row.value - row.previous) / abs(row.previous)
            change = charts.fmt_change(relative, row.unit, row.value, row.previous)
            css = "better" if (relative > 0) == row.higher_is_better else "worse"
            css = "" if relative == 0 else css
        rows.append(
            f"<tr><td>{html.escape(row.label)}</td><td class='num'>{charts.fmt(row.value, row.unit)}</td>"
            f"<td class='num'>{charts.fmt(row.previous, row.unit)}</td>"
            f"<td class='num {css}'>{html.escape(change)}</td></tr>"
        )
    return ("<table><tr><th>KPI</th><th>this week</th><th>week before</th><th>change</th></tr>"
            + "".join(rows) + "</table>")


def render_weekly_report(semantics: SnapshotSemantics, week_start: date | None = None,
                         now: datetime | None = None) -> WeeklyReport:
    """The report for the week starting `week_start` (a Monday; default: the last complete week)."""
    coverage = data.coverage(semantics)
    week_start = week_start or last_complete_week(coverage.last_day)
    if week_start.weekday() != 0:
        raise ValueError(f"{week_start} is not a Monday")
    week_end = week_start + timedelta(days=6)
    filters = Filters(week_start, week_end)
    headline = data.headline(semantics, REPORT_KPIS, filters)
    # FCR settles a window (7 days) late: the report shows the last week whose contacts all have it.
    settled_day = data.last_settled_day(semantics, "fcr")
    fcr_week = last_complete_week(settled_day) if settled_day is not None else None
    if fcr_week is not None and fcr_week >= coverage.first_day:
        fcr = data.headline(semantics, (data.KPIS["fcr"],),
                            Filters(fcr_week, fcr_week + timedelta(days=6)))
        fcr["label"] = f"FCR (week of {fcr_week}, the last with every repeat window closed)"
        headline = pd.concat([headline, fcr], ignore_index=True)

    daily = data.trend(semantics, data.KPIS["offered"], filters, "day")
    service = data.trend(semantics, data.KPIS["service_level"], filters, "day")
    csat = data.trend(semantics, data.KPIS["csat"], filters, "day")
    notes = data.annotations(semantics, week_start, week_end)
    chart_html = []
    for frame, title, unit in ((daily, "Offered calls by day", "count"), (service, "Service level by day", "share"),
                               (csat, "CSAT by day", "share")):
        if not frame.empty:
            chart_html.append(f"<div>{_svg(charts.trend_chart(frame, title, unit, notes).properties(width=420))}</div>")
    backlog = data.backlog(semantics, filters)
    if not backlog.empty:
        chart_html.append(f"<div>{_svg(charts.backlog_chart(backlog).properties(width=420))}</div>")

    moves = data.what_changed(semantics, filters)
    moves_html = "<p>No movement to report.</p>"
    if not moves.empty:
        shown = charts.movements_table(moves)
        moves_html = _table(shown, [("KPI", "KPI"), ("where", "where"), ("before", "week before"),
                                    ("now", "this week"), ("change", "change"), ("direction", "")])
    notes_html = ("<p>None recorded.</p>" if notes.empty else
                  _table(notes, [("starts_on", "from"), ("ends_on", "to"), ("kind", "kind"), ("title", "event"),
                                 ("detail", "detail")]))

    outlook_html = "<p>No forecast for next week in this snapshot.</p>"
    next_start, next_end = week_end + timedelta(days=1), week_end + timedelta(days=7)
    if coverage.forecast_last_day and coverage.forecast_last_day >= next_start:
        outlook = data.staffing_days(semantics, next_start, min(next_end, coverage.forecast_last_day))
        if not outlook.empty:
            shown = pd.DataFrame({
                "day": outlook["day"].astype(str),
                "calls": [charts.fmt(v, "count") for v in outlook["forecast_offered"]],
                "required": [f"{v:.1f}" for v in outlook["required_positions"]],
                "scheduled": ["–" if pd.isna(v) else f"{v:.1f}" for v in outlook["scheduled_agents"]],
                "gap": ["–" if pd.isna(v) else f"{v:+.1f}" for v in outlook["staffing_gap"]],
            })
            outlook_html = _table(shown, [("day", "day"), ("calls", "forecast calls"),
                                          ("required", "required positions (avg)"),
                                          ("scheduled", "scheduled agents (avg)"), ("gap", "gap (avg)")])

    info = semantics.info()
    created = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M %Z")
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Contact center weekly report {week_start}</title>
<style>{STYLE}</style></head><body>
<h1>Contact center weekly report</h1>
<p class="meta">Week {week_start:%G-W%V}: Monday {week_start} to Sunday {week_end} (site-local days).
Snapshot published {pd.Timestamp(info['published_at']):%Y-%m-%d %H:%M %Z}; report made {created}.
Definitions: the project's KPI sheet and semantic layer; FCR counts contacts whose repeat window has closed.</p>
<h2>Headline</h2>
{_headline_rows(headline)}
<h2>By day</h2>
<div class="charts">{''.join(chart_html) or '<p>No data this week.</p>'}</div>
<h2>What changed</h2>
<p class="meta">The week against the week before, per queue or channel, biggest relative moves first.</p>
{moves_html}
<h2>External events</h2>
{notes_html}
<h2>Next week's staffing</h2>
{outlook_html}
</body></html>
"""
    return WeeklyReport(week_start, body, headline)


def write_weekly_report(snapshot_dir: Path, out_dir: Path | None = None, week_start: date | None = None) -> Path:
    """Render the report from the snapshot in `snapshot_dir` into `out_dir` (default
    `<snapshot_dir>/reports`) as `cx-weekly-<ISO week>.html`; returns the file."""
    semantics = SnapshotSemantics(snapshot_dir)
    try:
        report = render_weekly_report(semantics, week_start)
    finally:
        semantics.close()
    return write_report(report, out_dir or Path(snapshot_dir) / "reports")


def write_report(report: WeeklyReport, out_dir: Path) -> Path:
    """Write `report` as `<out_dir>/cx-weekly-<ISO week>.html` (replacing that week's file whole)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"cx-weekly-{report.week_start:%G-W%V}.html"
    staged = target.with_suffix(".html.tmp")
    staged.write_text(report.html, encoding="utf-8")
    staged.replace(target)
    return target
