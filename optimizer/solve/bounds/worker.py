"""Lower bounds proved beside the search, and the worker that runs them.

First the LP relaxation (`lp.py`) — exact on small problems
(milliseconds), with coverage summed over blocks of intervals on large
ones (the exact LP does not solve in time there; `lp_block`) — then, from the
LP's coverage prices, the Lagrangian dual: column generation on small
problems, subgradient steps on large ones (a master LP round there takes
seconds). A small problem's converged master is left in the column pool,
for the search to dive from (`solve/dive.py`).

On small problems this runs in a thread. On large ones it runs in a child
process: the subgradient steps are numpy passes that would otherwise fight
the search for Python's global interpreter lock (in a thread they get a
small share of the steps the same code makes alone). The problem is
pickled for the child when the worker starts, in the caller's thread
(`snapshot`). The child reports bounds and its best prices through a pipe
and reads the incumbent objective (the target of its steps) from it.

Where every roster's objective is a whole number (`state.whole_objective`:
no pay, no fairness, no start moves — the Curtois–Qu instances, for one),
a bound of 99.2 proves 100: the worker rounds each bound up.
"""

from __future__ import annotations

import math
import multiprocessing
import pickle
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from optimizer.solve.bounds.colgen import ColumnGeneration
from optimizer.solve.bounds.lagrange import lagrangian_bound
from optimizer.solve.bounds.lp import Bound, lp_bound
from optimizer.solve.bounds.pool import ColumnPool
from optimizer.solve.problem import Problem
from optimizer.solve.state import WHOLE_SLACK, whole_objective
from optimizer.solve.stop import StopCriteria

LP_BLOCK = 16  # large problems: the LP sums coverage over blocks of 16 intervals …
LP_BLOCK_AGENTS = 1000  # … and 16 more for each further 1,000 agents (`lp_block`)
LP_SHARE = 0.4  # large problems: the LP's share of the time (the Lagrangian gets the rest)
PRICES_EVERY = 3.0  # seconds between price updates sent from the child process
UPPER_EVERY = 1.0  # seconds between incumbent updates sent to it
FINISH_LEAST, FINISH_MOST = 1.0, 15.0  # seconds `finish` waits for the last value, least and most

Report = Callable[[tuple[Any, ...]], None]


