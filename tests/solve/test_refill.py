"""Drop a shift and refill its hole: a move two agents make together, where
re-planning one agent at a time is stuck; never worse, every rule kept."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from optimizer.check import check_roster
from optimizer.solve.activity_plan import activities
from optimizer.solve.allocate import optimal_allocation
from optimizer.solve.improve import Replanning, reoptimise_agents
from optimizer.solve.model import CandidateIndex
from optimizer.solve.refill import drop_and_refill, droppable
from optimizer.solve.state import State, evaluate, weekly_paid
from optimizer.solve.stop import StopCriteria
from tests.solve import helpers as h


def _at(p, agent: int, hour: int) -> int:  # type: ignore[no-untyped-def]
    """Agent's day-0 template starting at `hour` (4 hours, Lisbon)."""
    st = p.sites[0].tpl
    return next(int(k) for k in p.cand[agent] if st.day[k] == 0 and st.local_start[k] == hour * 60)


def _split_shift(tmp: Path, a1_min_hours: int = 0, horizon: bool = False):  # type: ignore[no-untyped-def]
    """A week (Monday first, so weekly minimums apply); on day 0 one agent is
    needed 08–12. A1 may only work until 10:00 and works 06–10; A2 works
    10–14. Nothing is short, two shifts cost 80 EUR. A1 owes `a1_min_hours`
    a week, or over the horizon (`horizon`)."""
    data = h.case(days=7, agents=2)
    data["agents"][0].update({"earliest_start": "00:00", "latest_end": "10:00"})
    data["agents"][0]["min_hours_horizon" if horizon else "min_hours_week"] = a1_min_hours
    sc = h.load(tmp, data)
    p = h.problem(sc, h.block(0, 8, 12, 1))
    state = State.empty(p)
    state.works[:, 0] = True  # and no other day
    state.tpl[0, 0], state.tpl[1, 0] = _at(p, 0, 6), _at(p, 1, 10)
    optimal_allocation(p, state)
    return sc, p, CandidateIndex(p, nominal_only=False), state, evaluate(p, state)


def test_a_dropped_shift_is_refilled_by_a_colleague_where_passes_are_stuck():
    # Passes: A1 alone cannot leave (08–10 would be short, 200 EUR for 40
    # saved) nor move later (its window ends at 10:00); A2 alone must keep
    # 10–12. Dropping A1's shift and re-planning A2 onto 08–12 covers
    # everything with one shift: 40 EUR.
    with tempfile.TemporaryDirectory() as tmp:
        sc, p, cands, state, before = _split_shift(Path(tmp))
        assert before.total == 80.0
        ctx = Replanning(p, cands, StopCriteria(time_limit=10))
        _, stuck, _ = reoptimise_agents(ctx, state, before, [0, 1], 0)
        assert stuck.total == 80.0
        new, after, moved = drop_and_refill(ctx, state, before, random.Random(0), 0, patience=10)
        assert after.total == 40.0 and moved["refill_kept"] == 1
        assert not new.works[0, 0] and p.sites[0].tpl.local_start[new.tpl[1, 0]] == 8 * 60
        assert check_roster(sc, activities(p, new)).ok


def test_moves_stop_when_the_caller_says_so():
    # the same roster where one move gains 40: with `until` already true none is tried
    with tempfile.TemporaryDirectory() as tmp:
        _, p, cands, state, before = _split_shift(Path(tmp))
        ctx = Replanning(p, cands, StopCriteria(time_limit=10))
        args = (ctx, state, before, random.Random(0), 0)
        _, after, moved = drop_and_refill(*args, patience=10, until=lambda: True)
        assert moved["refill_moves"] == 0 and after.total == 80.0
        _, after, moved = drop_and_refill(*args, patience=10, until=lambda: False)
        assert moved["refill_kept"] == 1 and after.total == 40.0


@pytest.mark.parametrize("horizon", [False, True])
def test_a_shift_the_agents_minimum_needs_is_not_dropped(horizon):
    # A1 must work 4 hours in the week (or the horizon): its only shift
    # stays, and so does the 80
    with tempfile.TemporaryDirectory() as tmp:
        _, p, cands, state, before = _split_shift(Path(tmp), a1_min_hours=4, horizon=horizon)
        agents, _ = droppable(p, state)
        assert list(agents) == [1]
        ctx = Replanning(p, cands, StopCriteria(time_limit=10))
        new, after, _ = drop_and_refill(ctx, state, before, random.Random(0), 0, patience=10)
        assert new.works[0, 0] and after.total == 80.0


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=h.random_cases(max_days=4, max_agents=4))
def test_moves_never_worsen_and_keep_every_rule(case):
    sc, p, cands, state, before = h.constructed_example(*case)
    ctx = Replanning(p, cands, StopCriteria(time_limit=10))
    new, after, _ = drop_and_refill(ctx, state, before, random.Random(1), 0, patience=5)
    assert after.total <= before.total + 1e-9
    assert (weekly_paid(p, new) >= p.wmin).all()
    assert check_roster(sc, activities(p, new)).ok


@pytest.mark.parametrize(
    ("rule", "allowed"),
    [
        # three days in a row at least: dropping Wed leaves Mon–Tue at the
        # horizon's start and Fri leaves Sat–Sun at its end; every other drop
        # leaves a run of one or two days between days off
        ("min_consecutive_days", {0: False, 1: False, 2: True, 4: True, 5: False, 6: False}),
        # two days off in a row at least: a drop with work on both sides is a
        # lone day off; one next to Thu (off) lengthens Thu's run
        ("min_consecutive_days_off", {0: True, 1: False, 2: True, 4: True, 5: False, 6: True}),
    ],
)
def test_a_drop_keeps_the_minimum_runs(rule, allowed):
    # one agent over Mon–Sun working every day but Thu
    from optimizer.solve.refill import runs_allow_drop

    data = h.case(days=7)
    data["rules"]["PT"][rule] = 3 if rule == "min_consecutive_days" else 2
    with tempfile.TemporaryDirectory() as tmp:
        p = h.problem(h.load(Path(tmp), data), {})
    s = State.empty(p)
    days = np.array(sorted(allowed))
    s.works[0, days] = True
    got = runs_allow_drop(p, s, np.zeros(len(days), dtype=np.int64), days)
    assert dict(zip(days.tolist(), got.tolist(), strict=True)) == allowed
