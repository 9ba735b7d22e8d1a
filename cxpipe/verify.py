"""Compare the voice, ticket, customer-experience and agent marts with the simulator's ground truth (used by `cxpipe demo`).

The end-to-end tests do their own comparison; this one is for a person watching the demo.
"""

from __future__ import annotations

import csv
import re
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
    return _compare(TruthReport(), truth, marts, {c: 0 if c in COUNT_COLUMNS else 0.5 for c in columns})


def _compare(report: TruthReport, truth: dict[tuple, dict], marts: dict[tuple, dict],
             tolerances: dict[str, float]) -> TruthReport:
    """Fill `report` with the rows only one side has and every column (the keys of `tolerances`)
    that differs by more than its tolerance; an empty or NULL value counts as 0."""
    for key in sorted(set(truth) - set(marts)):
        report.missing.append(f"{' '.join(key)}: in the ground truth, not in the marts")
    for key in sorted(set(marts) - set(truth)):
        report.missing.append(f"{' '.join(key)}: in the marts, not in the ground truth")
    for key in sorted(set(truth) & set(marts)):
        report.compared_rows += 1
        for column, tolerance in tolerances.items():
            expected = float(truth[key][column] or 0)
            actual = float(marts[key][column] or 0)
            if abs(expected - actual) > tolerance:
                report.mismatches.append(f"{' '.join(key)} {column}: marts {actual:g}, truth {expected:g}")
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
    return _compare(report, truth, marts, {c: 0 if c in TICKET_COUNT_COLUMNS else 0.01 for c in columns})


CX_TRUTH_RENAMED = {"csat_mean_5pt_sum": "csat_score_5pt_sum", "ces_sum": "ces_score_sum"}


def compare_cx_with_truth(warehouse: Path, truth_dir: Path) -> TruthReport:
    """kpi_cx_daily, summed per day and channel, against ground_truth/cx_daily.csv."""
    report = TruthReport(rows_name="customer-experience days (day x channel)",
                         ok_detail="contacts, FCR, repeats, surveys and self-service, every column")
    truth_file = truth_dir / "cx_daily.csv"
    with truth_file.open(newline="") as handle:
        reader = csv.DictReader(handle)
        truth_columns = [c for c in (reader.fieldnames or []) if c not in ("report_date", "channel")]
        truth = {(r["report_date"], r["channel"]): r for r in reader}
    columns = [CX_TRUTH_RENAMED.get(c, c) for c in truth_columns]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            f"select cast(report_date as varchar), channel, {', '.join(f'sum({c})' for c in columns)} "
            "from marts.kpi_cx_daily group by 1, 2"
        ).fetchall()
    marts = {(r[0], r[1]): dict(zip(truth_columns, r[2:])) for r in rows}
    return _compare(report, truth, marts, dict.fromkeys(truth_columns, 1e-4))


# ground_truth/agent_daily.csv column -> kpi_agent_daily column
AGENT_TRUTH_COLUMNS = {
    "scheduled_seconds": "scheduled_seconds",
    "scheduled_work_seconds": "scheduled_on_queue_seconds",
    "logged_in_seconds": "logged_in_seconds",
    "available_seconds": "available_seconds",
    "on_contact_seconds": "talk_seconds",
    "hold_seconds": "hold_seconds",
    "acw_seconds": "acw_seconds",
    "break_seconds": "break_seconds",
    "scheduled_logged_in_seconds": "scheduled_logged_in_seconds",
    "adherent_seconds": "adherent_seconds",
}