def lp_block(p: Problem) -> int:
    """Intervals per coverage block in a large problem's LP: 16 up to 1,000
    agents, 16 more for each further 1,000 (32 at 2,000).

    The LP's time grows much faster than its size, so fine blocks stop
    solving in the LP's share of the time as the agents grow; coarser blocks
    lower its value only a little, and its prices are only where the
    Lagrangian starts. What matters more is how soon they come: the first
    guided round waits for them, and the Lagrangian's steps soon improve on
    coarse prices."""
    return LP_BLOCK * max(1, -(-p.n_agents // LP_BLOCK_AGENTS))


def prove(
    p: Problem,
    time_limit: float,
    gap: float,
    small: bool,
    report: Report,
    upper: Callable[[], float | None],
    halt: threading.Event,
    pool: ColumnPool | None = None,
) -> None:
    """The bound sequence (module doc). `report` receives ("lp", Bound),
    ("value", float), ("prices", array) and ("final", Bound | None); column
    generation's schedules go into `pool`."""
    t0 = time.monotonic()
    budget = time_limit if small else LP_SHARE * time_limit
    lp = lp_bound(p, time_limit=max(1.0, budget), block=1 if small else lp_block(p))
    report(("lp", lp))
    left = time_limit - (time.monotonic() - t0)
    if halt.is_set() or left < 0.5:
        report(("final", None))
        return
    if small:
        _column_generation(p, t0 + time_limit, gap, report, upper, halt, lp.prices, pool)
        return
    final = lagrangian_bound(
        p,
        time_limit=max(0.5, left),
        upper=upper,
        target_gap=gap / 2,
        on_improve=lambda v: report(("value", v)),
        halt=halt,
        start=lp.prices,
        on_prices=lambda lam: report(("prices", lam)),
    )
    report(("final", final))


def _column_generation(
    p: Problem,
    deadline: float,
    gap: float,
    report: Report,
    upper: Callable[[], float | None],
    halt: threading.Event,
    start: np.ndarray | None,
    pool: ColumnPool | None,
) -> None:
    """Small problems: column generation's bound until `deadline` (a
    `time.monotonic()` value). A converged master is left in `pool` for the
    search to dive from (`solve/dive.py`); the pool's `done` is set at the end."""
    t0 = time.monotonic()
    cg = ColumnGeneration(p, block=1, start=start, pool=pool, whole=whole_objective(p))
    status = cg.run(
        max(0.5, deadline - t0),
        upper=upper,
        on_improve=lambda v: report(("value", v)),
        halt=halt,
        target_gap=gap / 2,
    )
    report(("final", cg.bound(status, time.monotonic() - t0)))
    if pool is not None:
        if status == "CONVERGED":
            pool.master = cg
        pool.done.set()


def snapshot(p: Problem) -> bytes:
    """The problem as the child process receives it, pickled at once by the
    caller: the search goes on in the caller's thread and fills the
    problem's cached properties as it needs them, so pickling it from the
    worker's thread meanwhile could fail ("dictionary changed size during
    iteration") and leave the bound in a thread."""
    return pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL)


def _child(payload: bytes, time_limit: float, gap: float, conn: Any) -> None:
    """`prove` in a child process, talking to the parent through `conn`;
    `payload` is the problem's `snapshot`."""
    p: Problem = pickle.loads(payload)
    halt = threading.Event()
    incumbent: list[float | None] = [None]
    sent = [-np.inf]

    def upper() -> float | None:
        while conn.poll():
            msg = conn.recv()
            if msg[0] == "upper":
                incumbent[0] = msg[1]
            elif msg[0] == "halt":
                halt.set()
        return incumbent[0]

    def report(msg: tuple[Any, ...]) -> None:
        if msg[0] == "prices":  # large arrays: not more often than every few seconds
            if time.monotonic() - sent[0] < PRICES_EVERY:
                return
            sent[0] = time.monotonic()
        conn.send(msg)

    try:
        prove(p, time_limit, gap, False, report, upper, halt)
    finally:
        conn.send(("done",))
        conn.close()


class BoundWorker:
    """Runs `prove` beside the search (a thread, or a child process for large
    problems — module doc). `upper` is the incumbent objective the Lagrangian
    steps towards; `best()` the best bound so far and how it was proved;
    `prices` the best coverage prices known ([Q, T], or None: the LP's
    duals, then the Lagrangian's as it improves on them)."""

    def __init__(self, p: Problem, stop: StopCriteria, small: bool) -> None:
        self.p, self.stop, self.small = p, stop, small
        self.upper: float | None = None
        self.prices: np.ndarray | None = None
        self.lp_done = threading.Event()
        self._halt = threading.Event()
        self._lock = threading.Lock()
        self._value: float | None = None
        self._method = "no bound proved yet"
        self._lp: Bound | None = None
        self._lagrange: Bound | None = None
        self.in_process = False
        self.whole = whole_objective(p)
        self.columns = ColumnPool(p.n_agents)  # small problems: column generation's schedules
        self._payload: bytes | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        """Start proving; a large problem is first serialised for the child
        process here, in the caller's thread (`snapshot`)."""
        if not self.small:
            try:
                self._payload = snapshot(self.p)
            except (pickle.PicklingError, TypeError, AttributeError):
                self._payload = None  # not picklable here: the bound runs in a thread
        self.thread.start()

    def offer(self, value: float | None, method: str) -> None:
        """Keep `value` if it beats the best bound so far, rounded up to a
        whole number where every roster's objective is one (`whole_objective`)."""
        if value is None:
            return
        if self.whole:
            value = float(math.ceil(value - WHOLE_SLACK))
        with self._lock:
            if self._value is None or value > self._value:
                self._value, self._method = value, method

    def _on(self, msg: tuple[Any, ...]) -> None:
        kind = msg[0]
        if kind == "lp":
            lp: Bound = msg[1]
            if lp.value is not None:
                self._lp, self.prices = lp, lp.prices
                self.offer(lp.value, lp.method)
            self.lp_done.set()
        elif kind == "value":
            self.offer(msg[1], "Lagrangian relaxation of coverage")
        elif kind == "prices":
            self.prices = msg[1]  # the Lagrangian's best prices: finer than the block LP's
        elif kind == "final" and msg[1] is not None:
            self._lagrange = msg[1]
            self.offer(msg[1].value, msg[1].method)

    def _run(self) -> None:
        if self._payload is not None:
            try:
                if self._run_process(self._payload, self.stop.remaining()):
                    return
            except (OSError, AssertionError, RuntimeError):  # no child possible here: a thread then
                pass
            if self._halt.is_set():
                self.lp_done.set()
                return
        limit = self.stop.remaining()
        prove(
            self.p, limit, self.stop.gap, self.small, self._on, lambda: self.upper, self._halt,
            self.columns,
        )  # fmt: skip
        self.lp_done.set()

    def _run_process(self, payload: bytes, limit: float) -> bool:
        """`prove` in a child process on the problem's `snapshot`; False if the
        child said nothing at all (it could not start here: the caller falls
        back to a thread)."""
        ctx = multiprocessing.get_context("spawn")
        here, there = ctx.Pipe()
        proc = ctx.Process(target=_child, args=(payload, limit, self.stop.gap, there), daemon=True)
        proc.start()
        there.close()
        told: float | None = None
        told_at = -np.inf
        halted = heard = lp_heard = False
        try:
            while True:
                if here.poll(0.2):
                    msg = here.recv()
                    heard = self.in_process = True  # read by `stats` even if the join times out
                    lp_heard = lp_heard or msg[0] == "lp"
                    if msg[0] == "done":
                        break
                    self._on(msg)
                elif not proc.is_alive():
                    break
                # the child reads the pipe only between its Lagrangian steps: talking
                # to it during the LP would fill the pipe and block both sides
                if self._halt.is_set() and not halted:
                    if not lp_heard:
                        break  # still in the LP, which cannot be interrupted: stop it
                    here.send(("halt",))
                    halted = True
                elif (
                    lp_heard
                    and not halted
                    and self.upper is not None
                    and self.upper != told
                    and time.monotonic() - told_at >= UPPER_EVERY
                ):
                    told, told_at = self.upper, time.monotonic()
                    here.send(("upper", told))
        except (EOFError, BrokenPipeError, OSError):
            pass
        finally:
            proc.join(timeout=5.0 if halted else 0.0)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=5.0)
            here.close()
        self.in_process = heard
        if heard:
            self.lp_done.set()
        return heard

    def running(self) -> bool:
        return self.thread.is_alive()

    def best(self) -> tuple[float | None, str]:
        with self._lock:
            return self._value, self._method

    def halt(self) -> None:
        """Ask the bound search to stop after its current step, without
        waiting: its last step then overlaps the caller's work."""
        self._halt.set()

    def finish(self) -> None:
        """Stop the bound search and wait for its last value: as long as the
        solve has time left, at least `FINISH_LEAST` and at most
        `FINISH_MOST` seconds. A pricing round still running then (one
        round of a large horizon programme can take longer) is left to end
        on its own: the solve keeps to its limit and its bound so far."""
        self.halt()
        if self.thread.is_alive():
            wait = min(FINISH_MOST, max(FINISH_LEAST, self.stop.remaining()))
            self.thread.join(timeout=wait)
        with self._lock:
            if self._lagrange is not None and self._value == self._lagrange.value:
                self._method = self._lagrange.method

    def stats(self) -> dict[str, object]:
        out: dict[str, object] = {"bound_in_process": self.in_process}
        if self._lp is not None:
            out["lp_bound"] = None if self._lp.value is None else round(self._lp.value, 2)
            out["lp_seconds"] = round(self._lp.seconds, 2)
        if self._lagrange is not None:
            out["lagrangian_bound"] = (
                None if self._lagrange.value is None else round(self._lagrange.value, 2)
            )
            out["lagrangian_seconds"] = round(self._lagrange.seconds, 2)
        return out
