"""The ground truth: KPI counts computed in Python from the simulation's own visit records.

The engine hands over one `VisitRecord` per queue visit when the visit is final (after the agent's
after-call work for answered calls). This module applies the rules of docs/decisions.md (D1-D6)
to those records, never to the written files, so that comparing the pipeline's marts with these
files tests the pipeline rather than the parser twice.

Files (in `ground_truth/`): queue_entries.csv (one row per visit, written as the simulation goes),
queue_daily.csv and queue_interval.csv (one row per queue per site-local day / interval with
offered > 0) and simulation.json (the config, the settings used here, a per-day calendar and
totals).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from simulator.clock import interval_floor, iso_utc
from simulator.config import SimulationConfig

ANSWERED = "answered"
ABANDONED = "abandoned"
TIMED_OUT = "timed_out"
EXITED_WITH_KEY = "exited_with_key"
EXITED_EMPTY = "exited_empty"
BLOCKED = "blocked"
OUTCOMES = (ANSWERED, ABANDONED, TIMED_OUT, EXITED_WITH_KEY, EXITED_EMPTY, BLOCKED)

KPI_COLUMNS = (
    "offered", "answered", "abandoned", "short_abandoned", "abandoned_within_sl",
    "answered_within_sl", "timed_out", "exited_with_key", "exited_empty", "blocked",
    "blocked_empty", "blocked_full", "blocked_closed", "blocked_diverted", "transferred",
    "handled", "answered_wait_seconds", "abandoned_wait_seconds", "max_wait_seconds",
    "talk_seconds", "hold_seconds", "acw_seconds",
)
_COL = {name: i for i, name in enumerate(KPI_COLUMNS)}
_MAX_WAIT = _COL["max_wait_seconds"]

ENTRY_COLUMNS = (
    "queue_entry_id", "callid", "queue_name", "entry_seq", "entered_at", "report_date",
    "interval_start", "interval_start_utc", "outcome", "blocked_reason", "wait_seconds",
    "connected_seconds", "talk_seconds", "hold_seconds", "acw_seconds", "is_transferred",
    "is_handled", "agent_id",
)


@dataclass(frozen=True, slots=True)
class VisitRecord:
    """One finished queue visit, as the simulation knows it."""

    order: int              # creation order, breaks ties of entered_at
    callid: str
    queue: str
    entry_seq: int          # 1 for the call's first visit to this queue, 2 for a return, ...
    entered_at: int         # epoch of ENTERQUEUE (or of the blocking event)
    outcome: str
    blocked_reason: str     # "empty" / "full" for blocked visits, else ""
    wait_seconds: int
    connected_seconds: int  # CONNECT to the end of the agent's part (= CDR billsec)
    hold_seconds: int
    acw_seconds: int
    transferred: bool
    handled: bool
    agent_id: str


def kpi_counts(record: VisitRecord, cfg: SimulationConfig) -> list[int]:
    """The KPI count/sum columns that one visit contributes (decisions.md D2-D5)."""
    values = [0] * len(KPI_COLUMNS)
    wait = record.wait_seconds
    values[_COL["offered"]] = 1
    values[_MAX_WAIT] = wait
    outcome = record.outcome
    if outcome == ANSWERED:
        values[_COL["answered"]] = 1
        values[_COL["answered_within_sl"]] = int(wait <= cfg.service_level_seconds)
        values[_COL["answered_wait_seconds"]] = wait
        values[_COL["transferred"]] = int(record.transferred)
        if record.handled:
            values[_COL["handled"]] = 1
            values[_COL["talk_seconds"]] = record.connected_seconds - record.hold_seconds
            values[_COL["hold_seconds"]] = record.hold_seconds
            values[_COL["acw_seconds"]] = record.acw_seconds
    elif outcome == ABANDONED:
        values[_COL["abandoned"]] = 1
        values[_COL["short_abandoned"]] = int(wait < cfg.short_abandon_seconds)
        values[_COL["abandoned_within_sl"]] = int(wait <= cfg.service_level_seconds)
        values[_COL["abandoned_wait_seconds"]] = wait
    elif outcome == TIMED_OUT:
        values[_COL["timed_out"]] = 1
    elif outcome == EXITED_WITH_KEY:
        values[_COL["exited_with_key"]] = 1
    elif outcome == EXITED_EMPTY:
        values[_COL["exited_empty"]] = 1
    elif outcome == BLOCKED:
        values[_COL["blocked"]] = 1
        if record.blocked_reason == "empty":
            values[_COL["blocked_empty"]] = 1
            values[_COL["exited_empty"]] = 1   # D2: a JOINEMPTY is also exited_empty
        elif record.blocked_reason == "full":
            values[_COL["blocked_full"]] = 1
    else:
        raise ValueError(f"unknown outcome {outcome!r}")
    return values


def _add(into: list[int], values: list[int]) -> None:
    for i, value in enumerate(values):
        if i == _MAX_WAIT:
            if value > into[i]:
                into[i] = value
        else:
            into[i] += value


class TruthBook:
    """Collects finished visits, writes entry rows in time order and the aggregates at the end."""

    def __init__(self, cfg: SimulationConfig, truth_dir: Path) -> None:
        self.cfg = cfg
        self.tz = ZoneInfo(cfg.site_timezone)
        self.dir = truth_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self._pending: list[tuple[int, int, str]] = []   # (entered_at, order, csv row)
        self._daily: dict[tuple[str, str], list[int]] = {}
        self._interval: dict[tuple[str, int], tuple[str, str, list[int]]] = {}
        self.entries = 0
        self.outcome_counts = {outcome: 0 for outcome in OUTCOMES}
        self._entries_path = self.dir / "queue_entries.csv"
        # Kept open for the whole run: rows are streamed day by day and closed in close().
        self._entries_file: TextIO = open(self._entries_path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._entries_file.write(",".join(ENTRY_COLUMNS) + "\n")

    def add(self, record: VisitRecord) -> None:
        """Account one finished visit."""
        local_start, start_epoch = interval_floor(record.entered_at, self.tz, self.cfg.interval_minutes)
        report_date = local_start.date().isoformat()
        interval_local = local_start.strftime("%Y-%m-%d %H:%M:%S")
        values = kpi_counts(record, self.cfg)
        day_key = (record.queue, report_date)
        if day_key not in self._daily:
            self._daily[day_key] = [0] * len(KPI_COLUMNS)
        _add(self._daily[day_key], values)
        interval_key = (record.queue, start_epoch)
        if interval_key not in self._interval:
            self._interval[interval_key] = (report_date, interval_local, [0] * len(KPI_COLUMNS))
        _add(self._interval[interval_key][2], values)
        self.entries += 1
        self.outcome_counts[record.outcome] += 1
        answered = record.outcome == ANSWERED
        row = ",".join((
            f"{record.callid}|{record.queue}|{record.entry_seq}",
            record.callid,
            record.queue,
            str(record.entry_seq),
            iso_utc(record.entered_at),
            report_date,
            interval_local,
            iso_utc(start_epoch),
            record.outcome,
            record.blocked_reason,
            str(record.wait_seconds),
            str(record.connected_seconds),
            str(record.connected_seconds - record.hold_seconds),
            str(record.hold_seconds),
            str(record.acw_seconds),
            "true" if record.transferred else "false",
            "true" if record.handled else "false",
            record.agent_id if answered else "",
        ))
        self._pending.append((record.entered_at, record.order, row))

    def flush(self, before: int | None = None) -> None:
        """Write the entry rows that entered before `before` (all when None), in time order.

        The engine passes the entry time of the oldest visit still open, so no later row can
        sort before what is already written.
        """
        if before is None:
            ready, self._pending = self._pending, []
        else:
            ready = [item for item in self._pending if item[0] < before]
            self._pending = [item for item in self._pending if item[0] >= before]
        ready.sort()
        self._entries_file.writelines(row + "\n" for _, _, row in ready)

    def close(self, simulation: dict[str, Any]) -> list[Path]:
        """Write the remaining rows, the daily and interval aggregates and simulation.json."""
        self.flush()
        self._entries_file.close()
        daily_path = self.dir / "queue_daily.csv"
        daily = sorted(self._daily.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        _write_csv(daily_path, ("queue_name", "report_date", *KPI_COLUMNS),
                   ((queue, day, *values) for (queue, day), values in daily))
        interval_path = self.dir / "queue_interval.csv"
        intervals = sorted(self._interval.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        _write_csv(interval_path, ("queue_name", "report_date", "interval_start", "interval_start_utc", *KPI_COLUMNS),
                   ((queue, day, local, iso_utc(start), *values) for (queue, start), (day, local, values) in intervals))
        json_path = self.dir / "simulation.json"
        with open(json_path, "w", encoding="utf-8", newline="") as handle:
            json.dump(simulation, handle, indent=2, sort_keys=True)
            handle.write("\n")
        return [self._entries_path, daily_path, interval_path, json_path]

    def daily_totals(self) -> dict[tuple[str, str], dict[str, int]]:
        """The daily aggregates as dicts (for summaries and tests)."""
        return {key: dict(zip(KPI_COLUMNS, values, strict=True)) for key, values in self._daily.items()}


def _write_csv(path: Path, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(header) + "\n")
        for row in rows:
            handle.write(",".join(str(v) for v in row) + "\n")
