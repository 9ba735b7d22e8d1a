"""`simulate()`: run a configured simulation into a landing folder and report what was written."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from simulator.config import WEEKDAYS, SimulationConfig
from simulator.cx.capture import CallCapture, CapturingTruthBook, CapturingWriter
from simulator.cx.files import CRM_DIR, IVR_DIR, SURVEY_TOOLS, SURVEYS_DIR
from simulator.cx.simulation import simulate_cx
from simulator.engine import Engine
from simulator.helpdesk.data import FILES as HELPDESK_FILES
from simulator.helpdesk.data import render
from simulator.helpdesk.simulation import simulate_helpdesk
from simulator.helpdesk.truth import helpdesk_setup, write_ticket_truth
from simulator.truth import KPI_COLUMNS, TruthBook
from simulator.wfm import WFM_DIR, horizon_days, plan_digital, plan_voice, shifts_between, write_schedules
from simulator.wfm_truth import AgentDayBook, write_expected_intervals
from simulator.writers import AGENT_STATES_DIR, CDR_DIR, QUEUE_LOG_DIR, LandingWriter

Progress = Callable[[int, int, str], None]

TRUTH_DIR = Path("ground_truth")
HELPDESK_DIR = Path("helpdesk")
SIMULATOR_VERSION = 1

#: Names this simulator writes (used by `clean=True` to remove files of an earlier run only).
_OWN_FILES = {
    QUEUE_LOG_DIR: re.compile(r"^queue_log-\d{8}$"),
    CDR_DIR: re.compile(r"^Master-\d{8}\.csv$"),
    AGENT_STATES_DIR: re.compile(r"^agent_states-\d{8}\.csv$"),
    TRUTH_DIR: re.compile(r"^(queue_entries|queue_daily|queue_interval|tickets|ticket_daily|ticket_sla"
                          r"|contacts|cx_daily|customer_monthly|customer_experience|agent_daily|expected_interval)"
                          r"\.csv$|^simulation\.json$"),
    WFM_DIR: re.compile(r"^schedule-(digital-)?\d{8}\.csv$"),
    HELPDESK_DIR: re.compile("^(" + "|".join(re.escape(name) for name in HELPDESK_FILES) + ")$"),
    CRM_DIR: re.compile(r"^(customers|contracts|orders)-\d{8}\.csv$"),
    IVR_DIR: re.compile(r"^ivr_sessions-\d{8}\.csv$"),
    **{SURVEYS_DIR / tool: re.compile(r"^responses-\d{8}\.csv$") for tool in SURVEY_TOOLS},
}


@dataclass(frozen=True)
class SimulationResult:
    """What a run wrote: every file, the number of queue entries (and tickets), where the truth
    is, and totals. `helpdesk_dir` is None when the helpdesk was off."""

    files: list[Path]
    entries: int
    truth_dir: Path
    out_dir: Path
    summary: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    tickets: int = 0
    helpdesk_dir: Path | None = None
    customers: int = 0


def simulate(cfg: SimulationConfig, out_dir: Path | str, progress: Progress | None = None, *,
             clean: bool = False) -> SimulationResult:
    """Simulate `cfg` and write the landing files and the ground truth under `out_dir`.

    With `cfg.helpdesk`, the helpdesk is simulated too (after the calls, on its own random
    streams): its data goes to `out_dir/helpdesk/*.json` and its truth to
    ground_truth/tickets.csv and ticket_daily.csv. With `cfg.cx`, the customer-experience
    sources follow (after both, on their own streams): `crm/`, `ivr/`, `surveys/` and the truth
    files contacts.csv, cx_daily.csv, customer_monthly.csv and customer_experience.csv. The planned
    schedules are published as `wfm/schedule-YYYYMMDD.csv` (and `schedule-digital-` with the
    helpdesk) up to `schedule_horizon_days` after the last day, with the truth files
    agent_daily.csv (agent time against the schedule) and expected_interval.csv (the traffic
    model's expectation for the horizon).

    progress(done_days, total_days, message) is called after each simulated day and once more
    when the files are complete. With `clean=True`, files that an earlier simulator run left in
    the landing folders (recognised by this simulator's file names only) are removed first, so a
    shorter or shifted run does not leave stale days behind; no other file is ever touched.
    """
    began = time.perf_counter()
    out_dir = Path(out_dir)
    if clean:
        remove_simulated_files(out_dir)
    capture = CallCapture() if cfg.cx else None
    if capture is not None:   # the same writer and truth book, noting calls for the CX part
        writer: LandingWriter = CapturingWriter(out_dir, capture)
        truth: TruthBook = CapturingTruthBook(cfg, out_dir / TRUTH_DIR, capture)
    else:
        writer = LandingWriter(out_dir)
        truth = TruthBook(cfg, out_dir / TRUTH_DIR)
    engine = Engine(cfg, writer, truth)
    # The planned schedules need no random draws, so planning them (the horizon too) before the
    # run changes nothing in it; the agent truth intersects the states with them as they happen.
    voice_schedule = plan_voice(cfg, engine.workforce)
    last_day = cfg.start + timedelta(days=cfg.days - 1)
    agent_book = AgentDayBook(cfg, engine.workforce.agents,
                              shifts_between(voice_schedule, cfg.start - timedelta(days=1), last_day))
    engine.agent_book = agent_book
    engine.run(progress)
    landing_files = writer.close()
    summary = _summary(cfg, engine, truth)
    helpdesk_files: list[Path] = []
    ticket_truth_files: list[Path] = []
    tickets = 0
    setup: dict[str, Any] = {}
    helpdesk = None
    if cfg.helpdesk:
        # After the voice run and on its own random streams: the voice files do not depend on it.
        helpdesk = simulate_helpdesk(cfg)
        helpdesk_files = render(helpdesk).save(out_dir / HELPDESK_DIR)
        ticket_truth_files, summary["helpdesk"] = write_ticket_truth(helpdesk, out_dir / TRUTH_DIR)
        tickets = len(helpdesk.tickets)
        setup["helpdesk"] = helpdesk_setup(helpdesk)
    digital_schedule = plan_digital(cfg, helpdesk.directory) if helpdesk is not None else {}
    wfm_files = write_schedules(out_dir, voice_schedule, digital_schedule)
    wfm_truth_files = [
        agent_book.close(out_dir / TRUTH_DIR / "agent_daily.csv",
                                shifts_between(digital_schedule, cfg.start - timedelta(days=1), last_day)),
        write_expected_intervals(cfg, horizon_days(cfg), out_dir / TRUTH_DIR / "expected_interval.csv"),
    ]
    summary["agent_time"] = agent_book.summary()
    cx_files: list[Path] = []
    cx_truth_files: list[Path] = []
    customers = 0
    if capture is not None:
        # Last, reading the voice and helpdesk records only: their files do not depend on it.
        cx = simulate_cx(cfg, capture.calls(), engine.callers.pool, helpdesk, out_dir, out_dir / TRUTH_DIR)
        cx_files, cx_truth_files, summary["cx"], customers = cx.landing_files, cx.truth_files, cx.summary, cx.customers
    truth_files = truth.close({
        "simulator_version": SIMULATOR_VERSION,
        "config": cfg.to_json(),
        "ground_truth_settings": {
            "site_timezone": cfg.site_timezone,
            "service_level_seconds": cfg.service_level_seconds,
            "short_abandon_seconds": cfg.short_abandon_seconds,
            "interval_minutes": cfg.interval_minutes,
        },
        "agents": [
            {
                "agent_id": a.agent_id, "agent_name": a.name, "team": a.team,
                "skills": {cfg.queues[q].name: penalty for q, penalty in a.skills},
                "night_shift": a.night,
                "days_off": [WEEKDAYS[d] for d in sorted(a.days_off)],
            }
            for a in engine.workforce.agents
        ],
        "calendar": [vars(day) for day in engine.calendar],
        "summary": summary,
        **setup,
    })
    files = (sorted(landing_files + helpdesk_files + cx_files + wfm_files) + truth_files + wfm_truth_files
             + ticket_truth_files + cx_truth_files)
    seconds = time.perf_counter() - began
    if progress is not None:
        tickets_text = f", {tickets} tickets" if cfg.helpdesk else ""
        customers_text = f", {customers} customers" if cfg.cx else ""
        progress(cfg.days, cfg.days, f"wrote {len(files)} files, {truth.entries} queue entries{tickets_text}"
                                     f"{customers_text} in {seconds:.1f} s")
    return SimulationResult(files=files, entries=truth.entries, truth_dir=out_dir / TRUTH_DIR,
                            out_dir=out_dir, summary=summary, seconds=seconds, tickets=tickets,
                            helpdesk_dir=out_dir / HELPDESK_DIR if cfg.helpdesk else None, customers=customers)


def _summary(cfg: SimulationConfig, engine: Engine, truth: TruthBook) -> dict[str, Any]:
    """Totals over the run, with the service level as the KPI sheet defines it."""
    totals = dict.fromkeys(KPI_COLUMNS, 0)
    for counts in truth.daily_totals().values():
        for name, value in counts.items():
            totals[name] = max(totals[name], value) if name == "max_wait_seconds" else totals[name] + value
    eligible = totals["offered"] - totals["short_abandoned"]
    return {
        "new_calls": sum(day.new_calls for day in engine.calendar),
        "queue_entries": truth.entries,
        "outcomes": dict(truth.outcome_counts),
        "service_level": round(totals["answered_within_sl"] / eligible, 4) if eligible else None,
        "abandon_rate": round((totals["abandoned"] - totals["short_abandoned"]) / eligible, 4) if eligible else None,
        "totals": totals,
    }


def remove_simulated_files(out_dir: Path) -> list[Path]:
    """Delete files with this simulator's names from the landing and truth folders."""
    removed = []
    for folder, pattern in _OWN_FILES.items():
        directory = out_dir / folder
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            if path.is_file() and pattern.match(path.name):
                path.unlink()
                removed.append(path)
    return removed
