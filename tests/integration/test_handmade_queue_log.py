"""A queue_log written by hand, with a malformed line among valid ones, gives exactly the
expected queue KPIs (counted by hand in the comments) and one quarantine row; running the job a
second time changes nothing; the dbt unit tests pass on the same warehouse."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.conftest import kept_cxpipe_environment, copy_fixture, dbt, mf_query, query

KPI_COLUMNS = (
    "offered, answered, abandoned, short_abandoned, abandoned_within_sl, answered_within_sl, "
    "timed_out, exited_empty, blocked, blocked_empty, in_progress, transferred, handled, "
    "answered_wait_seconds, abandoned_wait_seconds, max_wait_seconds, talk_seconds, hold_seconds, "
    "acw_seconds, handle_seconds, service_level, abandon_rate, asa_seconds, aht_seconds"
)


@pytest.fixture(scope="module")
def handmade_run(tmp_path_factory):
    """One pipeline run on the hand-written files, shared by the tests of this module."""
    from cxpipe.runner import run_refresh
    from orchestration.settings import Settings

    with kept_cxpipe_environment():
        base = tmp_path_factory.mktemp("handmade")
        landing = copy_fixture("handmade", base / "landing")
        settings = Settings(landing_dir=landing, warehouse_path=base / "warehouse.duckdb",
                            site_timezone="Europe/Berlin", state_dir=base / "state")
        outcome = run_refresh(settings)
        yield settings, outcome


def daily(settings, queue: str) -> dict:
    names = [c.strip() for c in KPI_COLUMNS.split(",")]
    rows = query(settings.warehouse_path,
                 f"select {KPI_COLUMNS} from marts.kpi_queue_daily where queue_name = ? and report_date = ?",
                 [queue, date(2026, 10, 12)])
    assert len(rows) == 1, f"expected one row for {queue}, got {rows}"
    return dict(zip(names, rows[0]))


def test_run_succeeds(handmade_run):
    settings, outcome = handmade_run
    assert outcome.success, outcome
    assert outcome.failed_checks == []


def test_support_queue_kpis_equal_the_hand_count(handmade_run):
    settings, _ = handmade_run
    kpis = daily(settings, "support")
    # Entries: c1 answered (wait 10), c2 abandoned after 3 s (short), c3 abandoned after 30 s,
    # c4 answered after 25 s and blind-transferred to sales, c6 timed out after 300 s,
    # c7 answered after 20 s (RINGNOANSWER before it), c8 still waiting at the end of the log.
    assert kpis["offered"] == 7
    assert kpis["answered"] == 3
    assert kpis["abandoned"] == 2
    assert kpis["short_abandoned"] == 1
    assert kpis["abandoned_within_sl"] == 1
    assert kpis["answered_within_sl"] == 2  # 10 s and 20 s (inclusive); 25 s is late
    assert kpis["timed_out"] == 1
    assert kpis["in_progress"] == 1
    assert kpis["transferred"] == 1
    assert kpis["handled"] == 3
    assert kpis["answered_wait_seconds"] == 55
    assert kpis["abandoned_wait_seconds"] == 33
    assert kpis["max_wait_seconds"] == 300
    # Talk = CDR billsec - hold: c1 120 - 30, c4 100, c7 180. ACW: 30 + 20 + 30.
    assert kpis["talk_seconds"] == 370
    assert kpis["hold_seconds"] == 30
    assert kpis["acw_seconds"] == 80
    assert kpis["handle_seconds"] == 480
    assert kpis["service_level"] == pytest.approx(2 / 6)
    assert kpis["abandon_rate"] == pytest.approx(1 / 6)
    assert kpis["asa_seconds"] == pytest.approx(55 / 3)
    assert kpis["aht_seconds"] == pytest.approx(160)


def test_transferred_call_is_offered_again_to_the_target_queue(handmade_run):
    settings, _ = handmade_run
    kpis = daily(settings, "sales")
    assert (kpis["offered"], kpis["answered"], kpis["answered_within_sl"], kpis["handled"]) == (1, 1, 1, 1)
    assert kpis["talk_seconds"] == 60 and kpis["acw_seconds"] == 10
    assert kpis["service_level"] == 1.0


def test_refused_call_is_offered_and_blocked(handmade_run):
    settings, _ = handmade_run
    kpis = daily(settings, "billing")
    assert (kpis["offered"], kpis["blocked"], kpis["blocked_empty"], kpis["exited_empty"]) == (1, 1, 1, 1)
    assert kpis["service_level"] == 0.0
    assert kpis["asa_seconds"] is None  # nothing answered: NULL, not 0


def test_malformed_line_is_quarantined_with_file_line_and_reason(handmade_run):
    settings, _ = handmade_run
    rows = query(settings.warehouse_path,
                 "select source, source_file, line_number, raw_text, reason from raw_telephony.quarantine")
    assert len(rows) == 1
    source, source_file, line_number, raw_text, reason = rows[0]
    assert source == "telephony.queue_log"
    assert source_file == "telephony/queue_log/queue_log-20261012"
    assert line_number == 16
    assert raw_text == "this line was cut by a disk-full error"
    assert reason


def test_second_run_changes_nothing(handmade_run):
    from cxpipe.runner import run_refresh

    settings, _ = handmade_run
    tables = ["raw_telephony.queue_log_events", "raw_telephony.cdr_records",
              "raw_telephony.agent_state_events", "raw_telephony.quarantine",
              "marts.fct_queue_calls", "marts.kpi_queue_daily", "marts.kpi_queue_interval"]

    def snapshot():
        result = {}
        for table in tables:
            schema, name = table.split(".")
            columns = [c for (c,) in query(
                settings.warehouse_path,
                "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                "and column_name not like '\\_dlt%' escape '\\' order by ordinal_position", [schema, name])]
            result[table] = sorted(map(str, query(settings.warehouse_path, f"select {', '.join(columns)} from {table}")))
        return result

    before = snapshot()
    again = run_refresh(settings)
    assert again.success
    assert snapshot() == before


def test_run_for_a_day_without_calls_fails_its_check(handmade_run):
    """D11: `cxpipe run --start --end` names the days the run is for; a day without calls fails."""
    from cxpipe.runner import run_refresh

    settings, _ = handmade_run
    published = _published_at(settings)
    outcome = run_refresh(settings, start=date(2026, 10, 12), end=date(2026, 10, 13))
    assert not outcome.success
    assert outcome.failed_checks == ["kpi_queue_daily:days_present"]
    # The blocking check kept the broken day from the BI snapshot: it was not republished.
    assert _published_at(settings) == published
    assert run_refresh(settings, start=date(2026, 10, 12), end=date(2026, 10, 12)).success
    assert _published_at(settings) > published


def _published_at(settings):
    from orchestration.publish import INFO_SCHEMA, INFO_TABLE, SNAPSHOT_FILE

    rows = query(settings.snapshot_path / SNAPSHOT_FILE, f"select max(published_at) from {INFO_SCHEMA}.{INFO_TABLE}")
    return rows[0][0]


def test_the_snapshot_holds_every_mart_with_its_rows(handmade_run):
    """The run published the marts for BI: the same tables and rows as the warehouse, as DuckDB
    and as Parquet."""
    from orchestration.publish import PARQUET_LINK, SNAPSHOT_FILE

    settings, _ = handmade_run
    marts = dict(query(settings.warehouse_path, "select table_name, estimated_size from duckdb_tables() "
                                                "where schema_name = 'marts'"))
    snapshot = settings.snapshot_path / SNAPSHOT_FILE
    published = {t: query(snapshot, f"select count(*) from marts.{t}")[0][0] for t in marts}
    expected = {t: query(settings.warehouse_path, f"select count(*) from marts.{t}")[0][0] for t in marts}
    assert published == expected and expected["kpi_queue_daily"] > 0
    for table in marts:
        assert (settings.snapshot_path / PARQUET_LINK / f"{table}.parquet").is_file(), table


def test_interval_minutes_that_do_not_divide_the_hour_are_refused(handmade_run, tmp_path):
    settings, _ = handmade_run
    result = dbt("compile", "--select", "fct_queue_calls", "--vars", "{interval_minutes: 45}", env=settings.to_env(),
                 target_path=tmp_path / "target")
    assert result.returncode != 0
    assert "var interval_minutes=45 must divide 60" in result.stdout


def test_dbt_unit_tests_pass(handmade_run, tmp_path):
    """Every KPI formula's dbt unit test, run against the warehouse the job built."""
    settings, _ = handmade_run
    result = dbt("test", "--select", "test_type:unit", env=settings.to_env(), target_path=tmp_path / "target")
    assert result.returncode == 0, result.stdout[-4000:]
    run_results = json.loads((tmp_path / "target" / "run_results.json").read_text())
    statuses = [r["status"] for r in run_results["results"]]
    assert len(statuses) >= 10
    assert set(statuses) == {"pass"}


