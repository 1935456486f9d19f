"""Large-neighbourhood search: free a few agents over a few days, re-solve
that neighbourhood exactly with CP-SAT from the incumbent, keep it if better.

Neighbourhoods are drawn around a costly shortfall (the short queue's
agents and stand-ins for them; the site of a costly cell of the cover per
shift type) or at random (a few agents over every day, or one group's
agents over a few days), `neighbourhood` says how; they grow while they
solve to optimality fast and shrink when they do not. Each neighbourhood
tried counts towards `MaxPasses`.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np
from ortools.sat.python import cp_model

from optimizer.solve.allocate import optimal_allocation
from optimizer.solve.model import CandidateIndex, build, read_solution
from optimizer.solve.params import SearchParams
from optimizer.solve.problem import Problem
from optimizer.solve.search import Search
from optimizer.solve.state import Evaluation, State, evaluate
from optimizer.solve.stop import StopCriteria
from optimizer.solve.type_cover import roster_cell_costs, shift_numbers


class Neighbourhood(NamedTuple):
    """What a step frees: `agents` over `days`, and the agents of `whole` over
    every day."""

    agents: list[int]
    days: range
    whole: tuple[int, ...] = ()


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
    whole: Sequence[int] = (),
) -> tuple[int, float, State | None]:
    """`agents` on `days` (and `whole` on every day) re-solved by CP-SAT from
    `s` (its hint), everything else held, in at most `seconds` (a cancel of
    `stop` ends it at once): CP-SAT's status, its wall time, and the roster
    found with every group's allocation exact (None if none was found)."""
    built = build(p, s, agents, days, cands, fair_target=fair_target, whole=whole)
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
    typed: np.ndarray | None = None,
    whole: int = SearchParams.lns_whole_agents,
    rows_share: float = SearchParams.lns_rows_share,
    rows_max_days: int = SearchParams.lns_rows_max_days,
) -> Neighbourhood:
    """Agents and days to free: around the costliest shortfall (with
    probability `shortfall_share`, when there is one), or at random: with
    probability `rows_share` a few agents over every day (`_whole_rows`),
    else agents of one group over a few days. On a horizon of more than
    `rows_max_days` days no agent is freed over every day (`whole` and
    `rows_share` are taken as 0).

    A shortfall is a (queue, interval) short of agents, or a cell of the
    cover per shift type that costs (`typed`: each cell's cost, short or
    beyond), drawn in proportion to what it costs. Around a short queue q,
    half the agents are ones who may serve q and half are ones who may stand
    in for them: agents of the queues q's agents serve on those days. That
    lets the search move a rare-language agent from a common language onto
    q while someone else takes over, a two-agent move neither agent can make
    alone. Around a costly cell, up to `size` agents over the days around it
    and `whole` agents over every day (`_around_type_cell`)."""
    if p.n_days > rows_max_days:
        whole, rows_share = 0, 0.0
    weight = (best_short * p.penalty[:, None]).ravel()
    typed = np.zeros(0) if typed is None else typed
    total = weight.sum() + typed.sum()
    if total > 0 and rng.random() < shortfall_share:
        flat = np.concatenate([weight, typed]) / total
        cell = min(int(np.searchsorted(np.cumsum(flat), rng.random(), side="right")), flat.size - 1)
        if cell >= weight.size:
            return _around_type_cell(p, s, cell - weight.size, rng, size, span, whole)
        return _around_short_queue(p, s, cell, rng, size, span)
    if rng.random() < rows_share:
        return _whole_rows(p, rng, size, span)
    g = rng.randrange(len(p.group_queues))
    pool_arr = np.flatnonzero(p.agent_group == g)
    if len(pool_arr) < size:
        qs = p.group_queues[g]
        pool_arr = np.flatnonzero(p.eligible[:, qs].any(axis=1)) if len(qs) else pool_arr
    day = rng.randrange(p.n_days)
    pool = [int(a) for a in pool_arr]
    rng.shuffle(pool)
    return Neighbourhood(sorted(pool[:size]), _window(p, day, span))


