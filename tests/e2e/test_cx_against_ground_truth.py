"""End to end for customer experience: ten simulated days (calls, the helpdesk through its API,
IVR and bot sessions, two survey tools, the CRM) through the whole Dagster job. Every contact,
its customer, reason and first-contact resolution, every CX day, customer month and customer's
experience must equal the simulator's truth, and no mart may hold a phone number or an e-mail."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import kept_cxpipe_environment, mf_query, query

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def cx_run(tmp_path_factory):
    import os

    from cxpipe.runner import run_refresh
    from orchestration.settings import Settings
    from simulator import SimulationConfig, simulate

    with kept_cxpipe_environment():
        base = tmp_path_factory.mktemp("cx")
        landing = base / "landing"
        config = SimulationConfig(start=date(2026, 10, 19), days=10, seed=11, site_timezone="Europe/Berlin",
                                  agents=8, calls_per_day=300, tickets_per_day=80,
                                  # A day of schedules ahead: each published day is one more partition to run.
                                  schedule_horizon_days=1)
        simulate(config, out_dir=landing)
        # The pseudonymization key is the test suite's (tests/conftest.py).
        assert os.environ.get("CXPIPE_PSEUDONYM_KEY")
        settings = Settings(landing_dir=landing, warehouse_path=base / "warehouse.duckdb",
                            site_timezone="Europe/Berlin", state_dir=base / "state", zendesk="simulator")
        outcome = run_refresh(settings)
        yield settings, outcome, landing


def _truth(landing: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(landing / "ground_truth" / name, dtype=str, keep_default_na=False)


def _text(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime") and hasattr(value, "hour"):
        return pd.Timestamp(value).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def test_run_succeeds(cx_run):
    _, outcome, _ = cx_run
    assert outcome.success, outcome
    assert outcome.failed_checks == []


def test_every_contact_equals_the_ground_truth(cx_run):
    settings, _, landing = cx_run
    truth = _truth(landing, "contacts.csv").set_index("contact_id")
    columns = ["contact_id", "channel", "started_at", "report_date", "customer_id", "queue_or_group", "agent_id",
               "contact_reason", "is_transferred", "outcome", "is_repeat_followed", "is_fcr"]
    rows = query(settings.warehouse_path, f"select {', '.join(columns)} from marts.fct_contacts")
    marts = {row[0]: dict(zip(columns[1:], row[1:])) for row in rows}
    assert set(marts) == set(truth.index)
    # The cases that matter are there: cross-channel repeats, pending windows, unknown customers.
    assert (truth["is_fcr"] == "").any() and (truth["customer_id"] == "").any()
    assert truth["channel"].nunique() >= 6
    problems = []
    for contact_id, expected in truth.iterrows():
        actual = marts[contact_id]
        for column in columns[1:]:
            if _text(actual[column]) != expected[column]:
                problems.append(f"{contact_id} {column}: marts {_text(actual[column])!r}, truth {expected[column]!r}")
    assert problems == [], "\n".join(problems[:20])


def test_cx_days_equal_the_ground_truth(cx_run):
    settings, _, landing = cx_run
    truth = _truth(landing, "cx_daily.csv")
    renamed = {"csat_mean_5pt_sum": "csat_score_5pt_sum", "ces_sum": "ces_score_sum"}
    columns = [renamed.get(c, c) for c in truth.columns if c not in ("report_date", "channel")]
    rows = query(settings.warehouse_path, (
        f"select cast(report_date as varchar), channel, {', '.join(f'sum({c})' for c in columns)} "
        "from marts.kpi_cx_daily group by 1, 2"))
    marts = {(r[0], r[1]): dict(zip(columns, r[2:])) for r in rows}
    expected = {(r["report_date"], r["channel"]): r for r in truth.to_dict("records")}
    assert set(marts) == set(expected)
    problems = []
    for key, want in expected.items():
        for truth_column, column in ((c, renamed.get(c, c)) for c in truth.columns[2:]):
            if abs(float(want[truth_column] or 0) - float(marts[key][column] or 0)) > 1e-4:
                problems.append(f"{key} {column}: marts {marts[key][column]}, truth {want[truth_column]}")
    assert problems == [], "\n".join(problems[:20])


def test_customer_months_equal_the_ground_truth(cx_run):
    settings, _, landing = cx_run
    truth = _truth(landing, "customer_monthly.csv")
    columns = list(truth.columns[2:])
    rows = query(settings.warehouse_path, (
        f"select cast(month_start as varchar), segment, {', '.join(columns)} from marts.kpi_customer_monthly"))
    marts = {(r[0], r[1]): dict(zip(columns, r[2:])) for r in rows}
    expected = {(r["month_start"], r["segment"]): r for r in truth.to_dict("records")}
    assert set(marts) == set(expected)
    assert sum(int(r["churned"]) for r in expected.values()) > 0
    problems = []
    for key, want in expected.items():
        for column in columns:
            got, wanted = marts[key][column], want[column]
            if (wanted == "") != (got is None) or (wanted and abs(float(wanted) - float(got)) > 0.006):
                problems.append(f"{key} {column}: marts {got}, truth {wanted!r}")
    assert problems == [], "\n".join(problems[:20])


def test_customer_experience_equals_the_ground_truth(cx_run):
    settings, _, landing = cx_run
    truth = _truth(landing, "customer_experience.csv").set_index("customer_id")
    columns = list(truth.columns)
    rows = query(settings.warehouse_path, (
        f"select customer_id, {', '.join(columns)} from marts.fct_customer_experience"))
    marts = {r[0]: dict(zip(columns, r[1:])) for r in rows}
    assert set(marts) == set(truth.index)
    problems = [f"{customer} {column}: marts {_text(marts[customer][column])!r}, truth {want[column]!r}"
                for customer, want in truth.iterrows() for column in columns
                if _text(marts[customer][column]) != want[column]]
    assert problems == [], "\n".join(problems[:20])
    churned = truth[truth["has_churned"] == "true"]
    assert len(churned) > 0


def test_no_phone_number_or_email_in_any_mart(cx_run):
    from cxpipe.verify import clear_personal_values, scan_marts_for_personal_data

    settings, _, landing = cx_run
    clear = clear_personal_values(landing)
    assert len(clear) > 100, "the simulated sources hold phone numbers and e-mails in clear"
    report = scan_marts_for_personal_data(settings.warehouse_path, clear)
    assert report.columns_scanned >= 40
    assert report.clean, report.text()
    # The snapshot BI tools read holds the same marts: scanned too.
    from orchestration.publish import SNAPSHOT_FILE

    published = scan_marts_for_personal_data(settings.snapshot_path / SNAPSHOT_FILE, clear)
    assert published.columns_scanned == report.columns_scanned
    assert published.clean, published.text()


# --- the semantic layer over the whole period ------------------------------------------------------

#: metric -> (mart, numerator, denominator or None): the marts' formula applied to a week's sums.
SEMANTIC_EXPECTED = {
    "service_level": ("kpi_queue_daily", "sum(answered_within_sl)", "sum(offered - short_abandoned)"),
    "aht_seconds": ("kpi_queue_daily", "sum(handle_seconds)", "sum(handled)"),
    "tickets_created": ("kpi_ticket_daily", "sum(created)", None),
    "resolution_rate": ("kpi_ticket_daily", "sum(solved)", "sum(created)"),
    "first_reply_minutes_avg": ("kpi_ticket_daily", "sum(first_reply_minutes_sum)", "sum(first_reply_count)"),
    "csat": ("kpi_cx_daily", "sum(csat_satisfied)", "sum(csat_answered)"),
    "fcr": ("kpi_cx_daily", "sum(fcr_resolved)", "sum(fcr_measured)"),
    "tnps": ("kpi_cx_daily", "100 * sum(tnps_promoters - tnps_detractors)", "sum(tnps_answered)"),
    "ces_mean": ("kpi_cx_daily", "sum(ces_score_sum)", "sum(ces_answered)"),
    "response_rate": ("kpi_cx_daily", "sum(surveys_answered)", "sum(surveys_sent)"),
    "self_service_rate": ("kpi_cx_daily", "sum(ivr_self_served)", "sum(ivr_sessions)"),
    "occupancy": ("kpi_agent_daily", "sum(handle_seconds)", "sum(handle_seconds + available_seconds)"),
    "adherence": ("kpi_agent_daily", "sum(adherent_seconds)", "sum(scheduled_seconds)"),
    "cost_per_contact": ("kpi_cost_daily", "sum(total_cost)", "sum(handled_contacts)"),
}


def test_the_semantic_layer_gives_the_marts_numbers_by_week(cx_run, tmp_path):
    """Voice, helpdesk, CX, agent and cost metrics by week from `cxpipe mf query` equal the marts'
    formulas applied to each week's sums; the backlog of a week is the backlog of its last day."""
    settings, _, _ = cx_run
    metrics = [*SEMANTIC_EXPECTED, "ticket_backlog"]
    rows = {row["metric_time__week"][:10]: row
            for row in mf_query(settings, tmp_path, metrics, ["metric_time__week"])}
    assert len(rows) >= 2
    checked = 0
    for metric, (mart, numerator, denominator) in SEMANTIC_EXPECTED.items():
        ratio = f"cast({numerator} as double) / nullif({denominator}, 0)" if denominator else numerator
        expected = dict(query(settings.warehouse_path,
                              f"select cast(date_trunc('week', report_date) as date)::varchar, {ratio} "
                              f"from marts.{mart} group by 1"))
        for week, row in rows.items():
            got = None if row[metric] in ("", "None") else float(row[metric])
            want = expected.get(week)
            if want is None:
                assert got is None or got == 0, (metric, week, got)
            else:
                assert got == pytest.approx(float(want), rel=1e-9, abs=1e-9), (metric, week, got, want)
                checked += 1
    assert checked >= 2 * len(SEMANTIC_EXPECTED) - 4
    backlog = dict(query(settings.warehouse_path, """
        select cast(date_trunc('week', report_date) as date)::varchar, sum(backlog)
        from marts.kpi_ticket_daily
        where report_date in (select max(report_date) from marts.kpi_ticket_daily
                              group by date_trunc('week', report_date))
        group by 1"""))
    for week, row in rows.items():
        assert float(row["ticket_backlog"]) == pytest.approx(float(backlog[week])), week


