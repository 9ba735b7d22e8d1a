"""End to end: the simulator's files and its helpdesk API through the whole Dagster job; the marts
must equal the simulator's ground truth (computed in Python from its own event records) for every
queue, day and interval (counts exactly, durations to the second) and for every ticket, ticket day
and SLA clock (counts exactly, minutes to 0.001). The days span the autumn DST change in
Europe/Berlin, so 25-hour days, midnight-crossing calls, transfers, reopened tickets and business
hours on both sides of the change are all in play."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tests.conftest import kept_cxpipe_environment, query

pytestmark = pytest.mark.e2e

COUNTS = [
    "offered", "answered", "abandoned", "short_abandoned", "abandoned_within_sl", "answered_within_sl",
    "timed_out", "exited_with_key", "exited_empty", "blocked", "blocked_empty", "blocked_full",
    "blocked_closed", "blocked_diverted", "transferred", "handled",
]
SECONDS = ["answered_wait_seconds", "abandoned_wait_seconds", "max_wait_seconds", "talk_seconds",
           "hold_seconds", "acw_seconds"]


@pytest.fixture(scope="module")
def simulated_run(tmp_path_factory):
    from cxpipe.runner import run_refresh
    from orchestration.settings import Settings
    from simulator import SimulationConfig, simulate

    with kept_cxpipe_environment():
        base = tmp_path_factory.mktemp("e2e")
        landing = base / "landing"
        config = SimulationConfig(start=date(2026, 10, 24), days=3, seed=7, site_timezone="Europe/Berlin",
                                  agents=10, calls_per_day=500, tickets_per_day=150)
        simulate(config, out_dir=landing)
        # The helpdesk through the real Zendesk client, from the simulator's API on 127.0.0.1.
        settings = Settings(landing_dir=landing, warehouse_path=base / "warehouse.duckdb",
                            site_timezone="Europe/Berlin", state_dir=base / "state", zendesk="simulator")
        outcome = run_refresh(settings)
        yield settings, outcome, landing / "ground_truth"


def _marts(settings, table: str, keys: list[str]) -> pd.DataFrame:
    columns = keys + COUNTS + SECONDS
    rows = query(settings.warehouse_path, f"select {', '.join(columns)} from marts.{table}")
    frame = pd.DataFrame(rows, columns=columns)
    for key in keys:
        frame[key] = frame[key].astype(str)
    return frame


def _compare(truth: pd.DataFrame, marts: pd.DataFrame, keys: list[str]) -> list[str]:
    merged = truth.merge(marts, on=keys, how="outer", suffixes=("_truth", "_marts"), indicator=True)
    problems = [f"{dict(zip(keys, row))}: only in {side}"
                for side, label in (("truth", "left_only"), ("marts", "right_only"))
                for row in merged.loc[merged["_merge"] == label, keys].itertuples(index=False)]
    both = merged[merged["_merge"] == "both"]
    for column in COUNTS + SECONDS:
        expected = both[f"{column}_truth"].astype(float).fillna(0)
        actual = both[f"{column}_marts"].astype(float).fillna(0)
        tolerance = 0 if column in COUNTS else 0.5
        for index in both.index[(expected - actual).abs() > tolerance][:5]:
            problems.append(f"{column} at {both.loc[index, keys].to_dict()}: "
                            f"marts {actual[index]:g}, truth {expected[index]:g}")
    return problems


def test_run_succeeds(simulated_run):
    _, outcome, _ = simulated_run
    assert outcome.success, outcome
    assert outcome.failed_checks == []


def test_simulation_exercises_the_edge_cases(simulated_run):
    _, _, truth_dir = simulated_run
    truth = pd.read_csv(truth_dir / "queue_daily.csv")
    for column in ("answered", "abandoned", "short_abandoned", "transferred", "blocked", "handled"):
        assert truth[column].sum() > 0, f"the simulation produced no {column}"
    entries = pd.read_csv(truth_dir / "queue_entries.csv")
    entered = pd.to_datetime(entries["entered_at"], utc=True)
    assert (entered.dt.date != pd.to_datetime(entries["report_date"]).dt.date).any(), \
        "no call was offered on a different UTC date than its site-local date"


def test_daily_marts_equal_the_ground_truth(simulated_run):
    settings, _, truth_dir = simulated_run
    keys = ["queue_name", "report_date"]
    truth = pd.read_csv(truth_dir / "queue_daily.csv", dtype={"queue_name": str, "report_date": str})
    problems = _compare(truth[keys + COUNTS + SECONDS], _marts(settings, "kpi_queue_daily", keys), keys)
    assert not problems, "\n".join(problems[:30])


def test_interval_marts_equal_the_ground_truth(simulated_run):
    settings, _, truth_dir = simulated_run
    # The site-local labels are compared too: they come from zoneinfo in the simulator and from
    # the warehouse's time zone data in the marts.
    keys = ["queue_name", "report_date", "interval_start", "interval_start_utc"]
    truth = pd.read_csv(truth_dir / "queue_interval.csv", dtype=str)
    truth["interval_start_utc"] = pd.to_datetime(truth["interval_start_utc"], utc=True).astype(str)
    truth["interval_start"] = pd.to_datetime(truth["interval_start"]).astype(str)
    marts = _marts(settings, "kpi_queue_interval", keys)
    marts["interval_start_utc"] = pd.to_datetime(marts["interval_start_utc"], utc=True).astype(str)
    marts["interval_start"] = pd.to_datetime(marts["interval_start"]).astype(str)
    problems = _compare(truth[keys + COUNTS + SECONDS], marts, keys)
    assert not problems, "\n".join(problems[:30])


def test_every_queue_entry_equals_the_ground_truth(simulated_run):
    """Per entry, so that errors cannot cancel out inside a day or an interval."""
    settings, _, truth_dir = simulated_run
    columns = ["queue_entry_id", "outcome", "wait_seconds", "talk_seconds", "hold_seconds", "acw_seconds",
               "is_transferred", "is_handled", "agent_id"]
    marts = pd.DataFrame(query(settings.warehouse_path, f"select {', '.join(columns)} from marts.fct_queue_calls"),
                         columns=columns)
    truth = pd.read_csv(truth_dir / "queue_entries.csv", dtype={"agent_id": str, "queue_entry_id": str})
    truth = truth[columns]
    merged = truth.merge(marts, on="queue_entry_id", how="outer", suffixes=("_truth", "_marts"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", "queue_entry_id"].head(10).tolist()
    problems = []
    for column in columns[1:]:
        expected, actual = merged[f"{column}_truth"], merged[f"{column}_marts"]
        if column.endswith("_seconds"):
            bad = (expected.fillna(0).astype(float) - actual.fillna(0).astype(float)).abs() > 0.5
        elif column.startswith("is_"):
            bad = expected.astype(str).str.lower() != actual.astype(str).str.lower()
        else:
            bad = expected.fillna("").astype(str) != actual.fillna("").astype(str)
        for _, row in merged[bad].head(3).iterrows():
            problems.append(f"{row['queue_entry_id']} {column}: marts {row[f'{column}_marts']}, truth {row[f'{column}_truth']}")
    assert not problems, "\n".join(problems)


def test_site_local_offset_changes_with_daylight_saving_time(simulated_run):
    settings, _, _ = simulated_run
    rows = query(settings.warehouse_path, """
        select report_date, min(epoch(interval_start) - epoch(interval_start_utc)),
               max(epoch(interval_start) - epoch(interval_start_utc))
        from marts.kpi_queue_interval group by report_date order by report_date""")
    offsets = {str(day): (low / 3600, high / 3600) for day, low, high in rows}
    assert offsets["2026-10-24"] == (2.0, 2.0)  # CEST
    assert offsets["2026-10-26"] == (1.0, 1.0)  # CET


def test_second_run_changes_no_mart(simulated_run):
    from cxpipe.runner import run_refresh

    settings, _, _ = simulated_run
    tables = ["fct_queue_calls", "kpi_queue_daily", "kpi_queue_interval", "dim_queues", "dim_agents",
              "fct_tickets", "fct_ticket_sla", "fct_ticket_backlog_daily", "kpi_ticket_daily", "kpi_channel_daily",
              "fct_agent_state_intervals", "fct_agent_schedule_intervals", "kpi_agent_daily", "kpi_cost_daily"]

    def snapshot() -> dict[str, list[str]]:
        # Sums of doubles may add up in another order: compare them to 9 significant digits.
        def row_text(row) -> str:
            return str(tuple(float(f"{v:.9g}") if isinstance(v, float) else v for v in row))

        return {t: sorted(map(row_text, query(settings.warehouse_path, f"select * from marts.{t}"))) for t in tables}

    before = snapshot()
    raw_counts = ("select (select count(*) from raw_telephony.queue_log_events), "
                  "(select count(*) from raw_zendesk.tickets), (select count(*) from raw_zendesk.ticket_events)")
    raw_before = query(settings.warehouse_path, raw_counts)
    assert run_refresh(settings).success
    after = snapshot()
    assert query(settings.warehouse_path, raw_counts) == raw_before
    assert after == before


def test_agent_days_equal_the_ground_truth(simulated_run):
    """Every agent-day's state, schedule and adherence times (cut at midnight, the 25-hour day
    included) equal the simulator's own timeline."""
    from cxpipe.verify import compare_agents_with_truth

    settings, _, truth_dir = simulated_run
    report = compare_agents_with_truth(settings.warehouse_path, truth_dir)
    assert report.matches, report.text()
    assert report.compared_rows >= 30
    truth = pd.read_csv(truth_dir / "agent_daily.csv")
    assert (truth["is_state_tracked"] == False).any(), "digital agents are scheduled too"  # noqa: E712
    assert (truth["adherent_seconds"] < truth["scheduled_seconds"]).any()


