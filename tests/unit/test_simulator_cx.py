"""Unit tests of the simulator's customer-experience part (simulator/cx/): the CRM, IVR and survey
files follow docs/cx_sources.md, agree with the calls and tickets, and the ground truth agrees with
what the files say (re-derived here with deliberately simple, independent code)."""

from __future__ import annotations

import csv
import dataclasses
import json
import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from simulator import SimulationConfig, simulate
from simulator.cx.catalog import IVR_MENU, QUEUE_KEYS

phonenumbers = pytest.importorskip("phonenumbers")

BERLIN = ZoneInfo("Europe/Berlin")
CFG = SimulationConfig(start=date(2026, 10, 24), days=9, seed=5, agents=12, calls_per_day=600, tickets_per_day=150)
WINDOW = 7 * 86400
SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"

# Headers exactly as docs/cx_sources.md lists the columns.
SURVEY_HEADER = ["response_id", "survey_type", "scale", "score", "resolved", "contact_channel", "contact_ref",
                 "customer_ref", "respondent_phone", "respondent_email", "comment", "sent_at", "answered_at"]
CUSTOMER_HEADER = ["customer_id", "name", "phone", "email", "segment", "region", "created_at", "updated_at"]
CONTRACT_HEADER = ["contract_id", "customer_id", "product", "start_date", "end_date", "monthly_value", "currency",
                   "previous_contract_id", "status"]
ORDER_HEADER = ["order_id", "customer_id", "ordered_at", "amount", "currency"]
SESSION_HEADER = ["session_id", "kind", "started_at", "ended_at", "caller_phone", "customer_ref", "menu_path",
                  "outcome", "queue", "callid"]
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
MONEY = re.compile(r"^-?\d+\.\d\d$")


# -- readers (independent of the simulator's code) ----------------------------------------------

def epoch(text: str) -> int:
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def local_day(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, BERLIN).date().isoformat()


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_daily(folder: Path, prefix: str, header: list[str]) -> list[dict]:
    """Rows of every `<prefix>YYYYMMDD.csv`, each with the file's date; checks the header."""
    rows = []
    for path in sorted(folder.glob(f"{prefix}*.csv")):
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            assert next(reader) == header, path
            for values in reader:
                assert len(values) == len(header), (path, values)
                rows.append({**dict(zip(header, values, strict=True)), "_file_day": path.stem[-8:]})
    return rows


def e164(text: str) -> str:
    return phonenumbers.format_number(phonenumbers.parse(text, "US"), phonenumbers.PhoneNumberFormat.E164)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return simulate(CFG, tmp_path_factory.mktemp("cx"))


@pytest.fixture(scope="module")
def landing(run) -> Path:
    return run.out_dir


@pytest.fixture(scope="module")
def surveys(landing) -> dict[str, list[dict]]:
    return {tool: read_daily(landing / "surveys" / tool, "responses-", SURVEY_HEADER)
            for tool in ("pulse", "helpdesk_survey")}


@pytest.fixture(scope="module")
def sessions(landing) -> list[dict]:
    return read_daily(landing / "ivr", "ivr_sessions-", SESSION_HEADER)


@pytest.fixture(scope="module")
def crm(landing) -> dict[str, list[dict]]:
    label = (CFG.start + timedelta(days=CFG.days - 1)).strftime("%Y%m%d")
    return {
        "customers": read_daily(landing / "crm", f"customers-{label}", CUSTOMER_HEADER),
        "contracts": read_daily(landing / "crm", f"contracts-{label}", CONTRACT_HEADER),
        "orders": read_daily(landing / "crm", "orders-", ORDER_HEADER),
    }


@pytest.fixture(scope="module")
def first_entries(landing) -> dict[str, dict]:
    """callid -> its first queue entry (ENTERQUEUE, JOINEMPTY or FULL) from the queue_log."""
    first: dict[str, dict] = {}
    for path in sorted((landing / "telephony" / "queue_log").iterdir()):
        for line in path.read_text(encoding="utf-8").splitlines():
            fields = line.split("|")
            if fields[4] in ("ENTERQUEUE", "JOINEMPTY", "FULL") and fields[1] not in first:
                first[fields[1]] = {"epoch": int(fields[0]), "queue": fields[2], "event": fields[4]}
    return first


