"""The helpdesk (digital channels) of the simulated contact center, served as a Zendesk API.

Tickets arrive by e-mail, web form, chat, messaging and social media (and a few are opened by
agents) over the same site-local days as the voice simulation; agents reply mostly in business
hours, customers answer, tickets are reassigned, solved, reopened, rated and closed.
`simulate_helpdesk(cfg)` plays them; `render()` turns them into the Zendesk objects that
`serve_helpdesk()` serves on 127.0.0.1 with the endpoints, pagination and cursors of
docs/helpdesk_api.md; `write_ticket_truth()` writes ground_truth/tickets.csv and ticket_daily.csv.

    from simulator.helpdesk import HelpdeskData, serve_helpdesk
    with serve_helpdesk(HelpdeskData.load("data/landing/helpdesk")) as server:
        print(server.base_url)
"""

from simulator.helpdesk.data import HelpdeskData, HelpdeskView, render
from simulator.helpdesk.server import (
    DEFAULT_CREDENTIALS,
    DEFAULT_EMAIL,
    DEFAULT_TOKEN,
    HelpdeskServer,
    serve_helpdesk,
)
from simulator.helpdesk.simulation import HelpdeskSimulation, simulate_helpdesk
from simulator.helpdesk.truth import write_ticket_truth

__all__ = [
    "DEFAULT_CREDENTIALS", "DEFAULT_EMAIL", "DEFAULT_TOKEN", "HelpdeskData", "HelpdeskServer",
    "HelpdeskSimulation", "HelpdeskView", "render", "serve_helpdesk", "simulate_helpdesk", "write_ticket_truth",
]
