"""Column generation for the activities: its LP bound never exceeds what a
rule-keeping assignment reaches (checked against enumeration), it proves the
optimum where the local search's single-shift moves are stuck, and the
sequences it hands on keep the rules."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.solve import activity_lp
from optimizer.solve.activity_lp import column_generation
from optimizer.solve.activity_search import assign_sequences, best_sequences_of
from optimizer.solve.activity_shifts import ShiftTable
from optimizer.solve.stretches import SequenceRules, follows_rules
from tests.solve import helpers as h


def table_of(pos: list[list[int]], slots: list[list[int]]) -> ShiftTable:
    """A shift table of shifts on grid intervals `pos` serving queues `slots` (−1 pads)."""
    B = len(pos)
    N = max(len(x) for x in pos)
    return ShiftTable(
        agent=np.arange(B),
        day=np.zeros(B, dtype=np.int64),
        tpl=np.zeros(B, dtype=np.int64),
        group=np.arange(B),
        pos=np.array([x + [x[-1]] * (N - len(x)) for x in pos]),
        length=np.array([len(x) for x in pos]),
        slots=np.array(slots),
        brk=np.zeros((B, 2), dtype=np.int64),
    )


def shortfall(table: ShiftTable, x: np.ndarray, required: np.ndarray, penalty: np.ndarray) -> float:
    """Penalty of the need sequences `x` leave unmet, counted here independently."""
    cover = np.zeros_like(required)
    for b in range(len(table)):
        for n in range(int(table.length[b])):
            cover[table.slots[b, x[b, n]], table.pos[b, n]] += 1
    return float((np.clip(required - cover, 0, None) * penalty[:, None]).sum())


def brute_force(
    table: ShiftTable, required: np.ndarray, penalty: np.ndarray, rules: SequenceRules
) -> float:
    """The least shortfall of any rule-keeping assignment, by enumeration."""
    options = []
    for b in range(len(table)):
        n, J = int(table.length[b]), int((table.slots[b] >= 0).sum())
        seqs = [
            s for s in itertools.product(range(J), repeat=n) if follows_rules(np.array(s), rules)
        ]
        pad = table.pos.shape[1] - n
        options.append([list(s) + [-1] * pad for s in seqs])
    return min(
        shortfall(table, np.array(choice), required, penalty)
        for choice in itertools.product(*options)
    )


def two_shifts() -> tuple[ShiftTable, np.ndarray]:
    """Shifts A and B over the same four intervals, one queue all through
    (no switch). Queues X, Y, Z; A serves X or Y, B serves X or Z. Need: X
    at t0, t2, t3; Y at t2; Z at t0, t2, t3."""
    table = table_of([[0, 1, 2, 3], [0, 1, 2, 3]], [[0, 1], [0, 2]])
    required = np.array([[1, 0, 1, 1], [0, 0, 1, 0], [1, 0, 1, 1]])
    return table, required


def test_the_lp_proves_the_trade_single_shift_moves_cannot_find():
    # A on Y and B on X leave Z short thrice; no single shift gains (see
    # test_activity_search's plateau test). With A on X with weight a and B on X
    # with weight b, the LP's shortfall is a·(Y at t2) + 3b (Z) + 3·max(0, 1−a−b)
    # (X): least, 1, at a = 1, b = 0 — integral, so the LP bound is the
    # optimum and its heaviest columns are A on X, B on Z.
    table, required = two_shifts()
    rules, penalty = SequenceRules(2, 1), np.ones(3)
    stuck = np.array([[1, 1, 1, 1], [0, 0, 0, 0]])
    assert assign_sequences(table, required, penalty, rules, stuck, 10.0, kicks=0).tolist() == (
        stuck.tolist()
    )
    cg = column_generation(table, required, penalty, rules, stuck, max_rounds=20)
    assert cg.status == "CONVERGED"
    assert cg.lower == 1.0 and cg.master == 1.0
    assert cg.x.tolist() == [[0, 0, 0, 0], [1, 1, 1, 1]]
    x, lower, method = best_sequences_of(table, required, penalty, rules, stuck, 0, 10.0)
    assert x.tolist() == [[0, 0, 0, 0], [1, 1, 1, 1]] and lower == 1.0
    assert method.startswith("column generation (CONVERGED")


def _lp_fails_after(monkeypatch, solves: int) -> None:  # type: ignore[no-untyped-def]
    """The master's LP solver ends without an optimum after `solves` good solves."""
    real, count = activity_lp.Master.solve, [0]

    def flaky(self):  # type: ignore[no-untyped-def]
        count[0] += 1
        return real(self) if count[0] <= solves else None

    monkeypatch.setattr(activity_lp.Master, "solve", flaky)


