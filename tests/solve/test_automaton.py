"""`reachable`: the states of a small automaton, found from its start;
`reachable_pairs`: the same for the product of two, on arrays."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.solve.automaton import reachable, reachable_pairs, table


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


def test_the_product_of_two_counters_reaches_the_pairs_by_hand():
    # left: a counter capped at 1; right: one capped at 2; moves (work, work) and (off, off)
    left = table(2, [([0], [1]), ([0, 1], [0, 0])])  # work, off
    right = table(3, [([0, 1], [1, 2]), ([0, 1, 2], [0, 0, 0])])
    pairs, (work, off) = reachable_pairs(left, right, [(0, 0), (1, 1)])
    assert pairs.tolist() == [[0, 0], [1, 1]]  # (1, 1) can work no more: the left is capped
    assert (work[0].tolist(), work[1].tolist()) == ([0], [1])
    assert (off[0].tolist(), off[1].tolist()) == ([0, 1], [0, 0])


def _automaton(draw, n: int, n_moves: int) -> list[dict[int, int]]:
    """Random moves over states 0 … n − 1: each a partial map, defined
    mostly (so levels of several states, each with several new successors,
    test the order)."""
    return [
        {i: draw(st.integers(0, n - 1)) for i in range(n) if draw(st.integers(0, 4))}
        for _ in range(n_moves)
    ]


@st.composite
def _products(draw):  # type: ignore[no-untyped-def]
    nl, nr = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    lm, rm = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    left, right = _automaton(draw, nl, lm), _automaton(draw, nr, rm)
    moves = draw(
        st.lists(st.tuples(st.integers(0, lm - 1), st.integers(0, rm - 1)), min_size=1, max_size=5)
    )
    return nl, nr, left, right, moves


@settings(max_examples=300, deadline=None)
@given(_products())
def test_reachable_pairs_finds_what_reachable_finds_over_pairs(case):
    nl, nr, left, right, moves = case

    def as_table(n: int, maps: list[dict[int, int]]):  # type: ignore[no-untyped-def]
        return table(n, [(list(m), list(m.values())) for m in maps])

    def pair_move(lm: int, rm: int):  # type: ignore[no-untyped-def]
        def move(s: tuple[int, int]) -> tuple[int, int] | None:
            i, j = left[lm].get(s[0]), right[rm].get(s[1])
            return None if i is None or j is None else (i, j)

        return move

    states, edges = reachable((0, 0), [pair_move(a, b) for a, b in moves])
    pairs, got = reachable_pairs(as_table(nl, left), as_table(nr, right), moves)
    assert [tuple(p) for p in pairs.tolist()] == states
    assert [(s.tolist(), t.tolist()) for s, t in got] == edges
