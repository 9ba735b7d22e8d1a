"""Where the Zendesk source reads from in this deployment (setting CXPIPE_ZENDESK).

- `api`: a real Zendesk account; subdomain, e-mail and API token come from dlt config/secrets or
  SOURCES__ZENDESK__* (docs/zendesk.md).
- `simulator`: the simulated helpdesk saved in `<landing>/helpdesk` (written by `cxpipe
  simulate`), served on 127.0.0.1 by a child process for the duration of the load and stopped
  after it, with a one-off token. The demo uses this, so it runs the real client code.
- `off`: no helpdesk; the helpdesk marts are empty.
- `auto` (default): `api` when a subdomain or base URL is configured for dlt, else `off`.

The pipeline starts the simulator as a separate process (`python -m simulator.helpdesk`): it never
imports the simulator package.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dlt

from orchestration.settings import ZENDESK_MODES as MODES

SIMULATOR_EMAIL = "cxpipe@simulator.invalid"


class ZendeskSetupError(RuntimeError):
    """The helpdesk source cannot be reached as configured; the message says why and what to do."""


def zendesk_configured() -> bool:
    """True when dlt can see a subdomain or base URL for the zendesk source (config or env)."""
    for key in ("sources.zendesk.subdomain", "sources.zendesk.base_url"):
        try:
            if dlt.config.get(key):
                return True
        except Exception:  # noqa: BLE001 - an unreadable config file means "not configured" here
            continue
    return False


def resolve_mode(mode: str | None = None) -> str:
    """`api`, `simulator` or `off` for the setting `mode` (default: CXPIPE_ZENDESK)."""
    mode = (mode or os.environ.get("CXPIPE_ZENDESK") or "auto").strip().lower()
    if mode not in MODES:
        raise ZendeskSetupError(f"CXPIPE_ZENDESK={mode!r} is not one of {', '.join(MODES)}.")
    if mode == "auto":
        return "api" if zendesk_configured() else "off"
    return mode


@contextmanager
def zendesk_endpoint(mode: str, landing_dir: Path) -> Iterator[dict[str, str]]:
    """The keyword arguments for `ingestion.zendesk.zendesk()` while the block runs: none for
    `api` (dlt reads them from its config), the local server's address and credentials for
    `simulator` (the server is stopped when the block ends, however it ends)."""
    if mode == "api":
        yield {}
        return
    if mode != "simulator":
        raise ZendeskSetupError(f"The Zendesk source is {mode!r}: nothing to load.")
    folder = landing_dir / "helpdesk"
    if not (folder / "account.json").is_file():
        raise ZendeskSetupError(
            f"CXPIPE_ZENDESK=simulator but {folder} holds no simulated helpdesk: run `cxpipe simulate` "
            "with the helpdesk on, or set CXPIPE_ZENDESK=api (a real account) or off."
        )
    token = secrets.token_urlsafe(24)
    errors = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator.helpdesk", str(folder), "--email", SIMULATOR_EMAIL],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, text=True,
        env={**os.environ, "CX_HELPDESK_TOKEN": token},
    )
    try:
        line = process.stdout.readline().strip() if process.stdout else ""
        if not line.startswith("serving "):
            process.wait(timeout=10)
            errors.seek(0)
            error = errors.read().strip().splitlines()[-1:]
            raise ZendeskSetupError(
                f"The simulated helpdesk in {folder} did not start: {''.join(error) or line or 'no output'}"
            )
        yield {"base_url": line.removeprefix("serving "), "email": SIMULATOR_EMAIL, "api_token": token}
    finally:
        if process.stdin:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        errors.close()
