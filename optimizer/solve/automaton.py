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
