"""Agent by agent re-optimisation: each agent's whole horizon, re-planned
against what the others leave uncovered.

The construction plans agents one after another, so the first ones never
saw the later ones. Here each agent in turn is taken out of the incumbent
(its group's allocation redone without it), gets its best schedule against
the residual need from the same one-agent model as the construction (every
rule of the agent exact), and the change is kept when the whole roster's
objective improves. A full-horizon move for one agent is a neighbourhood
the day-window LNS does not have.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from optimizer.solve.allocate import greedy_allocation
from optimizer.solve.construct import best_schedule
from optimizer.solve.model import CandidateIndex
from optimizer.solve.problem import Problem
from optimizer.solve.state import Evaluation, State, cover, evaluate
from optimizer.solve.stop import StopCriteria


def reoptimise_agents(
    p: Problem,
    state: State,
    best: Evaluation,
    cands: CandidateIndex,
    agents: list[int],
    stop: StopCriteria,
    seed: int,
    fair_target: np.ndarray | None = None,
    on_improve: Callable[[Evaluation], None] | None = None,
) -> tuple[State, Evaluation, int]:
    """One pass over `agents`; returns the new incumbent, its evaluation and
    how many agents' schedules changed for the better."""
    improved = 0
    for a in agents:
        if stop.should_stop():
            break
        if not p.eligible[a].any():
            continue
        trial = state.copy()
        trial.works[a] = False
        greedy_allocation(p, trial)
        residual = p.required - cover(p, trial)
        found = best_schedule(p, trial, a, residual, cands, seed, budgets=(0.2,))
        if found is None:
            continue
        trial = found[0]
        if np.array_equal(trial.works[a], state.works[a]) and np.array_equal(
            trial.tpl[a][trial.works[a]], state.tpl[a][state.works[a]]
        ):
            continue
        greedy_allocation(p, trial)
        ev = evaluate(p, trial, fair_target)
        if ev.total < best.total - 1e-6:
            state, best = trial, ev
            improved += 1
            if on_improve is not None:
                on_improve(best)
    return state, best, improved
