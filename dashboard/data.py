"""What each dashboard page and the weekly report show, as data frames (no Streamlit here, so the
pages' numbers can be tested on their own).

Every KPI value comes from the semantic layer (`SnapshotSemantics.query`): the functions only pick
metrics, group-by items and filters. The few plain reads are lists of dimension values, the
annotations, and the range of days the snapshot covers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd

from dashboard.semantic import Filters, SnapshotSemantics


@dataclass(frozen=True)
class Kpi:
    metric: str
    entity: str  # the primary entity of the metric's semantic model (decides which filters apply)
    label: str
    unit: str  # share (0..1 shown as %), seconds, minutes, money, score, count
    higher_is_better: bool
    grain: str = "day"  # the finest time grain of the metric's model


# Each KPI the pages and the report show, defined once (label, unit, direction).
KPIS = {kpi.metric: kpi for kpi in (
    Kpi("offered", "queue_day", "Offered calls", "count", True),
    Kpi("service_level", "queue_day", "Service level", "share", True),
    Kpi("asa_seconds", "queue_day", "ASA", "seconds", False),
    Kpi("abandon_rate", "queue_day", "Abandon rate", "share", False),
    Kpi("aht_seconds", "queue_day", "AHT", "seconds", False),
    Kpi("contacts", "cx_day", "Contacts", "count", True),
    Kpi("csat", "cx_day", "CSAT", "share", True),
    Kpi("tnps", "cx_day", "tNPS", "score", True),
    Kpi("ces_mean", "cx_day", "CES (1-7)", "score", True),
    Kpi("fcr", "cx_day", "FCR", "share", True),
    Kpi("tickets_created", "ticket_day", "Tickets created", "count", True),
    Kpi("first_reply_minutes_avg", "ticket_day", "First reply time", "minutes", False),
    Kpi("ticket_backlog", "ticket_day", "Ticket backlog", "count", False),
    Kpi("sla_breach_rate", "ticket_sla", "SLA breach rate", "share", False),
    Kpi("cost_per_contact", "cost_day", "Cost per contact", "money", False),
    Kpi("churn_rate", "customer_month", "Churn rate (monthly)", "share", False, grain="month"),
)}

EXECUTIVE_KPIS = tuple(KPIS[metric] for metric in (
    "csat", "tnps", "ces_mean", "fcr", "service_level", "cost_per_contact", "churn_rate"))

# The KPIs the "what changed" list watches: each by the dimension it is managed by, with the metric
# that counts what it is measured on (a group with fewer than MIN_VOLUME of those in either week
# is left out: small numbers swing).
WATCHED = tuple((KPIS[metric], dimension, volume) for metric, dimension, volume in (
    ("service_level", "queue_name", "offered"),
    ("abandon_rate", "queue_name", "offered"),
    ("asa_seconds", "queue_name", "answered"),
    ("aht_seconds", "queue_name", "handled"),
    ("offered", "queue_name", "offered"),
    ("csat", "channel", "csat_answered"),
    ("fcr", "channel", "fcr_measured"),
    ("tnps", "channel", "tnps_answered"),
    ("contacts", "channel", "contacts"),
    ("first_reply_minutes_avg", "channel", "first_reply_count"),
    ("cost_per_contact", "channel", "handled_contacts"),
))
MIN_VOLUME = 30

GRAINS = ("day", "week", "month")


def time_column(grain: str) -> str:
    return f"metric_time__{grain}"


@dataclass(frozen=True)
class Coverage:
    """The days the snapshot has data for."""

    first_day: date
    last_day: date
    forecast_last_day: date | None


def coverage(semantics: SnapshotSemantics) -> Coverage:
    catalog = semantics.catalog
    first, last = semantics.table(
        f'select min(report_date), max(report_date) from "{catalog}".marts.fct_contacts'
    ).iloc[0]
    if pd.isna(first):
        first, last = semantics.table(
            f'select min(report_date), max(report_date) from "{catalog}".marts.kpi_queue_daily'
        ).iloc[0]
    if pd.isna(first):
        today = date.today()
        first = last = today
    forecast_last = semantics.table(
        f'select max(report_date) from "{catalog}".marts.kpi_staffing_interval'
    ).iloc[0, 0]
    return Coverage(
        pd.Timestamp(first).date(),
        pd.Timestamp(last).date(),
        None if pd.isna(forecast_last) else pd.Timestamp(forecast_last).date(),
    )


def filter_options(semantics: SnapshotSemantics) -> dict[str, pd.DataFrame]:
    """The values each filter offers (plain reads of the dimension tables and marts)."""
    catalog = semantics.catalog

    def values(sql: str) -> pd.DataFrame:
        return semantics.table(sql.replace("{c}", f'"{catalog}"'))

    return {
        "queue": values("select distinct queue_name as value from {c}.marts.dim_queues order by 1"),
        "channel": values(
            "select distinct channel as value from {c}.marts.kpi_cx_daily where channel is not null order by 1"
        ),
        "team": values(
            "select distinct team_name as value from {c}.marts.kpi_agent_daily where team_name is not null order by 1"
        ),
        "agent": values(
            "select agent_id as value, max(agent_name) as label, max(team_name) as team_name "
            "from {c}.marts.kpi_agent_daily group by agent_id order by label, value"
        ),
        "contact_reason": values(
            "select distinct contact_reason as value from {c}.marts.kpi_cx_daily "
            "where contact_reason is not null order by 1"
        ),
    }


def annotations(semantics: SnapshotSemantics, start: date, end: date) -> pd.DataFrame:
    """External events that touch [start, end] (the seed kpi_annotations, via dim_annotations)."""
    catalog = semantics.catalog
    present = semantics.table(
        "select count(*) as n from duckdb_tables() where database_name = ? and schema_name = 'marts' "
        "and table_name = 'dim_annotations'",
        [catalog],
    ).iloc[0, 0]
    if not present:
        return pd.DataFrame(columns=["starts_on", "ends_on", "kind", "title", "detail"])
    frame = semantics.table(
        f'select starts_on, ends_on, kind, title, detail from "{catalog}".marts.dim_annotations '
        "where starts_on <= ? and ends_on >= ? order by starts_on, title",
        [end, start],
    )
    for column in ("starts_on", "ends_on"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


# KPIs whose value for a contact is known only some days later (D22: FCR waits for its window to
# close). Pages show them up to the last settled day, so the latest days never read as a drop.
SETTLING = {"fcr": "fcr_window_days", "agent_fcr": "fcr_window_days"}


def last_settled_day(semantics: SnapshotSemantics, metric: str) -> date | None:
    """The last day whose every contact has its `metric` settled: the day before the first day
    with a contact started less than the window before the latest contact loaded (fct_contacts'
    data_as_of, D22)."""
    window = int(semantics.kpi_settings.get(SETTLING[metric], 7))
    catalog = semantics.catalog
    day = semantics.table(
        f'select min(report_date) - 1 from "{catalog}".marts.fct_contacts where started_at > '
        f'(select max(started_at) from "{catalog}".marts.fct_contacts) - to_days({window})'
    ).iloc[0, 0]
    return None if pd.isna(day) else pd.Timestamp(day).date()


def settled(semantics: SnapshotSemantics, metric: str, filters: Filters) -> Filters:
    """`filters` with its end moved back to the last day whose `metric` is settled."""
    if metric not in SETTLING:
        return filters
    last = last_settled_day(semantics, metric)
    return filters if last is None or filters.end <= last else replace(filters, end=last)


def _query(semantics: SnapshotSemantics, kpis: list[Kpi], group_by: list[str], filters: Filters,
           grain: str = "day") -> pd.DataFrame:
    entity = kpis[0].entity
    assert all(k.entity == entity for k in kpis), "one semantic model per query"
    return semantics.query([k.metric for k in kpis], group_by, filters.where(entity, grain))


def period_before(filters: Filters, grain: str = "day") -> Filters:
    """The period of the same length just before the range: as many days, or for a monthly KPI
    as many whole months before the range's first month."""
    if grain == "month":
        first, last = filters.start.replace(day=1), filters.end.replace(day=1)
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        start = first
        for _ in range(months):
            start = (start - timedelta(days=1)).replace(day=1)
        return replace(filters, start=start, end=first - timedelta(days=1))
    span = filters.end - filters.start
    return replace(filters, start=filters.start - span - timedelta(days=1), end=filters.start - timedelta(days=1))


