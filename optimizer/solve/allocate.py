"""Who works which queue when: agent counts per group → queues, then named
agents → activity segments with few switches.

Between solver steps the allocation of on-duty agents to queues is a
transportation problem per interval; `greedy_allocation` fills the most
penalised queues first from the least flexible groups (vectorised over all
intervals). `activities` then gives each named agent one queue per interval,
keeping an agent on the queue it already serves whenever the counts allow,
so segments stay long; agents beyond the counts stay on the queue they last
served (or the group's neediest one) — paid time is never left without an
activity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.roster import BREAK, Roster
from optimizer.solve.problem import Problem
from optimizer.solve.state import State, on_duty


def greedy_allocation(
    p: Problem, s: State, groups: list[int] | None = None, base_cover: np.ndarray | None = None
) -> None:
    """Recompute `s.alloc` for `groups` (all by default) in place, against
    the requirement left after `base_cover` (the other groups' allocation)."""
    on = on_duty(p, s)
    groups = list(range(len(p.group_queues))) if groups is None else groups
    need = p.required.copy() if base_cover is None else np.clip(p.required - base_cover, 0, None)
    left = {g: on[g].copy() for g in groups}
    for g in groups:
        s.alloc[g][:] = 0
    order_q = np.argsort(-p.penalty, kind="stable")
    flex = {g: len(p.group_queues[g]) for g in groups}
    by_queue: dict[int, list[tuple[int, int]]] = {}
    for g in groups:
        for j, q in enumerate(p.group_queues[g]):
            by_queue.setdefault(int(q), []).append((g, j))
    for q in order_q:
        for g, j in sorted(by_queue.get(int(q), []), key=lambda gj: flex[gj[0]]):
            take = np.minimum(left[g], need[q])
            s.alloc[g][j] += take
            left[g] -= take
            need[q] -= take


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
