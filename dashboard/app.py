"""The reference dashboard (`cxpipe dashboard`): Streamlit pages for each audience over the
published snapshot, read-only. Every number comes from the semantic layer (dashboard/data.py).

Pages: executive, operations, agents, cx, staffing; pick one in the sidebar or open
`http://127.0.0.1:8501/?page=operations`.
"""

import os
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.semantic import Filters, SnapshotError, SnapshotSemantics

PAGES = {
    "executive": "Executive",
    "operations": "Operations",
    "agents": "Agents",
    "cx": "Customer experience",
    "staffing": "Staffing",
}
FILTER_LABELS = {"queue": "Queue", "channel": "Channel", "team": "Team", "agent": "Agent",
                 "contact_reason": "Contact reason"}
ANNOTATIONS_HINT = ("Add outages, launches, storms and campaigns to `dbt_project/seeds/kpi_annotations.csv`; "
                    "the next run publishes them.")


def snapshot_dir() -> Path:
    """The snapshot folder: CXPIPE_SNAPSHOT_DIR (which `cxpipe dashboard` sets), else the demo's."""
    return Path(os.environ.get("CXPIPE_SNAPSHOT_DIR") or "data/snapshot")


@st.cache_resource(max_entries=2, show_spinner=False)
def open_semantics(folder: str, published: int) -> SnapshotSemantics:
    """One semantic layer per published snapshot (a new file after each publish is a new key)."""
    return SnapshotSemantics(Path(folder))


def semantics_or_stop() -> SnapshotSemantics:
    folder = snapshot_dir()
    snapshot_file = folder / "cx_snapshot.duckdb"
    try:
        return open_semantics(str(folder), snapshot_file.stat().st_mtime_ns if snapshot_file.exists() else 0)
    except SnapshotError as error:
        st.error(str(error))
        st.stop()


NUMBER_FORMATS = {"tnps": "%.1f", "ces_mean": "%.2f", "agent_aht_seconds": "%.0f s", "forecast_offered": "%.1f",
                  "required_positions": "%.1f", "scheduled_agents": "%.1f", "staffing_gap": "%+.1f",
                  "agent_calls_handled": "%d", "contacts": "%d"}


COLUMN_LABELS = {"team_name": "team", "agent_name": "agent", "agent_id": "agent id",
                 "agent_calls_handled": "calls handled", "agent_aht_seconds": "AHT", "agent_fcr": "FCR",
                 "agent_csat": "CSAT", "csat": "CSAT", "tnps": "tNPS", "ces_mean": "CES (1-7)", "fcr": "FCR",
                 "response_rate": "survey response", "contact_reason": "contact reason",
                 "forecast_offered": "forecast calls", "required_positions": "required positions (avg)",
                 "scheduled_agents": "scheduled agents (avg)", "staffing_gap": "gap (avg)",
                 "expected_service_level": "expected service level", "intervals_short": "intervals short"}


def share_columns(frame: pd.DataFrame, shares: list[str]) -> dict:
    """Column labels and formats: shares as percentages, the rest by NUMBER_FORMATS."""
    config = {}
    for column in frame.columns:
        label = COLUMN_LABELS.get(column, column.replace("_", " "))
        if column in shares:
            config[column] = st.column_config.NumberColumn(label, format="percent")
        elif column in NUMBER_FORMATS:
            config[column] = st.column_config.NumberColumn(label, format=NUMBER_FORMATS[column])
        else:
            config[column] = st.column_config.Column(label)
    return config


def table_height(frame: pd.DataFrame, most: int = 900) -> int:
    """Tall enough to show every row (up to `most` pixels)."""
    return min(35 * (len(frame) + 1) + 3, most)


def not_applied(filters: Filters, shown: dict[str, str]) -> None:
    """Say which active filters the shown metrics (label -> entity of their semantic model) have no
    dimension for, so a filtered page never passes an unfiltered number off as filtered."""
    for name in filters.active():
        labels = [label for label, entity in shown.items() if name in filters.ignored_by(entity)]
        if labels:
            st.caption(f"The {FILTER_LABELS[name].lower()} filter does not apply to {', '.join(labels)} "
                       "(no such dimension).")