# --- the dashboard and the weekly report: the published snapshot through the semantic layer -------

@pytest.fixture(scope="module")
def semantics(cx_run):
    from dashboard.semantic import SnapshotSemantics

    settings, _, _ = cx_run
    opened = SnapshotSemantics(settings.snapshot_path)
    yield opened
    opened.close()


def test_the_snapshot_carries_the_metric_definitions_and_kpi_settings(cx_run):
    import json

    settings, _, _ = cx_run
    documents = dict(query(settings.snapshot_path / "cx_snapshot.duckdb",
                           "select name, content from published.documents"))
    assert set(documents) == {"semantic_manifest", "kpi_settings"}
    metrics = {metric["name"] for metric in json.loads(documents["semantic_manifest"])["metrics"]}
    assert {"service_level", "csat", "interval_service_level", "required_positions", "sla_breach_rate"} <= metrics
    assert json.loads(documents["kpi_settings"])["service_level_target"] == 0.8


def test_the_dashboards_semantic_layer_gives_the_marts_numbers_by_week(cx_run, semantics):
    """The in-process semantic layer the dashboard uses, on the snapshot, equals the marts'
    formulas on each week's sums (as `mf query` does on the warehouse)."""
    settings, _, _ = cx_run
    frame = semantics.query(list(SEMANTIC_EXPECTED), ["metric_time__week"])
    assert len(frame) >= 2
    for metric, (mart, numerator, denominator) in SEMANTIC_EXPECTED.items():
        ratio = f"cast({numerator} as double) / nullif({denominator}, 0)" if denominator else numerator
        expected = dict(query(settings.warehouse_path,
                              f"select cast(date_trunc('week', report_date) as date), {ratio} "
                              f"from marts.{mart} group by 1"))
        for week, got in zip(frame["metric_time__week"], frame[metric]):
            want = expected.get(week)
            if want is None or pd.isna(got):
                assert (want is None or want == 0) and (pd.isna(got) or got == 0), (metric, week, got, want)
            else:
                assert got == pytest.approx(float(want), rel=1e-9, abs=1e-9), (metric, week, got, want)