def headline(semantics: SnapshotSemantics, kpis: tuple[Kpi, ...], filters: Filters) -> pd.DataFrame:
    """Each KPI over the range and over the period before it (`period_before`; None when the
    snapshot does not cover all of that period)."""
    first_day = coverage(semantics).first_day
    rows = []
    for kpi in kpis:
        before = period_before(filters, kpi.grain)
        # No comparison with a period the snapshot covers only in part.
        comparable = before.start >= (first_day.replace(day=1) if kpi.grain == "month" else first_day)
        now = _query(semantics, [kpi], [], settled(semantics, kpi.metric, filters), kpi.grain)
        then = _query(semantics, [kpi], [], settled(semantics, kpi.metric, before), kpi.grain)
        value = now[kpi.metric].iloc[0] if len(now) else None
        previous = then[kpi.metric].iloc[0] if len(then) and comparable else None
        rows.append({"metric": kpi.metric, "label": kpi.label, "unit": kpi.unit, "value": value,
                     "previous": previous, "higher_is_better": kpi.higher_is_better})
    return pd.DataFrame(rows)


def trend(semantics: SnapshotSemantics, kpi: Kpi, filters: Filters, grain: str) -> pd.DataFrame:
    """One KPI by period (a monthly-only KPI stays monthly)."""
    grain = grain if GRAINS.index(grain) >= GRAINS.index(kpi.grain) else kpi.grain
    frame = _query(semantics, [kpi], [time_column(grain)], settled(semantics, kpi.metric, filters), kpi.grain)
    return frame.rename(columns={time_column(grain): "period", kpi.metric: "value"})


