"""When a solve stops, and how it reports progress.

Stopping is a small protocol: a `Criterion` says whether a run has gone
far enough, from what the run can tell (`Run`: seconds since it started,
passes the search has counted, and — where the caller knows them — its
incumbent's objective and the best bound). The criteria are `MaxRuntime`,
`MaxPasses` (agent passes and neighbourhoods, as the search counts them),
`GapReached` and `Cancelled`; `a | b` (or `any_of(a, b, …)`) stops when
any of them is met.

`StopCriteria` is what a solve takes: the composite of a time limit, a
relative gap, a cancel flag and optionally a number of passes, with the
CP-SAT workers to use and the search's pass count; `StopCriteria.of(...)`
builds one from criteria. Setting the flag (`Cancel`, e.g. from the CLI's
Ctrl-C handling) also stops every CP-SAT search registered with
`StopCriteria.watching` at once. `Progress` is the one callback protocol
that serves both the CLI's live display and the dashboard's progress bar.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
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
    """A cancel flag that, once set, also stops the solves watching it: the
    CP-SAT searches of `StopCriteria.watching` and the MIPs of
    `StopCriteria.interrupting`, so a long solve ends within moments instead
    of at its time limit."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._actions: dict[object, Callable[[], Any]] = {}

    def set(self) -> None:
        super().set()
        with self._lock:
            actions = list(self._actions.values())
        for stop_solve in actions:
            stop_solve()

    @contextmanager
    def on_set(self, stop_solve: Callable[[], Any]) -> Iterator[None]:
        """Within: `stop_solve` is called when the flag is set."""
        token = object()
        with self._lock:
            self._actions[token] = stop_solve
        try:
            yield
        finally:
            with self._lock:
                del self._actions[token]


@dataclass(frozen=True)
class Run:
    """What a criterion reads of a run: seconds since it started, passes
    counted, and the incumbent's objective and best bound where known."""

    elapsed: float
    passes: int
    objective: float | None = None
    bound: float | None = None


class Criterion:
    """Whether a run should stop (`met`); `a | b` stops when either does."""

    def met(self, run: Run) -> bool:
        raise NotImplementedError

    def parts(self) -> tuple[Criterion, ...]:
        """The single criteria this one stops on (itself, unless a composite)."""
        return (self,)

    def __or__(self, other: Criterion) -> AnyOf:
        return any_of(self, other)


@dataclass(frozen=True)
class MaxRuntime(Criterion):
    """Stop once `seconds` have passed since the run started."""

    seconds: float

    def met(self, run: Run) -> bool:
        return run.elapsed >= self.seconds


@dataclass(frozen=True)
class MaxPasses(Criterion):
    """Stop once the search has counted `n` passes (an agent pass, guided or
    ordinary, or a neighbourhood of the large-neighbourhood search)."""

    n: int

    def met(self, run: Run) -> bool:
        return run.passes >= self.n


@dataclass(frozen=True)
class GapReached(Criterion):
    """Stop once the incumbent is within `rel` of the bound (relative to the
    objective); never while either is unknown."""

    rel: float

    def met(self, run: Run) -> bool:
        gap = relative_gap(run.objective, run.bound)
        return gap is not None and gap <= self.rel


@dataclass(frozen=True, eq=False)
class Cancelled(Criterion):
    """Stop once `event` is set (from another thread: Ctrl-C, the dashboard)."""

    event: threading.Event

    def met(self, run: Run) -> bool:
        return self.event.is_set()


@dataclass(frozen=True)
class AnyOf(Criterion):
    """Stop when any of `criteria` is met."""

    criteria: tuple[Criterion, ...]

    def met(self, run: Run) -> bool:
        return any(c.met(run) for c in self.criteria)

    def parts(self) -> tuple[Criterion, ...]:
        return tuple(part for c in self.criteria for part in c.parts())


def any_of(*criteria: Criterion) -> AnyOf:
    """One criterion met when any of `criteria` is (composites flattened)."""
    return AnyOf(tuple(part for c in criteria for part in c.parts()))


@dataclass
class Tally:
    """What the search has counted so far; shared by the copies of a
    `StopCriteria` that the solver gives its phases."""

    passes: int = 0


