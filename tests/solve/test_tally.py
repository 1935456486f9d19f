"""The tally: a trial's coverage and held pairs read from the incumbent's
counts and the groups it changed, equal to counting every group again."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from hypothesis import HealthCheck, given, settings

from optimizer.solve.allocate import optimal_allocation
from optimizer.solve.chains import _held_pairs
from optimizer.solve.improve import Replanning, replan
from optimizer.solve.model import CandidateIndex
from optimizer.solve.problem import GroupKinds
from optimizer.solve.state import State, cover
from optimizer.solve.stop import StopCriteria
from optimizer.solve.tally import Tally
from tests.solve import helpers as h


def _assert_tallies(p, base: State, tally: Tally, trial: State) -> None:
    """The tally of `base` gives `trial`'s counts as a full count does."""
    assert np.array_equal(tally.cover_of(p, base, trial), cover(p, trial))
    columns = np.arange(p.grid.n)
    assert np.array_equal(tally.held(p, base, trial, columns), _held_pairs(p, trial, columns))


def _replans(p, cands, state: State, seed: int, steps: int) -> None:
    """Re-plan random agents with a tally, checking each trial's counts and
    keeping every trial (the tally moved along with it)."""
    ctx = Replanning(p, cands, StopCriteria(time_limit=10))
    tally = Tally.of(p, state)
    rng = random.Random(seed)
    for _ in range(steps):
        a = rng.randrange(p.n_agents)
        trial = replan(ctx, state, a, seed, tally=tally)
        if trial is None:
            continue
        _assert_tallies(p, state, tally, trial)
        tally.advance(p, state, trial, tally.cover_of(p, state, trial))
        state = trial
        fresh = Tally.of(p, state)
        assert np.array_equal(tally.pairs, fresh.pairs)
        assert np.array_equal(tally.held_now, fresh.held_now)
        assert np.array_equal(tally.cover, fresh.cover)


def test_a_chain_through_a_bilingual_colleague_is_tallied():
    # Day 0: Portuguese needed 08-12 (100/h), Spanish 08-12 (40/h). A1 (pt+es)
    # works 08-12 on Portuguese, A2 (pt only) 14-18. A2's re-plan makes a
    # chain: A2 takes Portuguese, A1 moves to Spanish — two groups change.
    with tempfile.TemporaryDirectory() as tmp:
        sc = h.load(Path(tmp), h.two_languages())
        p = h.problem(sc, h.block(0, 8, 12, 1), {1: h.block(0, 8, 12, 1)})
    site = p.sites[0]

    def at(hour: int) -> int:
        return next(
            int(k)
            for k in p.cand[0]
            if site.tpl.day[k] == 0 and site.tpl.local_start[k] == hour * 60
        )

    state = State.empty(p)
    state.works[:, 0] = True
    state.tpl[0, 0], state.tpl[1, 0] = at(8), at(14)
    optimal_allocation(p, state)
    cands = CandidateIndex(p, nominal_only=False)
    tally = Tally.of(p, state)
    ctx = Replanning(p, cands, StopCriteria(time_limit=10))
    trial = replan(ctx, state, 1, 0, tally=tally)
    assert trial is not None
    assert len(Tally.changed(state, trial)) == 2  # both groups moved, nobody else copied
    _assert_tallies(p, state, tally, trial)
    assert (tally.cover_of(p, state, trial)[:, p.required[1] > 0] == 1).all()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=h.random_cases(max_days=3, max_agents=4))
def test_re_plans_read_from_the_tally_count_as_a_full_count_does(case):
    data, cells = case
    _, p, cands, state, _ = h.constructed_example(data, cells)
    _replans(p, cands, state, seed=len(cells), steps=6)


def test_two_changed_groups_of_one_kind_both_count():
    # Groups 0 and 1 serve queues 0 and 1 (one kind, two sites), group 2
    # queue 1; two intervals. Group 0's agent on queue 0 at interval 0 leaves
    # it, and group 1 puts one more on queue 1 at interval 1: queue 0 at
    # interval 0 is held by nobody of that kind, queue 1 at interval 1 is.
    group_queues = (np.array([0, 1]), np.array([0, 1]), np.array([1]))
    p = SimpleNamespace(
        kinds=GroupKinds.of(group_queues, 2),
        group_queues=group_queues,
        grid=SimpleNamespace(n=2),
        queue_ids=["q0", "q1"],
    )
    none = np.zeros((0, 0), dtype=bool)
    base = State(
        none, none, [np.array([[1, 0], [0, 0]]), np.zeros((2, 2), int), np.ones((1, 2), int)]
    )
    trial = State(none, none, [np.zeros((2, 2), int), np.array([[0, 0], [0, 1]]), base.alloc[2]])
    tally = Tally.of(p, base)  # type: ignore[arg-type]
    held = tally.held(p, base, trial, np.arange(2))  # type: ignore[arg-type]
    kind_rows = held[:2]  # the pairs of kind (0, 1): queue 0, then queue 1
    assert kind_rows.tolist() == [[False, False], [False, True]]
    assert tally.cover_of(p, base, trial).tolist() == [[0, 0], [1, 2]]  # type: ignore[arg-type]
