"""Queueing formulas for contact-center staffing: Erlang B, Erlang C and Erlang A.

Traffic (offered load) is in Erlangs: calls per interval times average handle time (AHT) divided
by the interval length. The formulas assume Poisson arrivals and exponential handle times within
an interval (the steady state of that interval), which is the standard workforce-management model.

- Erlang B (M/M/N/N) is the blocking probability; it is only used here as a numerically stable
  stepping stone to Erlang C (no factorials, so thousands of servers never overflow).
- Erlang C (M/M/N) is the probability that a caller waits when nobody ever hangs up; it gives the
  service level, average speed of answer and occupancy of a staffing level.
- Erlang A (M/M/N+M) adds exponential caller patience: waiting callers abandon, which shortens the
  queue for the others. It needs the callers' mean patience (see
  `workforce.forecast.estimate_patience_seconds`).

Service level is "share of calls answered within `threshold_seconds`" (e.g. 80 % in 20 s).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

TAIL_MASS = 1e-12
"""Stationary probability mass that the Erlang A state space may leave out (beyond its last state)."""

MAX_QUEUE_STATES = 2_000_000
"""Most waiting-caller states the Erlang A chain may need before the input is refused as
degenerate (an overloaded queue with near-infinite patience grows without practical bound)."""


@dataclass(frozen=True)
class StaffingResult:
    """A staffing level and what Erlang C predicts for it."""

    agents: int
    service_level: float
    wait_probability: float
    asa_seconds: float
    occupancy: float


@dataclass(frozen=True)
class ErlangAResult:
    """What Erlang A (M/M/N+M) predicts for a staffing level.

    `service_level` is the probability that an arriving caller is *answered* within the threshold:
    callers who abandon count as not answered, even when they hang up before the threshold.
    `asa_seconds` is the mean wait of the answered callers (immediate answers count as 0 s).
    """

    wait_probability: float
    abandon_probability: float
    service_level: float
    asa_seconds: float
    occupancy: float


def offered_load(calls: float, interval_seconds: float, aht_seconds: float) -> float:
    """Traffic in Erlangs: the average number of calls in progress if every call were answered."""
    _check_non_negative(calls=calls)
    _check_positive(interval_seconds=interval_seconds, aht_seconds=aht_seconds)
    return calls * aht_seconds / interval_seconds


def erlang_b(servers: int, traffic: float) -> float:
    """Blocking probability of `servers` lines offered `traffic` Erlangs (Erlang B).

    Uses the recursion B(0) = 1, B(k) = A*B(k-1) / (k + A*B(k-1)), which stays in [0, 1] at every
    step, so it neither overflows nor loses precision for thousands of servers.
    """
    _check_agents(servers)
    _check_non_negative(traffic=traffic)
    blocking = 1.0
    for k in range(1, int(servers) + 1):
        blocking = _next_erlang_b(blocking, k, traffic)
    return blocking


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a caller has to wait (Erlang C).

    1.0 when `agents <= traffic` (the queue grows without bound); 0.0 without traffic.
    """
    _check_agents(agents)
    _check_non_negative(traffic=traffic)
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    return _erlang_c_from_b(agents, traffic, erlang_b(agents, traffic))


def service_level(agents: int, traffic: float, aht_seconds: float, threshold_seconds: float) -> float:
    """Share of callers answered within `threshold_seconds`: 1 - C * exp(-(N - A) * T / AHT).

    0.0 when `agents <= traffic`; 1.0 without traffic (nobody waits).
    """
    _check_positive(aht_seconds=aht_seconds)
    _check_non_negative(threshold_seconds=threshold_seconds)
    wait = erlang_c(agents, traffic)
    if traffic == 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    return _service_level_from_c(agents, traffic, wait, aht_seconds, threshold_seconds)


def average_speed_of_answer(agents: int, traffic: float, aht_seconds: float) -> float:
    """Mean wait of all callers in seconds: C * AHT / (N - A); infinite when `agents <= traffic`."""
    _check_positive(aht_seconds=aht_seconds)
    wait = erlang_c(agents, traffic)
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return math.inf
    return wait * aht_seconds / (agents - traffic)


