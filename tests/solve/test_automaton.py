"""`reachable`: the states of a small automaton, found from its start."""

from __future__ import annotations

from optimizer.solve.automaton import reachable


def test_a_counter_capped_at_three_reaches_four_states_in_order():
    # a day worked adds one up to 3 (then refused), a day off goes back to 0
    def work(r: int) -> int | None:
        return r + 1 if r < 3 else None

    states, (work_edges, off_edges) = reachable(0, (work, lambda r: 0))
    assert states == [0, 1, 2, 3]
    assert work_edges == ([0, 1, 2], [1, 2, 3])
    assert off_edges == ([0, 1, 2, 3], [0, 0, 0, 0])


def test_states_no_move_reaches_are_left_out():
    states, _ = reachable("a", (lambda s: "b" if s == "a" else None,))
    assert states == ["a", "b"]
