"""Unit tests of workforce.erlang: textbook values, large loads, and Erlang A checked against an
independent exact computation (linear algebra on the chains) and a discrete-event simulation."""

from __future__ import annotations

import heapq
import math

import numpy as np
import pytest
from scipy import linalg

from workforce.erlang import (
    ErlangAResult,
    StaffingResult,
    average_speed_of_answer,
    erlang_a,
    erlang_b,
    erlang_c,
    occupancy,
    offered_load,
    required_agents,
    required_agents_erlang_a,
    required_positions,
    service_level,
    staffing,
)

# The textbook case: 100 calls per 30 minutes, AHT 180 s (10 Erlangs), 80 % within 20 s.
CALLS, INTERVAL, AHT, THRESHOLD = 100, 1800, 180.0, 20.0
TRAFFIC = 10.0


def test_reference_case():
    assert offered_load(CALLS, INTERVAL, AHT) == pytest.approx(TRAFFIC)
    assert round(service_level(13, TRAFFIC, AHT, THRESHOLD), 3) == 0.796
    assert round(service_level(14, TRAFFIC, AHT, THRESHOLD), 3) == 0.888
    assert round(erlang_c(14, TRAFFIC), 3) == 0.174
    assert round(average_speed_of_answer(14, TRAFFIC, AHT), 1) == 7.8
    assert round(occupancy(14, TRAFFIC), 3) == 0.714
    assert required_agents(CALLS, INTERVAL, AHT, THRESHOLD, 0.8) == 14
    assert required_positions(14, 0.3) == 20


def test_staffing_result():
    result = staffing(CALLS, INTERVAL, AHT, THRESHOLD, 0.8)
    assert isinstance(result, StaffingResult)
    assert result.agents == 14
    assert result.service_level == pytest.approx(0.888, abs=5e-4)
    assert result.wait_probability == pytest.approx(0.174, abs=5e-4)
    assert result.asa_seconds == pytest.approx(7.8, abs=0.05)
    assert result.occupancy == pytest.approx(0.714, abs=5e-4)
    assert staffing(0, INTERVAL, AHT, THRESHOLD) == StaffingResult(0, 1.0, 0.0, 0.0, 0.0)


def test_erlang_b_known_values_and_the_factorial_formula():
    assert erlang_b(10, 5) == pytest.approx(0.01838, abs=5e-6)
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_b(5, 0.0) == 0.0
    for servers in range(1, 15):
        for traffic in (0.5, 3.0, 9.5):
            terms = [traffic**k / math.factorial(k) for k in range(servers + 1)]
            assert erlang_b(servers, traffic) == pytest.approx(terms[-1] / sum(terms), rel=1e-12)


def test_erlang_c_matches_the_factorial_formula():
    for agents, traffic in ((2, 1.5), (14, 10.0), (30, 25.0)):
        last = traffic**agents / math.factorial(agents) * agents / (agents - traffic)
        head = sum(traffic**k / math.factorial(k) for k in range(agents))
        assert erlang_c(agents, traffic) == pytest.approx(last / (head + last), rel=1e-12)
    assert erlang_c(10, 10.0) == 1.0 and erlang_c(9, 10.0) == 1.0
    assert erlang_c(5, 0.0) == 0.0


def test_overload_and_no_traffic():
    assert service_level(10, 10.0, AHT, THRESHOLD) == 0.0
    assert average_speed_of_answer(9, 10.0, AHT) == math.inf
    assert occupancy(9, 10.0) == 1.0
    assert service_level(0, 0.0, AHT, THRESHOLD) == 1.0
    assert average_speed_of_answer(3, 0.0, AHT) == 0.0
    assert occupancy(3, 0.0) == 0.0


def test_large_loads_stay_finite():
    agents = required_agents(50_000, 1800, 180.0, 20.0, 0.8)  # 5000 Erlangs
    assert 5000 < agents < 5100
    assert service_level(agents, 5000.0, 180.0, 20.0) >= 0.8
    assert service_level(agents - 1, 5000.0, 180.0, 20.0) < 0.8
    blocking = erlang_b(10_000, 9500.0)
    assert math.isfinite(blocking) and 0 <= blocking <= 1
    assert 0 <= erlang_c(10_000, 9500.0) <= 1


def test_service_level_rises_with_agents():
    levels = [service_level(agents, TRAFFIC, AHT, THRESHOLD) for agents in range(11, 30)]
    waits = [erlang_c(agents, TRAFFIC) for agents in range(11, 30)]
    assert all(later > earlier for earlier, later in zip(levels, levels[1:], strict=False))
    assert all(later < earlier for earlier, later in zip(waits, waits[1:], strict=False))