def test_customer_month_metrics_equal_the_mart(cx_run, semantics):
    """Revenue per customer and lifetime value per month and segment, as kpi_customer_monthly has them."""
    settings, _, _ = cx_run
    frame = semantics.query(["revenue_per_customer", "customer_lifetime_value", "churn_rate"],
                            ["metric_time__month", "customer_month__segment"])
    marts = {(month, segment): (revenue, ltv, churn) for month, segment, revenue, ltv, churn in query(
        settings.warehouse_path, "select month_start, segment, revenue_per_customer, ltv, churn_rate "
        "from marts.kpi_customer_monthly")}
    assert len(frame) == len(marts) > 0
    for row in frame.itertuples():
        revenue, ltv, churn = marts[(row.metric_time__month, row.customer_month__segment)]
        for got, want in ((row.revenue_per_customer, revenue), (row.customer_lifetime_value, ltv),
                          (row.churn_rate, churn)):
            assert (pd.isna(got) and want is None) or got == pytest.approx(want), (row, want)


def test_interval_staffing_and_sla_metrics_equal_their_marts(cx_run, semantics):
    from dashboard import data
    from dashboard.semantic import Filters

    settings, _, _ = cx_run
    day = date(2026, 10, 21)
    intervals = data.intraday(semantics, Filters(day, day), day)
    expected = query(settings.warehouse_path, """
        select interval_start_utc, sum(offered), sum(answered), sum(abandoned),
               sum(answered_within_sl) / nullif(sum(offered_excluding_short_abandoned), 0)
        from marts.kpi_queue_interval where report_date = ? group by 1 order by 1""", [day])
    assert len(intervals) == len(expected) > 40
    for row, (start, offered, answered, abandoned, service_level) in zip(intervals.itertuples(), expected):
        assert pd.Timestamp(row.interval_start_utc) == pd.Timestamp(start)
        assert (row.offered, row.answered, row.abandoned) == (offered, answered, abandoned)
        assert row.service_level == pytest.approx(service_level, abs=1e-12) if service_level is not None \
            else pd.isna(row.service_level)

    first, last = query(settings.warehouse_path,
                        "select min(report_date), max(report_date) from marts.kpi_staffing_interval")[0]
    staffing = data.staffing(semantics, first, last)
    expected = query(settings.warehouse_path, """
        select interval_start_utc, forecast_offered, required_positions, scheduled_agents, staffing_gap
        from marts.kpi_staffing_interval order by 1""")
    assert len(staffing) == len(expected) > 0
    for row, (start, offered, positions, scheduled, gap) in zip(staffing.itertuples(), expected):
        assert pd.Timestamp(row.interval_start_utc) == pd.Timestamp(start)
        assert row.forecast_offered == pytest.approx(offered)
        assert row.required_positions == positions
        assert (pd.isna(row.scheduled_agents) and scheduled is None) or row.scheduled_agents == pytest.approx(scheduled)
        assert (pd.isna(row.staffing_gap) and gap is None) or row.staffing_gap == pytest.approx(gap)

    breach = semantics.query(["sla_breach_rate", "sla_targets_decided"], [])
    decided, breached = query(settings.warehouse_path, "select count(is_breached), "
                              "count(*) filter (where is_breached) from marts.fct_ticket_sla")[0]
    assert decided > 0
    assert breach["sla_targets_decided"].iloc[0] == decided
    assert breach["sla_breach_rate"].iloc[0] == pytest.approx(breached / decided)

    heat = data.volume_heatmap(semantics, Filters(date(2026, 10, 19), date(2026, 10, 28)))
    assert heat["offered"].sum() == query(settings.warehouse_path,
                                          "select sum(offered) from marts.kpi_queue_interval")[0][0]