def what_changed(semantics: SnapshotSemantics, filters: Filters, days: int = 7, top: int = 8) -> pd.DataFrame:
    """The biggest movements: each watched KPI per its dimension, the last `days` days of the range
    against the `days` before them, ranked by the relative change (the better or worse direction
    from the KPI's own sense). A KPI that settles late (FCR) compares its last settled weeks; a KPI
    whose earlier window the snapshot does not cover whole is left out."""
    first_day = coverage(semantics).first_day
    rows = []
    for kpi, dimension, volume in WATCHED:
        end = settled(semantics, kpi.metric, filters).end
        recent = replace(filters, start=end - timedelta(days=days - 1), end=end)
        earlier = replace(filters, start=end - timedelta(days=2 * days - 1), end=end - timedelta(days=days))
        if earlier.start < first_day:
            continue
        group = f"{kpi.entity}__{dimension}"
        metrics = list(dict.fromkeys([kpi.metric, volume]))
        now = semantics.query(metrics, [group], recent.where(kpi.entity)).set_index(group)
        then = semantics.query(metrics, [group], earlier.where(kpi.entity)).set_index(group)
        for key in now.index.intersection(then.index):
            value, previous = now.at[key, kpi.metric], then.at[key, kpi.metric]
            if pd.isna(value) or pd.isna(previous) or previous == 0:
                continue
            if min(now.at[key, volume], then.at[key, volume]) < MIN_VOLUME:
                continue
            change = (value - previous) / abs(previous)
            better = (change > 0) == kpi.higher_is_better
            rows.append({"kpi": kpi.label, "where": f"{dimension.replace('_name', '')} {key}", "unit": kpi.unit,
                         "previous": previous, "value": value, "change": change,
                         "direction": "better" if better else "worse"})
    frame = pd.DataFrame(rows, columns=["kpi", "where", "unit", "previous", "value", "change", "direction"])
    if frame.empty:
        return frame
    frame = frame[frame["change"].abs() > 0.0]
    return frame.reindex(frame["change"].abs().sort_values(ascending=False).index).head(top).reset_index(drop=True)


def day_totals(semantics: SnapshotSemantics, filters: Filters, day: date) -> pd.DataFrame:
    """The voice KPIs of one day."""
    metrics = ["offered", "answered", "abandoned", "service_level", "asa_seconds", "abandon_rate", "aht_seconds"]
    return semantics.query(metrics, [], replace(filters, start=day, end=day).where("queue_day"))


def intraday(semantics: SnapshotSemantics, filters: Filters, day: date) -> pd.DataFrame:
    """Per interval of one day: offered, answered, abandoned, service level, ASA."""
    metrics = ["interval_offered", "interval_answered", "interval_abandoned", "interval_service_level",
               "interval_asa_seconds"]
    group = ["queue_interval__interval_start", "queue_interval__interval_start_utc"]
    frame = semantics.query(metrics, group, replace(filters, start=day, end=day).where("queue_interval"))
    frame = frame.rename(columns={"queue_interval__interval_start": "interval_start",
                                  "queue_interval__interval_start_utc": "interval_start_utc",
                                  **{m: m.removeprefix("interval_") for m in metrics}})
    return frame.sort_values("interval_start_utc").reset_index(drop=True)


def volume_heatmap(semantics: SnapshotSemantics, filters: Filters) -> pd.DataFrame:
    """Offered calls by site-local hour of day and day of week over the range."""
    frame = semantics.query(["interval_offered"], ["queue_interval__day_of_week", "queue_interval__hour_of_day"],
                            filters.where("queue_interval"))
    frame = frame.rename(columns={"queue_interval__day_of_week": "day_of_week",
                                  "queue_interval__hour_of_day": "hour_of_day", "interval_offered": "offered"})
    frame["weekday"] = frame["day_of_week"].map(dict(enumerate(["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"])))
    return frame