def test_required_agents_edges():
    assert required_agents(0, INTERVAL, AHT, THRESHOLD) == 0
    assert required_agents(CALLS, INTERVAL, AHT, THRESHOLD, 0.8, max_occupancy=0.7) == 15  # 10 / 0.7 = 14.3
    assert required_agents(CALLS, INTERVAL, AHT, THRESHOLD, 0.95) > 14
    assert required_agents(0.01, INTERVAL, AHT, THRESHOLD) == 1
    with pytest.raises(ValueError):
        required_agents(CALLS, INTERVAL, AHT, THRESHOLD, 1.0)
    with pytest.raises(ValueError):
        required_agents(CALLS, INTERVAL, 0.0, THRESHOLD)


def test_required_positions():
    assert required_positions(14, 0.3) == 20
    assert 21 / (1 - 0.3) > 30  # float noise (30.000000000000004) that the rounding absorbs
    assert required_positions(21, 0.3) == 30
    assert required_positions(14, 0.0) == 14
    assert required_positions(15, 0.3) == 22
    assert required_positions(0, 0.5) == 0
    with pytest.raises(ValueError):
        required_positions(14, 1.0)


# --- Erlang A -------------------------------------------------------------------------------


def exact_erlang_a(agents: int, arrival_rate: float, aht: float, patience: float, threshold: float,
                   states: int = 60) -> tuple[float, float, float]:
    """(P(wait), P(abandon), SL) by plain linear algebra: the stationary distribution of the
    truncated birth-death generator from its null space, abandonment from the flow of waiting
    callers (theta * mean queue / lambda), and for each queue position the matrix exponential of
    the tagged caller's chain (positions ahead .. 0, answered, abandoned)."""
    mu, theta = 1 / aht, 1 / patience
    generator = np.zeros((states, states))
    for n in range(states):
        if n + 1 < states:
            generator[n, n + 1] = arrival_rate
        if n > 0:
            generator[n, n - 1] = min(n, agents) * mu + max(n - agents, 0) * theta
        generator[n, n] = -generator[n].sum()
    stationary = np.abs(linalg.null_space(generator.T)[:, 0])
    stationary = stationary / stationary.sum()
    waiting = stationary[agents:]
    abandon = theta * float(np.arange(waiting.size) @ waiting) / arrival_rate
    answered_in_time = 0.0
    for ahead, probability in enumerate(waiting):
        if probability < 1e-14:
            break
        size = ahead + 3
        chain = np.zeros((size, size))
        for row in range(ahead + 1):  # row r: ahead - r callers in front
            in_front = ahead - row
            chain[row, row + 1 if in_front > 0 else ahead + 1] = agents * mu + in_front * theta
            chain[row, ahead + 2] = theta
            chain[row, row] = -chain[row].sum()
        answered_in_time += probability * linalg.expm(chain * threshold)[0, ahead + 1]
    return float(waiting.sum()), abandon, 1 - float(waiting.sum()) + answered_in_time


def simulate_erlang_a(agents: int, arrival_rate: float, aht: float, patience: float, threshold: float,
                      arrivals: int, seed: int) -> tuple[float, float, float]:
    """(P(wait), P(abandon), SL) of a first-come-first-served M/M/N+M simulation: callers in
    arrival order take the earliest free agent unless their patience runs out first."""
    rng = np.random.default_rng(seed)
    arrival_times = np.cumsum(rng.exponential(1 / arrival_rate, arrivals)).tolist()
    handle_times = rng.exponential(aht, arrivals).tolist()
    patiences = rng.exponential(patience, arrivals).tolist()
    free_at = [0.0] * agents
    waited = abandoned = answered_in_time = 0
    for arrival, handle, patience_of_caller in zip(arrival_times, handle_times, patiences, strict=True):
        start = max(arrival, free_at[0])
        if start > arrival:
            waited += 1
            if start - arrival > patience_of_caller:
                abandoned += 1
                continue
        heapq.heapreplace(free_at, start + handle)
        answered_in_time += start - arrival <= threshold
    return waited / arrivals, abandoned / arrivals, answered_in_time / arrivals


def test_erlang_a_matches_an_exact_computation():
    for agents, calls, patience in ((3, 100, 60.0), (5, 180, 60.0), (4, 300, 30.0)):
        result = erlang_a(agents, calls, 3600, 80.0, patience, 20.0)
        wait, abandon, level = exact_erlang_a(agents, calls / 3600, 80.0, patience, 20.0)
        assert result.wait_probability == pytest.approx(wait, abs=1e-9)
        assert result.abandon_probability == pytest.approx(abandon, abs=1e-9)
        assert result.service_level == pytest.approx(level, abs=1e-9)


