"""Close the gap after column generation: enumerate every row a better roster
could use, and solve the master over exactly those rows.

Take integer cover duals π (in 1/SCALE units, clipped to −WeightOver…WeightUnder)
and, per employee, m_e: a proven lower bound on the least reduced cost
`rc_e(row) = Σ_worked (SCALE·request cost − π)` of any feasible row. Adding π
times the cover rows to the objective gives, for every roster,

    SCALE·objective = L + Σ_e (rc_e(row_e) − m_e)
                        + Σ (SCALE·WeightUnder − π)·under + (SCALE·WeightOver + π)·over,

with `L = Σ_e m_e + Σ π·requirement + SCALE·Σ on-request weights` and every
term after L ≥ 0. So L/SCALE is a lower bound, and a roster of objective ≤ T
gives each employee a row within `SCALE·T − L` of m_e. Enumerating those rows
(`enumeration.rows_within`) and solving the set-partitioning MIP over them
(OR-Tools' SCIP) with objective ≤ T settles T exactly: a solution found is
optimal overall, and none proves the optimum above T. T climbs from ⌈L⌉
until a solution, the incumbent, the deadline or the row budget.

When the rows are too many for the MIP in the time left, the same argument
restricts CP-SAT's full model instead (`restricted_model`): every cell no
row within the margin uses is fixed, and each employee's reduced cost is
held within the margin. Every roster of objective ≤ T is still in it, so
its bound b settles min(b, T + 1) for the whole problem, and a roster it
finds is an upper bound as usual; with so little freedom left CP-SAT finds
the good rosters quickly (Instance6: 1,950 in 8 s, where the full model
needs minutes).

This is the enumeration step of exact column-generation methods (Baldacci,
Christofides & Mingozzi's set-partitioning approach): it needs the LP bound
close to the optimum, which is the case on these instances (within 1–3 units
on 5–7), and it proves what column generation alone cannot.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from optimizer.bench.curtois.colgen import (
    SCALE,
    Column,
    RowModels,
    master_rows,
    place_column,
    row_request_cost,
)
from optimizer.bench.curtois.enumeration import RowSpace, TooManyRows, cells_within, rows_within
from optimizer.bench.curtois.model import Built, build
from optimizer.bench.curtois.parse import Instance

MAX_ROWS = 150_000  # rows over all employees for one MIP
MIP_SECONDS_PER_ROW = 1e-3  # at a few thousand rows, growing with `MIP_ROWS_DOUBLING`
MIP_ROWS_DOUBLING = 40_000  # measured on Instance5–7: 1.7k rows 1.5 s, 22k 27 s, 35k 89 s


def mip_seconds(rows: int) -> float:
    """A rough forecast of the master MIP's time over `rows` columns."""
    return MIP_SECONDS_PER_ROW * rows * (1 + rows / MIP_ROWS_DOUBLING)


_SCIP = "propagating/probing/maxprerounds = 0\n"


@dataclass
class Closure:
    """What closing the gap settled: the best roster found (None: none under the
    incumbent), its objective, the proven bound, and each round's figures."""

    roster: np.ndarray | None
    objective: int | None
    bound: int
    rounds: list[dict] = field(default_factory=list)
    found_at: float | None = None  # time.monotonic() when the roster was found