@dataclass
class StopCriteria:
    """Limits of one solve: `MaxRuntime(time_limit) | GapReached(gap) |
    Cancelled(cancel)`, and `MaxPasses(passes)` when `passes` is given
    (`criterion`). `cancel` may be set from another thread to stop early
    (the best roster so far is returned). A solve always keeps a time limit:
    the time left sizes its CP-SAT solves and the bound's share."""

    time_limit: float = 60.0
    gap: float = 0.01
    workers: int = 2
    cancel: threading.Event = field(default_factory=Cancel)
    started: float = field(default_factory=time.monotonic)
    passes: int | None = None
    tally: Tally = field(default_factory=Tally, repr=False)
    also: tuple[Criterion, ...] = ()  # a phase's own further criteria (`until`)

    @classmethod
    def of(cls, *criteria: Criterion, workers: int = 2) -> StopCriteria:
        """The limits of `criteria` (the smallest of each kind): without a
        `MaxRuntime` the default time limit, without a `GapReached` a gap of
        0 (stop on a proven optimum only)."""
        parts = any_of(*criteria).parts()
        seconds = [c.seconds for c in parts if isinstance(c, MaxRuntime)]
        gaps = [c.rel for c in parts if isinstance(c, GapReached)]
        passes = [c.n for c in parts if isinstance(c, MaxPasses)]
        events = [c.event for c in parts if isinstance(c, Cancelled)]
        if len(events) > 1:
            raise ValueError("one Cancelled criterion at most: a solve has one cancel flag")
        limits = cls(gap=min(gaps, default=0.0), workers=workers, passes=min(passes, default=None))
        if seconds:
            limits.time_limit = min(seconds)
        if events:
            limits.cancel = events[0]
        return limits

    @property
    def criterion(self) -> AnyOf:
        """The composite these limits stand for."""
        parts: list[Criterion] = [
            MaxRuntime(self.time_limit),
            GapReached(self.gap),
            Cancelled(self.cancel),
        ]
        if self.passes is not None:
            parts.append(MaxPasses(self.passes))
        return any_of(*parts, *self.also)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def out_of_time(self) -> bool:
        """Whether the time limit has passed, whatever the other criteria say."""
        return self.remaining() <= 0.0

    def remaining(self) -> float:
        return max(0.0, self.time_limit - self.elapsed())

    def share(self, share: float) -> StopCriteria:
        """These limits, ending once `share` of the time left now has passed
        (the same cancel flag and pass count)."""
        now = self.elapsed()
        return dataclasses.replace(self, time_limit=now + share * max(0.0, self.time_limit - now))

    def until(self, *criteria: Criterion) -> StopCriteria:
        """These limits, ending also when one of `criteria` is met (a phase
        that waits for something, e.g. `Cancelled(event)` of another thread's
        work; CP-SAT solves running then end at their own limits)."""
        return dataclasses.replace(self, also=(*self.also, *criteria))

    def count_pass(self) -> None:
        """The search finished one more pass (`MaxPasses`)."""
        self.tally.passes += 1

    def should_stop(self, objective: float | None = None, bound: float | None = None) -> bool:
        """Whether the run has gone far enough; the gap counts only where the
        caller gives the incumbent's `objective` and the `bound`."""
        run = Run(self.elapsed(), self.tally.passes, objective, bound)
        return self.criterion.met(run)

    @contextmanager
    def watching(self, solver: Any) -> Iterator[None]:
        """Around `solver.solve(...)` (a CP-SAT CpSolver): the solve ends at once
        when `cancel` is set. CP-SAT's own Ctrl-C handling is turned off — it
        swallows the signal and leaves Ctrl-C unhandled after the solve: Ctrl-C
        belongs to the caller (the CLI sets `cancel`)."""
        solver.parameters.catch_sigint_signal = False
        if self.cancel.is_set():
            solver.parameters.max_time_in_seconds = 0.0
        with self._on_cancel(solver.stop_search):
            yield

    @contextmanager
    def interrupting(self, interrupt: Callable[[], Any]) -> Iterator[None]:
        """Around a MIP's solve: `interrupt` (pywraplp's `InterruptSolve`) is
        called when `cancel` is set."""
        with self._on_cancel(interrupt):
            yield

    def _on_cancel(self, stop_solve: Callable[[], Any]) -> Any:
        on_set = getattr(self.cancel, "on_set", None)
        if on_set is None:  # a plain threading.Event: the time limit still applies
            return nullcontext()
        return on_set(stop_solve)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """(objective − bound) / max(|objective|, 1e-9), clipped at 0; None if unknown."""
    if objective is None or bound is None:
        return None
    return max(0.0, objective - bound) / max(abs(objective), 1e-9)
