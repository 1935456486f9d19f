"""Agent passes: re-planning one agent at a time never makes the roster worse,
keeps every rule, and repairs a construction that planned agents in a bad order."""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.check import check_roster
from optimizer.solve.activity_plan import activities
from optimizer.solve.allocate import optimal_allocation
from optimizer.solve.improve import Replanning, guided_pass, reoptimise_agents, replan
from optimizer.solve.model import CandidateIndex
from optimizer.solve.state import State, evaluate
from optimizer.solve.stop import MaxPasses, MaxRuntime, StopCriteria
from tests.solve import helpers as h


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    agents=st.integers(1, 3),
    days=st.integers(1, 5),
    cells=st.dictionaries(
        st.tuples(st.integers(0, 4), st.integers(0, 23)), st.integers(1, 3), max_size=30
    ),
)
def test_a_pass_never_worsens_and_keeps_the_rules(agents, days, cells):
    data = h.case(days=days, agents=agents)
    for a in data["agents"]:
        a["min_hours_week"] = 4
    cells = {k: v for k, v in cells.items() if k[0] < days}
    sc, p, cands, state, before = h.constructed_example(data, cells)
    ctx = Replanning(p, cands, StopCriteria(time_limit=10))
    after_state, after, _ = reoptimise_agents(ctx, state, before, list(range(p.n_agents)), 0)
    assert after.total <= before.total + 1e-9
    assert check_roster(sc, activities(p, after_state)).ok


def test_a_pass_moves_a_badly_placed_shift_onto_the_demand():
    # one agent, one 4-hour shift needed 08:00–12:00 on day 0; start from a
    # roster that has the agent on 20:00–24:00 instead: the pass moves it.
    with tempfile.TemporaryDirectory() as tmp:
        p, cands, state = h.misplaced_shift(Path(tmp))
    before = evaluate(p, state)
    ctx = Replanning(p, cands, StopCriteria(time_limit=10))
    new, after, changed = reoptimise_agents(ctx, state, before, [0], 0)
    assert changed == 1 and after.total == 40.0  # 4 h x 10 EUR, nothing short
    assert p.sites[0].tpl.local_start[new.tpl[0, 0]] == 8 * 60


def _at(p, hour: int) -> int:
    """Agent 0's template starting at `hour` on day 0 (4 hours, Lisbon)."""
    st = p.sites[0]
    return next(
        int(k) for k in p.cand[0] if st.tpl.day[k] == 0 and st.tpl.local_start[k] == hour * 60
    )


@contextmanager
def _two_languages(spanish_from: int, a2_from: int):  # type: ignore[no-untyped-def]
    """Day 0: one agent needed in Portuguese 08-12 (penalty 100/h) and one in
    Spanish for 4 hours from `spanish_from` (40/h). A1 speaks both and works
    08-12 (on Portuguese); A2, Portuguese only, works 4 hours from `a2_from`.
    Yields the scenario, problem, candidates, state and its objective,
    which is 2 shifts x 4 h x 10 EUR + Spanish 4 h short at 40."""
    with tempfile.TemporaryDirectory() as tmp:
        sc = h.load(Path(tmp), h.two_languages())
        spanish = h.block(0, spanish_from, spanish_from + 4, 1)
        p = h.problem(sc, h.block(0, 8, 12, 1), {1: spanish})
        state = State.empty(p)
        state.works[:, 0] = True
        state.tpl[0, 0], state.tpl[1, 0] = _at(p, 8), _at(p, a2_from)
        optimal_allocation(p, state)
        before = evaluate(p, state)
        assert before.total == 80.0 + 160.0
        yield sc, p, CandidateIndex(p, nominal_only=False), state, before


def test_a_pass_sees_a_chain_through_a_bilingual_colleague():
    # Day 0, 08:00-12:00 Lisbon: one agent needed in Portuguese (penalty
    # 100/h) and one in Spanish (40/h). A1 speaks both, A2 only Portuguese.
    # Start: A1 works 08-12 (on Portuguese: it pays more), A2 14-18 (useless).
    # On its own queue A2 is worth nothing at 08-12 (Portuguese is covered),
    # but through a chain it is worth Spanish's 40/h: A2 takes Portuguese
    # and A1 moves to Spanish. Nothing short, cost 2 shifts x 4 h x 10 EUR.
    with _two_languages(spanish_from=8, a2_from=14) as (sc, p, cands, state, before):
        ctx = Replanning(p, cands, StopCriteria(time_limit=10))
        new, after, changed = reoptimise_agents(ctx, state, before, [1], 0)
        assert changed == 1 and after.total == 80.0
        assert p.sites[0].tpl.local_start[new.tpl[1, 0]] == 8 * 60
        assert check_roster(sc, activities(p, new)).ok


def test_a_re_plan_leaves_the_roster_it_started_from_as_it_was():
    # the re-plan shares the other groups' allocations with the roster it
    # starts from; the chain of the test above moves A1's group too, so both
    # groups' counts are written, on copies only
    with _two_languages(spanish_from=8, a2_from=14) as (_, p, cands, state, before):
        ctx = Replanning(p, cands, StopCriteria(time_limit=10))
        kept = state.copy()
        moved = replan(ctx, state, 1, 0)
        assert moved is not None and not np.array_equal(moved.tpl, state.tpl)
        assert any(not np.array_equal(x, y) for x, y in zip(moved.alloc, state.alloc, strict=True))
        assert np.array_equal(state.works, kept.works) and np.array_equal(state.tpl, kept.tpl)
        for x, y in zip(state.alloc, kept.alloc, strict=True):
            assert np.array_equal(x, y)
        assert evaluate(p, state).total == before.total


def test_a_guided_pass_the_stop_cuts_short_returns_nothing():
    # a half-moved roster is for the caller to drop, not to allocate
    with _two_languages(spanish_from=14, a2_from=20) as (_, p, cands, state, _):
        ctx = Replanning(p, cands, StopCriteria.of(MaxPasses(0), MaxRuntime(10)))
        prices = np.where(np.arange(2)[:, None] == 0, 20.0, 40.0) * (p.required > 0)
        assert guided_pass(ctx, state, [0, 1], prices, 0) is None


def test_a_guided_pass_makes_a_swap_no_single_agent_move_makes():
    # Day 0: Portuguese needed 08-12 (penalty 100/h), Spanish 14-18 (40/h).
    # A1 speaks both and works 08-12 on Portuguese; A2 (Portuguese only)
    # works 20-24, where nobody is needed. The optimum swaps them in time: A1
    # to Spanish 14-18, A2 to Portuguese 08-12 (cost 80, nothing short). No
    # single agent's move gains: A1 moving loses 400 to save 160; A2 at
    # 08-12 frees A1 for nothing (Spanish is not needed then), so ordinary
    # passes are stuck. At prices saying Portuguese is cheap to cover (20/h,
    # above an agent's 10/h) and Spanish dear (40/h), A1 moves first, then A2
    # takes Portuguese.
    with _two_languages(spanish_from=14, a2_from=20) as (sc, p, cands, state, before):
        ctx = Replanning(p, cands, StopCriteria(time_limit=10))
        _, stuck, _ = reoptimise_agents(ctx, state, before, [0, 1], 0)
        assert stuck.under_cover == 160.0  # A2's useless shift goes, Spanish stays short
        prices = np.where(np.arange(2)[:, None] == 0, 20.0, 40.0) * (p.required > 0)
        guided, ev = guided_pass(ctx, state, [0, 1], prices, 0)
        assert ev.total == 80.0
        assert check_roster(sc, activities(p, guided)).ok
