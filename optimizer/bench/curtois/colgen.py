"""Per-employee pricing, column generation lower bound and restricted master IP.

Every hard rule concerns one employee, so the problem is "choose one feasible
row (schedule) per employee, minimise request penalties plus cover
penalties". Column generation works on that form:

* `RowModels` keeps one CP-SAT model per employee with only that employee's
  row and hard rules (built once, `model.py`'s rule functions); `price`
  re-sets its objective to a price per (day, shift) cell and returns the
  best row and a proven lower bound on its value.
* `ColumnGeneration` solves the master LP (GLOP) over the rows found so far:
  cover rows `Σ a·λ + under − over = requirement` (duals π) and one
  convexity row per employee. Any π with −WeightOver ≤ π ≤ WeightUnder gives
  the Lagrangian lower bound `Σ π·requirement + Σ_e min_row (cost − π·a)`
  (relax the cover rows; under/over then vanish), valid at every iteration
  as long as each employee's minimum is bounded from below — which CP-SAT's
  objective bound does even when pricing times out. Pricing costs are
  rounded down to 1/SCALE so CP-SAT sees integers and the bound stays valid.
* `master_ip` picks one generated row per employee with CP-SAT
  ("price and branch"), hinted with the incumbent.

Over 500 lines: pricing, master LP and restricted master IP share their row
bookkeeping; kept whole until issue #23 moves them into `optimizer/solve/`.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from optimizer.bench.curtois.model import HARD_RULES, make_cells
from optimizer.bench.curtois.parse import Instance

FREE = -2  # a day not held by a dive (`ColumnGeneration.hold`)
SCALE = 100_000  # pricing costs are rounded down to multiples of 1/SCALE
EXTRA_COLUMNS = 4  # rows a pricing call may add: its last solutions (the final one included)


def request_costs(inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Per employee: constant (all on-request weights) and `(E, H, T)` cost of
    working each cell (−weight for an on-request, +weight for an off-request),
    so a row's request penalty is `constant + Σ_worked cost`."""
    const = np.zeros(inst.n_staff, dtype=np.int64)
    cost = np.zeros((inst.n_staff, inst.horizon, inst.n_shifts), dtype=np.int64)
    on, off = inst.on_requests, inst.off_requests
    if len(on):
        np.add.at(const, on[:, 0], on[:, 3])
        np.add.at(cost, (on[:, 0], on[:, 1], on[:, 2]), -on[:, 3])
    if len(off):
        np.add.at(cost, (off[:, 0], off[:, 1], off[:, 2]), off[:, 3])
    return const, cost


def row_request_cost(const: np.ndarray, cost: np.ndarray, e: int, row: np.ndarray) -> int:
    """Request penalty of employee e working `row` (-1 = off)."""
    d = np.flatnonzero(row >= 0)
    return int(const[e] + cost[e, d, row[d]].sum())


def single_employee_model(
    inst: Instance, e: int
) -> tuple[cp_model.CpModel, list, np.ndarray, np.ndarray]:
    """A CP-SAT model of employee e's row under its hard rules, no objective:
    (model, literals, the day and the shift of each literal)."""
    model = cp_model.CpModel()
    free = np.zeros((inst.n_staff, inst.horizon), dtype=bool)
    free[e] = True
    cells = make_cells(model, inst, free, None)
    for fn in HARD_RULES:
        fn(model, cells)
    lits, days, shifts = [], [], []
    for (_, d), opts in cells.x.items():
        for t, lit in opts.items():
            lits.append(lit)
            days.append(d)
            shifts.append(t)
    return model, lits, np.array(days, int), np.array(shifts, int)