@pytest.fixture(scope="module")
def callers(landing) -> dict[str, str]:
    """callid -> caller number (CDR src; the same as ENTERQUEUE's callerid)."""
    found = {}
    for path in sorted((landing / "telephony" / "cdr").iterdir()):
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                found.setdefault(row[16], row[1])
    return found


@pytest.fixture(scope="module")
def contacts(run) -> list[dict]:
    return read_csv(run.truth_dir / "contacts.csv")


@pytest.fixture(scope="module")
def helpdesk(landing) -> dict:
    tickets = json.loads((landing / "helpdesk" / "tickets.json").read_text())
    users: dict[int, dict] = {}
    for user in json.loads((landing / "helpdesk" / "users.json").read_text()):   # in updated_at order
        users[user["id"]] = user
    return {"tickets": {t["id"]: t for t in tickets}, "users": users}


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


CX_PREFIXES = ("crm/", "ivr/", "surveys/", "ground_truth/contacts.csv", "ground_truth/cx_daily.csv",
               "ground_truth/customer_")


# -- determinism and independence ----------------------------------------------------------------

def test_same_config_gives_the_same_bytes_and_another_seed_does_not(run, tmp_path):
    again = simulate(CFG, tmp_path / "again")
    assert _tree(again.out_dir) == _tree(run.out_dir)
    other = simulate(dataclasses.replace(CFG, seed=6), tmp_path / "other")
    assert _tree(other.out_dir)["ground_truth/contacts.csv"] != _tree(run.out_dir)["ground_truth/contacts.csv"]


def test_voice_and_helpdesk_files_do_not_depend_on_the_cx_part(run, tmp_path):
    off = simulate(dataclasses.replace(CFG, cx=False), tmp_path / "off")
    other_rates = simulate(dataclasses.replace(CFG, cx_known_caller_rate=0.5, cx_cross_channel_rate=0.9),
                           tmp_path / "rates")
    with_cx = _tree(run.out_dir)
    without = _tree(off.out_dir)
    assert not any(name.startswith(CX_PREFIXES) for name in without)
    shared = {name: content for name, content in with_cx.items()
              if not name.startswith(CX_PREFIXES) and name != "ground_truth/simulation.json"}
    assert shared and shared.items() <= without.items() and set(shared) == set(without) - {
        "ground_truth/simulation.json"}
    assert shared.items() <= _tree(other_rates.out_dir).items()
    # simulation.json differs only by the cx settings and the cx summary.
    a = json.loads(with_cx["ground_truth/simulation.json"])
    b = json.loads(without["ground_truth/simulation.json"])
    assert a["summary"].pop("cx")["customers"] == run.customers > 1000 and "cx" not in b["summary"]
    for data in (a, b):
        for key in [k for k in data["config"] if k.startswith("cx")]:
            del data["config"][key]
    assert a == b


def test_result_lists_the_cx_files_and_clean_removes_them(run, tmp_path):
    assert sorted(run.files) == sorted(p for p in run.out_dir.rglob("*") if p.is_file())
    simulate(CFG, tmp_path)
    result = simulate(dataclasses.replace(CFG, cx=False), tmp_path, clean=True)
    assert {p for p in tmp_path.rglob("*") if p.is_file()} == set(result.files)


def test_cx_without_the_helpdesk_still_writes_voice_customers(tmp_path):
    result = simulate(dataclasses.replace(CFG, days=2, helpdesk=False), tmp_path)
    rows = read_csv(result.truth_dir / "contacts.csv")
    assert {r["channel"] for r in rows} == {"voice", "ivr", "bot"}
    assert result.customers > 0


def test_invalid_cx_settings_are_refused():
    with pytest.raises(ValueError, match="cx_known_caller_rate"):
        SimulationConfig(cx_known_caller_rate=1.5)


# -- formats -------------------------------------------------------------------------------------

