"""The workforce summary of `cxpipe kpis`: agents, cost per contact and the staffing look-ahead."""

from __future__ import annotations

from datetime import date

import duckdb

from cxpipe.cli import main
from cxpipe.summary import format_workforce_summary

DAY = date(2026, 10, 12)


def _agents(con):
    # Team A: occupancy 75 % and 50 % per agent (mean 62.5 %), 4000 / 6000 = 66.7 % from the sums.
    # Team B: an agent scheduled but never logged in (zero denominators), Support: no state feed.
    con.execute("""
        create table marts.kpi_agent_daily as select * from (values
            ('a1', date '2026-10-12', 'Team A', true, 6000, 5000, 3000, 1000, 5400, 600, 3000, 20),
            ('a2', date '2026-10-12', 'Team A', true, 4000, 4000, 1000, 1000, 3000, 0, 1000, 10),
            ('b1', date '2026-10-12', 'Team B', true, 3600, 0, 0, 0, 0, 3600, 0, 0),
            ('s1', date '2026-10-12', 'Support', false, 28800, null, null, null, null, null, 0, 0),
            ('a1', date '2026-10-13', 'Team A', true, 9000, 9000, 9000, 0, 9000, 0, 9000, 1)
        ) t(agent_id, report_date, team_name, is_phone_agent, scheduled_seconds, logged_in_seconds,
            handle_seconds, available_seconds, adherent_seconds, scheduled_not_logged_in_seconds,
            call_handle_seconds, calls_handled)""")


def _cost(con):
    con.execute("""
        create table marts.kpi_cost_daily as select report_date, channel, handled_contacts,
            total_cost::decimal(18, 4) as total_cost from (values
            (date '2026-10-12', 'voice', 10, 50.0),
            (date '2026-10-12', 'unallocated', 0, 20.0),
            (date '2026-10-12', 'email', 0, 0.0),
            (date '2026-10-13', 'voice', 99, 999.0)
        ) t(report_date, channel, handled_contacts, total_cost)""")


def _staffing(con):
    con.execute("""
        create table marts.kpi_staffing_interval as select * from (values
            (date '2026-10-13', timestamp '2026-10-13 09:00', 10.4, 2, 1.0),
            (date '2026-10-13', timestamp '2026-10-13 09:15', 20.2, 4, -2.0),
            (date '2026-10-13', timestamp '2026-10-13 09:30', 5.0, 1, -1.0),
            (date '2026-10-14', timestamp '2026-10-14 09:00', 90.0, 9, -5.0)
        ) t(report_date, interval_start, forecast_offered, required_positions, staffing_gap)""")


def _backtest(con):
    con.execute("""
        create table marts.fct_forecast_backtest as select * from (values
            ('sales', date '2026-10-06', date '2026-10-12', 0.5, 0.9),
            ('*', date '2026-10-06', date '2026-10-12', 0.0742, 0.2902)
        ) t(queue_name, holdout_start, holdout_end, daily_mape, interval_wape)""")


def _warehouse(path, *builders):
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        for build in builders:
            build(con)
    return path


def _line(text, start):
    return next(line for line in text.splitlines() if line.startswith(start))


def test_agents_are_ratios_of_sums_per_team_and_in_total(tmp_path):
    text = format_workforce_summary(_warehouse(tmp_path / "w.duckdb", _agents), DAY)
    assert text is not None and "Phone agents on 2026-10-12" in text
    total = _line(text, "ALL TEAMS").split()
    # agents logged in, hours, occupancy, utilization, adherence, shrinkage, AHT
    assert total[2:] == ["2", "2.5", "h", "66.7%", "44.4%", "61.8%", "30.9%", "133.3s"]
    assert "62.5%" not in text  # the mean of the agents' occupancies
    team_a = _line(text, "Team A").split()
    assert team_a[2:] == ["2", "2.5", "h", "66.7%", "44.4%", "84.0%", "6.0%", "133.3s"]
    # Never logged in: no occupancy, utilization or AHT, all of the schedule is shrinkage.
    assert _line(text, "Team B").split()[2:] == ["0", "0.0", "h", "-", "-", "0.0%", "100.0%", "-"]
    assert "Support" not in text  # agents without a state feed are left out
    assert "Cost on" not in text and "Staffing look-ahead" not in text


