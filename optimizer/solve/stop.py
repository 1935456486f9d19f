"""When a solve stops, and how it reports progress.

`StopCriteria` holds the limits (time, relative gap, workers, a cancel flag);
`Progress` is the one callback protocol that serves both the CLI's live
display and the dashboard's progress bar.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Protocol


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


@dataclass
class StopCriteria:
    """Limits of one solve. `cancel` may be set from another thread to stop early
    (the best roster so far is returned)."""

    time_limit: float = 60.0
    gap: float = 0.01
    workers: int = 2
    cancel: threading.Event = field(default_factory=threading.Event)
    started: float = field(default_factory=time.monotonic)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float:
        return max(0.0, self.time_limit - self.elapsed())

    def should_stop(self) -> bool:
        return self.cancel.is_set() or self.remaining() <= 0


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """(objective − bound) / max(|objective|, 1e-9), clipped at 0; None if unknown."""
    if objective is None or bound is None:
        return None
    return max(0.0, objective - bound) / max(abs(objective), 1e-9)