def test_agent_calls_equal_the_ground_truth(simulated_run):
    """Each agent's answered, handled and transferred calls and handle time, on the day offered."""
    settings, _, truth_dir = simulated_run
    entries = pd.read_csv(truth_dir / "queue_entries.csv", dtype={"agent_id": str, "report_date": str})
    answered = entries[entries["agent_id"].notna()].copy()
    answered["handled"] = answered["is_handled"].astype(str).str.lower() == "true"
    answered["transferred"] = answered["is_transferred"].astype(str).str.lower() == "true"
    answered["handle"] = (answered["talk_seconds"] + answered["hold_seconds"] + answered["acw_seconds"]).where(
        answered["handled"], 0)
    truth = answered.groupby(["agent_id", "report_date"]).agg(
        calls_answered=("queue_entry_id", "size"), calls_handled=("handled", "sum"),
        call_handle_seconds=("handle", "sum"), calls_transferred=("transferred", "sum")).reset_index()
    rows = query(settings.warehouse_path,
                 "select agent_id, cast(report_date as varchar), calls_answered, calls_handled, call_handle_seconds, "
                 "calls_transferred from marts.kpi_agent_daily where calls_answered > 0")
    marts = pd.DataFrame(rows, columns=list(truth.columns))
    merged = truth.merge(marts, on=["agent_id", "report_date"], how="outer", suffixes=("_truth", "_marts"))
    assert len(merged) == len(truth) == len(marts)
    for column in ("calls_answered", "calls_handled", "call_handle_seconds", "calls_transferred"):
        assert (merged[f"{column}_truth"] == merged[f"{column}_marts"]).all(), column


