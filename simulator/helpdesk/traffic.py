"""When tickets arrive: channels, their weekly and intraday patterns, and the arrival process.

As for calls, arrivals are a non-homogeneous Poisson process with a rate constant over five-minute
bins of each site-local day. Each stream (a channel and a requester region) has its own weekday
factors and intraday profile, on the wall clock of its region's schedule: e-mail and web forms
follow office hours with an evening tail, messaging and social peak again in the evening, chat is
only offered while the group's schedule is open (so never on a holiday), and agents open outbound
tickets during their business hours only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

import numpy as np

from simulator.clock import local_day_bounds
from simulator.helpdesk.business import BusinessClock
from simulator.patterns import BIN_SECONDS, arrivals_in_bins, merge_in_time_order

DAILY_VOLUME_SIGMA = 0.08
OUTBOUND = "outbound"                 # the stream of agent-created tickets (via.channel "web")
NORTH_AMERICA_SHARE = 0.15            # share of every stream that the North America group takes


@dataclass(frozen=True)
class ChannelSpec:
    """A ticket channel: its volume, when it arrives and how fast both sides answer.

    agent_minutes: median delay of an agent's first action, in *business* minutes of the
    group's schedule (chat: calendar seconds, see lifecycle); after_hours_rate: chance that a
    ticket waiting outside business hours is picked up anyway (calendar time); customer_minutes:
    median delay of a customer's answer (calendar time).
    """

    name: str
    share: float
    weekday_factors: tuple[float, ...]
    profile: str
    agent_minutes: float
    after_hours_rate: float
    customer_minutes: float


OFFICE_WEEK = (1.12, 1.05, 1.00, 0.95, 0.88, 0.35, 0.30)
FLAT_WEEK = (1.00, 1.00, 1.00, 1.00, 1.00, 0.75, 0.65)
WORK_WEEK = (1.00, 1.00, 1.00, 1.00, 1.00, 0.00, 0.00)

CHANNELS: tuple[ChannelSpec, ...] = (
    ChannelSpec("email", 0.34, OFFICE_WEEK, "office", 150, 0.05, 240),
    ChannelSpec("web", 0.22, OFFICE_WEEK, "office", 120, 0.05, 240),
    ChannelSpec("chat", 0.18, WORK_WEEK, "live", 1, 0.0, 2),
    ChannelSpec("native_messaging", 0.14, FLAT_WEEK, "evening", 25, 0.12, 20),
    ChannelSpec("twitter", 0.03, FLAT_WEEK, "evening", 45, 0.15, 60),
    ChannelSpec("facebook", 0.03, FLAT_WEEK, "evening", 60, 0.12, 90),
    ChannelSpec(OUTBOUND, 0.06, WORK_WEEK, "live", 120, 0.03, 600),
)
CHANNEL_BY_NAME = {spec.name: spec for spec in CHANNELS}


def _bump(hour: float, centre: float, width: float) -> float:
    return math.exp(-0.5 * ((hour - centre) / width) ** 2)


def profile_weight(profile: str, hour: float) -> float:
    """Relative arrival intensity at a local wall-clock hour (0..24)."""
    if profile == "office":
        return 0.06 + _bump(hour, 10.5, 2.0) + 0.8 * _bump(hour, 14.8, 2.2) + 0.3 * _bump(hour, 20.5, 1.5)
    if profile == "evening":
        return 0.08 + 0.7 * _bump(hour, 12.0, 2.8) + 1.0 * _bump(hour, 20.0, 2.0)
    return 0.05 + _bump(hour, 11.0, 2.2) + 0.9 * _bump(hour, 15.0, 2.2)   # live: masked by the schedule


@dataclass(frozen=True)
class Stream:
    channel: ChannelSpec
    region: str
    share: float          # of tickets_per_day
    clock: BusinessClock  # the region's schedule (chat and outbound only arrive while it is open)
    tz: tzinfo


def day_arrivals(day: date, site_tz: tzinfo, streams: list[Stream], tickets_per_day: float,
                 rng: np.random.Generator) -> list[tuple[int, int]]:
    """The arrivals of one site-local day as (epoch, stream index), time-ordered."""
    start, end = local_day_bounds(day, site_tz)
    starts = np.arange(start, end, BIN_SECONDS, dtype=np.int64)
    middles = (starts + BIN_SECONDS // 2).tolist()
    weekday = day.weekday()
    hours_by_tz: dict[tzinfo, list[float]] = {}
    parts: list[tuple[np.ndarray, int]] = []
    for index, stream in enumerate(streams):
        spec = stream.channel
        if stream.tz not in hours_by_tz:
            hours_by_tz[stream.tz] = [
                (lambda local: local.hour + local.minute / 60)(datetime.fromtimestamp(t, stream.tz))
                for t in middles
            ]
        hours = hours_by_tz[stream.tz]
        weights = np.array([profile_weight(spec.profile, h) for h in hours])
        if spec.profile == "live":
            weights *= np.array([stream.clock.is_open(t) for t in middles], dtype=np.float64)
        volume = tickets_per_day * stream.share * spec.weekday_factors[weekday]
        level = float(np.exp(rng.normal(0.0, DAILY_VOLUME_SIGMA)))
        total = weights.sum()
        if total <= 0 or volume <= 0:
            continue
        parts.append((arrivals_in_bins(starts, weights * (volume * level / total), rng), index))
    return merge_in_time_order(parts)