def _whole_rows(p: Problem, rng: random.Random, size: int, span: int) -> Neighbourhood:
    """As many random agents over every day as make about `size` × `span`
    (agent, day) cells, two at least: limits over the horizon (its hours, a
    shift type's most, weekends) leave a schedule room to change only where
    the rest of it changes too."""
    n = min(p.n_agents, max(2, round(size * span / max(1, p.n_days))))
    return Neighbourhood([], range(0), tuple(sorted(rng.sample(range(p.n_agents), n))))


def _window(p: Problem, day: int, span: int) -> range:
    """`span` days (fewer at the horizon's edges) centred on `day`."""
    lo = max(0, min(day - span // 2, p.n_days - span))
    return range(lo, min(p.n_days, lo + span))


def _around_short_queue(
    p: Problem, s: State, cell: int, rng: random.Random, size: int, span: int
) -> Neighbourhood:
    """The neighbourhood of the short (queue, interval) `cell` (flat in [Q, T]):
    its queue's agents and their stand-ins over the days around it."""
    q, t = divmod(cell, p.grid.n)
    day = int(np.clip((p.grid.starts[t] - p.grid.start) // 1440, 0, p.n_days - 1))
    days = _window(p, day, span)
    pool = [int(a) for a in np.flatnonzero(p.eligible[:, q])]
    rng.shuffle(pool)
    agents = pool[: max(1, size // 2)]
    # the queues those agents' groups serve in the window, bar q: their stand-ins
    t0 = min(days.start * 1440 // p.interval, p.grid.n)
    t1 = min(t0 + span * 1440 // p.interval, p.grid.n)
    served = np.zeros(len(p.queue_ids), dtype=bool)
    for g in {int(p.agent_group[a]) for a in agents}:
        qs = p.group_queues[g]
        served[qs[s.alloc[g][:, t0:t1].sum(axis=1) > 0]] = True
    served[q] = False
    others = [int(a) for a in np.flatnonzero(p.eligible[:, served].any(axis=1) & ~p.eligible[:, q])]
    rng.shuffle(others)
    agents += others[: size - len(agents)]
    if len(agents) < size:
        agents += [a for a in pool if a not in agents][: size - len(agents)]
    return Neighbourhood(sorted(agents), days)


def _around_type_cell(
    p: Problem,
    s: State,
    cell: int,
    rng: random.Random,
    size: int,
    span: int,
    whole: int,
) -> Neighbourhood:
    """The neighbourhood of a costly cell of the cover per shift type: up to
    `size` agents of the sites it counts, over the days around its date —
    first those who could change its count (offered a shift of its type that
    day), then the others of those sites — and, over every day, `whole` of
    those who could take a shift of its type that day but are off: one more
    shift may break a limit over the week or the horizon that only the rest
    of their schedule can make room for. One agent short costs a whole
    shortfall price, and a random neighbourhood rarely lands on the day."""
    tc = p.type_cover
    day, kind = int(tc.day[cell]), int(tc.type[cell])
    pool = [int(a) for a in np.flatnonzero(tc.sites[cell][p.agent_site])]
    rng.shuffle(pool)

    def offered(a: int) -> bool:
        site = int(p.agent_site[a])
        ks = p.cand[a][p.sites[site].tpl.day[p.cand[a]] == day]
        return bool((shift_numbers(p, site, ks) == kind).any())

    able = {a for a in pool if offered(a)}
    pool.sort(key=lambda a: a not in able)  # stable: shuffled within each part
    off = [a for a in pool if a in able and not s.works[a, day]][:whole]
    return Neighbourhood(sorted(pool[:size]), _window(p, day, span), tuple(off))


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
        typed = roster_cell_costs(p, state)
        agents, days, whole = neighbourhood(
            p, state, best.short, rng, size, span, share, typed,
            prm.lns_whole_agents, prm.lns_rows_share, prm.lns_rows_max_days,
        )  # fmt: skip
        if not agents and not whole:
            continue
        code, seconds, cand = solve_neighbourhood(
            p, state, agents, days, search.cands, stop,
            seconds=min(prm.lns_seconds, stop.remaining()),
            # one core is the bound thread's while it runs
            workers=max(1, stop.workers - 1) if bounds.running() else stop.workers,
            seed=search.seed + tried, fair_target=search.fair_target, whole=whole,
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