class RowModels:
    """One cached single-employee CP-SAT model per employee (hard rules only)."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.const, self.cost = request_costs(inst)
        self._models: dict[int, tuple[cp_model.CpModel, list, np.ndarray, np.ndarray]] = {}

    def _get(self, e: int) -> tuple[cp_model.CpModel, list, np.ndarray, np.ndarray]:
        if e not in self._models:
            self._models[e] = single_employee_model(self.inst, e)
        return self._models[e]

    def _day_minimum(self, days: np.ndarray, coef: np.ndarray) -> int:
        """A lower bound without search: the cheapest shift or the day off on
        every day. Used when CP-SAT stops before any row, whose reported
        objective bound is then not a bound (0 in the response)."""
        low = np.zeros(self.inst.horizon, dtype=np.int64)
        np.minimum.at(low, days, coef)
        return int(low.sum())

    def _minimise(
        self,
        e: int,
        coef: np.ndarray,
        limit: float,
        workers: int,
        hint: np.ndarray | None = None,
        assumptions: list | None = None,
        collector: cp_model.CpSolverSolutionCallback | None = None,
    ) -> tuple[cp_model.CpSolver, int]:
        """Solve employee e's model minimising `Σ coef · x` (one coefficient per
        literal of `_get(e)`); (solver, status)."""
        model, lits, days, shifts = self._get(e)
        model.minimize(cp_model.LinearExpr.weighted_sum(lits, coef.tolist()))
        model.clear_assumptions()
        if assumptions:
            model.add_assumptions(assumptions)
        model.clear_hints()
        if hint is not None:
            for lit, d, t in zip(lits, days, shifts, strict=True):
                model.add_hint(lit, bool(hint[d] == t))
        s = cp_model.CpSolver()
        s.parameters.max_time_in_seconds = max(0.01, limit)
        s.parameters.num_workers = workers
        s.parameters.linearization_level = 2  # measured ~1.5× faster on these rows
        return s, s.solve(model, collector)

    def least(self, e: int, cells: np.ndarray, limit: float, workers: int = 1) -> int:
        """A proven lower bound (the minimum, when found in `limit`) of
        `Σ_worked cells[d, t]` over employee e's feasible rows, `cells` (H, T) int."""
        _, _, days, shifts = self._get(e)
        coef = cells[days, shifts].astype(np.int64)
        s, st = self._minimise(e, coef, limit, workers)
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return math.ceil(s.best_objective_bound - 1e-6)
        if st == cp_model.INFEASIBLE:
            raise RuntimeError(f"{self.inst.staff_ids[e]}: no feasible row")
        return self._day_minimum(days, coef)

    def price(
        self,
        e: int,
        prices: np.ndarray,
        limit: float,
        hint: np.ndarray | None = None,
        workers: int = 1,
        found: list[np.ndarray] | None = None,
        held: np.ndarray | None = None,
    ) -> tuple[np.ndarray | None, float, bool]:
        """Best row of employee e when working cell (d, t) is worth `prices[d, t]`
        (minimise request penalty − Σ_worked price). Returns the row found (None
        if none in `limit`), a proven lower bound on the minimum, and whether
        the row is proven optimal. `found`, when given, receives every row the
        search passed through (more columns per pricing round for free).
        `held` [H], when given, holds days to a value (a shift, −1 off; FREE
        leaves the day open) by CP-SAT assumptions: the best row among those."""
        _, lits, days, shifts = self._get(e)
        if held is not None:
            shift_days = np.flatnonzero(held >= 0)
            has = np.zeros((self.inst.horizon, self.inst.n_shifts), dtype=bool)
            has[days, shifts] = True
            if not has[shift_days, held[shift_days]].all():
                return None, math.inf, True  # a held shift the employee may never work
        if not lits:  # never works: the all-off row
            return np.full(self.inst.horizon, -1, dtype=np.int64), float(self.const[e]), True
        true = self.cost[e, days, shifts] - prices[days, shifts]
        coef = np.floor(true * SCALE + 1e-9).astype(np.int64)
        assumptions = None
        if held is not None:
            on = held[days] != FREE
            assumptions = [
                lit if t == held[d] else lit.Not()
                for lit, d, t, h in zip(lits, days, shifts, on, strict=True)
                if h
            ]
        collector = (
            None if found is None else _RowCollector(lits, days, shifts, self.inst.horizon, found)
        )
        s, st = self._minimise(e, coef, limit, workers, hint, assumptions, collector)
        if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if st == cp_model.INFEASIBLE and held is not None:
                return None, math.inf, True  # the held days admit no row
            if st == cp_model.INFEASIBLE:
                raise RuntimeError(f"{self.inst.staff_ids[e]}: no feasible row")
            return None, float(self.const[e]) + self._day_minimum(days, coef) / SCALE, False
        lb = float(self.const[e]) + math.ceil(s.best_objective_bound - 1e-6) / SCALE
        row = np.full(self.inst.horizon, -1, dtype=np.int64)
        for lit, d, t in zip(lits, days, shifts, strict=True):
            if s.boolean_value(lit):
                row[d] = t
        return row, lb, st == cp_model.OPTIMAL