def test_survey_files_follow_the_documented_format_and_scales(surveys):
    scales = {row["scale"]: (int(row["min_score"]), int(row["max_score"])) for row in read_csv(SEEDS / "survey_scales.csv")}
    expected = {("pulse", "csat"): "1-5", ("pulse", "tnps"): "0-10", ("pulse", "ces"): "1-7",
                ("pulse", "rnps"): "0-10", ("helpdesk_survey", "csat"): "1-10"}
    for tool, rows in surveys.items():
        assert rows, tool
        assert len({r["response_id"] for r in rows}) == len(rows)
        for r in rows:
            assert expected[(tool, r["survey_type"])] == r["scale"], r
            assert r["_file_day"] == r["sent_at"][:10].replace("-", "")
            assert ISO_Z.match(r["sent_at"]), r
            if r["score"] == "":
                assert r["answered_at"] == "" and r["resolved"] == "" and r["comment"] == "", r
            else:
                low, high = scales[r["scale"]]
                assert re.fullmatch(r"\d+", r["score"]) and low <= int(r["score"]) <= high, r
                assert ISO_Z.match(r["answered_at"]) and r["answered_at"] >= r["sent_at"], r
            assert r["resolved"] in ("", "yes", "no")
            if r["survey_type"] == "rnps":
                assert r["contact_channel"] == r["contact_ref"] == "" and r["customer_ref"], r
            else:
                assert r["contact_channel"] == ("voice" if tool == "pulse" else "ticket") and r["contact_ref"], r
            assert r["respondent_phone"] or r["respondent_email"], r
    pulse = surveys["pulse"]
    assert {r["survey_type"] for r in pulse} == {"csat", "tnps", "ces", "rnps"}
    for tool, rows in surveys.items():     # response rates 20-40 %
        contact_rows = [r for r in rows if r["survey_type"] != "rnps"]
        assert 0.2 <= sum(r["score"] != "" for r in contact_rows) / len(contact_rows) <= 0.4, tool
    answered = [r for r in surveys["helpdesk_survey"] if r["score"]]
    assert {r["resolved"] for r in answered} >= {"yes", "no"}


def test_session_files_follow_the_documented_format(sessions):
    menu_keys = {row["menu_key"] for row in read_csv(SEEDS / "ivr_menu_reasons.csv")}
    assert len({s["session_id"] for s in sessions}) == len(sessions)
    assert {(s["kind"], s["outcome"]) for s in sessions} == {
        (k, o) for k in ("ivr", "bot") for o in ("agent_requested", "self_served", "abandoned")}
    for s in sessions:
        assert ISO_Z.match(s["started_at"]) and ISO_Z.match(s["ended_at"]) and s["started_at"] <= s["ended_at"], s
        assert s["_file_day"] == s["started_at"][:10].replace("-", "")
        assert s["menu_path"].split(">")[0] in menu_keys, s
        assert bool(s["queue"]) == (s["outcome"] == "agent_requested"), s
        assert bool(s["callid"]) == (s["kind"] == "ivr" and s["outcome"] == "agent_requested"), s
        if s["kind"] == "bot":
            assert s["caller_phone"] == "", s
        else:
            assert s["customer_ref"] == "", s
    self_served = [s for s in sessions if s["kind"] == "ivr" and s["outcome"] != "agent_requested"]
    assert 0.1 < sum(s["outcome"] == "self_served" for s in sessions if s["kind"] == "ivr") / sum(
        s["kind"] == "ivr" for s in sessions) < 0.3 and self_served


