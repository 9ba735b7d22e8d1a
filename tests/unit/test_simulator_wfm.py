"""Unit tests of the simulated WFM schedules (wfm/schedule-*.csv) and the workforce truth
(ground_truth/agent_daily.csv, expected_interval.csv), checked against the written files with
deliberately simple, independent code."""

from __future__ import annotations

import csv
import dataclasses
import json
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from simulator import SimulationConfig, simulate
from simulator.behaviour import expected_handle_seconds
from simulator.patterns import expected_daily_volume
from simulator.wfm_truth import expected_interval_rows

BERLIN = ZoneInfo("Europe/Berlin")
# Saturday to Monday: the night shift of Saturday crosses the autumn DST change (Berlin, Oct 25);
# two night agents (12 agents), one of them works Saturday night; Sunday is a bad day.
CFG = SimulationConfig(start=date(2026, 10, 24), days=3, seed=5, agents=12, calls_per_day=300,
                       tickets_per_day=60, bad_days=(1,), absence_rate=0.1, schedule_horizon_days=4, cx=False)
# Monday to Friday: the helpdesk leaver's last shift is cut at 13:00 on Wednesday.
WEEK = SimulationConfig(start=date(2026, 10, 26), days=5, seed=3, agents=3, calls_per_day=40,
                        tickets_per_day=30, schedule_horizon_days=2, cx=False)
HEADER = ["agent_id", "agent_name", "team", "schedule_date", "activity", "start_at", "end_at"]
AGENT_DAILY = ["agent_id", "report_date", "team", "is_state_tracked", "scheduled_seconds", "scheduled_work_seconds",
               "logged_in_seconds", "available_seconds", "on_contact_seconds", "hold_seconds", "acw_seconds",
               "break_seconds", "scheduled_logged_in_seconds", "adherent_seconds"]
STATE_COLUMNS = {"AVAILABLE": "available_seconds", "ON_CONTACT": "on_contact_seconds", "HOLD": "hold_seconds",
                 "ACW": "acw_seconds", "BREAK": "break_seconds"}


# -- independent readers -------------------------------------------------------------------------

def epoch_of(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def read_schedules(landing: Path, digital: bool) -> dict[str, list[dict]]:
    """File name -> rows of the voice (or digital) schedule files."""
    files = {}
    for path in sorted((landing / "wfm").iterdir()):
        if path.name.startswith("schedule-digital-") != digital:
            continue
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            assert reader.fieldnames == HEADER, path
            rows = list(reader)
        for row in rows:
            row["start"], row["end"] = epoch_of(row["start_at"]), epoch_of(row["end_at"])
        files[path.name] = rows
    return files


def shifts_of(files: dict[str, list[dict]]) -> list[list[dict]]:
    """Segments grouped into shifts: per agent and schedule date, contiguous runs in time order."""
    by_agent_date = defaultdict(list)
    for rows in files.values():
        for row in rows:
            by_agent_date[(row["agent_id"], row["schedule_date"])].append(row)
    shifts = []
    for rows in by_agent_date.values():
        rows.sort(key=lambda r: r["start"])
        current = [rows[0]]
        for before, after in pairwise(rows):
            assert after["start"] >= before["end"], f"overlapping segments {before} {after}"
            if after["start"] == before["end"]:
                current.append(after)
            else:
                shifts.append(current)
                current = [after]
        shifts.append(current)
    return shifts


def read_feed(landing: Path) -> list[dict]:
    rows = []
    for path in sorted((landing / "telephony" / "agent_states").iterdir()):
        with open(path, newline="", encoding="utf-8") as handle:
            rows.extend(csv.DictReader(handle))
    for row in rows:
        row["epoch"] = epoch_of(row["started_at"])
    return rows


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def day_bounds(day: date, tz: ZoneInfo) -> tuple[int, int]:
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    nxt = day + timedelta(days=1)
    return int(start.timestamp()), int(datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz).timestamp())


