"""The steadiness terms of the CP-SAT model (`solve/steadiness.py`): each
binds in a hand case, and on random rosters the model charges exactly what
the evaluation (`state.unsteadiness_hours`, `state.isolated_days`) does."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from optimizer.solve.model import CandidateIndex, build
from optimizer.solve.problem import Problem
from optimizer.solve.state import State, evaluate
from optimizer.solve.steadiness import start_unit
from tests.solve import helpers as h


def _problem(tmp_path, days: int, weights: dict, **rules) -> Problem:  # type: ignore[no-untyped-def]
    data = h.case(days=days)
    data["rules"]["PT"].update(rules)
    data["weights"] = weights
    return h.problem(h.load(tmp_path, data), {})


def _values(p: Problem, worth) -> dict[int, np.ndarray]:  # type: ignore[no-untyped-def]
    """Agent 0's template values: `worth(day, start hour)` on top of its cost,
    so that a plan's value is the sum of its worths."""
    tpl = p.sites[0].tpl
    values = np.full(len(tpl.day), -1e3)
    for k in p.cand[0]:
        values[k] = (
            worth(int(tpl.day[k]), int(tpl.local_start[k] // 60)) + p.rate[0] * tpl.weight[k]
        )
    return {0: values}


def _plan(p: Problem, worth) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """(day, start hour) of the best plan for agent 0 by its CP-SAT model."""
    cands = CandidateIndex(p, nominal_only=False)
    built = build(
        p, State.empty(p), [0], range(p.n_days), cands, coverage=False, values=_values(p, worth)
    )
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(built.model) == cp_model.OPTIMAL
    tpl = p.sites[0].tpl
    return sorted(
        (d, int(tpl.local_start[k] // 60))
        for _, d, k, lit in built.shift_lits
        if solver.boolean_value(lit)
    )


def _charged(p: Problem, s: State) -> float:
    """What the model's steadiness terms charge roster `s` (every shift fixed,
    the shifts' own cost offset by their value)."""
    tpl = p.sites[0].tpl
    agents = list(range(p.n_agents))
    values = {a: p.rate[a] * tpl.weight for a in agents}
    built = build(
        p, s, agents, range(p.n_days), CandidateIndex(p, nominal_only=False),
        coverage=False, values=values,
    )  # fmt: skip
    for a, d, k, lit in built.shift_lits:
        built.model.add(lit == int(s.works[a, d] and s.tpl[a, d] == k))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(built.model) == cp_model.OPTIMAL
    return solver.objective_value / 100


def _roster(p: Problem, shifts: list[tuple[int, int]]) -> State:
    """Agent 0 working (day, start hour) each."""
    tpl = p.sites[0].tpl
    s = State.empty(p)
    for d, x in shifts:
        k = int(np.flatnonzero((tpl.day == d) & (tpl.local_start == 60 * x))[0])
        s.works[0, d], s.tpl[0, d] = True, k
    return s


def test_the_stability_unit_is_the_largest_step_of_every_start():
    assert start_unit(np.array([0, 30, 90, 600])) == 30
    assert start_unit(np.array([0, 60, 120])) == 60
    assert start_unit(np.array([45, 1440 - 45])) == 45
    assert start_unit(np.array([45, 120])) == 15


def test_a_start_an_hour_later_costs_the_stability_weight(tmp_path):
    # 09:00 on both days worth 100; 10:00 on Tuesday worth 103. A move of 1 h
    # costs 5 with stability 5: 09:00 twice (200) beats 09:00 + 10:00 (203 − 5)
    def worth(d, x):  # type: ignore[no-untyped-def]
        return {(0, 9): 100.0, (1, 9): 100.0, (1, 10): 103.0}.get((d, x), -50.0)

    plain = _problem(tmp_path / "plain", 2, {}, start_band_hours=2)
    steady = _problem(tmp_path / "steady", 2, {"stability": 5.0}, start_band_hours=2)
    assert _plan(plain, worth) == [(0, 9), (1, 10)]
    assert _plan(steady, worth) == [(0, 9), (1, 9)]


def test_the_arc_begins_at_the_earliest_start_not_the_commonest(tmp_path):
    # 08:00 on Monday, 10:00 on Tuesday to Thursday: 2 h from the arc each, 6 h
    # in all at weight 1; 10:00 on Monday instead is worth 5 less and costs 0
    def worth(d, x):  # type: ignore[no-untyped-def]
        if d == 0:
            return {8: 105.0, 10: 100.0}.get(x, -50.0)
        return 100.0 if d < 4 and x == 10 else -50.0

    p = _problem(tmp_path, 4, {"stability": 1.0}, start_band_hours=2)
    assert _plan(p, worth) == [(0, 10), (1, 10), (2, 10), (3, 10)]


def test_the_arcs_move_from_week_to_week_is_priced_round_midnight(tmp_path):
    # week 1 works 23:00 on Sunday; in week 2 Tuesday 01:00 (2 h on round
    # midnight) is worth 1 more than Monday 22:00 (1 h back): at weight 2 the
    # move of 2 h costs 4 and the one of 1 h costs 2, so 22:00 wins (1 − 4 < −2)
    def worth(d, x):  # type: ignore[no-untyped-def]
        return {(6, 23): 100.0, (7, 22): 100.0, (8, 1): 101.0}.get((d, x), -50.0)

    plain = _problem(tmp_path / "plain", 9, {}, start_band_hours=2, min_rest_hours=0)
    steady = _problem(
        tmp_path / "steady",
        9,
        {"stability": 2.0, "isolated_day": 0},
        start_band_hours=2,
        min_rest_hours=0,
    )
    assert _plan(plain, worth) == [(6, 23), (8, 1)]
    assert _plan(steady, worth) == [(6, 23), (7, 22)]


def test_an_isolated_working_day_costs_its_weight_in_the_model(tmp_path):
    # a 09:00 shift worth 10 on Tue and Thu, 9.5 on Wed; 8 h a week allow two.
    # Tue + Thu (20) leaves two isolated days; at 20 each, Tue + Wed or
    # Wed + Thu (19.5) win
    def worth(d, x):  # type: ignore[no-untyped-def]
        return {1: 10.0, 2: 9.5, 3: 10.0}.get(d, -50.0) if x == 9 else -50.0

    plain = h.case(days=7)
    plain["agents"][0]["max_hours_week"] = 8
    p = h.problem(h.load(tmp_path / "plain", plain), {})
    assert _plan(p, worth) == [(1, 9), (3, 9)]
    steady = {**plain, "weights": {"isolated_day": 20.0}}
    p = h.problem(h.load(tmp_path / "steady", steady), {})
    assert _plan(p, worth) in ([(1, 9), (2, 9)], [(2, 9), (3, 9)])


def test_the_arc_begins_at_a_start_worked(tmp_path):
    # 08:00, then a week with one shift at 10:00, then 08:00 again: the arc
    # moves 2 h and back (4 h). Begun at 08:00 in the middle week instead (a
    # start not worked), it would cost 2 h from the arc and no move
    p = _problem(tmp_path, 15, {"stability": 1.0, "isolated_day": 0}, start_band_hours=2)
    s = _roster(p, [(0, 8), (7, 10), (14, 8)])
    assert evaluate(p, s).stability == pytest.approx(4.0)
    assert _charged(p, s) == pytest.approx(4.0)


def test_a_price_in_fractions_of_a_cent_is_charged_no_more_than_the_evaluation(tmp_path):
    # 1/3 an hour over 60-minute units is 33.3 cents a unit: the model charges
    # 33, never more than the evaluation, so its bound stays a bound
    weights = {"stability": 1 / 3, "isolated_day": 0.005}
    p = _problem(tmp_path, 9, weights, start_band_hours=2)
    s = _roster(p, [(0, 8), (1, 10), (3, 9), (7, 10)])
    truth = evaluate(p, s).stability
    assert truth == pytest.approx((3 + 2) / 3 + 2 * 0.005)  # 2 isolated days (Thu, Mon)
    assert truth - 0.05 <= _charged(p, s) <= truth


def test_without_a_start_band_stability_is_left_out_of_the_model(tmp_path):
    # no band: the model cannot tell where a wide arc begins, so it leaves the
    # term out (a relaxation) and takes the more valuable 10:00
    def worth(d, x):  # type: ignore[no-untyped-def]
        return {(0, 9): 100.0, (1, 9): 100.0, (1, 10): 103.0}.get((d, x), -50.0)

    p = _problem(tmp_path, 2, {"stability": 5.0})
    assert _plan(p, worth) == [(0, 9), (1, 10)]


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    seed=st.integers(0, 10_000),
    share=st.floats(0.2, 0.9),
    weight=st.sampled_from([0.5, 1.0, 2.0, 5.0]),
    isolated=st.sampled_from([0.0, 7.0, 60.0]),
)
def test_the_model_charges_a_roster_what_the_evaluation_does(
    tmp_path_factory, seed, share, weight, isolated
):
    # random rosters within a 3-h band, each agent-week round its own start
    # (some round midnight; a shift that would overlap the day before's is
    # left out); the model's steadiness terms with every shift fixed against
    # `evaluate`'s stability term, computed from the roster alone
    data = h.case(days=17, agents=3)
    data["rules"]["PT"].update(
        start_band_hours=3, min_rest_hours=0, max_consecutive_days=17, max_hours_week=60
    )
    for agent in data["agents"]:
        agent["max_hours_week"] = 60
    data["weights"] = {"stability": weight, "isolated_day": isolated}
    p = h.problem(h.load(tmp_path_factory.mktemp("s"), data), {})
    rng = np.random.default_rng(seed)
    tpl = p.sites[0].tpl
    s = State.empty(p)
    for a in range(3):
        last_end = -1
        for wk in range(p.n_weeks):
            anchor = int(rng.integers(0, 24)) * 60
            for d in np.flatnonzero(p.week_of_day == wk):
                start = (anchor + 60 * int(rng.integers(0, 4))) % 1440
                ks = np.flatnonzero((tpl.day == d) & (tpl.local_start == start))
                ks = ks[np.isin(ks, p.cand[a])]
                if len(ks) and rng.random() < share and d * 1440 + start >= last_end:
                    s.works[a, d], s.tpl[a, d] = True, int(ks[0])
                    last_end = d * 1440 + start + 4 * 60
    assert _charged(p, s) == pytest.approx(evaluate(p, s).stability)


def test_an_explanations_model_leaves_the_band_to_its_own_literal(tmp_path):
    # explaining infeasibility switches each rule family off by its literal;
    # the stability term's arc (which keeps every start within the band) must
    # not hold the band when its literal is off: 09:00 then 15:00 is allowed
    p = _problem(tmp_path, 2, {"stability": 5.0}, start_band_hours=2)
    s = _roster(p, [(0, 9), (1, 15)])
    cands = CandidateIndex(p, nominal_only=False)
    built = build(p, s, [0], range(2), cands, coverage=False, assumptions=True)
    for a, d, k, lit in built.shift_lits:
        built.model.add(lit == int(s.works[a, d] and s.tpl[a, d] == k))
    for (_, rule), lit in built.rule_lits.items():
        built.model.add(lit == int(rule != "start_band"))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(built.model) == cp_model.OPTIMAL
    built.model.add(built.rule_lits[(0, "start_band")] == 1)
    assert solver.solve(built.model) == cp_model.INFEASIBLE
