"""Closing the gap exactly (`optimizer.solve.close_gap`): the schedules
within a margin are exactly those the benchmark's independent evaluator
accepts whose reduced cost, priced by hand, lies within it; the rounds end
at the optimum found by enumerating every roster, from any bound below it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optimizer.bench.curtois.evaluate import OFF, evaluate
from optimizer.solve.bounds.colgen import ColumnGeneration
from optimizer.solve.close_gap import (
    choose_schedules,
    close_gap,
    least_coverage,
    margin_at,
    requests_weight,
    schedules_within,
)
from optimizer.solve.construct import construct
from optimizer.solve.lagrange_cuts import Prices, least_reduced_costs
from optimizer.solve.state import State, whole_objective
from optimizer.solve.state import evaluate as model_value
from optimizer.solve.stop import StopCriteria
from optimizer.solve.type_cover import shift_numbers
from tests.solve.test_lagrange_cuts import feasible_rows, reduced_cost_by_hand, tiny

OPTIMUM = 207  # the tiny instance's optimum, by enumerating every roster (tests/bench)


def _converged():  # type: ignore[no-untyped-def]
    """The tiny instance, column generation converged on it, its prices'
    cuts and a first roster."""
    inst, p, cands = tiny()
    cg = ColumnGeneration(p, block=1, whole=whole_objective(p))
    assert cg.run(10.0) == "CONVERGED"
    state = construct(p, cands, StopCriteria(time_limit=10), 0).state
    cuts = least_reduced_costs(p, state, cands, Prices.of(p, *cg.best_prices), None, 5.0)
    return inst, p, cands, cg, state, cuts


def _rows(p, s: State) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The roster as the benchmark's rows: each day's shift type, or OFF."""
    rows = np.full(s.works.shape, OFF)
    for a, d in zip(*np.nonzero(s.works), strict=True):
        site = int(p.agent_site[a])
        rows[a, d] = int(shift_numbers(p, site, np.array([s.tpl[a, d]]))[0])
    return rows


def test_least_coverage_is_each_cells_price_times_its_requirement():
    _, p, _ = tiny()
    mu = np.full(len(p.type_cover.required), 100)
    # ten agents required over the fourteen cells (D: 1 1 1 1 2 1 1, N: day 2 and 5)
    assert least_coverage(p, Prices(np.zeros(p.required.shape, np.int64), mu)) == 1000


def test_the_requests_weight_is_every_on_request():
    _, p, _ = tiny()
    assert requests_weight(p) == 2 + 1 + 3


@pytest.mark.parametrize("margin", [0, 150, 400])
def test_schedules_within_a_margin_are_exactly_those_priced_within_it(margin):
    inst, p, cands, _, state, cuts = _converged()
    for e in range(inst.n_staff):
        found = schedules_within(p, state, cands, e, cuts, margin, 10.0, 10_000)
        assert found is not None
        got = set()
        for s in found:
            row = [OFF] * inst.horizon
            for d, k in s.shifts:
                site = int(p.agent_site[e])
                row[d] = int(shift_numbers(p, site, np.array([k]))[0])
            got.add(tuple(row))
        want = {
            r
            for r in feasible_rows(inst, e)
            if reduced_cost_by_hand(inst, p, cuts.prices.mu, e, r) <= cuts.least[e] + margin
        }
        assert got == want and want


def test_the_listing_gives_up_past_its_most():
    _, p, cands, _, state, cuts = _converged()
    assert schedules_within(p, state, cands, 0, cuts, 10_000, 10.0, 3) is None


@pytest.mark.parametrize("below", [0, 3, 12])
def test_rounds_from_any_bound_below_end_at_the_optimum(below):
    inst, p, cands, cg, state, cuts = _converged()
    lower = math.ceil(cg.best) - below
    closed = close_gap(p, state, cands, cuts, lower, 10_000.0, StopCriteria(time_limit=60))
    assert closed.bound == OPTIMUM
    assert closed.state is not None
    assert model_value(p, closed.state).total == pytest.approx(OPTIMUM)
    ev = evaluate(inst, _rows(p, closed.state))  # the independent evaluator agrees
    assert ev.feasible and ev.objective == OPTIMUM
    # below the prices' own bound the margin is negative and no round is needed for it
    assert closed.rounds == 1
    assert margin_at(p, cuts, math.ceil(cg.best) - 1) < 0


def test_an_incumbent_at_the_bound_needs_no_round():
    _, p, cands, _, state, cuts = _converged()
    closed = close_gap(p, state, cands, cuts, OPTIMUM, OPTIMUM, StopCriteria(time_limit=60))
    assert closed.rounds == 0 and closed.bound is None and closed.state is None


def test_rounds_at_weak_prices_climb_one_unit_at_a_time_to_the_optimum():
    # at zero prices every schedule's reduced cost is its requests' cost alone, so the
    # schedules near the least cover badly, and round after round proves one more unit
    _, p, cands, _, state, _ = _converged()
    cells = len(p.type_cover.required)
    zero = Prices(np.zeros(p.required.shape, np.int64), np.zeros(cells, np.int64))
    cuts = least_reduced_costs(p, state, cands, zero, None, 5.0)
    closed = close_gap(p, state, cands, cuts, OPTIMUM - 8, 10_000.0, StopCriteria(time_limit=60))
    # targets 199 … 206: the last round's best roster is 207, one above its target, and
    # every roster of 206 or less being among its choices, 207 is proven
    assert closed.rounds == 8
    assert closed.bound == OPTIMUM
    assert closed.state is not None and model_value(p, closed.state).total == pytest.approx(OPTIMUM)


def test_a_cancelled_stop_leaves_the_mip_unsolved():
    _, p, cands, _, state, cuts = _converged()
    found = [
        s
        for a in range(p.n_agents)
        for s in schedules_within(p, state, cands, a, cuts, 400, 10.0, 10_000) or []
    ]
    stop = StopCriteria(time_limit=60)
    stop.cancel.set()
    assert choose_schedules(p, found, 10.0, stop) == ("UNKNOWN", [], -math.inf)
    assert choose_schedules(p, found, 10.0)[0] == "OPTIMAL"  # the same MIP, not cancelled


def test_scip_takes_every_setting_of_the_rounds():
    # a setting SCIP cannot read (a parameter renamed in a new OR-Tools) is only
    # reported, not raised: the rounds would go on without it, more slowly
    from ortools.linear_solver import pywraplp

    from optimizer.solve.close_gap import SCIP_SETTINGS

    mip = pywraplp.Solver.CreateSolver("SCIP")
    assert mip.SetSolverSpecificParametersAsString(SCIP_SETTINGS)
    assert not mip.SetSolverSpecificParametersAsString(SCIP_SETTINGS + "\nno/such/setting = 0")
