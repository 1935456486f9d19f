"""Who works which queue when: agent counts per group → queues, then named
agents → activity segments with few switches.

Between solver steps the allocation of on-duty agents to queues is a
transportation problem per interval; `optimal_allocation` solves it exactly
for many intervals at once as one min-cost flow. `activities` then gives
each named agent one queue per interval, keeping an agent on the queue it already serves whenever the counts allow,
so segments stay long; agents beyond the counts stay on the queue they last
served (or the group's neediest one) — paid time is never left without an
activity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from ortools.graph.python import min_cost_flow

from optimizer.roster import BREAK, Roster
from optimizer.solve.problem import Problem
from optimizer.solve.state import State, on_duty


def queue_classes(group_queues: tuple[np.ndarray, ...]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Groups with the same queues are interchangeable for allocation: the
    class of each group, and each class's queues."""
    keys = [tuple(int(q) for q in qs) for qs in group_queues]
    index: dict[tuple[int, ...], int] = {}
    cls = np.array([index.setdefault(k, len(index)) for k in keys], dtype=np.int64)
    return cls, [np.array(k, dtype=np.int64) for k in index]


def allocate_counts(
    on: np.ndarray, need: np.ndarray, penalty: np.ndarray, group_queues: tuple[np.ndarray, ...]
) -> list[np.ndarray]:
    """The allocation that saves the most shortfall penalty, per interval.

    `on[g, t]` agents of group g are on duty, `need[q, t]` are required in
    queue q, and each agent placed in q (up to its need) saves `penalty[q]`;
    group g may serve the queues `group_queues[g]`. Returns, per group, the
    agents it puts in each of its queues ([len(group_queues[g]), n]).

    Per interval this is a transportation problem; all intervals are solved
    at once as one min-cost flow (OR-Tools `SimpleMinCostFlow`, integral by
    total unimodularity). Groups with the same queues are pooled first, and
    the pool's flow is split among them in any way their counts allow.
    Filling queues greedily by penalty is not exact: it may put a bilingual
    agent on a common language and leave the agent's rare language short
    while monolingual agents stand idle.
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
    # arcs (pool-queue pair, interval) where the pool is on duty and the queue needs someone
    pi, ti = np.nonzero((pool[pc] > 0) & (need[pq] > 0))
    if len(pi) == 0:
        return out
    c_key = np.unique(pc[pi] * n + ti)  # pool nodes in use
    q_key = np.unique(pq[pi] * n + ti)  # queue nodes in use
    cc, ct = np.divmod(c_key, n)
    qq, qt = np.divmod(q_key, n)
    supply = int(pool[cc, ct].sum())
    pen = np.round(np.asarray(penalty, float) * 100).astype(np.int64)
    if (pen > 0).any():
        pen //= int(np.gcd.reduce(pen[pen > 0]))  # smaller costs solve faster
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
    flow = np.zeros((len(pq), n), dtype=np.int64)
    flow[pi, ti] = f.flows(pair_arcs)
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


def optimal_allocation(p: Problem, s: State, intervals: np.ndarray | None = None) -> None:
    """Recompute `s.alloc` in place on `intervals` (a bool mask over the
    grid; all by default) with the exact allocation of `allocate_counts`."""
    ts = np.arange(p.grid.n) if intervals is None else np.flatnonzero(intervals)
    if len(ts) == 0:
        return
    counts = allocate_counts(on_duty(p, s)[:, ts], p.required[:, ts], p.penalty, p.group_queues)
    for al, c in zip(s.alloc, counts, strict=True):
        al[:, ts] = c


def activities(p: Problem, s: State) -> Roster:
    """Named segments from the state: each worked interval gets one queue,
    matching the group counts in `s.alloc`, with as few switches as the counts allow."""
    rows: list[dict] = []
    T = p.grid.n
    t0, step = p.grid.start, p.grid.interval
    for g, qs in enumerate(p.group_queues):
        members = np.flatnonzero(p.agent_group == g)
        if len(members) == 0 or len(qs) == 0:
            continue
        site = int(p.group_site[g])
        st = p.sites[site]
        site_id = p.scenario.sites[site].id
        # per member: the interval span of each worked shift and its break
        spans = []
        for a in members:
            for d in np.flatnonzero(s.works[a]):
                k = int(s.tpl[a, d])
                spans.append((int(a), int(d), k))
        if not spans:
            continue
        # assignment matrix: member × interval → queue slot (−1 idle/off)
        idx = {int(a): i for i, a in enumerate(members)}
        working = np.zeros((len(members), T), dtype=bool)
        for a, _d, k in spans:
            lo, hi = int(st.a[k]), int(st.b[k])
            working[idx[a], lo:hi] = True
            if st.tpl.brk_len[k] > 0:
                working[idx[a], int(st.ba[k]) : int(st.bb[k])] = False
        counts = s.alloc[g]
        slot = np.full((len(members), T), -1, dtype=np.int64)
        neediest = int(np.argmax(p.required[qs].sum(axis=1)))
        home = np.full(len(members), neediest, dtype=np.int64)  # fallback queue slot per member
        prev = np.full(len(members), -1, dtype=np.int64)
        for t in np.flatnonzero(working.any(axis=0)):
            here = np.flatnonzero(working[:, t])
            left = counts[:, t].copy()
            taken = np.full(len(here), -1, dtype=np.int64)
            # keep agents on the queue they served in the previous interval
            for i, m in enumerate(here):
                j = prev[m]
                if j >= 0 and left[j] > 0:
                    taken[i] = j
                    left[j] -= 1
            for i, m in enumerate(here):
                if taken[i] >= 0:
                    continue
                open_slots = np.flatnonzero(left > 0)
                if len(open_slots):
                    j = int(open_slots[0])
                    left[j] -= 1
                else:  # more agents than needed: stay where they were, else the neediest queue
                    j = int(prev[m]) if prev[m] >= 0 else int(home[m])
                taken[i] = j
            slot[here, t] = taken
            prev[:] = -1
            prev[here] = taken
        for a, d, k in spans:
            i = idx[a]
            start, end = int(st.tpl.start[k]), int(st.tpl.end[k])
            b0, b1 = int(st.tpl.brk_start[k]), int(st.tpl.brk_start[k] + st.tpl.brk_len[k])
            date = p.dates[d]

            # walk the shift's intervals (the shift may run past the grid's end)
            runs: list[tuple[str, int, int]] = []  # (activity, from, to)
            cur_q, cur_from = None, start
            tt = start
            while tt < end:
                if st.tpl.brk_len[k] > 0 and b0 <= tt < b1:
                    q = BREAK
                else:
                    ti = (tt - t0) // step
                    if 0 <= ti < T and slot[i, ti] >= 0:
                        q = p.queue_ids[qs[slot[i, ti]]]
                    elif cur_q is not None and cur_q != BREAK:
                        q = cur_q  # past the grid's end: carry on
                    else:
                        q = p.queue_ids[qs[home[i]]]
                if q != cur_q:
                    if cur_q is not None:
                        runs.append((cur_q, cur_from, tt))
                    cur_q, cur_from = q, tt
                tt += step
            runs.append((cur_q, cur_from, end))
            rows.extend(
                {
                    "agent_id": p.agent_ids[a],
                    "site": site_id,
                    "shift_date": date,
                    "start": f,
                    "end": t,
                    "activity": q,
                }
                for q, f, t in runs
            )
    return Roster.from_segments(
        pd.DataFrame(rows, columns=["agent_id", "site", "shift_date", "start", "end", "activity"])
    )
