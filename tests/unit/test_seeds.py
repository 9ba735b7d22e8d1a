"""Reference seeds hold values the warehouse and Python both understand."""

from __future__ import annotations

import csv
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from simulator.helpdesk.directory import VIA_CHANNELS

# The project root from this file (not `from tests.conftest import ...`, which needs the root on
# sys.path and so fails under a plain `pytest` without `python -m`).
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEEDS = PROJECT_ROOT / "dbt_project" / "seeds"


def test_every_zendesk_time_zone_maps_to_a_zone_duckdb_and_python_know():
    rows = list(csv.DictReader((SEEDS / "zendesk_time_zones.csv").open()))
    assert len(rows) > 100
    names = [row["zendesk_time_zone"] for row in rows]
    assert len(names) == len(set(names))
    with duckdb.connect() as con:
        for row in rows:
            ZoneInfo(row["iana_time_zone"])
            con.execute(f"select timestamptz '2026-10-25 00:30:00+00' at time zone '{row['iana_time_zone']}'")


def test_queue_event_outcomes_read_a_wait_from_a_data_field():
    rows = {row["event_name"]: row for row in csv.DictReader((SEEDS / "queue_event_outcomes.csv").open())}
    for name in ("CONNECT", "ABANDON", "EXITWITHTIMEOUT", "EXITWITHKEY", "EXITEMPTY", "COMPLETEAGENT"):
        assert 1 <= int(rows[name]["wait_field"]) <= 5, name
    assert {rows[n]["transfer_type"] for n in ("BLINDTRANSFER", "ATTENDEDTRANSFER", "TRANSFER")} == {
        "blind", "attended", "unspecified"}


def test_zendesk_via_types_name_each_via_id_once_and_match_the_simulator():
    path = SEEDS / "zendesk_via_types.csv"
    with duckdb.connect() as con:
        rows = con.execute(f"select via_id, channel, description from read_csv('{path}', header = true)").fetchall()
        kinds = dict(con.execute(f"select column_name, column_type from (describe select * from read_csv('{path}'))")
                     .fetchall())
    assert kinds["via_id"] in ("BIGINT", "INTEGER")
    ids = [via_id for via_id, _, _ in rows]
    assert len(ids) == len(set(ids)) and all(channel and text for _, channel, text in rows)
    seed = {via_id: channel for via_id, channel, _ in rows}
    # Read in Zendesk's Via types reference (and 41 from a client copying it; 75 inferred: see _seeds.yml).
    assert {0: "web", 4: "email", 5: "api", 8: "rule", 29: "chat", 30: "twitter", 34: "voice", 38: "facebook",
            41: "facebook", 75: "native_messaging"}.items() <= seed.items()
    # The simulator repeats the seed (it imports nothing of the project) and every channel it serves has an id.
    assert seed == VIA_CHANNELS
    assert {"email", "web", "chat", "native_messaging", "twitter", "facebook"} <= set(seed.values())
    assert "Trigger, automation" in next(text for via_id, _, text in rows if via_id == 8)   # quoted comma kept