def occupancy(agents: int, traffic: float) -> float:
    """Share of the agents' time spent handling calls: A / N, at most 1 (0.0 without traffic)."""
    _check_agents(agents)
    _check_non_negative(traffic=traffic)
    if traffic == 0:
        return 0.0
    if agents == 0:
        return 1.0
    return min(1.0, traffic / agents)


def required_agents(
    calls: float,
    interval_seconds: int,
    aht_seconds: float,
    threshold_seconds: float,
    target: float = 0.8,
    max_occupancy: float | None = None,
) -> int:
    """Fewest agents whose Erlang C service level reaches `target` (and whose occupancy is at most
    `max_occupancy`, if given); 0 when there are no calls.

    Starts at the first staffing level that can keep up with the traffic and walks upwards,
    stepping Erlang B from N-1 to N instead of recomputing it, so 5000 Erlangs cost only a few
    thousand arithmetic steps.
    """
    _check_target(target)
    _check_non_negative(threshold_seconds=threshold_seconds)
    traffic = offered_load(calls, interval_seconds, aht_seconds)
    if traffic == 0:
        return 0
    agents = math.floor(traffic) + 1
    if max_occupancy is not None:
        if not 0 < max_occupancy <= 1:
            raise ValueError(f"max_occupancy must be in (0, 1], got {max_occupancy}")
        agents = max(agents, math.ceil(round(traffic / max_occupancy, 9)))
    blocking = erlang_b(agents, traffic)
    while True:
        wait = _erlang_c_from_b(agents, traffic, blocking)
        if _service_level_from_c(agents, traffic, wait, aht_seconds, threshold_seconds) >= target:
            return agents
        agents += 1
        blocking = _next_erlang_b(blocking, agents, traffic)


def required_positions(required: int, shrinkage: float) -> int:
    """Agents to schedule so that `required` remain after shrinkage (breaks, training, absence):
    ceil(required / (1 - shrinkage)).

    The quotient is rounded to 9 decimals first, so float noise such as
    14 / 0.7 = 20.000000000000004 does not cost a whole extra position.
    """
    if required < 0:
        raise ValueError(f"required must be >= 0, got {required}")
    if not 0 <= shrinkage < 1:
        raise ValueError(f"shrinkage must be in [0, 1), got {shrinkage}")
    return math.ceil(round(required / (1 - shrinkage), 9))


def staffing(
    calls: float,
    interval_seconds: int,
    aht_seconds: float,
    threshold_seconds: float,
    target: float = 0.8,
    max_occupancy: float | None = None,
) -> StaffingResult:
    """The Erlang C required agents for an interval and the figures predicted at that level.

    Without calls: 0 agents, service level 1.0 (nobody waits), no wait, occupancy 0.
    """
    agents = required_agents(calls, interval_seconds, aht_seconds, threshold_seconds, target, max_occupancy)
    traffic = offered_load(calls, interval_seconds, aht_seconds)
    return StaffingResult(
        agents=agents,
        service_level=service_level(agents, traffic, aht_seconds, threshold_seconds),
        wait_probability=erlang_c(agents, traffic),
        asa_seconds=average_speed_of_answer(agents, traffic, aht_seconds),
        occupancy=occupancy(agents, traffic),
    )


