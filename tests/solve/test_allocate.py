"""Allocation of on-duty agents to queues: exact, where filling the most
penalised queue first is not. The named queue sequences within the stretch
and switch rules are tested in test_activity_plan.py and
test_activity_search.py."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from optimizer.solve.allocate import BLOCK, allocate_counts
from tests.solve import helpers as h


def saved(alloc, need, penalty, group_queues) -> float:  # type: ignore[no-untyped-def]
    cover = np.zeros_like(need)
    for qs, a in zip(group_queues, alloc, strict=True):
        np.add.at(cover, qs, a)
    return float((np.minimum(cover, need) * penalty[:, None]).sum())


def test_a_bilingual_agent_serves_the_rare_language_while_a_monolingual_serves_the_common():
    # queue 0: English (penalty 75), queue 1: French (40); one English-only
    # agent and one French+English agent on duty, one agent needed in each.
    # Most penalised first would give English the bilingual agent if it came
    # first; the exact answer covers both: 75 + 40.
    group_queues = (np.array([0, 1]), np.array([0]))  # bilingual listed first
    on = np.array([[1], [1]])
    need = np.array([[1], [1]])
    penalty = np.array([75.0, 40.0])
    alloc = allocate_counts(on, need, penalty, group_queues)
    assert alloc[0].tolist() == [[0], [1]]  # bilingual → French
    assert alloc[1].tolist() == [[1]]  # English-only → English
    assert saved(alloc, need, penalty, group_queues) == 115.0


def test_a_chain_of_moves_is_found():
    # q0 (75) only g0 can serve; g0 also serves q1 (40), which g1 serves too;
    # g1 also serves q2 (20), which g2 serves too. One agent each, one needed
    # per queue: every queue can be covered, but only by moving along the chain.
    group_queues = (np.array([1, 0]), np.array([2, 1]), np.array([2]))
    on = np.array([[1], [1], [1]])
    need = np.array([[1], [1], [1]])
    penalty = np.array([75.0, 40.0, 20.0])
    alloc = allocate_counts(on, need, penalty, group_queues)
    assert saved(alloc, need, penalty, group_queues) == 135.0


def test_no_one_on_duty_or_no_need_allocates_nothing():
    group_queues = (np.array([0]),)
    assert (
        allocate_counts(np.zeros((1, 3), int), np.ones((1, 3), int), np.array([1.0]), group_queues)[
            0
        ].sum()
        == 0
    )
    assert (
        allocate_counts(np.ones((1, 3), int), np.zeros((1, 3), int), np.array([1.0]), group_queues)[
            0
        ].sum()
        == 0
    )


def lp_optimum(on, need, penalty, group_queues) -> float:  # type: ignore[no-untyped-def]
    """The same problem as a plain LP per interval (scipy's HiGHS): an independent check."""
    total = 0.0
    for t in range(on.shape[1]):
        pairs = [(g, q) for g, qs in enumerate(group_queues) for q in qs]
        if not pairs:
            continue
        c = np.array([-penalty[q] for _, q in pairs])
        rows, rhs = [], []
        for g in range(len(group_queues)):
            rows.append([1.0 if gg == g else 0.0 for gg, _ in pairs])
            rhs.append(on[g, t])
        for q in range(need.shape[0]):
            rows.append([1.0 if qq == q else 0.0 for _, qq in pairs])
            rhs.append(need[q, t])
        res = linprog(c, A_ub=np.array(rows), b_ub=rhs, bounds=(0, None), method="highs")
        total += -res.fun
    return total


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_allocation_is_feasible_and_as_good_as_the_lp(data):
    group_queues, on, need, penalty = h.draw_allocation_case(
        data, groups=4, queues=4, served=4, most=3, penalties=[20.0, 40.0, 75.0, 12.5]
    )
    alloc = allocate_counts(on, need, penalty, group_queues)
    h.assert_allocation_fits(alloc, group_queues, on, need)
    assert saved(alloc, need, penalty, group_queues) == pytest.approx(
        lp_optimum(on, need, penalty, group_queues)
    )


def test_a_horizon_longer_than_a_block_is_allocated_as_well_as_interval_by_interval():
    # blocks of `BLOCK` intervals are separate flows: across the seams the
    # allocation still fits and saves what the LP of each interval saves
    rng = np.random.default_rng(11)
    n = 2 * BLOCK + 7
    group_queues = (np.array([0]), np.array([0, 1]), np.array([1, 2]), np.array([2]))
    on = rng.integers(0, 4, (len(group_queues), n))
    need = rng.integers(0, 4, (3, n))
    penalty = np.array([150.0, 80.0, 40.0])
    alloc = allocate_counts(on, need, penalty, group_queues)
    assert all(a.shape == (len(qs), n) for a, qs in zip(alloc, group_queues, strict=True))
    h.assert_allocation_fits(alloc, group_queues, on, need)
    assert saved(alloc, need, penalty, group_queues) == pytest.approx(
        lp_optimum(on, need, penalty, group_queues)
    )
