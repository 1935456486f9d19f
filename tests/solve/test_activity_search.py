"""The activities' search: its sequences keep the rules and never beat the
counts, plateau steps leave a local optimum of best responses, and it stops
at its floor."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.solve import activity_search
from optimizer.solve.activity_search import assign_sequences
from optimizer.solve.activity_shifts import ShiftTable
from optimizer.solve.allocate import allocate_counts
from optimizer.solve.stretches import SequenceRules
from tests.solve import helpers as h


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_sequences_keep_the_rules_and_never_beat_the_counts(data):
    penalty, required, rules, pos, slots, kinds = h.draw_sequence_case(
        data, (4, 10), 3, 5, [20.0, 40.0, 75.0], breaks=True
    )
    T, B = required.shape[1], len(pos)
    N = max(len(x) for x in pos)
    groups = sorted(set(kinds))
    table = ShiftTable(
        agent=np.arange(B),
        day=np.zeros(B, dtype=np.int64),
        tpl=np.zeros(B, dtype=np.int64),
        group=np.array([groups.index(k) for k in kinds]),
        pos=np.array([x + [x[-1]] * (N - len(x)) for x in pos]),
        length=np.array([len(x) for x in pos]),
        slots=np.array(slots),
        brk=np.zeros((B, 2), dtype=np.int64),
    )
    # the counts and their naming: per interval, counted agents first, the others on slot 0
    on = np.zeros((len(groups), T), dtype=np.int64)
    for b, x in enumerate(pos):
        on[table.group[b], x] += 1
    counts = allocate_counts(on, required, penalty, tuple(np.array(g) for g in groups))
    named = np.full((B, N), -1)
    left = [c.copy() for c in counts]
    for b, x in enumerate(pos):
        g = table.group[b]
        for n, t in enumerate(x):
            open_ = np.flatnonzero(left[g][:, t] > 0)
            named[b, n] = open_[0] if len(open_) else 0
            if len(open_):
                left[g][open_[0], t] -= 1
    start = named if not rules.binding else np.where(named >= 0, 0, -1)
    x = assign_sequences(table, required, penalty, rules, start, time_budget=30.0, kicks=3)

    def saved(seq: np.ndarray) -> float:
        cover = np.zeros_like(required)
        for b, ts in enumerate(pos):
            for n, t in enumerate(ts):
                cover[slots[b][seq[b, n]], t] += 1
        return float((np.minimum(cover, required) * penalty[:, None]).sum())

    for b, ts in enumerate(pos):
        seq = x[b, : len(ts)].tolist()
        assert (x[b, len(ts) :] == -1).all() and all(slots[b][j] >= 0 for j in seq)
        runs = h.runs(seq)
        if rules.max_stretches is not None:
            assert len(runs) <= rules.max_stretches
        assert len(runs) == 1 or min(runs) >= rules.min_len
    best = saved_counts = saved_of(counts, groups, required, penalty)
    assert saved(x) <= best + 1e-9
    assert saved(x) >= saved(start) - 1e-9  # passes never lose coverage
    plain = assign_sequences(table, required, penalty, rules, start, time_budget=30.0, kicks=0)
    assert saved(x) >= saved(plain) - 1e-9  # the local search keeps the best it saw
    if not rules.binding:
        assert saved(x) == pytest.approx(saved_counts)


def saved_of(counts, groups, required, penalty) -> float:  # type: ignore[no-untyped-def]
    cover = np.zeros_like(required)
    for qs, c in zip(groups, counts, strict=True):
        np.add.at(cover, list(qs), c)
    return float((np.minimum(cover, required) * penalty[:, None]).sum())


def _two_shifts() -> tuple[ShiftTable, np.ndarray]:
    """Shifts A and B over the same four intervals, one queue all through
    (no switch). Queues X, Y, Z; A serves X or Y, B serves X or Z. Need: X
    at t0, t2, t3; Y at t2; Z at t0, t2, t3."""
    table = ShiftTable(
        agent=np.arange(2),
        day=np.zeros(2, dtype=np.int64),
        tpl=np.zeros(2, dtype=np.int64),
        group=np.arange(2),
        pos=np.array([[0, 1, 2, 3], [0, 1, 2, 3]]),
        length=np.array([4, 4]),
        slots=np.array([[0, 1], [0, 2]]),
        brk=np.zeros((2, 2), dtype=np.int64),
    )
    required = np.array([[1, 0, 1, 1], [0, 0, 1, 0], [1, 0, 1, 1]])
    return table, required


def test_plateau_steps_leave_a_local_optimum_of_best_responses():
    # A on Y and B on X leave Z short at three intervals. Neither shift alone
    # gains: A on X would fill nothing B does not, B on Z fills three as B on
    # X does. Only the sideways step (B to Z, equal) lets A move to X, which
    # is the optimum by hand: of A=Y/B=X, A=Y/B=Z, A=X/B=Z, A=X/B=X the
    # shortfalls are 3, 3, 1, 4.
    table, required = _two_shifts()
    rules = SequenceRules(2, 1)
    start = np.array([[1, 1, 1, 1], [0, 0, 0, 0]])  # A on Y, B on X
    penalty = np.ones(3)
    stuck = assign_sequences(table, required, penalty, rules, start, 10.0, kicks=0)
    assert stuck.tolist() == start.tolist()
    x = assign_sequences(table, required, penalty, rules, start, 10.0, kicks=5)
    assert x.tolist() == [[0, 0, 0, 0], [1, 1, 1, 1]]  # A on X, B on Z


def test_the_local_search_stops_at_its_floor(monkeypatch):
    # from the optimum (shortfall 1 interval × penalty 1 × 100): with that
    # as the floor, one ordinary pass and no kick; with a floor of 0, kicks
    # go on (here 2: a plateau pass and KICK_PASSES after each), then one
    # ordinary pass polishes the best, which finds nothing to gain, and the
    # optimum is kept
    calls = []
    run = activity_search._Responses.run
    monkeypatch.setattr(
        activity_search._Responses,
        "run",
        lambda self, rng=None: calls.append(rng) or run(self, rng),
    )
    table, required = _two_shifts()
    rules = SequenceRules(2, 1)
    good = np.array([[0, 0, 0, 0], [1, 1, 1, 1]])
    x = assign_sequences(table, required, np.ones(3), rules, good, 1e6, floor=100)
    assert x.tolist() == good.tolist() and calls == [None]
    calls.clear()
    x = assign_sequences(table, required, np.ones(3), rules, good, 1e6, floor=0, kicks=2)
    assert x.tolist() == good.tolist()
    assert len(calls) == 1 + 2 * (1 + activity_search.KICK_PASSES) + 1
    calls.clear()  # no kick limit: it ends when STALL_KICKS kicks in a row find nothing better
    x = assign_sequences(table, required, np.ones(3), rules, good, 1e6, floor=0)
    assert x.tolist() == good.tolist()
    assert len(calls) == 1 + activity_search.STALL_KICKS * (1 + activity_search.KICK_PASSES) + 1


def test_the_first_pass_runs_whole_even_with_no_time_left():
    # nothing is needed on X and Z is short at three intervals: B, started
    # on X, moves to Z in one best response (A keeps Y, where it fills the
    # one interval needed). With no time at all the first pass still runs,
    # since a start alone can leave far more short than one pass does
    table, _ = _two_shifts()
    required = np.array([[0, 0, 0, 0], [0, 0, 1, 0], [1, 0, 1, 1]])
    rules = SequenceRules(2, 1)
    start = np.array([[1, 1, 1, 1], [0, 0, 0, 0]])  # A on Y, B on X
    x = assign_sequences(table, required, np.ones(3), rules, start, 0.0, kicks=0)
    assert x.tolist() == [[1, 1, 1, 1], [1, 1, 1, 1]]  # A on Y, B on Z