VOICE_METRICS = ["offered", "answered", "abandoned", "handled", "service_level", "service_level_answered_only",
                 "asa_seconds", "avg_abandon_seconds", "abandon_rate", "answer_rate", "transfer_rate", "aht_seconds",
                 "max_wait_seconds", "blocked", "blocked_empty", "blocked_full", "blocked_closed", "blocked_diverted",
                 "timed_out", "exited_with_key", "exited_empty", "abandoned_within_sl", "in_progress", "lost",
                 "talk_seconds", "hold_seconds", "acw_seconds", "service_level_sl2"]
# The mart's expression for each metric (its column, where the mart publishes one).
MART_EXPRESSIONS = {
    "service_level_sl2": "(answered_within_sl + abandoned_within_sl) / nullif(answered + abandoned, 0)",
}


def test_the_semantic_layer_gives_the_marts_numbers(handmade_run, tmp_path):
    """Every voice metric of the semantic layer, per queue and day, equals kpi_queue_daily."""
    settings, _ = handmade_run
    rows = mf_query(settings, tmp_path, VOICE_METRICS, ["metric_time__day", "queue_day__queue_name"])
    columns = ", ".join(MART_EXPRESSIONS.get(metric, metric) for metric in VOICE_METRICS)
    marts = query(settings.warehouse_path, f"select report_date, queue_name, {columns} from marts.kpi_queue_daily")
    assert len(rows) == len(marts) == 3
    by_key = {(str(row[0]), row[1]): row[2:] for row in marts}
    for row in rows:
        expected = by_key[(row["metric_time__day"][:10], row["queue_day__queue_name"])]
        for name, value in zip(VOICE_METRICS, expected):
            got = None if row[name] in ("", "None") else float(row[name])
            if value is None:
                assert got is None, (row, name)
            else:
                assert got == pytest.approx(float(value), abs=1e-9), (row, name)


