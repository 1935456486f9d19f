"""Break placement: a break moves to where its agent is needed least, never
making the roster worse and never touching a shift's start, end or pay."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.check import check_roster
from optimizer.solve.activity_plan import activities
from optimizer.solve.allocate import optimal_allocation
from optimizer.solve.breaks import place_breaks
from optimizer.solve.construct import construct
from optimizer.solve.model import CandidateIndex
from optimizer.solve.state import State, evaluate
from optimizer.solve.stop import StopCriteria
from tests.solve import helpers as h


def _with_breaks(days: int = 1, agents: int = 1) -> dict:
    """`h.case` with 8-hour shifts and a 60-minute unpaid break 3–5 hours in."""
    data = h.case(days=days, agents=agents)
    data["rules"]["PT"]["shift_hours"] = [8]
    data["rules"]["PT"]["break"] = {"minutes": 60, "paid": False, "after_hours": [3, 5]}
    return data


def _shift(p, start_hour: int, break_hour: int) -> int:  # type: ignore[no-untyped-def]
    """Agent 0's day-0 template starting at `start_hour` with its break at `break_hour`."""
    st_ = p.sites[0].tpl
    return next(
        int(k)
        for k in p.cand[0]
        if st_.day[k] == 0
        and st_.local_start[k] == start_hour * 60
        and st_.brk_start[k] - st_.start[k] == (break_hour - start_hour) * 60
    )


def test_the_break_moves_out_of_a_needed_hour_into_a_free_one():
    # one agent 08:00–17:00; needed every hour 08–17 except 11:00. With the
    # break at 12:00 the hour 12 is short (100 EUR) and 11 is worked for
    # nothing; at 11:00 nothing is short: 8 paid hours x 10 EUR = 80.
    need = {k: v for k, v in h.block(0, 8, 17).items() if k != (0, 11)}
    with tempfile.TemporaryDirectory() as tmp:
        sc = h.load(Path(tmp), _with_breaks())
        p = h.problem(sc, need)
        state = State.empty(p)
        state.works[0, 0], state.tpl[0, 0] = True, _shift(p, 8, 12)
        optimal_allocation(p, state)
        assert evaluate(p, state).total == 180.0
        new, ev = place_breaks(p, state)
        assert ev.total == 80.0
        assert new.tpl[0, 0] == _shift(p, 8, 11)
        assert check_roster(sc, activities(p, new)).ok


def test_a_break_stays_where_moving_it_only_shifts_the_hole():
    # needed every hour 08–17: wherever the break is, one hour is short
    with tempfile.TemporaryDirectory() as tmp:
        sc = h.load(Path(tmp), _with_breaks())
        p = h.problem(sc, h.block(0, 8, 17))
        state = State.empty(p)
        state.works[0, 0], state.tpl[0, 0] = True, _shift(p, 8, 12)
        optimal_allocation(p, state)
        new, ev = place_breaks(p, state)
        assert ev.total == 180.0 and new.tpl[0, 0] == _shift(p, 8, 12)


def test_two_agents_stagger_their_breaks():
    # two agents 08:00–17:00 with both breaks at 12:00, one agent needed every
    # hour 08–17 and two at 12:00: staggering the breaks (11:00 and 13:00)
    # leaves nothing short — the agent away at 13:00 is spare then.
    need = {**h.block(0, 8, 17), (0, 12): 2}
    with tempfile.TemporaryDirectory() as tmp:
        sc = h.load(Path(tmp), _with_breaks(agents=2))
        p = h.problem(sc, need)
        state = State.empty(p)
        k = _shift(p, 8, 12)
        state.works[:, 0], state.tpl[:, 0] = True, k
        optimal_allocation(p, state)
        assert evaluate(p, state).total == 160.0 + 200.0  # 12:00 short by two
        new, ev = place_breaks(p, state)
        assert ev.total == 160.0
        assert check_roster(sc, activities(p, new)).ok


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    agents=st.integers(1, 3),
    cells=st.dictionaries(
        st.tuples(st.integers(0, 1), st.integers(0, 23)), st.integers(1, 3), max_size=30
    ),
)
def test_moving_breaks_never_worsens_and_keeps_shifts_and_rules(agents, cells):
    with tempfile.TemporaryDirectory() as tmp:
        sc = h.load(Path(tmp), _with_breaks(days=2, agents=agents))
        p = h.problem(sc, cells)
        built = construct(p, CandidateIndex(p, nominal_only=True), StopCriteria(time_limit=60), 0)
        assert not built.unplaced, "construction ran out of time"
        if built.failed:
            return
        state = built.state
        before = evaluate(p, state)
        new, after = place_breaks(p, state)
        assert after.total <= before.total + 1e-9
        assert np.array_equal(new.works, state.works)
        tpl = p.sites[0].tpl
        for a, d in zip(*np.nonzero(state.works), strict=True):
            k, k2 = state.tpl[a, d], new.tpl[a, d]
            assert (tpl.start[k], tpl.end[k], tpl.paid[k]) == (
                tpl.start[k2],
                tpl.end[k2],
                tpl.paid[k2],
            )
        assert check_roster(sc, activities(p, new)).ok
