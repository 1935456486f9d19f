"""Primal heuristics guided by the column-generation LP.

* `dive` (price-and-branch diving): with the master LP converged, hold the
  (employee, day) cells whose LP value is clearest to that value, re-run a
  few pricing rounds that keep to every held day, and repeat until every
  day of every employee is held. Holding days rather than whole columns
  matters: the LP optimum of these instances is fractional (on Instance13
  the median employee's heaviest column weighs 0.47), and holding whole
  columns moved the LP 30 % above its optimum within a few steps, while
  holding days keeps it at the optimum almost to the end. Each LP along
  the way is also rounded (each employee's heaviest column) into a
  candidate roster. The dive stops early when its own bound (valid for
  the restricted problem only) meets the incumbent.
* `lp_agreement_free` (RINS-like): the cells where the LP solution is
  (almost) integral and agrees with the incumbent stay fixed; the rest is
  re-solved with CP-SAT (`solve._solve_free`, also inside `solve.lns`).
"""

from __future__ import annotations

import math
import time

import numpy as np

from optimizer.bench.curtois.colgen import FREE, ColumnGeneration
from optimizer.bench.curtois.evaluate import evaluate
from optimizer.solve.dive import steps_left, surest


def _days_to_hold(
    cg: ColumnGeneration, share: float, level: float
) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """Open days to hold next, per employee as (e, days, values): on each
    employee's largest-weight column, every open day whose LP value there is
    ≥ `level`, and at least the `share` of all open days with the largest LP
    value (`optimizer.solve.dive.surest`). All held days of an employee
    agree with one of its columns, so the held days always admit a row."""
    held = cg.held
    x = cg.cell_values()
    _, arg = cg.weights()
    n_e, h = held.shape
    rows = np.stack([cg.columns[int(j)].row for j in arg])  # (E, H)
    e_idx, d_idx = np.indices((n_e, h))
    val = x[e_idx, d_idx, rows]  # LP value of the column's value on each day
    return surest(np.where(held == FREE, val, -1.0), rows, share, level)


def dive(
    cg: ColumnGeneration,
    incumbent: np.ndarray,
    best: int,
    deadline: float,
    price_limit: float = 0.3,
    share: float = 0.15,
    level: float = 0.99,
) -> tuple[np.ndarray, int, int]:
    """Hold days of employees step by step, pricing between steps until the
    LP converges or the step's even share of the time left runs out. Each
    step holds every open day whose LP value on the employee's heaviest
    column is ≥ `level`, and at least `share` of the open days; pricing
    keeps to the held days (CP-SAT assumptions), so the rows that complete
    the roster are generated where the restricted master IP would lack
    them. Each LP on the way is rounded (each employee's heaviest column)
    into a candidate roster. Returns the best roster seen (`incumbent` if
    none is better), its objective and the number of steps; `deadline` is a
    `time.monotonic()` value. The master is left with every day open again
    and its global bound restored."""
    inst = cg.inst
    saved = (cg.bound, cg.converged)
    cg.bound = -math.inf  # from here on, a bound of the restricted problem
    cg.held = np.full((inst.n_staff, inst.horizon), FREE, dtype=np.int64)
    roster, steps = incumbent, 0
    try:
        while time.monotonic() < deadline:
            n_open = int((cg.held == FREE).sum())
            left = deadline - time.monotonic()
            step_end = time.monotonic() + left / steps_left(n_open, share)
            cg.run(step_end, price_limit=price_limit, target=best)
            if cg.integer_bound is not None and cg.integer_bound >= best:
                break  # nothing better below this node
            cg.lp.Solve()
            cand = cg.rounded()
            obj = evaluate(inst, cand).objective
            if obj < best:
                roster, best = cand, obj
            if n_open == 0:
                break
            for e, days, values in _days_to_hold(cg, share, level):
                cg.hold(int(e), days, values)
            steps += 1
    finally:
        cg.release()
        cg.bound, cg.converged = saved
    return roster, best, steps


def lp_agreement_free(x: np.ndarray, incumbent: np.ndarray, level: float) -> np.ndarray:
    """Free mask for a RINS-like neighbourhood: a cell stays fixed when the LP
    puts weight ≥ `level` on the incumbent's value there (`x`: the master's
    `cell_values()`)."""
    e, d = np.indices(incumbent.shape)
    agree = x[e, d, incumbent] >= level  # incumbent −1 (off) reads index T
    return ~agree
