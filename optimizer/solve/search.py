"""What the phases of one solve share: `Search`.

The problem and its candidate shifts, the limits and tuning values, the
random stream, the bound worker, the progress callback, the best objective
reported so far and the counts that end up in the result's stats. The
phases (`passes.py`, `lns.py`) take a `Search` and the roster they start
from, and return the roster they end with: a phase may work on a trial
roster (a guided round does) that is not the incumbent.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

import numpy as np

from optimizer.solve.bounds.worker import BoundWorker
from optimizer.solve.model import CandidateIndex
from optimizer.solve.params import SearchParams
from optimizer.solve.problem import Problem
from optimizer.solve.state import Evaluation
from optimizer.solve.stop import Progress, ProgressEvent, StopCriteria, relative_gap


@dataclass
class Search:
    """One solve's shared context and mutable bookkeeping (module doc)."""

    p: Problem
    cands: CandidateIndex
    stop: StopCriteria
    params: SearchParams
    seed: int
    rng: random.Random
    bounds: BoundWorker
    progress: Progress
    started: float = field(default_factory=time.monotonic)
    fair_target: np.ndarray | None = None
    reported: float = np.inf  # the best objective reported so far
    last_pass: float = 0.0  # seconds the last complete agent pass took
    stats: dict[str, object] = field(default_factory=dict)

    def bound(self) -> float | None:
        """The best bound proved so far."""
        return self.bounds.best()[0]

    def elapsed(self) -> float:
        """Seconds since the solve started."""
        return time.monotonic() - self.started

    def ended(self, step: str) -> None:
        """Notes in the stats (`<step>_end_seconds`) when a step of the solve ended."""
        self.stats[f"{step}_end_seconds"] = round(self.elapsed(), 2)

    def emit(
        self, phase: str, obj: float | None = None, bound: float | None = None, msg: str = ""
    ) -> None:
        gap = relative_gap(obj, bound)
        self.progress(ProgressEvent(phase, self.elapsed(), obj, bound, gap, msg))

    def improved(self, ev: Evaluation) -> None:
        """A roster of objective `ev.total` was found: when it beats every one
        reported, it is the bound's new target and the progress hears of it."""
        if ev.total < self.reported:
            self.reported = ev.total
            self.bounds.upper = ev.total
            self.emit("improve", ev.total, self.bound())

    def count(self, key: str, n: int = 1) -> None:
        self.stats[key] = int(self.stats.get(key, 0)) + n  # type: ignore[call-overload]