class _RowCollector(cp_model.CpSolverSolutionCallback):
    """Appends the row of every solution of a single-employee model to `out`."""

    def __init__(self, lits: list, days: np.ndarray, shifts: np.ndarray, h: int, out: list) -> None:
        super().__init__()
        self.lits, self.days, self.shifts, self.h, self.out = lits, days, shifts, h, out

    def on_solution_callback(self) -> None:
        on = np.array([self.boolean_value(lit) for lit in self.lits], dtype=bool)
        row = np.full(self.h, -1, dtype=np.int64)
        row[self.days[on]] = self.shifts[on]
        self.out.append(row)


def marginal_prices(inst: Instance, counts: np.ndarray) -> np.ndarray:
    """Worth of one more employee on each (day, shift) given `counts` already
    there: WeightUnder while under-covered, −WeightOver otherwise (the exact
    marginal change of the cover penalty)."""
    return np.where(counts < inst.cover, inst.weight_under, -inst.weight_over).astype(float)


@dataclass
class Column:
    employee: int
    row: np.ndarray
    cost: int  # request penalty


def master_rows(
    solver: pywraplp.Solver, inst: Instance
) -> tuple[dict, list, list[tuple[pywraplp.Variable, float]]]:
    """The master's rows in `solver` (minimising): per (day, shift)
    `Σ columns + under − over = requirement`, under and over priced at their
    weights in the objective, and one convexity row per employee; returns
    (cover rows by (day, shift), convexity rows, [(under or over, weight)])."""
    obj = solver.Objective()
    cover, penalties = {}, []
    for d in range(inst.horizon):
        for t in range(inst.n_shifts):
            req = float(inst.cover[d, t])
            ct = solver.Constraint(req, req)
            u = solver.NumVar(0, solver.infinity(), "")
            o = solver.NumVar(0, solver.infinity(), "")
            ct.SetCoefficient(u, 1)
            ct.SetCoefficient(o, -1)
            for v, w in ((u, float(inst.weight_under[d, t])), (o, float(inst.weight_over[d, t]))):
                obj.SetCoefficient(v, w)
                penalties.append((v, w))
            cover[d, t] = ct
    obj.SetMinimization()
    return cover, [solver.Constraint(1, 1) for _ in range(inst.n_staff)], penalties


def place_column(
    solver: pywraplp.Solver, var: pywraplp.Variable, column: Column, cover: dict, convexity: list
) -> None:
    """Give `var` the column's cost in the objective and its coefficients in
    its employee's convexity row and the cover rows of the cells it works."""
    solver.Objective().SetCoefficient(var, float(column.cost))
    convexity[column.employee].SetCoefficient(var, 1)
    row = column.row
    for d in np.flatnonzero(row >= 0):
        cover[int(d), int(row[d])].SetCoefficient(var, 1)


