"""Closing the Curtois gap: row enumeration within a reduced-cost limit, and the
enumerate-and-solve proof of optimality (`enumeration.py`, `exact.py`)."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from optimizer.bench.curtois import exact
from optimizer.bench.curtois.colgen import (
    SCALE,
    ColumnGeneration,
    RowModels,
    _RowCollector,
    single_employee_model,
)
from optimizer.bench.curtois.enumeration import RowSpace, TooManyRows, cells_within, rows_within
from optimizer.bench.curtois.evaluate import cover_counts, evaluate
from optimizer.bench.curtois.exact import (
    cells_reachable,
    cells_used,
    close_gap,
    enumerate_rows,
    reduced_costs,
    restricted_model,
)
from optimizer.bench.curtois.model import build
from optimizer.bench.curtois.parse import Instance, instance_path, parse_instance
from tests.bench.paths import BENCH, TINY, needs_bench


def _one_employee(
    horizon: int,
    minutes: list[int],
    cannot_follow: np.ndarray,
    max_shifts: list[int],
    limits: tuple[int, int, int, int, int, int],
    days_off: np.ndarray,
) -> Instance:
    """An instance of one employee (cover and requests empty: costs come from the test)."""
    max_min, min_min, max_cons, min_cons, min_off, max_wk = limits
    nt = len(minutes)
    none = np.zeros((0, 4), dtype=np.int64)
    return Instance(
        name="one",
        horizon=horizon,
        shift_ids=tuple("DLN"[:nt]),
        shift_minutes=np.array(minutes),
        cannot_follow=cannot_follow,
        staff_ids=("A",),
        max_shifts=np.array([max_shifts]),
        max_minutes=np.array([max_min]),
        min_minutes=np.array([min_min]),
        max_consecutive=np.array([max_cons]),
        min_consecutive=np.array([min_cons]),
        min_days_off=np.array([min_off]),
        max_weekends=np.array([max_wk]),
        days_off=days_off[None, :],
        on_requests=none,
        off_requests=none,
        cover=np.zeros((horizon, nt), dtype=np.int64),
        weight_under=np.full((horizon, nt), 100),
        weight_over=np.ones((horizon, nt), dtype=np.int64),
    )


def _cp_sat_rows(inst: Instance, e: int, cost: np.ndarray, limit: int) -> set[bytes]:
    """Every row of employee e with cost ≤ limit, enumerated by CP-SAT on the
    model's own rule functions (an implementation independent of the labels)."""
    model, lits, days, shifts = single_employee_model(inst, e)
    coef = [int(cost[d, t]) for d, t in zip(days, shifts, strict=True)]
    model.add(cp_model.LinearExpr.weighted_sum(lits, coef) <= limit)
    out: list[np.ndarray] = []
    s = cp_model.CpSolver()
    s.parameters.enumerate_all_solutions = True
    s.parameters.num_workers = 1
    s.parameters.linearization_level = 0
    collect = _RowCollector(lits, days, shifts, inst.horizon, out)
    assert s.solve(model, collect) in (cp_model.OPTIMAL, cp_model.INFEASIBLE)
    return {r.tobytes() for r in out}


def _row_cost(cost: np.ndarray, row: np.ndarray) -> int:
    d = np.flatnonzero(row >= 0)
    return int(cost[d, row[d]].sum())


@st.composite
def one_employee_cases(draw):
    """A random employee over 2 weeks (weekends matter) with 1–2 shift types,
    integer cell costs and a limit a few units above the least cost."""
    nt = draw(st.integers(1, 2))
    minutes = draw(st.lists(st.sampled_from([240, 480, 600]), min_size=nt, max_size=nt))
    cf = np.array(draw(st.lists(st.booleans(), min_size=nt * nt, max_size=nt * nt))).reshape(nt, nt)
    max_shifts = draw(st.lists(st.integers(1, 14), min_size=nt, max_size=nt))
    max_cons = draw(st.integers(1, 6))
    min_cons = draw(st.integers(0, 3))
    min_off = draw(st.integers(0, 3))
    max_wk = draw(st.integers(0, 2))
    max_min = draw(st.integers(480, 14 * 600))
    min_min = draw(st.integers(0, max_min // 3))
    days_off = np.array(
        draw(st.lists(st.sampled_from([False] * 3 + [True]), min_size=14, max_size=14))
    )
    inst = _one_employee(
        14,
        minutes,
        cf,
        max_shifts,
        (max_min, min_min, max_cons, min_cons, min_off, max_wk),
        days_off,
    )
    cost = np.array(draw(st.lists(st.integers(-6, 2), min_size=14 * nt, max_size=14 * nt)))
    return inst, cost.reshape(14, nt), draw(st.integers(0, 8))


def _least(inst: Instance, cost: np.ndarray) -> int | None:
    """The one employee's least row cost (CP-SAT); None when no row is feasible."""
    try:
        return RowModels(inst).least(0, cost, 5.0)
    except RuntimeError:
        return None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_employee_cases())
def test_rows_within_a_limit_are_exactly_the_feasible_rows_cp_sat_enumerates(case):
    inst, cost, slack = case
    least = _least(inst, cost)
    if least is None:  # no feasible row at all: nothing to enumerate
        assert len(rows_within(RowSpace(inst, 0), cost, 10**9)) == 0
        return
    got = rows_within(RowSpace(inst, 0), cost, least + slack)
    assert len({r.tobytes() for r in got}) == len(got)  # no row twice
    assert {r.tobytes() for r in got} == _cp_sat_rows(inst, 0, cost, least + slack)
    for row in got:  # and the independent evaluator agrees each is feasible and cheap enough
        assert _row_cost(cost, row) <= least + slack
        assert evaluate(inst, row[None, :]).feasible
    if slack == 0:
        assert len(got) >= 1  # the least-cost row itself


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_employee_cases())
def test_reduced_cost_fixing_keeps_every_cell_a_row_within_the_limit_uses(case):
    inst, cost, slack = case
    least = _least(inst, cost)
    if least is None:
        return
    space = RowSpace(inst, 0)
    work, off = cells_within(space, cost, least + slack)
    for row in rows_within(space, cost, least + slack):
        on = np.flatnonzero(row >= 0)
        assert work[on, row[on]].all()
        assert off[row < 0].all()


