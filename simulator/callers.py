"""Who calls: a pool of fictitious phone numbers, and callers who call back.

Numbers come only from ranges reserved for fiction: North American `+1 NPA 555 0100-0199` (every
area code) and the UK drama range `+44 20 7946 0000-0999`. Most calls come from a number drawn from
the pool; a caller whose call failed (abandoned, timed out, blocked, ...) or was transferred is
likely to call the same queue again within hours or days, which makes repeat contacts.
"""

from __future__ import annotations

import heapq
import math
import random

from simulator.config import SimulationConfig

ANONYMOUS = "anonymous"
CALLBACK_DELAY_MEDIAN_SECONDS = 2 * 3600
CALLBACK_DELAY_SIGMA = 1.4
CALLBACK_DELAY_MIN_SECONDS = 120
CALLBACK_MAX_AGE_SECONDS = 7 * 86400
CALLBACK_TAKE_RATE = 0.85


def _area_codes() -> list[int]:
    """NANP-style area codes NXX without the N11 service codes."""
    return [a for a in range(200, 1000) if (a // 10) % 10 != 9 and a % 100 != 11]


def fiction_number(index: int) -> str:
    """The `index`-th number of the fiction ranges (E.164)."""
    areas = _AREAS
    if index < len(areas) * 100:
        return f"+1{areas[index // 100]}55501{index % 100:02d}"
    index -= len(areas) * 100
    return f"+44207946{index % 1000:04d}"


_AREAS = _area_codes()
FICTION_NUMBERS = len(_AREAS) * 100 + 1000


class CallerBook:
    """Chooses the caller of each new call and remembers who is likely to call back."""

    def __init__(self, cfg: SimulationConfig, rng: random.Random, queues: int) -> None:
        self.cfg = cfg
        self.rng = rng
        size = cfg.caller_pool_size or max(200, 25 * cfg.calls_per_day)
        size = min(size, FICTION_NUMBERS)
        self.pool = [fiction_number(i) for i in rng.sample(range(FICTION_NUMBERS), size)]
        self._pending: list[list[tuple[int, int, str]]] = [[] for _ in range(queues)]
        self._order = 0

    def caller_for(self, queue: int, now: int) -> str:
        """Caller id of a new call to `queue`: a due call-back, a pool number, or anonymous."""
        pending = self._pending[queue]
        while pending and pending[0][0] + CALLBACK_MAX_AGE_SECONDS < now:
            heapq.heappop(pending)
        if pending and pending[0][0] <= now and self.rng.random() < CALLBACK_TAKE_RATE:
            return heapq.heappop(pending)[2]
        if self.rng.random() < self.cfg.anonymous_caller_rate:
            return ANONYMOUS
        return self.pool[self.rng.randrange(len(self.pool))]

    def after_call(self, queue: int, caller: str, now: int, probability: float) -> None:
        """With `probability`, the caller will call `queue` again after a lognormal delay."""
        if caller == ANONYMOUS or probability <= 0 or self.rng.random() >= probability:
            return
        delay = round(self.rng.lognormvariate(math.log(CALLBACK_DELAY_MEDIAN_SECONDS), CALLBACK_DELAY_SIGMA))
        delay = min(max(delay, CALLBACK_DELAY_MIN_SECONDS), CALLBACK_MAX_AGE_SECONDS)
        self._order += 1
        heapq.heappush(self._pending[queue], (now + delay, self._order, caller))