def recompute_agent_daily(cfg: SimulationConfig, feed: list[dict], voice: dict, digital: dict) -> dict:
    """agent_daily.csv from the feed and the schedule files: a sweep over every boundary."""
    days = [cfg.start + timedelta(days=i) for i in range(cfg.days)]
    bounds = [day_bounds(d, ZoneInfo(cfg.site_timezone)) for d in days]
    spans, teams = defaultdict(list), {}
    events = defaultdict(list)
    for row in feed:
        events[row["agent_id"]].append(row)
        teams[row["agent_id"]] = row["team"]
    for agent, rows in events.items():
        for this, nxt in pairwise(rows):
            if this["state"] != "LOGOUT":
                spans[agent].append((this["epoch"], nxt["epoch"], this["state"]))
        assert rows[-1]["state"] == "LOGOUT"
    segments, tracked = defaultdict(list), {}
    for files, is_voice in ((voice, True), (digital, False)):
        for rows in files.values():
            for row in rows:
                segments[row["agent_id"]].append((row["start"], row["end"], row["activity"]))
                teams[row["agent_id"]] = row["team"]
                tracked[row["agent_id"]] = is_voice
    for agent in spans:
        tracked[agent] = True
    result = {}
    for agent in tracked:
        agent_spans = sorted(spans[agent])
        agent_segments = sorted(segments[agent])
        points = sorted({p for s in agent_spans for p in s[:2]} | {p for s in agent_segments for p in s[:2]}
                        | {p for b in bounds for p in b})
        totals = defaultdict(lambda: defaultdict(int))
        for a, b in pairwise(points):
            day = next((i for i, (lo, hi) in enumerate(bounds) if lo <= a < hi), None)
            if day is None:
                continue
            state = next((s[2] for s in agent_spans if s[0] <= a < s[1]), None)
            activity = next((s[2] for s in agent_segments if s[0] <= a < s[1]), None)
            t = totals[day]
            if activity is not None:
                t["scheduled_seconds"] += b - a
                t["scheduled_work_seconds"] += (b - a) * (activity == "WORK")
            if state is not None:
                t["logged_in_seconds"] += b - a
                if state in STATE_COLUMNS:
                    t[STATE_COLUMNS[state]] += b - a
                if activity is not None:
                    t["scheduled_logged_in_seconds"] += b - a
                    if (activity == "WORK" and state in ("AVAILABLE", "ON_CONTACT", "HOLD", "ACW")) or (
                            activity in ("BREAK", "LUNCH") and state == "BREAK"):
                        t["adherent_seconds"] += b - a
        for day, t in totals.items():
            if not t["scheduled_seconds"] and not t["logged_in_seconds"]:
                continue
            row = {"agent_id": agent, "report_date": days[day].isoformat(), "team": teams[agent],
                   "is_state_tracked": "true" if tracked[agent] else "false"}
            for column in AGENT_DAILY[4:]:
                has_value = tracked[agent] or column in ("scheduled_seconds", "scheduled_work_seconds")
                row[column] = str(t[column]) if has_value else ""   # no feed: no state columns
            result[(agent, row["report_date"])] = row
    return result


# -- fixtures -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return simulate(CFG, tmp_path_factory.mktemp("wfm"))


@pytest.fixture(scope="module")
def voice(run):
    return read_schedules(run.out_dir, digital=False)


@pytest.fixture(scope="module")
def digital(run):
    return read_schedules(run.out_dir, digital=True)


@pytest.fixture(scope="module")
def feed(run):
    return read_feed(run.out_dir)


@pytest.fixture(scope="module")
def agent_daily(run):
    rows = read_csv(run.truth_dir / "agent_daily.csv")
    return rows


@pytest.fixture(scope="module")
def setup(run):
    return json.loads((run.truth_dir / "simulation.json").read_text())


# -- schedule files -----------------------------------------------------------------------------

def test_one_file_per_schedule_date_from_the_day_before_to_the_horizon(run, voice, digital):
    assert CFG.schedule_horizon_days == 4 and SimulationConfig().schedule_horizon_days == 14
    dates = [CFG.start + timedelta(days=i) for i in range(-1, CFG.days + CFG.schedule_horizon_days)]
    assert list(voice) == [f"schedule-{d:%Y%m%d}.csv" for d in dates]
    assert list(digital) == [f"schedule-digital-{d:%Y%m%d}.csv" for d in dates]
    for files in (voice, digital):
        for name, rows in files.items():
            stamp = name.rsplit("-", 1)[1][:8]
            for row in rows:
                assert row["schedule_date"] == f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:]}"
                assert row["activity"] in ("WORK", "BREAK", "LUNCH")
                assert row["agent_id"] and row["agent_name"] and row["team"]
    # Weekdays have a digital schedule, weekends none (a header alone).
    assert digital["schedule-digital-20261026.csv"] and not digital["schedule-digital-20261025.csv"]


