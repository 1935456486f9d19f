"""One shift's best queue sequence under the stretch and switch rules: the
dynamic programme is exact (checked against enumeration) and keeps the rules."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.solve.stretches import (
    NEG,
    SequenceRules,
    best_sequences,
    follows_rules,
    sequence_scores,
)
from tests.solve import helpers as h


def brute_force(value: np.ndarray, n: int, rules: SequenceRules, cost: int) -> int:
    """The best score of one shift by enumerating every sequence."""
    best = NEG
    J = value.shape[1]
    for seq in itertools.product(range(J), repeat=n):
        r = h.runs(list(seq))
        if rules.max_stretches is not None and len(r) > rules.max_stretches:
            continue
        if len(r) > 1 and min(r) < rules.min_len:
            continue
        if any(value[i, j] <= NEG // 2 for i, j in enumerate(seq)):
            continue
        best = max(best, sum(int(value[i, j]) for i, j in enumerate(seq)) - cost * (len(r) - 1))
    return best


def test_rules_in_positions():
    assert SequenceRules.of(60, 2, 30) == SequenceRules(2, 3)
    assert SequenceRules.of(45, None, 30) == SequenceRules(2, None)  # 1 position is 30 min < 45
    assert SequenceRules.of(None, 0, 15) == SequenceRules(1, 1)
    assert not SequenceRules.of(None, None, 30).binding


def test_alternating_values_and_a_minimum_length():
    # slot 0 earns at even positions, slot 1 at odd ones: free, the sequence alternates
    value = np.array([[[5, 0], [0, 5], [5, 0], [0, 5], [5, 0], [0, 5]]], dtype=np.int64)
    free, score = best_sequences(value, np.array([6]), SequenceRules(), switch_cost=1)
    assert free[0].tolist() == [0, 1, 0, 1, 0, 1] and score[0] == 30 - 5
    # stretches of at least 2 positions: 4 of the 6 positions earn, with one switch
    # (slot 0 on positions 0-2, slot 1 on 3-5)
    seq, score = best_sequences(value, np.array([6]), SequenceRules(min_len=2), switch_cost=1)
    assert seq[0].tolist() == [0, 0, 0, 1, 1, 1]
    assert score[0] == brute_force(value[0], 6, SequenceRules(min_len=2), 1) == 20 - 1
    # no switch at all: one slot, 3 positions earn
    seq, score = best_sequences(value, np.array([6]), SequenceRules(max_stretches=1))
    assert len(set(seq[0].tolist())) == 1 and score[0] == 15


def test_a_shift_shorter_than_the_minimum_is_one_stretch():
    value = np.array([[[9, 0], [0, 9], [0, 0]]], dtype=np.int64)
    seq, _ = best_sequences(value, np.array([2]), SequenceRules(min_len=3))
    assert seq[0].tolist() == [0, 0, -1]


def test_a_forbidden_slot_is_never_used():
    value = np.array([[[NEG, 1], [NEG, 1]]], dtype=np.int64)
    seq, score = best_sequences(value, np.array([2]), SequenceRules())
    assert seq[0].tolist() == [1, 1] and score[0] == 2


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_the_programme_is_exact_and_keeps_the_rules(data):
    B = data.draw(st.integers(1, 3))
    N = data.draw(st.integers(1, 6))
    J = data.draw(st.integers(1, 3))
    rules = SequenceRules(
        data.draw(st.integers(1, 3)), data.draw(st.one_of(st.none(), st.integers(1, 3)))
    )
    cost = data.draw(st.integers(0, 2))
    cells = st.lists(st.integers(0, 6), min_size=J, max_size=J)
    value = np.array(
        data.draw(st.lists(st.lists(cells, min_size=N, max_size=N), min_size=B, max_size=B))
    )
    length = np.array(data.draw(st.lists(st.integers(1, N), min_size=B, max_size=B)))
    seq, score = best_sequences(value.astype(np.int64), length, rules, switch_cost=cost)
    assert (sequence_scores(value, seq, length, cost) == score).all()
    for b in range(B):
        n = int(length[b])
        assert (seq[b, n:] == -1).all()
        assert follows_rules(seq[b], rules) or len(h.runs(seq[b, :n].tolist())) == 1
        r = h.runs(seq[b, :n].tolist())
        if rules.max_stretches is not None:
            assert len(r) <= rules.max_stretches
        assert len(r) == 1 or min(r) >= rules.min_len
        assert score[b] == brute_force(value[b], n, rules, cost)
