"""The whole model in one CP-SAT solve, or a restriction of it to some
shifts (the restricted model): every agent and day free, hinted with a
roster, the roster found read back and valued exactly.

`_CpProgress` forwards each better roster to the search's progress and ends
the solve within the gap of the best bound; `Stalled` ends it once it has
found neither a better roster nor a better bound for a while, so that a
small problem's time goes to the large-neighbourhood search instead.
"""

from __future__ import annotations

import dataclasses
import threading
import time

import numpy as np
from ortools.sat.python import cp_model

from optimizer.solve.lagrange_cuts import Cuts, add_cuts
from optimizer.solve.model import CandidateIndex, build, read_solution
from optimizer.solve.result import FEASIBLE, OPTIMAL
from optimizer.solve.search import Search
from optimizer.solve.state import Evaluation, State, evaluate
from optimizer.solve.stop import StopCriteria

STALL_POLL = 0.2  # seconds between looks at whether a whole model still gains


def whole_model(
    search: Search,
    state: State,
    best: Evaluation,
    cands: CandidateIndex | None = None,
    stop: StopCriteria | None = None,
    hint: State | None = None,
    stall: float | None = None,
    cuts: Cuts | None = None,
) -> tuple[State, Evaluation, tuple[str, float] | None]:
    """The whole model in one CP-SAT solve, hinted with `state`; the better
    roster, and (status, CP-SAT's bound) when it found a solution. The solve
    is one step: passes do not end it, the time left, the gap and a cancel do,
    and with `stall` also `stall` seconds without a better roster or bound.
    `cands` restricts the shifts (the restricted model: its status and
    bound then hold for the restriction only), `stop` the time; `hint` a
    roster to hint instead of `state`; `cuts` each agent's least reduced
    cost (`lagrange_cuts.py`), which lift CP-SAT's bound to column
    generation's."""
    p, stop = search.p, dataclasses.replace(stop or search.stop, passes=None)
    hinted = state if hint is None else hint
    built = build(
        p, hinted, list(range(p.n_agents)), range(p.n_days), cands or search.cands,
        fair_target=search.fair_target,
    )  # fmt: skip
    if cuts is not None:
        search.stats["lagrange_cuts"] = add_cuts(p, built, cuts)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, stop.remaining())
    solver.parameters.num_workers = stop.workers
    solver.parameters.random_seed = search.seed
    solver.parameters.relative_gap_limit = stop.gap
    solver.parameters.linearization_level = 2
    progress = _CpProgress(search, built.constant, stop, cands is None)
    with stop.watching(solver), Stalled(solver, progress, stall):  # Ctrl-C ends it at once
        code = solver.solve(built.model, progress)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return state, best, None
    cand = read_solution(p, hinted, built, solver)
    ev = evaluate(p, cand, search.fair_target)
    if ev.total <= best.total + 1e-6:
        state, best = cand, ev
    offset = best.total - solver.objective_value / 100.0
    cp_bound = solver.best_objective_bound / 100.0 + offset
    return state, best, (OPTIMAL if code == cp_model.OPTIMAL else FEASIBLE, cp_bound)


class _CpProgress(cp_model.CpSolverSolutionCallback):
    """Forwards CP-SAT's solutions that beat the best so far to the progress
    callback, and stops the search once a solution is within the gap of the
    best bound. CP-SAT's own bound counts only when it `proves` (the whole
    model, not a restriction of it)."""

    def __init__(self, search: Search, offset: float, stop: StopCriteria, proves: bool):
        super().__init__()
        self._search, self._offset, self._stop, self._proves = search, offset, stop, proves
        self.gained = time.monotonic()  # when the solve last found a better roster or bound
        self._bound = -np.inf

    def on_bound(self, bound: float) -> None:
        """CP-SAT proved a bound (its `best_bound_callback`, in the model's
        cents): a gain when it beats every bound known."""
        value = bound / 100.0 + self._offset
        known = self._search.bound()
        if value > self._bound + 1e-9 and (known is None or value > known + 1e-9):
            self._bound = value
            self.gained = time.monotonic()

    def on_solution_callback(self) -> None:
        bounds = self._search.bounds
        obj = self.objective_value / 100.0 + self._offset
        if bounds.upper is not None and obj >= bounds.upper - 1e-9:
            return  # no better than the incumbent (a restricted model's first solutions)
        self.gained = time.monotonic()
        bounds.upper = obj
        other = bounds.best()[0]
        mine = self.best_objective_bound / 100.0 + self._offset if self._proves else -np.inf
        bound = max(mine, other if other is not None else -np.inf)
        bound = None if bound == -np.inf else bound
        self._search.emit("search", obj, bound)
        if self._stop.should_stop(obj, bound):
            self.stop_search()


class Stalled:
    """Around a CP-SAT solve: stops it once `progress` has heard of no better
    roster or bound for `seconds` (none: never). A whole model that has
    stopped gaining spends its time better on neighbourhoods of it."""

    def __init__(self, solver: cp_model.CpSolver, progress: _CpProgress, seconds: float | None):
        self._solver, self._progress, self._seconds = solver, progress, seconds
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Stalled:
        if self._seconds is not None:
            self._solver.best_bound_callback = self._progress.on_bound
            self._progress.gained = time.monotonic()
            self._thread = threading.Thread(target=self._watch, daemon=True)
            self._thread.start()
        return self

    def _watch(self) -> None:
        assert self._seconds is not None
        while not self._done.wait(STALL_POLL):
            if time.monotonic() - self._progress.gained > self._seconds:
                self._solver.stop_search()
                return

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
