"""The customer-experience sources of the simulated contact center (docs/cx_sources.md).

Customers (a CRM export of customers, contracts and orders), IVR and chat-bot sessions and survey
answers, consistent with the simulated calls and tickets: callers and requesters are customers
(most of them known to the CRM, some using both channels), every call had an IVR session,
surveys follow contacts, and customers with bad experiences churn more. `simulate()` runs it
after the voice and helpdesk parts (`SimulationConfig.cx`); its truth goes to ground_truth/
contacts.csv, cx_daily.csv, customer_monthly.csv and customer_experience.csv.
"""

from simulator.cx.capture import Call, CallCapture, CapturingTruthBook, CapturingWriter
from simulator.cx.simulation import CxRun, simulate_cx

__all__ = ["Call", "CallCapture", "CapturingTruthBook", "CapturingWriter", "CxRun", "simulate_cx"]
