"""A proven lower bound: the LP relaxation of the aggregate coverage problem.

Agents are pooled by site and languages — each pool may serve the union of
its members' queues, which only relaxes further: `n[g, f]` is how many
of them work shift family f (a start and a paid length on a local date),
`y[g, j, t]` how many serve the group's j-th queue in interval t, and
`short[q, t]` the shortfall. Every real roster gives a feasible point of this
LP (with the break dropped from the interval capacity but counted in each
group's total working time, the cheapest break variant's cost, the cheapest
agent's rate, per-group sums of each agent's daily, weekly and
consecutive-day limits, the minimums of consecutive days worked and off,
the maximum of weekends worked, the forbidden successions of shift types
and their `max_shifts` and the agents' hours over the horizon dropped, and
overtime, preference, shift requests, the cover per shift type and
fairness costs taken as zero), so its optimum is a lower bound of the
roster's objective. Built as a sparse matrix and solved with OR-Tools'
GLOP.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder as mb

from optimizer.solve.problem import Problem


@dataclass(frozen=True)
class Bound:
    value: float | None
    method: str
    seconds: float
    status: str
    prices: np.ndarray | None = None  # [Q, T] dual prices of the coverage rows (LP only)


def lp_bound(
    p: Problem, time_limit: float = 60.0, block: int = 1, solver_name: str = "GLOP"
) -> Bound:
    """Solve the LP relaxation (see module doc); None if not solved in time.

    `block` > 1 sums the coverage and capacity rows over blocks of that many
    intervals (and the shortfall with them): a coarser relaxation — an
    agent too many in one interval may offset one too few in the next of
    the same block — that is smaller and still a valid lower bound.
    """
    t0 = time.monotonic()
    T0 = p.grid.n
    T = -(-T0 // block)
    rows_i: list[np.ndarray] = []
    cols_i: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    lo: list[np.ndarray] = []
    hi: list[np.ndarray] = []
    n_rows = 0

    def add_rows(count: int, lower: np.ndarray | float, upper: np.ndarray | float) -> int:
        nonlocal n_rows
        first = n_rows
        n_rows += count
        lo.append(np.broadcast_to(np.asarray(lower, float), (count,)).copy())
        hi.append(np.broadcast_to(np.asarray(upper, float), (count,)).copy())
        return first

    def add_entries(r: np.ndarray, c: np.ndarray, v: np.ndarray | float) -> None:
        rows_i.append(r.astype(np.int64))
        cols_i.append(c.astype(np.int64))
        vals.append(np.broadcast_to(np.asarray(v, float), r.shape).astype(float))

    # ---- variables: n (families per group), y (allocations), short
    var_lb: list[np.ndarray] = []
    var_ub: list[np.ndarray] = []
    obj: list[np.ndarray] = []
    n_vars = 0

    def add_vars(count: int, ub: np.ndarray | float, cost: np.ndarray | float) -> int:
        nonlocal n_vars
        first = n_vars
        n_vars += count
        var_lb.append(np.zeros(count))
        var_ub.append(np.broadcast_to(np.asarray(ub, float), (count,)).copy())
        obj.append(np.broadcast_to(np.asarray(cost, float), (count,)).copy())
        return first

    need = np.zeros((len(p.queue_ids), T * block), dtype=np.int64)
    need[:, :T0] = p.required
    need = need.reshape(len(p.queue_ids), T, block).sum(axis=2)
    pools: dict[tuple[int, tuple[str, ...]], list[int]] = {}
    for a, ag in enumerate(p.scenario.agents):
        pools.setdefault((int(p.agent_site[a]), ag.languages), []).append(a)
    pool_members = [np.array(m, dtype=np.int64) for m in pools.values()]
    pool_site = [site for site, _ in pools]
    pool_queues = [np.flatnonzero(p.eligible[m].any(axis=0)) for m in pool_members]
    G = len(pool_members)
    # families per site (`SiteTemplates.family`): cheapest break variant, full span, working intervals
    fam_of_site = [st.family for st in p.sites]

    # y and short variables, and the coverage rows
    y_first: dict[int, int] = {}
    cover_row = np.full((len(p.queue_ids), T), -1, dtype=np.int64)
    pos = need > 0
    cover_row[pos] = np.arange(int(pos.sum())) + add_rows(int(pos.sum()), need[pos], np.inf)
    short_first = add_vars(int(pos.sum()), need[pos], (p.penalty[:, None] * np.ones((1, T)))[pos])
    add_entries(cover_row[pos], short_first + np.arange(int(pos.sum())), 1.0)
    cap_row = np.full((G, T), -1, dtype=np.int64)
    for g, qs in enumerate(pool_queues):
        members = pool_members[g]
        if len(qs) == 0 or len(members) == 0:
            continue
        m = need[qs] > 0  # [Qg, T]
        cnt = int(m.sum())
        if cnt == 0:
            continue
        y0 = add_vars(cnt, np.minimum(need[qs][m], len(members) * block), 0.0)
        y_first[g] = y0
        jj, tt = np.nonzero(m)
        yi = y0 + np.arange(cnt)
        add_entries(cover_row[qs[jj], tt], yi, 1.0)
        has = m.any(axis=0)
        cap_row[g, has] = add_rows(int(has.sum()), -np.inf, 0.0) + np.arange(int(has.sum()))
        add_entries(cap_row[g, tt], yi, 1.0)
        work_row = add_rows(1, -np.inf, 0.0)
        add_entries(np.full(cnt, work_row), yi, 1.0)

        # families the group's members may work, with their count as upper bound
        st = p.sites[pool_site[g]]
        fam = fam_of_site[pool_site[g]]
        counts = np.zeros(fam.max() + 1 if len(fam) else 0, dtype=np.int64)
        for a in members:
            counts[np.unique(fam[p.cand[a]])] += 1
        fams = np.flatnonzero(counts)
        if len(fams) == 0:
            continue
        first_k = pd.Series(np.arange(len(fam))).groupby(fam).first().to_numpy()
        min_w = pd.Series(st.tpl.weight).groupby(fam).min().to_numpy()
        k = first_k[fams]
        rate = float(p.rate[members].min()) * p.scenario.weights.cost
        n0 = add_vars(len(fams), counts[fams], rate * min_w[fams])
        ni = n0 + np.arange(len(fams))
        # capacity over the full span
        a, b = st.a[k], st.b[k]
        length = b - a
        rep = np.repeat(np.arange(len(fams)), length)
        tt = np.repeat(a, length) + (
            np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)
        )
        tt = tt // block
        ok = cap_row[g, tt] >= 0
        add_entries(cap_row[g, tt[ok]], ni[rep[ok]], -1.0)
        # total working time (breaks count here)
        work = length - np.where(st.tpl.brk_len[k] > 0, st.bb[k] - st.ba[k], 0)
        add_entries(np.full(len(fams), work_row), ni, -work.astype(float))
        # per day: at most the members available that day
        days = st.tpl.day[k]
        avail = np.zeros(p.n_days)
        for a_ in members:
            avail[np.unique(st.tpl.day[p.cand[a_]])] += 1
        d0 = add_rows(p.n_days, -np.inf, avail)
        add_entries(d0 + days, ni, 1.0)
        # per week: the members' weekly maxima and minima
        w0 = add_rows(p.n_weeks, p.wmin[members].sum(axis=0), p.wmax[members].sum(axis=0))
        add_entries(w0 + p.week_of_day[days], ni, st.tpl.paid[k].astype(float))
        # consecutive days: any M+1 days hold at most M shifts per member
        mc = int(p.maxcons[pool_site[g]])
        if mc < p.n_days:
            nwin = p.n_days - mc
            c0 = add_rows(nwin, -np.inf, float(mc * len(members)))
            for off in range(mc + 1):
                win = days - off
                ok = (win >= 0) & (win < nwin)
                add_entries(c0 + win[ok], ni[ok], 1.0)

    A = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows_i), np.concatenate(cols_i))),
        shape=(n_rows, n_vars),
    )
    model = mb.Model()
    model.helper.fill_model_from_sparse_data(
        np.concatenate(var_lb), np.concatenate(var_ub), np.concatenate(obj),
        np.concatenate(lo), np.concatenate(hi), A,
    )  # fmt: skip
    solver = mb.Solver(solver_name)
    solver.set_time_limit_in_seconds(max(1.0, time_limit - (time.monotonic() - t0)))
    status = solver.solve(model)
    seconds = time.monotonic() - t0
    if status == mb.SolveStatus.OPTIMAL:
        what = f"LP relaxation ({solver_name}{f', {block}-interval blocks' if block > 1 else ''})"
        prices = np.zeros((len(p.queue_ids), T))
        rows = cover_row >= 0
        if rows.any():
            duals = solver.dual_values(model.get_linear_constraints()).to_numpy()
            prices[rows] = duals[cover_row[rows]]
        prices = np.repeat(prices, block, axis=1)[:, :T0]
        return Bound(float(solver.objective_value), what, seconds, "OPTIMAL", prices)
    return Bound(None, f"LP relaxation ({solver_name}): not solved in time", seconds, str(status))
