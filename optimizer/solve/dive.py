"""A roster from column generation's master LP by diving: hold the days the
LP is surest of, price again, repeat.

The master LP's optimum mixes several schedules per agent, and rounding it
(each agent on its heaviest schedule) covers badly: the schedules that
would complete the roster were never priced, because no LP needed them.
Price-and-branch diving generates them: with the master converged, hold
the (agent, day) cells whose LP value is clearest — on each agent's
heaviest column, every open day where the columns agreeing with it weigh
at least `level`, and at least `share` of the open days with the most
weight — price a few rounds that keep to every held day, and repeat until
every day of every agent is held. Holding days rather than whole columns
keeps the LP near its optimum almost to the end (holding whole columns
moves it away within a few steps). Each LP on the way is rounded into a
candidate roster, valued by the master's objective. The held days of an
agent always agree with one of its columns, so the restricted master is
never infeasible.

The dive stops early when the restricted problem's Lagrangian value — a
bound of the rosters that keep the held days, not of the problem — reaches
the best roster known. The master is left with every day open again.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from optimizer.solve.bounds.colgen import OFF, OPEN, ColumnGeneration


@dataclass(frozen=True)
class Dive:
    """The best roster the dive met: each agent's template on each day
    (`OFF` where off), its value by the master's objective, and the steps."""

    rows: np.ndarray | None  # [A, D]; None: no candidate better than `best` was met
    value: float
    steps: int


def steps_left(n_open: int, share: float) -> int:
    """Steps until `n_open` open days are held, `share` of them a step."""
    steps = 1
    while n_open > 0:
        n_open -= max(1, math.ceil(share * n_open))
        steps += 1
    return steps


def days_to_hold(
    cg: ColumnGeneration, share: float, level: float
) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """The open days to hold next, as (agent, days, values): on each agent's
    heaviest column, every open day where the columns that agree with it
    there weigh at least `level`, and at least `share` of all open days,
    those with the most weight first. All of an agent's held days agree
    with its heaviest column, so they always admit a schedule."""
    w = cg.weights()
    top = cg.heaviest(w)
    A, D = cg.held.shape
    rows = np.full((A, D), OFF, dtype=np.int64)
    agree = np.zeros((A, D))
    for a in np.flatnonzero(top >= 0).tolist():
        rows[a] = cg.columns[int(top[a])].row
    for i, col in enumerate(cg.columns):
        if w[i] > 0.0:
            agree[col.agent] += w[i] * (col.row == rows[col.agent])
    is_open = (cg.held == OPEN) & (top >= 0)[:, None]
    return surest(np.where(is_open, agree, -1.0), rows, share, level)


def surest(
    val: np.ndarray, rows: np.ndarray, share: float, level: float
) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """The cells to hold given each open cell's LP value `val` [A, D] (−1
    where held already) and the value to hold it to `rows` [A, D]: every
    cell of value ≥ `level`, and at least `share` of the open ones, the
    surest first; as (agent, days, values)."""
    n_open = int((val >= 0).sum())
    if n_open == 0:
        return []
    k = max(1, math.ceil(share * n_open), int((val >= level).sum()))
    flat = np.argsort(-val, axis=None, kind="stable")[: min(k, n_open)]
    pick = np.zeros(val.shape, dtype=bool)
    pick.flat[flat] = True
    return [(a, np.flatnonzero(pick[a]), rows[a, pick[a]]) for a in np.flatnonzero(pick.any(1))]


def dive(
    cg: ColumnGeneration,
    time_limit: float,
    best: float = math.inf,
    upper: Callable[[], float | None] | None = None,
    halt: threading.Event | None = None,
    share: float = 0.15,
    level: float = 0.99,
) -> Dive:
    """Dive from the converged master `cg` for at most `time_limit` seconds
    (module doc); a roster is kept only if its value is below `best` and
    the best roster known (`upper`). Each step prices until the master
    converges or the step's even share of the time left runs out."""
    deadline = time.monotonic() + time_limit
    rows: np.ndarray | None = None
    steps = 0
    try:
        while time.monotonic() < deadline and not (halt is not None and halt.is_set()):
            n_open = cg.open_days()
            left = deadline - time.monotonic()
            cg.run(left / steps_left(n_open, share), halt=halt)
            known = upper() if upper is not None else None
            target = min(best, math.inf if known is None else known)
            if cg.held_best >= target - 1e-6:
                break  # no roster that keeps the held days is better
            top = cg.heaviest()
            if (top >= 0).all():
                value = cg.value_of(top)
                if value < best - 1e-9:
                    best = value
                    rows = np.stack([cg.columns[int(i)].row for i in top])
            if n_open == 0:
                break
            for a, days, values in days_to_hold(cg, share, level):
                cg.hold(int(a), days, values)
            steps += 1
    finally:
        cg.release()
    return Dive(rows, best, steps)
