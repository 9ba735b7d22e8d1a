"""The CLI speaks in one sentence on bad input and prints re-aggregated KPIs."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from cxpipe.cli import main
from cxpipe.summary import QueueDay, format_summary, total


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_missing_landing_folder_is_one_sentence(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CXPIPE_SITE_TIMEZONE", raising=False)
    code, _, err = run_cli(capsys, "run", "--landing", str(tmp_path / "nowhere"),
                           "--warehouse", str(tmp_path / "w.duckdb"), "--state-dir", str(tmp_path / "s"))
    assert code == 2
    assert err.strip() == f"cxpipe: The landing folder {tmp_path / 'nowhere'} does not exist."


def test_unknown_time_zone_names_the_setting(tmp_path, capsys):
    code, _, err = run_cli(capsys, "run", "--landing", str(tmp_path), "--timezone", "Mars/Olympus")
    assert code == 2
    assert "CXPIPE_SITE_TIMEZONE='Mars/Olympus' is not an IANA time zone name" in err
    assert "Traceback" not in err


def test_start_without_end_is_refused(tmp_path, capsys):
    code, _, err = run_cli(capsys, "run", "--landing", str(tmp_path), "--warehouse", str(tmp_path / "w.duckdb"),
                           "--state-dir", str(tmp_path / "s"), "--start", "2026-10-12")
    assert code == 2
    assert "Give both --start and --end" in err


def test_bad_date_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["kpis", "--date", "12/10/2026"])
    assert exit_info.value.code == 2
    assert "is not a date like 2026-10-12" in capsys.readouterr().err


def test_kpis_without_a_warehouse_says_what_to_do(tmp_path, capsys):
    code, _, err = run_cli(capsys, "kpis", "--warehouse", str(tmp_path / "missing.duckdb"))
    assert code == 2
    assert "run `cxpipe run` first" in err


def _warehouse_with_daily_marts(path):
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("""
            create table marts.kpi_queue_daily as select * from (values
              ('sales',   date '2026-10-12', 10, 8, 2, 1, 6, 8, 80.0, 30.0, 1600.0, 40.0, 1),
              ('support', date '2026-10-12', 90, 85, 5, 1, 80, 84, 850.0, 100.0, 25200.0, 95.0, 4),
              ('support', date '2026-10-13', 1, 0, 0, 0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0)
            ) t(queue_name, report_date, offered, answered, abandoned, short_abandoned, answered_within_sl,
                handled, answered_wait_seconds, abandoned_wait_seconds, handle_seconds, max_wait_seconds,
                transferred)""")


def test_kpis_prints_the_chosen_day_and_the_total_from_counts(tmp_path, capsys):
    warehouse = tmp_path / "w.duckdb"
    _warehouse_with_daily_marts(warehouse)
    code, out, _ = run_cli(capsys, "kpis", "--warehouse", str(warehouse), "--date", "2026-10-12")
    assert code == 0
    assert "Voice KPIs for 2026-10-12" in out
    total_line = next(line for line in out.splitlines() if line.startswith("ALL QUEUES"))
    # SL of all queues = (6 + 80) / (100 - 2), not the mean of the two queues' SLs.
    assert f"{86 / 98 * 100:5.1f}%" in total_line


def test_kpis_refuses_a_day_without_calls(tmp_path, capsys):
    warehouse = tmp_path / "w.duckdb"
    _warehouse_with_daily_marts(warehouse)
    code, _, err = run_cli(capsys, "kpis", "--warehouse", str(warehouse), "--date", "2026-11-01")
    assert code == 2
    assert "No calls on 2026-11-01; the marts cover 2026-10-12 to 2026-10-13." in err


def test_summary_shows_dashes_for_ratios_without_denominator():
    empty = QueueDay("vip", 1, 0, 1, 1, 0, 0, 0.0, 2.0, 0.0, 2.0, 0)
    assert empty.service_level is None and empty.aht_seconds is None
    text = format_summary(date(2026, 10, 12), [empty], [date(2026, 10, 12)], 0)
    assert "vip" in text and "   -" in text
    assert total([empty]).offered == 1


def test_sql_is_read_only(tmp_path, capsys):
    warehouse = tmp_path / "w.duckdb"
    _warehouse_with_daily_marts(warehouse)
    code, out, _ = run_cli(capsys, "sql", "--warehouse", str(warehouse),
                           "select sum(offered) as offered from marts.kpi_queue_daily")
    assert code == 0 and "101" in out
    code, _, err = run_cli(capsys, "sql", "--warehouse", str(warehouse), "delete from marts.kpi_queue_daily")
    assert code == 2 and "read-only" in err


def test_kpis_shows_a_daily_trend_of_all_queues(tmp_path, capsys):
    warehouse = tmp_path / "w.duckdb"
    _warehouse_with_daily_marts(warehouse)
    code, out, _ = run_cli(capsys, "kpis", "--warehouse", str(warehouse), "--date", "2026-10-13")
    assert code == 0
    trend = out[out.index("Last 2 days, all queues:"):].splitlines()
    assert trend[2].startswith("Mon 2026-10-12      100")
    assert trend[3].startswith("Tue 2026-10-13        1")


def test_ui_shows_the_deployment_of_the_last_run_on_its_state_folder(tmp_path, monkeypatch):
    from cxpipe.cli import build_parser, ui_settings
    from cxpipe.runner import remember_settings
    from orchestration.settings import Settings

    for name in ("CXPIPE_LANDING_DIR", "CXPIPE_WAREHOUSE", "CXPIPE_SITE_TIMEZONE", "CXPIPE_STATE_DIR"):
        monkeypatch.delenv(name, raising=False)
    parser = build_parser()
    fresh = ui_settings(parser.parse_args(["ui", "--dir", str(tmp_path)]))
    assert fresh.site_timezone == "UTC" and fresh.warehouse_path == tmp_path / "warehouse.duckdb"

    remember_settings(Settings(landing_dir=tmp_path / "in", warehouse_path=tmp_path / "w.duckdb",
                               site_timezone="Europe/Berlin", state_dir=tmp_path / "state"))
    shown = ui_settings(parser.parse_args(["ui", "--dir", str(tmp_path)]))
    assert (shown.site_timezone, shown.warehouse_path) == ("Europe/Berlin", tmp_path / "w.duckdb")
    flagged = ui_settings(parser.parse_args(["ui", "--dir", str(tmp_path), "--timezone", "America/Chicago"]))
    assert flagged.site_timezone == "America/Chicago"


def test_digital_summary_per_channel_and_the_channel_mix(tmp_path):
    from cxpipe.summary import format_digital_summary

    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
    # A warehouse without the helpdesk marts: nothing to say.
    assert format_digital_summary(warehouse, date(2026, 10, 12)) == ""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("""
            create table marts.kpi_ticket_daily as select * from (values
                (date '2026-10-12', 'email', 1, 10, 4, 7, 300.0, 2, 3, 1),
                (date '2026-10-12', 'email', 2, 2, 0, 1, 0.0, 0, 0, 0),
                (date '2026-10-12', 'chat', 1, 5, 5, 0, 4.0, 4, 0, 0)
            ) t(report_date, channel, group_id, created, solved, backlog,
                first_reply_business_minutes_sum, first_reply_count, satisfaction_good, satisfaction_bad)""")
        con.execute("""
            create table marts.kpi_channel_daily as select * from (values
                (date '2026-10-12', 'voice', 85, 0.85), (date '2026-10-12', 'email', 10, 0.10),
                (date '2026-10-12', 'chat', 5, 0.05)
            ) t(report_date, channel, inbound_contacts, inbound_share)""")
    text = format_digital_summary(warehouse, date(2026, 10, 12))
    email = next(line for line in text.splitlines() if line.startswith("email"))
    # Two groups summed; the reply average is a ratio of sums (300 / 2), CSAT 3 / (3 + 1).
    assert email.split()[:4] == ["email", "12", "4", "8"] and "150 min" in email and "75.0%" in email
    assert "Channel mix (inbound contacts): voice 85%, email 10%, chat 5%" in text
    assert format_digital_summary(warehouse, date(2026, 10, 13)) == ""


def test_cx_summary_reaggregates_counts_and_skips_relationship_rows(tmp_path):
    from cxpipe.summary import format_cx_summary

    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
    assert format_cx_summary(warehouse, date(2026, 10, 12)) == ""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("""
            create table marts.kpi_cx_daily as select * from (values
                (date '2026-10-12', 'voice', 10, 6, 8, 3, 4, 2, 4, 11.0, 2, 0, 0, 3, 10),
                (date '2026-10-12', 'ivr', 4, 1, 2, 0, 0, 0, 0, 0.0, 0, 2, 5, 0, 0),
                (date '2026-10-12', 'relationship', 0, 0, 0, 0, 0, -1, 1, 0.0, 0, 0, 0, 0, 0)
            ) t(report_date, channel, contacts, fcr_resolved, fcr_measured, csat_satisfied, csat_answered,
                tnps_net, tnps_answered, ces_score_sum, ces_answered, ivr_self_served, ivr_sessions,
                surveys_answered, surveys_sent)""")
        con.execute("alter table marts.kpi_cx_daily add column tnps_promoters bigint default 0")
        con.execute("alter table marts.kpi_cx_daily add column tnps_detractors bigint default 0")
        con.execute("update marts.kpi_cx_daily set tnps_promoters = greatest(tnps_net, 0), "
                    "tnps_detractors = greatest(-tnps_net, 0)")
    text = format_cx_summary(warehouse, date(2026, 10, 12))
    # 7 of 10 resolved (not an average of 75 % and 50 %), CSAT 3/4, tNPS +2/4 (rNPS row left out).
    assert "14 contacts" in text and "FCR 70.0% (of 10" in text
    assert "CSAT 75.0%" in text and "tNPS +50" in text and "CES 5.5" in text
    assert "self-service 40.0%" in text and "response rate 30.0%" in text


def test_dashboard_and_report_without_a_snapshot_say_what_to_do(tmp_path, capsys):
    for command in ("dashboard", "report"):
        code, _, err = run_cli(capsys, command, "--snapshot", str(tmp_path / "nowhere"))
        assert code == 2
        assert f"No published snapshot in {tmp_path / 'nowhere'}" in err and "cxpipe run" in err


def test_report_week_must_be_a_monday(tmp_path, capsys):
    (tmp_path / "cx_snapshot.duckdb").touch()
    code, _, err = run_cli(capsys, "report", "--snapshot", str(tmp_path), "--week", "2026-10-21")
    assert code == 2
    assert "--week takes the Monday the week starts on; 2026-10-21 is a Wednesday." in err
