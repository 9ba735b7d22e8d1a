"""Altair charts and number formats shared by the dashboard pages and the weekly report."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

GOOD = "#1a9850"
BAD = "#d73027"
MAIN = "#2c7fb8"
PALE = "#a6bddb"


def fmt(value: object, unit: str) -> str:
    """A KPI value as people read it: shares in %, seconds and minutes as durations, money with 2
    decimals; empty when unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "–"
    number = float(value)
    if unit == "share":
        return f"{number:.1%}"
    if unit == "seconds":
        return f"{number:.0f} s" if number < 120 else f"{number / 60:.1f} min"
    if unit == "minutes":
        return f"{number:.0f} min" if number < 120 else f"{number / 60:.1f} h"
    if unit == "money":
        return f"{number:,.2f}"
    if unit == "count":
        return f"{number:,.0f}"
    return f"{number:.1f}" if abs(number) >= 10 else f"{number:.2f}"


def fmt_change(change: float, unit: str, value: object = None, previous: object = None) -> str:
    """A change as points for shares and scores, else as a percentage of the earlier value."""
    if unit in ("share",) and value is not None and previous is not None:
        return f"{(float(value) - float(previous)) * 100:+.1f} pts"
    if unit == "score" and value is not None and previous is not None:
        return f"{float(value) - float(previous):+.1f}"
    return f"{change:+.0%}"


def axis_format(unit: str) -> str:
    return {"share": ".0%", "money": ",.2f", "count": ",.0f", "score": ",.2~f"}.get(unit, ",.1f")