def test_cost_per_contact_adds_up_from_the_truth_and_the_seeds(simulated_run):
    """kpi_cost_daily's total per day = phone agents' logged-in hours and digital agents' scheduled
    hours (truth) at the seeds' hourly costs + the fixed costs of the channels in use."""
    from orchestration.dbt_project import DBT_PROJECT_DIR

    settings, _, truth_dir = simulated_run
    seeds = DBT_PROJECT_DIR / "seeds"
    rates = pd.read_csv(seeds / "agent_costs.csv").set_index("team_name")["hourly_cost"]
    fixed = pd.read_csv(seeds / "channel_costs.csv").set_index("channel")["fixed_cost_per_day"]
    agents = pd.read_csv(truth_dir / "agent_daily.csv", dtype={"agent_id": str})
    tracked = agents["is_state_tracked"].astype(str).str.lower() == "true"
    paid = agents["logged_in_seconds"].where(tracked, agents["scheduled_seconds"]).fillna(0)
    agents["cost"] = paid / 3600 * agents["team"].map(rates).fillna(rates["*"])
    expected_agent = agents.groupby("report_date")["cost"].sum()
    rows = query(settings.warehouse_path,
                 "select cast(report_date as varchar), channel, agent_cost, fixed_cost, handled_contacts "
                 "from marts.kpi_cost_daily")
    costs = pd.DataFrame(rows, columns=["report_date", "channel", "agent_cost", "fixed_cost", "handled"])
    in_use = set(costs.loc[costs["handled"] > 0, "channel"])
    # The truth covers the simulated days (the marts also hold the night after the last one).
    simulated = costs[costs["report_date"].isin(set(agents["report_date"]))]
    assert set(simulated["report_date"]) == set(agents["report_date"])
    for day, group in simulated.groupby("report_date"):
        assert float(group["agent_cost"].sum()) == pytest.approx(expected_agent[day], abs=0.01), day
        assert set(group["channel"]) - {"unallocated"} == in_use, day
        assert float(group["fixed_cost"].sum()) == pytest.approx(sum(fixed.get(c, 0) for c in in_use)), day


