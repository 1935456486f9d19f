"""A roster that may break an agent's rule, made to keep every rule: the
agents whose schedules break one of their own rules are re-planned
together, every other agent as it is.

Column generation's pricing may relax a rule over the horizon that its
state cannot hold (`agentdp_counters.held_in_state`: the widest shift-type
limits, the weekends worked), so a roster from its master LP (`dive.py`)
can break that rule for some agents while the rest of it is sound. Fixing
the whole roster as it is would lose it; re-planning only the agents that
break a rule keeps what the master LP got right.
"""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from optimizer.solve.lns import solve_neighbourhood
from optimizer.solve.model import CandidateIndex, build
from optimizer.solve.problem import Problem
from optimizer.solve.state import State
from optimizer.solve.stop import StopCriteria

CHECK_SECONDS = 1.0  # one agent's check, at most: it only propagates fixed shifts


def keeps_own_rules(p: Problem, s: State, a: int, cands: CandidateIndex) -> bool:
    """Whether agent a's schedule in `s` keeps every rule of the agent's own
    (the rules the whole model holds for one agent; coverage left out): its
    one-agent model has a solution with every shift fixed as in `s`. A
    shift outside the agent's candidates breaks a rule too, and so does a
    check that does not finish."""
    for d in np.flatnonzero(s.works[a]).tolist():
        if int(s.tpl[a, d]) not in cands.by_day[a].get(d, ()):
            return False
    zero = {a: np.zeros(len(p.sites[p.agent_site[a]].tpl.day))}
    built = build(p, s, [a], range(p.n_days), cands, coverage=False, values=zero)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = CHECK_SECONDS
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.catch_sigint_signal = False  # Ctrl-C is the caller's (stop.py)
    return solver.solve(built.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def rule_breakers(p: Problem, s: State, cands: CandidateIndex) -> list[int]:
    """The agents whose schedules in `s` break one of their own rules."""
    return [a for a in range(p.n_agents) if not keeps_own_rules(p, s, a, cands)]


def repaired(
    p: Problem,
    s: State,
    agents: list[int],
    cands: CandidateIndex,
    stop: StopCriteria,
    seed: int = 0,
    fair_target: np.ndarray | None = None,
) -> State | None:
    """`s` with `agents` re-planned over the whole horizon in one CP-SAT
    model (hinted with their schedules in `s`), every other agent held;
    None if no solution was found within `stop`."""
    _, _, out = solve_neighbourhood(
        p, s, agents, range(p.n_days), cands, stop, stop.remaining(), stop.workers, seed,
        fair_target,
    )  # fmt: skip
    return out
