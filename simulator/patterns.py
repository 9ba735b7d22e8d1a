"""Traffic patterns and non-homogeneous Poisson arrivals.

The arrival rate of a queue is the product of a weekly level (Monday busiest, weekends low), an
intraday profile on the site-local wall clock (a morning peak, a smaller early-afternoon peak, an
evening shoulder, quiet nights) and the queue's opening hours. The rate is held constant over
five-minute bins, so the arrivals are an exact non-homogeneous Poisson process with a piecewise
constant rate: a Poisson count per bin, placed uniformly (to the second) inside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import numpy as np

from simulator.clock import local_datetime, local_day_bounds
from simulator.config import QueueSpec, SimulationConfig

BIN_SECONDS = 300

#: Relative volume per weekday, Monday first; Monday to Friday average 1.
WEEKDAY_FACTORS: tuple[float, ...] = (1.15, 1.05, 1.00, 0.95, 0.85, 0.40, 0.25)

#: Day-to-day noise of a queue's volume (sigma of a lognormal factor with median 1).
DAILY_VOLUME_SIGMA = 0.06


def intraday_weight(hour: float) -> float:
    """Relative arrival intensity at a local wall-clock hour (0..24)."""
    return (
        0.015
        + 1.00 * math.exp(-0.5 * ((hour - 10.5) / 1.6) ** 2)
        + 0.80 * math.exp(-0.5 * ((hour - 14.6) / 1.8) ** 2)
        + 0.25 * math.exp(-0.5 * ((hour - 19.0) / 1.4) ** 2)
    )


def volume_scale(cfg: SimulationConfig) -> float:
    """Factor that makes the average expected new calls of Monday..Friday equal `calls_per_day`.

    A queue closed on a day carries no volume that day; weekends are lower by their factors and
    by the queues that are closed then.
    """
    total_share = sum(q.share for q in cfg.queues) or 1.0
    weekdays = sum(
        WEEKDAY_FACTORS[w] * q.share / total_share
        for w in range(5)
        for q in cfg.queues
        if q.window(w) is not None
    )
    return 5.0 / weekdays if weekdays > 0 else 0.0


def expected_daily_volume(cfg: SimulationConfig, queue: QueueSpec, weekday: int) -> float:
    """Expected new calls to `queue` on a weekday (0 = Monday), before daily noise."""
    if queue.window(weekday) is None:
        return 0.0
    total_share = sum(q.share for q in cfg.queues) or 1.0
    return cfg.calls_per_day * volume_scale(cfg) * WEEKDAY_FACTORS[weekday] * queue.share / total_share


@dataclass(frozen=True)
class DayBins:
    """Five-minute bins of one site-local day: start epochs and per-queue expected calls."""

    day: date
    starts: np.ndarray          # int64 epochs, len n
    expected: list[np.ndarray]  # per queue: expected calls per bin (sums to the day's volume)


def bin_wall_minutes(starts: np.ndarray, tz: ZoneInfo) -> np.ndarray:
    """Local wall-clock minute at the middle of each bin (the repeated autumn hour appears twice).

    A queue is open in a bin when this minute lies in its window."""
    minutes = np.empty(len(starts), dtype=np.float64)
    for i, t in enumerate(starts.tolist()):
        local = local_datetime(t + BIN_SECONDS // 2, tz)
        minutes[i] = local.hour * 60 + local.minute + local.second / 60
    return minutes


def day_bins(cfg: SimulationConfig, day: date, tz: ZoneInfo) -> DayBins:
    """Bin the local day and spread each queue's expected volume over its open bins."""
    start, end = local_day_bounds(day, tz)
    starts = np.arange(start, end, BIN_SECONDS, dtype=np.int64)
    weekday = day.weekday()
    minutes = bin_wall_minutes(starts, tz)
    weights = np.array([intraday_weight(m / 60) for m in minutes])
    expected = []
    for queue in cfg.queues:
        window = queue.window(weekday)
        volume = expected_daily_volume(cfg, queue, weekday)
        if window is None or volume <= 0:
            expected.append(np.zeros(len(starts)))
            continue
        open_mask = (minutes >= window[0]) & (minutes < window[1])
        w = np.where(open_mask, weights, 0.0)
        total = w.sum()
        expected.append(w * (volume / total) if total > 0 else w)
    return DayBins(day=day, starts=starts, expected=expected)


def arrivals_in_bins(starts: np.ndarray, means: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Poisson arrivals per bin (`means` = expected count of each bin starting at `starts`),
    each at a uniform second of its bin. Shared by the calls and the helpdesk's tickets."""
    counts = rng.poisson(means)
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    return np.repeat(starts, counts) + rng.integers(0, BIN_SECONDS, size=total)


def merge_in_time_order(parts: list[tuple[np.ndarray, int]]) -> list[tuple[int, int]]:
    """(epoch, stream index) of every arrival of the (times, stream index) parts, time-ordered,
    the stream index breaking ties."""
    parts = [(times, index) for times, index in parts if len(times)]
    if not parts:
        return []
    times = np.concatenate([t for t, _ in parts])
    indices = np.concatenate([np.full(len(t), index, dtype=np.int64) for t, index in parts])
    order = np.lexsort((indices, times))
    return list(zip(times[order].tolist(), indices[order].tolist(), strict=True))


def generate_arrivals(bins: DayBins, rng: np.random.Generator) -> list[tuple[int, int]]:
    """Draw the day's arrivals as (epoch, queue index), time-ordered, queue index breaking ties."""
    parts: list[tuple[np.ndarray, int]] = []
    for q_index, expected in enumerate(bins.expected):
        level = float(np.exp(rng.normal(0.0, DAILY_VOLUME_SIGMA)))
        parts.append((arrivals_in_bins(bins.starts, expected * level, rng), q_index))
    return merge_in_time_order(parts)
