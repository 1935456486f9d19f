"""Break placement: each worked shift's break moved to where the roster
needs its agent least.

A shift family is one start and one paid length on one local date; its
options differ only in where the break sits in the rule set's window. An
agent's own model picks each family's best option against the coverage it
sees, but the neighbourhood search offers middle options only, and what
an agent's break is worth changes as the others move after it.

Here every worked shift in turn tries its family's other options against
everyone else's coverage. Moving the break from B to B' puts the agent back
on duty in B \\ B' and takes it away in B' \\ B. The first is worth the
penalty of the most penalised queue of the agent's that is short there;
the second costs nothing where its group has an agent to spare, else the
penalty of the least penalised queue the group covers that would fall
short. A move is kept when what it wins exceeds what it loses and the change
in cost (an unpaid break in a premium window changes the premium-weighted
minutes); the allocation follows each move locally and is redone exactly
at the end (`allocate.optimal_allocation`). Start, end, paid minutes and
therefore every sequence rule are unchanged by a move, so the roster stays
feasible.
"""

from __future__ import annotations

import numpy as np

from optimizer.solve.allocate import optimal_allocation
from optimizer.solve.problem import Problem
from optimizer.solve.state import Evaluation, State, cover, evaluate, on_duty

EPS = 1e-9


def _span(lo: int, hi: int, cut_lo: int, cut_hi: int) -> list[int]:
    """Intervals of [lo, hi) outside [cut_lo, cut_hi)."""
    return [t for t in range(lo, hi) if not cut_lo <= t < cut_hi]


def _joins(qs: np.ndarray, residual: np.ndarray, pen: np.ndarray, t: int) -> tuple[int, float]:
    """Where one more agent of a group serving `qs` goes at t: the position in
    `qs` of its most penalised short queue and that penalty; (-1, 0) if none is short."""
    short = np.flatnonzero(residual[qs, t] > 0)
    if len(short) == 0:
        return -1, 0.0
    j = int(short[np.argmax(pen[qs[short]])])
    return j, float(pen[qs[j]])


def _leaves(
    qs: np.ndarray, al: np.ndarray, residual: np.ndarray, pen: np.ndarray, t: int
) -> tuple[int, float]:
    """Which allocated agent of the group leaves at t: the position in `qs` of
    the queue it costs least to lose one from (nothing if over-covered) and that
    cost; (-1, 0) if the group holds no queue."""
    held = np.flatnonzero(al[:, t] > 0)
    if len(held) == 0:
        return -1, 0.0
    cost = np.where(residual[qs[held], t] >= 0, pen[qs[held]], 0.0)
    i = int(np.argmin(cost))
    return int(held[i]), float(cost[i])


def place_breaks(
    p: Problem,
    state: State,
    fair_target: np.ndarray | None = None,
    sweeps: int = 3,
) -> tuple[State, Evaluation]:
    """Move breaks while a move gains (module doc); returns the new state,
    exactly allocated, and its evaluation (never worse than `state`'s)."""
    before = evaluate(p, state, fair_target)
    s = state.copy()
    on = on_duty(p, s)
    residual = p.required - cover(p, s)
    pen = p.penalty
    w_cost = p.scenario.weights.cost
    for _ in range(sweeps):
        moves = 0
        for a in range(p.n_agents):
            days = np.flatnonzero(s.works[a])
            if len(days) == 0:
                continue
            site = int(p.agent_site[a])
            st = p.sites[site]
            g = int(p.agent_group[a])
            qs = p.group_queues[g]
            if len(qs) == 0:
                continue
            allowed = np.zeros(len(st.tpl), dtype=bool)
            allowed[p.cand[a]] = True
            al = s.alloc[g]
            for d in days:
                k = int(s.tpl[a, d])
                if st.tpl.brk_len[k] <= 0:
                    continue
                f = st.family[k]
                opts = st.members[st.first[f] : st.first[f + 1]]
                opts = opts[allowed[opts] & (opts != k)]
                if len(opts) == 0:
                    continue
                ba, bb = int(st.ba[k]), int(st.bb[k])
                best_net, best = EPS, None
                for k2 in opts:
                    ba2, bb2 = int(st.ba[k2]), int(st.bb[k2])
                    back = _span(ba, bb, ba2, bb2)  # on duty again
                    away = _span(ba2, bb2, ba, bb)  # newly on break
                    win = sum(_joins(qs, residual, pen, t)[1] for t in back)
                    # where the group has an agent to spare, its break costs nothing
                    lose = sum(
                        _leaves(qs, al, residual, pen, t)[1]
                        for t in away
                        if on[g, t] <= al[:, t].sum()
                    )
                    dcost = w_cost * float(p.rate[a]) * float(st.tpl.weight[k2] - st.tpl.weight[k])
                    net = win - lose - dcost
                    if net > best_net:
                        best_net, best = net, (int(k2), back, away)
                if best is None:
                    continue
                k2, back, away = best
                s.tpl[a, d] = k2
                for t in away:
                    on[g, t] -= 1
                    if on[g, t] < al[:, t].sum():  # the group lost an allocated agent
                        j, _ = _leaves(qs, al, residual, pen, t)
                        al[j, t] -= 1
                        residual[qs[j], t] += 1
                for t in back:
                    on[g, t] += 1
                    j, _ = _joins(qs, residual, pen, t)
                    if j >= 0:
                        al[j, t] += 1
                        residual[qs[j], t] -= 1
                moves += 1
        if moves == 0:
            break
    optimal_allocation(p, s)
    after = evaluate(p, s, fair_target)
    if after.total < before.total - EPS:
        return s, after
    return state, before
