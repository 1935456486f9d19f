"""Chains: one more agent is worth the best short queue it reaches by
colleagues handing their queues over, and `extend` makes that chain —
both checked against re-solving the exact allocation with the agent added."""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.solve.allocate import allocate_counts, optimal_allocation
from optimizer.solve.chains import MAX_LINKS, chain_values, extend, reachable
from optimizer.solve.problem import GroupKinds
from optimizer.solve.state import State, cover
from tests.solve import helpers as h


def _two_languages_problem():
    data = h.two_languages()
    tmp = tempfile.mkdtemp()
    sc = h.load(Path(tmp), data)
    return h.problem(sc, h.block(0, 8, 12, 1), {1: h.block(0, 8, 12, 1)})


def test_a_monolingual_agent_reaches_the_rare_language_through_a_bilingual_one():
    # A1 (pt+es) is on Portuguese at 08-12, Spanish is short. One more
    # Portuguese-only agent (A2's group) is worth nothing on its own queue
    # but 40/h through A1; with nobody to hand over, it reaches only Portuguese.
    p = _two_languages_problem()
    state = State.empty(p)
    st_ = p.sites[0]
    k8 = next(int(k) for k in p.cand[0] if st_.tpl.day[k] == 0 and st_.tpl.local_start[k] == 8 * 60)
    state.works[0, 0], state.tpl[0, 0] = True, k8
    optimal_allocation(p, state)
    g2 = int(p.agent_group[1])
    busy = np.flatnonzero(p.required[0] > 0)
    assert reachable(p, state, g2, busy).all()  # both queues, every interval of the shift
    residual = p.required - cover(p, state)
    worth = chain_values(p, state, g2, residual, p.penalty[:, None])
    assert np.allclose(worth[busy], 40.0) and worth.sum() == 40.0 * len(busy)
    empty = State.empty(p)
    assert not reachable(p, empty, g2, busy)[1].any()  # nobody to hand over to
    residual = p.required - cover(p, empty)
    assert np.allclose(chain_values(p, empty, g2, residual, p.penalty[:, None])[busy], 100.0)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_chain_value_is_the_gain_of_reallocating_with_one_more_agent(data):
    # Random groups (one or two queues each, so chains run through several
    # groups), queues and counts on a few intervals: the chain value of one
    # more agent of group g equals the exact allocation's gain from it.
    group_queues, on, need, penalty = h.draw_allocation_case(
        data, groups=6, queues=5, served=2, most=2, penalties=[1.0, 3.0, 10.0]
    )
    G = len(group_queues)
    g = data.draw(st.integers(0, G - 1))
    _assert_worth_is_the_gain(group_queues, on, need, penalty, g)


def test_a_chain_through_three_colleagues():
    # q0..q3; group 0 serves q0, group 1 q0/q1, group 2 q1/q2, group 3 q2/q3.
    # Groups 1-3 have one agent each; q0-q2 cost 10/h short, q3 only 5, so
    # they cover q0, q1, q2 and q3 is short. One more agent of group 0 is
    # worth 5: it takes q0, and each colleague moves one queue along.
    group_queues = tuple(np.array(q, dtype=np.int64) for q in ([0], [0, 1], [1, 2], [2, 3]))
    on = np.array([[0], [1], [1], [1]])
    need = np.ones((4, 1), dtype=np.int64)
    penalty = np.array([10.0, 10.0, 10.0, 5.0])
    worth = _assert_worth_is_the_gain(group_queues, on, need, penalty, 0)
    assert worth[0] == 5.0


def _assert_worth_is_the_gain(group_queues, on, need, penalty, g) -> np.ndarray:
    Q, n = need.shape

    class P:  # the fields chains.py reads
        pass

    p = P()
    p.group_queues, p.queue_ids = group_queues, tuple(range(Q))
    p.kinds = GroupKinds.of(group_queues, Q)
    p.grid = SimpleNamespace(n=n)
    alloc = allocate_counts(on, need, penalty, group_queues)
    s = State(np.zeros((0, 0), bool), np.zeros((0, 0), np.int64), alloc)
    cov = np.zeros((Q, n), dtype=np.int64)
    for qs, al in zip(group_queues, alloc, strict=True):
        cov[qs] += al
    worth = chain_values(p, s, g, need - cov, penalty[:, None])

    def saved(counts):
        return sum(
            (penalty[qs][:, None] * al).sum()
            for qs, al in zip(
                group_queues, allocate_counts(counts, need, penalty, group_queues), strict=True
            )
        )

    for t in range(n):
        more = on.copy()
        more[g, t] += 1
        assert np.isclose(worth[t], saved(more) - saved(on)), (t, worth)
    # and `extend` makes those chains: an allocation of on + 1 that saves as much
    extend(p, s, g, np.arange(n), need - cov, penalty[:, None])
    more = on.copy()
    more[g] += 1
    h.assert_allocation_fits(s.alloc, group_queues, more, need)
    assert np.isclose(
        sum(
            (penalty[qs][:, None] * al).sum() for qs, al in zip(group_queues, s.alloc, strict=True)
        ),
        saved(more),
    )
    return worth


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_reachable_is_a_breadth_first_search_over_hand_overs(data):
    # the reference walks one interval at a time: a queue is reached when it
    # is g's own, or when a colleague of a kind serving it holds a queue
    # reached within fewer hand-overs (more than 64 queues: several words of bits)
    Q = data.draw(st.integers(1, 5) | st.integers(63, 130))
    G = data.draw(st.integers(1, 5))
    n = data.draw(st.integers(1, 4))
    # a few queues in play, spread over the words when there are many
    spread = st.integers(0, Q - 1) | st.sampled_from(
        [q for q in (63, 64, 127, 128) if q < Q] or [0]
    )
    pool = sorted(data.draw(st.sets(spread, min_size=1, max_size=5)))
    queues = st.sets(st.sampled_from(pool), min_size=1).map(sorted)
    group_queues = tuple(np.array(data.draw(queues), dtype=np.int64) for _ in range(G))
    alloc = [
        np.array(data.draw(st.lists(st.lists(st.integers(0, 1), min_size=n, max_size=n),
                                    min_size=len(qs), max_size=len(qs))), dtype=np.int64)
        for qs in group_queues
    ]  # fmt: skip
    g = data.draw(st.integers(0, G - 1))

    class P:
        pass

    p = P()
    p.group_queues, p.queue_ids = group_queues, tuple(range(Q))
    p.kinds = GroupKinds.of(group_queues, Q)
    p.grid = SimpleNamespace(n=n)
    s = State(np.zeros((0, 0), bool), np.zeros((0, 0), np.int64), alloc)
    got = reachable(p, s, g, np.arange(n))
    for t in range(n):
        reach = set(group_queues[g].tolist())
        for _ in range(MAX_LINKS):
            freed = [
                h for h, qs in enumerate(group_queues)
                if any(alloc[h][j, t] > 0 and q in reach for j, q in enumerate(qs.tolist()))
            ]  # fmt: skip
            reach |= {int(q) for h in freed for q in group_queues[h]}
        assert set(np.flatnonzero(got[:, t]).tolist()) == reach
    # at no interval: nothing reached
    assert reachable(p, s, g, np.zeros(0, dtype=np.int64)).shape == (Q, 0)