def test_reduced_cost_fixing_fixes_the_days_no_cheap_row_has_off():
    # every day worth 10, at most one weekend of two, limit −120: every row
    # within it works all ten weekdays, so no weekday may be off
    inst = _one_employee(
        14, [480], np.zeros((1, 1), bool), [14], (14 * 480, 0, 14, 0, 0, 1), np.zeros(14, bool)
    )
    work, off = cells_within(RowSpace(inst, 0), np.full((14, 1), -10), -10 * 12)
    weekdays = np.array([d % 7 < 5 for d in range(14)])
    assert not off[weekdays].any() and off[~weekdays].all()
    assert work.all()


def test_weekends_bind_through_the_state_not_a_price():
    # every day worth 10; at most one weekend of two: the best rows work all
    # weekdays and exactly one weekend (Saturday, Sunday or both)
    inst = _one_employee(
        14, [480], np.zeros((1, 1), bool), [14], (14 * 480, 0, 14, 0, 0, 1), np.zeros(14, bool)
    )
    cost = np.full((14, 1), -10)
    got = rows_within(RowSpace(inst, 0), cost, -10 * 12)
    worked = got >= 0
    assert len(got) == 2  # weekdays + weekend 1, or weekdays + weekend 2
    assert (
        (worked[:, 5] | worked[:, 6]).astype(int) + (worked[:, 12] | worked[:, 13])
    ).tolist() == [
        1,
        1,
    ]


def test_too_loose_a_limit_stops_instead_of_filling_memory():
    inst = _one_employee(
        14,
        [480, 480],
        np.zeros((2, 2), bool),
        [14, 14],
        (14 * 480, 0, 14, 0, 0, 2),
        np.zeros(14, bool),
    )
    with pytest.raises(TooManyRows):
        rows_within(RowSpace(inst, 0), np.zeros((14, 2)), 0, max_labels=1000)


@pytest.fixture(scope="module")
def tiny():
    return parse_instance(TINY)


def _converged_duals(inst: Instance, rows: RowModels) -> np.ndarray:
    cg = ColumnGeneration(inst, rows)
    for e in range(inst.n_staff):
        cg.add(e, np.full(inst.horizon, -1, dtype=np.int64))
    cg.run(time.monotonic() + 60, price_limit=5)
    assert cg.converged
    return cg.duals()


def test_every_roster_splits_into_the_bound_plus_nonnegative_excesses(tiny):
    # SCALE·objective = L + Σ_e (rc_e(row_e) − least_e) + priced under/over,
    # each term ≥ 0 — the identity the enumeration's limit rests on
    rows = RowModels(tiny)
    rc = reduced_costs(tiny, rows, _converged_duals(tiny, rows), 5.0)
    rng = np.random.default_rng(0)
    pi = SCALE * rows.cost[0] - rc.cells[0]
    for _ in range(20):
        roster = np.full((tiny.n_staff, tiny.horizon), -1, dtype=np.int64)
        for e in range(tiny.n_staff):  # a random feasible row per employee
            options = rows_within(RowSpace(tiny, e), rc.cells[e], rc.least[e] + 500 * SCALE)
            roster[e] = options[rng.integers(len(options))]
        excess = [_row_cost(rc.cells[e], roster[e]) - rc.least[e] for e in range(tiny.n_staff)]
        n = cover_counts(tiny, roster)
        under, over = np.maximum(tiny.cover - n, 0), np.maximum(n - tiny.cover, 0)
        priced = (
            (SCALE * tiny.weight_under - pi) * under + (SCALE * tiny.weight_over + pi) * over
        ).sum()
        assert min(excess) >= 0 and priced >= 0
        assert SCALE * evaluate(tiny, roster).objective == rc.total + sum(excess) + priced


