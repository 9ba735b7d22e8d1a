"""The dashboard's pieces that need no snapshot: filters to MetricFlow constraints, number
formats, the report's week, and the "act first" rule."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard.charts import fmt, fmt_change
from dashboard.data import act_first
from dashboard.report import last_complete_week
from dashboard.semantic import Filters


def test_filters_apply_only_where_the_model_has_the_dimension():
    filters = Filters(date(2026, 10, 1), date(2026, 10, 7), queue=("sales",), channel=("email", "chat"))
    voice = filters.where("queue_day")
    assert voice[:2] == ["{{ TimeDimension('metric_time', 'day') }} >= '2026-10-01'",
                         "{{ TimeDimension('metric_time', 'day') }} <= '2026-10-07'"]
    assert voice[2:] == ["{{ Dimension('queue_day__queue_name') }} in ('sales')"]
    assert filters.ignored_by("queue_day") == ["channel"]
    cx = filters.where("cx_day")
    assert "{{ Dimension('cx_day__channel') }} in ('email', 'chat')" in cx
    # The queue list is voice queues: it does not narrow CX (whose groups include helpdesk ones).
    assert not any("queue_or_group" in constraint for constraint in cx)
    assert filters.ignored_by("cx_day") == ["queue"]
    assert filters.ignored_by("agent_day") == ["queue", "channel"]


def test_a_monthly_model_is_filtered_by_the_months_of_the_range():
    where = Filters(date(2026, 10, 14), date(2026, 11, 10)).where("customer_month", "month")
    assert where == ["{{ TimeDimension('metric_time', 'month') }} >= '2026-10-01'",
                     "{{ TimeDimension('metric_time', 'month') }} <= '2026-11-01'"]


def test_filter_values_are_quoted_as_sql_literals():
    where = Filters(date(2026, 10, 1), date(2026, 10, 1), contact_reason=("o'clock",)).where("cx_day")
    assert where[-1] == "{{ Dimension('cx_day__contact_reason') }} in ('o''clock')"


@pytest.mark.parametrize(("value", "unit", "shown"), [
    (0.8123, "share", "81.2%"),
    (45.0, "seconds", "45 s"),
    (300.0, "seconds", "5.0 min"),
    (90.0, "minutes", "90 min"),
    (1500.0, "minutes", "25.0 h"),
    (5.158, "money", "5.16"),
    (12345.0, "count", "12,345"),
    (46.38, "score", "46.4"),
    (5.63, "score", "5.63"),
    (None, "share", "–"),
    (float("nan"), "count", "–"),
])
def test_numbers_are_shown_in_their_unit(value, unit, shown):
    assert fmt(value, unit) == shown


def test_changes_of_shares_are_points_and_of_others_percentages():
    assert fmt_change(0.1, "share", 0.88, 0.80) == "+8.0 pts"
    assert fmt_change(-0.25, "seconds", 30.0, 40.0) == "-25%"
    assert fmt_change(0.05, "score", 42.0, 40.0) == "+2.0"


@pytest.mark.parametrize(("last_day", "monday"), [
    (date(2026, 11, 8), date(2026, 11, 2)),   # a Sunday: its own week is complete
    (date(2026, 11, 10), date(2026, 11, 2)),  # a Tuesday: the week before
    (date(2026, 11, 9), date(2026, 11, 2)),   # a Monday: the week before
])
def test_the_report_covers_the_last_complete_week(last_day, monday):
    assert last_complete_week(last_day) == monday


def test_act_first_keeps_frequent_reasons_under_the_overall_score():
    scores = pd.DataFrame({
        "contact_reason": ["billing", "delivery", "sales", "other", "unrated"],
        "contacts": [500, 400, 100, 50, 900],
        "csat": [0.70, 0.85, 0.60, 0.90, None],
    })
    chosen = act_first(scores, "contact_reason", overall_csat=0.78)
    # Median volume of the rated reasons is 250: sales is low but rare, delivery frequent but fine.
    assert chosen["contact_reason"].tolist() == ["billing"]
    assert act_first(scores, "contact_reason", overall_csat=None).empty


def test_the_period_before_has_the_same_length_in_days_or_whole_months():
    from dashboard.data import period_before

    filters = Filters(date(2026, 10, 14), date(2026, 11, 10))
    assert (period_before(filters).start, period_before(filters).end) == (date(2026, 9, 16), date(2026, 10, 13))
    monthly = period_before(filters, "month")  # October and November against August and September
    assert (monthly.start, monthly.end) == (date(2026, 8, 1), date(2026, 9, 30))
    january = period_before(Filters(date(2026, 1, 5), date(2026, 1, 20)), "month")
    assert (january.start, january.end) == (date(2025, 12, 1), date(2025, 12, 31))
