"""Solving strategy for a Curtois–Qu instance: construct, improve, prove.

Every hard rule concerns one employee, and one employee changes each cover
count by at most one, so the best roster of a single employee with the
others fixed is an exact small CP-SAT model (`model.build` with only that
row free). The strategy builds on that:

1. Construction: each employee in turn gets their best row given the rows
   already placed (cover still missing is worth 100 a shift, over-cover
   costs 1). Because rows are placed one by one under their own rules, the
   roster is feasible as soon as every row is placed — even on the 52-week
   instances, where the full model alone finds nothing in minutes.
2. LNS: free a neighbourhood — a few employees' whole rows, or every
   employee over a window of days — and re-solve it with the rest fixed and
   the incumbent as a complete hint; keep the result when it is no worse.
   The neighbourhood size adapts: grow after a sub-solve proven optimal,
   shrink after one that timed out.
3. Full model: the whole instance with the incumbent as hint, for the bound
   (and the proof of optimality on the small instances) and any improvement
   CP-SAT's own search still finds.

Identical employees (symmetry) get an order constraint in the full model;
none of the 24 instances has any, so it never fires there.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from optimizer.bench.curtois.evaluate import evaluate
from optimizer.bench.curtois.model import build
from optimizer.bench.curtois.parse import Instance


@dataclass
class Outcome:
    """A solve: best roster, its objective, the proven bound, and when it was found."""

    instance: str
    roster: np.ndarray | None
    objective: int | None
    bound: int | None
    status: str  # OPTIMAL, FEASIBLE or UNKNOWN
    seconds_to_best: float | None
    seconds: float
    history: list[tuple[float, int, str]] = field(default_factory=list)  # (s, objective, phase)


class _Clock:
    def __init__(self, limit: float) -> None:
        self.t0 = time.monotonic()
        self.limit = limit

    def elapsed(self) -> float:
        return time.monotonic() - self.t0

    def left(self) -> float:
        return self.limit - self.elapsed()


def _params(limit: float, workers: int, seed: int) -> cp_model.CpSolver:
    s = cp_model.CpSolver()
    s.parameters.max_time_in_seconds = max(0.05, limit)
    s.parameters.num_workers = workers
    s.parameters.random_seed = seed
    return s


def _solve_free(
    inst: Instance,
    roster: np.ndarray,
    free: np.ndarray,
    limit: float,
    workers: int,
    seed: int,
) -> tuple[np.ndarray | None, int | None, bool]:
    """Re-solve the free cells of `roster`, others fixed; (roster, objective, optimal)."""
    built = build(inst, free=free, fixed=roster)
    built.hint(roster)
    s = _params(limit, workers, seed)
    st = s.solve(built.model)
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, None, False
    return built.roster(s.boolean_value), round(s.objective_value), st == cp_model.OPTIMAL


def construct(
    inst: Instance, clock: _Clock, budget: float, workers: int, seed: int
) -> np.ndarray | None:
    """Place employees one at a time, each on their best row given the others
    (employees with the fewest options first; a row not found in its share of
    `budget` is retried with four times the time); None if time runs out."""
    roster = np.full((inst.n_staff, inst.horizon), -1, dtype=np.int64)
    options = (inst.max_shifts > 0).sum(axis=1) * (~inst.days_off).sum(axis=1)
    order = np.argsort(options, kind="stable")
    end = clock.elapsed() + budget
    for i, e in enumerate(order):
        share = max(1.0, (end - clock.elapsed()) / (len(order) - i))
        free = np.zeros_like(roster, dtype=bool)
        free[e] = True
        new = None
        while new is None and clock.left() > 0:  # no row yet: try again, longer
            new, _, _ = _solve_free(inst, roster, free, min(share, clock.left()), workers, seed)
            share *= 4
        if new is None:
            return None
        roster = new
    return roster


def _neighbourhood(
    inst: Instance, rng: random.Random, size: int, roster: np.ndarray
) -> tuple[np.ndarray, str]:
    """A free mask of about `size` cells: whole rows of random employees
    (often ones sharing a day with an under- or over-covered shift), or every
    employee over a window of consecutive days."""
    e_n, h = inst.n_staff, inst.horizon
    free = np.zeros((e_n, h), dtype=bool)
    if rng.random() < 0.5:
        k = max(2, min(e_n, round(size / h)))
        free[rng.sample(range(e_n), k)] = True
        return free, f"rows×{k}"
    width = max(3, min(h, round(size / e_n)))
    d0 = rng.randrange(0, h - width + 1)
    free[:, d0 : d0 + width] = True
    return free, f"days×{width}"


def lns(
    inst: Instance,
    roster: np.ndarray,
    best: int,
    clock: _Clock,
    until: float,
    workers: int,
    seed: int,
    history: list[tuple[float, int, str]],
) -> tuple[np.ndarray, int]:
    """Improve `roster` by re-solving neighbourhoods until `clock.elapsed() ≥ until`."""
    rng = random.Random(seed)
    size = float(min(inst.n_staff * inst.horizon, max(60, 4 * inst.horizon)))
    it = 0
    while clock.elapsed() < until - 0.5:
        free, kind = _neighbourhood(inst, rng, int(size), roster)
        limit = min(max(0.5, until - clock.elapsed()), 1.0 + 0.0005 * size)
        new, obj, optimal = _solve_free(inst, roster, free, limit, workers, seed + it)
        it += 1
        if new is not None and obj is not None and obj <= best:
            if obj < best:
                history.append((round(clock.elapsed(), 2), obj, f"lns {kind}"))
            roster, best = new, obj
        size = size * 1.15 if optimal else size / 1.3
        size = min(max(size, 2 * inst.horizon), inst.n_staff * inst.horizon)
    return roster, best


class _Tracker(cp_model.CpSolverSolutionCallback):
    """Records when the full model improves on the incumbent."""

    def __init__(self, clock: _Clock, best: int | None, history: list) -> None:
        super().__init__()
        self.clock, self.best, self.history = clock, best, history

    def on_solution_callback(self) -> None:
        obj = round(self.objective_value)
        if self.best is None or obj < self.best:
            self.best = obj
            self.history.append((round(self.clock.elapsed(), 2), obj, "full"))


def solve(
    inst: Instance,
    time_limit: float = 60.0,
    workers: int = 2,
    seed: int = 0,
    full_share: float | None = None,
) -> Outcome:
    """Construct, improve by LNS, then run the full model with the incumbent
    as hint. `full_share` is the fraction of the time left after construction
    given to the full model (default: all of it on small instances, a third
    on larger ones, half; none on the 26–52-week ones, whose full model is too
    big to load in the time)."""
    clock = _Clock(time_limit)
    history: list[tuple[float, int, str]] = []
    cells = inst.n_staff * inst.horizon
    roster = construct(inst, clock, min(0.25 * time_limit, 0.02 * cells), workers, seed)
    best = None
    if roster is not None:
        best = evaluate(inst, roster).objective
        history.append((round(clock.elapsed(), 2), best, "construct"))
    if full_share is None:
        full_share = 1.0 if cells <= 2000 else 0.5 if cells <= 6000 else 0.0
    if roster is not None and full_share < 1.0:
        until = clock.elapsed() + (1 - full_share) * clock.left()
        roster, best = lns(inst, roster, best, clock, until, workers, seed, history)

    bound = None
    status = "FEASIBLE" if roster is not None else "UNKNOWN"
    if full_share > 0 and clock.left() > 1.0:
        built = build(inst)
        if roster is not None:
            built.hint(roster)
        s = _params(clock.left(), workers, seed)
        tracker = _Tracker(clock, best, history)
        st = s.solve(built.model, tracker)
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            bound = math.ceil(s.best_objective_bound - 1e-6)
            obj = round(s.objective_value)
            if best is None or obj <= best:
                roster, best = built.roster(s.boolean_value), obj
            if st == cp_model.OPTIMAL or (best is not None and bound >= best):
                status, bound = "OPTIMAL", best
    seconds_to_best = None
    if best is not None:
        seconds_to_best = next(t for t, o, _ in history if o == best) if history else None
    return Outcome(
        instance=inst.name,
        roster=roster,
        objective=best,
        bound=bound,
        status=status,
        seconds_to_best=seconds_to_best,
        seconds=round(clock.elapsed(), 2),
        history=history,
    )
