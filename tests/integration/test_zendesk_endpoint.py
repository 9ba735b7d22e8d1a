"""Where the pipeline reads the helpdesk from (CXPIPE_ZENDESK): the mode rules, and the simulator
mode's child server, which answers with the one-off credentials and is gone after the block."""

from __future__ import annotations

import socket
from datetime import date
from urllib.parse import urlparse

import pytest
import requests

from orchestration.zendesk import ZendeskSetupError, resolve_mode, zendesk_endpoint
from simulator import SimulationConfig, simulate


def test_auto_is_api_only_when_a_subdomain_is_configured(monkeypatch):
    monkeypatch.delenv("SOURCES__ZENDESK__SUBDOMAIN", raising=False)
    monkeypatch.delenv("SOURCES__ZENDESK__BASE_URL", raising=False)
    assert resolve_mode("auto") == "off"
    monkeypatch.setenv("SOURCES__ZENDESK__SUBDOMAIN", "acme")
    assert resolve_mode("auto") == "api"
    assert resolve_mode("off") == "off"
    monkeypatch.setenv("CXPIPE_ZENDESK", "simulator")
    assert resolve_mode() == "simulator"
    with pytest.raises(ZendeskSetupError, match="CXPIPE_ZENDESK='sometimes' is not one of"):
        resolve_mode("sometimes")


def test_simulator_mode_serves_the_saved_helpdesk_and_stops(tmp_path):
    simulate(SimulationConfig(start=date(2026, 10, 12), days=2, seed=5, agents=4, calls_per_day=20,
                              tickets_per_day=40), out_dir=tmp_path)
    with zendesk_endpoint("simulator", tmp_path) as endpoint:
        url = endpoint["base_url"]
        auth = (f"{endpoint['email']}/token", endpoint["api_token"])
        answer = requests.get(f"{url}/api/v2/groups.json", auth=auth, timeout=10)
        assert answer.status_code == 200 and answer.json()["groups"]
        # Only the one-off token opens it (not the simulator's published default).
        assert requests.get(f"{url}/api/v2/groups.json", auth=(auth[0], "simulated-api-token"),
                            timeout=10).status_code == 401
    port = urlparse(url).port
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "the helpdesk server still listens"


def test_simulator_mode_without_a_simulated_helpdesk_says_what_to_do(tmp_path):
    with pytest.raises(ZendeskSetupError, match="holds no simulated helpdesk: run `cxpipe simulate`"):
        with zendesk_endpoint("simulator", tmp_path):
            pass
    with pytest.raises(ZendeskSetupError, match="nothing to load"):
        with zendesk_endpoint("off", tmp_path):
            pass
