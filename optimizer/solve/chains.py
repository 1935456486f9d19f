"""Alternating chains in the allocation: what one more agent is really worth.

When one more agent of group g comes on duty in an interval, the exact
allocation may use it at the end of a chain: it takes a queue from an agent
of another group, who moves to a queue of its own, and so on until a queue
that is short gets one more agent. One more unit of supply in a min-cost
flow is worth its best augmenting path, and here every arc but the last
costs nothing, so the agent is worth the highest value among the short
queues such a chain reaches. Counting only the queues the agent serves
itself misses this: a monolingual English agent is worth nothing on a fully
covered English queue, yet worth the German penalty if it frees a bilingual
colleague to go to German, which is short.

`reachable` finds the queues a chain reaches (a breadth-first search over
groups and queues, vectorised over the intervals); `chain_values` is the
value of one more agent of a group per interval.
"""

from __future__ import annotations

import numpy as np

from optimizer.solve.problem import Problem
from optimizer.solve.state import State

MAX_LINKS = 4  # groups a chain passes through after the new agent's own


def serves(p: Problem) -> np.ndarray:
    """[G, Q] whether group g may serve queue q."""
    m = np.zeros((len(p.group_queues), len(p.queue_ids)), dtype=bool)
    for g, qs in enumerate(p.group_queues):
        m[g, qs] = True
    return m


def reachable(p: Problem, s: State, g: int, columns: np.ndarray) -> np.ndarray:
    """[Q, len(columns)]: the queues one more agent of group g can end up
    covering at each of the grid intervals `columns`, through chains of at
    most MAX_LINKS agents who each hand their queue over and move to
    another queue of their own group."""
    m = serves(p)
    n = len(columns)
    # on[h, q, t]: some agent of group h is allocated to queue q at columns[t]
    on = np.zeros((len(p.group_queues), len(p.queue_ids), n), dtype=bool)
    for h, qs in enumerate(p.group_queues):
        if len(qs):
            on[h, qs] = s.alloc[h][:, columns] > 0
    reach = np.repeat(m[g][:, None], n, axis=1)
    moves = m.T.astype(np.float32)  # [Q, G]
    for _ in range(MAX_LINKS):
        freed = (on & reach[None]).any(axis=1)  # [G, n]: groups with someone to take over from
        more = reach | ((moves @ freed.astype(np.float32)) > 0)
        if np.array_equal(more, reach):
            break
        reach = more
    return reach


def chain_values(
    p: Problem, s: State, g: int, residual: np.ndarray, value: np.ndarray
) -> np.ndarray:
    """[T] what one more agent of group g is worth in each interval: the
    highest `value` ([Q, 1] or [Q, T]) among the queues with `residual` need
    that a chain from g reaches (0 where none does). Only intervals where
    some queue g cannot serve itself is short are searched: elsewhere the
    agent's own queues say it all."""
    value = np.broadcast_to(value, residual.shape)
    short = residual > 0
    own = serves(p)[g]
    out = np.where(short[own], value[own], 0.0).max(axis=0, initial=0.0)
    columns = np.flatnonzero(short[~own].any(axis=0))
    if len(columns) == 0:
        return out
    reach = reachable(p, s, g, columns)
    via = np.where(short[:, columns] & reach, value[:, columns], 0.0).max(axis=0)
    out[columns] = np.maximum(out[columns], via)
    return out
