"""Column generation for the activities: a lower bound on the shortfall the
stretch and switch rules force, and a near-integral start for the search.

Fixing the shifts, the activities problem is: each shift picks one sequence
within the rules (`stretches.py`), shifts compete for the same need. Its LP
relaxation lets each shift take a convex combination of sequences:

    min Σ pen[q] u[q, t]
    s.t. Σ_columns cover(q, t) λ + u[q, t] ≥ required[q, t]   (prices π)
         Σ_{columns of shift b} λ = 1                        (per shift)

with a row only where there is need some shift can serve. The columns are
generated: the master (GLOP, re-solved after new columns are added) gives
prices π, and each shift's best sequence at π — the exact programme of
`stretches.best_sequences` — is a new column when its reduced cost is
negative. For any prices 0 ≤ π ≤ pen,

    L(π) = Σ π required − Σ_b max_sequence Σ π × cover

is a lower bound of the shortfall penalty of every rule-keeping assignment
(Lagrangian relaxation of the coverage rows), so each round gives a valid
bound whether or not the master has converged; at convergence it meets the
LP's value. Prices are floored to whole 2⁻²⁰ of the currency so the
programme's integer scores make the bound exact. Prices are smoothed
towards the best ones so far (Wentges) to damp the master's jumping duals.

The integer answer read off the master, each shift's heaviest column, is
only a start: the LP splits alike shifts between columns, and the
best-response passes of `activity_search.py` settle what is fractional.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from ortools.linear_solver import pywraplp

from optimizer.solve.stretches import SequenceRules, best_sequences, slot_values

if TYPE_CHECKING:
    from optimizer.solve.activity_shifts import ShiftTable

SCALE = 1 << 20  # prices in the programme: whole 2^-20 of the reporting currency
SMOOTHING = 0.5  # weight of the best prices so far in the next prices
CHUNK = 1024  # shifts per programme call (its memory is linear in them)
MAX_ROUNDS = 100
LP_SOLVER = "GLOP"
TOLERANCE = 1e-7  # relative: the master's value this close to the bound has converged


@dataclass(frozen=True)
class ColumnResult:
    """What column generation found for fixed shifts (penalties in the
    reporting currency, over the rows the shifts can serve)."""

    x: np.ndarray  # [B, N] each shift's heaviest column (LP FAILED: the start): slots, −1 beyond
    lower: float  # best Lagrangian bound: no rule-keeping assignment leaves less short
    master: float  # the last master's value (≥ the LP optimum ≥ lower)
    rounds: int
    columns: int
    status: str  # CONVERGED, ROUNDS, TIME or LP FAILED (the LP solver found no optimum)


def cells(table: ShiftTable, b: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, ...]:
    """(column, queue, interval) of every position of the shifts `b` under
    sequences `x` [len(b), N]; the column is the row of `x`. Off-grid
    positions are kept (callers drop them)."""
    n_pos = table.pos.shape[1]
    ok = np.arange(n_pos)[None, :] < table.length[b, None]
    c, n = np.nonzero(ok)
    q = table.slots[b[c], np.maximum(x[c, n], 0)]
    return c, q, table.pos[b[c], n]


def price(
    table: ShiftTable, gain: np.ndarray, rules: SequenceRules
) -> tuple[np.ndarray, np.ndarray]:
    """Each shift's best sequence and its score at integer prices `gain`
    [Q, T] (no switch cost): ([B, N] slots, [B] scores)."""
    B, N = table.pos.shape
    width = (table.slots >= 0).sum(axis=1)
    seq = np.full((B, N), -1, dtype=np.int64)
    score = np.zeros(B, dtype=np.int64)
    for w in np.unique(width):  # fewer slots, smaller programmes
        sel = np.flatnonzero(width == w)
        for part in np.array_split(sel, max(1, -(-len(sel) // CHUNK))):
            value = slot_values(table.slots[part, :w], table.pos[part], gain)
            seq[part], score[part] = best_sequences(value, table.length[part], rules, 0)
    return seq, score


class Master:
    """The restricted master LP (module doc) with its columns."""

    def __init__(self, table: ShiftTable, required: np.ndarray, penalty: np.ndarray):
        self.table, self.required, self.penalty = table, required, np.asarray(penalty, float)
        B = len(table)
        T = required.shape[1]
        b, n = np.nonzero(np.arange(table.pos.shape[1])[None, :] < table.length[:, None])
        t = table.pos[b, n]
        reach = np.zeros(required.shape, dtype=bool)
        for j in range(table.slots.shape[1]):
            q = table.slots[b, j]
            ok = (q >= 0) & (t >= 0) & (t < T)
            reach[q[ok], t[ok]] = True
        rows = (required > 0) & reach
        self.rq, self.rt = np.nonzero(rows)
        self.row = np.full(required.shape, -1, dtype=np.int64)
        self.row[self.rq, self.rt] = np.arange(len(self.rq))
        # need nobody can serve: short whatever the assignment
        self.fixed = float((required * ~reach * self.penalty[:, None]).sum())
        lp = pywraplp.Solver.CreateSolver(LP_SOLVER)
        lp.SetSolverSpecificParametersAsString("use_preprocessing: false")  # warm starts
        self.lp = lp
        obj = lp.Objective()
        self.cover = []
        for q, t in zip(self.rq, self.rt, strict=True):
            ct = lp.Constraint(float(required[q, t]), lp.infinity())
            u = lp.NumVar(0.0, lp.infinity(), "")
            ct.SetCoefficient(u, 1.0)
            obj.SetCoefficient(u, float(self.penalty[q]))
            self.cover.append(ct)
        self.convex = [lp.Constraint(1.0, 1.0) for _ in range(B)]
        obj.SetMinimization()
        self.shift: list[int] = []
        self.seqs: list[np.ndarray] = []
        self.vars: list[pywraplp.Variable] = []
        self.seen: set[tuple[int, bytes]] = set()

    def add(self, b: np.ndarray, x: np.ndarray) -> int:
        """Add the sequences `x` of shifts `b` not already columns; how many were new."""
        fresh = []
        for i, bi in enumerate(b):
            key = (int(bi), x[i].tobytes())
            if key not in self.seen:
                self.seen.add(key)
                fresh.append(i)
        if not fresh:
            return 0
        idx = np.array(fresh)
        c, q, t = cells(self.table, b[idx], x[idx])
        inside = (t >= 0) & (t < self.required.shape[1])
        r = np.full(len(c), -1, dtype=np.int64)
        r[inside] = self.row[q[inside], t[inside]]
        c, r = c[r >= 0], r[r >= 0]
        cuts = np.searchsorted(c, np.arange(len(idx) + 1))
        lp = self.lp
        for k, i in enumerate(idx):
            v = lp.NumVar(0.0, lp.infinity(), "")
            self.convex[int(b[i])].SetCoefficient(v, 1.0)
            for row in r[cuts[k] : cuts[k + 1]]:
                self.cover[row].SetCoefficient(v, 1.0)
            self.vars.append(v)
            self.shift.append(int(b[i]))
            self.seqs.append(x[i].copy())
        return len(idx)

    def solve(self) -> tuple[float, np.ndarray, np.ndarray] | None:
        """(value, prices [Q, T] clipped to [0, pen], [B] convexity duals);
        None when the LP solver ends without an optimum (the slack u keeps
        the master feasible, but a large degenerate one can still defeat it)."""
        if self.lp.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        pi = np.zeros(self.required.shape)
        pi[self.rq, self.rt] = [ct.dual_value() for ct in self.cover]
        pi = np.clip(pi, 0.0, self.penalty[:, None])
        mu = np.array([ct.dual_value() for ct in self.convex])
        return self.lp.Objective().Value() + self.fixed, pi, mu

    def heaviest(self) -> np.ndarray:
        """[B, N] each shift's column of largest weight (the first on a tie)."""
        weight = np.array([v.solution_value() for v in self.vars])
        shift = np.array(self.shift)
        order = np.lexsort((-weight, shift))  # by shift, heaviest first
        first = order[np.r_[True, shift[order][1:] != shift[order][:-1]]]
        out = np.full(self.table.pos.shape, -1, dtype=np.int64)
        out[shift[first]] = np.array(self.seqs)[first]
        return out

    def lagrangian(self, gain: np.ndarray, score: np.ndarray) -> float:
        """L(gain / SCALE) of the module doc, with `score` each shift's best
        at `gain`: a valid lower bound in the reporting currency."""
        priced = int((gain[self.rq, self.rt] * self.required[self.rq, self.rt]).sum())
        return (priced - int(score.sum())) / SCALE + self.fixed


