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

This is the enumeration step of exact column-generation methods (Baldacci,
Christofides & Mingozzi's set-partitioning approach): it needs the LP bound
close to the optimum, which is the case on these instances (within 1–3 units
on 5–7), and it proves what column generation alone cannot.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import pywraplp

from optimizer.bench.curtois.colgen import (
    SCALE,
    Column,
    RowModels,
    master_rows,
    place_column,
    row_request_cost,
)
from optimizer.bench.curtois.enumeration import RowSpace, TooManyRows, rows_within
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


def close_gap(
    inst: Instance,
    rows: RowModels,
    duals: np.ndarray,
    best: int | None,
    deadline: float,
    workers: int = 2,
    max_rows: int = MAX_ROWS,
) -> Closure:
    """Raise the bound one unit at a time from ⌈L⌉ (module docstring) until a
    roster below `best` is found (then optimal), the bound reaches `best`
    (the incumbent is optimal), or the deadline (`time.monotonic()`) or the
    row budget stops it. A round whose MIP would not finish by the deadline
    (`mip_seconds`) is not started."""
    t0 = time.monotonic()
    rc = reduced_costs(inst, rows, duals, max(0.5, 0.1 * (deadline - t0)), workers)
    closure = Closure(None, None, rc.bound)
    spaces: dict[int, RowSpace] = {}
    target = rc.bound
    while (best is None or target < best) and time.monotonic() < deadline:
        t1 = time.monotonic()
        columns = enumerate_rows(inst, rows, rc, target, spaces, max_rows)
        if columns is None:
            closure.rounds.append({"target": target, "rows": f"> {max_rows}"})
            break
        t2 = time.monotonic()
        if mip_seconds(len(columns)) > deadline - t2:
            closure.rounds.append({"target": target, "rows": len(columns), "status": "no time"})
            break  # would not finish: leave the time to the heuristics
        status, roster, obj = master_mip(inst, columns, target, deadline - t2)
        closure.rounds.append(
            {
                "target": target,
                "rows": len(columns),
                "enumerate_s": round(t2 - t1, 2),
                "mip_s": round(time.monotonic() - t2, 2),
                "status": status,
            }
        )
        if roster is not None and obj is not None:
            closure.roster, closure.objective = roster, obj
            if status == "OPTIMAL":  # every roster ≤ target is among the columns
                closure.bound = obj
            break
        if status != "INFEASIBLE":
            break  # out of time
        closure.bound = target + 1  # no roster of objective ≤ target exists
        target += 1
    return closure
