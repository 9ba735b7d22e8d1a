"""The Zendesk source against the simulator's Zendesk API: the real client code, the simulator's
pagination and cursors. A first load as the helpdesk stood mid-way, a second load at the end
loads only what changed, a 429 is waited out, and every ticket and event served is in raw once
(the event export serves each page's last second again, as Zendesk does)."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from ingestion.pipelines import make_pipeline
from ingestion.zendesk import DATASET_NAME, zendesk
from simulator import SimulationConfig, simulate
from simulator.helpdesk import DEFAULT_EMAIL, DEFAULT_TOKEN, HelpdeskData, serve_helpdesk


@pytest.fixture(scope="module")
def helpdesk(tmp_path_factory):
    out = tmp_path_factory.mktemp("helpdesk")
    simulate(SimulationConfig(start=date(2026, 10, 12), days=3, seed=3, site_timezone="Europe/Berlin",
                              agents=6, calls_per_day=50, tickets_per_day=120), out_dir=out)
    return HelpdeskData.load(out / "helpdesk")


def _counts(warehouse) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            table: con.execute(f"select count(*) from {DATASET_NAME}.{table}").fetchone()[0]
            for table in ("tickets", "ticket_events", "users", "groups", "quarantine")
        }


def test_second_load_brings_only_what_changed(helpdesk, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    pipeline = make_pipeline(warehouse, pipelines_dir=tmp_path / "dlt", pipeline_name="zendesk_sim",
                             dataset_name=DATASET_NAME, progress=None)
    midway = helpdesk.horizon - 36 * 3600
    with serve_helpdesk(helpdesk, as_of=midway, rate_limit_on=(2,), retry_after=1,
                        export_page_size=200) as server:
        def source():
            return zendesk(base_url=server.base_url, email=DEFAULT_EMAIL, api_token=DEFAULT_TOKEN,
                           start_date="2026-10-01T00:00:00Z")

        pipeline.run(source())
        first = _counts(warehouse)
        assert any(status == 429 for _, status in server.requests), "the 429 was not served"
        served_first = server.view()
        assert first["tickets"] == len(served_first.tickets)
        assert first["ticket_events"] == len(served_first.ticket_events)

        server.as_of = None  # the end of the simulated period
        pipeline.run(source())
        second = _counts(warehouse)
        served = server.view()
    assert second["tickets"] == len(served.tickets)
    assert second["ticket_events"] == len(served.ticket_events)
    assert second["quarantine"] == 0
    # Only the events after the first load's end were extracted the second time.
    new_events = len(served.ticket_events) - len(served_first.ticket_events)
    assert new_events > 0
    assert pipeline.last_trace.last_normalize_info.row_counts.get("ticket_events", 0) == new_events
    with duckdb.connect(str(warehouse), read_only=True) as con:
        duplicate_ids = con.execute(
            f"select count(*) - count(distinct id) from {DATASET_NAME}.tickets").fetchone()[0]
        event_ids = [row[0] for row in con.execute(
            f"select id from {DATASET_NAME}.ticket_events order by id").fetchall()]
        children = con.execute(
            f"select count(*), count(distinct id), count(*) filter (where event_type in "
            f"('Create', 'Change') and field_name is null), count(distinct event_type) "
            f"from {DATASET_NAME}.ticket_events__child_events").fetchone()
        kinds = con.execute(f"select distinct event_type from {DATASET_NAME}.ticket_events").fetchall()
        leaver = con.execute(
            f"select role, active from {DATASET_NAME}.users where id = ?",
            [next(u["id"] for u in helpdesk.users if not u["active"])]).fetchall()
    assert duplicate_ids == 0
    # pages overlapped (each ends at its last event's second), yet every event is there once
    assert event_ids == sorted(e.id for e in served.ticket_events)
    served_children = sum(len(e["child_events"]) for e in helpdesk.event_dicts())
    assert children == (served_children, served_children, 0, 4)   # Comment, Create, Change, rating
    assert kinds == [("Audit",)]
    assert leaver == [("end-user", False)]                        # a deactivated agent, downgraded


def test_no_email_address_or_phone_number_in_clear(helpdesk, tmp_path):
    """The simulator's users have e-mail addresses and phones, its e-mail tickets addresses in
    via.source: none of them is loaded in clear."""
    from tests.conftest import assert_no_clear_contact_data, query

    warehouse = tmp_path / "warehouse.duckdb"
    pipeline = make_pipeline(warehouse, pipelines_dir=tmp_path / "dlt", pipeline_name="zendesk_sim",
                             dataset_name=DATASET_NAME, progress=None)
    with serve_helpdesk(helpdesk) as server:
        pipeline.run(zendesk(base_url=server.base_url, email=DEFAULT_EMAIL, api_token=DEFAULT_TOKEN,
                             start_date="2026-10-01T00:00:00Z"))
    emails = {u["email"] for u in helpdesk.users if u.get("email")}
    assert emails, "the simulator's users have no e-mail"
    assert query(warehouse, f"select count(email_hash) from {DATASET_NAME}.users")[0][0] >= len(emails) - 1
    phones = {u["phone"] for u in helpdesk.users if u.get("phone")}
    assert_no_clear_contact_data(lambda statement: query(warehouse, statement), DATASET_NAME,
                                 emails=tuple(sorted(emails)), phones=tuple(sorted(phones)))