def test_filters_narrow_the_numbers_where_the_model_has_the_dimension(cx_run, semantics):
    from dashboard import data
    from dashboard.semantic import Filters

    settings, _, _ = cx_run
    day = date(2026, 10, 22)
    queue, offered, service_level = query(settings.warehouse_path, """
        select queue_name, offered, service_level from marts.kpi_queue_daily
        where report_date = ? order by offered desc limit 1""", [day])[0]
    totals = data.day_totals(semantics, Filters(day, day, queue=(queue,)), day)
    assert totals["offered"].iloc[0] == offered
    assert totals["service_level"].iloc[0] == pytest.approx(service_level)

    start, end = date(2026, 10, 19), date(2026, 10, 28)
    by_channel = data.cx_scores(semantics, Filters(start, end, channel=("email",)), "channel")
    assert by_channel["channel"].tolist() == ["email"]
    satisfied, answered = query(settings.warehouse_path, "select sum(csat_satisfied), sum(csat_answered) "
                                "from marts.kpi_cx_daily where channel = 'email'")[0]
    assert by_channel["csat"].iloc[0] == pytest.approx(satisfied / answered)
    # A channel filter does not touch the voice numbers, and the page says so.
    unfiltered = data.day_totals(semantics, Filters(day, day), day)
    assert data.day_totals(semantics, Filters(day, day, channel=("email",)), day).equals(unfiltered)
    assert Filters(day, day, channel=("email",)).ignored_by("queue_day") == ["channel"]


