"""The days a run is for (orchestration/partitions.py, D31) and `cxpipe run`'s choice of them."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from orchestration.partitions import (
    DAYS_FROM_FILES_TAG,
    PartitionSettingError,
    checked_day,
    clamp_days,
    daily_partitions,
    history_start,
    lookback_days,
    range_tags,
    run_days,
    window_environment_variables,
)

D = date.fromisoformat


def test_a_partition_or_a_range_gives_the_run_days():
    assert run_days({"dagster/partition": "2026-10-25"}).start == D("2026-10-25")
    days = run_days({**range_tags(D("2026-10-01"), D("2026-10-07")), DAYS_FROM_FILES_TAG: "true"})
    assert (days.start, days.end, days.from_files) == (D("2026-10-01"), D("2026-10-07"), True)
    assert range_tags(D("2026-10-01"), D("2026-10-01")) == {"dagster/partition": "2026-10-01"}
    assert run_days({"other": "tag"}) is None
    assert window_environment_variables(days) == {"CXPIPE_WINDOW_START": "2026-10-01",
                                                  "CXPIPE_WINDOW_END": "2026-10-07"}


def test_days_are_cut_to_the_partitions_that_exist():
    today = D("2026-11-27")
    first = D("2024-01-01")
    # A schedule published for next week touches no partition yet; old files are before the start.
    assert clamp_days([D("2026-11-20"), D("2026-12-05"), D("2026-11-26")], today, first) == (
        D("2026-11-20"), D("2026-11-26"))
    assert clamp_days([D("2023-05-01"), D("2026-01-02")], today, first) == (D("2026-01-02"), D("2026-01-02"))
    assert clamp_days([D("2026-12-05")], today, first) is None
    assert clamp_days([], today, first) is None


def test_checks_look_at_the_asked_day_or_the_latest_complete_one():
    today = D("2026-11-27")
    data = {D("2026-11-24"), D("2026-11-25"), D("2026-11-26")}
    # Asked for, and over: that day, even without data (the check then says it is missing).
    assert checked_day({"dagster/partition": "2026-11-20"}, data, today) == D("2026-11-20")
    # Today's partition, or days worked out from files: the latest day is still filling.
    assert checked_day({"dagster/partition": "2026-11-27"}, data, today) == D("2026-11-25")
    assert checked_day({**range_tags(D("2026-11-24"), D("2026-11-26")), DAYS_FROM_FILES_TAG: "true"},
                       data, today) == D("2026-11-25")
    assert checked_day({}, data, today) == D("2026-11-25")
    assert checked_day({}, {D("2026-11-26")}, today) is None
    assert checked_day({}, set(), today) is None


def test_history_start_and_lookback_are_settings(monkeypatch):
    monkeypatch.delenv("CXPIPE_HISTORY_START", raising=False)
    assert history_start() == D("2020-01-01")
    monkeypatch.setenv("CXPIPE_HISTORY_START", "2025-02-30")
    with pytest.raises(PartitionSettingError, match="CXPIPE_HISTORY_START"):
        history_start()
    monkeypatch.setenv("CXPIPE_HISTORY_START", "2025-03-01")
    monkeypatch.setenv("CXPIPE_SITE_TIMEZONE", "America/Chicago")
    partitions = daily_partitions()
    assert partitions.get_first_partition_key() == "2025-03-01"
    assert partitions.timezone == "America/Chicago"

    monkeypatch.delenv("CXPIPE_LOOKBACK_DAYS", raising=False)
    assert lookback_days() == 7  # dbt var incremental_lookback_days
    monkeypatch.setenv("CXPIPE_LOOKBACK_DAYS", "2")
    assert lookback_days() == 2
    for bad in ("-1", "two"):
        monkeypatch.setenv("CXPIPE_LOOKBACK_DAYS", bad)
        with pytest.raises(PartitionSettingError, match="CXPIPE_LOOKBACK_DAYS"):
            lookback_days()


def _settings(tmp_path: Path):
    from orchestration.settings import Settings

    landing = tmp_path / "landing"
    landing.mkdir(exist_ok=True)
    return Settings(landing_dir=landing, warehouse_path=tmp_path / "w.duckdb", site_timezone="UTC",
                    state_dir=tmp_path / "state")


def _write(path: Path, text: str = "x\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_cxpipe_run_is_for_the_days_of_the_new_files(tmp_path, monkeypatch):
    from cxpipe.errors import CxpipeError
    from cxpipe.runner import LANDING_SNAPSHOT_FILE, run_range
    from orchestration.partitions import site_today

    monkeypatch.delenv("CXPIPE_HISTORY_START", raising=False)
    settings = _settings(tmp_path)
    today = site_today("UTC")
    yesterday = today - timedelta(days=1)
    _write(settings.landing_dir / "telephony/queue_log/queue_log-20261012")
    _write(settings.landing_dir / "telephony/queue_log/queue_log-20261014")
    _write(settings.landing_dir / "wfm/schedule-20991231.csv")  # published far ahead: no partition
    first, last, from_files, now = run_range(settings, None, None)
    assert (first, last, from_files) == (D("2026-10-12"), min(today, D("2026-10-14")), True)
    # After a successful run the files are remembered: a grown file is the next run's day.
    settings.state_dir.mkdir(parents=True)
    (settings.state_dir / LANDING_SNAPSHOT_FILE).write_text(json.dumps(now))
    assert run_range(settings, None, None)[:3] == (yesterday, yesterday, True)
    _write(settings.landing_dir / "telephony/queue_log/queue_log-20261014", "x\ny\n")
    assert run_range(settings, None, None)[:2] == (D("2026-10-14"), D("2026-10-14"))
    # --full-refresh: the days of every file; explicit days win, within the partitions.
    assert run_range(settings, None, None, full_refresh=True)[:2] == (D("2026-10-12"), D("2026-10-14"))
    assert run_range(settings, D("2026-10-13"), D("2026-10-13"))[:3] == (D("2026-10-13"), D("2026-10-13"), False)
    with pytest.raises(CxpipeError, match="--end .* outside"):
        run_range(settings, D("2026-10-13"), today + timedelta(days=2))
