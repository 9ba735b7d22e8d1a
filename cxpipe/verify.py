"""Compare the voice marts with the simulator's ground truth (used by `cxpipe demo`).

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


@dataclass
class TruthReport:
    compared_rows: int = 0
    mismatches: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return self.compared_rows > 0 and not self.mismatches and not self.missing

    def text(self) -> str:
        if self.matches:
            return (f"  OK: all {self.compared_rows} queue-days equal the ground truth "
                    f"({len(COUNT_COLUMNS)} counts exactly, {len(SECONDS_COLUMNS)} durations to the second).")
        lines = [f"  MISMATCH against the ground truth ({self.compared_rows} queue-days compared):"]
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
