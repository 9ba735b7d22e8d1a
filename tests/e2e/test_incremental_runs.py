"""Runs for the days as they come give the marts of one full refresh (issue 6, D31).

The simulator's three days across the autumn DST change in Europe/Berlin are delivered in two
parts, each followed by a run for its days: the first two days (a range, as a backfill makes it),
then the third day (as the daily schedule makes it). The call records (CDR), agent states and
survey answers of the second day arrive a day late, with the third day's files, so the second
day's incremental marts are first built without them and corrected by the third day's run (its
window reaches back to the late rows' day; the lookback is one day, CXPIPE_LOOKBACK_DAYS=1). Every
mart must then equal the marts of one run over all the files."""

from __future__ import annotations

import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import kept_cxpipe_environment, query

pytestmark = pytest.mark.e2e

DAYS = [date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26)]
LATE_DAY = DAYS[1]
#: The runs: their first and last day. The first run's files are those of the first two days.
RUNS = [(DAYS[0], DAYS[1]), (DAYS[2], DAYS[2])]
#: Feeds of the second day that arrive with the third day's files.
LATE_FOLDERS = ("telephony/cdr", "telephony/agent_states", "surveys")
INCREMENTAL_MARTS = ["fct_queue_calls", "kpi_queue_interval", "kpi_queue_daily", "fct_agent_state_intervals"]
_DAY_IN_NAME = re.compile(r"(20\d{6})")
_VERSION = re.compile(r"@\d+(\.\d+)?")


def _file_day(path: Path) -> date | None:
    found = _DAY_IN_NAME.search(path.name)
    return date(int(found[1][:4]), int(found[1][4:6]), int(found[1][6:])) if found else None


def _deliver(complete: Path, landing: Path, paths: list[Path]) -> None:
    for path in paths:
        target = landing / path.relative_to(complete)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def _deliveries(complete: Path) -> list[list[Path]]:
    """The files delivered before each run. Files are named by the day they were written (UTC):
    each run gets the files up to its last day, the last run also the night after. The schedules
    are published ahead and the CRM's full exports are snapshots: all with the first run."""
    files = sorted(p for p in complete.rglob("*") if p.is_file() and "ground_truth" not in p.parts)
    batches: list[list[Path]] = [[] for _ in RUNS]
    for path in files:
        relative = path.relative_to(complete).as_posix()
        day = _file_day(path)
        if day is None or relative.startswith("wfm/") or relative.startswith(("crm/customers", "crm/contracts")):
            batches[0].append(path)
            continue
        index = next((n for n, (_, last) in enumerate(RUNS) if day <= last), len(RUNS) - 1)
        if day == LATE_DAY and relative.startswith(LATE_FOLDERS):
            index += 1
        batches[index].append(path)
    return batches


@pytest.fixture(scope="module")
def full_and_daily(tmp_path_factory):
    from cxpipe.runner import run_refresh
    from orchestration.settings import Settings
    from simulator import SimulationConfig, simulate

    with kept_cxpipe_environment():
        os.environ["CXPIPE_LOOKBACK_DAYS"] = "1"
        base = tmp_path_factory.mktemp("incremental")
        complete = base / "complete"
        simulate(SimulationConfig(start=DAYS[0], days=len(DAYS), seed=7, site_timezone="Europe/Berlin",
                                  agents=6, calls_per_day=200, helpdesk=False, schedule_horizon_days=1),
                 out_dir=complete)

        def settings(name: str, landing: Path) -> Settings:
            return Settings(landing_dir=landing, warehouse_path=base / name / "warehouse.duckdb",
                            site_timezone="Europe/Berlin", state_dir=base / name / "state", zendesk="off")

        full = settings("full", complete)
        full_outcome = run_refresh(full)

        daily = settings("daily", base / "landing")
        daily.landing_dir.mkdir()
        batches = _deliveries(complete)
        outcomes, late_day_marts = [], []
        for (first, last), batch in zip(RUNS, batches):
            _deliver(complete, daily.landing_dir, batch)
            outcomes.append(run_refresh(daily, start=first, end=last))
            late_day_marts.append(_late_day_figures(daily.warehouse_path))
        yield full, full_outcome, daily, outcomes, batches, late_day_marts


