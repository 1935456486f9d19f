"""Drop a shift, refill its hole: a two-agent move the agent passes lack.

An agent pass re-plans one agent against what the others leave uncovered,
so a shift that covers a few needed hours and many spare ones stays: on its
own, dropping it leaves those hours short, and nobody else moves while one
agent is re-planned. Here a shift of an agent above its weekly minimum is
dropped and a colleague who works near it (a queue in common, a shift
within `NEAR_MINUTES` of it the day before, of or after) is re-planned
over the whole horizon; the move is kept when the roster ends better. The
colleague's start moves towards the hole, or a cheaper colleague below the
weekly maximum takes an extra shift. Shifts are drawn with weight 1 + the
intervals where their group has someone idle (spare there, cheap to drop).

Why: late rosters work more hours than the agents' best schedules at the
Lagrangian's prices, and much of the gap to the bound is agents working an
extra shift where the prices say a colleague's time is cheaper. From such
a roster, where passes gain nothing more, these moves still gain, and most
with one colleague re-planned per move: cheap moves, many of them, win.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np

from optimizer.solve.allocate import optimal_allocation
from optimizer.solve.improve import Replanning, replan
from optimizer.solve.problem import Problem
from optimizer.solve.state import Evaluation, State, evaluate, on_duty, re_evaluate, weekly_paid

NEIGHBOURS = 1  # colleagues re-planned after a shift is dropped (module doc)
NEAR_MINUTES = 480  # a colleague works near the hole: a shift within this of it


def _span(p: Problem, a: np.ndarray, d: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and end grid interval of the shifts (agent a, day d, template k)."""
    first = np.zeros(len(a), dtype=np.int64)
    end = np.zeros(len(a), dtype=np.int64)
    site = p.agent_site[a]
    for si in np.unique(site):
        sel = site == si
        first[sel], end[sel] = p.sites[si].a[k[sel]], p.sites[si].b[k[sel]]
    return first, end


def droppable(p: Problem, s: State) -> tuple[np.ndarray, np.ndarray]:
    """Worked shifts (agent, day) whose agent stays at or above its weekly
    minimum and its minimum over the horizon without them, and whose runs
    of days keep their minimums (`runs_allow_drop`). Every other rule only
    gets easier with a day off."""
    a, d = np.nonzero(s.works)
    if len(a) == 0:
        return a, d
    paid = np.zeros(len(a), dtype=np.int64)
    site = p.agent_site[a]
    for si in np.unique(site):
        sel = site == si
        paid[sel] = p.sites[si].tpl.paid[s.tpl[a[sel], d[sel]]]
    w = p.week_of_day[d]
    week = weekly_paid(p, s)
    left = week[a, w] - paid
    horizon_left = week.sum(axis=1)[a] - paid
    ok = (left >= p.wmin[a, w]) & (horizon_left >= p.hmin[a]) & runs_allow_drop(p, s, a, d)
    return a[ok], d[ok]


def runs_allow_drop(p: Problem, s: State, a: np.ndarray, d: np.ndarray) -> np.ndarray:
    """For each worked shift (agent a, day d): whether a day off there keeps
    `min_consecutive_days` and `min_consecutive_days_off`. The day off cuts
    its run of working days in two: each part left must be long enough
    unless it touches the horizon's first or last day; and with working
    days on both sides it is itself a run of one day off."""
    least, least_off = p.mincons[p.agent_site[a]], p.minoff[p.agent_site[a]]
    ok = np.ones(len(a), dtype=bool)
    if len(a) == 0 or ((least <= 1).all() and (least_off <= 1).all()):
        return ok
    n = p.n_days
    ahead = np.zeros((p.n_agents, n + 1), dtype=np.int64)  # worked days in a row up to d − 1
    behind = np.zeros((p.n_agents, n + 2), dtype=np.int64)  # … and from d + 1 on
    for k in range(n):
        ahead[:, k + 1] = np.where(s.works[:, k], ahead[:, k] + 1, 0)
        j = n - 1 - k
        behind[:, j + 1] = np.where(s.works[:, j], behind[:, j + 2] + 1, 0)
    left, right = ahead[a, d], behind[a, d + 2]
    left_ok = (left == 0) | (d - left == 0) | (left >= least)
    right_ok = (right == 0) | (d + right == n - 1) | (right >= least)
    off_ok = (left == 0) | (right == 0) | (least_off <= 1)
    return left_ok & right_ok & off_ok