def test_crm_files_follow_the_documented_format_and_contracts_chain(crm):
    customers, contracts, orders = crm["customers"], crm["contracts"], crm["orders"]
    ids = [c["customer_id"] for c in customers]
    assert len(ids) == len(set(ids)) > 1000
    for c in customers:
        assert c["segment"] in ("consumer", "small_business", "enterprise") and c["region"] in ("emea", "north_america")
        assert ISO_Z.match(c["created_at"]) and c["created_at"] <= c["updated_at"]
    assert any(c["email"] != c["email"].lower() for c in customers)          # mixed case
    export_day = (CFG.start + timedelta(days=CFG.days - 1)).isoformat()
    by_id = {c["contract_id"]: c for c in contracts}
    assert len(by_id) == len(contracts)
    with_contract = set()
    for c in contracts:
        with_contract.add(c["customer_id"])
        assert c["customer_id"] in set(ids) and MONEY.match(c["monthly_value"]) and c["currency"] == "EUR"
        assert c["end_date"] == "" or c["end_date"] >= c["start_date"], c
        assert c["status"] == ("ended" if c["end_date"] and c["end_date"] < export_day else "active"), c
        if c["previous_contract_id"]:
            previous = by_id[c["previous_contract_id"]]
            assert previous["customer_id"] == c["customer_id"]
            assert date.fromisoformat(previous["end_date"]) == date.fromisoformat(c["start_date"]) - timedelta(days=1)
    assert with_contract == set(ids)                   # every customer has a contract
    changes = [c for c in contracts if c["previous_contract_id"]]
    assert any(float(c["monthly_value"]) > float(by_id[c["previous_contract_id"]]["monthly_value"]) for c in changes)
    assert any(float(c["monthly_value"]) < float(by_id[c["previous_contract_id"]]["monthly_value"]) for c in changes)
    assert any(c["start_date"] < "2024-01-01" for c in contracts)           # customers for years
    assert orders and len({o["order_id"] for o in orders}) == len(orders)
    for o in orders:
        assert MONEY.match(o["amount"]) and o["_file_day"] == o["ordered_at"][:10].replace("-", "")
    buyers = Counter(o["customer_id"] for o in orders)
    assert any(n > 1 for n in buyers.values())                               # repurchases


# -- consistency with the calls and tickets --------------------------------------------------------

def test_every_queued_call_had_one_ivr_session_just_before_it(sessions, first_entries):
    handed = [s for s in sessions if s["kind"] == "ivr" and s["outcome"] == "agent_requested"]
    assert Counter(s["callid"] for s in handed) == Counter(set(first_entries))      # one each, no other
    queue_keys = {queue: {k for k, _ in keys} for queue, keys in QUEUE_KEYS.items()}
    menu = {m.key: m for m in IVR_MENU}
    for s in handed:
        entry = first_entries[s["callid"]]
        assert epoch(s["ended_at"]) == entry["epoch"] and s["queue"] == entry["queue"], s
        key = s["menu_path"].split(">")[0]
        assert menu[key].queue is not None
        if entry["queue"] in queue_keys:
            assert key in queue_keys[entry["queue"]], s


def test_every_contact_ref_exists(surveys, sessions, first_entries, helpdesk):
    for r in surveys["pulse"]:
        if r["contact_ref"]:
            assert r["contact_ref"] in first_entries, r
    for r in surveys["helpdesk_survey"]:
        ticket = helpdesk["tickets"][int(r["contact_ref"])]
        assert ticket["status"] in ("solved", "closed")
        assert r["respondent_email"] == helpdesk["users"][ticket["requester_id"]]["email"]
    assert all(s["callid"] in first_entries for s in sessions if s["callid"])


def test_crm_phones_are_the_callers_numbers_in_human_formats(crm, callers):
    written = [c["phone"] for c in crm["customers"] if c["phone"]]
    assert len({re.sub(r"\d", "9", p) for p in written}) >= 6           # varied formats
    normalized = [e164(p) for p in written]
    assert len(set(normalized)) == len(normalized)                      # one customer per number
    emails = [c["email"].strip().lower() for c in crm["customers"] if c["email"]]
    assert len(set(emails)) == len(emails)
    numbers = {n for n in callers.values() if n != "anonymous"}
    known = numbers & set(normalized)
    assert 0.85 <= len(known) / len(numbers) <= 0.95                   # most callers are customers


def test_customers_of_contacts_follow_the_matching_rules(contacts, crm, callers, sessions, helpdesk):
    """Re-derived from the files: the caller number, the requester's e-mail else profile phone, or
    the bot's customer_ref else the caller number, matched to the CRM export."""
    by_phone = {e164(c["phone"]): c["customer_id"] for c in crm["customers"] if c["phone"]}
    by_email = {c["email"].strip().lower(): c["customer_id"] for c in crm["customers"] if c["email"]}
    by_session = {s["session_id"]: s for s in sessions}
    known = Counter()
    for row in contacts:
        kind, ref = row["contact_id"].split(":", 1)
        if kind == "call":
            expected = by_phone.get(callers[ref], "")
        elif kind == "ticket":
            user = helpdesk["users"][helpdesk["tickets"][int(ref)]["requester_id"]]
            email = (user["email"] or "").lower()
            phone = e164(user["phone"]) if user["phone"] else None
            expected = by_email.get(email) or by_phone.get(phone, "")
            if email and email not in by_email:     # "else phone" read either way gives the same
                assert phone not in by_phone, user
        else:
            session = by_session[ref]
            expected = session["customer_ref"] or by_phone.get(session["caller_phone"], "")
        assert row["customer_id"] == expected, row
        known[row["channel"] == "voice", bool(expected)] += 1
    share = known[True, True] / (known[True, True] + known[True, False])
    assert 0.85 <= share <= 0.95