@dataclass
class ColumnGeneration:
    """Column generation state: the master LP, its columns, the best bound."""

    inst: Instance
    rows: RowModels
    columns: list[Column] = field(default_factory=list)
    bound: float = -math.inf
    lp_value: float | None = None
    converged: bool = False
    iterations: int = 0
    held: np.ndarray | None = None  # (E, H) days held by a dive (FREE: open), or None
    _seen: set = field(default_factory=set)
    _of: dict[int, list[int]] = field(default_factory=dict)  # employee → its columns

    def __post_init__(self) -> None:
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        self.cover_ct, self.conv_ct, _ = master_rows(self.lp, self.inst)
        self.lam: list = []

    def add(self, e: int, row: np.ndarray) -> bool:
        """Add employee e's `row` as a column (False when already there)."""
        key = (e, row.tobytes())
        if key in self._seen:
            return False
        self._seen.add(key)
        cost = row_request_cost(self.rows.const, self.rows.cost, e, row)
        self._of.setdefault(e, []).append(len(self.columns))
        self.columns.append(Column(e, row.copy(), cost))
        v = self.lp.NumVar(0, self.lp.infinity(), "")
        place_column(self.lp, v, self.columns[-1], self.cover_ct, self.conv_ct)
        self.lam.append(v)
        if not self._agrees(e, row):  # a dive holds days it does not keep
            v.SetUb(0.0)
        return True

    def _agrees(self, e: int, row: np.ndarray) -> bool:
        """Whether `row` keeps every day the dive holds for employee e."""
        if self.held is None:
            return True
        h = self.held[e] != FREE
        return bool(np.array_equal(row[h], self.held[e, h]))

    def hold(self, e: int, days: np.ndarray, values: np.ndarray) -> None:
        """Hold employee e's `days` to `values` (shift, −1 off): columns that
        disagree get weight 0, and pricing keeps to the held days."""
        if self.held is None:
            self.held = np.full((self.inst.n_staff, self.inst.horizon), FREE, dtype=np.int64)
        self.held[e, days] = values
        for k in self._of.get(e, []):
            if not self._agrees(e, self.columns[k].row):
                self.lam[k].SetUb(0.0)

    def release(self) -> None:
        """Open every held day again (all columns back in the master)."""
        for v in self.lam:
            v.SetUb(self.lp.infinity())
        self.held = None

    def weights(self) -> tuple[np.ndarray, np.ndarray]:
        """Per employee: the largest LP weight of one of its columns and that
        column's index (after a solve)."""
        n = self.inst.n_staff
        best, arg = np.full(n, -1.0), np.full(n, -1, dtype=np.int64)
        for k, (v, c) in enumerate(zip(self.lam, self.columns, strict=True)):
            x = v.solution_value()
            if x > best[c.employee]:
                best[c.employee], arg[c.employee] = x, k
        return best, arg

    def cell_values(self) -> np.ndarray:
        """`(E, H, T + 1)` LP value of each employee working each shift on each
        day (last index: off), summed over the columns (after a solve)."""
        inst = self.inst
        x = np.zeros((inst.n_staff, inst.horizon, inst.n_shifts + 1))
        days = np.arange(inst.horizon)
        for v, c in zip(self.lam, self.columns, strict=True):
            val = v.solution_value()
            if val > 1e-9:
                x[c.employee, days, c.row] += val  # row −1 (off) lands on index T
        return x

    def duals(self) -> np.ndarray:
        """π[d, t] of the cover rows after a solve (clipped to their valid range)."""
        inst = self.inst
        pi = np.zeros((inst.horizon, inst.n_shifts))
        for (d, t), ct in self.cover_ct.items():
            pi[d, t] = ct.dual_value()
        return np.clip(pi, -inst.weight_over, inst.weight_under)

    def run(
        self,
        deadline: float,
        price_limit: float = 2.0,
        target: int | None = None,
        smoothing: float = 0.5,
        threads: int = 2,
        max_rounds: int | None = None,
        gap: float = 0.0,
    ) -> None:
        """Iterate until pricing proves the LP optimal, the deadline (a
        `time.monotonic()` value) passes, or the bound reaches `target`
        (the incumbent: nothing left to prove). Wentges smoothing: price at
        `α·π_centre + (1−α)·π_LP`, the centre being the duals of the best bound.
        `max_rounds` caps the LP solves of this call; `gap` > 0 also stops once
        the bound is within that fraction of the LP value (the tail of column
        generation moves the LP little and costs most of the rounds).
        While a dive holds days (`hold`), pricing keeps to them and the bound
        is a bound of that restricted problem only."""
        inst = self.inst
        req = inst.cover.astype(float)
        centre: np.ndarray | None = None
        with ThreadPoolExecutor(max_workers=threads) as self._pool:
            self._loop(deadline, price_limit, target, smoothing, req, centre, max_rounds, gap)

    def _reduced_cost(self, e: int, row: np.ndarray, pi: np.ndarray, mu: np.ndarray) -> float:
        """LP reduced cost of employee e's `row` under duals π (cover) and μ (convexity)."""
        d = np.flatnonzero(row >= 0)
        return (
            row_request_cost(self.rows.const, self.rows.cost, e, row) - pi[d, row[d]].sum() - mu[e]
        )

    def _loop(self, deadline, price_limit, target, smoothing, req, centre, max_rounds, gap) -> None:
        inst = self.inst
        staff = list(range(inst.n_staff))
        rounds = 0
        while time.monotonic() < deadline:
            if max_rounds is not None and rounds >= max_rounds:
                return
            rounds += 1
            status = self.lp.Solve()
            if status != pywraplp.Solver.OPTIMAL:
                break
            self.iterations += 1
            self.lp_value = self.lp.Objective().Value()
            pi_lp = self.duals()
            mu = np.array([ct.dual_value() for ct in self.conv_ct])
            added = 0
            alpha = smoothing if centre is not None else 0.0
            while True:  # mispricing: retry with the pure LP duals
                pi = alpha * centre + (1 - alpha) * pi_lp if alpha else pi_lp
                lb_total = float((pi * req).sum())
                all_exact = True
                if deadline - time.monotonic() <= 0:
                    return
                limit = min(price_limit, deadline - time.monotonic())
                found: dict[int, list[np.ndarray]] = {e: [] for e in staff}
                priced = list(
                    self._pool.map(
                        lambda e, pi=pi, limit=limit, found=found: self.rows.price(
                            e,
                            pi,
                            limit,
                            found=found[e],
                            held=None if self.held is None else self.held[e],
                        ),
                        staff,
                    )
                )
                if time.monotonic() > deadline + 0.5 * price_limit:
                    return
                for e, (_row, lb, optimal) in zip(staff, priced, strict=True):
                    lb_total += lb
                    all_exact &= optimal
                    for r in found[e][-EXTRA_COLUMNS:]:  # the last found are the best
                        if self._reduced_cost(e, r, pi_lp, mu) < -1e-6 and self.add(e, r):
                            added += 1
                if lb_total > self.bound:
                    self.bound = lb_total
                    centre = pi.copy()
                if target is not None and math.ceil(self.bound - 1e-6) >= target:
                    return
                if gap > 0 and self.lp_value - self.bound <= gap * abs(self.lp_value):
                    return
                if added or alpha == 0.0:
                    break
                alpha = 0.0  # no column at the smoothed point: price at the LP duals
            if not added and all_exact:
                self.converged = True  # LP optimal (up to the cost rounding)
                return

    def rounded(self) -> np.ndarray | None:
        """The roster taking each employee's column of largest LP weight (the
        LP optimum is often almost integral here); None before a solve."""
        if self.lp_value is None:
            return None
        roster = np.full((self.inst.n_staff, self.inst.horizon), -1, dtype=np.int64)
        _, heaviest = self.weights()
        for e, k in enumerate(heaviest):
            if k >= 0:
                roster[e] = self.columns[k].row
        return roster

    @property
    def integer_bound(self) -> int | None:
        """The bound rounded up (the objective is an integer); None before any round."""
        if self.bound == -math.inf:
            return None
        return math.ceil(self.bound - 1e-4)