def _timestamps(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Days as timestamps (Vega-Lite's JSON has no date type)."""
    return frame.assign(**{column: pd.to_datetime(frame[column]) for column in columns})


def trend_chart(frame: pd.DataFrame, title: str, unit: str, notes: pd.DataFrame | None = None,
                height: int = 180) -> alt.Chart:
    """A KPI by period, with the annotations as shaded spans and their titles."""
    frame = _timestamps(frame, "period")
    base = alt.Chart(frame).encode(
        x=alt.X("period:T", title=None, axis=alt.Axis(format="%d %b")),
        y=alt.Y("value:Q", title=None, axis=alt.Axis(format=axis_format(unit)), scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("period:T", title="period"),
                 alt.Tooltip("value:Q", title=title, format=axis_format(unit))],
    )
    chart = base.mark_line(point=True, color=MAIN)
    if notes is not None and not notes.empty:
        spans = _timestamps(notes, "starts_on").assign(ends_after=pd.to_datetime(notes["ends_on"]) + pd.Timedelta(days=1))
        marks = alt.Chart(spans).mark_rect(opacity=0.15, color="#fdae61").encode(
            x="starts_on:T", x2="ends_after:T", tooltip=["title:N", "kind:N", "detail:N"])
        labels = alt.Chart(spans).mark_text(align="left", dy=-4, dx=2, fontSize=10, color="#b35806").encode(
            x="starts_on:T", y=alt.value(8), text="title:N")
        chart = marks + chart + labels
    return chart.properties(title=title, height=height)


def intraday_volume_chart(frame: pd.DataFrame) -> alt.Chart:
    """Answered and abandoned calls stacked per interval (together: offered minus blocked and
    still waiting)."""
    long = frame.melt(id_vars=["interval_start"], value_vars=["answered", "abandoned"],
                      var_name="outcome", value_name="calls")
    return alt.Chart(long).mark_bar().encode(
        x=alt.X("interval_start:T", title=None, axis=alt.Axis(format="%H:%M")),
        y=alt.Y("calls:Q", title="calls", stack=True),
        color=alt.Color("outcome:N", scale=alt.Scale(domain=["answered", "abandoned"], range=[MAIN, BAD])),
        tooltip=["interval_start:T", "outcome:N", "calls:Q"],
    ).properties(height=220, title="Calls per interval")


def intraday_line_chart(frame: pd.DataFrame, column: str, title: str, unit: str,
                        target: float | None = None) -> alt.Chart:
    line = alt.Chart(frame).mark_line(point=True, color=MAIN).encode(
        x=alt.X("interval_start:T", title=None, axis=alt.Axis(format="%H:%M")),
        y=alt.Y(f"{column}:Q", title=None, axis=alt.Axis(format=axis_format(unit))),
        tooltip=["interval_start:T", alt.Tooltip(f"{column}:Q", format=axis_format(unit))],
    )
    if target is not None:
        rule = alt.Chart(pd.DataFrame({"target": [target]})).mark_rule(color=BAD, strokeDash=[4, 4]).encode(
            y="target:Q")
        line = line + rule
    return line.properties(height=200, title=title)


def heatmap_chart(frame: pd.DataFrame) -> alt.Chart:
    order = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    return alt.Chart(frame).mark_rect().encode(
        x=alt.X("hour_of_day:O", title="hour of day"),
        y=alt.Y("weekday:N", sort=order, title=None),
        color=alt.Color("offered:Q", title="offered", scale=alt.Scale(scheme="blues")),
        tooltip=["weekday:N", "hour_of_day:O", alt.Tooltip("offered:Q", format=",.0f")],
    ).properties(height=220, title="Offered calls by hour and weekday")


def backlog_chart(frame: pd.DataFrame) -> alt.Chart:
    frame = _timestamps(frame, "day")
    return alt.Chart(frame).mark_area().encode(
        x=alt.X("day:T", title=None, axis=alt.Axis(format="%d %b")),
        y=alt.Y("backlog:Q", title="open tickets", stack=True),
        color=alt.Color("channel:N"),
        tooltip=["day:T", "channel:N", "backlog:Q"],
    ).properties(height=220, title="Ticket backlog at the end of the day")


def score_bars(frame: pd.DataFrame, dimension: str, column: str, title: str, unit: str) -> alt.Chart:
    return alt.Chart(frame.dropna(subset=[column])).mark_bar(color=MAIN).encode(
        x=alt.X(f"{column}:Q", title=None, axis=alt.Axis(format=axis_format(unit))),
        y=alt.Y(f"{dimension}:N", sort="-x", title=None),
        tooltip=[f"{dimension}:N", alt.Tooltip(f"{column}:Q", format=axis_format(unit)), "contacts:Q"],
    ).properties(height=alt.Step(18), title=title)


def priority_matrix(frame: pd.DataFrame, dimension: str, overall_csat: float | None) -> alt.Chart:
    """Contact volume against CSAT: the lower right (many contacts, low score) is where to act first."""
    rated = frame.dropna(subset=["csat"])
    points = alt.Chart(rated).mark_circle(size=120, color=MAIN).encode(
        x=alt.X("contacts:Q", title="contacts"),
        y=alt.Y("csat:Q", title="CSAT", axis=alt.Axis(format=".0%"), scale=alt.Scale(zero=False)),
        tooltip=[f"{dimension}:N", "contacts:Q", alt.Tooltip("csat:Q", format=".1%")],
    )
    labels = points.mark_text(align="left", dx=8, fontSize=11).encode(text=f"{dimension}:N")
    layers = [points, labels]
    if overall_csat is not None and not pd.isna(overall_csat) and not rated.empty:
        layers.append(alt.Chart(pd.DataFrame({"y": [overall_csat]})).mark_rule(strokeDash=[4, 4], color=BAD)
                      .encode(y="y:Q"))
        layers.append(alt.Chart(pd.DataFrame({"x": [rated["contacts"].median()]}))
                      .mark_rule(strokeDash=[4, 4], color="grey").encode(x="x:Q"))
    return alt.layer(*layers).properties(height=320, title="Contact volume against CSAT")


def staffing_chart(frame: pd.DataFrame) -> alt.Chart:
    """Required positions against scheduled agents per interval, forecast calls as bars behind."""
    agents = frame.melt(id_vars=["interval_start"], value_vars=["required_positions", "scheduled_agents"],
                        var_name="series", value_name="agents")
    lines = alt.Chart(agents).mark_line(interpolate="step-after").encode(
        x=alt.X("interval_start:T", title=None, axis=alt.Axis(format="%H:%M")),
        y=alt.Y("agents:Q", title="agents"),
        color=alt.Color("series:N", scale=alt.Scale(domain=["required_positions", "scheduled_agents"],
                                                    range=[BAD, MAIN])),
        tooltip=["interval_start:T", "series:N", alt.Tooltip("agents:Q", format=".1f")],
    )
    bars = alt.Chart(frame).mark_bar(color=PALE, opacity=0.6).encode(
        x="interval_start:T",
        y=alt.Y("forecast_offered:Q", title="forecast calls"),
        tooltip=["interval_start:T", alt.Tooltip("forecast_offered:Q", format=".1f")],
    )
    return alt.layer(bars, lines).resolve_scale(y="independent").properties(
        height=260, title="Forecast calls, required positions and scheduled agents per interval")


def movements_table(moves: pd.DataFrame) -> pd.DataFrame:
    """The "what changed" rows as people read them: KPI, where, before, now, change, direction."""
    return pd.DataFrame({
        "KPI": moves["kpi"], "where": moves["where"],
        "before": [fmt(v, u) for v, u in zip(moves["previous"], moves["unit"])],
        "now": [fmt(v, u) for v, u in zip(moves["value"], moves["unit"])],
        "change": [fmt_change(c, u, v, p) for c, u, v, p in
                   zip(moves["change"], moves["unit"], moves["value"], moves["previous"])],
        "direction": moves["direction"],
    })
