"""Lagrangian cuts (`optimizer.solve.lagrange_cuts`): each agent's least
reduced cost is the least over every schedule the benchmark's independent
evaluator accepts for that agent, priced by hand; the whole model keeps its
optimum with the cuts added."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from ortools.sat.python import cp_model

from optimizer.bench.curtois.adapter import to_scenario
from optimizer.bench.curtois.evaluate import OFF, violations
from optimizer.bench.curtois.parse import Instance, parse_instance
from optimizer.solve.construct import construct
from optimizer.solve.lagrange_cuts import Prices, add_cuts, least_reduced_costs
from optimizer.solve.model import CandidateIndex, build
from optimizer.solve.problem import Problem, build_problem
from optimizer.solve.stop import StopCriteria
from tests.bench.paths import TINY


def tiny() -> tuple[Instance, Problem, CandidateIndex]:
    """The tiny Curtois instance (2 staff, 7 days, shift types D and N) as
    the engine's problem, and every candidate shift."""
    inst = parse_instance(TINY)
    p = build_problem(to_scenario(inst))
    return inst, p, CandidateIndex(p, nominal_only=False)


def feasible_rows(inst: Instance, e: int) -> list[tuple[int, ...]]:
    """Every row (a shift type or OFF per day) of employee e that the
    evaluator accepts: the hard rules, each about one employee."""
    rows = []
    for row in itertools.product(range(OFF, inst.n_shifts), repeat=inst.horizon):
        roster = np.full((inst.n_staff, inst.horizon), OFF)
        roster[e] = row
        if not any(v.employee == inst.staff_ids[e] for v in violations(inst, roster)):
            rows.append(row)
    return rows


def reduced_cost_by_hand(inst: Instance, p: Problem, mu: np.ndarray, e: int, row) -> int:  # type: ignore[no-untyped-def]
    """What row costs employee e in cents — each off request it hits, less
    each on request it grants — less what its shifts earn: the cell price
    of each (day, shift type) it works."""
    tc = p.type_cover
    cell = {(int(d), int(t)): c for c, (d, t) in enumerate(zip(tc.day, tc.type, strict=True))}
    cost = 0
    for emp, day, shift, weight in inst.off_requests.tolist():
        cost += 100 * weight if emp == e and row[day] == shift else 0
    for emp, day, shift, weight in inst.on_requests.tolist():
        cost -= 100 * weight if emp == e and row[day] == shift else 0
    earned = sum(int(mu[cell[(d, t)]]) for d, t in enumerate(row) if t != OFF)
    return cost - earned


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_each_agents_least_reduced_cost_is_the_least_over_its_feasible_schedules(seed):
    inst, p, cands = tiny()
    tc = p.type_cover
    rng = np.random.default_rng(seed)
    mu = rng.uniform(-tc.over, tc.under)  # any prices within the cells' range
    prices = Prices.of(p, np.zeros(p.required.shape), mu)
    state = construct(p, cands, StopCriteria(time_limit=10), 0).state
    cuts = least_reduced_costs(p, state, cands, prices, None, seconds_per_agent=5.0)
    for e in range(inst.n_staff):
        least = min(reduced_cost_by_hand(inst, p, prices.mu, e, r) for r in feasible_rows(inst, e))
        assert cuts.exact[e]
        assert cuts.least[e] == least


def test_the_cuts_keep_the_whole_models_optimum():
    _, p, cands = tiny()
    prices = Prices.of(p, np.zeros(p.required.shape), p.type_cover.under * 0.6)
    state = construct(p, cands, StopCriteria(time_limit=10), 0).state
    cuts = least_reduced_costs(p, state, cands, prices, None, seconds_per_agent=5.0)

    def optimum(with_cuts: bool) -> float:
        built = build(p, state, list(range(p.n_agents)), range(p.n_days), cands)
        if with_cuts:
            assert add_cuts(p, built, cuts) == p.n_agents
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        assert solver.solve(built.model) == cp_model.OPTIMAL
        return solver.objective_value / 100 + built.constant

    assert optimum(True) == optimum(False) == 207  # the tiny instance's optimum