def master_ip(
    inst: Instance,
    columns: list[Column],
    incumbent: np.ndarray | None,
    limit: float,
    workers: int,
    seed: int = 0,
    stop_at: int | None = None,
) -> tuple[np.ndarray | None, int | None]:
    """One column per employee, minimising request + cover penalties (CP-SAT);
    (roster, objective) of the best found, None when nothing in `limit`."""
    model = cp_model.CpModel()
    h, nt = inst.horizon, inst.n_shifts
    by_emp: dict[int, list[tuple[cp_model.IntVar, Column]]] = {}
    cells: dict[tuple[int, int], list] = {}
    terms, coefs = [], []
    for c in columns:
        b = model.new_bool_var("")
        by_emp.setdefault(c.employee, []).append((b, c))
        terms.append(b)
        coefs.append(c.cost)
        for d in np.flatnonzero(c.row >= 0):
            cells.setdefault((int(d), int(c.row[d])), []).append(b)
    if len(by_emp) < inst.n_staff:
        return None, None
    for opts in by_emp.values():
        model.add_exactly_one([b for b, _ in opts])
    const = 0
    for d in range(h):
        for t in range(nt):
            req = int(inst.cover[d, t])
            wu, wo = int(inst.weight_under[d, t]), int(inst.weight_over[d, t])
            vs = cells.get((d, t), [])
            if not vs:
                const += wu * req
                continue
            under = model.new_int_var(0, req, "")
            over = model.new_int_var(0, len(vs), "")
            model.add(sum(vs) - req == over - under)
            terms += [under, over]
            coefs += [wu, wo]
    model.minimize(const + cp_model.LinearExpr.weighted_sum(terms, coefs))
    if incumbent is not None:
        for opts in by_emp.values():
            for b, c in opts:
                model.add_hint(b, bool(np.array_equal(c.row, incumbent[c.employee])))
    s = cp_model.CpSolver()
    s.parameters.max_time_in_seconds = max(0.1, limit)
    s.parameters.num_workers = workers
    s.parameters.random_seed = seed
    if stop_at is not None:
        s.parameters.absolute_gap_limit = 0.5
    st = s.solve(model)
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, None
    roster = np.full((inst.n_staff, h), -1, dtype=np.int64)
    for opts in by_emp.values():
        for b, c in opts:
            if s.boolean_value(b):
                roster[c.employee] = c.row
    return roster, round(s.objective_value)