def sidebar(semantics: SnapshotSemantics, coverage: data.Coverage) -> tuple[str, Filters, str]:
    options = data.filter_options(semantics)
    asked = st.query_params.get("page", "executive")
    keys = list(PAGES)
    page = st.sidebar.radio("Page", keys, index=keys.index(asked) if asked in keys else 0,
                            format_func=PAGES.get, key="page")
    st.query_params["page"] = page
    default_start = max(coverage.first_day, coverage.last_day - timedelta(days=27))
    chosen = st.sidebar.date_input("Days", value=(default_start, coverage.last_day),
                                   min_value=coverage.first_day, max_value=coverage.last_day, key="days")
    if isinstance(chosen, (tuple, list)):  # while a range is being picked it has one day
        start, end = (chosen[0], chosen[-1]) if chosen else (default_start, coverage.last_day)
    else:
        start = end = chosen
    grain = st.sidebar.selectbox("Trend by", data.GRAINS, index=1, key="grain")
    picked = {}
    for name, label in FILTER_LABELS.items():
        values = options[name]
        if name == "agent":
            labels = dict(zip(values["value"], values["label"] + " (" + values["team_name"].fillna("") + ")"))
            picked[name] = tuple(st.sidebar.multiselect(label, list(labels), format_func=labels.get, key=name))
        else:
            picked[name] = tuple(st.sidebar.multiselect(label, values["value"].tolist(), key=name))
    info = semantics.info()
    st.sidebar.caption(f"Snapshot published {pd.Timestamp(info['published_at']):%Y-%m-%d %H:%M %Z}; "
                       f"data {coverage.first_day} to {coverage.last_day}.")
    return page, Filters(start, end, **picked), grain


def executive(semantics: SnapshotSemantics, filters: Filters, coverage: data.Coverage, grain: str) -> None:
    st.header("Executive summary")
    st.caption(f"{filters.start} to {filters.end}, against the {(filters.end - filters.start).days + 1} days "
               "before (monthly churn: against as many months before). FCR counts contacts whose repeat window "
               "has closed (D22).")
    heads = data.headline(semantics, data.EXECUTIVE_KPIS, filters)
    for column, row in zip(st.columns(len(heads)), heads.itertuples()):
        delta = None
        if not pd.isna(row.value) and not pd.isna(row.previous) and row.previous:
            delta = charts.fmt_change((row.value - row.previous) / abs(row.previous), row.unit, row.value,
                                      row.previous)
        column.metric(row.label, charts.fmt(row.value, row.unit), delta,
                      delta_color="normal" if row.higher_is_better else "inverse")
    notes = data.annotations(semantics, filters.start, filters.end)
    left, right = st.columns(2)
    for index, kpi in enumerate(data.EXECUTIVE_KPIS):
        frame = data.trend(semantics, kpi, filters, grain)
        (left if index % 2 == 0 else right).altair_chart(
            charts.trend_chart(frame, kpi.label, kpi.unit, notes), width="stretch")
    not_applied(filters, {kpi.label: kpi.entity for kpi in data.EXECUTIVE_KPIS})
    st.subheader("What changed")
    st.caption("The last 7 days against the 7 before, per queue or channel, biggest relative moves first "
               f"(groups under {data.MIN_VOLUME} measured contacts left out).")
    moves = data.what_changed(semantics, filters)
    if moves.empty:
        st.info("No movement to report in this range.")
    else:
        st.dataframe(charts.movements_table(moves), hide_index=True, width="stretch",
                     column_config={"direction": st.column_config.Column("")})
    st.subheader("External events")
    if notes.empty:
        st.caption("No external events recorded in this range. " + ANNOTATIONS_HINT)
    else:
        st.dataframe(notes, hide_index=True, width="stretch")


def operations(semantics: SnapshotSemantics, filters: Filters, coverage: data.Coverage, grain: str) -> None:
    st.header("Operations")
    day = st.date_input("Day", value=filters.end, min_value=coverage.first_day, max_value=coverage.last_day,
                        key="ops_day")
    totals = data.day_totals(semantics, filters, day)
    target = float(semantics.kpi_settings.get("service_level_target", 0.8))
    threshold = semantics.kpi_settings.get("service_level_seconds", 20)
    if totals.empty or pd.isna(totals.iloc[0]["offered"]):
        st.info(f"No calls on {day}.")
    else:
        row = totals.iloc[0]
        tiles = [("Offered", row.offered, "count"), ("Answered", row.answered, "count"),
                 ("Abandoned", row.abandoned, "count"), ("Service level", row.service_level, "share"),
                 ("ASA", row.asa_seconds, "seconds"), ("Abandon rate", row.abandon_rate, "share"),
                 ("AHT", row.aht_seconds, "seconds")]
        for column, (label, value, unit) in zip(st.columns(len(tiles)), tiles):
            column.metric(label, charts.fmt(value, unit))
        intervals = data.intraday(semantics, filters, day)
        st.altair_chart(charts.intraday_volume_chart(intervals), width="stretch")
        left, right = st.columns(2)
        left.altair_chart(charts.intraday_line_chart(
            intervals, "service_level", f"Service level ({threshold} s) vs target {target:.0%}", "share", target),
            width="stretch")
        right.altair_chart(charts.intraday_line_chart(intervals, "asa_seconds", "ASA, seconds", "seconds"),
                           width="stretch")
    not_applied(filters, {"the day's calls": "queue_day", "the volume pattern": "queue_interval"})
    st.subheader(f"Volume pattern, {filters.start} to {filters.end}")
    st.altair_chart(charts.heatmap_chart(data.volume_heatmap(semantics, filters)), width="stretch")
    backlog = data.backlog(semantics, filters)
    if backlog.empty:
        st.caption("No tickets in this range.")
    else:
        st.altair_chart(charts.backlog_chart(backlog), width="stretch")
        not_applied(filters, {"the backlog": "ticket_day"})


