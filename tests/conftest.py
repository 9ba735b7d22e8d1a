"""Shared test helpers: a throw-away deployment (landing folder, warehouse, state) per test."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import DEFAULTS

# Every source pseudonymizes phone numbers and e-mails with a key; the tests use this one (never a
# key of the person running them), and tests of the key's absence remove it themselves.
TEST_PSEUDONYM_KEY = "cxpipe-tests-pseudonymization-key-0123456789"
os.environ["CXPIPE_PSEUDONYM_KEY"] = TEST_PSEUDONYM_KEY
os.environ.pop("CXPIPE_PSEUDONYM_KEY_FILE", None)
os.environ.pop("PSEUDONYMIZATION__KEY", None)
os.environ.pop("CXPIPE_PHONE_REGION", None)  # national numbers in the tests are US numbers

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
# Every variable a pipeline run exports (Settings.to_env) and DAGSTER_HOME: a test that runs the
# pipeline must not leave its deployment (say CXPIPE_ZENDESK=simulator) to the tests after it.
CXPIPE_VARS = (*DEFAULTS, "DAGSTER_HOME")


@pytest.fixture
def deployment(tmp_path, monkeypatch):
    """Settings for a fresh deployment under tmp_path; the CXPIPE_* variables are restored after."""
    from orchestration.settings import Settings

    for name in CXPIPE_VARS:
        monkeypatch.setenv(name, os.environ.get(name, ""))

    def make(timezone: str = "UTC", landing: Path | None = None) -> Settings:
        landing_dir = landing or tmp_path / "landing"
        landing_dir.mkdir(parents=True, exist_ok=True)
        return Settings(
            landing_dir=landing_dir,
            warehouse_path=tmp_path / "warehouse.duckdb",
            site_timezone=timezone,
            state_dir=tmp_path / "state",
        )

    return make


@contextlib.contextmanager
def kept_cxpipe_environment() -> Iterator[None]:
    """Put back the CXPIPE_* variables and DAGSTER_HOME that a pipeline run exports (for
    module-scoped fixtures, which cannot use monkeypatch)."""
    saved = {name: os.environ.get(name) for name in CXPIPE_VARS}
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture
def sql(tmp_path: Path):
    """Query tmp_path/warehouse.duckdb read-only (closed before the next load writes)."""

    def run(statement: str) -> list[tuple]:
        return query(tmp_path / "warehouse.duckdb", statement)

    return run


def copy_fixture(name: str, destination: Path) -> Path:
    shutil.copytree(FIXTURES / name, destination, dirs_exist_ok=True)
    return destination


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def dbt(*args: str, env: dict[str, str], target_path: Path) -> subprocess.CompletedProcess:
    """Run the dbt CLI of this environment on the project's dbt folder, writing into target_path:
    the project's target/manifest.json is the one the Dagster definitions read, and a test that
    compiles with other variables must not rewrite it under another test's pipeline run."""
    executable = Path(sys.executable).with_name("dbt")
    return subprocess.run(
        [str(executable), *args, "--project-dir", str(PROJECT_ROOT / "dbt_project"),
         "--profiles-dir", str(PROJECT_ROOT / "dbt_project"), "--target-path", str(target_path)],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=600,
    )


def mf_query(settings, out_dir: Path, metrics: list[str], group_by: list[str]) -> list[dict[str, str]]:
    """`cxpipe mf query ... --csv` on a deployment's warehouse, as an analyst would run it."""
    import csv

    out = out_dir / "mf.csv"
    cxpipe = Path(sys.executable).with_name("cxpipe")
    result = subprocess.run(
        [str(cxpipe), "mf", "--warehouse", str(settings.warehouse_path), "query", "--metrics", ",".join(metrics),
         "--group-by", ",".join(group_by), "--csv", str(out), "--quiet"],
        env={**os.environ, **settings.to_env()}, cwd=out_dir, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0 and out.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    with out.open() as handle:
        return list(csv.DictReader(handle))


def pytest_sessionstart(session: pytest.Session) -> None:
    """Parse the dbt project once before any test (the Dagster definitions read its manifest). With
    several pytest-xdist workers, one parses while the others wait on the lock, so no worker reads
    a manifest another is writing."""
    from orchestration.dbt_project import DBT_PROJECT_DIR, ensure_manifest

    lock_path = DBT_PROJECT_DIR / "target" / ".manifest.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            ensure_manifest()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


CLEAR_CONTACT_PATTERN = r"[\w.+-]+@[\w-]+\.[\w.]+|\+\d[\d ()-]{6,}"
"""An e-mail address, or a number written with a country code (``+49 30 1234567``)."""


def assert_no_clear_contact_data(
    sql, schema: str, emails: tuple[str, ...] = (), phones: tuple[str, ...] = ()
) -> None:
    """No VARCHAR or JSON column of any table of ``schema`` holds an e-mail address, a number
    with a country code, one of ``emails`` (any case) or one of ``phones`` (as written, or its
    digits among a value's digits once the 64-hex pseudonyms are taken out)."""
    columns = sql(
        "select table_name, column_name from information_schema.columns "
        f"where table_schema = '{schema}' and data_type in ('VARCHAR', 'JSON')"
    )
    assert columns, f"no text column in {schema}"
    digits = {re.sub(r"\D", "", phone).lstrip("0") for phone in phones} - {""}
    clear = [value.lower() for value in (*emails, *phones)]
    for table, column in columns:
        values = [row[0] for row in sql(f'select "{column}"::varchar from {schema}."{table}"')]
        for value in values:
            if value is None:
                continue
            where = f"{schema}.{table}.{column}: {value!r}"
            assert not re.search(CLEAR_CONTACT_PATTERN, value), where
            lowered = value.lower()
            assert not any(item in lowered for item in clear), where
            value_digits = re.sub(r"\D", "", re.sub(r"[0-9a-f]{64}", "", lowered))
            assert not any(number in value_digits for number in digits), where
