"""The KPI alert rules (orchestration/alerts.py) on hand-made marts."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from orchestration.alerts import (
    abandonment_alert,
    backlog_alert,
    score_drop_alert,
    service_level_alert,
    staffing_gap_alert,
)

DAY = date(2026, 11, 10)


def _queue_days(rows):
    return pd.DataFrame(rows, columns=["queue_name", "report_date", "offered", "abandoned", "short_abandoned",
                                       "answered_within_sl"])


def test_service_level_below_target_counts_short_abandons_out_and_ignores_tiny_queues():
    daily = _queue_days([
        ("support", DAY, 1000, 50, 20, 790),   # 790 / 980 = 80.6 %: fine
        ("billing", DAY, 400, 40, 10, 300),    # 300 / 390 = 76.9 %: below
        ("vip", DAY, 20, 5, 0, 5),             # below, but only 20 calls
        ("billing", DAY - timedelta(days=1), 400, 0, 0, 100),
    ])
    alert = service_level_alert(daily, DAY, target=0.8, min_offered=50)
    assert not alert.passed
    assert len(alert.findings) == 1 and alert.findings[0].startswith("billing: service level 76.9%")
    result = alert.result()
    assert result.severity.value == "WARN" and result.metadata["queues_below_target"].value == 1
    assert service_level_alert(daily, DAY, target=0.75, min_offered=50).passed


def test_abandonment_spike_is_a_ratio_and_a_distance_from_the_baseline():
    rows = [("support", DAY - timedelta(days=d), 1000, 30, 10, 800) for d in range(1, 29)]  # 2.0 %
    rows.append(("support", DAY, 1000, 70, 10, 700))  # 6.1 %: three times the usual
    rows += [("sales", DAY - timedelta(days=d), 1000, 210, 10, 800) for d in range(1, 29)]  # 20.2 %
    rows.append(("sales", DAY, 1000, 250, 10, 800))  # 24.2 %: up 4 points, but not 1.5 times
    alert = abandonment_alert(_queue_days(rows), DAY, baseline_days=28, spike_ratio=1.5, min_points=0.02,
                              min_offered=50)
    assert alert.findings == ["support: abandon rate 6.1%, usually 2.0%"]


def test_satisfaction_drop_needs_enough_answers():
    def day(d, satisfied, answered, promoters, detractors, tnps):
        return (DAY - timedelta(days=d), satisfied, answered, promoters, detractors, tnps)

    rows = [day(d, 80, 100, 50, 20, 100) for d in range(1, 15)]  # CSAT 80 %, tNPS 30
    rows.append(day(0, 70, 100, 40, 30, 100))                   # CSAT 70 %, tNPS 10
    frame = pd.DataFrame(rows, columns=["report_date", "csat_satisfied", "csat_answered", "tnps_promoters",
                                        "tnps_detractors", "tnps_answered"])
    alert = score_drop_alert(frame, DAY, baseline_days=28, csat_drop=0.05, nps_drop=10, min_answers=30)
    assert alert.findings == ["CSAT 70.0% from 100 answers, usually 80.0%", "tNPS 10 from 100 answers, usually 30"]
    assert score_drop_alert(frame, DAY, 28, 0.05, 10, min_answers=500).passed
    assert score_drop_alert(frame, DAY, 28, 0.15, 25, min_answers=30).passed


def test_backlog_growing_every_day_of_the_window():
    frame = pd.DataFrame({"report_date": [DAY - timedelta(days=d) for d in range(5, -1, -1)],
                          "backlog": [100, 90, 95, 99, 120, 130]})
    assert backlog_alert(frame, DAY, growth_days=3).findings == ["the backlog grew 3 days in a row: 95 -> 99 -> 120 -> 130"]
    assert backlog_alert(frame, DAY, growth_days=5).passed  # 100 -> 90 fell within the window
    assert backlog_alert(frame, DAY - timedelta(days=10), growth_days=3).passed


def test_staffing_gap_looks_at_the_first_forecast_day_and_not_at_unpublished_days():
    frame = pd.DataFrame({
        "report_date": [date(2026, 11, 11)] * 3 + [date(2026, 11, 12)],
        "interval_start": pd.to_datetime(["2026-11-11 09:00", "2026-11-11 09:15", "2026-11-11 09:30",
                                          "2026-11-12 09:00"]),
        "staffing_gap": [-0.5, -3.0, None, -20.0],
        "scheduled_agents": [10.0, 8.0, None, 0.0],
        "required_positions": [11, 11, 12, 20],
    })
    alert = staffing_gap_alert(frame, max_short=1)
    assert alert.findings == ["1 of 2 intervals short of staff; worst -3.0 agents at 09:15 (8.0 scheduled, "
                              "11 positions required)"]
    assert staffing_gap_alert(frame, max_short=5).passed
    assert staffing_gap_alert(frame.iloc[0:0], max_short=1).passed
