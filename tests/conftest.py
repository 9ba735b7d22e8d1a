"""Shared test helpers: a throw-away deployment (landing folder, warehouse, state) per test."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
CXPIPE_VARS = ("CXPIPE_LANDING_DIR", "CXPIPE_WAREHOUSE", "CXPIPE_SITE_TIMEZONE", "CXPIPE_STATE_DIR", "DAGSTER_HOME")


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


def dbt(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run the dbt CLI of this environment on the project's dbt folder."""
    executable = Path(sys.executable).with_name("dbt")
    return subprocess.run(
        [str(executable), *args, "--project-dir", str(PROJECT_ROOT / "dbt_project"),
         "--profiles-dir", str(PROJECT_ROOT / "dbt_project")],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=600,
    )