def _trade_with_failing_lp(monkeypatch, solves: int):  # type: ignore[no-untyped-def]
    """The trade case stuck on its single-shift optimum, solved by column
    generation whose master LP ends without an optimum after `solves` solves."""
    table, required = two_shifts()
    rules, penalty = SequenceRules(2, 1), np.ones(3)
    stuck = np.array([[1, 1, 1, 1], [0, 0, 0, 0]])
    _lp_fails_after(monkeypatch, solves)
    cg = column_generation(table, required, penalty, rules, stuck, max_rounds=20)
    return table, required, rules, penalty, stuck, cg


def test_a_master_lp_without_an_optimum_ends_column_generation_on_what_it_proved(monkeypatch):
    # the trade case: round one prices from the start's master and proves a
    # bound; its next master fails, and the bound so far stands
    *_, stuck, cg = _trade_with_failing_lp(monkeypatch, 1)
    assert cg.status == "LP FAILED" and cg.rounds == 1
    assert -np.inf < cg.lower <= 1.0  # the optimum is 1 (the test above)
    assert cg.x.tolist() == stuck.tolist()  # no master to read: the start


def test_a_first_master_lp_without_an_optimum_proves_nothing_and_keeps_the_start(monkeypatch):
    table, required, rules, penalty, stuck, cg = _trade_with_failing_lp(monkeypatch, 0)
    assert cg.status == "LP FAILED" and cg.lower == -np.inf
    assert cg.x.tolist() == stuck.tolist()
    x, lower, method = best_sequences_of(table, required, penalty, rules, stuck, 0, 10.0)
    assert method.startswith("column generation (LP FAILED") and lower == 0.0
    assert shortfall(table, x, required, penalty) == 1.0  # the search still finds the optimum


def test_without_rules_the_start_at_the_floor_is_kept():
    table, required = two_shifts()
    free = SequenceRules()
    start = np.array([[0, 0, 1, 0], [1, 0, 1, 1]])  # slots: A X X Y X, B Z X Z Z
    penalty = np.ones(3)
    short = shortfall(table, start, required, penalty)  # 1: X at t2
    x, lower, method = best_sequences_of(
        table, required, penalty, free, start, int(short * 100), 1.0
    )
    assert shortfall(table, x, required, penalty) == short == lower
    assert method == "the rule-free flow (met by the start)"


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_the_bound_lies_below_every_rule_keeping_assignment(data):
    penalty, required, rules, pos, slots, _ = h.draw_sequence_case(
        data, (2, 5), 2, 3, [1.0, 2.0, 5.0]
    )
    B = len(pos)
    table = table_of(pos, slots)
    start = np.where(np.arange(table.pos.shape[1])[None, :] < table.length[:, None], 0, -1)
    cg = column_generation(table, required, penalty, rules, start, max_rounds=30)
    best = brute_force(table, required, penalty, rules)
    assert cg.lower <= best + 1e-6
    if cg.status == "CONVERGED":  # the LP optimum: at least the rule-free optimum
        assert cg.lower >= brute_force(table, required, penalty, SequenceRules()) - 1e-6
    x, lower, _ = best_sequences_of(table, required, penalty, rules, start, 0, 30.0, lp_rounds=30)
    for b in range(B):
        assert (x[b, table.length[b] :] == -1).all()
        assert follows_rules(x[b, : table.length[b]], rules)
    got = shortfall(table, x, required, penalty)
    assert lower - 1e-6 <= best <= got <= shortfall(table, start, required, penalty)
