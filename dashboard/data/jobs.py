"""A solve in a background thread: live progress, cancellable, its result
handed back as a variant."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from dashboard.data.variant import Variant
from optimizer.pipeline import RunOutput, prepare, run
from optimizer.scenario.errors import ScenarioError
from optimizer.scenario.model import Scenario
from optimizer.solve.stop import ProgressEvent, StopCriteria
from optimizer.whatif import WhatIf, apply


class SolveJob:
    """One solve in a background thread: live progress, cancellable, and the
    result handed to `on_done` (which saves it as a variant).

    The page polls `snapshot()`; `cancel()` sets the StopCriteria's cancel flag
    and the solver returns the best roster found so far."""

    def __init__(
        self,
        name: str,
        base: Scenario,
        whatif: WhatIf,
        time_limit: float,
        workers: int = 1,
        seed: int = 0,
        on_done: Callable[[SolveJob], Variant] | None = None,
    ) -> None:
        self.name = name
        self.base = base
        self.whatif = whatif
        self.stop = StopCriteria(time_limit=time_limit, workers=workers)
        self.seed = seed
        self.on_done = on_done
        self.events: list[ProgressEvent] = []
        self.status = "queued"  # queued, running, done, cancelled, failed
        self.error = ""
        self.output: RunOutput | None = None
        self.variant: Variant | None = None
        self.started = time.monotonic()
        self.finished: float | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._work, name=f"solve-{name}", daemon=True)

    def start(self) -> SolveJob:
        self.status = "running"
        self.stop.started = time.monotonic()
        self._thread.start()
        return self

    def cancel(self) -> None:
        self.stop.cancel.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _progress(self, event: ProgressEvent) -> None:
        with self._lock:
            self.events.append(event)

    def _work(self) -> None:
        """The thread: a what-if the scenario refuses (ValueError, ScenarioError)
        fails with its message; any other error fails the job too, its
        traceback left to the server's log by the thread's excepthook."""
        try:
            self._solve()
        except (ValueError, ScenarioError) as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            self.status = "failed"
        finally:
            self.finished = time.monotonic()
            if self.status not in ("done", "cancelled", "failed"):
                self.error = self.error or "stopped by an unexpected error (see the server's log)"
                self.status = "failed"

    def _solve(self) -> None:
        prep = prepare(apply(self.base, self.whatif))
        out = run(prep, self.stop, seed=self.seed, progress=self._progress)
        if out.roster.segments.empty and out.result.conflicts:
            self.error = f"{out.result.status.lower()}: " + "; ".join(
                str(c) for c in out.result.conflicts[:5]
            )
            self.status = "failed"
            return
        self.output = out
        if self.on_done is not None:
            self.variant = self.on_done(self)
        self.status = "cancelled" if self.stop.cancel.is_set() else "done"

    def snapshot(self) -> dict[str, Any]:
        """Status, elapsed seconds, the last progress event and the time series
        of best objective and bound."""
        with self._lock:
            events = list(self.events)
        last = events[-1] if events else None
        end = self.finished or time.monotonic()
        return {
            "name": self.name,
            "status": self.status,
            "elapsed": end - self.started,
            "time_limit": self.stop.time_limit,
            "phase": last.phase if last else "starting",
            "objective": last.objective if last else None,
            "bound": next((e.bound for e in reversed(events) if e.bound is not None), None),
            "gap": last.gap if last else None,
            "message": last.message if last else "",
            "error": self.error,
            "history": pd.DataFrame(
                [(e.elapsed, e.objective, e.bound) for e in events],
                columns=["elapsed", "objective", "bound"],
            ),
        }