def test_contact_reasons_follow_the_seeds(contacts, sessions, helpdesk):
    menu = {r["menu_key"]: r["reason"] for r in read_csv(SEEDS / "ivr_menu_reasons.csv")}
    keywords = sorted(read_csv(SEEDS / "contact_reason_keywords.csv"), key=lambda r: int(r["rank"]))
    by_call = {s["callid"]: s for s in sessions if s["callid"]}
    by_session = {s["session_id"]: s for s in sessions}
    for row in contacts:
        kind, ref = row["contact_id"].split(":", 1)
        if kind == "ticket":
            subject = helpdesk["tickets"][int(ref)]["subject"].lower()
            expected = next((k["reason"] for k in keywords if k["keyword"] in subject), "other")
        else:
            session = by_call.get(ref) if kind == "call" else by_session[ref]
            expected = menu[session["menu_path"].split(">")[0]] if session else "unknown"
        assert row["contact_reason"] == expected, row
    assert {r["contact_reason"] for r in contacts} >= {"billing", "technical", "account", "delivery", "sales",
                                                         "cancellation", "other"}


def test_contacts_are_every_call_inbound_ticket_and_unassisted_session(contacts, first_entries, sessions, helpdesk):
    ids = Counter(r["contact_id"] for r in contacts)
    assert max(ids.values()) == 1
    expected = {f"call:{c}" for c in first_entries}
    expected |= {f"ticket:{t['id']}" for t in helpdesk["tickets"].values()
                 if t["status"] != "deleted" and t["submitter_id"] == t["requester_id"]}
    expected |= {f"{s['kind']}:{s['session_id']}" for s in sessions if s["outcome"] != "agent_requested"}
    assert set(ids) == expected


# -- truth ---------------------------------------------------------------------------------------

def recompute_fcr(rows: list[dict]) -> dict[str, tuple[str, str]]:
    as_of = max(epoch(r["started_at"]) for r in rows)
    by_customer = defaultdict(list)
    for r in rows:
        if r["customer_id"]:
            by_customer[r["customer_id"]].append(r)
    result = {r["contact_id"]: ("", "") for r in rows}
    for own in by_customer.values():
        own.sort(key=lambda r: (epoch(r["started_at"]), r["contact_id"]))
        for i, r in enumerate(own):
            start = epoch(r["started_at"])
            followed = i + 1 < len(own) and epoch(own[i + 1]["started_at"]) - start <= WINDOW
            closed = start + WINDOW <= as_of
            if followed:
                result[r["contact_id"]] = ("true", "false")
            elif closed:
                result[r["contact_id"]] = ("false", "false" if r["is_transferred"] == "true" else "true")
    return result


def test_fcr_truth_matches_a_recomputation_from_contacts(contacts):
    expected = recompute_fcr(contacts)
    assert {r["contact_id"]: (r["is_repeat_followed"], r["is_fcr"]) for r in contacts} == expected
    values = Counter(v for v, _ in expected.values())
    assert values["true"] and values["false"] and values[""]


def test_cross_channel_repeats_exist(contacts):
    by_customer = defaultdict(list)
    for r in contacts:
        if r["customer_id"]:
            by_customer[r["customer_id"]].append(r)
    pairs = Counter()
    for own in by_customer.values():
        own.sort(key=lambda r: (epoch(r["started_at"]), r["contact_id"]))
        for a, b in zip(own, own[1:], strict=False):
            if a["is_repeat_followed"] == "true":
                pairs[a["channel"], b["channel"]] += 1
    digital = {"email", "web", "chat", "native_messaging", "twitter", "facebook"}
    failed_then_ticket = sum(n for (a, b), n in pairs.items() if a == "voice" and b in digital)
    ticket_then_call = sum(n for (a, b), n in pairs.items() if a in digital and b == "voice")
    assert failed_then_ticket >= 10 and ticket_then_call >= 5
    assert pairs["ivr", "voice"] >= 10 and pairs["bot", "email"] + pairs["bot", "web"] + pairs["bot", "chat"] >= 1


