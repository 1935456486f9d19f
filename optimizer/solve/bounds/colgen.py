"""A stronger bound by column generation over the agents' schedules.

The Lagrangian relaxation of `lagrange.py` is only as good as its prices.
Here the prices come from a restricted master LP instead of subgradient
steps: for every agent a convex combination of schedules it has proposed
so far (columns), coverage rows per queue and block of intervals, and a
priced shortfall. Its duals are the next prices; each agent's best schedule
at those prices (the same exact per-agent dynamic programme) is both a new
column and — through the Lagrangian dual function — a valid lower bound of
the roster objective at every iteration, whether or not the master has
converged (Lagrangian / Farley bound). Coverage is summed over blocks of
intervals in the master so it stays small; prices constant on a block are
still prices, so the bound stays valid. Each cell of the cover per shift
type is a row of its own (agents counted, short and beyond priced), whose
dual is the cell's price. On problems with rules that look past a week the
agents are priced over the whole horizon (`horizon.py`), so the master's
columns keep those rules too. The next prices are the master's
duals smoothed towards the best prices so far (Wentges), which stops the
duals from jumping between extremes in the first rounds.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

import numpy as np
from ortools.linear_solver import pywraplp

from optimizer.solve.bounds.horizon import looks_past_a_week
from optimizer.solve.bounds.lagrange import AgentPricing, Priced
from optimizer.solve.bounds.lp import Bound
from optimizer.solve.problem import Problem

SMOOTHING = 0.7  # weight of the best prices so far in the next prices (dual stabilisation)
SUPPORT = 1e-6  # a column the master's optimum weighs more than this is in its support


class ColumnPool:
    """The shifts of every schedule the pricing proposed, per agent: where
    the LP's good rosters lie, for the search's restricted model to choose
    from (`solve/restricted.py`). Filled by column generation in one
    thread, read by the search in another."""

    def __init__(self, n_agents: int) -> None:
        self._lock = threading.Lock()
        self._shifts: list[set[tuple[int, int]]] = [set() for _ in range(n_agents)]
        self._support: list[set[tuple[int, int]]] = [set() for _ in range(n_agents)]
        self._rounded: list[set[tuple[int, int]]] = [set() for _ in range(n_agents)]
        self.rounds = 0
        self.done = threading.Event()  # column generation has ended

    def add(self, agent: np.ndarray, day: np.ndarray, tpl: np.ndarray) -> None:
        """One pricing round's schedules: agent, day and template of each shift."""
        with self._lock:
            for a, d, k in zip(agent.tolist(), day.tolist(), tpl.tolist(), strict=True):
                self._shifts[a].add((d, k))
            self.rounds += 1

    def support(
        self, shifts: list[tuple[int, int, int]], heaviest: list[tuple[int, int, int]]
    ) -> None:
        """The shifts (agent, day, template) of the schedules the last
        master LP's optimum uses, and of each agent's heaviest among them
        (the LP rounded)."""
        found: list[set[tuple[int, int]]] = [set() for _ in self._support]
        rounded: list[set[tuple[int, int]]] = [set() for _ in self._support]
        for a, d, k in shifts:
            found[a].add((d, k))
        for a, d, k in heaviest:
            rounded[a].add((d, k))
        with self._lock:
            self._support, self._rounded = found, rounded

    def rounded(self, a: int) -> set[tuple[int, int]]:
        """The shifts of agent a's heaviest schedule in the last master LP's optimum."""
        with self._lock:
            return set(self._rounded[a])

    def shifts(self, a: int, support: bool = False) -> set[tuple[int, int]]:
        """The (day, template) pairs of agent a's proposed schedules (with
        `support`, of those the last master LP's optimum uses)."""
        with self._lock:
            return set((self._support if support else self._shifts)[a])