def _late_day_figures(warehouse: Path) -> tuple:
    return query(warehouse, f"""
        select (select sum(logged_in_seconds) from marts.kpi_agent_daily where report_date = date '{LATE_DAY}'),
               (select sum(state_seconds) from marts.fct_agent_state_intervals where report_date = date '{LATE_DAY}'),
               (select count(*) filter (where is_handled) from marts.fct_queue_calls where report_date = date '{LATE_DAY}')
        """)[0]


def test_every_run_succeeds_and_some_files_came_late(full_and_daily):
    _, full_outcome, _, outcomes, batches, _ = full_and_daily
    assert full_outcome.success
    assert [outcome.success for outcome in outcomes] == [True] * len(RUNS)
    assert [(outcome.first_day, outcome.last_day) for outcome in outcomes] == RUNS
    late = [path for path in batches[1] if _file_day(path) == LATE_DAY]
    assert {path.parent.name for path in late} >= {"cdr", "agent_states"}, late
    assert any("surveys" in path.parts for path in late), late


def _marts(warehouse: Path) -> list[str]:
    return [name for (name,) in query(
        warehouse, "select table_name from information_schema.tables where table_schema = 'marts' order by 1")]


def _rows(warehouse: Path, table: str, last_day: date) -> list[str]:
    columns = [name for (name,) in query(
        warehouse, "select column_name from information_schema.columns where table_schema = 'marts' "
                   "and table_name = ? order by ordinal_position", [table])]
    where = f"where report_date <= date '{last_day}'" if "report_date" in columns else ""

    # Sums of doubles may add up in another order: compare them to 9 significant digits. Record
    # ids name the file version they were read from (`@<modification time>`): the two landing
    # folders' copies were written at other times.
    def value(v):
        if isinstance(v, float):
            return float(f"{v:.9g}")
        return _VERSION.sub("@", v) if isinstance(v, str) else v

    def text(row) -> str:
        return str(tuple(value(v) for v in row))

    return sorted(map(text, query(warehouse, f"select * from marts.{table} {where}")))


def test_the_late_day_was_corrected_by_the_next_run(full_and_daily):
    """Proof that the test exercises late data: the second day's marts after its own run (without
    its agent states and call records) differ from the final ones, which the third day's run
    (partition 2026-10-26) rebuilt; they equal the full refresh's."""
    full, _, _, _, _, late_day_marts = full_and_daily
    after_own_run, after_next_run = late_day_marts
    assert after_own_run != after_next_run
    assert after_next_run == _late_day_figures(full.warehouse_path)


def test_day_by_day_runs_equal_one_full_refresh(full_and_daily):
    full, _, daily, _, _, _ = full_and_daily
    marts = _marts(full.warehouse_path)
    assert set(INCREMENTAL_MARTS) <= set(marts)
    assert _marts(daily.warehouse_path) == marts
    # The forecast is issued from the latest data: the full refresh also holds the night after the
    # last day (partition not run day by day), so the forecast marts are compared by their shape.
    forecast = {"fct_queue_interval_forecast", "fct_forecast_backtest", "kpi_staffing_interval"}
    differing = []
    for table in marts:
        if table in forecast:
            continue
        expected, actual = _rows(full.warehouse_path, table, DAYS[-1]), _rows(daily.warehouse_path, table, DAYS[-1])
        if expected != actual:
            only_full = sorted(set(expected) - set(actual))[:3]
            only_daily = sorted(set(actual) - set(expected))[:3]
            differing.append(f"{table}: full refresh only {only_full}; day by day only {only_daily}")
    assert not differing, "\n".join(differing)
    def count(warehouse: Path, table: str) -> int:
        return query(warehouse, f"select count(*) from marts.{table}")[0][0]

    for table in forecast:
        assert (count(daily.warehouse_path, table) > 0) == (count(full.warehouse_path, table) > 0), table
    assert count(daily.warehouse_path, "kpi_staffing_interval") > 0