def test_daily_truth_matches_the_contacts_surveys_and_sessions(run, contacts, surveys, sessions):
    expected: dict[tuple[str, str], Counter] = defaultdict(Counter)
    csat_sum: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
    by_contact = {r["contact_id"]: r for r in contacts}
    for r in contacts:
        c = expected[r["report_date"], r["channel"]]
        c["contacts"] += 1
        c["contacts_known_customer"] += bool(r["customer_id"])
        c["fcr_measured"] += r["is_fcr"] != ""
        c["fcr_resolved"] += r["is_fcr"] == "true"
        c["repeat_measured"] += r["is_repeat_followed"] != ""
        c["repeat_followed"] += r["is_repeat_followed"] == "true"
    top = {r["scale"]: (int(r["min_score"]), int(r["max_score"]), int(r["csat_top_box_min"]))
           for r in read_csv(SEEDS / "survey_scales.csv")}
    for tool, rows in surveys.items():
        for r in rows:
            if r["survey_type"] == "rnps":
                if not r["score"]:
                    continue
                key = (local_day(epoch(r["answered_at"])), "relationship")
            else:
                contact = by_contact[("call:" if tool == "pulse" else "ticket:") + r["contact_ref"]]
                key = (contact["report_date"], contact["channel"])
                expected[key]["surveys_sent"] += 1
                if not r["score"]:
                    continue
                expected[key]["surveys_answered"] += 1
            c = expected[key]
            score = int(r["score"])
            kind = r["survey_type"]
            if kind == "csat":
                low, high, top_box = top[r["scale"]]
                c["csat_answered"] += 1
                c["csat_satisfied"] += score >= top_box
                csat_sum[key] += 1 + Fraction(4 * (score - low), high - low)
            elif kind in ("tnps", "rnps"):
                c[f"{kind}_answered"] += 1
                c[f"{kind}_promoters"] += score >= 9
                c[f"{kind}_detractors"] += score <= 6
            else:
                c["ces_answered"] += 1
                c["ces_sum"] += score
                c["ces_low_effort"] += score >= 5
            c["resolved_yes"] += r["resolved"] == "yes"
            c["resolved_no"] += r["resolved"] == "no"
    for s in sessions:
        c = expected[local_day(epoch(s["started_at"])), s["kind"]]
        c["ivr_sessions"] += 1
        c["ivr_self_served"] += s["outcome"] == "self_served"
    truth = read_csv(run.truth_dir / "cx_daily.csv")
    assert {(r["report_date"], r["channel"]) for r in truth} == set(expected)
    for r in truth:
        key = (r["report_date"], r["channel"])
        for column, value in r.items():
            if column in ("report_date", "channel"):
                continue
            if column == "csat_mean_5pt_sum":
                assert abs(float(value) - float(csat_sum[key])) < 1e-5, (key, column)
            else:
                assert int(value) == expected[key][column], (key, column)


