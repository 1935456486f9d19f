"""The restricted model: the whole model over only the shifts that column
generation's schedules use (`bounds/pool.ColumnPool`) and the incumbent's,
hinted with the master LP's optimum rounded (`rounded_roster`).

The master LP's optimum is a mix of the agents' proposed schedules, and
good rosters are mostly made of their shifts. Offering CP-SAT only those
shifts (a few per agent and day instead of every candidate) leaves it so
little freedom that it finds such rosters quickly where the whole model
needs minutes — price-and-branch, with CP-SAT recombining the schedules
day by day and every rule and term exact, as in the whole model. The
incumbent's shifts stay in, so the incumbent is always a solution. What
it proves holds for the restricted problem only, so its bound is never
reported.
"""

from __future__ import annotations

import copy

import numpy as np

from optimizer.solve.allocate import optimal_allocation
from optimizer.solve.bounds.pool import ColumnPool
from optimizer.solve.model import CandidateIndex
from optimizer.solve.problem import Problem
from optimizer.solve.state import State


def restricted_candidates(
    cands: CandidateIndex, pool: ColumnPool, state: State, support: bool
) -> CandidateIndex:
    """`cands` with each agent's templates on each day cut to those of the
    pool's schedules (with `support`, those the master LP's optimum uses)
    and of `state`."""
    out = copy.copy(cands)
    out.by_day = []
    for a, by_day in enumerate(cands.by_day):
        keep = pool.shifts(a, support)
        keep |= {(int(d), int(state.tpl[a, d])) for d in np.flatnonzero(state.works[a])}
        days: dict[int, np.ndarray] = {}
        for d, ks in by_day.items():
            mine = np.array(sorted(k for day, k in keep if day == d), dtype=np.int64)
            ks = ks[np.isin(ks, mine)]
            if len(ks):
                days[d] = ks
        out.by_day.append(days)
    return out


def rounded_roster(p: Problem, pool: ColumnPool) -> State:
    """The master LP's optimum rounded: each agent on its heaviest schedule.
    A hint, not a roster to accept as it is: the pricing may relax a rule
    the schedule breaks, and the rounding may cover badly."""
    s = State.empty(p)
    for a in range(p.n_agents):
        for d, k in pool.rounded(a):
            s.works[a, d], s.tpl[a, d] = True, k
    optimal_allocation(p, s)
    return s