def spare(p: Problem, s: State, a: np.ndarray, d: np.ndarray) -> np.ndarray:
    """For each shift (agent a, day d): its on-duty intervals where the agent's
    group has someone on duty whom the allocation leaves idle (the shift is
    spare there)."""
    on = on_duty(p, s)
    idle = np.stack([on[g] - al.sum(axis=0) for g, al in enumerate(s.alloc)]) > 0
    prefix = np.zeros((len(idle), p.grid.n + 1))
    np.cumsum(idle, axis=1, out=prefix[:, 1:])
    out = np.zeros(len(a))
    site = p.agent_site[a]
    for si in np.unique(site):
        sel = np.flatnonzero(site == si)
        k = s.tpl[a[sel], d[sel]]
        out[sel] = p.sites[si].on_duty_sums(prefix, k, p.agent_group[a[sel]])
    return out


def neighbours(p: Problem, s: State, a: int, d: int, rng: random.Random) -> list[int]:
    """Colleagues of agent a (a queue in common) with a shift near a's shift
    on day d (the day before, of or after), in random order."""
    k = s.tpl[a, d]
    lo, hi = _span(p, np.array([a]), np.array([d]), np.array([k]))
    reach = NEAR_MINUTES // p.interval
    mates = np.flatnonzero(p.eligible[:, p.eligible[a]].any(axis=1))
    mates = mates[mates != a]
    days = np.arange(max(0, d - 1), min(p.n_days, d + 2))
    b, dd = np.nonzero(s.works[np.ix_(mates, days)])
    b, dd = mates[b], days[dd]
    first, end = _span(p, b, dd, s.tpl[b, dd])
    near = np.unique(b[(end > lo[0] - reach) & (first < hi[0] + reach)])
    out = [int(x) for x in near]
    rng.shuffle(out)
    return out


def drop_and_refill(
    ctx: Replanning,
    state: State,
    best: Evaluation,
    rng: random.Random,
    seed: int,
    *,
    on_improve: Callable[[Evaluation], None] | None = None,
    patience: int = 200,
    until: Callable[[], bool] | None = None,
) -> tuple[State, Evaluation, dict[str, int]]:
    """Moves (module doc) on droppable shifts drawn at random until `ctx.stop`,
    until `patience` moves in a row gain nothing, or until `until()` says so
    (the caller has something better to do); returns the new incumbent
    (exactly allocated), its evaluation and how many moves were tried and kept."""
    p, stop, fair_target = ctx.p, ctx.stop, ctx.fair_target
    tried = kept = stale = 0
    while not stop.should_stop() and stale < patience and not (until and until()):
        aa, dd = droppable(p, state)
        if len(aa) == 0:
            break
        weight = 1.0 + spare(p, state, aa, dd)
        i = int(np.searchsorted(np.cumsum(weight), rng.random() * weight.sum()))
        a, d = int(aa[min(i, len(aa) - 1)]), int(dd[min(i, len(aa) - 1)])
        mates = neighbours(p, state, a, d, rng)[:NEIGHBOURS]
        lo, hi = _span(p, np.array([a]), np.array([d]), state.tpl[[a], [d]])
        trial = state.copy()
        trial.works[a, d] = False
        window = np.zeros(p.grid.n, dtype=bool)
        window[lo[0] : hi[0]] = True
        optimal_allocation(p, trial, window)
        ev = re_evaluate(p, state, best, trial, [a], fair_target)
        for b in mates:
            if stop.should_stop():
                break
            moved = replan(ctx, trial, b, seed + tried)
            if moved is None:
                continue
            e2 = re_evaluate(p, trial, ev, moved, [b], fair_target)
            if e2.total < ev.total - 1e-6:
                trial, ev = moved, e2
        tried += 1
        if ev.total < best.total - 1e-6:
            state, best = trial, ev
            kept += 1
            stale = 0
            if on_improve is not None:
                on_improve(best)
        else:
            stale += 1
    state = state.copy()
    optimal_allocation(p, state)  # the moves allocated locally: now exactly
    exact = evaluate(p, state, fair_target)
    if exact.total < best.total - 1e-6 and on_improve is not None:
        on_improve(exact)
    return state, exact, {"refill_moves": tried, "refill_kept": kept}
