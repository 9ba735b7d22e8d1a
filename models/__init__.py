"""Record contracts of the sources, shared by ingestion, the simulator and the tests."""

from models.telephony import (
    AGENT_STATE_EVENT_COLUMNS,
    AGENT_STATES,
    CDR_RECORD_COLUMNS,
    FROZEN_COLUMNS_CONTRACT,
    QUARANTINE_COLUMNS,
    QUEUE_LOG_EVENT_COLUMNS,
    AgentStateEvent,
    CdrRecord,
    QuarantineRow,
    QueueLogEvent,
    dlt_columns,
)

__all__ = [
    "AGENT_STATES",
    "AGENT_STATE_EVENT_COLUMNS",
    "CDR_RECORD_COLUMNS",
    "FROZEN_COLUMNS_CONTRACT",
    "QUARANTINE_COLUMNS",
    "QUEUE_LOG_EVENT_COLUMNS",
    "AgentStateEvent",
    "CdrRecord",
    "QuarantineRow",
    "QueueLogEvent",
    "dlt_columns",
]
