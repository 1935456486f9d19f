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
duals from jumping between extremes in the first rounds. Where every
roster's objective is a whole number, the master has converged once its
value rounded up meets the bound's.

The converged master is also where a roster comes from (`solve/dive.py`):
days held to a template or off keep the pricing and the master to them
(`ColumnGeneration.hold`), and the values then bound only the rosters
that keep them.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp

from optimizer.solve.bounds.horizon import looks_past_a_week
from optimizer.solve.bounds.lagrange import AgentPricing, Priced
from optimizer.solve.bounds.lp import Bound
from optimizer.solve.bounds.pool import ColumnPool
from optimizer.solve.problem import Problem
from optimizer.solve.state import WHOLE_SLACK
from optimizer.solve.type_cover import cells_cost

SMOOTHING = 0.7  # weight of the best prices so far in the next prices (dual stabilisation)
SUPPORT = 1e-6  # a column the master's optimum weighs more than this is in its support


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


@dataclass
class Column:
    """One proposed schedule of one agent in the master: its variable, its
    cost, its template on each day (−1: off), and the master rows it covers
    (coverage row, count) and cells of the cover per shift type it counts in."""

    agent: int
    var: pywraplp.Variable
    cost: float
    row: np.ndarray  # [D] template worked each day, OFF where none
    cover_rows: np.ndarray
    cover_counts: np.ndarray
    type_cells: np.ndarray


OFF = -1  # a day off in a column's row and in a held day
OPEN = -2  # a day not held