def erlang_a(
    agents: int,
    calls: float,
    interval_seconds: int,
    aht_seconds: float,
    patience_seconds: float,
    threshold_seconds: float,
) -> ErlangAResult:
    """Erlang A (M/M/N+M): `agents` servers, Poisson calls, exponential handle times with mean
    `aht_seconds` and exponential patience with mean `patience_seconds` (math.inf: nobody hangs
    up, which is Erlang C).

    The number of callers in the system is a birth-death chain (births at the arrival rate,
    deaths at min(n, N)/AHT + max(n - N, 0)/patience) whose stationary distribution is built in
    log space and cut where the remaining mass is below `TAIL_MASS`. Arrivals see that
    distribution (PASTA). A caller who finds k callers waiting ahead leaves the queue when the
    callers ahead are gone and a server frees: stage rates N/AHT + j/patience for j = k..0, while
    hanging up at rate 1/patience. With c_j = N/AHT + (j + 1)/patience this caller
      - is answered with probability (N/AHT) / c_k,
      - is answered within t with probability (N/AHT) / c_k * I_{1-exp(-t/patience)}(k + 1, 1 + N*patience/AHT)
        (a sum of exponentials whose rates grow linearly is -log of a Beta variable, so the
        regularized incomplete beta function gives it exactly, without matrix exponentials),
      - waits (N/AHT) / c_k * sum_{j<=k} 1 / c_j seconds on average when answered.
    """
    _check_agents(agents)
    _check_positive(patience_seconds=patience_seconds)
    _check_non_negative(threshold_seconds=threshold_seconds)
    traffic = offered_load(calls, interval_seconds, aht_seconds)
    if traffic == 0:
        return ErlangAResult(0.0, 0.0, 1.0, 0.0, 0.0)
    if math.isinf(patience_seconds):
        return _erlang_c_as_a(agents, traffic, aht_seconds, threshold_seconds)
    if agents == 0:
        return ErlangAResult(1.0, 1.0, 0.0, math.inf, 0.0)
    return _erlang_a(agents, calls / interval_seconds, 1 / aht_seconds, 1 / patience_seconds, threshold_seconds)


def required_agents_erlang_a(
    calls: float,
    interval_seconds: int,
    aht_seconds: float,
    patience_seconds: float,
    threshold_seconds: float,
    target: float = 0.8,
) -> int:
    """Fewest agents whose Erlang A service level (answered within the threshold, abandons count
    as failures) reaches `target`; 0 when there are no calls.

    The service level rises with the agents, so the search gallops from the Erlang C answer and
    then bisects. Fewer than target * A agents can never do: at most N / A of the calls are answered.
    """
    _check_target(target)
    traffic = offered_load(calls, interval_seconds, aht_seconds)
    if traffic == 0:
        return 0
    if math.isinf(patience_seconds):
        return required_agents(calls, interval_seconds, aht_seconds, threshold_seconds, target)

    def reaches(agents: int) -> bool:
        result = erlang_a(agents, calls, interval_seconds, aht_seconds, patience_seconds, threshold_seconds)
        return result.service_level >= target

    failing = max(0, math.ceil(round(target * traffic, 9)) - 1)
    start = max(failing + 1, required_agents(calls, interval_seconds, aht_seconds, threshold_seconds, target))
    step = 1
    if reaches(start):
        passing = start
        while passing - step > failing:
            if not reaches(passing - step):
                failing = passing - step
                break
            passing -= step
            step *= 2
    else:
        failing = start
        while not reaches(failing + step):
            failing += step
            step *= 2
        passing = failing + step
    while passing - failing > 1:
        middle = (passing + failing) // 2
        if reaches(middle):
            passing = middle
        else:
            failing = middle
    return passing


def _erlang_a(agents: int, arrival_rate: float, service_rate: float, abandon_rate: float,
              threshold_seconds: float) -> ErlangAResult:
    """Erlang A figures for agents >= 1 and positive rates (per second); see `erlang_a`."""
    probabilities = np.exp(_stationary_log_probabilities(agents, arrival_rate, service_rate, abandon_rate))
    waiting = probabilities[agents:]                     # an arrival finds k = 0, 1, ... callers waiting
    ahead = np.arange(waiting.size)
    server_rate = agents * service_rate
    leave_rate = server_rate + (ahead + 1) * abandon_rate  # c_k
    answered_if_waiting = server_rate / leave_rate
    wait_probability = float(waiting.sum())
    abandon_probability = float(np.sum(waiting * (1 - answered_if_waiting)))
    if threshold_seconds > 0:
        reached = special.betainc(ahead + 1, server_rate / abandon_rate + 1,
                                  -math.expm1(-abandon_rate * threshold_seconds))
        answered_in_time = float(np.sum(waiting * answered_if_waiting * np.clip(reached, 0.0, 1.0)))
    else:
        answered_in_time = 0.0
    answered = 1 - abandon_probability
    mean_wait_if_answered = np.cumsum(1 / leave_rate)
    asa = float(np.sum(waiting * answered_if_waiting * mean_wait_if_answered)) / answered if answered > 0 else math.inf
    return ErlangAResult(
        wait_probability=min(1.0, wait_probability),
        abandon_probability=min(1.0, max(0.0, abandon_probability)),
        service_level=min(1.0, max(0.0, 1 - wait_probability + answered_in_time)),
        asa_seconds=asa,
        occupancy=min(1.0, arrival_rate * answered / server_rate),
    )