def column_generation(
    table: ShiftTable,
    required: np.ndarray,
    penalty: np.ndarray,
    rules: SequenceRules,
    start: np.ndarray,
    *,
    time_limit: float = math.inf,
    max_rounds: int = MAX_ROUNDS,
) -> ColumnResult:
    """Column generation (module doc) from the `start` sequences, for at most
    `max_rounds` pricing rounds or `time_limit` seconds (checked between
    rounds; the result then depends on the machine's speed)."""
    deadline = time.monotonic() + time_limit
    B = len(table)
    shifts = np.arange(B)
    master = Master(table, required, penalty)
    master.add(shifts, start)
    ceiling = np.floor(master.penalty * SCALE).astype(np.int64)[:, None]
    best, center = -math.inf, None
    solved = master.solve()
    if solved is None:  # no prices to start from: nothing proven, the start kept
        return ColumnResult(start.copy(), best, math.inf, 0, len(master.vars), "LP FAILED")
    value, pi, mu = solved
    rounds, status = 0, "ROUNDS"
    while rounds < max_rounds:
        if time.monotonic() > deadline:
            status = "TIME"
            break
        rounds += 1
        raw = pi if center is None else SMOOTHING * center + (1.0 - SMOOTHING) * pi
        gain = np.minimum(np.floor(raw * SCALE).astype(np.int64), ceiling)
        seq, score = price(table, gain, rules)
        bound = master.lagrangian(gain, score)
        if bound > best:
            best, center = bound, raw
        elif center is not None and raw is not pi:
            center = None  # a mispricing: the next round prices at the master's duals
        if value - best <= TOLERANCE * max(1.0, abs(value)):
            status = "CONVERGED"
            break
        # reduced cost at the master's duals: 0 − Σ π × cover − μ
        c, q, t = cells(table, shifts, seq)
        inside = (t >= 0) & (t < required.shape[1])
        got = np.bincount(c[inside], weights=pi[q[inside], t[inside]], minlength=B)
        better = got + mu > 1e-9 * max(1.0, float(master.penalty.max(initial=1.0)))
        if master.add(shifts[better], seq[better]) == 0:
            if center is None:
                status = "CONVERGED"  # no column prices out: the master is the LP optimum
                break
            center = None
            continue
        solved = master.solve()
        if solved is None:  # the bounds proven so far stand; no master to read: the start
            return ColumnResult(start.copy(), best, value, rounds, len(master.vars), "LP FAILED")
        value, pi, mu = solved
    return ColumnResult(master.heaviest(), best, value, rounds, len(master.vars), status)