def test_cost_per_channel_and_for_the_day(tmp_path):
    text = format_workforce_summary(_warehouse(tmp_path / "w.duckdb", _cost), DAY)
    assert text is not None and "Cost on 2026-10-12" in text
    assert _line(text, "voice").split() == ["voice", "10", "50.00", "5.00"]
    assert _line(text, "unallocated").split() == ["unallocated", "0", "20.00", "-"]
    assert "email" not in text  # neither contacts nor cost
    assert _line(text, "ALL CHANNELS").split() == ["ALL", "CHANNELS", "10", "70.00", "7.00"]


def test_staffing_look_ahead_of_the_first_forecast_day_and_the_pooled_backtest(tmp_path):
    warehouse = _warehouse(tmp_path / "w.duckdb", _staffing)
    text = format_workforce_summary(warehouse, DAY)
    assert "first forecast day 2026-10-13" in text
    assert "forecast calls 36" in text and "peak required positions 4" in text
    assert "intervals short of staff 2 of 3" in text and "worst gap -2.0 agents at 09:15" in text
    assert "backtest" not in text  # no backtest mart yet
    _warehouse(warehouse, _backtest)
    text = format_workforce_summary(warehouse, DAY)
    assert "backtest 2026-10-06 to 2026-10-12, all queues: daily MAPE 7.4%   interval WAPE 29.0%" in text


def test_none_without_the_marts_or_rows_for_the_day(tmp_path):
    warehouse = _warehouse(tmp_path / "w.duckdb")
    assert format_workforce_summary(warehouse, DAY) is None
    _warehouse(warehouse, _agents, _cost)
    assert format_workforce_summary(warehouse, date(2026, 10, 11)) is None


def test_an_older_mart_without_a_column_is_skipped(tmp_path):
    warehouse = _warehouse(tmp_path / "w.duckdb")
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table marts.kpi_cost_daily as select date '2026-10-12' as report_date, "
                    "'voice' as channel, 3 as handled_contacts")
    assert format_workforce_summary(warehouse, DAY) is None


def test_kpis_prints_the_workforce_summary_after_the_cx_summary(tmp_path, capsys):
    def queues(con):
        con.execute("""
            create table marts.kpi_queue_daily as select * from (values
              ('sales', date '2026-10-12', 10, 8, 2, 1, 6, 8, 80.0, 30.0, 1600.0, 40.0, 1)
            ) t(queue_name, report_date, offered, answered, abandoned, short_abandoned, answered_within_sl,
                handled, answered_wait_seconds, abandoned_wait_seconds, handle_seconds, max_wait_seconds,
                transferred)""")
        con.execute("""
            create table marts.kpi_cx_daily as select * from (values
                (date '2026-10-12', 'voice', 10, 6, 8, 3, 4, 2, 0, 4, 11.0, 2, 0, 0, 3, 10)
            ) t(report_date, channel, contacts, fcr_resolved, fcr_measured, csat_satisfied, csat_answered,
                tnps_promoters, tnps_detractors, tnps_answered, ces_score_sum, ces_answered, ivr_self_served,
                ivr_sessions, surveys_answered, surveys_sent)""")

    warehouse = _warehouse(tmp_path / "w.duckdb", queues, _agents, _cost, _staffing, _backtest)
    assert main(["kpis", "--warehouse", str(warehouse), "--date", "2026-10-12"]) == 0
    out = capsys.readouterr().out
    positions = [out.index(title) for title in (
        "Customer experience on 2026-10-12", "Phone agents on 2026-10-12", "Cost on 2026-10-12",
        "Staffing look-ahead")]
    assert positions == sorted(positions)
    # A warehouse without the workforce marts prints the rest as before.
    older = _warehouse(tmp_path / "older.duckdb", queues)
    assert main(["kpis", "--warehouse", str(older), "--date", "2026-10-12"]) == 0
    out = capsys.readouterr().out
    assert "Customer experience" in out and "Phone agents" not in out and "Staffing" not in out