def test_forecast_and_staffing_cover_the_published_schedule(simulated_run):
    """The forecast starts the day after the history and runs 14 days; the staffing mart joins it
    with the published schedule (phone agents on shift); the history is too short for a backtest."""
    settings, _, _ = simulated_run
    days = query(settings.warehouse_path,
                 "select min(report_date), max(report_date), count(distinct report_date), "
                 "sum(scheduled_agents), min(required_positions) from marts.kpi_staffing_interval")[0]
    assert (str(days[0]), str(days[1]), days[2]) == ("2026-10-27", "2026-11-09", 14)
    assert days[3] > 0 and days[4] >= 0
    queues = query(settings.warehouse_path, "select count(distinct queue_name) from marts.fct_queue_interval_forecast")
    assert queues[0][0] >= 3
    assert query(settings.warehouse_path, "select count(*) from marts.fct_forecast_backtest") == [(0,)]
    # The forecast assets and the marts built from them carry the backtest as metadata (here: too
    # little history for one, which the metadata says).
    from dagster import AssetKey, DagsterInstance

    with DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        for key in (["forecast", "interval_staffing"], ["kpi_staffing_interval"], ["fct_queue_interval_forecast"]):
            event = instance.get_latest_materialization_event(AssetKey(key))
            assert event is not None, key
            metadata = event.asset_materialization.metadata
            assert "not enough history" in metadata["backtest"].value, (key, metadata)


TICKET_TEXT = ["channel", "is_outbound", "report_date", "status", "priority", "group_id", "group_name",
               "created_group_id", "solved_group_id", "assignee_id", "solved_assignee_id", "requester_id",
               "submitter_id", "schedule_id", "first_reply_agent_id", "solves", "reopens", "public_agent_replies", "internal_notes",
               "satisfaction_score"]
TICKET_TIMES = ["created_at", "first_reply_at", "first_solved_at", "last_solved_at"]
TICKET_MINUTES = [f"{metric}{kind}" for metric in ("first_reply", "first_resolution", "full_resolution")
                  for kind in ("_minutes", "_business_minutes")]


def _text(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).lower()


def test_every_ticket_equals_the_ground_truth(simulated_run):
    settings, _, truth_dir = simulated_run
    truth = pd.read_csv(truth_dir / "tickets.csv", dtype=str, keep_default_na=False).set_index("ticket_id")
    columns = ["ticket_id", *TICKET_TEXT, *TICKET_TIMES, *TICKET_MINUTES]
    rows = query(settings.warehouse_path, f"select {', '.join(columns)} from marts.fct_tickets")
    marts = pd.DataFrame(rows, columns=columns).astype({"ticket_id": str}).set_index("ticket_id")
    assert len(truth) > 200 and sorted(marts.index) == sorted(truth.index)
    problems = []
    for ticket_id, expected in truth.iterrows():
        actual = marts.loc[ticket_id]
        for column in TICKET_TEXT:
            if _text(actual[column]) != expected[column].lower():
                problems.append(f"ticket {ticket_id} {column}: marts {actual[column]!r}, truth {expected[column]!r}")
        for column in TICKET_TIMES:
            value = actual[column]
            text = "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%dT%H:%M:%SZ")
            if text != expected[column]:
                problems.append(f"ticket {ticket_id} {column}: marts {text}, truth {expected[column]}")
        for column in TICKET_MINUTES:
            value, want = actual[column], expected[column]
            if (want == "") != (value is None or pd.isna(value)) or (want and abs(float(want) - value) > 0.001):
                problems.append(f"ticket {ticket_id} {column}: marts {value}, truth {want!r}")
    assert problems == [], "\n".join(problems[:20])


def test_ticket_days_equal_the_ground_truth(simulated_run):
    from cxpipe.verify import compare_tickets_with_truth

    settings, _, truth_dir = simulated_run
    report = compare_tickets_with_truth(settings.warehouse_path, truth_dir)
    assert report.matches, report.text()
    truth = pd.read_csv(truth_dir / "ticket_daily.csv")
    for column in ("created", "deleted", "solved", "backlog", "full_resolution_count"):
        assert truth[column].sum() > 0, f"the simulation produced no {column}"


