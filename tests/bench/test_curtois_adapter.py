"""The Curtois–Qu adapter (`optimizer.bench.curtois.adapter`): every rule
of an instance becomes a scenario rule, and the product's engine, solving
that scenario, returns rosters the benchmark's independent evaluator
accepts, at the objective the evaluator counts — on the tiny instance the
optimum found by enumerating every roster."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from optimizer.bench.curtois.adapter import solve_instance, to_benchmark, to_scenario
from optimizer.bench.curtois.evaluate import OFF, evaluate, objective, violations
from optimizer.bench.curtois.parse import Instance, instance_path, parse_instance
from optimizer.solve.problem import build_problem
from optimizer.solve.solver import solve
from optimizer.solve.stop import StopCriteria
from tests.bench.paths import BENCH, TINY, needs_bench


def test_every_rule_of_the_tiny_instance_is_a_scenario_rule():
    sc = to_scenario(parse_instance(TINY))
    a, b = sc.agents
    ra, rb = sc.rules_of(a.site), sc.rules_of(b.site)
    assert a.site != b.site  # two contracts, two rule sets
    assert [(t.id, t.start, t.hours) for t in ra.shift_types] == [("D", 0, 8.0), ("N", 60, 8.0)]
    assert rb.shift_types[1].max_shifts == 0 and ra.shift_types[1].max_shifts is None
    assert ra.forbidden_successions == (("N", "D"),)
    assert (ra.max_consecutive_days, ra.min_consecutive_days, ra.min_consecutive_days_off) == (
        3,
        2,
        None,
    )
    assert (rb.min_consecutive_days, rb.min_consecutive_days_off) == (None, 2)
    assert (ra.max_weekends, rb.max_weekends) == (None, 0)  # one weekend: 1 cannot bind
    assert (a.min_hours_horizon, a.max_hours_horizon, b.max_hours_horizon) == (16.0, 40.0, 24.0)
    assert [d.weekday() for d in a.leave] == [6] and [d.weekday() for d in b.leave] == [0]
    assert len(sc.requests) == 6 and len(sc.shift_cover) == 14


def _product(inst, seconds: float = 30.0):  # type: ignore[no-untyped-def]
    """The product engine's result on the instance and its roster as the benchmark's."""
    p = build_problem(to_scenario(inst))
    res = solve(p, StopCriteria(time_limit=seconds, gap=0.0, workers=1, passes=40), seed=0)
    return res, to_benchmark(inst, res.roster)


def _optimum_by_enumeration(inst: Instance) -> int:
    """The least objective over every feasible roster, by the evaluator alone:
    each employee's feasible rows (every hard rule concerns one employee),
    then every combination of them."""
    feasible = []
    for e, name in enumerate(inst.staff_ids):
        rows = []
        for row in itertools.product(range(OFF, inst.n_shifts), repeat=inst.horizon):
            roster = np.full((inst.n_staff, inst.horizon), OFF)
            roster[e] = row
            if not any(v.employee == name for v in violations(inst, roster)):
                rows.append(row)
        feasible.append(rows)
    return min(objective(inst, np.array(rows)) for rows in itertools.product(*feasible))


def test_the_product_engine_reaches_the_tiny_instances_optimum():
    inst = parse_instance(TINY)
    optimum = _optimum_by_enumeration(inst)  # 2 × 3^7 rows, 116 × 11 feasible pairs
    assert optimum == 207
    res, roster = _product(inst)
    ev = evaluate(inst, roster)
    assert ev.feasible, ev.violations
    assert ev.objective == pytest.approx(res.objective) == optimum
    out = solve_instance(inst, time_limit=30, workers=1)
    assert out.objective == optimum and evaluate(inst, out.roster).feasible
    assert out.bound is None or out.bound <= optimum
    assert out.status == ("OPTIMAL" if out.bound == optimum else "FEASIBLE")


@needs_bench
def test_instance1_solved_by_the_product_engine_is_accepted_by_the_evaluator():
    inst = parse_instance(instance_path(BENCH, 1))
    res, roster = _product(inst, seconds=40.0)
    ev = evaluate(inst, roster)
    assert ev.feasible, ev.violations[:3]
    assert ev.objective == pytest.approx(res.objective)
    out = solve_instance(inst, time_limit=10, workers=1)
    assert out.roster is not None and out.objective == evaluate(inst, out.roster).objective
