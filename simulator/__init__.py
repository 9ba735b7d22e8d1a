"""A contact-center simulator that writes the pipeline's landing files and their ground truth.

It models queues, callers and agents as a discrete-event simulation and writes only the public
formats of docs/source_formats.md (Asterisk queue_log, CDR Master.csv, an agent-state feed, WFM
schedules), plus `ground_truth/` with the KPI values computed from its own records. `simulator.helpdesk` adds the
digital channels: a Zendesk helpdesk saved as JSON under `helpdesk/` and served on 127.0.0.1 with
the API of docs/helpdesk_api.md (`serve_helpdesk`). It never imports pipeline code.

    from simulator import SimulationConfig, simulate
    result = simulate(SimulationConfig(days=7), out_dir="data/landing")
"""

from simulator.config import QueueSpec, SimulationConfig, default_queues
from simulator.runner import SimulationResult, remove_simulated_files, simulate

__all__ = ["QueueSpec", "SimulationConfig", "SimulationResult", "default_queues", "remove_simulated_files", "simulate"]
