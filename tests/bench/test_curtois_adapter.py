"""The Curtois–Qu adapter (`optimizer.bench.curtois.adapter`): every rule
of an instance becomes a scenario rule, and the product's engine, solving
that scenario, returns rosters the benchmark's independent evaluator
accepts, at the objective the evaluator counts."""

from __future__ import annotations

import pytest

from optimizer.bench.curtois.adapter import solve_instance, to_benchmark, to_scenario
from optimizer.bench.curtois.evaluate import evaluate
from optimizer.bench.curtois.parse import instance_path, parse_instance
from optimizer.bench.curtois.solve import solve as own_solve
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


def test_the_product_engine_reaches_the_tiny_instances_proven_optimum():
    inst = parse_instance(TINY)
    own = own_solve(inst, time_limit=20, workers=1)
    assert own.status == "OPTIMAL"
    res, roster = _product(inst)
    ev = evaluate(inst, roster)
    assert ev.feasible, ev.violations
    assert ev.objective == pytest.approx(res.objective) == own.objective


@needs_bench
def test_instance1_solved_by_the_product_engine_is_accepted_by_the_evaluator():
    inst = parse_instance(instance_path(BENCH, 1))
    res, roster = _product(inst, seconds=40.0)
    ev = evaluate(inst, roster)
    assert ev.feasible, ev.violations[:3]
    assert ev.objective == pytest.approx(res.objective)
    out = solve_instance(inst, time_limit=10, workers=1)
    assert out.roster is not None and out.objective == evaluate(inst, out.roster).objective