def compare_agents_with_truth(warehouse: Path, truth_dir: Path) -> TruthReport:
    """kpi_agent_daily against ground_truth/agent_daily.csv for the simulated days: every agent-day
    with scheduled or logged-in time, every state, schedule and adherence time to the second.
    (The marts also hold the schedule's days before and after the simulated ones.)"""
    report = TruthReport(rows_name="agent-days (agent x day)",
                         ok_detail=f"{len(AGENT_TRUTH_COLUMNS)} state, schedule and adherence times to the second")
    truth_file = truth_dir / "agent_daily.csv"
    with truth_file.open(newline="") as handle:
        truth = {(r["agent_id"], r["report_date"]): r for r in csv.DictReader(handle)}
    if not truth:
        return report
    first, last = min(day for _, day in truth), max(day for _, day in truth)
    columns = list(AGENT_TRUTH_COLUMNS.values())
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            f"select agent_id, cast(report_date as varchar), {', '.join(columns)} from marts.kpi_agent_daily "
            "where report_date between cast(? as date) and cast(? as date) "
            "and (scheduled_seconds > 0 or logged_in_seconds > 0)",
            [first, last],
        ).fetchall()
    marts = {(r[0], r[1]): dict(zip(AGENT_TRUTH_COLUMNS, r[2:])) for r in rows}
    return _compare(report, truth, marts, dict.fromkeys(AGENT_TRUTH_COLUMNS, 0.5))


# Phone numbers and e-mail addresses as they appear in clear (a keyed pseudonym is 64 hex digits,
# which none of these match).
EMAIL_PATTERN = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
E164_PATTERN = re.compile(r"\+\d{8,15}")
FORMATTED_PHONE_PATTERN = re.compile(r"\(?\+?\d{1,4}\)?[ -]\(?\d{2,4}\)?[ -]\d{3,4}[ -]?\d{3,4}")


def clear_personal_values(landing: Path) -> set[str]:
    """Every e-mail (lower case) and phone number (its digits) written in clear in the landing
    folder's source files (CSV exports and the simulated helpdesk's JSON)."""
    values: set[str] = set()
    for path in sorted(landing.rglob("*")):
        if not path.is_file() or "ground_truth" in path.parts or path.name == "simulation.json":
            continue
        if path.suffix not in (".csv", ".json", ".jsonl") and "queue_log" not in path.name:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        values.update(match.lower() for match in EMAIL_PATTERN.findall(text))
        values.update(re.sub(r"\D", "", match) for match in E164_PATTERN.findall(text))
        if path.suffix == ".csv":
            values.update(re.sub(r"\D", "", match) for match in FORMATTED_PHONE_PATTERN.findall(text))
    return {value for value in values if len(value) >= 8}


@dataclass
class PiiReport:
    columns_scanned: int = 0
    findings: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return self.columns_scanned > 0 and not self.findings

    def text(self) -> str:
        if self.clean:
            return (f"  OK: no phone number or e-mail address in any of the {self.columns_scanned} text "
                    "columns of the marts.")
        lines = [f"  PERSONAL DATA in the marts ({self.columns_scanned} text columns scanned):"]
        return "\n".join(lines + [f"    {finding}" for finding in self.findings[:20]])


def scan_marts_for_personal_data(warehouse: Path, clear_values: set[str] = frozenset(),
                                 schema: str = "marts") -> PiiReport:
    """Look in every text column of every table of `schema` for anything shaped like an e-mail or a
    phone number, and for any of `clear_values` (e-mails, or phone numbers as digits)."""
    report = PiiReport()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = ? and data_type = 'VARCHAR' order by 1, 2",
            [schema],
        ).fetchall()
        for table, column in columns:
            report.columns_scanned += 1
            values = con.execute(f'select distinct "{column}" from {schema}."{table}" where "{column}" is not null')
            for (value,) in values.fetchall():
                text = str(value)
                digits = re.sub(r"\D", "", text)
                if (EMAIL_PATTERN.search(text) or E164_PATTERN.search(text) or FORMATTED_PHONE_PATTERN.search(text)
                        or text.lower() in clear_values or (len(digits) >= 8 and digits in clear_values)):
                    report.findings.append(f"{schema}.{table}.{column}: {text[:40]!r}")
    return report
