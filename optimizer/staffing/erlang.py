"""Erlang C, vectorised and numerically stable at thousands of Erlangs.

Erlang B is the ratio of a Poisson pmf to its cdf, B(N, A) = P(X = N) /
P(X <= N) with X ~ Poisson(A), computed in log space with scipy (no
factorials, no overflow); Erlang C follows as C = N·B / (N − A·(1 − B)).
Every function broadcasts over numpy arrays of cells.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import poisson

# rounds of the search in agents_for_service_level: steps up to 2**50 agents
# above the stable minimum, exact in float64
MAX_DOUBLINGS = 50


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
    (0 where there is no traffic).

    Exact, since SL rises with N: from the smallest stable N, every unsatisfied
    cell steps up by 1, 2, 4, … until it is satisfied, then halves the last
    step back down. Both loops run over rounds, never over cells, and end
    within `MAX_DOUBLINGS` rounds each: an input no N can satisfy (a target
    above 1, a non-finite number) raises ValueError instead of looping."""
    a, aht, lvl, t, occ = np.broadcast_arrays(
        *(
            np.asarray(x, dtype=float)
            for x in (traffic, aht_seconds, target_level, target_seconds, max_occupancy)
        )
    )
    idle = ~(a > 0)  # no traffic: the other numbers do not matter
    for name, x, ok in (
        ("traffic", a, np.isfinite(a)),
        ("aht_seconds", aht, idle | (np.isfinite(aht) & (aht > 0))),
        ("target_level", lvl, idle | np.isfinite(lvl)),
        ("target_seconds", t, idle | (np.isfinite(t) & (t >= 0))),
        ("max_occupancy", occ, idle | (np.isfinite(occ) & (occ > 0))),
    ):
        if not ok.all():
            raise ValueError(f"agents_for_service_level: {name} {x[~ok][0]} is out of range")
    a_f, aht_f, t_f, occ_f = (x.ravel() for x in (a, aht, t, occ))
    goal = lvl.ravel() - 1e-12

    def meets(cells: np.ndarray, n: np.ndarray) -> np.ndarray:
        return service_level(n, a_f[cells], aht_f[cells], t_f[cells]) >= goal[cells]

    n_flat = np.where(a_f > 0, np.floor(a_f) + 1.0, 0.0)
    n_flat = np.maximum(n_flat, np.ceil(a_f / occ_f - 1e-9))
    todo = np.flatnonzero(a_f > 0)
    todo = todo[~meets(todo, n_flat[todo])]
    lo = n_flat.copy()  # on `todo`: fails the target
    hi = n_flat + 1.0  # on `todo`, once the first loop is done: meets it
    step, pending = 1.0, todo
    for _ in range(MAX_DOUBLINGS):
        if not pending.size:
            break
        ok = meets(pending, hi[pending])
        pending = pending[~ok]
        lo[pending] = hi[pending]
        step *= 2.0
        hi[pending] = lo[pending] + step
    else:
        raise ValueError(
            f"agents_for_service_level: no number of agents meets the target level "
            f"{lvl.ravel()[pending[0]]} for {a_f[pending[0]]} Erlangs"
        )
    active = todo[hi[todo] - lo[todo] > 1.0]
    while active.size:  # the gap halves each round: at most MAX_DOUBLINGS rounds
        mid = np.floor((lo[active] + hi[active]) / 2.0)
        ok = meets(active, mid)
        hi[active[ok]] = mid[ok]
        lo[active[~ok]] = mid[~ok]
        active = active[hi[active] - lo[active] > 1.0]
    n_flat[todo] = hi[todo]
    return n_flat.reshape(a.shape).astype(np.int64)