def _stationary_log_probabilities(agents: int, arrival_rate: float, service_rate: float,
                                  abandon_rate: float) -> np.ndarray:
    """Log stationary probabilities of 0, 1, ... callers in an M/M/N+M system.

    Up to N callers the weights are A^n / n! (log-gamma, no overflow); beyond, each waiting caller
    multiplies by lambda / (N*mu + j*theta). The chain is cut once the ratio is below 1 and the
    geometric bound on the left-out tail is below `TAIL_MASS`; the cut is doubled until it is.
    """
    traffic = arrival_rate / service_rate
    busy = np.arange(agents + 1)
    head = busy * math.log(traffic) - special.gammaln(busy + 1)
    server_rate = agents * service_rate
    fluid_queue = max(0.0, (arrival_rate - server_rate) / abandon_rate)
    queue_states = int(fluid_queue + 10 * math.sqrt(fluid_queue + 1)) + 64
    while True:
        if queue_states > MAX_QUEUE_STATES:
            raise ValueError("Erlang A queue too long to evaluate: the agents cannot keep up with the "
                             "calls and the patience is practically infinite")
        waiting = np.arange(1, queue_states + 1)
        tail = head[-1] + np.cumsum(math.log(arrival_rate) - np.log(server_rate + waiting * abandon_rate))
        log_weights = np.concatenate([head, tail])
        log_total = special.logsumexp(log_weights)
        ratio = arrival_rate / (server_rate + (queue_states + 1) * abandon_rate)
        if ratio < 1 and log_weights[-1] - log_total + math.log(ratio / (1 - ratio)) < math.log(TAIL_MASS):
            return log_weights - log_total
        queue_states *= 2


def _erlang_c_as_a(agents: int, traffic: float, aht_seconds: float, threshold_seconds: float) -> ErlangAResult:
    """Erlang C figures in the Erlang A shape (infinite patience: nobody abandons)."""
    return ErlangAResult(
        wait_probability=erlang_c(agents, traffic),
        abandon_probability=0.0,
        service_level=service_level(agents, traffic, aht_seconds, threshold_seconds),
        asa_seconds=average_speed_of_answer(agents, traffic, aht_seconds),
        occupancy=occupancy(agents, traffic),
    )


def _next_erlang_b(previous: float, servers: int, traffic: float) -> float:
    """Erlang B for `servers` from Erlang B for `servers - 1`."""
    carried = traffic * previous
    return carried / (servers + carried)


def _erlang_c_from_b(agents: int, traffic: float, blocking: float) -> float:
    """Erlang C from Erlang B of the same staffing level (agents > traffic)."""
    return min(1.0, agents * blocking / (agents - traffic * (1 - blocking)))


def _service_level_from_c(agents: int, traffic: float, wait: float, aht_seconds: float,
                          threshold_seconds: float) -> float:
    """1 - C * exp(-(N - A) * T / AHT) for agents > traffic."""
    return max(0.0, 1 - wait * math.exp(-(agents - traffic) * threshold_seconds / aht_seconds))


def _check_agents(agents: int) -> None:
    if agents < 0 or int(agents) != agents:
        raise ValueError(f"agents must be a whole number >= 0, got {agents}")


def _check_target(target: float) -> None:
    if not 0 < target < 1:
        raise ValueError(f"target service level must be in (0, 1), got {target}")


def _check_positive(**values: float) -> None:
    for name, value in values.items():
        if not value > 0:
            raise ValueError(f"{name} must be > 0, got {value}")


def _check_non_negative(**values: float) -> None:
    for name, value in values.items():
        if not value >= 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
