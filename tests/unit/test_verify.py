"""The personal-data scan of the marts (used by `cxpipe demo` and the end-to-end tests)."""

from __future__ import annotations

import hashlib

import duckdb

from cxpipe.verify import clear_personal_values, scan_marts_for_personal_data


def test_scan_finds_clear_phones_and_emails_but_not_pseudonyms_or_ids(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    pseudonym = hashlib.sha256(b"+12125550142").hexdigest()
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.calls (callid varchar, caller varchar, note varchar, n bigint)")
        con.execute("insert into marts.calls values (?, ?, ?, 1), (?, ?, ?, 2), (?, ?, ?, 3)", [
            "1792387557.1000", pseudonym, "billing",
            "1792387557.1001|vip|1", "Jane.Doe@Example.com", "ok",
            "call:1792387557.1002", "+1 (212) 555-0142", "2026-10-25 02:00:00",
        ])
        con.execute("create table marts.people (customer_id varchar)")
        con.execute("insert into marts.people values ('C-000042'), ('442079460123')")
    report = scan_marts_for_personal_data(warehouse, {"442079460123", "someone@example.org"})
    assert report.columns_scanned == 4
    flagged = sorted(finding.split(":")[0] for finding in report.findings)
    assert flagged == ["marts.calls.caller", "marts.calls.caller", "marts.people.customer_id"]
    assert not report.clean and "PERSONAL DATA" in report.text()


def test_clear_values_come_from_the_source_files_not_the_truth(tmp_path):
    (tmp_path / "crm").mkdir()
    (tmp_path / "crm" / "customers-20261012.csv").write_text(
        "customer_id,phone,email\nC1,+44 20 7946 0123,Ann@Example.COM\nC2,anonymous,\n")
    (tmp_path / "ground_truth").mkdir()
    (tmp_path / "ground_truth" / "contacts.csv").write_text("x\nzed@example.net\n")
    assert clear_personal_values(tmp_path) == {"442079460123", "ann@example.com"}
