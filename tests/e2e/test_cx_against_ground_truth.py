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