def _app(snapshot_dir: Path, page: str, monkeypatch):
    import sys

    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("CXPIPE_SNAPSHOT_DIR", str(snapshot_dir))
    # AppTest runs the app as sys.modules["__main__"]; put the real one back after the test (a
    # later test's multiprocessing child would import the app as its main module otherwise).
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    app = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py"), default_timeout=120)
    app.query_params["page"] = page
    return app.run()


@pytest.mark.parametrize("page", ["executive", "operations", "agents", "cx", "staffing"])
def test_each_dashboard_page_renders_from_the_snapshot(cx_run, semantics, page, monkeypatch):
    from dashboard import charts, data
    from dashboard.semantic import Filters

    settings, _, _ = cx_run
    app = _app(settings.snapshot_path, page, monkeypatch)
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    last_day = date(2026, 10, 28)
    shown = {metric.label: metric.value for metric in app.metric}
    if page == "executive":
        # The default range is the last 28 days the snapshot has (here all ten).
        filters = Filters(date(2026, 10, 19), last_day)
        csat = semantics.query(["csat"], [], filters.where("cx_day"))["csat"].iloc[0]
        assert shown["CSAT"] == charts.fmt(csat, "share")
        service = semantics.query(["service_level"], [], filters.where("queue_day"))["service_level"].iloc[0]
        assert shown["Service level"] == charts.fmt(service, "share")
        assert len(shown) == len(data.EXECUTIVE_KPIS)
    elif page == "operations":
        offered, service_level = query(settings.warehouse_path, "select sum(offered), sum(answered_within_sl) / "
                                       "sum(offered_excluding_short_abandoned) from marts.kpi_queue_daily "
                                       "where report_date = ?", [last_day])[0]
        assert shown["Offered"] == charts.fmt(offered, "count")
        assert shown["Service level"] == charts.fmt(service_level, "share")
        # Pick a queue: the day's numbers become that queue's.
        queue, queue_offered = query(settings.warehouse_path, "select queue_name, offered from marts.kpi_queue_daily "
                                     "where report_date = ? order by offered limit 1", [last_day])[0]
        app.sidebar.multiselect(key="queue").set_value([queue]).run()
        assert {m.label: m.value for m in app.metric}["Offered"] == charts.fmt(queue_offered, "count")
        app.sidebar.multiselect(key="channel").set_value(["email"]).run()
        assert any("channel filter does not apply" in caption.value for caption in app.caption)
    elif page == "agents":
        teams, agents = app.dataframe[0].value, app.dataframe[1].value
        assert set(teams["team_name"]) == {row[0] or data.NO_TEAM for row in query(
            settings.warehouse_path, "select distinct team_name from marts.kpi_agent_daily")}
        handled = dict(query(settings.warehouse_path, "select agent_id, sum(calls_handled) from marts.kpi_agent_daily "
                             "where report_date >= '2026-10-19' group by 1"))
        assert dict(zip(agents["agent_id"], agents["agent_calls_handled"])) == pytest.approx(handled)
    elif page == "cx":
        by_channel = app.dataframe[0].value
        answered = dict(query(settings.warehouse_path, "select channel, sum(contacts) from marts.kpi_cx_daily "
                              "group by 1 having sum(contacts) > 0"))
        assert dict(zip(by_channel["channel"], by_channel["contacts"])) == pytest.approx(answered)
    elif page == "staffing":
        days = app.dataframe[0].value
        first = last_day.toordinal() + 1
        assert [d.toordinal() for d in days["day"]] == list(range(first, first + len(days)))
        assert 0 < len(days) <= 14