def test_segments_tile_each_shift_in_time_order(voice, digital):
    for files, is_voice in ((voice, True), (digital, False)):
        per_agent_date = defaultdict(int)
        for shift in shifts_of(files):
            per_agent_date[(shift[0]["agent_id"], shift[0]["schedule_date"])] += 1
            for segment in shift:
                assert segment["end"] > segment["start"]
            for before, after in pairwise(shift):
                assert before["end"] == after["start"]
            activities = [s["activity"] for s in shift]
            # The shift starts on its schedule date (the local date of its own offset).
            assert datetime.fromisoformat(shift[0]["start_at"]).date().isoformat() == shift[0]["schedule_date"]
            if is_voice:
                # The planner's break, lunch, break, with WORK around them (breaks may touch).
                assert [a for a in activities if a != "WORK"] == ["BREAK", "LUNCH", "BREAK"]
                assert activities[0] == activities[-1] == "WORK"
                assert all(not (a == b == "WORK") for a, b in pairwise(activities))
                assert [s["end"] - s["start"] for s in shift if s["activity"] != "WORK"] == [900, 1800, 900]
            else:
                assert activities in (["WORK", "LUNCH", "WORK"], ["WORK"])
                if len(shift) == 3:
                    lunch = shift[1]
                    assert lunch["end"] - lunch["start"] == 1800
                    local = datetime.fromisoformat(lunch["start_at"])
                    assert local.minute % 15 == 0 and local.second == 0
                    middle = (shift[0]["start"] + shift[-1]["end"]) / 2
                    assert abs((lunch["start"] + lunch["end"]) / 2 - middle) <= 450
                else:
                    assert shift[0]["end"] - shift[0]["start"] < 4 * 3600
        assert set(per_agent_date.values()) == {1}   # one shift per agent and date here


def test_times_carry_the_site_offset_across_the_dst_change(voice):
    for rows in voice.values():
        for row in rows:
            for column in ("start_at", "end_at"):
                text = row[column]
                local = datetime.fromtimestamp(epoch_of(text), BERLIN)
                assert text == local.isoformat(timespec="seconds")
    # Saturday's night shift: 22:00 summer time to 06:30 winter time, 9.5 hours.
    saturday = shifts_of({"f": voice["schedule-20261024.csv"]})
    night = [s for s in saturday if s[0]["start_at"].endswith("T22:00:00+02:00")]
    assert night
    for shift in night:
        assert shift[-1]["end_at"] == "2026-10-25T06:30:00+01:00"
        assert shift[-1]["end"] - shift[0]["start"] == 9.5 * 3600
    assert any("+01:00" in r["start_at"] for r in voice["schedule-20261025.csv"])


def test_every_login_falls_in_a_scheduled_shift_of_that_day_or_the_day_before(run, voice, feed):
    shifts = defaultdict(list)
    for shift in shifts_of(voice):
        shifts[shift[0]["agent_id"]].append((shift[0]["schedule_date"], shift[0]["start"], shift[-1]["end"]))
    logins = [row for row in feed if row["state"] == "LOGIN"]
    assert logins
    for row in logins:
        day = datetime.fromtimestamp(row["epoch"], BERLIN).date()
        allowed = {day.isoformat(), (day - timedelta(days=1)).isoformat()}
        assert any(d in allowed and start - 240 <= row["epoch"] < end for d, start, end in shifts[row["agent_id"]]), row


def test_absent_agents_are_scheduled_but_log_no_time(setup, voice, feed, agent_daily):
    calendar = {day["date"]: day for day in setup["calendar"]}
    absent = [(d, a) for d, day in calendar.items() for a in day["absent_ids"]]
    assert len(absent) >= 2 and calendar["2026-10-25"]["bad_day"]
    truth = {(r["agent_id"], r["report_date"]): r for r in agent_daily}
    shifts = {(s[0]["agent_id"], s[0]["schedule_date"]): s for s in shifts_of(voice)}
    for day, agent in absent:
        shift = shifts[(agent, day)]     # scheduled: absences are not planned
        start, end = shift[0]["start"], shift[-1]["end"]
        assert not [r for r in feed if r["agent_id"] == agent and start - 300 <= r["epoch"] <= end + 300]
        row = truth[(agent, day)]
        assert int(row["scheduled_seconds"]) > 0
        if shift[0]["start_at"][11:13] != "22":   # a day shift: nothing else that day
            assert row["logged_in_seconds"] == "0" and row["adherent_seconds"] == "0"


# -- agent truth --------------------------------------------------------------------------------

