"""Deployment settings, read from `CXPIPE_*` environment variables.

One place for paths and deployment choices (the README's Configuration table lists them all); the `cxpipe`
CLI sets these variables from its flags before it builds the Dagster definitions, so the CLI, the
Dagster UI and a hand-run `dbt build` see the same values.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ingestion.privacy import KEY_FILE_NAME

DEFAULTS: dict[str, str] = {
    "CXPIPE_LANDING_DIR": "data/landing",
    "CXPIPE_WAREHOUSE": "data/warehouse.duckdb",
    "CXPIPE_SITE_TIMEZONE": "UTC",
    "CXPIPE_STATE_DIR": "data/state",
    "CXPIPE_ZENDESK": "auto",
    # Empty: `snapshot/` beside the warehouse file.
    "CXPIPE_SNAPSHOT_DIR": "",
    # The first day that is a Dagster partition (orchestration/partitions.py).
    "CXPIPE_HISTORY_START": "2020-01-01",
}
ZENDESK_MODES = ("auto", "api", "simulator", "off")


class SettingsError(ValueError):
    """A setting has a value the pipeline cannot use; the message says which and why."""


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse_path: Path
    site_timezone: str
    state_dir: Path
    # Where the helpdesk comes from: auto, api, simulator or off (orchestration/zendesk.py).
    zendesk: str = "auto"
    # Where the BI snapshot is published (orchestration/publish.py); None: `snapshot/` beside the
    # warehouse file.
    snapshot_dir: Path | None = None
    # The first site-local day that is a partition (CXPIPE_HISTORY_START, ISO date).
    history_start: str = DEFAULTS["CXPIPE_HISTORY_START"]

    @property
    def snapshot_path(self) -> Path:
        return self.snapshot_dir or self.warehouse_path.parent / "snapshot"

    @property
    def dlt_pipelines_dir(self) -> Path:
        """Where dlt keeps its local working state (the warehouse holds the authoritative copy)."""
        return self.state_dir / "dlt"

    @property
    def dagster_home(self) -> Path:
        return self.state_dir / "dagster_home"

    @property
    def pseudonym_key_file(self) -> Path:
        """Where this deployment's pseudonymization key file lives when the key is not given by
        CXPIPE_PSEUDONYM_KEY, the dlt secret pseudonymization.key or CXPIPE_PSEUDONYM_KEY_FILE
        (created by `cxpipe keygen`, or by the demo)."""
        return self.state_dir / KEY_FILE_NAME

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ

        def get(name: str) -> str:
            return env.get(name) or DEFAULTS[name]

        site_timezone = get("CXPIPE_SITE_TIMEZONE")
        validate_timezone(site_timezone)
        history_start = get("CXPIPE_HISTORY_START").strip()
        try:
            date.fromisoformat(history_start)
        except ValueError:
            raise SettingsError(f"CXPIPE_HISTORY_START={history_start!r} is not a date like 2024-01-01.") from None
        zendesk = get("CXPIPE_ZENDESK").strip().lower()
        if zendesk not in ZENDESK_MODES:
            raise SettingsError(f"CXPIPE_ZENDESK={zendesk!r} is not one of {', '.join(ZENDESK_MODES)}.")
        return cls(
            landing_dir=Path(get("CXPIPE_LANDING_DIR")).expanduser().resolve(),
            warehouse_path=Path(get("CXPIPE_WAREHOUSE")).expanduser().resolve(),
            site_timezone=site_timezone,
            state_dir=Path(get("CXPIPE_STATE_DIR")).expanduser().resolve(),
            zendesk=zendesk,
            snapshot_dir=Path(get("CXPIPE_SNAPSHOT_DIR")).expanduser().resolve() if get("CXPIPE_SNAPSHOT_DIR") else None,
            history_start=history_start,
        )

    def to_env(self) -> dict[str, str]:
        """The environment variables that reproduce these settings in another process."""
        return {
            "CXPIPE_LANDING_DIR": str(self.landing_dir),
            "CXPIPE_WAREHOUSE": str(self.warehouse_path),
            "CXPIPE_SITE_TIMEZONE": self.site_timezone,
            "CXPIPE_STATE_DIR": str(self.state_dir),
            "CXPIPE_ZENDESK": self.zendesk,
            "CXPIPE_SNAPSHOT_DIR": str(self.snapshot_path),
            "CXPIPE_HISTORY_START": self.history_start,
        }


def validate_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(
            f"CXPIPE_SITE_TIMEZONE={name!r} is not an IANA time zone name (for example Europe/Berlin)."
        ) from exc
