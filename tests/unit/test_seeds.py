"""Reference seeds hold values the warehouse and Python both understand."""

from __future__ import annotations

import csv
from zoneinfo import ZoneInfo

import duckdb

from tests.conftest import PROJECT_ROOT

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
