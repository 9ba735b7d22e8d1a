"""How callers and agents behave: the random draws of one call, in whole seconds.

Kept apart from the engine so that the staffing planner can use the same figures (expected
handle time) that the simulation then produces, and so the distributions are documented in one
place. Every duration is an integer >= 1 second: the files log integers, and the ground truth
uses the very same integers.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from simulator.config import QueueSpec

# Agent-side states of the agent-state feed used inside a contact.
TALK = "ON_CONTACT"
HOLD = "HOLD"

# How the agent's part of a contact ends (the queue_log event names).
COMPLETE_AGENT = "COMPLETEAGENT"
COMPLETE_CALLER = "COMPLETECALLER"
BLIND_TRANSFER = "BLINDTRANSFER"
ATTENDED_TRANSFER = "ATTENDEDTRANSFER"

# How a waiting caller leaves without an agent (the queue_log event names).
ABANDON = "ABANDON"
TIMEOUT = "EXITWITHTIMEOUT"
EXIT_KEY = "EXITWITHKEY"

TALK_MIN, TALK_MAX = 5, 3600
HOLD_MEDIAN, HOLD_SIGMA = 40.0, 0.7
SECOND_HOLD_RATE = 0.2
CONSULT_MEDIAN, CONSULT_SIGMA = 35.0, 0.5
ACW_SIGMA, ACW_MIN, ACW_MAX = 0.6, 3, 600
PATIENCE_MAX = 3600
SHORT_PATIENCE_MAX = 8
RING_MIN, RING_MAX = 2, 9
CALLER_HANGS_UP_SHARE = 0.6
EXIT_KEY_WINDOW = (10, 150)


def lognormal_seconds(rng: random.Random, median: float, sigma: float, low: int, high: int) -> int:
    """A lognormal draw with the given median, rounded to whole seconds and clipped."""
    value = round(rng.lognormvariate(math.log(median), sigma))
    return min(max(value, low), high)


def _lognormal_mean(median: float, sigma: float) -> float:
    return median * math.exp(sigma * sigma / 2)


def expected_handle_seconds(queue: QueueSpec) -> float:
    """Mean seconds an agent spends per answered call (ring + talk + hold + after-call work).

    Used by the staffing planner; the clipping of the draws is ignored (it changes little).
    """
    holds = queue.hold_rate * (1 + SECOND_HOLD_RATE) * _lognormal_mean(HOLD_MEDIAN, HOLD_SIGMA)
    consult = queue.attended_transfer_rate * _lognormal_mean(CONSULT_MEDIAN, CONSULT_SIGMA)
    return (
        (RING_MIN + RING_MAX) / 2
        + _lognormal_mean(queue.talk_median_seconds, queue.talk_sigma)
        + holds
        + consult
        + _lognormal_mean(queue.acw_median_seconds, ACW_SIGMA)
    )


@dataclass(frozen=True, slots=True)
class LeavePlan:
    """When and how a caller would leave the queue if no agent answered first."""

    after_seconds: int
    event: str      # ABANDON, EXITWITHTIMEOUT or EXITWITHKEY
    key: str = ""


def leave_plan(rng: random.Random, queue: QueueSpec) -> LeavePlan:
    """Draw the caller's patience, the queue timeout and a possible key press; the earliest wins.

    A few callers hang up within seconds (misdials, second thoughts): those make the short
    abandons that the KPI rules exclude from the service level.
    """
    if rng.random() < queue.short_patience_rate:
        patience = rng.randint(1, SHORT_PATIENCE_MAX)
    else:
        patience = lognormal_seconds(rng, queue.patience_median_seconds, queue.patience_sigma, 1, PATIENCE_MAX)
    plan = LeavePlan(patience, ABANDON)
    if queue.exit_key_rate > 0 and rng.random() < queue.exit_key_rate:
        pressed = rng.randint(*EXIT_KEY_WINDOW)
        key = "1" if rng.random() < 0.85 else "0"
        if pressed <= plan.after_seconds:
            plan = LeavePlan(pressed, EXIT_KEY, key)
    if queue.max_wait_seconds is not None and queue.max_wait_seconds <= plan.after_seconds:
        plan = LeavePlan(queue.max_wait_seconds, TIMEOUT)
    return plan


def ring_seconds(rng: random.Random, ring_timeout: int) -> int:
    """Seconds an agent's phone rings before they pick up (below the ring timeout)."""
    return rng.randint(RING_MIN, max(RING_MIN, min(RING_MAX, ring_timeout - 1)))


@dataclass(frozen=True, slots=True)
class ContactPlan:
    """The agent's part of one answered call: alternating talk/hold segments and how it ends.

    `segments` starts with talk; an attended transfer ends with the consultation hold (the
    caller waits on hold while the agent speaks to the target, then the transfer completes).
    """

    segments: tuple[tuple[str, int], ...]
    end: str

    @property
    def connected_seconds(self) -> int:
        return sum(seconds for _, seconds in self.segments)

    @property
    def hold_seconds(self) -> int:
        return sum(seconds for state, seconds in self.segments if state == HOLD)


def contact_plan(rng: random.Random, queue: QueueSpec) -> ContactPlan:
    """Draw talk time (lognormal, skewed), hold periods and the way the contact ends."""
    talk = lognormal_seconds(rng, queue.talk_median_seconds, queue.talk_sigma, TALK_MIN, TALK_MAX)
    holds: list[int] = []
    if rng.random() < queue.hold_rate:
        count = 2 if rng.random() < SECOND_HOLD_RATE else 1
        holds = [lognormal_seconds(rng, HOLD_MEDIAN, HOLD_SIGMA, 5, 900) for _ in range(count)]
    u = rng.random()
    if u < queue.blind_transfer_rate:
        end = BLIND_TRANSFER
    elif u < queue.blind_transfer_rate + queue.attended_transfer_rate:
        end = ATTENDED_TRANSFER
    elif rng.random() < CALLER_HANGS_UP_SHARE:
        end = COMPLETE_CALLER
    else:
        end = COMPLETE_AGENT
    # Split the talk time around the holds; every talk segment lasts at least one second.
    cuts = sorted(rng.sample(range(1, talk), len(holds))) if holds and talk > len(holds) else []
    holds = holds[: len(cuts)]
    segments: list[tuple[str, int]] = []
    previous = 0
    for cut, hold in zip(cuts, holds, strict=True):
        segments.append((TALK, cut - previous))
        segments.append((HOLD, hold))
        previous = cut
    segments.append((TALK, talk - previous))
    if end == ATTENDED_TRANSFER:
        segments.append((HOLD, lognormal_seconds(rng, CONSULT_MEDIAN, CONSULT_SIGMA, 5, 600)))
    return ContactPlan(tuple(segments), end)


def acw_seconds(rng: random.Random, queue: QueueSpec) -> int:
    """After-call work following one contact (at least a few seconds)."""
    return lognormal_seconds(rng, queue.acw_median_seconds, ACW_SIGMA, ACW_MIN, ACW_MAX)