def test_every_sla_clock_equals_the_ground_truth(simulated_run):
    settings, _, truth_dir = simulated_run
    truth = pd.read_csv(truth_dir / "ticket_sla.csv", dtype=str, keep_default_na=False)
    rows = query(settings.warehouse_path, (
        "select cast(ticket_id as varchar), metric, cast(instance as varchar), cast(sla_policy_id as varchar), "
        "priority, cast(target_minutes as varchar), in_business_hours, started_at, fulfilled_at, "
        "elapsed_minutes, is_breached from marts.fct_ticket_sla"))
    marts = {(r[0], r[1], r[2]): r[3:] for r in rows}
    expected = {(r.ticket_id, r.metric, r.instance): r for r in truth.itertuples(index=False)}
    assert set(marts) == set(expected)
    assert {key[1] for key in expected} == {"first_reply_time", "next_reply_time", "requester_wait_time"}
    assert truth["breached"].eq("true").any() and truth["breached"].eq("").any()
    problems = []
    for key, want in expected.items():
        policy, priority, target, business, started, fulfilled, elapsed, breached = marts[key]
        got = (policy, priority, target, _text(business), started.strftime("%Y-%m-%dT%H:%M:%SZ"),
               "" if fulfilled is None else fulfilled.strftime("%Y-%m-%dT%H:%M:%SZ"), _text(breached))
        wanted = (want.policy_id, want.priority, want.target_minutes, want.business_hours, want.started_at,
                  want.fulfilled_at, want.breached)
        if got != wanted or abs(float(want.elapsed_minutes) - elapsed) > 0.001:
            problems.append(f"{key}: marts {got} {elapsed}, truth {wanted} {want.elapsed_minutes}")
    assert problems == [], "\n".join(problems[:20])


def test_channel_mix_holds_voice_and_digital(simulated_run):
    settings, _, truth_dir = simulated_run
    entries = pd.read_csv(truth_dir / "queue_entries.csv", dtype=str)
    calls = entries.sort_values("entered_at").groupby("callid")["report_date"].first().value_counts()
    tickets = pd.read_csv(truth_dir / "tickets.csv", dtype=str)
    tickets = tickets[tickets["status"] != "deleted"]
    rows = query(settings.warehouse_path, (
        "select cast(report_date as varchar), channel, medium, inbound_contacts, outbound_contacts, inbound_share "
        "from marts.kpi_channel_daily"))
    mix = {(day, channel): (medium, inbound, outbound, share) for day, channel, medium, inbound, outbound, share in rows}
    for day, count in calls.items():
        assert mix[(day, "voice")][:3] == ("voice", count, 0)
    for (day, channel), group in tickets.groupby(["report_date", "channel"]):
        outbound = int((group["is_outbound"] == "true").sum())
        assert mix[(day, channel)][:3] == ("digital", len(group) - outbound, outbound)
    for day in {d for d, _ in mix}:
        assert abs(sum(v[3] for (d, _), v in mix.items() if d == day) - 1) < 1e-9