def test_erlang_a_agrees_with_a_simulation():
    agents, arrival_rate, aht, patience, threshold = 5, 1 / 20, 80.0, 60.0, 20.0
    result = erlang_a(agents, arrival_rate * 3600, 3600, aht, patience, threshold)
    wait, abandon, level = simulate_erlang_a(agents, arrival_rate, aht, patience, threshold, 200_000, seed=20260)
    assert result.wait_probability == pytest.approx(wait, abs=0.01)
    assert result.abandon_probability == pytest.approx(abandon, abs=0.01)
    assert result.service_level == pytest.approx(level, abs=0.01)


def test_erlang_a_with_long_patience_approaches_erlang_c():
    result = erlang_a(14, CALLS, INTERVAL, AHT, 1e7, THRESHOLD)
    assert result.wait_probability == pytest.approx(erlang_c(14, TRAFFIC), abs=1e-3)
    assert result.service_level == pytest.approx(service_level(14, TRAFFIC, AHT, THRESHOLD), abs=1e-3)
    assert result.asa_seconds == pytest.approx(average_speed_of_answer(14, TRAFFIC, AHT), abs=1e-2)
    assert result.abandon_probability < 1e-4
    infinite = erlang_a(14, CALLS, INTERVAL, AHT, math.inf, THRESHOLD)
    assert infinite == ErlangAResult(erlang_c(14, TRAFFIC), 0.0, service_level(14, TRAFFIC, AHT, THRESHOLD),
                                     average_speed_of_answer(14, TRAFFIC, AHT), occupancy(14, TRAFFIC))
    assert required_agents_erlang_a(CALLS, INTERVAL, AHT, math.inf, THRESHOLD) == 14


def test_erlang_a_with_short_patience_needs_fewer_agents():
    assert required_agents_erlang_a(CALLS, INTERVAL, AHT, 60.0, THRESHOLD, 0.8) < 14
    erlang_c_agents = required_agents(2000, INTERVAL, AHT, THRESHOLD, 0.8)
    assert required_agents_erlang_a(2000, INTERVAL, AHT, 90.0, THRESHOLD, 0.8) < erlang_c_agents


def test_erlang_a_figures_are_sensible():
    result = erlang_a(9, CALLS, INTERVAL, AHT, 120.0, THRESHOLD)  # fewer agents than Erlangs: still stable
    assert 0 < result.abandon_probability < 1
    assert 0 < result.wait_probability < 1
    assert 0 < result.service_level < 1 - result.abandon_probability
    assert 0 < result.occupancy <= 1 and math.isfinite(result.asa_seconds)
    levels = [erlang_a(agents, CALLS, INTERVAL, AHT, 120.0, THRESHOLD).service_level for agents in range(5, 20)]
    assert all(later > earlier for earlier, later in zip(levels, levels[1:], strict=False))
    assert erlang_a(0, CALLS, INTERVAL, AHT, 120.0, THRESHOLD) == ErlangAResult(1.0, 1.0, 0.0, math.inf, 0.0)
    assert erlang_a(3, 0, INTERVAL, AHT, 120.0, THRESHOLD) == ErlangAResult(0.0, 0.0, 1.0, 0.0, 0.0)
    assert required_agents_erlang_a(0, INTERVAL, AHT, 120.0, THRESHOLD) == 0


def test_required_agents_erlang_a_is_the_fewest():
    for calls, patience in ((100, 60.0), (100, 600.0), (2000, 90.0), (10_000, 120.0), (1, 30.0)):
        agents = required_agents_erlang_a(calls, INTERVAL, AHT, patience, THRESHOLD, 0.8)
        assert erlang_a(agents, calls, INTERVAL, AHT, patience, THRESHOLD).service_level >= 0.8
        assert agents == 0 or erlang_a(agents - 1, calls, INTERVAL, AHT, patience, THRESHOLD).service_level < 0.8


def test_erlang_a_handles_a_thousand_agents():
    result = erlang_a(1000, 9800, 1800, 180.0, 120.0, 20.0)  # 980 Erlangs
    assert 0 < result.wait_probability < 1 and 0.8 < result.service_level < 1
    overloaded = erlang_a(1000, 12_000, 1800, 180.0, 120.0, 20.0)  # 1200 Erlangs
    assert overloaded.abandon_probability == pytest.approx(1 - 1000 / 1200, abs=0.02)
    assert overloaded.occupancy == pytest.approx(1.0, abs=1e-3)