def test_monthly_truth_matches_the_crm_export(run, crm):
    segment = {c["customer_id"]: c["segment"] for c in crm["customers"]}
    contracts = defaultdict(list)
    for c in crm["contracts"]:
        contracts[c["customer_id"]].append(c)

    def active(cid: str, day: date) -> bool:
        return any(date.fromisoformat(c["start_date"]) <= day and (
            not c["end_date"] or day <= date.fromisoformat(c["end_date"])) for c in contracts[cid])

    truth = read_csv(run.truth_dir / "customer_monthly.csv")
    assert {r["month_start"] for r in truth} == {"2026-10-01", "2026-11-01"}
    for row in truth:
        month = date.fromisoformat(row["month_start"])
        following = (month + timedelta(days=32)).replace(day=1)
        own = [cid for cid, s in segment.items() if s == row["segment"]]
        at_start = [cid for cid in own if active(cid, month)]
        churned = [cid for cid in at_start if not active(cid, following)]
        mrr = sum(float(c["monthly_value"]) for cid in own for c in contracts[cid]
                  if date.fromisoformat(c["start_date"]) <= month and (
                      not c["end_date"] or month <= date.fromisoformat(c["end_date"])))
        orders = [o for o in crm["orders"] if segment[o["customer_id"]] == row["segment"]
                  and local_day(epoch(o["ordered_at"]))[:7] == row["month_start"][:7]]
        assert int(row["customers_at_start"]) == len(at_start) > 0, row
        assert int(row["churned"]) == len(churned), row
        assert abs(float(row["mrr_start"]) - mrr) < 0.01, row
        assert int(row["orders"]) == len(orders), row
        assert abs(float(row["order_revenue"]) - sum(float(o["amount"]) for o in orders)) < 0.01
        starts = {cid: min(c["start_date"] for c in contracts[cid]) for cid in own}
        assert int(row["new_customers"]) == sum(s[:7] == row["month_start"][:7] for s in starts.values()), row
        values = {c["contract_id"]: float(c["monthly_value"]) for cid in own for c in contracts[cid]}
        changes = [values[c["contract_id"]] - values[c["previous_contract_id"]] for cid in own for c in contracts[cid]
                   if c["previous_contract_id"] and c["start_date"][:7] == row["month_start"][:7]]
        assert abs(float(row["expansion_revenue"]) - sum(d for d in changes if d > 0)) < 0.01, row
        assert abs(float(row["contraction_revenue"]) + sum(d for d in changes if d < 0)) < 0.01, row
        firsts = {}
        for o in sorted(crm["orders"], key=lambda o: o["ordered_at"]):
            firsts.setdefault(o["customer_id"], o["order_id"])
        assert int(row["ordering_customers"]) == len({o["customer_id"] for o in orders}), row
        assert int(row["repurchasing_customers"]) == len(
            {o["customer_id"] for o in orders if firsts[o["customer_id"]] != o["order_id"]}), row
    october = [r for r in truth if r["month_start"] == "2026-10-01"]
    assert sum(int(r["churned"]) for r in october) > 0


def test_experience_truth_counts_each_customers_contacts(run, contacts, crm):
    rows = read_csv(run.truth_dir / "customer_experience.csv")
    assert [r["customer_id"] for r in rows] == sorted(c["customer_id"] for c in crm["customers"])
    counts = Counter(r["customer_id"] for r in contacts if r["customer_id"])
    long_waits = Counter(r["customer_id"] for r in contacts
                         if r["customer_id"] and r["channel"] == "voice" and int(r["wait_seconds"]) > 60)
    as_of = local_day(max(epoch(r["started_at"]) for r in contacts))
    ended = defaultdict(list)
    for c in crm["contracts"]:
        ended[c["customer_id"]].append(bool(c["end_date"]) and c["end_date"] < as_of)
    for r in rows:
        assert int(r["contacts"]) == counts[r["customer_id"]], r
        assert int(r["long_wait_calls"]) == long_waits[r["customer_id"]], r
        assert r["has_churned"] == ("true" if all(ended[r["customer_id"]]) else "false"), r


@pytest.fixture(scope="module")
def busier(tmp_path_factory):
    """Two weeks of a busier center: enough customers to compare churn rates."""
    cfg = SimulationConfig(start=date(2026, 10, 5), days=14, seed=4, agents=16, calls_per_day=1000,
                           tickets_per_day=100)
    return simulate(cfg, tmp_path_factory.mktemp("busier"))


def test_customers_with_bad_experience_churn_more(busier):
    rows = read_csv(busier.truth_dir / "customer_experience.csv")

    def bad(r: dict) -> bool:
        return (int(r["long_wait_calls"]) > 0 or int(r["repeat_contacts"]) > 0
                or int(r["csat_answered"]) > int(r["csat_satisfied"]))

    groups = {"bad": [r for r in rows if int(r["contacts"]) and bad(r)],
              "good": [r for r in rows if int(r["contacts"]) and not bad(r)]}
    rates = {name: sum(r["has_churned"] == "true" for r in own) / len(own) for name, own in groups.items()}
    assert len(groups["bad"]) > 2000 and len(groups["good"]) > 2000
    assert rates["bad"] > 1.5 * rates["good"] > 0, rates
    summary = busier.summary["cx"]
    assert summary["churn_in_period_bad_experience"] > 1.5 * summary["churn_in_period_good_experience"]
