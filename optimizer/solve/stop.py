"""When a solve stops, and how it reports progress.

`StopCriteria` holds the limits (time, relative gap, workers, a cancel flag);
setting the flag (`Cancel`, e.g. from the CLI's Ctrl-C handling) also stops
every CP-SAT search registered with `StopCriteria.watching` at once;
`Progress` is the one callback protocol that serves both the CLI's live
display and the dashboard's progress bar.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class ProgressEvent:
    """A snapshot of the search: phase, elapsed seconds, best objective, bound, gap."""

    phase: str
    elapsed: float
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    message: str = ""


class Progress(Protocol):
    def __call__(self, event: ProgressEvent) -> None: ...


def no_progress(event: ProgressEvent) -> None:
    """A Progress that ignores every event."""


class Cancel(threading.Event):
    """A cancel flag that, once set, also stops the CP-SAT searches watching it
    (`StopCriteria.watching`): a long full-model solve ends within moments
    instead of at its time limit."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._solvers: set[Any] = set()

    def set(self) -> None:
        super().set()
        with self._lock:
            solvers = list(self._solvers)
        for s in solvers:
            s.stop_search()

    @contextmanager
    def watching(self, solver: Any) -> Iterator[None]:
        with self._lock:
            self._solvers.add(solver)
        try:
            yield
        finally:
            with self._lock:
                self._solvers.discard(solver)


@dataclass
class StopCriteria:
    """Limits of one solve. `cancel` may be set from another thread to stop early
    (the best roster so far is returned)."""

    time_limit: float = 60.0
    gap: float = 0.01
    workers: int = 2
    cancel: threading.Event = field(default_factory=Cancel)
    started: float = field(default_factory=time.monotonic)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float:
        return max(0.0, self.time_limit - self.elapsed())

    def should_stop(self) -> bool:
        return self.cancel.is_set() or self.remaining() <= 0

    @contextmanager
    def watching(self, solver: Any) -> Iterator[None]:
        """Around `solver.solve(...)` (a CP-SAT CpSolver): the solve ends at once
        when `cancel` is set. CP-SAT's own Ctrl-C handling is turned off — it
        swallows the signal and leaves Ctrl-C unhandled after the solve: Ctrl-C
        belongs to the caller (the CLI sets `cancel`)."""
        solver.parameters.catch_sigint_signal = False
        if self.cancel.is_set():
            solver.parameters.max_time_in_seconds = 0.0
        watch = getattr(self.cancel, "watching", None)
        if watch is None:  # a plain threading.Event: the time limit still applies
            yield
            return
        with watch(solver):
            yield


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """(objective − bound) / max(|objective|, 1e-9), clipped at 0; None if unknown."""
    if objective is None or bound is None:
        return None
    return max(0.0, objective - bound) / max(abs(objective), 1e-9)