@dataclass(frozen=True)
class ReducedCosts:
    """Integer cover duals, each employee's cell costs and least reduced cost."""

    cells: np.ndarray  # (E, H, T) int: SCALE·request cost − π
    least: np.ndarray  # (E,) int: proven lower bound of each employee's least Σ cells
    total: int  # L, in 1/SCALE units

    @property
    def bound(self) -> int:
        """⌈L / SCALE⌉: the objective is an integer."""
        return -((-self.total) // SCALE)


def reduced_costs(
    inst: Instance, rows: RowModels, duals: np.ndarray, limit: float, workers: int = 2
) -> ReducedCosts:
    """The reduced costs of every employee's cells under `duals` (H, T) rounded to
    1/SCALE, and the least reduced cost per employee (CP-SAT, `limit` s each)."""
    pi = np.clip(np.round(duals * SCALE), -inst.weight_over * SCALE, inst.weight_under * SCALE)
    pi = pi.astype(np.int64)
    cells = SCALE * rows.cost - pi[None, :, :]
    least = np.array([rows.least(e, cells[e], limit, workers) for e in range(inst.n_staff)])
    total = int(least.sum() + (pi * inst.cover).sum() + SCALE * rows.const.sum())
    return ReducedCosts(cells, least, total)


def enumerate_rows(
    inst: Instance,
    rows: RowModels,
    rc: ReducedCosts,
    target: int,
    spaces: dict[int, RowSpace],
    max_rows: int = MAX_ROWS,
) -> list[Column] | None:
    """Every row any roster of objective ≤ `target` could use; None when they
    number more than `max_rows`."""
    slack = SCALE * target - rc.total
    out: list[Column] = []
    for e in range(inst.n_staff):
        if e not in spaces:
            spaces[e] = RowSpace(inst, e)
        try:
            found = rows_within(spaces[e], rc.cells[e], rc.least[e] + slack, max_labels=max_rows)
        except TooManyRows:
            return None
        if len(out) + len(found) > max_rows:
            return None
        out += [Column(e, r, row_request_cost(rows.const, rows.cost, e, r)) for r in found]
    return out


def master_mip(
    inst: Instance, columns: list[Column], target: int, limit: float
) -> tuple[str, np.ndarray | None, int | None]:
    """The least-objective roster of one column per employee with objective ≤
    `target` (SCIP); ("OPTIMAL" | "INFEASIBLE" | "UNKNOWN", roster, objective)."""
    mip = pywraplp.Solver.CreateSolver("SCIP")
    mip.SetTimeLimit(max(1, int(limit * 1000)))
    mip.SetSolverSpecificParametersAsString(_SCIP)
    cover, one, penalties = master_rows(mip, inst)
    cap = mip.Constraint(-mip.infinity(), float(target))  # the objective ≤ target
    for v, w in penalties:
        cap.SetCoefficient(v, w)
    lam = []
    for c in columns:
        v = mip.BoolVar("")
        lam.append(v)
        place_column(mip, v, c, cover, one)
        cap.SetCoefficient(v, float(c.cost))
    status = mip.Solve()
    if status == pywraplp.Solver.INFEASIBLE:
        return "INFEASIBLE", None, None
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return "UNKNOWN", None, None
    roster = np.full((inst.n_staff, inst.horizon), -1, dtype=np.int64)
    for v, c in zip(lam, columns, strict=True):
        if v.solution_value() > 0.5:
            roster[c.employee] = c.row
    kind = "OPTIMAL" if status == pywraplp.Solver.OPTIMAL else "UNKNOWN"
    return kind, roster, round(mip.Objective().Value())


def cells_used(inst: Instance, columns: list[Column]) -> tuple[np.ndarray, np.ndarray]:
    """Which cells the `columns` use: `(work (E, H, T), off (E, H))`."""
    work = np.zeros((inst.n_staff, inst.horizon, inst.n_shifts), dtype=bool)
    off = np.zeros((inst.n_staff, inst.horizon), dtype=bool)
    for c in columns:
        on = c.row >= 0
        work[c.employee, np.flatnonzero(on), c.row[on]] = True
        off[c.employee, ~on] = True
    return work, off


def cells_reachable(
    inst: Instance, rc: ReducedCosts, target: int, spaces: dict[int, RowSpace]
) -> tuple[np.ndarray, np.ndarray]:
    """A superset of the cells any roster of objective ≤ `target` uses, by
    reduced-cost fixing (`enumeration.cells_within`), without the rows."""
    slack = SCALE * target - rc.total
    work = np.zeros((inst.n_staff, inst.horizon, inst.n_shifts), dtype=bool)
    off = np.zeros((inst.n_staff, inst.horizon), dtype=bool)
    for e in range(inst.n_staff):
        if e not in spaces:
            spaces[e] = RowSpace(inst, e)
        work[e], off[e] = cells_within(spaces[e], rc.cells[e], rc.least[e] + slack)
    return work, off


def restricted_model(
    inst: Instance, rc: ReducedCosts, target: int, work: np.ndarray, off: np.ndarray
) -> Built:
    """The full model restricted to what a roster of objective ≤ `target`
    may use: the cells outside `work`/`off` fixed, and each employee's
    reduced cost between its least value m_e and m_e + SCALE·target − L.
    (Bounding each day's under- and over-cover by the margin too is as
    valid, but measured worse: on Instance7 CP-SAT then found no roster, or
    1,059, in 47 s where it finds 1,056–1,058 without.)"""
    built = build(inst)
    model, cells = built.model, built.cells
    slack = SCALE * target - rc.total
    lits: dict[int, list] = {}
    coefs: dict[int, list[int]] = {}
    for (e, d), opts in cells.x.items():
        for t, lit in opts.items():
            if not work[e, d, t]:
                model.add(lit == 0)
            lits.setdefault(e, []).append(lit)
            coefs.setdefault(e, []).append(int(rc.cells[e, d, t]))
        if not off[e, d]:
            model.add(cells.work_lit[e, d] == 1)
    for e, vs in lits.items():
        expr = cp_model.LinearExpr.weighted_sum(vs, coefs[e])
        model.add(expr >= int(rc.least[e]))
        model.add(expr <= int(rc.least[e] + slack))
    return built


class _StopAt(cp_model.CpSolverSolutionCallback):
    """Notes when each solution came, and stops once one reaches a proven bound."""

    def __init__(self, bound: int) -> None:
        super().__init__()
        self.bound = bound
        self.last: float | None = None

    def on_solution_callback(self) -> None:
        self.last = time.monotonic()
        if round(self.objective_value) <= self.bound:
            self.stop_search()


@dataclass(frozen=True)
class Search:
    """What one restricted search settled: CP-SAT's status, the best roster
    (None if none) with its objective and when it was found
    (`time.monotonic()`), and the bound it proves for the whole problem."""

    status: str
    roster: np.ndarray | None
    objective: int | None
    found_at: float | None
    bound: int


def restricted_search(
    inst: Instance,
    rc: ReducedCosts,
    target: int,
    work: np.ndarray,
    off: np.ndarray,
    known: int,
    limit: float,
    workers: int = 2,
    seed: int = 0,
    hint: np.ndarray | None = None,
) -> Search:
    """Solve `restricted_model` for `limit` s from `hint` (a roster), stopping
    at the proven bound `known`. Every roster of objective ≤ target is in the
    model, so the whole problem's bound is min(the model's bound, target + 1)."""
    built = restricted_model(inst, rc, target, work, off)
    if hint is not None:
        built.hint(hint)
    s = cp_model.CpSolver()
    s.parameters.max_time_in_seconds = max(0.1, limit)
    s.parameters.num_workers = workers
    s.parameters.random_seed = seed
    stop = _StopAt(known)
    st = s.solve(built.model, stop)
    status = s.status_name(st)
    if st == cp_model.INFEASIBLE:
        return Search(status, None, None, None, target + 1)
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Search(status, None, None, None, known)
    obj = round(s.objective_value)
    own = obj if st == cp_model.OPTIMAL else math.ceil(s.best_objective_bound - 1e-6)
    roster = built.roster(s.boolean_value)
    return Search(status, roster, obj, stop.last, min(own, target + 1))


HEURISTIC_AFTER = 10.0  # s: a slower MIP forecast is preceded by the search at ⌈L⌉


def close_gap(
    inst: Instance,
    rows: RowModels,
    duals: np.ndarray,
    best: int | None,
    deadline: float,
    workers: int = 2,
    max_rows: int = MAX_ROWS,
    seed: int = 0,
    hint: np.ndarray | None = None,
) -> Closure:
    """Raise the bound one unit at a time from ⌈L⌉ (module docstring) until a
    roster below `best` is found and proven optimal, the bound reaches the
    best roster (then optimal), or the deadline (`time.monotonic()`). A round
    is the MIP over the enumerated rows when it is forecast to finish
    (`mip_seconds`), else CP-SAT's restricted model for the time left, from
    `hint` (e.g. the master LP's heaviest column per employee: its rows are
    within the margin, so it is close to the restricted space).

    Before the first slow round (a MIP forecast over `HEURISTIC_AFTER` s:
    20 % of the time left; no MIP at all: half), CP-SAT searches the model
    restricted at ⌈L⌉ once. Above ⌈L⌉ that is a heuristic (it need not hold
    every roster ≤ T), but the tightest restriction finds good rosters
    fastest: on Instance7, 1,056–1,057 within 20 s at ⌈L⌉ = 1,055, and 1,058
    in 420 s one unit above it."""
    t0 = time.monotonic()
    rc = reduced_costs(inst, rows, duals, max(0.5, 0.1 * (deadline - t0)), workers)
    closure = Closure(None, None, rc.bound)
    spaces: dict[int, RowSpace] = {}
    tightest: tuple[np.ndarray, np.ndarray] | None = None  # the cells of the rows at ⌈L⌉
    searched = False  # CP-SAT has searched the model restricted at ⌈L⌉

    def keep(found: Search) -> None:
        nonlocal best, hint
        if found.objective is not None and (best is None or found.objective < best):
            closure.roster, closure.objective = found.roster, found.objective
            closure.found_at = found.found_at
            best, hint = found.objective, found.roster

    target = rc.bound
    while time.monotonic() < deadline and (best is None or closure.bound < best):
        t1 = time.monotonic()
        columns = enumerate_rows(inst, rows, rc, target, spaces, max_rows)
        used = cells_used(inst, columns) if columns is not None else None
        if target == rc.bound:
            tightest = used
        t2 = time.monotonic()
        round_ = {"target": target, "rows": len(columns) if columns else f"> {max_rows}"}
        round_["enumerate_s"] = round(t2 - t1, 2)
        fits = columns is not None and mip_seconds(len(columns)) <= deadline - t2
        slow = not fits or mip_seconds(len(columns)) > HEURISTIC_AFTER
        if slow and not searched and (fits or target > rc.bound):
            work, off = tightest or cells_reachable(inst, rc, rc.bound, spaces)
            limit = (0.2 if fits else 0.5) * (deadline - t2)
            found = restricted_search(
                inst, rc, rc.bound, work, off, closure.bound, limit, workers, seed, hint
            )
            searched = True
            closure.rounds.append(
                {
                    "target": rc.bound,
                    "by": "restricted CP-SAT, heuristic",
                    "objective": found.objective,
                }
            )
            keep(found)
            if best is not None and closure.bound >= best:
                break
            t2 = time.monotonic()
        if fits:
            status, roster, obj = master_mip(inst, columns, target, deadline - t2)
            # OPTIMAL: every roster ≤ target is among the columns, so obj is the optimum
            proved = {"OPTIMAL": obj, "INFEASIBLE": target + 1}.get(status, closure.bound)
            keep(Search(status, roster, obj, time.monotonic(), proved))
        else:
            work, off = used or cells_reachable(inst, rc, target, spaces)
            found = restricted_search(
                inst, rc, target, work, off, closure.bound, deadline - t2, workers, seed, hint
            )
            searched |= target == rc.bound
            status, obj, proved = found.status, found.objective, found.bound
            round_["by"] = "restricted CP-SAT"
            keep(found)
        round_.update(status=status, solve_s=round(time.monotonic() - t2, 2), objective=obj)
        closure.rounds.append(round_)
        closure.bound = max(closure.bound, proved)
        if status not in ("OPTIMAL", "INFEASIBLE"):
            break  # out of time
        target = closure.bound
    return closure
