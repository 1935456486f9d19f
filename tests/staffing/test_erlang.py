"""Erlang C: golden numbers, stability at thousands of Erlangs, minimality."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.staffing.erlang import (
    agents_for_service_level,
    erlang_b,
    erlang_c_wait_probability,
    service_level,
)


def erlang_b_reference(n: int, a: float) -> float:
    """The textbook recursion B(k) = A·B(k−1) / (k + A·B(k−1)) in plain floats."""
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def test_golden_100_calls_180s_80_in_20():
    # 100 calls per 30 min x 180 s = 10 Erlangs; 80 % in 20 s needs 14 agents
    assert agents_for_service_level(10.0, 180, 0.8, 20) == 14
    assert service_level(13, 10.0, 180, 20) < 0.8 <= service_level(14, 10.0, 180, 20)
    # with shrinkage 0.30: ceil(14 / 0.7) = 20 (see test_kernels)


def test_published_wait_probability():
    # A = 10, N = 11: P(wait) = 0.6821 (standard Erlang C tables)
    assert erlang_c_wait_probability(11, 10.0) == pytest.approx(0.6821, abs=1e-4)
    assert erlang_c_wait_probability(10, 10.0) == 1.0  # unstable queue


@pytest.mark.parametrize("a", [0.5, 7.3, 50.0, 500.0, 1000.0, 2000.0])
def test_erlang_b_matches_the_recursion_even_at_thousands_of_erlangs(a):
    for n in (int(a) + 1, int(a + 3 * math.sqrt(a)) + 2):
        assert erlang_b(n, a) == pytest.approx(erlang_b_reference(n, a), rel=1e-9)


def test_large_traffic_is_finite_and_monotone():
    a = np.full(60, 1500.0)
    n = 1501 + np.arange(60)
    sl = service_level(n, a, 300, 20)
    assert np.isfinite(sl).all() and (np.diff(sl) >= 0).all()


def test_occupancy_cap_binds():
    # 10 Erlangs, a lax SLA: Erlang C alone needs 11; occupancy 0.8 needs 13 (10 / 0.8 = 12.5)
    assert agents_for_service_level(10.0, 180, 0.5, 60, 1.0) == 11
    assert agents_for_service_level(10.0, 180, 0.5, 60, 0.8) == 13


def test_no_traffic_needs_nobody():
    assert agents_for_service_level(0.0, 180, 0.8, 20) == 0
    assert service_level(0, 0.0, 180, 20) == 1.0


@settings(max_examples=200, deadline=None)
@given(
    a=st.floats(0.01, 800.0),
    aht=st.floats(60, 900),
    level=st.floats(0.5, 0.95),
    target=st.floats(5, 120),
)
def test_agents_is_the_minimal_n(a, aht, level, target):
    n = int(agents_for_service_level(a, aht, level, target))
    assert service_level(n, a, aht, target) >= level - 1e-12
    if n - 1 > a:
        assert service_level(n - 1, a, aht, target) < level


@settings(max_examples=100, deadline=None)
@given(a=st.floats(0.1, 300.0), aht=st.floats(60, 900), target=st.floats(5, 120))
def test_service_level_never_falls_when_agents_are_added(a, aht, target):
    n = np.arange(int(a) + 1, int(a) + 40)
    assert (np.diff(service_level(n, a, aht, target)) >= -1e-12).all()
