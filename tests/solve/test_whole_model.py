"""The whole model's solve (`optimizer.solve.whole_model`): a whole model
that stops gaining gives way to the neighbourhood search."""

from __future__ import annotations

import threading
import time

from optimizer.solve.whole_model import STALL_POLL, Stalled


class _Solver:
    """What `Stalled` uses of a CP-SAT solver: its bound callback and stop."""

    def __init__(self) -> None:
        self.best_bound_callback = None
        self.stopped = threading.Event()

    def stop_search(self) -> None:
        self.stopped.set()


class _Heard:
    """What `Stalled` reads of the solution callback: when it last gained."""

    def __init__(self, gained: float) -> None:
        self.gained = gained

    def on_bound(self, bound: float) -> None:
        self.gained = time.monotonic()


def test_a_whole_model_that_stops_gaining_is_stopped():
    solver, heard = _Solver(), _Heard(time.monotonic())
    with Stalled(solver, heard, 0.0):  # type: ignore[arg-type]
        assert solver.stopped.wait(10.0)
    assert solver.best_bound_callback == heard.on_bound


def test_a_whole_model_without_a_stall_limit_runs_on():
    solver, heard = _Solver(), _Heard(0.0)  # it last gained long ago
    with Stalled(solver, heard, None):  # type: ignore[arg-type]
        time.sleep(3 * STALL_POLL)
    assert not solver.stopped.is_set() and solver.best_bound_callback is None