def _columns(pricing: AgentPricing, priced: Priced, lam: np.ndarray, mu: np.ndarray, block: int):  # type: ignore[no-untyped-def]
    """Per agent: cost of the chosen schedule and its coverage per (queue, block)."""
    p, c = pricing.p, pricing.c
    e = priced.entry
    a, b, ba, bb = c.a[e], c.b[e], c.ba[e], c.bb[e]
    length = b - a
    rep = np.repeat(np.arange(len(e)), length)
    t = np.repeat(a, length) + (
        np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)
    )
    keep = (t < ba[rep]) | (t >= bb[rep])
    t, rep = t[keep], rep[keep]
    agent = priced.agent[rep]
    q = priced.argq[c.group[e][rep], t]
    value = np.bincount(agent, weights=lam[q, t], minlength=p.n_agents)
    if pricing.typed:  # and what its shifts earn in the cover per shift type
        earn = pricing.type_values(mu)[e]
        value = value + np.bincount(priced.agent, weights=earn, minlength=p.n_agents)
    cost = value - priced.net  # the schedule's cost as the agent's problem counts it
    key = (agent * len(p.queue_ids) + q) * (t.max(initial=0) // block + 1) + t // block
    uk, counts = np.unique(key, return_counts=True)
    nb = t.max(initial=0) // block + 1
    ua, rest = np.divmod(uk, len(p.queue_ids) * nb)
    uq, ub = np.divmod(rest, nb)
    return cost, ua, uq, ub, counts


def column_generation_bound(
    p: Problem,
    time_limit: float = 60.0,
    block: int = 4,
    start: np.ndarray | None = None,
    upper: Callable[[], float | None] | None = None,
    on_improve: Callable[[float], None] | None = None,
    halt: threading.Event | None = None,
    target_gap: float = 0.0,
    max_rounds: int = 1_000_000,
    pool: ColumnPool | None = None,
) -> Bound:
    """Best Lagrangian value at the master's duals in `time_limit` seconds
    (or `max_rounds` pricing rounds); the columns' shifts go into `pool`."""
    t0 = time.monotonic()
    pricing = AgentPricing(p, horizon=looks_past_a_week(p))
    Q, T = p.required.shape
    nb = -(-T // block)
    need_b = np.zeros((Q, nb * block))
    need_b[:, :T] = pricing.need
    need_b = need_b.reshape(Q, nb, block).sum(axis=2)
    pen = p.penalty
    lp = pywraplp.Solver.CreateSolver("GLOP")
    rows: dict[tuple[int, int], pywraplp.Constraint] = {}
    for q, bk in zip(*np.nonzero(need_b > 0), strict=True):
        ct = lp.Constraint(float(need_b[q, bk]), lp.infinity())
        short = lp.NumVar(0.0, lp.infinity(), "")
        ct.SetCoefficient(short, 1.0)
        lp.Objective().SetCoefficient(short, float(pen[q]))
        rows[(int(q), int(bk))] = ct
    convex = [lp.Constraint(1.0, 1.0) for _ in range(p.n_agents)]
    lp.Objective().SetMinimization()

    tc = p.type_cover
    typed_rows: list[pywraplp.Constraint] = []
    if pricing.typed:  # the cover per shift type: a row per cell, short and beyond priced
        for c in range(len(tc.required)):
            ct = lp.Constraint(float(tc.required[c]), float(tc.required[c]))
            short, extra = lp.NumVar(0.0, lp.infinity(), ""), lp.NumVar(0.0, lp.infinity(), "")
            ct.SetCoefficient(short, 1.0)
            ct.SetCoefficient(extra, -1.0)
            lp.Objective().SetCoefficient(short, float(tc.under[c]))
            lp.Objective().SetCoefficient(extra, float(tc.over[c]))
            typed_rows.append(ct)
    # the `on` requests' weight, a constant of every roster (`AgentPricing.constant`)
    lp.Objective().SetOffset(pricing.constant)

    pen_qt, live = pricing.pen, pricing.live
    lam = pricing.first_prices(start)
    mu = pricing.first_type_prices()
    best, it, n_cols, status = -math.inf, 0, 0, "NOT_RUN"
    center, center_mu = lam, mu
    shifts_of: list[tuple[pywraplp.Variable, int, int, int]] = []  # column, agent, day, template
    every: list[tuple[pywraplp.Variable, int]] = []  # each column and its agent
    while it < max_rounds and time.monotonic() - t0 < time_limit:
        if halt is not None and halt.is_set():
            break
        it += 1
        priced = pricing.price(lam, mu)
        improved = priced.value > best + 1e-9
        if improved:
            best, center, center_mu = priced.value, lam, mu
            status = "IMPROVING"
            if on_improve is not None:
                on_improve(best)
        ub = upper() if upper is not None else None
        if ub is not None and target_gap > 0 and ub - best <= target_gap * abs(ub):
            status = "TARGET_GAP"
            break
        # the chosen schedules become columns (all of them: cheap, and the master needs one per agent)
        cost, ua, uq, ubk, counts = _columns(pricing, priced, lam, mu, block)
        new = [lp.NumVar(0.0, lp.infinity(), "") for _ in range(p.n_agents)]
        if pool is not None:
            day, tpl = pricing.c.day[priced.entry], pricing.c.tpl[priced.entry]
            pool.add(priced.agent, day, tpl)
            for i, a in enumerate(priced.agent.tolist()):
                shifts_of.append((new[a], a, int(day[i]), int(tpl[i])))
            every.extend((new[a], a) for a in range(p.n_agents))
        for a in range(p.n_agents):
            lp.Objective().SetCoefficient(new[a], float(cost[a]))
            convex[a].SetCoefficient(new[a], 1.0)
        for a, q, bk, n in zip(ua, uq, ubk, counts, strict=True):
            ct = rows.get((int(q), int(bk)))
            if ct is not None:
                ct.SetCoefficient(new[int(a)], float(n))
        if typed_rows:  # and its count in each cell of the cover per shift type
            pos, cells = pricing.cells_of(priced.entry)
            for a, cell in zip(priced.agent[pos], cells, strict=True):
                row, var = typed_rows[int(cell)], new[int(a)]
                row.SetCoefficient(var, row.GetCoefficient(var) + 1.0)
        n_cols += p.n_agents
        if lp.Solve() != pywraplp.Solver.OPTIMAL:
            status = "MASTER_FAILED"
            break
        if pool is not None:  # the shifts of the columns the LP's optimum uses
            weight = {x.index(): x.solution_value() for x, _ in every}
            top: dict[int, tuple[float, int]] = {}
            for x, a in every:
                value = weight[x.index()]
                if value > SUPPORT and value > top.get(a, (0.0, -1))[0]:
                    top[a] = (value, x.index())
            heaviest = {i for _, i in top.values()}
            pool.support(
                [(a, d, k) for x, a, d, k in shifts_of if weight[x.index()] > SUPPORT],
                [(a, d, k) for x, a, d, k in shifts_of if x.index() in heaviest],
            )
        duals = np.zeros((Q, nb))
        for (q, bk), ct in rows.items():
            duals[q, bk] = ct.dual_value()
        new_lam = np.repeat(duals, block, axis=1)[:, :T]
        new_lam = np.where(live, np.clip(new_lam, 0.0, pen_qt), 0.0)
        new_mu = np.array([ct.dual_value() for ct in typed_rows]) if typed_rows else mu
        new_mu = np.clip(new_mu, pricing.mu_lo, pricing.mu_hi)
        # reduced costs at the new duals are only known after pricing; stop when the
        # master's value meets the bound (no column can improve it)
        if lp.Objective().Value() - best <= 1e-9 * max(1.0, abs(best)):
            status = "CONVERGED"
            break
        # Wentges smoothing: step from the best prices towards the master's duals
        # (a round that did not improve the bound — a mispricing — takes the duals as they are)
        if improved:
            lam = SMOOTHING * center + (1.0 - SMOOTHING) * new_lam
            mu = SMOOTHING * center_mu + (1.0 - SMOOTHING) * new_mu
        else:
            lam, mu = new_lam, new_mu
    if pool is not None:
        pool.done.set()
    seconds = time.monotonic() - t0
    if not math.isfinite(best):
        return Bound(None, "column generation: no iteration in time", seconds, "NOT_RUN")
    return Bound(
        best,
        f"Lagrangian bound by column generation ({it} pricing rounds, {n_cols} columns, {block}-interval blocks)",
        seconds,
        status,
    )
