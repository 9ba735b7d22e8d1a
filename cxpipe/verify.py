"""Compare the voice and ticket marts with the simulator's ground truth (used by `cxpipe demo`).

The end-to-end tests do their own comparison; this one is for a person watching the demo.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

COUNT_COLUMNS = [
    "offered", "answered", "abandoned", "short_abandoned", "abandoned_within_sl", "answered_within_sl",
    "timed_out", "exited_with_key", "exited_empty", "blocked", "blocked_empty", "blocked_full",
    "blocked_closed", "blocked_diverted", "transferred", "handled",
]
SECONDS_COLUMNS = [
    "answered_wait_seconds", "abandoned_wait_seconds", "max_wait_seconds", "talk_seconds",
    "hold_seconds", "acw_seconds",
]


TICKET_COUNT_COLUMNS = [
    "created", "deleted", "solved", "backlog", "first_reply_count", "first_resolution_count",
    "full_resolution_count",
]
TICKET_MINUTES_COLUMNS = [
    "first_reply_minutes_sum", "first_reply_business_minutes_sum", "first_resolution_minutes_sum",
    "first_resolution_business_minutes_sum", "full_resolution_minutes_sum", "full_resolution_business_minutes_sum",
]


@dataclass
class TruthReport:
    compared_rows: int = 0
    mismatches: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    rows_name: str = "queue-days"
    ok_detail: str = (f"{len(COUNT_COLUMNS)} counts exactly, {len(SECONDS_COLUMNS)} durations to the second")

    @property
    def matches(self) -> bool:
        return self.compared_rows > 0 and not self.mismatches and not self.missing

    def text(self) -> str:
        if self.matches:
            return f"  OK: all {self.compared_rows} {self.rows_name} equal the ground truth ({self.ok_detail})."
        lines = [f"  MISMATCH against the ground truth ({self.compared_rows} {self.rows_name} compared):"]
        lines += [f"    {m}" for m in (self.missing + self.mismatches)[:20]]
        return "\n".join(lines)


def compare_with_truth(warehouse: Path, truth_dir: Path) -> TruthReport:
    truth_file = truth_dir / "queue_daily.csv"
    with truth_file.open(newline="") as handle:
        truth = {(r["queue_name"], r["report_date"]): r for r in csv.DictReader(handle)}
    columns = COUNT_COLUMNS + SECONDS_COLUMNS
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            f"select queue_name, cast(report_date as varchar), {', '.join(columns)} from marts.kpi_queue_daily"
        ).fetchall()
    marts = {(r[0], r[1]): dict(zip(columns, r[2:])) for r in rows}
    report = TruthReport()
    for key in sorted(set(truth) - set(marts)):
        report.missing.append(f"{key[0]} {key[1]}: in the ground truth, not in the marts")
    for key in sorted(set(marts) - set(truth)):
        report.missing.append(f"{key[0]} {key[1]}: in the marts, not in the ground truth")
    for key in sorted(set(truth) & set(marts)):
        report.compared_rows += 1
        for column in columns:
            expected = float(truth[key][column] or 0)
            actual = float(marts[key][column] or 0)
            tolerance = 0 if column in COUNT_COLUMNS else 0.5
            if abs(expected - actual) > tolerance:
                report.mismatches.append(
                    f"{key[0]} {key[1]} {column}: marts {actual:g}, truth {expected:g}")
    return report


def compare_tickets_with_truth(warehouse: Path, truth_dir: Path) -> TruthReport:
    """kpi_ticket_daily against ground_truth/ticket_daily.csv (per day, channel and group)."""
    report = TruthReport(
        rows_name="ticket days (day x channel x group)",
        ok_detail=(f"{len(TICKET_COUNT_COLUMNS)} counts exactly, {len(TICKET_MINUTES_COLUMNS)} calendar and "
                   "business minute sums to 0.01 minute"),
    )
    truth_file = truth_dir / "ticket_daily.csv"
    with truth_file.open(newline="") as handle:
        truth = {(r["report_date"], r["channel"], r["group_id"]): r for r in csv.DictReader(handle)}
    columns = TICKET_COUNT_COLUMNS + TICKET_MINUTES_COLUMNS
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            f"select cast(report_date as varchar), channel, cast(group_id as varchar), {', '.join(columns)} "
            "from marts.kpi_ticket_daily"
        ).fetchall()
    marts = {(r[0], r[1], r[2]): dict(zip(columns, r[3:])) for r in rows}
    for key in sorted(set(truth) - set(marts)):
        report.missing.append(f"{' '.join(key)}: in the ground truth, not in the marts")
    for key in sorted(set(marts) - set(truth)):
        report.missing.append(f"{' '.join(key)}: in the marts, not in the ground truth")
    for key in sorted(set(truth) & set(marts)):
        report.compared_rows += 1
        for column in columns:
            expected = float(truth[key][column] or 0)
            actual = float(marts[key][column] or 0)
            tolerance = 0 if column in TICKET_COUNT_COLUMNS else 0.01
            if abs(expected - actual) > tolerance:
                report.mismatches.append(f"{' '.join(key)} {column}: marts {actual:g}, truth {expected:g}")
    return report