@pytest.fixture(scope="module")
def late_data_run(tmp_path_factory):
    """Day one's files are first delivered cut in the middle of the day (calls still waiting or
    talking), then complete: the grown files' new lines and the late end events must give the
    same marts as the ground truth."""
    import shutil

    from cxpipe.runner import run_refresh
    from orchestration.settings import Settings
    from simulator import SimulationConfig, simulate

    with kept_cxpipe_environment():
        base = tmp_path_factory.mktemp("late")
        complete = base / "complete"
        simulate(SimulationConfig(start=date(2026, 10, 13), days=2, seed=11, site_timezone="America/Chicago",
                                  agents=8, calls_per_day=300, schedule_horizon_days=1), out_dir=complete)
        landing = base / "landing"
        shutil.copytree(complete, landing, ignore=shutil.ignore_patterns("ground_truth"))
        cut_files = []
        for folder in ("queue_log", "cdr", "agent_states"):
            for path in sorted((landing / "telephony" / folder).iterdir()):
                lines = path.read_text().splitlines(keepends=True)
                if len(lines) > 100:
                    path.write_text("".join(lines[: len(lines) // 2]))
                    cut_files.append(path)
        settings = Settings(landing_dir=landing, warehouse_path=base / "warehouse.duckdb",
                            site_timezone="America/Chicago", state_dir=base / "state")
        first = run_refresh(settings)
        open_after_first = query(settings.warehouse_path,
                                 "select count(*) from marts.fct_queue_calls where outcome in ('in_progress', 'lost') "
                                 "or (outcome = 'answered' and not is_handled)")[0][0]
        for path in cut_files:
            shutil.copyfile(complete / path.relative_to(landing), path)
        second = run_refresh(settings)
        yield settings, first, second, open_after_first, complete / "ground_truth", cut_files


def test_late_lines_complete_the_open_entries(late_data_run):
    settings, first, second, open_after_first, truth_dir, cut_files = late_data_run
    assert first.success and second.success
    assert cut_files, "the simulation was too small to cut any file"
    assert open_after_first > 0, "cutting the files left no call open: the test would prove nothing"
    keys = ["queue_name", "report_date"]
    truth = pd.read_csv(truth_dir / "queue_daily.csv", dtype={"queue_name": str, "report_date": str})
    problems = _compare(truth[keys + COUNTS + SECONDS], _marts(settings, "kpi_queue_daily", keys), keys)
    assert not problems, "\n".join(problems[:30])
    duplicates = query(settings.warehouse_path, """
        select count(*) from (select source_file, line_number from raw_telephony.queue_log_events
                              group by source_file, line_number having count(*) > 1) d""")[0][0]
    assert duplicates == 0


def test_asterisk_log_rotation_loads_every_line_once(tmp_path, deployment):
    """The live log is always `queue_log`; logrotate renames it to queue_log.1, .2, ... Each day's
    log is loaded while it is live (the telephony load of the pipeline, as the landing sensor
    would start it), then rotated; the run after the last rotation loads nothing twice and its
    marts equal the ground truth. (The rotation rules themselves: tests/integration.)"""
    import shutil

    from cxpipe.runner import run_refresh
    from ingestion.pipelines import make_pipeline
    from ingestion.telephony import telephony
    from simulator import SimulationConfig, simulate

    complete = tmp_path / "complete"
    simulate(SimulationConfig(start=date(2026, 10, 13), days=2, seed=5, site_timezone="UTC",
                              agents=8, calls_per_day=250, schedule_horizon_days=0), out_dir=complete)
    settings = deployment(timezone="UTC")
    landing = settings.landing_dir
    for folder in ("cdr", "agent_states"):
        shutil.copytree(complete / "telephony" / folder, landing / "telephony" / folder)
    live = landing / "telephony" / "queue_log" / "queue_log"
    live.parent.mkdir(parents=True)
    days = sorted((complete / "telephony" / "queue_log").iterdir())
    assert len(days) >= 2
    for number, day_file in enumerate(days):
        for older in range(number - 1, 0, -1):  # queue_log.1 -> queue_log.2, ...
            rotated = live.with_name(f"queue_log.{older}")
            rotated.rename(live.with_name(f"queue_log.{older + 1}"))
        if live.exists():
            live.rename(live.with_name("queue_log.1"))
        shutil.copyfile(day_file, live)
        if number < len(days) - 1:  # the last one: by the pipeline run below
            pipeline = make_pipeline(settings.warehouse_path, pipelines_dir=settings.dlt_pipelines_dir, progress=None)
            pipeline.run(telephony(landing_dir=str(landing))).raise_on_failed_jobs()
    assert run_refresh(settings, start=date(2026, 10, 13), end=date(2026, 10, 14)).success
    loaded = query(settings.warehouse_path, "select count(*) from raw_telephony.queue_log_events")[0][0]
    quarantined = query(settings.warehouse_path, "select count(*) from raw_telephony.quarantine")[0][0]
    lines = sum(len([line for line in path.read_text().splitlines() if line.strip()]) for path in days)
    assert loaded + quarantined == lines
    assert sorted(path.name for path in live.parent.iterdir()) == sorted(
        ["queue_log", *(f"queue_log.{n}" for n in range(1, len(days)))])
    keys = ["queue_name", "report_date"]
    truth = pd.read_csv(complete / "ground_truth" / "queue_daily.csv", dtype={"queue_name": str, "report_date": str})
    problems = _compare(truth[keys + COUNTS + SECONDS], _marts(settings, "kpi_queue_daily", keys), keys)
    assert not problems, "\n".join(problems[:30])
