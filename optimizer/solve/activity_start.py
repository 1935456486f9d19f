"""The activities' start: the counts of `s.alloc` named, projected onto the rules.

`greedy_names` names agents for the counts interval by interval (an agent
keeps the queue it served the interval before whenever the counts allow);
`start_sequences` projects each shift's naming onto the stretch and switch
rules — the sequence within them that keeps most of its penalty-weighted
counted intervals. This is step 1 of the method in `activity_search.py`.
"""

from __future__ import annotations

import numpy as np

from optimizer.solve.activity_shifts import ShiftTable
from optimizer.solve.allocate import penalty_units
from optimizer.solve.problem import Problem
from optimizer.solve.state import State
from optimizer.solve.stretches import NEG, SequenceRules, best_sequences


def greedy_names(p: Problem, s: State) -> tuple[np.ndarray, np.ndarray]:
    """Named agents for the counts of `s.alloc`, per interval: ([A, T] slot
    in the agent's group queues, −1 off duty; [A, T] whether the agent is one
    of the counts, not one beyond them). An agent keeps the slot it had the
    interval before whenever the counts allow; one beyond the counts stays
    where it was (or on the group's neediest queue)."""
    T = p.grid.n
    slot = np.full((p.n_agents, T), -1, dtype=np.int64)
    counted = np.zeros((p.n_agents, T), dtype=bool)
    working = np.zeros((p.n_agents, T), dtype=bool)
    a, d = np.nonzero(s.works)
    for ai, di in zip(a, d, strict=True):
        st = p.sites[p.agent_site[ai]]
        k = int(s.tpl[ai, di])
        working[ai, int(st.a[k]) : int(st.b[k])] = True
        if st.tpl.brk_len[k] > 0:
            working[ai, int(st.ba[k]) : int(st.bb[k])] = False
    for g, qs in enumerate(p.group_queues):
        members = np.flatnonzero(p.agent_group == g)
        if len(members) == 0 or len(qs) == 0:
            continue
        counts = s.alloc[g]
        home = int(np.argmax(p.required[qs].sum(axis=1)))
        prev = np.full(p.n_agents, -1, dtype=np.int64)
        for t in np.flatnonzero(working[members].any(axis=0)):
            here = members[working[members, t]]
            left = counts[:, t].copy()
            for m in here:  # keep agents on the queue they served the interval before
                j = prev[m]
                if j >= 0 and left[j] > 0:
                    slot[m, t], counted[m, t] = j, True
                    left[j] -= 1
            for m in here:
                if slot[m, t] >= 0:
                    continue
                open_slots = np.flatnonzero(left > 0)
                if len(open_slots):
                    slot[m, t], counted[m, t] = int(open_slots[0]), True
                    left[open_slots[0]] -= 1
                else:  # beyond the counts
                    slot[m, t] = prev[m] if prev[m] >= 0 else home
            prev[members] = -1
            prev[here] = slot[here, t]
    return slot, counted


def start_sequences(table: ShiftTable, p: Problem, s: State, rules: SequenceRules) -> np.ndarray:
    """Each shift's greedy naming of the counts (`greedy_names`), projected
    onto the rules: the sequence within them keeping the most
    penalty-weighted counted intervals (with no rule: the naming itself)."""
    slot, counted = greedy_names(p, s)
    T = p.grid.n
    t = np.clip(table.pos, 0, T - 1)
    inside = (table.pos >= 0) & (table.pos < T)
    named = np.where(inside, slot[table.agent[:, None], t], -1)
    keep = inside & counted[table.agent[:, None], t]
    pen = penalty_units(p.penalty) + 1
    J = table.slots.shape[1]
    unit = table.pos.shape[1] + 1
    q = np.take_along_axis(table.slots, np.maximum(named, 0), axis=1)
    worth = np.where(keep, pen[q] * unit, 0)
    value = np.where(np.arange(J)[None, None, :] == named[:, :, None], worth[:, :, None], 0)
    value = np.where((table.slots >= 0)[:, None, :], value, NEG)
    out = np.full(table.pos.shape, -1, dtype=np.int64)
    width = (table.slots >= 0).sum(axis=1)
    for w in np.unique(width):  # fewer slots, smaller programmes
        sel = np.flatnonzero(width == w)
        for part in np.array_split(sel, max(1, len(sel) // 256)):
            out[part], _ = best_sequences(value[part, :, :w], table.length[part], rules)
    return out