def test_agent_daily_columns_add_up(agent_daily):
    assert agent_daily and list(agent_daily[0]) == AGENT_DAILY
    voice_rows = [r for r in agent_daily if r["is_state_tracked"] == "true"]
    digital_rows = [r for r in agent_daily if r["is_state_tracked"] == "false"]
    assert voice_rows and digital_rows
    for r in voice_rows:
        v = {k: int(r[k]) for k in AGENT_DAILY[4:]}
        assert sum(v[c] for c in STATE_COLUMNS.values()) == v["logged_in_seconds"]
        assert v["scheduled_logged_in_seconds"] <= min(v["logged_in_seconds"], v["scheduled_seconds"])
        assert v["adherent_seconds"] <= v["scheduled_logged_in_seconds"] <= v["scheduled_seconds"]
        assert v["scheduled_work_seconds"] <= v["scheduled_seconds"]
    for r in digital_rows:
        assert int(r["scheduled_seconds"]) > 0 and all(r[c] == "" for c in AGENT_DAILY[6:])
    # Late breaks and overruns: adherence is high but not perfect.
    scheduled = sum(int(r["scheduled_seconds"]) for r in voice_rows)
    adherent = sum(int(r["adherent_seconds"]) for r in voice_rows)
    assert 0.75 < adherent / scheduled < 1.0
    assert {r["report_date"] for r in agent_daily} == {"2026-10-24", "2026-10-25", "2026-10-26"}


def test_agent_daily_equals_a_recomputation_from_the_feed_and_the_schedules(run, feed, voice, digital, agent_daily):
    expected = recompute_agent_daily(CFG, feed, voice, digital)
    actual = {(r["agent_id"], r["report_date"]): r for r in agent_daily}
    assert len(actual) == len(agent_daily)
    assert actual == expected
    # The DST day has 25 hours: the night shift's 6.5 hours after midnight are 7.5 real hours.
    night = [r for r in agent_daily if r["report_date"] == "2026-10-25" and r["agent_id"] in
             {s[0]["agent_id"] for s in shifts_of({"f": voice["schedule-20261024.csv"]})
              if s[0]["start_at"].endswith("T22:00:00+02:00")}]
    assert night and all(int(r["scheduled_seconds"]) >= 7.5 * 3600 for r in night)


def test_digital_schedule_follows_business_hours_holidays_and_who_is_active(tmp_path):
    result = simulate(WEEK, tmp_path)
    setup = json.loads((result.truth_dir / "simulation.json").read_text())["helpdesk"]
    files = read_schedules(tmp_path, digital=True)
    actual = {(s[0]["agent_id"], s[0]["schedule_date"], s[0]["start"], s[-1]["end"]) for s in shifts_of(files)}
    schedules = {s["schedule_id"]: s for s in setup["schedules"]}
    groups = {g["group_id"]: g for g in setup["groups"]}
    expected = set()
    for offset in range(-1, WEEK.days + WEEK.schedule_horizon_days):
        day = WEEK.start + timedelta(days=offset)
        for agent in setup["agents"]:
            if agent["role"] != "agent":
                continue
            schedule = schedules[groups[agent["group_id"]]["schedule_id"]]
            tz = ZoneInfo(schedule["timezone"])
            if any(h["start_date"] <= day.isoformat() <= h["end_date"] for h in schedule["holidays"]):
                continue
            zendesk_day = (day.weekday() + 1) % 7 * 1440
            for lo, hi in schedule["intervals"]:
                lo, hi = max(lo, zendesk_day) - zendesk_day, min(hi, zendesk_day + 1440) - zendesk_day
                if lo >= hi:
                    continue
                start = int(datetime(day.year, day.month, day.day, tzinfo=tz).timestamp()) + lo * 60
                end = int(datetime(day.year, day.month, day.day, tzinfo=tz).timestamp()) + hi * 60
                start = max(start, epoch_of(agent["active_from"]))
                if agent["deactivated_at"]:
                    end = min(end, epoch_of(agent["deactivated_at"]))
                if start < end:
                    expected.add((str(agent["user_id"]), day.isoformat(), start, end))
    assert actual == expected
    leaver = next(a for a in setup["agents"] if a["deactivated_at"])
    cut = [s for s in actual if s[0] == str(leaver["user_id"]) and s[3] == epoch_of(leaver["deactivated_at"])]
    assert len(cut) == 1 and datetime.fromtimestamp(cut[0][3], BERLIN).hour == 13
    assert not any(s[0] == str(leaver["user_id"]) and s[2] > cut[0][3] for s in actual)
    # Holidays of the period and of the horizon have no shifts of their schedule's groups.
    holidays = {h["start_date"] for s in setup["schedules"] for h in s["holidays"]}
    assert holidays and all(f"schedule-digital-{d.replace('-', '')}.csv" in files for d in holidays)
    support_holiday = next(h["start_date"] for h in schedules[min(schedules)]["holidays"])
    on_holiday = files[f"schedule-digital-{support_holiday.replace('-', '')}.csv"]
    assert not [r for r in on_holiday if r["team"] != "North America"]
    # Agent ids are the Zendesk user ids the helpdesk serves, teams their group names.
    users = {u["id"]: u for u in json.loads((tmp_path / "helpdesk" / "users.json").read_text())}
    for rows in files.values():
        for row in rows:
            assert int(row["agent_id"]) in users
            assert row["team"] in {g["name"] for g in setup["groups"]}


