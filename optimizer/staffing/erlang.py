"""Erlang C, vectorised and numerically stable at thousands of Erlangs.

Erlang B is the ratio of a Poisson pmf to its cdf, B(N, A) = P(X = N) /
P(X <= N) with X ~ Poisson(A), computed in log space with scipy (no
factorials, no overflow); Erlang C follows as C = N·B / (N − A·(1 − B)).
Every function broadcasts over numpy arrays of cells.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import poisson


def erlang_b(agents: np.ndarray, traffic: np.ndarray) -> np.ndarray:
    """Blocking probability of an M/M/N/N system (N agents, A Erlangs)."""
    n = np.asarray(agents, dtype=float)
    a = np.asarray(traffic, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.exp(poisson.logpmf(n, a) - poisson.logcdf(n, a))
    return np.where(a <= 0, np.where(n <= 0, 1.0, 0.0), out)


def erlang_c_wait_probability(agents: np.ndarray, traffic: np.ndarray) -> np.ndarray:
    """P(an arriving contact waits) with N agents and A Erlangs; 1 when N <= A."""
    n = np.asarray(agents, dtype=float)
    a = np.asarray(traffic, dtype=float)
    b = erlang_b(n, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = n * b / (n - a * (1.0 - b))
    c = np.where(n > a, np.clip(c, 0.0, 1.0), 1.0)
    return np.where(a <= 0, 0.0, c)


def service_level(
    agents: np.ndarray, traffic: np.ndarray, aht_seconds: np.ndarray, target_seconds: np.ndarray
) -> np.ndarray:
    """Share of contacts answered within `target_seconds` (Erlang C):
    1 − C·exp(−(N − A)·T / AHT); 0 when N <= A; 1 when there is no traffic."""
    n = np.asarray(agents, dtype=float)
    a = np.asarray(traffic, dtype=float)
    aht = np.asarray(aht_seconds, dtype=float)
    t = np.asarray(target_seconds, dtype=float)
    c = erlang_c_wait_probability(n, a)
    with np.errstate(over="ignore", invalid="ignore"):
        sl = 1.0 - c * np.exp(-(n - a) * t / aht)
    sl = np.where(n > a, sl, 0.0)
    return np.where(a <= 0, 1.0, np.clip(sl, 0.0, 1.0))


def agents_for_service_level(
    traffic: np.ndarray,
    aht_seconds: np.ndarray,
    target_level: np.ndarray,
    target_seconds: np.ndarray,
    max_occupancy: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Smallest integer N with SL(N) >= target and A / N <= max_occupancy
    (0 where there is no traffic). Exact: starts below the answer (the
    smallest stable N) and steps every unsatisfied cell up by one, so the
    loop runs over N, never over cells."""
    a, aht, lvl, t, occ = np.broadcast_arrays(
        *(
            np.asarray(x, dtype=float)
            for x in (traffic, aht_seconds, target_level, target_seconds, max_occupancy)
        )
    )
    n = np.where(a > 0, np.floor(a) + 1.0, 0.0)
    n = np.maximum(n, np.ceil(a / occ - 1e-9))
    todo = np.flatnonzero((a > 0).ravel())
    n_flat, a_f, aht_f, lvl_f, t_f = (x.ravel().copy() for x in (n, a, aht, lvl, t))
    while todo.size:
        ok = service_level(n_flat[todo], a_f[todo], aht_f[todo], t_f[todo]) >= lvl_f[todo] - 1e-12
        todo = todo[~ok]
        n_flat[todo] += 1.0
    return n_flat.reshape(a.shape).astype(np.int64)