class ColumnGeneration:
    """The master LP over the agents' proposed schedules (columns) and the
    pricing that proposes them (module doc).

    `run` adds pricing rounds until the master converges or a limit comes;
    its Lagrangian values are lower bounds of the whole problem. Days may be
    held (`hold`: an agent works a given template, or is off, on a day) for
    a primal dive (`solve/dive.py`): the pricing then keeps to them and the
    master uses only the columns that agree, and the values found are
    bounds of that restricted problem only (`held_best`), never of the
    whole; `release` frees every day again."""

    def __init__(
        self,
        p: Problem,
        block: int = 4,
        start: np.ndarray | None = None,
        pool: ColumnPool | None = None,
        whole: bool = False,
    ) -> None:
        self.p, self.block, self.pool, self.whole = p, block, pool, whole
        self.pricing = pricing = AgentPricing(p, horizon=looks_past_a_week(p))
        Q, T = p.required.shape
        nb = -(-T // block)
        need_b = np.zeros((Q, nb * block))
        need_b[:, :T] = pricing.need
        need_b = need_b.reshape(Q, nb, block).sum(axis=2)
        pen = p.penalty
        self.lp = lp = pywraplp.Solver.CreateSolver("GLOP")
        self.rows: dict[tuple[int, int], int] = {}  # (queue, block) → index into the row lists
        self._row_ct: list[pywraplp.Constraint] = []
        row_need: list[float] = []
        row_pen: list[float] = []
        for q, bk in zip(*np.nonzero(need_b > 0), strict=True):
            ct = lp.Constraint(float(need_b[q, bk]), lp.infinity())
            short = lp.NumVar(0.0, lp.infinity(), "")
            ct.SetCoefficient(short, 1.0)
            lp.Objective().SetCoefficient(short, float(pen[q]))
            self.rows[(int(q), int(bk))] = len(self._row_ct)
            self._row_ct.append(ct)
            row_need.append(float(need_b[q, bk]))
            row_pen.append(float(pen[q]))
        self.row_need, self.row_pen = np.array(row_need), np.array(row_pen)
        self.convex = [lp.Constraint(1.0, 1.0) for _ in range(p.n_agents)]
        lp.Objective().SetMinimization()

        tc = p.type_cover
        self.typed_rows: list[pywraplp.Constraint] = []
        if pricing.typed:  # the cover per shift type: a row per cell, short and beyond priced
            for c in range(len(tc.required)):
                ct = lp.Constraint(float(tc.required[c]), float(tc.required[c]))
                short, extra = lp.NumVar(0.0, lp.infinity(), ""), lp.NumVar(0.0, lp.infinity(), "")
                ct.SetCoefficient(short, 1.0)
                ct.SetCoefficient(extra, -1.0)
                lp.Objective().SetCoefficient(short, float(tc.under[c]))
                lp.Objective().SetCoefficient(extra, float(tc.over[c]))
                self.typed_rows.append(ct)
        # the `on` requests' weight, a constant of every roster (`AgentPricing.constant`)
        lp.Objective().SetOffset(pricing.constant)

        self.lam = pricing.first_prices(start)
        self.mu = pricing.first_type_prices()
        self.center, self.center_mu = self.lam, self.mu
        self.best = -math.inf  # the best Lagrangian value: a bound of the whole problem
        self.best_prices = (self.lam, self.mu)  # the prices it was found at
        self.held_best = -math.inf  # the same while days are held: of the restricted problem
        self.rounds = 0
        self.columns: list[Column] = []
        self._of_agent: list[list[int]] = [[] for _ in range(p.n_agents)]  # their indices
        self.held = np.full((p.n_agents, p.n_days), OPEN, dtype=np.int64)  # OPEN, OFF or a template
        self._adjust: np.ndarray | None = None  # entry values that keep the pricing to held days
        c = pricing.c
        self._agent_day = np.argsort(c.agent * p.n_days + c.day, kind="stable")
        self._agent_day_key = (c.agent * p.n_days + c.day)[self._agent_day]

    # -- one pricing round ------------------------------------------------
    def price_round(self) -> tuple[Priced, bool, bool]:
        """Price every agent at the current prices, add the schedules that
        keep the held days as columns and re-solve the master; the
        pricing's answer, whether the master solved, and whether every
        agent's schedule kept its held days."""
        p, pricing = self.p, self.pricing
        self.rounds += 1
        priced = pricing.price(self.lam, self.mu, self._adjust)
        cost, ua, uq, ubk, counts = _columns(pricing, priced, self.lam, self.mu, self.block)
        rows = np.full((p.n_agents, p.n_days), OFF, dtype=np.int64)
        day, tpl = pricing.c.day[priced.entry], pricing.c.tpl[priced.entry]
        rows[priced.agent, day] = tpl
        held = self.held >= OFF
        agrees = ~((rows != self.held) & held).any(axis=1)
        new: dict[int, pywraplp.Variable] = {}
        for a in np.flatnonzero(agrees).tolist():
            var = self.lp.NumVar(0.0, self.lp.infinity(), "")
            self.lp.Objective().SetCoefficient(var, float(cost[a]))
            self.convex[a].SetCoefficient(var, 1.0)
            new[a] = var
        by_agent: dict[int, tuple[list[int], list[float]]] = {a: ([], []) for a in new}
        for a, q, bk, n in zip(
            ua.tolist(), uq.tolist(), ubk.tolist(), counts.tolist(), strict=True
        ):
            r = self.rows.get((q, bk))
            if r is not None and a in new:
                self._row_ct[r].SetCoefficient(new[a], float(n))
                by_agent[a][0].append(r)
                by_agent[a][1].append(float(n))
        cells_by_agent: dict[int, list[int]] = {a: [] for a in new}
        if self.typed_rows:  # and its count in each cell of the cover per shift type
            pos, cells = pricing.cells_of(priced.entry)
            for a, cell in zip(priced.agent[pos].tolist(), cells.tolist(), strict=True):
                if a in new:
                    row, var = self.typed_rows[cell], new[a]
                    row.SetCoefficient(var, row.GetCoefficient(var) + 1.0)
                    cells_by_agent[a].append(cell)
        for a, var in new.items():
            r_idx, r_n = by_agent[a]
            self._of_agent[a].append(len(self.columns))
            self.columns.append(
                Column(
                    a, var, float(cost[a]), rows[a], np.array(r_idx, dtype=np.int64),
                    np.array(r_n), np.array(cells_by_agent[a], dtype=np.int64),
                )
            )  # fmt: skip
        if self.pool is not None:
            mine = np.isin(priced.agent, np.flatnonzero(agrees))
            self.pool.add(priced.agent[mine], day[mine], tpl[mine])
        return priced, self.lp.Solve() == pywraplp.Solver.OPTIMAL, bool(agrees.all())

    def next_prices(self, improved: bool) -> None:
        """The master's duals, smoothed towards the best prices so far after a
        round that improved the bound (Wentges), as they are after one that
        did not (a mispricing)."""
        pricing = self.pricing
        Q, T = self.p.required.shape
        nb = -(-T // self.block)
        duals = np.zeros((Q, nb))
        for (q, bk), r in self.rows.items():
            duals[q, bk] = self._row_ct[r].dual_value()
        new_lam = np.repeat(duals, self.block, axis=1)[:, :T]
        new_lam = np.where(pricing.live, np.clip(new_lam, 0.0, pricing.pen), 0.0)
        new_mu = (
            np.array([ct.dual_value() for ct in self.typed_rows]) if self.typed_rows else self.mu
        )
        new_mu = np.clip(new_mu, pricing.mu_lo, pricing.mu_hi)
        if improved:
            self.lam = SMOOTHING * self.center + (1.0 - SMOOTHING) * new_lam
            self.mu = SMOOTHING * self.center_mu + (1.0 - SMOOTHING) * new_mu
        else:
            self.lam, self.mu = new_lam, new_mu

    def converged(self, best: float) -> bool:
        """Whether the master's value meets the Lagrangian value `best`: no
        column can improve it. Where every roster's objective is a whole
        number (`whole`), meeting it rounded up is enough: no column can
        raise the bound to the next whole number."""
        master = self.master_value()
        if self.whole and math.ceil(best - WHOLE_SLACK) >= master - WHOLE_SLACK:
            return True
        return master - best <= 1e-9 * max(1.0, abs(best))

    def master_value(self) -> float:
        return float(self.lp.Objective().Value())

    def seed(self, rows: np.ndarray) -> None:
        """Each agent's schedule in the roster `rows` [A, D] (a template or
        `OFF` each day) as a column: one round priced with every day held to
        it, so the columns' costs are the pricing's own. A master that knows
        a whole roster starts near its value, and its first duals price
        what that roster lacks, rather than the extremes of a master with a
        few columns per agent. Agents whose schedule the pricing cannot keep
        (it breaks a rule the pricing holds) add none. The round bounds
        nothing, and every day is open again after it."""
        for a in range(self.p.n_agents):
            self.hold(a, np.arange(self.p.n_days), rows[a])
        self.price_round()
        self.release()

    # -- the bound loop -----------------------------------------------------
    def run(
        self,
        time_limit: float,
        upper: Callable[[], float | None] | None = None,
        on_improve: Callable[[float], None] | None = None,
        halt: threading.Event | None = None,
        target_gap: float = 0.0,
        max_rounds: int = 1_000_000,
    ) -> str:
        """Pricing rounds until the master converges (its value meets the best
        Lagrangian value: no column can improve it), `time_limit` seconds,
        `max_rounds` rounds, `halt`, or the gap to `upper` is within
        `target_gap`; the status. With days held the values are the
        restricted problem's (`held_best`) and `on_improve` is not called."""
        t0 = time.monotonic()
        held = self._adjust is not None
        status, it = "NOT_RUN", 0
        while it < max_rounds and time.monotonic() - t0 < time_limit:
            if halt is not None and halt.is_set():
                break
            it += 1
            offered = self.pool.take_offer() if self.pool is not None and not held else None
            if offered is not None:
                self.seed(offered)
            priced, solved, kept = self.price_round()
            # where an agent's pricing could not keep its held days, no bound of the restriction
            value = priced.value if kept else -math.inf
            best = self.held_best if held else self.best
            improved = value > best + 1e-9
            if improved:
                best, self.center, self.center_mu = value, self.lam, self.mu
                status = "IMPROVING"
                if held:
                    self.held_best = best
                else:
                    self.best, self.best_prices = best, (self.lam, self.mu)
                    if on_improve is not None:
                        on_improve(best)
            ub = upper() if upper is not None else None
            if ub is not None and target_gap > 0 and ub - best <= target_gap * abs(ub):
                status = "TARGET_GAP"
                break
            if not solved:
                status = "MASTER_FAILED"
                break
            if self.pool is not None and not held:
                self._publish_support()
            if self.converged(best):
                status = "CONVERGED"
                break
            self.next_prices(improved)
        return status

    def _publish_support(self) -> None:
        """The shifts of the columns the master's optimum uses, and of each
        agent's heaviest among them, into the pool."""
        assert self.pool is not None
        w = self.weights()
        heaviest = self.heaviest(w)
        support: list[tuple[int, int, int]] = []
        top: list[tuple[int, int, int]] = []
        for i, col in enumerate(self.columns):
            if w[i] > SUPPORT:
                days = np.flatnonzero(col.row >= 0)
                shifts = [(col.agent, int(d), int(col.row[d])) for d in days]
                support.extend(shifts)
                if heaviest[col.agent] == i:
                    top.extend(shifts)
        self.pool.support(support, top)

    # -- what the master's optimum says ---------------------------------------
    def weights(self) -> np.ndarray:
        """[columns] each column's weight in the master's optimum."""
        return np.array([c.var.solution_value() for c in self.columns])

    def heaviest(self, w: np.ndarray | None = None) -> np.ndarray:
        """[A] the index of each agent's heaviest column (−1: none)."""
        w = self.weights() if w is None else w
        out = np.full(self.p.n_agents, -1, dtype=np.int64)
        top = np.full(self.p.n_agents, -1.0)
        for i, col in enumerate(self.columns):
            if w[i] > top[col.agent]:
                top[col.agent], out[col.agent] = w[i], i
        return out

    def value_of(self, chosen: np.ndarray) -> float:
        """The master's objective for one column per agent (indices into
        `columns`): their costs, and the shortfall and over-cover they leave."""
        cover = np.zeros(len(self.row_need))
        typed = np.zeros(len(self.typed_rows))
        cost = self.pricing.constant
        for i in chosen.tolist():
            col = self.columns[i]
            cost += col.cost
            np.add.at(cover, col.cover_rows, col.cover_counts)
            np.add.at(typed, col.type_cells, 1.0)
        cost += float((self.row_pen * np.clip(self.row_need - cover, 0.0, None)).sum())
        if self.typed_rows:
            cost += cells_cost(self.p, typed)
        return cost

    # -- held days -------------------------------------------------------------
    def hold(self, agent: int, days: np.ndarray, values: np.ndarray) -> None:
        """Agent `agent` works template `values[i]` (OFF: is off) on `days[i]`:
        the pricing keeps to it and the master drops the columns that do not."""
        p, c = self.p, self.pricing.c
        if self._adjust is None:
            self._adjust = np.zeros(len(c.agent))
        self.held[agent, days] = values
        keys = agent * p.n_days + np.asarray(days)
        lo = np.searchsorted(self._agent_day_key, keys, side="left")
        hi = np.searchsorted(self._agent_day_key, keys, side="right")
        for j0, j1, k in zip(lo.tolist(), hi.tolist(), np.asarray(values).tolist(), strict=True):
            entries = self._agent_day[j0:j1]
            self._adjust[entries] = np.where(c.tpl[entries] == k, HOLD, -HOLD)
        held = self.held[agent] >= OFF
        for i in self._of_agent[agent]:
            col = self.columns[i]
            if (col.row[held] != self.held[agent, held]).any():
                col.var.SetUb(0.0)
        self.held_best = -math.inf  # a new restricted problem

    def release(self) -> None:
        """Every day open again, every column back in the master."""
        self.held[:] = OPEN
        self._adjust = None
        self.held_best = -math.inf
        for col in self.columns:
            col.var.SetUb(self.lp.infinity())
        self.lp.Solve()

    def open_days(self) -> int:
        return int((self.held == OPEN).sum())

    def bound(self, status: str, seconds: float) -> Bound:
        """The best Lagrangian value as the whole problem's bound."""
        if not math.isfinite(self.best):
            return Bound(None, "column generation: no iteration in time", seconds, "NOT_RUN")
        return Bound(
            self.best,
            f"Lagrangian bound by column generation ({self.rounds} pricing rounds, "
            f"{len(self.columns)} columns, {self.block}-interval blocks)",
            seconds,
            status,
        )


HOLD = 1e7  # what a held day's template earns, and what every other option that day loses


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
    (or `max_rounds` pricing rounds); the columns' shifts go into `pool`,
    whose `done` is set at the end."""
    t0 = time.monotonic()
    cg = ColumnGeneration(p, block, start, pool)
    status = cg.run(time_limit, upper, on_improve, halt, target_gap, max_rounds)
    if pool is not None:
        pool.done.set()
    return cg.bound(status, time.monotonic() - t0)