def test_an_annotation_shows_on_the_executive_page(cx_run, tmp_path, monkeypatch):
    import shutil

    import duckdb

    settings, _, _ = cx_run
    copy = tmp_path / "snapshot"
    copy.mkdir()
    shutil.copy(settings.snapshot_path / "cx_snapshot.duckdb", copy / "cx_snapshot.duckdb")
    with duckdb.connect(str(copy / "cx_snapshot.duckdb")) as con:
        con.execute("insert into marts.dim_annotations values "
                    "('2026-10-22', '2026-10-23', 'outage', 'Carrier outage', 'Inbound trunk down 2 h')")
    app = _app(copy, "executive", monkeypatch)
    assert not app.exception
    events = app.dataframe[-1].value
    assert events["title"].tolist() == ["Carrier outage"]


def test_the_dashboard_says_where_the_snapshot_is_missing(tmp_path, monkeypatch):
    app = _app(tmp_path / "nowhere", "executive", monkeypatch)
    assert not app.exception
    assert "no published snapshot" in app.error[0].value and "cxpipe run" in app.error[0].value


def test_the_weekly_report_asset_writes_a_self_contained_page(cx_run, semantics):
    import re

    from dagster import materialize

    from dashboard import charts
    from dashboard.semantic import Filters
    from orchestration.assets.publish import weekly_report
    from orchestration.resources import CxpipeResource

    settings, _, _ = cx_run
    resource = CxpipeResource(landing_dir=str(settings.landing_dir), warehouse_path=str(settings.warehouse_path),
                              state_dir=str(settings.state_dir), site_timezone="Europe/Berlin")
    result = materialize([weekly_report], resources={"cxpipe": resource})
    assert result.success
    report = settings.snapshot_path / "reports" / "cx-weekly-2026-W43.html"  # Mon 19 - Sun 25 Oct
    assert str(report) == result.asset_materializations_for_node("weekly_report")[0].metadata["report"].value
    page = report.read_text(encoding="utf-8")
    assert "<script" not in page and not re.search(r"(src|href)=[\"']?https?:", page)
    assert page.count("<svg") >= 3
    week = Filters(date(2026, 10, 19), date(2026, 10, 25))
    service = semantics.query(["service_level"], [], week.where("queue_day"))["service_level"].iloc[0]
    assert f"<td>Service level</td><td class='num'>{charts.fmt(service, 'share')}</td>" in page


