"""Small automata of run counters, enumerated from their start.

The one-agent programme (`agentdp_counters.Counters`) and the bounds' weekly
programme (`bounds.weekdp._Runs`) both keep their run counters — days in a
row, days off, nights — as a handful of states with a few moves between
them (a day off, a shift, a week's end …). `reachable` lists the states a
start can reach and, per move, which state each one goes to.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

import numpy as np

S = TypeVar("S", bound=Hashable)
Edges = tuple[list[int], list[int]]  # (source indices, target indices) of one move


def reachable(start: S, moves: Sequence[Callable[[S], S | None]]) -> tuple[list[S], list[Edges]]:
    """Every state reachable from `start` (first, index 0) by `moves`, in the
    order found, and each move's edges; a move returning None is not
    allowed from that state."""
    states, index = [start], {start: 0}
    edges: list[Edges] = [([], []) for _ in moves]
    i = 0
    while i < len(states):
        here = states[i]
        for m, move in enumerate(moves):
            nxt = move(here)
            if nxt is None:
                continue
            if nxt not in index:
                index[nxt] = len(states)
                states.append(nxt)
            edges[m][0].append(i)
            edges[m][1].append(index[nxt])
        i += 1
    return states, edges


def table(n_states: int, edges: list[Edges]) -> np.ndarray:
    """[moves, states] each move's target from each state, -1 where the
    move is not allowed (the edges of `reachable` as a table)."""
    out = np.full((len(edges), n_states), -1, dtype=np.int64)
    for m, (src, tgt) in enumerate(edges):
        out[m, src] = tgt
    return out


def reachable_pairs(
    left: np.ndarray, right: np.ndarray, moves: Sequence[tuple[int, int]]
) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """`reachable` for the product of two automata given as tables (`table`,
    each starting from its state 0): a move of the product is a pair (a
    move of `left`, a move of `right`), allowed where both are. Every pair
    of states reachable from (0, 0), as [n, 2] indices, in the order
    `reachable` would find them (level by level; within a level by the
    state found first, then by move), and each move's edges as arrays.

    The same answer as `reachable` over tuples, computed a level at a time
    on arrays: the product of a run automaton and the counters over the
    horizon has thousands of states and dozens of moves."""
    n_right = right.shape[1]
    lm = np.array([m for m, _ in moves], dtype=np.int64)
    rm = np.array([m for _, m in moves], dtype=np.int64)
    index = np.full(left.shape[1] * n_right, -1, dtype=np.int64)
    index[0] = 0
    found = [np.zeros(1, dtype=np.int64)]  # codes i * n_right + j, in order
    src: list[list[np.ndarray]] = [[] for _ in moves]
    tgt: list[list[np.ndarray]] = [[] for _ in moves]
    frontier, n = found[0], 1
    while len(frontier):
        i, j = np.divmod(frontier, n_right)
        ni, nj = left[lm][:, i], right[rm][:, j]  # [moves, frontier]
        nxt = np.where((ni >= 0) & (nj >= 0), ni * n_right + nj, -1)
        flat = nxt.T.ravel()  # by state, then by move: the order `reachable` meets them
        flat = flat[flat >= 0]
        flat = flat[index[flat] < 0]
        new, first = np.unique(flat, return_index=True)
        new = new[np.argsort(first, kind="stable")]
        index[new] = n + np.arange(len(new))
        n += len(new)
        here = index[frontier]
        for m in range(len(moves)):
            ok = nxt[m] >= 0
            src[m].append(here[ok])
            tgt[m].append(index[nxt[m, ok]])
        found.append(new)
        frontier = new
    codes = np.concatenate(found)
    pairs = np.stack(np.divmod(codes, n_right), axis=1)
    edges = [(np.concatenate(s), np.concatenate(t)) for s, t in zip(src, tgt, strict=True)]
    return pairs, edges