# -- expected traffic ---------------------------------------------------------------------------

def test_expected_intervals_cover_the_horizon_with_the_traffic_model(run):
    rows = read_csv(run.truth_dir / "expected_interval.csv")
    assert rows and list(rows[0]) == ["queue_name", "report_date", "interval_start", "interval_start_utc",
                                      "expected_offered", "expected_aht_seconds"]
    horizon = [CFG.start + timedelta(days=CFG.days + i) for i in range(CFG.schedule_horizon_days)]
    assert sorted({r["report_date"] for r in rows}) == [d.isoformat() for d in horizon]
    for queue in CFG.queues:
        for day in horizon:
            mine = [r for r in rows if r["queue_name"] == queue.name and r["report_date"] == day.isoformat()]
            volume = expected_daily_volume(CFG, queue, day.weekday())
            assert sum(float(r["expected_offered"]) for r in mine) == pytest.approx(volume, abs=0.01 + 1e-4 * len(mine))
            assert all(float(r["expected_aht_seconds"]) == pytest.approx(expected_handle_seconds(queue), abs=1e-3)
                       for r in mine)
            window = queue.window(day.weekday())
            if window is None:
                assert not mine
                continue
            for r in mine:
                local = datetime.strptime(r["interval_start"], "%Y-%m-%d %H:%M:%S")
                minute = local.hour * 60 + local.minute
                assert window[0] - CFG.interval_minutes < minute < window[1] and minute % CFG.interval_minutes == 0
                utc = datetime.fromisoformat(r["interval_start_utc"].replace("Z", "+00:00"))
                assert utc.astimezone(BERLIN).replace(tzinfo=None) == local
    # The rows come in time order.
    starts = [epoch_of(r["interval_start_utc"]) for r in rows]
    assert starts == sorted(starts)


def test_expected_intervals_on_a_dst_day_have_25_hours():
    rows = expected_interval_rows(CFG, [date(2026, 10, 25)])
    support = [r for r in rows if r[0] == "support"]
    assert len(support) == 25 * 4
    repeated = [r for r in support if r[2] == "2026-10-25 02:00:00"]
    assert [r[3] for r in repeated] == ["2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z"]
    assert not [r for r in rows if r[0] in ("sales", "billing")]   # closed on Sundays
    day_utc = datetime(2026, 10, 24, 22, tzinfo=UTC)
    assert support[0][3] == day_utc.strftime("%Y-%m-%dT%H:%M:%SZ")


# -- independence and files ---------------------------------------------------------------------

def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_horizon_changes_no_voice_file(run, tmp_path):
    short = simulate(dataclasses.replace(CFG, schedule_horizon_days=0), tmp_path)
    mine, other = _tree(run.out_dir), _tree(short.out_dir)
    voice = {n: c for n, c in mine.items() if n.startswith(("telephony/", "helpdesk/", "ground_truth/queue_",
                                                            "ground_truth/ticket", "ground_truth/agent_daily"))}
    assert voice and voice.items() <= other.items()
    schedules = {n: c for n, c in other.items() if n.startswith("wfm/")}
    assert len(schedules) == 2 * (CFG.days + 1) and schedules.items() <= mine.items()
    assert read_csv(short.truth_dir / "expected_interval.csv") == []


def test_result_lists_the_schedules_and_clean_removes_them(run, tmp_path):
    assert sorted(run.files) == sorted(p for p in run.out_dir.rglob("*") if p.is_file())
    assert {p.name for p in run.files} >= {"agent_daily.csv", "expected_interval.csv", "schedule-20261023.csv",
                                          "schedule-digital-20261030.csv"}
    simulate(CFG, tmp_path)
    foreign = tmp_path / "wfm" / "roster-export.csv"
    foreign.write_text("keep me\n")
    result = simulate(dataclasses.replace(CFG, start=date(2026, 11, 9), helpdesk=False), tmp_path, clean=True)
    assert {p for p in tmp_path.rglob("*") if p.is_file()} == set(result.files) | {foreign}
    assert not list((tmp_path / "wfm").glob("schedule-digital-*"))
    rows = read_csv(result.truth_dir / "agent_daily.csv")
    assert rows and all(r["is_state_tracked"] == "true" for r in rows)


def test_invalid_horizon_is_refused():
    with pytest.raises(ValueError, match="schedule_horizon_days"):
        SimulationConfig(schedule_horizon_days=-1)
