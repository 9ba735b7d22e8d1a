"""Unit tests of the simulator: files follow docs/source_formats.md, and the ground truth agrees
with what the files say (re-derived here with deliberately simple, independent parsing)."""

from __future__ import annotations

import ast
import csv
import dataclasses
import itertools
import json
import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from simulator import SimulationConfig, simulate
from simulator.clock import interval_floor, local_day_bounds
from simulator.staffing import erlang_c_service_level, required_agents

SIMULATOR_DIR = Path(__file__).resolve().parents[2] / "simulator"
BERLIN = ZoneInfo("Europe/Berlin")
SMALL = SimulationConfig(start=date(2026, 10, 12), days=2, seed=7, agents=8, calls_per_day=300)

# Data fields per queue_log event, as the table in docs/source_formats.md lists them.
DATA_FIELDS = {
    "ENTERQUEUE": 3, "CONNECT": 3, "COMPLETEAGENT": 3, "COMPLETECALLER": 3, "ABANDON": 3,
    "EXITWITHTIMEOUT": 3, "EXITWITHKEY": 4, "EXITEMPTY": 3, "JOINEMPTY": 3, "FULL": 3,
    "BLINDTRANSFER": 5, "ATTENDEDTRANSFER": 5, "RINGNOANSWER": 1, "RINGCANCELED": 1,
    "AGENTLOGIN": 1, "AGENTLOGOFF": 2, "ADDMEMBER": 1, "REMOVEMEMBER": 1, "PAUSE": 1, "UNPAUSE": 1,
}
START_EVENTS = {"ENTERQUEUE", "JOINEMPTY", "FULL"}
TERMINAL_EVENTS = {"COMPLETEAGENT", "COMPLETECALLER", "BLINDTRANSFER", "ATTENDEDTRANSFER", "ABANDON",
                   "EXITWITHTIMEOUT", "EXITWITHKEY", "EXITEMPTY", "JOINEMPTY", "FULL"}
FEED_STATES = {"LOGIN", "AVAILABLE", "ON_CONTACT", "HOLD", "ACW", "BREAK", "LOGOUT"}


# -- simple readers of the written files (independent of the simulator's code) ---------------

