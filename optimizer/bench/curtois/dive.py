"""Primal heuristics guided by the column-generation LP.

* `dive` (price-and-branch diving): with the master LP converged, hold the
  employees whose LP solution is most integral (largest column weight) on
  that column, re-run a few pricing rounds for the others only (the fixed
  rows enter the cover as constants), and repeat until every employee is
  fixed. New columns are priced against the fixed rows, so the rows that
  complete the roster are generated where the restricted master IP would
  lack them. Each LP along the way is also rounded (largest weight per
  employee) as a candidate roster. The dive stops early when its own bound
  (valid for the restricted problem only) meets the incumbent.
* `lp_agreement_free` (RINS-like): the cells where the LP solution is
  (almost) integral and agrees with the incumbent stay fixed; the rest is
  re-solved with CP-SAT (`solve._solve_free`, also inside `solve.lns`).
"""

from __future__ import annotations

import math
import time

import numpy as np

from optimizer.bench.curtois.colgen import ColumnGeneration
from optimizer.bench.curtois.evaluate import evaluate


def _to_fix(weight: np.ndarray, free: np.ndarray, share: float) -> np.ndarray:
    """Free employees to fix next: every one whose column weight is ≥ 0.999,
    and at least the `share` of the free ones with the largest weight."""
    cand = np.flatnonzero(free)
    order = cand[np.argsort(-weight[cand], kind="stable")]
    k = max(1, math.ceil(share * len(cand)), int((weight[cand] >= 0.999).sum()))
    return order[:k]


def _steps_left(n_free: int, share: float) -> int:
    """Steps until `n_free` employees are fixed, `share` of them a step."""
    steps = 1
    while n_free > 0:
        n_free -= max(1, math.ceil(share * n_free))
        steps += 1
    return steps


def dive(
    cg: ColumnGeneration,
    incumbent: np.ndarray,
    best: int,
    deadline: float,
    price_limit: float = 0.3,
    share: float = 0.2,
) -> tuple[np.ndarray, int, int]:
    """Fix employees on their largest-weight column step by step (`share` of
    the free ones a step), pricing the free ones between steps until the LP
    converges or the step's even share of the time left runs out; returns the
    best roster seen (`incumbent` if none is better), its objective, and the
    number of steps. `deadline` is a `time.monotonic()` value. The master is
    left with every employee free again and its global bound restored."""
    inst = cg.inst
    saved = (cg.bound, cg.converged)
    cg.bound = -math.inf  # from here on, a bound of the restricted problem
    roster, steps = incumbent, 0
    try:
        free = np.ones(inst.n_staff, dtype=bool)
        while time.monotonic() < deadline:
            left = deadline - time.monotonic()
            step_end = time.monotonic() + left / _steps_left(int(free.sum()), share)
            cg.run(step_end, price_limit=price_limit, target=best)
            if cg.integer_bound is not None and cg.integer_bound >= best:
                break  # nothing better below this node
            cg.lp.Solve()
            cand = cg.rounded()
            obj = evaluate(inst, cand).objective
            if obj < best:
                roster, best = cand, obj
            if not free.any():
                break
            weight, arg = cg.weights()
            for e in _to_fix(weight, free, share):
                cg.fix(int(e), int(arg[e]))
                free[e] = False
            steps += 1
    finally:
        cg.unfix_all()
        cg.bound, cg.converged = saved
    return roster, best, steps


def lp_agreement_free(x: np.ndarray, incumbent: np.ndarray, level: float) -> np.ndarray:
    """Free mask for a RINS-like neighbourhood: a cell stays fixed when the LP
    puts weight ≥ `level` on the incumbent's value there (`x`: the master's
    `cell_values()`)."""
    e, d = np.indices(incumbent.shape)
    agree = x[e, d, incumbent] >= level  # incumbent −1 (off) reads index T
    return ~agree
