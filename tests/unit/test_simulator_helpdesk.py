"""Unit tests of the simulated helpdesk: determinism, the Zendesk API it serves (pagination,
cursors, start_time, as-of incremental loads, rate limiting, auth) and its ground truth, checked
against the served data with deliberately simple, independent code."""

from __future__ import annotations

import base64
import csv
import dataclasses
import json
import shutil
import socket
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from simulator import SimulationConfig, simulate
from simulator.helpdesk import (
    DEFAULT_EMAIL,
    DEFAULT_TOKEN,
    HelpdeskData,
    render,
    serve_helpdesk,
    simulate_helpdesk,
    write_ticket_truth,
)
from simulator.helpdesk.business import BusinessClock, Holiday, Schedule, weekly_intervals

BERLIN = ZoneInfo("Europe/Berlin")
RAILS = {"Berlin": "Europe/Berlin", "Eastern Time (US & Canada)": "America/New_York"}
# Thursday to Wednesday: a weekend with the autumn DST change (Berlin, Oct 25), a holiday on
# Tuesday Oct 27 (both schedules), the agent deactivation on Sunday Oct 25 at 13:00.
CFG = SimulationConfig(start=date(2026, 10, 22), days=7, seed=11, agents=4, calls_per_day=40, tickets_per_day=120)
AUTH = (DEFAULT_EMAIL, DEFAULT_TOKEN)
UNRESOLVED = {"new", "open", "pending", "hold"}


# -- helpers --------------------------------------------------------------------------------

