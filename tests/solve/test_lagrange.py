"""The Lagrangian bound: never above a roster's objective, tight where it should be."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from optimizer.check import check_roster
from optimizer.solve.colgen import column_generation_bound
from optimizer.solve.lagrange import lagrangian_bound
from tests.solve import helpers as h


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(h.random_cases(max_days=8, max_cells=40))
def test_bound_never_exceeds_a_solved_roster(case):
    data, cells = case
    with tempfile.TemporaryDirectory() as tmp:
        sc = h.load(Path(tmp), data)
        p = h.problem(sc, cells)
        res = h.solve(p, h.StopCriteria(time_limit=3, gap=0.0), seed=0)
        if res.status == "INFEASIBLE":
            return
        b = lagrangian_bound(p, time_limit=1.0)
        cg = column_generation_bound(p, time_limit=2.0, block=1)
        assert b.value is not None and cg.value is not None
        assert b.value <= res.objective + 1e-6 * max(1.0, abs(res.objective))
        assert cg.value <= res.objective + 1e-6 * max(1.0, abs(res.objective))


def test_block_lps_are_weaker_but_valid():
    """Summing coverage over blocks relaxes the LP: block 4 ≤ block 1 ≤ any roster."""
    from optimizer.solve.bound import lp_bound

    data = h.case(days=2, agents=2)
    cells = {**h.block(0, 6, 14, 2), **h.block(1, 9, 12, 1), (1, 20): 3}
    with tempfile.TemporaryDirectory() as tmp:
        sc = h.load(Path(tmp), data)
        p = h.problem(sc, cells)
        res = h.solve(p, h.StopCriteria(time_limit=3, gap=0.0), seed=0)
        exact = lp_bound(p, block=1).value
        coarse = lp_bound(p, block=4).value
        lag = lagrangian_bound(p, time_limit=1.0).value
    assert coarse <= exact + 1e-6 and exact <= res.objective + 1e-6
    assert lag <= res.objective + 1e-6


def test_lagrangian_proves_the_optimum_of_a_hand_case():
    """One agent, 4-hour shifts at 10 EUR/h, one agent needed 08:00–12:00 on day 0 at
    100 EUR per agent-hour short: the optimum works that shift (cost 40), and
    the bound proves it."""
    data = h.case(days=1, agents=1)
    with tempfile.TemporaryDirectory() as tmp:
        sc = h.load(Path(tmp), data)
        p = h.problem(sc, h.block(0, 8, 12, 1))
        b = lagrangian_bound(p, time_limit=2.0, upper=lambda: 40.0)
    assert (
        b.value is not None and b.value == pytest.approx(40.0, abs=1e-3) and b.value <= 40.0 + 1e-6
    )


def test_column_generation_proves_the_bundled_tiny_roster_optimal():
    """The tiny scenario: the LP relaxation leaves a 0.5 % gap (38,724); the
    agents' integral schedules close it (38,934 = the roster's objective)."""
    from optimizer.pipeline import prepare, run
    from optimizer.scenario.load import load_scenario
    from optimizer.solve.problem import build_problem
    from optimizer.solve.stop import StopCriteria
    from tests.conftest import REPO

    from optimizer.bench.workability import keep_rules

    # the v1 rules: the bounds relax the v1.1 workability rules
    prep = prepare(keep_rules(load_scenario(REPO / "scenarios" / "tiny.yaml"), ()))
    p = build_problem(prep.scenario, prep.requirements, prep.calendars)
    cg = column_generation_bound(p, time_limit=10.0, block=1)
    out = run(prep, StopCriteria(time_limit=10, gap=0.0))
    assert cg.status == "CONVERGED"
    assert cg.value == pytest.approx(38934.0, abs=0.01)
    assert out.result.objective == pytest.approx(38934.0, abs=0.01)
    assert out.result.status == "OPTIMAL" and out.result.gap == 0
    assert check_roster(prep.scenario, out.roster).ok  # the roster, checked independently


def test_identical_agents_are_priced_once_and_counted_as_many():
    """Three identical agents and one with leave: pricing the two kinds once
    each, counted by multiplicity, gives the same dual value and coverage
    as pricing all four."""
    import numpy as np

    from optimizer.solve.lagrange import AgentPricing, identical_agents

    data = h.case(days=3, agents=4)
    data["agents"][3]["leave"] = "2027-03-02"
    cells = {**h.block(0, 6, 14, 2), **h.block(1, 9, 12, 3), **h.block(2, 18, 23, 1)}
    with tempfile.TemporaryDirectory() as tmp:
        sc = h.load(Path(tmp), data)
        p = h.problem(sc, cells)
        reps, mult = identical_agents(p)
        assert reps.tolist() == [0, 3] and mult.tolist() == [3.0, 1.0]
        rng = np.random.default_rng(0)
        one, many = AgentPricing(p), AgentPricing(p, aggregate=True)
        for _ in range(5):
            lam = rng.uniform(0, 1, p.required.shape) * p.penalty[:, None] * (p.required > 0)
            a, b = one.price(lam), many.price(lam)
            assert b.value == pytest.approx(a.value)
            assert np.allclose(b.cover, a.cover)


def test_steps_go_on_from_the_prices_just_tried_and_climb_past_a_kink():
    """A week cut from the baseline (tests/solve/data/latin-week). At the
    block LP's prices the dual value is 25,404; the compact model's LP
    relaxation is 25,970 (measured once by translating the CP-SAT model into
    GLOP), and a roster of 28,017 exists. Steps that restarted from the best
    prices never left 25,404 (a subgradient there points downhill for every
    step length); stepping on from the prices just tried climbs to within
    0.3 % of the LP in a few thousand steps."""
    from optimizer.pipeline import prepare
    from optimizer.scenario.load import load_scenario
    from optimizer.solve.bound import lp_bound
    from optimizer.solve.problem import build_problem

    prep = prepare(load_scenario(Path(__file__).parent / "data" / "latin-week" / "scenario.yaml"))
    p = build_problem(prep.scenario, prep.requirements, prep.calendars)
    start = lp_bound(p, block=8)
    b = lagrangian_bound(
        p, time_limit=600, max_iterations=4000, upper=lambda: 28_017.4, start=start.prices
    )
    assert b.value is not None
    assert 25_900 <= b.value <= 28_017.4  # near the LP relaxation; never above a roster