def _optimum(inst: Instance) -> int:
    built = build(inst)
    s = cp_model.CpSolver()
    s.parameters.num_workers = 2
    assert s.solve(built.model) == cp_model.OPTIMAL
    return round(s.objective_value)


def test_closing_the_gap_finds_and_proves_the_tiny_optimum(tiny):
    rows = RowModels(tiny)
    closure = close_gap(tiny, rows, _converged_duals(tiny, rows), None, time.monotonic() + 60)
    assert closure.objective == closure.bound == _optimum(tiny)
    assert evaluate(tiny, closure.roster).objective == closure.objective
    assert evaluate(tiny, closure.roster).feasible


def test_closing_the_gap_proves_an_optimal_incumbent_without_a_new_roster(tiny):
    rows = RowModels(tiny)
    optimum = _optimum(tiny)
    closure = close_gap(tiny, rows, _converged_duals(tiny, rows), optimum, time.monotonic() + 60)
    assert closure.objective is None and closure.bound == optimum
    assert all(r["status"] == "INFEASIBLE" for r in closure.rounds)


@needs_bench
def test_closing_the_gap_proves_instance5_where_column_generation_stops_at_1141():
    inst = parse_instance(instance_path(BENCH, 5))
    rows = RowModels(inst)
    duals = _converged_duals(inst, rows)
    rc = reduced_costs(inst, rows, duals, 5.0)
    assert rc.bound == 1141  # the column-generation bound of the literature
    closure = close_gap(inst, rows, duals, 1143, time.monotonic() + 120)
    assert closure.bound == 1143  # no roster of 1,141 or 1,142 exists: 1,143 is optimal
    assert [r["target"] for r in closure.rounds] == [1141, 1142]


def _holds(built, roster: np.ndarray) -> bool:
    """Whether `roster` is a solution of the built model (every literal fixed to it)."""
    for (e, d), opts in built.cells.x.items():
        for t, lit in opts.items():
            built.model.add(lit == int(roster[e, d] == t))
    s = cp_model.CpSolver()
    s.parameters.num_workers = 1
    return s.solve(built.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def _optimal_roster(inst: Instance) -> np.ndarray:
    built = build(inst)
    s = cp_model.CpSolver()
    s.parameters.num_workers = 2
    assert s.solve(built.model) == cp_model.OPTIMAL
    return built.roster(s.boolean_value)


def test_the_restricted_model_keeps_the_optimal_roster_and_cuts_off_the_empty_one(tiny):
    rows = RowModels(tiny)
    rc = reduced_costs(tiny, rows, _converged_duals(tiny, rows), 5.0)
    optimal = _optimal_roster(tiny)
    target = evaluate(tiny, optimal).objective
    spaces: dict[int, RowSpace] = {}
    by_rows = cells_used(tiny, enumerate_rows(tiny, rows, rc, target, spaces))
    by_fixing = cells_reachable(tiny, rc, target, spaces)
    empty = np.full_like(optimal, -1)  # all days off: objective 7137 on Instance1
    for work, off in (by_rows, by_fixing):
        assert _holds(restricted_model(tiny, rc, target, work, off), optimal)
        assert not _holds(restricted_model(tiny, rc, target, work, off), empty)


def test_closing_the_gap_by_the_restricted_model_alone_finds_and_proves_the_optimum(tiny):
    # max_rows=1: every round's rows are "too many", so each is settled by
    # CP-SAT on the model restricted by reduced-cost fixing
    rows = RowModels(tiny)
    duals = _converged_duals(tiny, rows)
    closure = close_gap(tiny, rows, duals, None, time.monotonic() + 60, max_rows=1)
    assert closure.objective == closure.bound == _optimum(tiny)
    assert all(r.get("by") == "restricted CP-SAT" for r in closure.rounds)
    assert evaluate(tiny, closure.roster).feasible


@needs_bench
def test_after_a_proven_round_the_tightest_restriction_searches_first(monkeypatch):
    # Instance5: the MIP proves 1,141 impossible; then no MIP fits (forced), so
    # the model restricted at ⌈L⌉ = 1,141 searches first, then the one at 1,142
    inst = parse_instance(instance_path(BENCH, 5))
    rows = RowModels(inst)
    duals = _converged_duals(inst, rows)
    first: list[int] = []  # the first round's row count: its MIP is instant, any other never fits

    def forecast(n: int) -> float:
        first[:] = first or [n]
        return 0.0 if n == first[0] else float("inf")

    monkeypatch.setattr(exact, "mip_seconds", forecast)
    closure = close_gap(inst, rows, duals, None, time.monotonic() + 15)
    assert closure.rounds[0]["status"] == "INFEASIBLE" and closure.rounds[0]["target"] == 1141
    assert closure.rounds[1]["by"] == "restricted CP-SAT, heuristic"
    assert 1142 <= closure.bound <= 1143  # the optimum is 1,143
    if closure.objective is not None:
        assert closure.objective >= 1143
        assert evaluate(inst, closure.roster).objective == closure.objective
        assert evaluate(inst, closure.roster).feasible