def agents(semantics: SnapshotSemantics, filters: Filters, coverage: data.Coverage, grain: str) -> None:
    st.header("Agents")
    st.caption(f"{filters.start} to {filters.end}. Occupancy, utilization, adherence, shrinkage and AHT are "
               "the phone agents' (agent-state feed); FCR and CSAT cover every channel (FCR up to its last "
               "settled day).")
    shares = ["occupancy", "utilization", "adherence", "shrinkage", "agent_fcr", "agent_csat"]
    teams = data.agent_table(semantics, filters, by_team=True)
    st.subheader("Teams")
    st.dataframe(teams, hide_index=True, width="stretch",
                 column_config=share_columns(teams, shares))
    st.subheader("Agents")
    people = data.agent_table(semantics, filters).sort_values(
        ["agent_calls_handled", "team_name", "agent_name"], ascending=[False, True, True])
    st.dataframe(people, hide_index=True, width="stretch", height=table_height(people),
                 column_config=share_columns(people, shares))
    not_applied(filters, {"the agent tables": "agent_day"})


def cx(semantics: SnapshotSemantics, filters: Filters, coverage: data.Coverage, grain: str) -> None:
    st.header("Customer experience")
    shares = ["csat", "fcr", "response_rate"]
    overall = semantics.query(["csat"], [], filters.where("cx_day"))
    overall_csat = overall["csat"].iloc[0] if len(overall) else None
    st.caption(f"{filters.start} to {filters.end}; CSAT over all selected contacts {charts.fmt(overall_csat, 'share')}.")
    for dimension, title in (("channel", "By channel"), ("contact_reason", "By contact reason")):
        scores = data.cx_scores(semantics, filters, dimension)
        st.subheader(title)
        left, right = st.columns([3, 2])
        left.dataframe(scores, hide_index=True, width="stretch",
                       column_config=share_columns(scores, shares))
        right.altair_chart(charts.score_bars(scores, dimension, "csat", "CSAT", "share"), width="stretch")
    reasons = data.cx_scores(semantics, filters, "contact_reason")
    st.subheader("Where to act first")
    st.altair_chart(charts.priority_matrix(reasons, "contact_reason", overall_csat), width="stretch")
    first = data.act_first(reasons, "contact_reason", overall_csat)
    st.caption("Contact reasons with at least the median volume and a CSAT under the overall CSAT, most contacts "
               "first.")
    if first.empty:
        st.info("No contact reason is both frequent and below the overall CSAT.")
    else:
        st.dataframe(first, hide_index=True, width="stretch", column_config=share_columns(first, shares))
    not_applied(filters, {"the survey scores": "cx_day"})


def staffing(semantics: SnapshotSemantics, filters: Filters, coverage: data.Coverage, grain: str) -> None:
    st.header("Staffing, the next two weeks")
    first = coverage.last_day + timedelta(days=1)
    last = first + timedelta(days=13)
    if coverage.forecast_last_day is None or coverage.forecast_last_day < first:
        st.info("No forecast beyond the last day of data yet: the forecast asset writes it on the next run.")
        return
    last = min(last, coverage.forecast_last_day)
    st.caption(f"{first} to {last}: the forecast of all queues, the positions it requires at the "
               f"{float(semantics.kpi_settings.get('service_level_target', 0.8)):.0%} service-level target "
               "(Erlang C, grossed up for shrinkage) and the agents the published schedule has on the phones. "
               "The sidebar's days and filters do not apply to the forecast.")
    days = data.staffing_days(semantics, first, last)
    intervals = data.staffing(semantics, first, last)
    short = (intervals.assign(short=intervals["staffing_gap"] < 0).groupby("day")["short"].sum()
             .rename("intervals_short").reset_index())
    days = days.merge(short, on="day", how="left")
    st.dataframe(days, hide_index=True, width="stretch", height=table_height(days),
                 column_config=share_columns(days, ["expected_service_level"]))
    chosen: date = st.selectbox("Day", days["day"].tolist(), key="staffing_day")
    st.altair_chart(charts.staffing_chart(intervals[intervals["day"] == chosen]), width="stretch")


RENDER = {"executive": executive, "operations": operations, "agents": agents, "cx": cx, "staffing": staffing}


def main() -> None:
    st.set_page_config(page_title="cx-pipeline", layout="wide")
    semantics = semantics_or_stop()
    coverage = data.coverage(semantics)
    page, filters, grain = sidebar(semantics, coverage)
    RENDER[page](semantics, filters, coverage, grain)


# Streamlit runs this file as __main__; a multiprocessing child that re-imports it must not draw.
if __name__ == "__main__":
    main()
