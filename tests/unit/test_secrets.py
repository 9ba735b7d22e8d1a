"""Secrets stay out of git: the files that hold them are ignored, and none is tracked."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SECRET_FILES = [
    ".env", ".env.local", "orchestration/.env",
    ".dlt/secrets.toml", "ingestion/.dlt/secrets.toml", "dbt_project/.dlt/secrets.toml",
    "data/state/pseudonym.key", "elsewhere/state/pseudonym.key",
    "data/warehouse.duckdb", "data/warehouse.duckdb.run.lock",
]


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)


@pytest.fixture(autouse=True)
def _in_a_git_checkout():
    if not shutil.which("git") or _git("rev-parse", "--is-inside-work-tree").stdout.strip() != "true":
        pytest.skip("not a git checkout")


@pytest.mark.parametrize("path", SECRET_FILES)
def test_files_that_hold_secrets_are_git_ignored(path):
    assert _git("check-ignore", "-q", "--no-index", path).returncode == 0, f"{path} is not git-ignored"


def test_no_secrets_file_is_tracked():
    tracked = _git("ls-files").stdout.splitlines()
    assert tracked
    leaked = [path for path in tracked
              if Path(path).name in (".env", "secrets.toml", "pseudonym.key") or Path(path).name.startswith(".env.")]
    assert leaked == []