def test_fcr_is_shown_up_to_its_last_settled_day(cx_run, semantics):
    """D32: the pages' FCR stops at the last day whose every contact's 7-day window has closed by
    the latest contact loaded (D22's data_as_of); other KPIs use the whole range."""
    from dashboard import data
    from dashboard.semantic import Filters

    settings, _, _ = cx_run
    settled = query(settings.warehouse_path, """
        with days as (select report_date, max(started_at) as last_start from marts.fct_contacts group by 1)
        select max(report_date) from days
        where report_date < (select min(report_date) from days
                             where last_start + interval 7 day > (select max(started_at) from marts.fct_contacts))
        """)[0][0]
    assert date(2026, 10, 19) < settled < date(2026, 10, 28)
    assert data.last_settled_day(semantics, "fcr") == settled
    heads = data.headline(semantics, data.EXECUTIVE_KPIS, Filters(date(2026, 10, 19), date(2026, 10, 28)))
    values = dict(zip(heads["metric"], heads["value"]))
    resolved, measured = query(settings.warehouse_path, "select sum(fcr_resolved), sum(fcr_measured) "
                               "from marts.kpi_cx_daily where report_date <= ?", [settled])[0]
    assert values["fcr"] == pytest.approx(resolved / measured)
    satisfied, answered = query(settings.warehouse_path, "select sum(csat_satisfied), sum(csat_answered) "
                                "from marts.kpi_cx_daily where report_date between '2026-10-19' and '2026-10-28'")[0]
    assert values["csat"] == pytest.approx(satisfied / answered)


def test_cxpipe_dashboard_serves_on_localhost_only(cx_run):
    """`cxpipe dashboard` starts Streamlit on 127.0.0.1 (never all interfaces) on the snapshot."""
    import shutil
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    settings, _, _ = cx_run
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([str(Path(sys.executable).with_name("cxpipe")), "dashboard", "--snapshot",
                               str(settings.snapshot_path), "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                    assert answer.read() == b"ok"
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "the dashboard did not start"
                time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/?page=operations", timeout=5) as page:
            assert page.status == 200 and b"<html" in page.read().lower()
        if shutil.which("ss"):  # iproute2's socket lister, where installed
            listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout
            assert listening.strip(), f"nothing listens on port {port}"
            assert all(line.split()[3].startswith("127.0.0.1:") for line in listening.splitlines()), listening
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert f"Dashboard on http://127.0.0.1:{port}" in output


def test_the_pseudonymization_key_is_in_no_file_the_run_leaves(cx_run):
    """The HMAC key (here from CXPIPE_PSEUDONYM_KEY) is in none of the run's files: the warehouse,
    the snapshot and its Parquet copies, the weekly report, the run log, Dagster's run and event
    storage, dlt's pipeline state."""
    from tests.conftest import TEST_PSEUDONYM_KEY

    settings, outcome, _ = cx_run
    base = settings.warehouse_path.parent
    files = [path for path in base.rglob("*") if path.is_file() and "landing" not in path.relative_to(base).parts]
    names = {path.name for path in files}
    assert {"warehouse.duckdb", "cx_snapshot.duckdb", outcome.log_path.name} <= names
    assert any(path.suffix == ".db" for path in files)  # Dagster's SQLite storage
    key = TEST_PSEUDONYM_KEY.encode()
    assert [path for path in files if key in path.read_bytes()] == []
