"""What the customer-experience part needs to know about the voice run, taken from the
simulation's own records while it runs (never by reading the files back).

`CallCapture` keeps every finished queue visit (the ground truth's `VisitRecord`) and the caller
number of each callid (what the CDR row's `src` and ENTERQUEUE's callerid carry). The capturing
writer and truth book are thin subclasses that note a record and pass it on unchanged, so the
voice files stay byte-identical whether the CX part runs or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simulator.config import SimulationConfig
from simulator.truth import ANSWERED, TruthBook, VisitRecord
from simulator.writers import LandingWriter


@dataclass(slots=True)
class Call:
    """One callid: its caller and its queue visits in order of entry (a blind transfer adds one),
    with what the contact rules need of them."""

    callid: str
    caller: str
    visits: list[VisitRecord]
    started_at: int = 0          # the first entry's instant
    outcome: str = ""            # `answered` if any visit was answered, else the first visit's outcome
    agent_id: str = ""           # the agent of the first answered visit
    is_transferred: bool = False  # a visit ended in a transfer, or the call visited more than one queue
    wait_seconds: int = 0        # the caller's wait over all visits
    ended_at: int = 0            # the end of the last visit's agent part (or of its wait)

    def __post_init__(self) -> None:
        visits = self.visits
        first = visits[0]
        answered = next((v for v in visits if v.outcome == ANSWERED), None)
        last = visits[-1]
        self.started_at = first.entered_at
        self.outcome = ANSWERED if answered is not None else first.outcome
        self.agent_id = answered.agent_id if answered is not None else ""
        self.is_transferred = any(v.transferred for v in visits) or any(v.queue != first.queue for v in visits)
        self.wait_seconds = sum(v.wait_seconds for v in visits)
        self.ended_at = last.entered_at + last.wait_seconds + last.connected_seconds

    @property
    def first(self) -> VisitRecord:
        return self.visits[0]


class CallCapture:
    """Collects calls from the writer (caller numbers) and the truth book (visits)."""

    def __init__(self) -> None:
        self._callers: dict[str, str] = {}
        self._visits: dict[str, list[VisitRecord]] = {}

    def note_caller(self, callid: str, caller: str) -> None:
        self._callers.setdefault(callid, caller)

    def note_visit(self, record: VisitRecord) -> None:
        self._visits.setdefault(record.callid, []).append(record)

    def calls(self) -> list[Call]:
        """Every call, in order of its first entry."""
        calls = []
        for callid, visits in self._visits.items():
            visits.sort(key=lambda v: (v.entered_at, v.order))
            calls.append(Call(callid=callid, caller=self._callers[callid], visits=visits))
        calls.sort(key=lambda c: (c.started_at, c.first.order))
        return calls


class CapturingWriter(LandingWriter):
    """The telephony writer, noting each call's caller number (from its CDR rows)."""

    def __init__(self, out_dir: Path, capture: CallCapture) -> None:
        super().__init__(out_dir)
        self.capture = capture

    def cdr_row(self, *, src: str, uniqueid: str, **fields) -> None:
        self.capture.note_caller(uniqueid, src)
        super().cdr_row(src=src, uniqueid=uniqueid, **fields)


class CapturingTruthBook(TruthBook):
    """The voice truth book, noting each finished visit."""

    def __init__(self, cfg: SimulationConfig, truth_dir: Path, capture: CallCapture) -> None:
        super().__init__(cfg, truth_dir)
        self.capture = capture

    def add(self, record: VisitRecord) -> None:
        self.capture.note_visit(record)
        super().add(record)