def data_as_of(data) -> int:
    """The latest audit served: where the truth stops a running SLA clock."""
    return max(event["timestamp"] for event in data.event_dicts(comments=False))


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def call(url: str, auth: tuple[str, str] | None = AUTH, raw_auth: str | None = None) -> tuple[int, dict, dict]:
    """GET a URL; (status, headers, JSON body), also for error answers."""
    request = urllib.request.Request(url)
    if auth is not None:
        raw_auth = f"{auth[0]}/token:{auth[1]}"
    if raw_auth is not None:
        request.add_header("Authorization", "Basic " + base64.b64encode(raw_auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def get(server, path: str) -> dict:
    status, _, body = call(server.base_url + path if path.startswith("/") else path)
    assert status == 200, (path, status, body)
    return body


def walk_cursor_export(server, path: str, key: str, start: str) -> tuple[list[dict], list[dict]]:
    """Follow a cursor export to end_of_stream: (items, pages)."""
    pages = [get(server, f"{path}?{start}")]
    while not pages[-1]["end_of_stream"]:
        assert pages[-1][key], "a page before the end must not be empty"
        pages.append(get(server, pages[-1]["after_url"]))
    return [item for page in pages for item in page[key]], pages


def set_fields(event: dict) -> list[tuple[str, str, str | None, str | None]]:
    """(event_type, field, value, previous_value) of an audit's Create / Change children, read from
    Zendesk's export shape: the field is the child's one key besides id, event_type, previous_value."""
    found = []
    for child in event["child_events"]:
        if child["event_type"] in ("Create", "Change"):
            (field,) = set(child) - {"id", "event_type", "previous_value"}
            found.append((child["event_type"], field, child[field], child.get("previous_value")))
    return found


def unique_ids(events: list[dict]) -> list[int]:
    """Event ids in the order first served (the export serves its boundary seconds twice)."""
    return list(dict.fromkeys(e["id"] for e in events))


def walk_time_export(server, start_time: int, per_page: int = 100) -> tuple[list[dict], list[dict]]:
    pages = [get(server, f"/api/v2/incremental/ticket_events.json?start_time={start_time}"
                          f"&include=comment_events&per_page={per_page}")]
    while not pages[-1]["end_of_stream"]:
        pages.append(get(server, pages[-1]["next_page"]))
    return [e for page in pages for e in page["ticket_events"]], pages


def walk_cursor_pages(server, path: str, key: str) -> list[dict]:
    body = get(server, path)
    items = list(body[key])
    while body["meta"]["has_more"]:
        body = get(server, body["links"]["next"])
        items.extend(body[key])
    assert body["links"]["next"] is None
    return items


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def business_seconds(start: int, end: int, schedule: dict, holidays: list[dict]) -> int:
    """Open seconds in [start, end): the schedule's weekly minutes on each local date, no holidays."""
    tz = ZoneInfo(RAILS.get(schedule["time_zone"], schedule["time_zone"]))
    closed = set()
    for h in holidays:
        day = date.fromisoformat(h["start_date"])
        while day <= date.fromisoformat(h["end_date"]):
            closed.add(day)
            day += timedelta(days=1)
    total = 0
    day = datetime.fromtimestamp(start, tz).date() - timedelta(days=1)
    while day <= datetime.fromtimestamp(end, tz).date() + timedelta(days=1):
        if day not in closed:
            sunday_minute = (day.isoweekday() % 7) * 1440
            for interval in schedule["intervals"]:
                lo, hi = interval["start_time"] - sunday_minute, interval["end_time"] - sunday_minute
                if 0 <= lo < 1440:
                    opens = datetime(day.year, day.month, day.day, lo // 60, lo % 60, tzinfo=tz).timestamp()
                    closes = datetime(day.year, day.month, day.day, hi // 60, hi % 60, tzinfo=tz).timestamp()
                    total += max(0, min(end, closes) - max(start, opens))
        day += timedelta(days=1)
    return int(total)


# -- fixtures ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return simulate(CFG, tmp_path_factory.mktemp("helpdesk"))


@pytest.fixture(scope="module")
def data(run) -> HelpdeskData:
    return HelpdeskData.load(run.out_dir / "helpdesk")


@pytest.fixture(scope="module")
def server(data):
    with serve_helpdesk(data) as started:
        yield started


@pytest.fixture(scope="module")
def tickets_truth(run) -> list[dict]:
    return read_csv(run.truth_dir / "tickets.csv")


@pytest.fixture(scope="module")
def daily_truth(run) -> list[dict]:
    return read_csv(run.truth_dir / "ticket_daily.csv")


@pytest.fixture(scope="module")
def audits(data) -> list[dict]:
    """Every ticket event as served with include=comment_events."""
    return data.event_dicts()


@pytest.fixture(scope="module")
def events_by_ticket(audits) -> dict[int, list[dict]]:
    grouped = defaultdict(list)
    for event in audits:
        grouped[event["ticket_id"]].append(event)
    return grouped


@pytest.fixture(scope="module")
def agent_ids(data) -> set[int]:
    return {u["id"] for u in data.users if u["role"] in ("agent", "admin")}


# -- determinism, files, independence ---------------------------------------------------------

def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_the_same_helpdesk_and_another_seed_does_not(run, tmp_path):
    again = simulate_helpdesk(CFG)
    render(again).save(tmp_path / "helpdesk")
    write_ticket_truth(again, tmp_path / "ground_truth")
    saved = _tree(tmp_path)
    assert saved == {name: content for name, content in _tree(run.out_dir).items()
                     if name.startswith("helpdesk/") or name.startswith("ground_truth/ticket")}
    other = render(simulate_helpdesk(dataclasses.replace(CFG, seed=12)))
    assert "".join(e.text + "\n" for e in other.ticket_events) != saved["helpdesk/ticket_events.jsonl"].decode()


def test_voice_files_do_not_depend_on_the_helpdesk(run, tmp_path):
    voice_only = simulate(dataclasses.replace(CFG, helpdesk=False), tmp_path / "off")
    busier = simulate(dataclasses.replace(CFG, tickets_per_day=200, helpdesk_second_timezone="Asia/Tokyo"),
                      tmp_path / "busier")
    voice = {name: content for name, content in _tree(run.out_dir).items()
             if name.startswith("telephony/") or name.startswith("ground_truth/queue_")}
    assert voice and voice.items() <= _tree(voice_only.out_dir).items()
    assert voice.items() <= _tree(busier.out_dir).items()
    assert not (tmp_path / "off" / "helpdesk").exists() and voice_only.helpdesk_dir is None
    assert not (tmp_path / "off" / "ground_truth" / "tickets.csv").exists()
    assert busier.tickets > run.tickets > 0


def test_result_lists_the_helpdesk_files_and_clean_removes_them(run, tmp_path):
    assert run.helpdesk_dir == run.out_dir / "helpdesk"
    assert sorted(run.files) == sorted(p for p in run.out_dir.rglob("*") if p.is_file())
    summary = json.loads((run.truth_dir / "simulation.json").read_text())["summary"]["helpdesk"]
    assert summary["tickets"] == run.tickets == len(json.loads((run.helpdesk_dir / "tickets.json").read_text()))
    simulate(CFG, tmp_path)
    result = simulate(dataclasses.replace(CFG, helpdesk=False), tmp_path, clean=True)
    assert not any((tmp_path / "helpdesk").iterdir())
    assert {p for p in tmp_path.rglob("*") if p.is_file()} == set(result.files)


def test_invalid_helpdesk_settings_are_refused():
    with pytest.raises(ValueError, match="tickets_per_day"):
        SimulationConfig(tickets_per_day=-1)
    with pytest.raises(ValueError, match="helpdesk_second_timezone"):
        SimulationConfig(helpdesk_second_timezone="Mars/Olympus")


# -- what is simulated -------------------------------------------------------------------------

def test_channels_statuses_and_actions_all_occur(data, events_by_ticket, agent_ids, audits):
    channels = Counter(t["via"]["channel"] for t in data.tickets)
    assert set(channels) == {"email", "web", "chat", "native_messaging", "twitter", "facebook"}
    changes = [(field, value, previous) for e in audits for kind, field, value, previous in set_fields(e)]
    statuses = {value for field, value, _ in changes if field == "status"}
    assert statuses == {"new", "open", "pending", "hold", "solved", "closed", "deleted"}
    group_moves = [c for c in changes if c[0] == "group_id" and c[2] is not None]
    agent_moves = [c for c in changes if c[0] == "assignee_id" and c[2] is not None and c[1] is not None]
    assert group_moves and agent_moves
    comments = [c for e in audits for c in e["child_events"] if c["event_type"] == "Comment"]
    assert any(not c["public"] for c in comments) and any(c["author_id"] in agent_ids and c["public"] for c in comments)
    outbound = [t for t in data.tickets if t["submitter_id"] in agent_ids]
    assert outbound
    for ticket in outbound:
        create = events_by_ticket[ticket["id"]][0]
        assert {kind for kind, *_ in set_fields(create)} == {"Create"}
        authors = [c["author_id"] for c in create["child_events"] if c["event_type"] == "Comment"]
        assert authors == [ticket["submitter_id"]]
    reopened = [t for t, events in events_by_ticket.items()
                if sum(value == "solved" for e in events for _, _, value, _ in set_fields(e)) > 1]
    assert reopened
    scores = Counter(r["score"] for r in data.satisfaction_ratings)
    assert scores["good"] and scores["bad"] and scores["offered"]


def test_closed_tickets_never_change_and_close_four_days_after_solving(events_by_ticket):
    closed = 0
    for events in events_by_ticket.values():
        statuses = [(e["timestamp"], value) for e in events for _, field, value, _ in set_fields(e)
                    if field == "status"]
        if statuses[-1][1] == "closed":
            closed += 1
            assert events[-1]["updater_id"] == -1 and events[-1]["via"] == "Rule"
            assert statuses[-2][1] == "solved" and 4 * 86400 <= statuses[-1][0] - statuses[-2][0] < 4 * 86400 + 3600
        assert "closed" not in [s for _, s in statuses[:-1]]
    assert closed > 0


def test_deactivated_agent_is_downgraded_keeps_history_and_hands_over_open_tickets(data, events_by_ticket, audits,
                                                                                   run):
    # Zendesk downgrades a deactivated agent: a new version, role end-user and inactive
    versions = [u for u in data.users if not u["active"]]
    assert len(versions) == 1 and versions[0]["role"] == "end-user"
    leaver = versions[0]["id"]
    gone = epoch(versions[0]["updated_at"])
    assert [(u["role"], u["active"]) for u in data.users if u["id"] == leaver] == [("agent", True), ("end-user", False)]
    # the users export serves the latest version only: the warehouse sees an end user
    assert [u["role"] for _, user_id, u in data.view().users if user_id == leaver] == ["end-user"]
    assert [u["role"] for _, user_id, u in data.view(gone - 1).users if user_id == leaver] == ["agent"]
    # the ground truth still counts that person as an agent
    agents = json.loads((run.truth_dir / "simulation.json").read_text())["helpdesk"]["agents"]
    assert [(a["role"], a["deactivated_at"]) for a in agents if a["user_id"] == leaver] == \
           [("agent", versions[0]["updated_at"])]
    acted = [e["timestamp"] for e in audits if e["updater_id"] == leaver]
    assert acted and max(acted) < gone
    for ticket in data.tickets:
        if ticket["assignee_id"] == leaver:
            assert ticket["status"] not in UNRESOLVED
    handed = [e for events in events_by_ticket.values() for e in events
              if e["timestamp"] == gone and any(previous == str(leaver) for *_, previous in set_fields(e))]
    assert handed


def test_chat_only_while_the_schedule_is_open_and_agents_reply_mostly_in_business_hours(data, agent_ids, audits):
    schedules = {s["name"]: s for s in data.schedules}
    group_schedule = {g["id"]: schedules["North America hours" if g["name"] == "North America" else "Support hours"]
                      for g in data.groups}
    holidays = {str(s["id"]): data.holidays[str(s["id"])] for s in data.schedules}
    ticket_group = {t["id"]: t["group_id"] for t in data.tickets}

    def is_open(at: int, ticket_id: int) -> bool:
        schedule = group_schedule[ticket_group[ticket_id]]
        return business_seconds(at, at + 1, schedule, holidays[str(schedule["id"])]) == 1

    for ticket in data.tickets:
        if ticket["via"]["channel"] == "chat":
            assert is_open(epoch(ticket["created_at"]), ticket["id"])
    replies = [(e["timestamp"], e["ticket_id"]) for e in audits for c in e["child_events"]
               if c["event_type"] == "Comment" and c["public"] and c["author_id"] in agent_ids
               and not any(kind == "Create" for kind, *_ in set_fields(e))]
    inside = sum(is_open(at, ticket) for at, ticket in replies)
    assert 0.8 < inside / len(replies) < 1.0


# -- the API: pagination, start_time, resumption --------------------------------------------------

def test_every_endpoint_walks_to_the_end_with_each_item_once(server, data, audits):
    tickets, pages = walk_cursor_export(server, "/api/v2/incremental/tickets/cursor.json", "tickets",
                                        "start_time=0&per_page=50")
    assert len(pages) > 3 and all(len(p["tickets"]) == 50 for p in pages[:-1])
    assert [t["id"] for t in tickets] == [t["id"] for t in
                                          sorted(data.tickets, key=lambda t: (t["generated_timestamp"], t["id"]))]
    assert {t["id"]: t for t in tickets} == {t["id"]: {"url": f"{server.base_url}/api/v2/tickets/{t['id']}.json", **t}
                                             for t in data.tickets}
    users, _ = walk_cursor_export(server, "/api/v2/incremental/users/cursor.json", "users", "start_time=0&per_page=70")
    assert len(users) == len({u["id"] for u in users}) == len({u["id"] for u in data.users})
    events, pages = walk_time_export(server, 0, per_page=100)
    assert unique_ids(events) == [e["id"] for e in audits]
    repeated = 0
    for page, following in zip(pages, pages[1:], strict=False):
        served, later = page["ticket_events"], following["ticket_events"]
        assert len(served) <= 100 and page["count"] == len(served)
        assert f"start_time={page['end_time']}&" in page["next_page"]
        assert all(e["timestamp"] >= page["end_time"] for e in later)
        if served[0]["timestamp"] == served[-1]["timestamp"]:     # one whole second: the next page moves on
            assert page["end_time"] == served[-1]["timestamp"] + 1
        else:                                                     # as Zendesk: the last second is served again
            assert page["end_time"] == served[-1]["timestamp"]
            again = [e["id"] for e in served if e["timestamp"] == page["end_time"]]
            assert [e["id"] for e in later[:len(again)]] == again
            repeated += len(again)
    assert repeated == len(events) - len(audits) > 0
    assert pages[-1]["end_of_stream"] and pages[-1]["end_time"] == audits[-1]["timestamp"]
    groups = walk_cursor_pages(server, "/api/v2/groups.json?page[size]=3", "groups")
    assert [g["id"] for g in groups] == [g["id"] for g in data.groups] and len(groups) == 4
    ratings = walk_cursor_pages(server, "/api/v2/satisfaction_ratings.json?page[size]=7", "satisfaction_ratings")
    assert [r["id"] for r in ratings] == sorted({r["id"] for r in data.satisfaction_ratings})
    assert len(get(server, "/api/v2/slas/policies.json")["sla_policies"]) == 3
    schedules = get(server, "/api/v2/business_hours/schedules.json")["schedules"]
    assert len(schedules) == 2 and {s["time_zone"] for s in schedules} == set(RAILS)
    holidays = [get(server, f"/api/v2/business_hours/schedules/{s['id']}/holidays.json")["holidays"] for s in schedules]
    assert [len(h) for h in holidays] == [2, 1]
    assert call(server.base_url + "/api/v2/business_hours/schedules/1/holidays.json")[0] == 404
    assert call(server.base_url + "/api/v2/tickets.json")[0] == 404


def test_a_page_never_splits_one_second_of_events(data, audits):
    # Pages of one event: every page holds exactly the events of one second (all of them when they
    # are more than a page), and the next page moves on to the next second (no page served twice).
    seconds = Counter(e["timestamp"] for e in audits)
    crowded = min(second for second, count in seconds.items() if count > 1)
    with serve_helpdesk(data, export_page_size=1) as small:
        body = get(small, f"/api/v2/incremental/ticket_events.json?start_time={crowded - 1}")
        served = []
        for _ in range(60):
            stamps = {e["timestamp"] for e in body["ticket_events"]}
            assert len(stamps) == 1 and len(body["ticket_events"]) == seconds[stamps.pop()]
            served.append(body["ticket_events"][0]["timestamp"])
            body = get(small, body["next_page"])
        assert served == [second for second in sorted(seconds) if second >= crowded][:60]


def test_comments_come_only_with_include_comment_events(server):
    with_comments = get(server, "/api/v2/incremental/ticket_events.json?start_time=0&include=comment_events")
    without = get(server, "/api/v2/incremental/ticket_events.json?start_time=0")
    kinds = {c["event_type"] for e in with_comments["ticket_events"] for c in e["child_events"]}
    assert "Comment" in kinds and "Change" in kinds
    assert not any(c["event_type"] == "Comment" for e in without["ticket_events"] for c in e["child_events"])
    assert [e["id"] for e in without["ticket_events"]] == [e["id"] for e in with_comments["ticket_events"]]


def test_start_time_keeps_items_updated_at_or_after_it(server, data, audits):
    middle = audits[len(audits) // 2]["timestamp"]
    tickets, _ = walk_cursor_export(server, "/api/v2/incremental/tickets/cursor.json", "tickets",
                                    f"start_time={middle}")
    assert {t["id"] for t in tickets} == {t["id"] for t in data.tickets if t["generated_timestamp"] >= middle}
    events, _ = walk_time_export(server, middle)
    assert unique_ids(events) == [e["id"] for e in audits if e["timestamp"] >= middle]
    users, _ = walk_cursor_export(server, "/api/v2/incremental/users/cursor.json", "users", f"start_time={middle}")
    assert users and all(epoch(u["updated_at"]) >= middle for u in users)
    ratings = walk_cursor_pages(server, f"/api/v2/satisfaction_ratings.json?start_time={middle}",
                                "satisfaction_ratings")
    assert ratings and all(epoch(r["updated_at"]) >= middle for r in ratings)
    assert len(ratings) < len({r["id"] for r in data.satisfaction_ratings})
    assert call(server.base_url + "/api/v2/incremental/tickets/cursor.json")[0] == 400
    assert call(server.base_url + "/api/v2/incremental/ticket_events.json?start_time=soon")[0] == 400
    assert call(server.base_url + "/api/v2/incremental/tickets/cursor.json?cursor=bad!")[0] == 400


def test_exports_resume_from_the_saved_cursor_and_end_time_as_of_a_later_moment(data, audits):
    first_moment = epoch("2026-10-24T10:00:00Z")
    latest = {t["id"]: t for t in data.tickets}
    with serve_helpdesk(data, as_of=first_moment) as server:
        old_tickets, pages = walk_cursor_export(server, "/api/v2/incremental/tickets/cursor.json", "tickets",
                                                "start_time=0&per_page=100")
        cursor = pages[-1]["after_cursor"]
        old_users, user_pages = walk_cursor_export(server, "/api/v2/incremental/users/cursor.json", "users",
                                                   "start_time=0")
        old_events, event_pages = walk_time_export(server, 0)
        end_time = event_pages[-1]["end_time"]
        assert all(epoch(t["updated_at"]) <= first_moment for t in old_tickets)
        assert all(e["timestamp"] <= first_moment for e in old_events)
        assert all(u["active"] for u in old_users if u["role"] == "agent")
        changed_later = [t for t in old_tickets if t["updated_at"] != latest[t["id"]]["updated_at"]]
        assert changed_later and any(t["status"] != latest[t["id"]]["status"] for t in changed_later)
        server.as_of = None                                           # the end of the period
        new_tickets, _ = walk_cursor_export(server, "/api/v2/incremental/tickets/cursor.json", "tickets",
                                            f"cursor={cursor}&per_page=100")
        new_users, _ = walk_cursor_export(server, "/api/v2/incremental/users/cursor.json", "users",
                                          f"cursor={user_pages[-1]['after_cursor']}")
        new_events, _ = walk_time_export(server, end_time)
    assert {t["id"] for t in new_tickets} == {t["id"] for t in data.tickets if t["generated_timestamp"] > first_moment}
    merged = {t["id"]: t for t in old_tickets + new_tickets}
    assert {i: (t["status"], t["updated_at"], t["assignee_id"]) for i, t in merged.items()} == \
           {i: (t["status"], t["updated_at"], t["assignee_id"]) for i, t in latest.items()}
    # the second run starts at the first one's end_time, the second of its last event: served again
    assert end_time == old_events[-1]["timestamp"]
    boundary = {e["id"] for e in old_events if e["timestamp"] == end_time}
    assert {e["id"] for e in old_events} & {e["id"] for e in new_events} == boundary
    assert unique_ids(old_events + new_events) == [e["id"] for e in audits]
    assert any(u["role"] == "end-user" and not u["active"] and u["default_group_id"] is None for u in new_users)


def test_as_of_replays_each_ticket_to_the_state_it_had(data, events_by_ticket):
    moment = epoch("2026-10-26T12:00:00Z")
    view = data.view(moment)
    for _, ticket_id, ticket in view.tickets:
        status = None
        for event in events_by_ticket[ticket_id]:
            if event["timestamp"] > moment:
                break
            for _, field, value, _ in set_fields(event):
                if field == "status":
                    status = value
        assert ticket["status"] == status
    assert len(view.tickets) == sum(epoch(t["created_at"]) <= moment for t in data.tickets) < len(data.tickets)


# -- rate limits, auth, lifetime ------------------------------------------------------------------

def test_the_nth_request_is_rate_limited_with_retry_after(data):
    with serve_helpdesk(data, rate_limit_on=[2]) as server:
        path = server.base_url + "/api/v2/groups.json"
        first = call(path)
        second = call(path)
        third = call(path)
    assert first[0] == 200 and third[0] == 200 and third[2] == first[2]
    assert second[0] == 429 and second[1]["Retry-After"] == "1"
    assert [status for _, status in server.requests] == [200, 429, 200]


def test_basic_auth_accepts_only_configured_email_token_pairs(data):
    credentials = [("ops@example.com", "token-one"), ("bi@example.com", "token-two")]
    with serve_helpdesk(data, credentials=credentials) as server:
        url = server.base_url + "/api/v2/slas/policies.json"
        assert call(url, auth=("ops@example.com", "token-one"))[0] == 200
        assert call(url, auth=("bi@example.com", "token-two"))[0] == 200
        assert call(url, auth=("bi@example.com", "token-one"))[0] == 401
        assert call(url, auth=AUTH)[0] == 401
        assert call(url, auth=None, raw_auth="ops@example.com:token-one")[0] == 401    # no /token
        status, headers, body = call(url, auth=None)
    assert status == 401 and headers["WWW-Authenticate"].startswith("Basic") and body["error"]


def test_server_binds_to_localhost_and_always_stops(data):
    with pytest.raises(RuntimeError, match="boom"), serve_helpdesk(data, port=0) as server:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1" and port > 0 and server.base_url == f"http://127.0.0.1:{port}"
        assert call(server.base_url + "/api/v2/groups.json")[0] == 200
        raise RuntimeError("boom")
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_a_saved_folder_can_be_served(run, tmp_path):
    with serve_helpdesk(run.out_dir / "helpdesk") as server:
        assert len(get(server, "/api/v2/groups.json")["groups"]) == 4
    with pytest.raises(FileNotFoundError, match="helpdesk"):
        HelpdeskData.load(run.out_dir / "ground_truth")
    # a folder of format 1 (ticket events in another shape) is refused with what to do
    old = shutil.copytree(run.out_dir / "helpdesk", tmp_path / "old")
    account = json.loads((old / "account.json").read_text())
    (old / "account.json").write_text(json.dumps({**account, "format_version": 1}))
    with pytest.raises(ValueError, match=r"format_version 1 \(expected 2\).*simulate. again"):
        HelpdeskData.load(old)


# -- ground truth ---------------------------------------------------------------------------------

def test_daily_truth_adds_up_to_the_tickets(tickets_truth, daily_truth, data):
    assert len(tickets_truth) == len(data.tickets)
    # Deleted tickets (spam) count apart, never as created.
    deleted = [t for t in tickets_truth if t["status"] == "deleted"]
    assert deleted
    assert sum(int(r["deleted"]) for r in daily_truth) == len(deleted)
    assert sum(int(r["created"]) for r in daily_truth) == len(tickets_truth) - len(deleted)
    assert sum(int(r["solved"]) for r in daily_truth) == sum(r["first_solved_at"] != "" for r in tickets_truth)
    created = Counter((t["report_date"], t["channel"], t["created_group_id"])
                      for t in tickets_truth if t["status"] != "deleted")
    assert created == Counter({(r["report_date"], r["channel"], r["group_id"]): int(r["created"])
                               for r in daily_truth if int(r["created"])})
    for metric in ("first_reply", "first_resolution", "full_resolution"):
        values = [float(t[f"{metric}_minutes"]) for t in tickets_truth
                  if t[f"{metric}_minutes"] and t["status"] != "deleted"]
        assert sum(int(r[f"{metric}_count"]) for r in daily_truth) == len(values) > 0
        assert sum(float(r[f"{metric}_minutes_sum"]) for r in daily_truth) == pytest.approx(sum(values), abs=0.01)
    assert {r["report_date"] for r in daily_truth} == {(CFG.start + timedelta(days=i)).isoformat() for i in range(7)}


def test_truth_follows_the_served_events(tickets_truth, events_by_ticket, agent_ids):
    for row in tickets_truth:
        events = events_by_ticket[int(row["ticket_id"])]
        solves = [e["timestamp"] for e in events for _, field, value, _ in set_fields(e)
                  if field == "status" and value == "solved"]
        assert int(row["solves"]) == len(solves)
        assert row["reopens"] == (str(len(solves) - 1) if solves else "")
        replies = [e["timestamp"] for e in events[1:] for c in e["child_events"]
                   if c["event_type"] == "Comment" and c["public"] and c["author_id"] in agent_ids]
        assert int(row["public_agent_replies"]) == len(replies)
        outbound = row["is_outbound"] == "true"
        expected_reply = "" if outbound or not replies else \
            datetime.fromtimestamp(replies[0], ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert row["first_reply_at"] == expected_reply
        created = epoch(row["created_at"])
        if solves:
            assert float(row["first_resolution_minutes"]) == pytest.approx((solves[0] - created) / 60, abs=1e-4)
        if row["full_resolution_minutes"]:
            assert row["status"] in ("solved", "closed")
            assert float(row["full_resolution_minutes"]) == pytest.approx((solves[-1] - created) / 60, abs=1e-4)


def test_business_minutes_follow_the_group_schedule_and_holidays(tickets_truth, data):
    schedules = {str(s["id"]): s for s in data.schedules}
    checked = 0
    for row in tickets_truth:
        schedule = schedules[row["schedule_id"]]
        assert (schedule["name"] == "North America hours") == (row["group_name"] == "North America")
        created = epoch(row["created_at"])
        for metric, end in (("first_reply", row["first_reply_at"]), ("first_resolution", row["first_solved_at"])):
            if not end:
                assert row[f"{metric}_business_minutes"] == ""
                continue
            expected = business_seconds(created, epoch(end), schedule, data.holidays[row["schedule_id"]])
            assert float(row[f"{metric}_business_minutes"]) == pytest.approx(expected / 60, abs=1e-4)
            assert float(row[f"{metric}_business_minutes"]) <= float(row[f"{metric}_minutes"])
            checked += 1
    assert checked > 200
    replied = [r for r in tickets_truth if r["first_reply_minutes"]]
    calendar = sorted(float(r["first_reply_minutes"]) for r in replied)
    business = sorted(float(r["first_reply_business_minutes"]) for r in replied)
    assert business[len(business) // 2] < 0.7 * calendar[len(calendar) // 2]


def test_friday_evening_ticket_answered_monday_morning_counts_monday_hours_only(tickets_truth):
    found = 0
    for row in tickets_truth:
        if row["schedule_id"] != "380000000001" or not row["first_reply_at"]:
            continue
        created = datetime.fromisoformat(row["created_at"].replace("Z", "+00:00")).astimezone(BERLIN)
        replied = datetime.fromisoformat(row["first_reply_at"].replace("Z", "+00:00")).astimezone(BERLIN)
        if created.weekday() == 4 and created.hour >= 18 and replied.date() == date(2026, 10, 26) and replied.hour < 12:
            monday_open = datetime(2026, 10, 26, 8, tzinfo=BERLIN)
            assert float(row["first_reply_business_minutes"]) == pytest.approx(
                (replied - monday_open).total_seconds() / 60, abs=1e-4)
            assert float(row["first_reply_minutes"]) > 2 * 24 * 60 + 10 * 60      # the weekend, 25 hours on Sunday
            assert float(row["first_reply_business_minutes"]) < 240
            found += 1
    assert found >= 2


def test_holidays_are_not_business_time():
    berlin = Schedule(1, "Support hours", "Europe/Berlin", weekly_intervals(range(5), 480, 1080),
                      (Holiday(1, "Company day", date(2026, 10, 27), date(2026, 10, 27)),))
    clock = BusinessClock(berlin, date(2026, 10, 19), date(2026, 11, 10))
    monday_17 = int(datetime(2026, 10, 26, 17, tzinfo=BERLIN).timestamp())
    wednesday_9 = int(datetime(2026, 10, 28, 9, tzinfo=BERLIN).timestamp())
    assert clock.seconds_between(monday_17, wednesday_9) == 2 * 3600        # Tuesday is a holiday
    assert clock.after(monday_17, 3600 + 60) == wednesday_9 - 3600 + 60       # 08:01 on Wednesday
    # Across the DST change (Sunday Oct 25): Friday 17:00 -> Monday 09:00 is two open hours.
    friday_17 = int(datetime(2026, 10, 23, 17, tzinfo=BERLIN).timestamp())
    assert clock.seconds_between(friday_17, monday_17 - 8 * 3600) == 2 * 3600


def test_holiday_spans_in_the_data_exclude_the_holiday(tickets_truth, data):
    schedule = next(s for s in data.schedules if s["name"] == "Support hours")
    holiday = data.holidays[str(schedule["id"])][0]
    assert holiday["start_date"] == "2026-10-27"
    opens = int(datetime(2026, 10, 27, 8, tzinfo=BERLIN).timestamp())
    closes = int(datetime(2026, 10, 27, 18, tzinfo=BERLIN).timestamp())
    spanning = [r for r in tickets_truth if r["schedule_id"] == str(schedule["id"]) and r["first_solved_at"]
                and epoch(r["created_at"]) < opens and epoch(r["first_solved_at"]) > closes]
    assert spanning
    for row in spanning:
        with_holiday = business_seconds(epoch(row["created_at"]), epoch(row["first_solved_at"]), schedule, [])
        assert float(row["first_resolution_business_minutes"]) == pytest.approx((with_holiday - 36000) / 60, abs=1e-4)


def test_backlog_is_what_is_unresolved_at_the_end_of_each_local_day(daily_truth, data, events_by_ticket):
    backlog = Counter()
    for offset in range(CFG.days):
        day = CFG.start + timedelta(days=offset)
        after = day + timedelta(days=1)
        end = int(datetime(after.year, after.month, after.day, tzinfo=BERLIN).timestamp())   # local midnight
        for ticket in data.tickets:
            state = {}
            for event in events_by_ticket[ticket["id"]]:
                if event["timestamp"] >= end:
                    break
                for _, field, value, _ in set_fields(event):
                    state[field] = value
            if state and state["status"] in UNRESOLVED:
                backlog[(day.isoformat(), ticket["via"]["channel"], state["group_id"])] += 1
    assert backlog == Counter({(r["report_date"], r["channel"], r["group_id"]): int(r["backlog"])
                               for r in daily_truth if int(r["backlog"])})
    assert sum(backlog.values()) > 0


# -- SLA ground truth (ticket_sla.csv) ------------------------------------------------------------

SLA_WAITING = ("new", "open", "hold")


@pytest.fixture(scope="module")
def sla_truth(run) -> list[dict]:
    return read_csv(run.truth_dir / "ticket_sla.csv")


def _field_changes(event: dict) -> list[tuple[str, str | None]]:
    """(field, value) of an audit's Create / Change children, in either served shape
    ({"field_name": f, "value": v} or Zendesk's export shape {f: v, "previous_value": ...})."""
    meta = {"id", "event_type", "type", "previous_value", "via", "via_reference_id"}
    changes = []
    for child in event["child_events"]:
        if child["event_type"] in ("Create", "Change"):
            if "field_name" in child:
                changes.append((child["field_name"], child["value"]))
            else:
                changes.append(next((k, v) for k, v in child.items() if k not in meta))
    return changes


def _creation_priority(events: list[dict]) -> str | None:
    return next((value for name, value in _field_changes(events[0]) if name == "priority"), None)


def _status_changes(events: list[dict]) -> list[tuple[int, str]]:
    return [(e["timestamp"], value) for e in events for name, value in _field_changes(e) if name == "status"]


def test_sla_rows_take_the_first_matching_policy_and_its_target(sla_truth, data, events_by_ticket, agent_ids):
    policies = {p["title"]: p for p in data.sla_policies}
    assert [c["value"] for c in policies["Live channels"]["filter"]["any"]] == [29, 75]   # chat, native_messaging
    north_america = next(g["id"] for g in data.groups if g["name"] == "North America")
    tickets = {t["id"]: t for t in data.tickets}
    rows = defaultdict(list)
    for row in sla_truth:
        rows[int(row["ticket_id"])].append(row)
    assert [(int(r["ticket_id"]), r["metric"], int(r["instance"])) for r in sla_truth] == sorted(
        (int(r["ticket_id"]), r["metric"], int(r["instance"])) for r in sla_truth)
    for ticket_id, ticket in tickets.items():
        events = events_by_ticket[ticket_id]
        outbound = ticket["submitter_id"] in agent_ids
        mine = rows[ticket_id]
        metrics = Counter(r["metric"] for r in mine)
        if ticket["status"] == "deleted" or ticket["priority"] is None:
            assert not mine, ticket_id             # deleted, or never had a priority: no SLA at all
            continue
        if _creation_priority(events) is not None:
            assert metrics["requester_wait_time"] == 1
            assert metrics["first_reply_time"] == (0 if outbound else 1)
        assert metrics["first_reply_time"] <= (0 if outbound else 1)
        assert [int(r["instance"]) for r in mine if r["metric"] == "next_reply_time"] == \
               list(range(1, metrics["next_reply_time"] + 1))
        channel = ticket["via"]["channel"]
        title = ("Live channels" if channel in ("chat", "native_messaging")
                 else "North America" if ticket["group_id"] == north_america else "Standard")
        for row in mine:
            policy = policies[title]
            target = next(m for m in policy["policy_metrics"]
                          if m["priority"] == row["priority"] and m["metric"] == row["metric"])
            assert (row["policy_title"], row["policy_id"]) == (title, str(policy["id"]))
            assert int(row["target_minutes"]) == target["target"]
            assert row["business_hours"] == ("true" if target["business_hours"] else "false")
            if row["metric"] != "next_reply_time":
                assert row["priority"] == _creation_priority(events)
    chats = [r for r in sla_truth if tickets[int(r["ticket_id"])]["via"]["channel"] == "chat"]
    assert chats and all(r["policy_title"] == "Live channels" and r["business_hours"] == "false" for r in chats)
    for row in chats:                              # calendar time: the plain difference
        end = epoch(row["fulfilled_at"]) if row["fulfilled_at"] else data_as_of(data)
        if row["metric"] != "requester_wait_time":
            assert float(row["elapsed_minutes"]) == pytest.approx((end - epoch(row["started_at"])) / 60, abs=1e-4)
    assert {r["policy_title"] for r in sla_truth} == set(policies)


def test_first_reply_time_is_the_first_reply_truth(sla_truth, tickets_truth, data):
    truth = {r["ticket_id"]: r for r in tickets_truth}
    rows = [r for r in sla_truth if r["metric"] == "first_reply_time"]
    assert rows and any(not r["fulfilled_at"] for r in rows)
    for row in rows:
        ticket = truth[row["ticket_id"]]
        assert ticket["is_outbound"] == "false" and row["started_at"] == ticket["created_at"]
        assert row["fulfilled_at"] == ticket["first_reply_at"]
        if row["fulfilled_at"]:
            column = "first_reply_business_minutes" if row["business_hours"] == "true" else "first_reply_minutes"
            assert row["elapsed_minutes"] == ticket[column]
        elif row["business_hours"] == "false":
            assert float(row["elapsed_minutes"]) == pytest.approx((data_as_of(data) - epoch(ticket["created_at"])) / 60,
                                                                  abs=1e-4)


def test_next_reply_instances_start_at_end_user_comments_and_never_overlap(sla_truth, data, events_by_ticket,
                                                                           agent_ids):
    rows = defaultdict(list)
    for row in sla_truth:
        if row["metric"] == "next_reply_time":
            rows[int(row["ticket_id"])].append(row)
    checked = ignored = several = 0
    for ticket in data.tickets:
        events = events_by_ticket[ticket["id"]]
        found = [(epoch(r["started_at"]), epoch(r["fulfilled_at"]) if r["fulfilled_at"] else None)
                 for r in rows[ticket["id"]]]
        comments = [(e["timestamp"], c["author_id"] in agent_ids) for e in events for c in e["child_events"]
                    if c["event_type"] == "Comment" and c["public"]]
        user_comments = {at for at, by_agent in comments if not by_agent}
        for number, (start, end) in enumerate(found):
            assert start in user_comments
            assert any(at < start and by_agent for at, by_agent in comments)      # an agent spoke before
            if number + 1 < len(found):
                assert end is not None and end <= found[number + 1][0]          # never two at once
        if ticket["status"] == "deleted" or _creation_priority(events) is None:
            continue
        expected, running, agent_spoke = [], None, False
        for at, by_agent in comments:
            if by_agent:
                agent_spoke = True
                if running is not None:
                    expected.append((running, at))
                    running = None
            elif agent_spoke and running is None:
                running = at
            elif running is not None:
                ignored += 1                                                       # a chaser while waiting
        if running is not None:
            expected.append((running, None))
        assert found == expected, ticket["id"]
        checked += 1
        several += len(found) > 1
    assert checked > 500 and ignored > 0 and several > 20


def test_requester_wait_counts_new_open_and_hold_until_the_last_solve(sla_truth, data, events_by_ticket):
    schedules = {s["name"]: s for s in data.schedules}
    group_schedule = {g["id"]: schedules["North America hours" if g["name"] == "North America" else "Support hours"]
                      for g in data.groups}
    tickets = {t["id"]: t for t in data.tickets}
    as_of = data_as_of(data)
    rows = [r for r in sla_truth if r["metric"] == "requester_wait_time"]
    for row in rows:
        ticket = tickets[int(row["ticket_id"])]
        changes = _status_changes(events_by_ticket[ticket["id"]])
        solves = [at for at, status in changes if status == "solved"]
        if ticket["status"] in ("solved", "closed"):
            assert row["fulfilled_at"] and epoch(row["fulfilled_at"]) == solves[-1]
        else:
            assert row["fulfilled_at"] == ""
        until = epoch(row["fulfilled_at"]) if row["fulfilled_at"] else as_of
        schedule = group_schedule[ticket["group_id"]]
        expected = 0
        for (at, status), (following, _) in zip(changes, changes[1:] + [(as_of, None)], strict=True):
            if status in SLA_WAITING and at < until:
                end = min(following, until)
                expected += (business_seconds(at, end, schedule, data.holidays[str(schedule["id"])])
                             if row["business_hours"] == "true" else end - at)
        assert float(row["elapsed_minutes"]) == pytest.approx(expected / 60, abs=1e-4), row["ticket_id"]
        assert float(row["elapsed_minutes"]) <= (until - epoch(ticket["created_at"])) / 60 + 1e-4
    assert any(r["fulfilled_at"] for r in rows) and any(not r["fulfilled_at"] for r in rows)
    assert any(r["business_hours"] == "true" for r in rows) and any(r["business_hours"] == "false" for r in rows)


def test_sla_breach_follows_elapsed_and_target_and_adds_up_to_the_summary(sla_truth, run):
    for row in sla_truth:
        over = float(row["elapsed_minutes"]) > int(row["target_minutes"])
        if row["fulfilled_at"]:
            assert row["breached"] == ("true" if over else "false")
        else:
            assert row["breached"] == ("true" if over else "")                   # NULL: still running
    assert {r["breached"] for r in sla_truth} == {"true", "false", ""}
    summary = json.loads((run.truth_dir / "simulation.json").read_text())["summary"]["helpdesk"]["sla"]
    for metric in ("first_reply_time", "next_reply_time", "requester_wait_time"):
        mine = [r for r in sla_truth if r["metric"] == metric]
        assert summary[metric] == {"instances": len(mine), "running": sum(not r["fulfilled_at"] for r in mine),
                                   "breached": sum(r["breached"] == "true" for r in mine)}