def test_the_semantic_layers_ratios_are_ratios_of_sums(handmade_run, tmp_path):
    """Over all queues of the day, service level is the queues' answered-within-SL over their offered
    calls without short abandons (3 / 8), not the mean of the queues' service levels (0.44)."""
    settings, _ = handmade_run
    rows = mf_query(settings, tmp_path, ["service_level", "asa_seconds", "aht_seconds"], ["metric_time__day"])
    assert len(rows) == 1
    sums = query(settings.warehouse_path, """
        select sum(answered_within_sl) * 1.0 / sum(offered - short_abandoned), avg(service_level),
               sum(answered_wait_seconds) / sum(answered), sum(handle_seconds) / sum(handled)
        from marts.kpi_queue_daily""")[0]
    assert float(rows[0]["service_level"]) == pytest.approx(sums[0]) == pytest.approx(0.375)
    assert sums[1] != pytest.approx(sums[0])
    assert float(rows[0]["asa_seconds"]) == pytest.approx(sums[2])
    assert float(rows[0]["aht_seconds"]) == pytest.approx(sums[3])


def test_the_dbt_docs_site_builds_offline(handmade_run, tmp_path):
    """`cxpipe dbt docs generate` (here: dbt on the project): the site and its catalog, with the marts,
    the metrics and the semantic models, from the warehouse the job built."""
    settings, _ = handmade_run
    target = tmp_path / "target"
    result = dbt("docs", "generate", env=settings.to_env(), target_path=target)
    assert result.returncode == 0, result.stdout[-3000:]
    assert (target / "index.html").stat().st_size > 100_000
    catalog = json.loads((target / "catalog.json").read_text())
    assert "model.cx_pipeline.kpi_queue_daily" in catalog["nodes"]
    manifest = json.loads((target / "manifest.json").read_text())
    assert "metric.cx_pipeline.service_level" in manifest["metrics"]
    assert "semantic_model.cx_pipeline.queue_days" in manifest["semantic_models"]
    # The dashboard's pages and the weekly report, with the marts they read.
    exposures = manifest["exposures"]
    assert {name.rsplit(".", 1)[1] for name in exposures} == {
        "dashboard_executive", "dashboard_operations", "dashboard_agents", "dashboard_cx", "dashboard_staffing",
        "weekly_report"}
    assert "model.cx_pipeline.kpi_queue_interval" in exposures["exposure.cx_pipeline.dashboard_operations"][
        "depends_on"]["nodes"]


def test_a_feed_too_broken_to_publish_blocks_its_marts_and_the_snapshot(handmade_run):
    """An IVR export whose latest load is mostly unreadable fails its blocking check: what is
    built from it is not built, and BI keeps the last good snapshot. (Last test of the module: it
    leaves the broken file in the landing folder.)"""
    from cxpipe.runner import run_refresh

    settings, _ = handmade_run
    published = _published_at(settings)
    header = "session_id,kind,started_at,ended_at,caller_phone,customer_ref,menu_path,outcome,queue,callid"
    good = [f"S{n},ivr,2026-10-12T08:{n:02d}:00Z,2026-10-12T08:{n:02d}:30Z,,,1,self_served,," for n in range(10)]
    bad = [f"B{n},fax,2026-10-12T09:{n:02d}:00Z,,,,1,self_served,," for n in range(30)]
    (settings.landing_dir / "ivr").mkdir(exist_ok=True)
    (settings.landing_dir / "ivr" / "ivr_sessions-20261012.csv").write_text("\n".join([header, *good, *bad]) + "\n")
    outcome = run_refresh(settings)
    assert not outcome.success
    assert outcome.failed_checks == ["raw/ivr/ivr_sessions:latest_load_readable"]
    assert _published_at(settings) == published
