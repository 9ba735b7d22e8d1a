"""The volume-drop rule of the blocking `no_volume_drop` check (orchestration/checks.py)."""

from datetime import date, timedelta

from orchestration.checks import volume_drop

MONDAY = date(2026, 11, 9)


def _weeks(*values):
    return {MONDAY - timedelta(days=7 * w): v for w, v in enumerate(values, start=1)}


def test_a_day_far_below_its_weekday_median_is_a_drop():
    counts = {**_weeks(2000, 2100, 1900, 2050), MONDAY: 700, MONDAY - timedelta(days=1): 250}
    passed, metadata = volume_drop(counts, MONDAY, share=0.5)
    assert not passed and metadata["same_weekday_median"] == 2025.0 and metadata["calls_entered"] == 700
    assert volume_drop({**counts, MONDAY: 1100}, MONDAY, 0.5)[0]


def test_a_sunday_is_compared_with_sundays_and_a_missing_day_is_zero():
    sunday = MONDAY - timedelta(days=1)
    counts = {sunday - timedelta(days=7 * w): 250 for w in range(1, 5)}
    counts[sunday] = 240
    assert volume_drop(counts, sunday, 0.5)[0]
    assert not volume_drop(counts, sunday + timedelta(days=7), 0.5)[0]  # no file at all that day


def test_without_two_weeks_of_history_or_with_the_rule_off_nothing_is_a_drop():
    assert volume_drop({**_weeks(2000), MONDAY: 10}, MONDAY, 0.5)[0]
    assert volume_drop({**_weeks(2000, 2000), MONDAY: 10}, MONDAY, 0.0) == (
        True, {"day": "2026-11-09", "calls_entered": 10, "drop_share": 0.0, "baseline": "off"})
