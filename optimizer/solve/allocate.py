"""Who works which queue when, as counts: on-duty agents per group → queues.

Between solver steps the allocation of on-duty agents to queues is a
transportation problem per interval; `optimal_allocation` solves it exactly
for many intervals at once as one min-cost flow. Groups with the same
queues are one class to it (`queue_classes`). The named agents' activity
segments under the v1.1 stretch and switch rules are `activity_plan.py`'s.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from optimizer.solve.problem import Problem, queue_classes
from optimizer.solve.state import State, on_duty


def penalty_units(penalty: np.ndarray) -> np.ndarray:
    """Each queue's under-cover penalty in whole hundredths: the integer
    worth of an agent-interval of its need in the flows and programmes."""
    return np.round(np.asarray(penalty, float) * 100).astype(np.int64)


BLOCK = 48  # intervals per min-cost flow (`allocate_counts`)


def allocate_counts(
    on: np.ndarray, need: np.ndarray, penalty: np.ndarray, group_queues: tuple[np.ndarray, ...]
) -> list[np.ndarray]:
    """The allocation that saves the most shortfall penalty, per interval.

    `on[g, t]` agents of group g are on duty, `need[q, t]` are required in
    queue q, and each agent placed in q (up to its need) saves `penalty[q]`;
    group g may serve the queues `group_queues[g]`. Returns, per group, the
    agents it puts in each of its queues ([len(group_queues[g]), n]).

    Per interval this is a transportation problem. Groups with the same
    queues are pooled first; the intervals of a block of `BLOCK` are solved
    at once as one min-cost flow of the pools (OR-Tools `SimpleMinCostFlow`,
    integral by total unimodularity). The intervals do not interact, so the
    blocks are solved one after another: the flow's solve time grows faster
    than its size, and a horizon's allocation in blocks of a day takes a
    fraction of the time of one flow over it all. Each pool's flow is then
    split among its groups in any way their counts allow. Filling queues greedily
    by penalty is not exact: it may put a bilingual agent on a common
    language and leave the agent's rare language short while monolingual
    agents stand idle.
    """
    G, n = on.shape
    out = [np.zeros((len(qs), n), dtype=np.int64) for qs in group_queues]
    cls, class_queues = queue_classes(group_queues)
    if not class_queues:
        return out
    pool = np.zeros((len(class_queues), n), dtype=np.int64)
    np.add.at(pool, cls, on)
    pc = np.concatenate([np.full(len(qs), c) for c, qs in enumerate(class_queues)]).astype(np.int64)
    pq = np.concatenate(class_queues).astype(np.int64)
    pen = penalty_units(penalty)
    if (pen > 0).any():
        pen //= int(np.gcd.reduce(pen[pen > 0]))  # smaller costs solve faster
    flow = np.zeros((len(pq), n), dtype=np.int64)
    for i in range(0, n, BLOCK):
        cols = slice(i, i + BLOCK)
        flow[:, cols] = _pair_flow(pool[:, cols], need[:, cols], pc, pq, pen)
    first = np.concatenate([[0], np.cumsum([len(qs) for qs in class_queues])])
    for g in range(G):  # split each pool's flow among its groups
        c = int(cls[g])
        left = on[g].copy()
        for j in range(len(class_queues[c])):
            take = np.minimum(left, flow[first[c] + j])
            out[g][j] = take
            left -= take
            flow[first[c] + j] -= take
    return out


def _pair_flow(
    pool: np.ndarray, need: np.ndarray, pc: np.ndarray, pq: np.ndarray, pen: np.ndarray
) -> np.ndarray:
    """[P, n] the agents each (pool, queue) pair — pool `pc[i]`, queue `pq[i]` —
    sends in each interval of one block: one min-cost flow, each queue's
    agents (up to its need) earning `pen[q]`."""
    n = pool.shape[1]
    flow = np.zeros((len(pq), n), dtype=np.int64)
    # arcs (pool-queue pair, interval) where the pool is on duty and the queue needs someone
    pi, ti = np.nonzero((pool[pc] > 0) & (need[pq] > 0))
    if len(pi) == 0:
        return flow
    c_key = np.unique(pc[pi] * n + ti)  # pool nodes in use
    q_key = np.unique(pq[pi] * n + ti)  # queue nodes in use
    cc, ct = np.divmod(c_key, n)
    qq, qt = np.divmod(q_key, n)
    supply = int(pool[cc, ct].sum())
    f = min_cost_flow.SimpleMinCostFlow()
    source, sink = 0, 1
    f.add_arcs_with_capacity_and_unit_cost(
        np.full(len(c_key), source), 2 + np.arange(len(c_key)), pool[cc, ct], np.zeros(len(c_key))
    )
    pair_arcs = f.add_arcs_with_capacity_and_unit_cost(
        2 + np.searchsorted(c_key, pc[pi] * n + ti),
        2 + len(c_key) + np.searchsorted(q_key, pq[pi] * n + ti),
        pool[pc[pi], ti],
        np.zeros(len(pi)),
    )
    f.add_arcs_with_capacity_and_unit_cost(
        2 + len(c_key) + np.arange(len(q_key)), np.full(len(q_key), sink), need[qq, qt], -pen[qq]
    )
    f.add_arc_with_capacity_and_unit_cost(source, sink, supply, 0)  # agents nobody needs
    f.set_node_supply(source, supply)
    f.set_node_supply(sink, -supply)
    if f.solve() != f.OPTIMAL:  # cannot happen: the bypass arc keeps it feasible
        raise RuntimeError("allocation flow not optimal")
    flow[pi, ti] = f.flows(pair_arcs)
    return flow


def optimal_allocation(p: Problem, s: State, intervals: np.ndarray | None = None) -> None:
    """Recompute `s.alloc` in place on `intervals` (a bool mask over the
    grid; all by default) with the exact allocation of `allocate_counts`."""
    ts = np.arange(p.grid.n) if intervals is None else np.flatnonzero(intervals)
    if len(ts) == 0:
        return
    counts = allocate_counts(on_duty(p, s)[:, ts], p.required[:, ts], p.penalty, p.group_queues)
    for al, c in zip(s.alloc, counts, strict=True):
        al[:, ts] = c