def utc_label(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y%m%d")


def read_queue_log(landing: Path) -> list[dict]:
    events = []
    for path in sorted((landing / "telephony" / "queue_log").iterdir()):
        for line in path.read_text(encoding="utf-8").splitlines():
            fields = line.split("|")
            events.append({"file": path.name, "epoch": int(fields[0]), "callid": fields[1], "queue": fields[2],
                           "agent": fields[3], "event": fields[4], "data": fields[5:], "fields": len(fields)})
    return events


def read_cdr(landing: Path) -> list[dict]:
    names = ["accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp", "lastdata",
             "start", "answer", "end", "duration", "billsec", "disposition", "amaflags", "uniqueid", "userfield"]
    rows = []
    for path in sorted((landing / "telephony" / "cdr").iterdir()):
        with open(path, newline="", encoding="utf-8") as handle:
            for values in csv.reader(handle):
                rows.append(dict(zip(names, values, strict=False), file=path.name, width=len(values)))
    return rows


def read_feed(landing: Path) -> list[dict]:
    rows = []
    for path in sorted((landing / "telephony" / "agent_states").iterdir()):
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                row["file"] = path.name
                row["epoch"] = int(datetime.fromisoformat(row["started_at"].replace("Z", "+00:00")).timestamp())
                rows.append(row)
    return rows


def read_truth(result, name: str) -> list[dict]:
    with open(result.truth_dir / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def cdr_epoch(text: str) -> int:
    return int(datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp())


def visits_from_log(events: list[dict]) -> list[dict]:
    """Queue visits (start event .. terminal event per callid and queue), in time order."""
    open_visits: dict[tuple[str, str], dict] = {}
    visits = []
    for e in events:
        if e["callid"] == "NONE":
            continue
        key = (e["callid"], e["queue"])
        if e["event"] in START_EVENTS:
            assert key not in open_visits, f"{key} enters again before its visit ended"
            open_visits[key] = {"callid": e["callid"], "queue": e["queue"], "start": e["epoch"], "events": []}
        assert key in open_visits, f"{e['event']} of {key} outside a visit"
        visit = open_visits[key]
        visit["events"].append(e)
        if e["event"] in TERMINAL_EVENTS:
            visits.append(open_visits.pop(key))
    assert not open_visits, f"visits without terminal event: {list(open_visits)[:3]}"
    return visits


# -- fixtures ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return simulate(SMALL, tmp_path_factory.mktemp("small"))


@pytest.fixture(scope="module")
def small_log(small):
    return read_queue_log(small.out_dir)


@pytest.fixture(scope="module")
def small_visits(small_log):
    return visits_from_log(small_log)


# -- determinism and API -------------------------------------------------------------------

def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_config_gives_byte_identical_files(small, tmp_path):
    again = simulate(SMALL, tmp_path / "again")
    assert _tree(again.out_dir) == _tree(small.out_dir)
    assert again.entries == small.entries > 0
    other = simulate(dataclasses.replace(SMALL, seed=8), tmp_path / "other")
    entries = "ground_truth/queue_entries.csv"
    assert _tree(other.out_dir)[entries] != _tree(small.out_dir)[entries]


def test_result_lists_every_written_file_and_progress_reports_each_day(tmp_path):
    calls = []
    result = simulate(SMALL, tmp_path, progress=lambda done, total, message: calls.append((done, total, message)))
    assert sorted(result.files) == sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert result.truth_dir == tmp_path / "ground_truth"
    assert [c[0] for c in calls[:2]] == [1, 2] and all(c[1] == 2 for c in calls)
    assert all(isinstance(c[2], str) and c[2] for c in calls)
    assert json.loads((result.truth_dir / "simulation.json").read_text())["config"]["seed"] == SMALL.seed


def test_invalid_config_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="days"):
        SimulationConfig(days=0)
    with pytest.raises(ValueError, match="site_timezone"):
        SimulationConfig(site_timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="absence_rate"):
        SimulationConfig(absence_rate=1.5)


def test_clean_removes_only_files_with_simulator_names(small, tmp_path):
    simulate(dataclasses.replace(SMALL, start=date(2026, 11, 2)), tmp_path)
    foreign = tmp_path / "telephony" / "cdr" / "export.csv"
    foreign.write_text("keep me\n")
    result = simulate(SMALL, tmp_path, clean=True)
    landing = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert landing == set(result.files) | {foreign}


def test_simulator_does_not_import_pipeline_code():
    """The whole package, its helpdesk included: the simulator writes public formats and serves
    a public API; it never shares code with the pipeline it feeds."""
    forbidden = {"cxpipe", "ingestion", "orchestration", "models", "dagster", "dlt", "dbt", "requests"}
    paths = list(SIMULATOR_DIR.rglob("*.py"))
    assert any(p.parent.name == "helpdesk" for p in paths)
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not {n.split(".")[0] for n in names} & forbidden, f"{path} imports {names}"


# -- queue_log ----------------------------------------------------------------------------

def test_queue_log_lines_have_the_documented_fields_and_are_time_ordered(small_log):
    assert small_log
    for e in small_log:
        assert e["event"] in DATA_FIELDS, e
        assert e["fields"] == 5 + DATA_FIELDS[e["event"]], e
        assert e["file"] == f"queue_log-{utc_label(e['epoch'])}"
        if e["event"] in ("JOINEMPTY", "FULL"):
            assert e["data"] == ["", "", ""]
    epochs = [e["epoch"] for e in small_log]
    assert epochs == sorted(epochs)
    seen = {e["event"] for e in small_log}
    assert {"ENTERQUEUE", "CONNECT", "ABANDON", "RINGNOANSWER", "BLINDTRANSFER", "PAUSE"} <= seen


def test_every_visit_is_consistent_with_itself_and_its_cdr_row(small, small_visits):
    cdr = {(r["uniqueid"], r["lastdata"].split(",")[0], cdr_epoch(r["start"])): r
           for r in read_cdr(small.out_dir)}
    assert len(cdr) == len(small_visits) == small.entries
    answered = 0
    for visit in small_visits:
        first, last = visit["events"][0], visit["events"][-1]
        row = cdr[(visit["callid"], visit["queue"], visit["start"])]
        assert cdr_epoch(row["end"]) == last["epoch"]
        assert int(row["duration"]) == last["epoch"] - first["epoch"]
        connects = [e for e in visit["events"] if e["event"] == "CONNECT"]
        assert len(connects) <= 1
        if first["event"] != "ENTERQUEUE":
            assert len(visit["events"]) == 1 and row["disposition"] == "NO ANSWER"
            continue
        origposition = int(first["data"][2])
        if connects:
            answered += 1
            connect = connects[0]
            timing = last["data"][2:4] if "TRANSFER" in last["event"] else last["data"][0:2]
            holdtime, calltime = int(timing[0]), int(timing[1])
            assert last["event"] in ("COMPLETEAGENT", "COMPLETECALLER", "BLINDTRANSFER", "ATTENDEDTRANSFER")
            assert int(connect["data"][0]) == connect["epoch"] - first["epoch"] == holdtime
            assert calltime == last["epoch"] - connect["epoch"] == int(row["billsec"])
            assert int(last["data"][-1]) == origposition
            assert connect["agent"] == last["agent"] and row["dstchannel"].startswith(connect["agent"] + "-")
            assert row["disposition"] == "ANSWERED" and cdr_epoch(row["answer"]) == connect["epoch"]
        else:
            assert last["event"] in ("ABANDON", "EXITWITHTIMEOUT", "EXITWITHKEY", "EXITEMPTY")
            position, orig, wait = (int(x) for x in last["data"][-3:])
            assert wait == last["epoch"] - first["epoch"] and orig == origposition and 1 <= position <= orig
            assert row["disposition"] == "NO ANSWER" and row["answer"] == "" and row["billsec"] == "0"
    assert answered > 0


def test_ring_no_answer_lets_another_agent_answer(small_visits):
    retried = [v for v in small_visits if any(e["event"] == "RINGNOANSWER" for e in v["events"])]
    assert retried
    for visit in retried:
        for e in visit["events"]:
            if e["event"] == "RINGNOANSWER":
                assert e["data"] == [str(int(e["data"][0]))] and int(e["data"][0]) % 1000 == 0
        connect = [e for e in visit["events"] if e["event"] == "CONNECT"]
        if connect:
            missed = {e["agent"] for e in visit["events"] if e["event"] == "RINGNOANSWER"}
            assert connect[0]["agent"] not in missed


def test_blind_transfer_reenters_the_same_callid_in_the_target_queue(small, small_log):
    extension = {q.extension: q.name for q in SMALL.queues}
    transfers = [e for e in small_log if e["event"] == "BLINDTRANSFER"]
    assert transfers
    starts = {(e["callid"], e["queue"], e["epoch"]) for e in small_log if e["event"] in START_EVENTS}
    for t in transfers:
        target = extension[t["data"][0]]
        assert target != t["queue"] and (t["callid"], target, t["epoch"]) in starts


def test_phone_numbers_come_from_fiction_ranges_and_some_callers_call_again(small_log):
    fiction = re.compile(r"^(\+1[2-9]\d{2}55501\d{2}|\+442079460\d{3}|anonymous)$")
    callers = [e["data"][1] for e in small_log if e["event"] == "ENTERQUEUE"]
    assert callers and all(fiction.match(c) for c in callers)
    first_calls = Counter(e["data"][1] for e in small_log
                          if e["event"] == "ENTERQUEUE" and e["callid"].startswith(f"{e['epoch']}."))
    assert max(first_calls.values()) >= 2


# -- CDR and agent feed -------------------------------------------------------------------

def test_cdr_rows_have_18_quoted_fields_and_are_filed_by_end_date(small):
    for path in (small.out_dir / "telephony" / "cdr").iterdir():
        for line in path.read_text(encoding="utf-8").splitlines():
            assert re.fullmatch(r'"[^"]*"(,"[^"]*"){17}', line), line
    for row in read_cdr(small.out_dir):
        assert row["width"] == 18 and row["lastapp"] == "Queue" and row["lastdata"].endswith(",t")
        assert row["file"] == f"Master-{utc_label(cdr_epoch(row['end']))}.csv"
        assert re.fullmatch(r"PJSIP/trunk-[0-9a-f]{8}", row["channel"])


def test_agent_feed_runs_from_login_to_logout_per_agent(small, small_log):
    by_agent = defaultdict(list)
    for row in read_feed(small.out_dir):
        assert row["state"] in FEED_STATES and row["started_at"].endswith("Z")
        assert row["file"] == f"agent_states-{utc_label(row['epoch'])}.csv"
        assert (row["reason"] != "") == (row["state"] == "BREAK")
        by_agent[row["agent_id"]].append(row)
    assert by_agent
    for agent, rows in by_agent.items():
        epochs = [r["epoch"] for r in rows]
        assert epochs == sorted(epochs)
        assert rows[0]["state"] == "LOGIN" and rows[-1]["state"] == "LOGOUT"
        for previous, row in itertools.pairwise(rows):
            if row["state"] == "LOGIN":
                assert previous["state"] == "LOGOUT"
            if previous["state"] == "LOGIN":
                assert row["state"] == "AVAILABLE" and row["epoch"] == previous["epoch"]
        logins = [e for e in small_log
                  if e["agent"] == f"PJSIP/{agent}" and e["event"] in ("AGENTLOGIN", "AGENTLOGOFF")]
        assert [e["event"] for e in logins] == ["AGENTLOGIN", "AGENTLOGOFF"] * (len(logins) // 2)
        assert [e["epoch"] for e in logins] == [r["epoch"] for r in rows if r["state"] in ("LOGIN", "LOGOUT")]
        for login, logoff in zip(logins[::2], logins[1::2], strict=True):
            assert logoff["data"] == [login["data"][0], str(logoff["epoch"] - login["epoch"])]


def test_hold_and_acw_in_the_truth_match_the_feed_attributed_to_the_latest_contact(small, small_log):
    connects = defaultdict(list)   # agent -> [(connect epoch, callid, queue)]
    for e in small_log:
        if e["event"] == "CONNECT":
            connects[e["agent"].split("/")[-1]].append((e["epoch"], e["callid"], e["queue"]))
    attributed: dict[tuple, Counter] = defaultdict(Counter)
    by_agent = defaultdict(list)
    for row in read_feed(small.out_dir):
        by_agent[row["agent_id"]].append(row)
    for agent, rows in by_agent.items():
        for row, following in itertools.pairwise(rows):
            if row["state"] in ("HOLD", "ACW"):
                contact = max(c for c in connects[agent] if c[0] <= row["epoch"])
                attributed[contact][row["state"]] += following["epoch"] - row["epoch"]
    checked = 0
    for entry in read_truth(small, "queue_entries.csv"):
        if entry["outcome"] != "answered":
            continue
        entered = int(datetime.fromisoformat(entry["entered_at"].replace("Z", "+00:00")).timestamp())
        key = (entered + int(entry["wait_seconds"]), entry["callid"], entry["queue_name"])
        assert attributed[key]["HOLD"] == int(entry["hold_seconds"])
        assert attributed[key]["ACW"] == int(entry["acw_seconds"]) >= 1
        assert int(entry["talk_seconds"]) == int(entry["connected_seconds"]) - int(entry["hold_seconds"])
        checked += 1
    assert checked > 0 and any(a["HOLD"] for a in attributed.values())


# -- ground truth --------------------------------------------------------------------------

KPI_INT_COLUMNS = ("offered", "answered", "abandoned", "short_abandoned", "abandoned_within_sl",
                   "answered_within_sl", "timed_out", "exited_with_key", "exited_empty", "blocked",
                   "blocked_empty", "blocked_full", "blocked_closed", "blocked_diverted", "transferred",
                   "handled", "answered_wait_seconds", "abandoned_wait_seconds", "talk_seconds",
                   "hold_seconds", "acw_seconds")


def _entry_counts(entry: dict, cfg: SimulationConfig) -> Counter:
    wait = int(entry["wait_seconds"])
    outcome = entry["outcome"]
    answered, abandoned = outcome == "answered", outcome == "abandoned"
    handled = entry["is_handled"] == "true"
    return Counter({
        "offered": 1, "answered": answered, "abandoned": abandoned,
        "short_abandoned": abandoned and wait < cfg.short_abandon_seconds,
        "abandoned_within_sl": abandoned and wait <= cfg.service_level_seconds,
        "answered_within_sl": answered and wait <= cfg.service_level_seconds,
        "timed_out": outcome == "timed_out", "exited_with_key": outcome == "exited_with_key",
        "exited_empty": outcome == "exited_empty" or entry["blocked_reason"] == "empty",
        "blocked": outcome == "blocked", "blocked_empty": entry["blocked_reason"] == "empty",
        "blocked_full": entry["blocked_reason"] == "full",
        "transferred": entry["is_transferred"] == "true", "handled": handled,
        "answered_wait_seconds": wait if answered else 0, "abandoned_wait_seconds": wait if abandoned else 0,
        "talk_seconds": int(entry["talk_seconds"]) if handled else 0,
        "hold_seconds": int(entry["hold_seconds"]) if handled else 0,
        "acw_seconds": int(entry["acw_seconds"]) if handled else 0,
    })


def test_truth_daily_equals_the_sum_of_its_intervals_and_of_its_entries(small):
    daily = {(r["queue_name"], r["report_date"]): r for r in read_truth(small, "queue_daily.csv")}
    from_intervals: dict[tuple, Counter] = defaultdict(Counter)
    max_wait: dict[tuple, int] = defaultdict(int)
    for row in read_truth(small, "queue_interval.csv"):
        key = (row["queue_name"], row["report_date"])
        from_intervals[key].update({c: int(row[c]) for c in KPI_INT_COLUMNS})
        max_wait[key] = max(max_wait[key], int(row["max_wait_seconds"]))
    from_entries: dict[tuple, Counter] = defaultdict(Counter)
    for entry in read_truth(small, "queue_entries.csv"):
        from_entries[(entry["queue_name"], entry["report_date"])].update(_entry_counts(entry, SMALL))
    assert daily.keys() == from_intervals.keys() == from_entries.keys()
    for key, row in daily.items():
        for column in KPI_INT_COLUMNS:
            assert int(row[column]) == from_intervals[key][column] == from_entries[key][column], (key, column)
        assert int(row["max_wait_seconds"]) == max_wait[key]
        assert int(row["offered"]) > 0 and row["blocked_closed"] == row["blocked_diverted"] == "0"
    assert sum(int(r["offered"]) for r in daily.values()) == small.entries


def test_truth_counts_match_an_independent_reading_of_the_queue_log(small, small_visits):
    counted: dict[tuple, Counter] = defaultdict(Counter)
    for visit in small_visits:
        day = datetime.fromtimestamp(visit["start"], BERLIN).date().isoformat()
        events = {e["event"] for e in visit["events"]}
        c = counted[(visit["queue"], day)]
        c["offered"] += 1
        c["blocked"] += bool(events & {"JOINEMPTY", "FULL"})
        c["abandoned"] += "ABANDON" in events
        c["transferred"] += bool(events & {"BLINDTRANSFER", "ATTENDEDTRANSFER"})
        if "CONNECT" in events:
            c["answered"] += 1
            wait = int(next(e for e in visit["events"] if e["event"] == "CONNECT")["data"][0])
            c["answered_within_sl"] += wait <= SMALL.service_level_seconds
    daily = {(r["queue_name"], r["report_date"]): r for r in read_truth(small, "queue_daily.csv")}
    assert daily.keys() == counted.keys()
    for key, c in counted.items():
        for column, value in c.items():
            assert int(daily[key][column]) == value, (key, column)


def test_truth_entries_are_time_ordered_with_local_dates_and_intervals(small):
    entries = read_truth(small, "queue_entries.csv")
    assert len(entries) == small.entries and len({e["queue_entry_id"] for e in entries}) == len(entries)
    assert [e["entered_at"] for e in entries] == sorted(e["entered_at"] for e in entries)
    for entry in entries:
        local = datetime.fromisoformat(entry["entered_at"].replace("Z", "+00:00")).astimezone(BERLIN)
        assert entry["report_date"] == local.date().isoformat()
        assert entry["interval_start"] == local.strftime("%Y-%m-%d %H:") + f"{local.minute // 15 * 15:02d}:00"


def test_autumn_dst_day_has_25_local_hours_of_intervals(tmp_path):
    start, end = local_day_bounds(date(2026, 10, 25), BERLIN)
    assert end - start == 25 * 3600
    assert local_day_bounds(date(2026, 3, 29), BERLIN)[1] - local_day_bounds(date(2026, 3, 29), BERLIN)[0] == 23 * 3600
    first = interval_floor(start + 2 * 3600 + 600, BERLIN, 15)     # 02:10 CEST
    second = interval_floor(start + 3 * 3600 + 600, BERLIN, 15)    # 02:10 CET, one hour later
    assert first[0].strftime("%H:%M") == second[0].strftime("%H:%M") == "02:00"
    assert second[1] - first[1] == 3600

    result = simulate(SimulationConfig(start=date(2026, 10, 24), days=3, agents=40, calls_per_day=8000), tmp_path)
    rows = [r for r in read_truth(result, "queue_interval.csv") if r["report_date"] == "2026-10-25"]
    slots = set()
    for row in rows:
        instant = datetime.fromisoformat(row["interval_start_utc"].replace("Z", "+00:00"))
        assert start <= instant.timestamp() < end
        assert instant.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M:%S") == row["interval_start"]
        assert (row["queue_name"], row["interval_start_utc"]) not in slots
        slots.add((row["queue_name"], row["interval_start_utc"]))
    support = [r for r in rows if r["queue_name"] == "support"]
    twice = Counter(r["interval_start"] for r in support)
    assert any(n == 2 for n in twice.values()), "the repeated 02:xx hour should show up twice"
    assert len({r["interval_start_utc"] for r in support}) <= 100
    daily = [r for r in read_truth(result, "queue_daily.csv") if r["report_date"] == "2026-10-25"]
    assert sum(int(r["offered"]) for r in rows) == sum(int(r["offered"]) for r in daily) > 0


def test_understaffed_day_has_a_clearly_lower_service_level(tmp_path):
    cfg = SimulationConfig(start=date(2026, 10, 13), days=3, agents=20, calls_per_day=1200,
                           bad_days=(1,), bad_day_absence_rate=0.5, absence_rate=0.0)
    result = simulate(cfg, tmp_path)
    totals: dict[str, Counter] = defaultdict(Counter)
    for row in read_truth(result, "queue_daily.csv"):
        totals[row["report_date"]].update(
            {c: int(row[c]) for c in ("offered", "short_abandoned", "answered_within_sl")})
    level = {d: t["answered_within_sl"] / (t["offered"] - t["short_abandoned"]) for d, t in totals.items()}
    calendar = json.loads((result.truth_dir / "simulation.json").read_text())["calendar"]
    assert [d["bad_day"] for d in calendar] == [False, True, False]
    assert calendar[1]["absent_agents"] > calendar[0]["absent_agents"] == 0
    assert level["2026-10-14"] < min(level["2026-10-13"], level["2026-10-15"]) - 0.15


def test_last_member_logging_out_empties_the_queue_and_empty_queues_refuse_calls(tmp_path):
    # One agent and far too many calls: callers still wait when the agent logs off after the last call.
    result = simulate(SimulationConfig(days=1, agents=1, calls_per_day=1500), tmp_path)
    log = read_queue_log(tmp_path)
    exits = [e for e in log if e["event"] == "EXITEMPTY"]
    assert exits
    removed = {(e["epoch"], e["queue"]) for e in log if e["event"] == "REMOVEMEMBER"}
    assert all((e["epoch"], e["queue"]) in removed for e in exits)
    assert any(e["event"] == "JOINEMPTY" for e in log)
    daily = read_truth(result, "queue_daily.csv")
    assert sum(int(r["exited_empty"]) for r in daily) == sum(int(r["blocked_empty"]) for r in daily) + len(exits)


def test_erlang_c_reference_values():
    # ../shared/NOTES.md: 100 calls per 30 min, AHT 180 s, 80 % in 20 s -> 14 agents (SL 0.888).
    assert required_agents(100 / 1800, 180, 20) == 14
    assert erlang_c_service_level(14, 10.0, 180, 20) == pytest.approx(0.888, abs=0.001)
    assert erlang_c_service_level(13, 10.0, 180, 20) == pytest.approx(0.796, abs=0.001)
