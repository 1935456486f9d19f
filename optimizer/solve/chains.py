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
groups and queues, compiled, interval by interval); `chain_values` is the
value of one more agent of a group per interval.
"""

from __future__ import annotations

from collections.abc import Callable

import numba
import numpy as np

from optimizer.solve.problem import Problem
from optimizer.solve.state import State

MAX_LINKS = 4  # hand-overs a chain may take after the new agent's own queue

# columns → [P, len(columns)] whether a (kind, queue) pair holds an agent there
Held = Callable[[np.ndarray], np.ndarray]


def _held_pairs(p: Problem, s: State, columns: np.ndarray) -> np.ndarray:
    """[P, n]: some agent of a group of the pair's kind is allocated to the
    pair's queue at columns[t], for every (kind, queue) pair of `p.kinds`."""
    return p.kinds.pair_totals(s.alloc, p.grid.n)[:, columns] > 0


def _held(p: Problem, s: State, columns: np.ndarray, held: Held | None = None) -> np.ndarray:
    """[K, Q, n]: some agent of a group of kind k is allocated to queue q at
    columns[t] (`held` as in `reachable`)."""
    kinds = p.kinds
    on = np.zeros((len(kinds.queues), len(p.queue_ids), len(columns)), dtype=bool)
    pairs = _held_pairs(p, s, columns) if held is None else held(columns)
    on[kinds.pair_kind, kinds.pair_queue] = pairs
    return on