def backlog(semantics: SnapshotSemantics, filters: Filters) -> pd.DataFrame:
    """Open tickets at the end of each day, per channel."""
    frame = semantics.query(["ticket_backlog"], ["metric_time__day", "ticket_day__channel"],
                            filters.where("ticket_day"))
    return frame.rename(columns={"metric_time__day": "day", "ticket_day__channel": "channel",
                                 "ticket_backlog": "backlog"})


NO_TEAM = "(no team)"  # agents the WFM and cost seeds know no team for
AGENT_METRICS = ["agent_calls_handled", "occupancy", "utilization", "adherence", "shrinkage",
                 "agent_aht_seconds", "agent_fcr", "agent_csat"]


def agent_table(semantics: SnapshotSemantics, filters: Filters, by_team: bool = False) -> pd.DataFrame:
    """Per agent (or per team) over the range: the coaching KPIs."""
    group = ["agent_day__team_name"] if by_team else ["agent_day__team_name", "agent_day__agent_name",
                                                       "agent_day__agent_id"]
    now = [m for m in AGENT_METRICS if m not in SETTLING]
    frame = semantics.query(now, group, filters.where("agent_day"))
    fcr = semantics.query(["agent_fcr"], group, settled(semantics, "agent_fcr", filters).where("agent_day"))
    frame = frame.merge(fcr, on=group, how="left")[group + AGENT_METRICS]
    frame = frame.rename(columns=lambda c: c.removeprefix("agent_day__"))
    frame["team_name"] = frame["team_name"].fillna(NO_TEAM)
    return frame


CX_METRICS = ["contacts", "csat", "tnps", "ces_mean", "fcr", "response_rate"]


def cx_scores(semantics: SnapshotSemantics, filters: Filters, dimension: str) -> pd.DataFrame:
    """Survey scores and FCR (to its last settled day) by `dimension` (channel or contact_reason)."""
    group = [f"cx_day__{dimension}"]
    frame = semantics.query([m for m in CX_METRICS if m not in SETTLING], group, filters.where("cx_day"))
    fcr = semantics.query(["fcr"], group, settled(semantics, "fcr", filters).where("cx_day"))
    frame = frame.merge(fcr, on=group, how="left")[group + CX_METRICS]
    frame[group[0]] = frame[group[0]].fillna("(not set)")
    return frame[frame["contacts"] > 0].rename(columns={f"cx_day__{dimension}": dimension}).reset_index(drop=True)


def act_first(scores: pd.DataFrame, dimension: str, overall_csat: float | None) -> pd.DataFrame:
    """Where to act first: the values of `dimension` with at least the median contact volume and a
    CSAT below the overall CSAT, most contacts first. Uses the semantic layer's numbers as they are."""
    rated = scores.dropna(subset=["csat"])
    if rated.empty or overall_csat is None or pd.isna(overall_csat):
        return rated.iloc[0:0]
    volume_cut = rated["contacts"].median()
    chosen = rated[(rated["contacts"] >= volume_cut) & (rated["csat"] < overall_csat)]
    return chosen.sort_values(["contacts", "csat"], ascending=[False, True]).reset_index(drop=True)


def staffing(semantics: SnapshotSemantics, first_day: date, last_day: date) -> pd.DataFrame:
    """Forecast vs required vs scheduled per interval for [first_day, last_day]."""
    metrics = ["staffing_forecast_offered", "required_agents", "required_positions", "scheduled_agents",
               "staffing_gap"]
    where = Filters(first_day, last_day).where("staffing_interval")
    frame = semantics.query(metrics, ["metric_time__day", "staffing_interval__interval_start",
                                      "staffing_interval__interval_start_utc"], where)
    frame = frame.rename(columns={"metric_time__day": "day",
                                  "staffing_interval__interval_start": "interval_start",
                                  "staffing_interval__interval_start_utc": "interval_start_utc",
                                  "staffing_forecast_offered": "forecast_offered"})
    return frame.sort_values("interval_start_utc").reset_index(drop=True)


def staffing_days(semantics: SnapshotSemantics, first_day: date, last_day: date) -> pd.DataFrame:
    """Per day: forecast calls, expected service level, and the average required and scheduled agents."""
    metrics = ["staffing_forecast_offered", "expected_service_level", "required_positions", "scheduled_agents",
               "staffing_gap"]
    frame = semantics.query(metrics, ["metric_time__day"], Filters(first_day, last_day).where("staffing_interval"))
    return frame.rename(columns={"metric_time__day": "day", "staffing_forecast_offered": "forecast_offered"})
