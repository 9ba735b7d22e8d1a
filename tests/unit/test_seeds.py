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


def test_survey_scales_match_the_kpi_sheet_and_the_simulator():
    from simulator.cx.catalog import SURVEY_SCALES

    path = SEEDS / "survey_scales.csv"
    with duckdb.connect() as con:
        rows = con.execute(f"select scale, min_score, max_score, csat_top_box_min from read_csv('{path}', header = true, "
                           "columns = {'scale': 'varchar', 'min_score': 'integer', 'max_score': 'integer', "
                           "'csat_top_box_min': 'integer'})").fetchall()
    seed = {scale: (low, high, top) for scale, low, high, top in rows}
    assert seed == {"1-3": (1, 3, 3), "1-5": (1, 5, 4), "1-7": (1, 7, 6), "1-10": (1, 10, 8), "0-10": (0, 10, 8)}
    for scale, (low, high, top) in seed.items():
        assert scale == f"{low}-{high}" and low < top <= high
    assert seed == SURVEY_SCALES


def test_ivr_menu_reasons_cover_the_simulators_menu_and_bot():
    from simulator.cx.catalog import BOT_INTENTS, BOT_SELF_SERVICE, IVR_MENU, IVR_SELF_SERVICE, REASONS

    rows = list(csv.DictReader((SEEDS / "ivr_menu_reasons.csv").open(encoding="utf-8")))
    keys = [row["menu_key"] for row in rows]
    assert len(keys) == len(set(keys)) and all(row["description"] for row in rows)
    assert {row["reason"] for row in rows} <= set(REASONS)
    seed = {row["menu_key"]: row["reason"] for row in rows}
    assert seed == {m.key: m.reason for m in IVR_MENU} | {intent: reason for intent, reason, _ in BOT_INTENTS}
    for path, _ in IVR_SELF_SERVICE + BOT_SELF_SERVICE:
        assert path.split(">")[0] in seed, path


def _reason_by_keyword_seed(subjects: list[str]) -> dict[str, str]:
    """The documented rule in SQL over the seed: the first keyword by rank contained in the
    lower-cased subject, else `other`."""
    path = SEEDS / "contact_reason_keywords.csv"
    with duckdb.connect() as con:
        con.execute("create table subjects (subject varchar)")
        con.executemany("insert into subjects values (?)", [(s,) for s in subjects])
        rows = con.execute(f"""
            with keywords as (
                select * from read_csv('{path}', header = true,
                    columns = {{'keyword': 'varchar', 'reason': 'varchar', 'rank': 'integer'}})
            ),
            matched as (
                select s.subject, k.reason,
                       row_number() over (partition by s.subject order by k.rank) as n
                from subjects as s
                join keywords as k on contains(lower(s.subject), k.keyword)
            )
            select s.subject, coalesce(m.reason, 'other')
            from subjects as s
            left join matched as m on m.subject = s.subject and m.n = 1
        """).fetchall()
    return dict(rows)


def test_contact_reason_keywords_classify_every_simulated_subject_as_meant():
    from simulator.cx.catalog import REASON_KEYWORDS, REASONS, TOPIC_REASONS, reason_of_subject
    from simulator.helpdesk.texts import TOPICS

    rows = list(csv.DictReader((SEEDS / "contact_reason_keywords.csv").open(encoding="utf-8")))
    assert [r["keyword"] for r in rows] == [r["keyword"].strip().lower() for r in rows]
    assert len({r["keyword"] for r in rows}) == len(rows) and len({r["rank"] for r in rows}) == len(rows)
    assert {r["reason"] for r in rows} <= set(REASONS)
    assert {(r["keyword"], r["reason"], int(r["rank"])) for r in rows} == set(REASON_KEYWORDS)
    subjects = {subject: TOPIC_REASONS[tag] for tag, subject, _, _ in TOPICS}
    subjects["You have won a prize"] = TOPIC_REASONS["spam"]        # the helpdesk's spam subject
    assert set(TOPIC_REASONS) == {tag for tag, *_ in TOPICS} | {"spam"}
    assert _reason_by_keyword_seed(list(subjects)) == subjects
    assert {s: reason_of_subject(s) for s in subjects} == subjects
    assert set(subjects.values()) == set(REASONS)
