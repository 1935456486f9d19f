"""Large-neighbourhood search: free a few agents over a few days, re-solve
that neighbourhood exactly with CP-SAT from the incumbent, keep it if better.

Neighbourhoods are drawn around a costly shortfall (the short queue's
agents and stand-ins for them, `neighbourhood`) or at random; they grow
while they solve to optimality fast and shrink when they do not. Each
neighbourhood tried counts towards `MaxPasses`.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

import numpy as np
from ortools.sat.python import cp_model

from optimizer.solve.allocate import optimal_allocation
from optimizer.solve.model import CandidateIndex, build, read_solution
from optimizer.solve.params import SearchParams
from optimizer.solve.problem import Problem
from optimizer.solve.search import Search
from optimizer.solve.state import Evaluation, State, evaluate
from optimizer.solve.stop import StopCriteria


def solve_neighbourhood(
    p: Problem,
    s: State,
    agents: Sequence[int],
    days: Iterable[int],
    cands: CandidateIndex,
    stop: StopCriteria,
    seconds: float,
    workers: int,
    seed: int,
    fair_target: np.ndarray | None = None,
) -> tuple[int, float, State | None]:
    """`agents` on `days` re-solved by CP-SAT from `s` (its hint), everything
    else held, in at most `seconds` (a cancel of `stop` ends it at once):
    CP-SAT's status, its wall time, and the roster found with every group's
    allocation exact (None if none was found)."""
    built = build(p, s, agents, days, cands, fair_target=fair_target)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, seconds)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    with stop.watching(solver):
        code = solver.solve(built.model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return code, solver.wall_time, None
    out = read_solution(p, s, built, solver)
    # the model re-allocated only the neighbourhood's groups: now all of them
    optimal_allocation(p, out, built.touched)
    return code, solver.wall_time, out


def neighbourhood(
    p: Problem,
    s: State,
    best_short: np.ndarray,
    rng: random.Random,
    size: int,
    span: int,
    shortfall_share: float = SearchParams.lns_shortfall_share,
) -> tuple[list[int], range]:
    """Agents and days to free: around the costliest shortfall (with
    probability `shortfall_share`, when there is one), or at random.

    Around a shortfall in queue q, half the agents are ones who may serve q
    and half are ones who may stand in for them: agents of the queues q's
    agents serve on those days. That lets the search move a rare-language
    agent from a common language onto q while someone else takes over,
    a two-agent move neither agent can make alone."""
    weight = best_short * p.penalty[:, None]
    total = weight.sum()
    if total > 0 and rng.random() < shortfall_share:
        flat = weight.ravel() / total
        cell = int(np.searchsorted(np.cumsum(flat), rng.random()))
        q, t = divmod(min(cell, flat.size - 1), p.grid.n)
        day = int(np.clip((p.grid.starts[t] - p.grid.start) // 1440, 0, p.n_days - 1))
        lo = max(0, min(day - span // 2, p.n_days - span))
        days = range(lo, min(p.n_days, lo + span))
        pool = [int(a) for a in np.flatnonzero(p.eligible[:, q])]
        rng.shuffle(pool)
        agents = pool[: max(1, size // 2)]
        # the queues those agents' groups serve in the window, bar q: their stand-ins
        t0 = min(lo * 1440 // p.interval, p.grid.n)
        t1 = min(t0 + span * 1440 // p.interval, p.grid.n)
        served = np.zeros(len(p.queue_ids), dtype=bool)
        for g in {int(p.agent_group[a]) for a in agents}:
            qs = p.group_queues[g]
            served[qs[s.alloc[g][:, t0:t1].sum(axis=1) > 0]] = True
        served[q] = False
        others = [
            int(a) for a in np.flatnonzero(p.eligible[:, served].any(axis=1) & ~p.eligible[:, q])
        ]
        rng.shuffle(others)
        agents += others[: size - len(agents)]
        if len(agents) < size:
            agents += [a for a in pool if a not in agents][: size - len(agents)]
        return sorted(agents), days
    g = rng.randrange(len(p.group_queues))
    pool_arr = np.flatnonzero(p.agent_group == g)
    if len(pool_arr) < size:
        qs = p.group_queues[g]
        pool_arr = np.flatnonzero(p.eligible[:, qs].any(axis=1)) if len(qs) else pool_arr
    day = rng.randrange(p.n_days)
    pool = [int(a) for a in pool_arr]
    rng.shuffle(pool)
    lo = max(0, min(day - span // 2, p.n_days - span))
    return sorted(pool[:size]), range(lo, min(p.n_days, lo + span))


def lns(
    search: Search,
    state: State,
    best: Evaluation,
    stop: StopCriteria,
    bound: float | None,
) -> tuple[State, Evaluation]:
    """Neighbourhoods from (`state`, `best`) until `stop` (or the gap to the
    best of `bound` and the bound worker's is closed); the best roster found.
    Adds `lns_neighbourhoods` and `lns_improvements` to the search's stats."""
    p, prm, bounds = search.p, search.params, search.bounds
    size, span = prm.lns_size, prm.lns_span
    tried = improved = 0
    while not stop.should_stop():
        latest = bounds.best()[0]
        if latest is not None and (bound is None or latest > bound + 1e-9):
            bound = latest
            search.emit("bound", best.total, bound)
        if stop.should_stop(best.total, bound):
            break
        rng, share = search.rng, prm.lns_shortfall_share
        agents, days = neighbourhood(p, state, best.short, rng, size, span, share)
        if not agents:
            continue
        code, seconds, cand = solve_neighbourhood(
            p, state, agents, days, search.cands, stop,
            seconds=min(prm.lns_seconds, stop.remaining()),
            # one core is the bound thread's while it runs
            workers=max(1, stop.workers - 1) if bounds.running() else stop.workers,
            seed=search.seed + tried, fair_target=search.fair_target,
        )  # fmt: skip
        tried += 1
        stop.count_pass()
        if cand is None:
            size = max(prm.lns_min_size, size - prm.lns_size_step)
            continue
        ev = evaluate(p, cand, search.fair_target)
        if ev.total < best.total - 1e-6:
            state, best = cand, ev
            bounds.upper = best.total
            improved += 1
            search.emit("improve", best.total, bound)
        # adapt: grow while neighbourhoods solve to optimality fast, shrink otherwise
        if code == cp_model.OPTIMAL and seconds < prm.lns_fast_seconds:
            size = min(size + prm.lns_size_step, prm.lns_max_size)
            span = min(span + 1, prm.lns_max_span)
        elif code == cp_model.FEASIBLE:
            size = max(prm.lns_min_size, size - prm.lns_size_step)
            span = max(prm.lns_min_span, span - 1)
    search.stats.update(lns_neighbourhoods=tried, lns_improvements=improved)
    return state, best