def _search(
    p: Problem, s: State, g: int, columns: np.ndarray, held: Held | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Breadth-first search from one more agent of group g at each of the
    grid intervals `columns`. Returns `reach` [Q, n] (queues a chain
    reaches), `by` [Q, n] (the kind whose agent hands that queue over next
    on the chain, −1 for g's own queues) and `from_q` [K, n] (the queue that
    kind's agent leaves). Slower than `reachable`, which keeps no path:
    for the few intervals where a chain is made."""
    m = p.kinds.serves
    K, Q, n = len(m), len(p.queue_ids), len(columns)
    on = _held(p, s, columns, held)
    reach = np.repeat(m[p.kinds.of_group[g]][:, None], n, axis=1)
    by = np.full((Q, n), -1, dtype=np.int64)
    from_q = np.full((K, n), -1, dtype=np.int64)
    seen = np.zeros((K, n), dtype=bool)
    for _ in range(MAX_LINKS):
        held = on & reach[None]  # [K, Q, n]: an agent of kind k on a reached queue
        freed = held.any(axis=1) & ~seen  # kinds newly able to move
        if not freed.any():
            break
        from_q[freed] = held.argmax(axis=1)[freed]
        seen |= freed
        # queues the freed kinds serve, not reached before: reached through them
        via = m[:, :, None] & freed[:, None, :]  # [K, Q, n]
        new = via.any(axis=0) & ~reach
        if not new.any():
            break
        by[new] = via.argmax(axis=0)[new]
        reach |= new
    return reach, by, from_q


def reachable(
    p: Problem, s: State, g: int, columns: np.ndarray, held: Held | None = None
) -> np.ndarray:
    """[Q, len(columns)]: the queues one more agent of group g can end up
    covering at each of the grid intervals `columns`, through chains of at
    most MAX_LINKS agents who each hand their queue over and move to
    another queue of their own group. The search runs interval by interval
    in compiled code (`_reach`), queues as bits of 64-bit words. `held`
    gives `_held_pairs` of `s` when the caller keeps it (`tally.Tally`)."""
    kinds = p.kinds
    Q = len(p.queue_ids)
    if len(columns) == 0:
        return np.zeros((Q, 0), dtype=bool)
    held_now = _held_pairs(p, s, columns) if held is None else held(columns)  # [P, n]
    serves = _queue_words(kinds.serves)
    start = serves[kinds.of_group[g]]
    reach = _reach(held_now, kinds.pair_kind, kinds.pair_queue, serves, start, MAX_LINKS)
    bits = (reach[:, :, None] >> np.arange(64, dtype=np.uint64)) & np.uint64(1)
    return bits.reshape(len(columns), -1)[:, :Q].T.astype(bool)


def _queue_words(serves: np.ndarray) -> np.ndarray:
    """[K, words] each kind's queues as bits: queue q is bit q % 64 of word q // 64."""
    K, Q = serves.shape
    words = np.zeros((K, max(1, -(-Q // 64))), dtype=np.uint64)
    k, q = np.nonzero(serves)
    np.bitwise_or.at(words, (k, q // 64), np.uint64(1) << (q % 64).astype(np.uint64))
    return words


@numba.njit(cache=True, nogil=True)
def _reach(held, pair_kind, pair_queue, serves, start, links):  # pragma: no cover - compiled
    """[n, words] the queues reached at each interval (bits, as `_queue_words`):
    from `start`, each hand-over adds the queues of every kind that has an
    agent (`held` [P, n], per (kind, queue) pair) on a queue reached before
    it, at most `links` times."""
    P, n = held.shape
    K, words = serves.shape
    out = np.empty((n, words), dtype=np.uint64)
    on = np.zeros((n, K, words), dtype=np.uint64)  # the queues each kind holds
    for i in range(P):  # row by row: `held` is read in its own order
        k, q = pair_kind[i], pair_queue[i]
        bit = np.uint64(1) << np.uint64(q % 64)
        for t in range(n):
            if held[i, t]:
                on[t, k, q // 64] |= bit
    more = np.empty(words, dtype=np.uint64)
    for t in range(n):
        reach = start.copy()
        for _ in range(links):
            more[:] = reach
            for k in range(K):
                for w in range(words):
                    if on[t, k, w] & reach[w]:  # an agent of kind k on a reached queue
                        for v in range(words):
                            more[v] |= serves[k, v]
                        break
            grown = False
            for w in range(words):
                grown = grown or more[w] != reach[w]
            if not grown:
                break
            reach[:] = more
        out[t] = reach
    return out


def chain_values(
    p: Problem,
    s: State,
    g: int,
    residual: np.ndarray,
    value: np.ndarray,
    held: Held | None = None,
) -> np.ndarray:
    """[T] what one more agent of group g is worth in each interval: the
    highest `value` ([Q, 1] or [Q, T]) among the queues with `residual` need
    that a chain from g reaches (0 where none does). Only intervals where
    some queue g cannot serve itself is short are searched: elsewhere the
    agent's own queues say it all. `held` as in `reachable`."""
    value = np.broadcast_to(value, residual.shape)
    short = residual > 0
    own = p.kinds.serves[p.kinds.of_group[g]]
    out = np.where(short[own], value[own], 0.0).max(axis=0, initial=0.0)
    columns = np.flatnonzero(short[~own].any(axis=0))
    if len(columns) == 0:
        return out
    reach = reachable(p, s, g, columns, held)
    via = np.where(short[:, columns] & reach, value[:, columns], 0.0).max(axis=0)
    out[columns] = np.maximum(out[columns], via)
    return out


def extend(
    p: Problem,
    s: State,
    g: int,
    columns: np.ndarray,
    residual: np.ndarray,
    value: np.ndarray,
    held: Held | None = None,
    shared: list[np.ndarray] | None = None,
) -> None:
    """Put one more agent of group g into `s.alloc` at each grid interval of
    `columns` (distinct), along the chain to the most valuable short queue
    it reaches (`residual` and `value` as in `chain_values`; `held` as in
    `reachable`): each colleague on the chain moves one queue along. Where
    no short queue is reached the allocation is left as it is (the agent is
    spare there). A group whose array is still `shared`'s own (another
    state's) is copied before it changes."""
    if len(columns) == 0:
        return
    members = p.kinds.members

    def own(h: int) -> np.ndarray:
        if shared is not None and s.alloc[h] is shared[h]:
            s.alloc[h] = s.alloc[h].copy()
        return s.alloc[h]

    reach, by, from_q = _search(p, s, g, columns, held)
    value = np.broadcast_to(value, residual.shape)[:, columns]
    gain = np.where((residual[:, columns] > 0) & reach, value, 0.0)
    target = gain.argmax(axis=0)

    def pos(h: int, q: int) -> int:
        return int(np.searchsorted(p.group_queues[h], q))

    for i in np.flatnonzero(gain.max(axis=0) > 0):
        t, q = int(columns[i]), int(target[i])
        while by[q, i] >= 0:  # an agent of kind k on q_prev takes q
            k = int(by[q, i])
            q_prev = int(from_q[k, i])
            h = next(int(h) for h in members[k] if s.alloc[h][pos(int(h), q_prev), t] > 0)
            mine = own(h)
            mine[pos(h, q), t] += 1
            mine[pos(h, q_prev), t] -= 1
            q = q_prev
        own(g)[pos(g, q), t] += 1
