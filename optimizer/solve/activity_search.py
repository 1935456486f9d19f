"""The activities' search: each shift's queue sequence under the stretch and
switch rules, as near the best as the budget allows, stopped at a proven bound.

Giving each worked interval of each shift one queue from the counts of
`allocate.optimal_allocation` is a flow. With contract v1.1's `activities`
rules (every stretch on one queue lasts at least `min_minutes`, at most
`max_switches_per_shift` changes a shift) it is no longer one: each shift's
sequence is a path through (queue, stretches so far, length of the current
stretch) states, and shifts compete for the same need. The method is a
near-exact local search whose every step is exact:

1. a start (`activity_start.py`): the counts of `s.alloc` are named
   greedily (an agent keeps the queue it served the interval before
   whenever the counts allow), and each shift's sequence is projected onto
   the rules — the sequence within the rules that keeps most of its
   penalty-weighted counted intervals;
2. best-response passes: each shift in turn gets the sequence within the
   rules that maximises Σ penalty × (intervals it fills that the roster
   still lacks, up to `p.required`), minus one tie-breaking unit per switch
   — an exact dynamic programme (`stretches.best_sequences`). Shifts that
   neither overlap in time nor share a queue are independent, so they are
   solved together (a colouring of the shifts) with exactly the result of
   doing them one by one. Coverage comes first and a switch costs less than
   any interval of cover, so a pass never loses coverage and, with no rule
   set, the roster keeps the coverage of the counts while shedding switches;
3. iterated local search, while the roster leaves more short than the lower
   bound (below), time is left and recent kicks found better: a plateau
   pass (each shift takes, among the sequences filling as much as its own,
   one at random) moves the passes off their local optimum, ordinary passes
   follow, and the best assignment seen is kept. Best responses alone stop
   where no single shift can gain, often where two shifts would have to
   trade stretches; the random sideways steps let such trades happen over a
   few passes.

Every sequence the search ever holds keeps the rules, so stopping on the
time budget needs no repair.

What is exact, and how far from the best the result is
(`activity_plan.plan_activities` reports it as an `ActivityReport`): the
rule-free flow's shortfall (the counts of `optimal_allocation` for the same
shifts) is a lower bound of any rule-keeping assignment. On problems of up
to `LP_MAX_SHIFTS` shifts, column generation (`activity_lp.py`) first
solves the LP relaxation of the sequences (each shift a convex combination
of rule-keeping sequences): its Lagrangian bound raises the lower bound,
and its heaviest columns become the search's start when they leave less
short than the start of step 1. The search stops as soon as it meets the
lower bound: the result is then proven optimal. On larger problems the
master LP's solves grow beyond the budget, and the flow's bound is what is
reported. The local search itself is not exact.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numba
import numpy as np

from optimizer.solve import activity_lp
from optimizer.solve.activity_shifts import ShiftTable, cells, coverage, shortfall
from optimizer.solve.allocate import penalty_units
from optimizer.solve.stretches import NEG, SequenceRules, sequence_programme

ACTIVITY_SECONDS = 3.0  # time budget of the best-response passes: a fixed part …
ACTIVITY_SECONDS_PER_AGENT = 0.05  # … and a part per agent, so that they converge
LEAST_SECONDS = 2.0  # the least time worth giving them: the start and the first passes …
LEAST_SECONDS_PER_AGENT = 0.01  # … a fixed part and a part per agent
ACTIVITY_PASSES = 8
PASS_GAIN = 0.005  # passes stop when one gains less than this share of the first's gain
KICK_PASSES = 0  # ordinary passes after each plateau pass of the iterated local search
STALL_KICKS = 30  # the local search ends after this many kicks without a better assignment
LP_MAX_SHIFTS = 1000  # column generation only up to this many shifts (its master LP grows fast)
LP_SHARE = 0.5  # … and for at most this share of the budget
POLISH_SECONDS = 1.0  # at most this long past the budget: the best's needless switches shed


def colour_batches(lo: np.ndarray, hi: np.ndarray, slots: np.ndarray) -> list[np.ndarray]:
    """Batches of shifts no two of which overlap in time ([lo, hi) grid
    intervals) and share a queue: their best responses are independent."""
    n_q = int(slots.max(initial=-1)) + 2
    busy = np.zeros((0, n_q), dtype=np.int64)  # per colour and queue: end of its last shift
    colour = np.zeros(len(lo), dtype=np.int64)
    for b in np.argsort(lo, kind="stable"):
        qs = slots[b][slots[b] >= 0]
        free = np.flatnonzero(busy[:, qs].max(axis=1, initial=np.iinfo(np.int64).min) <= lo[b])
        if len(free):
            c = int(free[0])
        else:
            c = len(busy)
            busy = np.vstack([busy, np.full((1, n_q), np.iinfo(np.int64).min)])
        busy[c, qs] = hi[b]
        colour[b] = c
    order = np.argsort(colour, kind="stable")
    return np.split(order, np.flatnonzero(np.diff(colour[order])) + 1) if len(order) else []


@dataclass
class _Responses:
    """Best-response passes over the shifts' sequences `x`, keeping `cover`
    (agents per queue and interval under `x`) up to date."""

    table: ShiftTable
    required: np.ndarray
    pen: np.ndarray  # per queue, integer: what an interval of its need is worth
    rules: SequenceRules
    x: np.ndarray
    cover: np.ndarray
    batches: list[np.ndarray]
    deadline: float

    def place(self, x: np.ndarray) -> None:
        """Hold sequences `x`, and the cover they give."""
        self.x[:] = x
        self.cover[:] = 0
        np.add.at(
            self.cover, cells(self.table, np.arange(len(self.table)), x, self.cover.shape[1]), 1
        )

    def run(self, rng: np.random.Generator | None = None) -> int | None:
        """One pass: each shift in turn (a batch of independent shifts at a
        time) takes its best sequence against what the others leave
        unfilled. With `rng`, a plateau pass: among sequences filling
        equally much, one at random (noise below the worth of one interval
        of cover, accepted when not worse), to leave a local optimum.
        Returns the gain in units of `run`'s scores; None past the deadline."""
        t = self.table
        width = (t.slots >= 0).sum(axis=1)
        N = t.pos.shape[1]
        unit = N + 1  # a switch costs 1, an interval of cover at least `unit`
        no_noise = np.zeros((0, 0, 0), dtype=np.int64)
        gained = 0
        for batch in self.batches:
            if time.monotonic() > self.deadline:
                return None
            J = int(width[batch].max())
            # doubled values plus a random bit: ties broken at random
            noise = no_noise if rng is None else rng.integers(0, 2, (len(batch), N, J))
            gained += _respond(
                t.slots, t.pos, t.length, self.x, self.cover, self.required, self.pen,
                unit, batch, J, *self.rules.counters, rng is not None, noise,
            )  # fmt: skip
        return gained


@numba.njit(cache=True, nogil=True)
def _respond(
    slots: np.ndarray,
    pos: np.ndarray,
    length: np.ndarray,
    x: np.ndarray,
    cover: np.ndarray,
    required: np.ndarray,
    pen: np.ndarray,
    unit: int,
    batch: np.ndarray,
    J: int,
    L: int,
    K: int,
    limited: bool,
    plateau: bool,
    noise: np.ndarray,
) -> int:
    """The best responses of one batch of independent shifts (`_Responses.run`),
    compiled: out of `cover`, each slot at each position valued (`pen` ×
    `unit` where its queue is still short, 0 elsewhere and off the grid;
    on a plateau pass doubled plus `noise`, and a switch costs 2), each
    shift's best sequence (`stretches.sequence_programme`) taken when it scores
    more than its own (on a plateau, no less), back into `cover`. Returns
    the gain in those scores."""
    nb, N, T = len(batch), pos.shape[1], cover.shape[1]
    switch = 2 if plateau else 1
    for i in range(nb):
        b = batch[i]
        for n in range(length[b]):
            if 0 <= pos[b, n] < T:
                cover[slots[b, x[b, n]], pos[b, n]] -= 1
    value = np.zeros((nb, N, J), dtype=np.int64)
    lengths = np.empty(nb, dtype=np.int64)
    old = np.zeros(nb, dtype=np.int64)
    for i in range(nb):
        b = batch[i]
        lengths[i] = length[b]
        for n in range(length[b]):
            t = pos[b, n]
            for j in range(J):
                q = slots[b, j]
                if q < 0:
                    value[i, n, j] = NEG
                    continue
                v = pen[q] * unit if 0 <= t < T and cover[q, t] < required[q, t] else 0
                value[i, n, j] = 2 * v + noise[i, n, j] if plateau else v
            old[i] += value[i, n, x[b, n]]
            if n > 0 and x[b, n] != x[b, n - 1]:
                old[i] -= switch
    seq = np.full((nb, N), -1, dtype=np.int64)
    score = np.zeros(nb, dtype=np.int64)
    sequence_programme(value, lengths, L, K, limited, switch, seq, score)
    gained = 0
    for i in range(nb):
        b = batch[i]
        if score[i] > old[i] or (plateau and score[i] == old[i]):
            gained += score[i] - old[i]
            x[b, :] = seq[i, :]
        for n in range(length[b]):
            if 0 <= pos[b, n] < T:
                cover[slots[b, x[b, n]], pos[b, n]] += 1
    return gained


def assign_sequences(
    table: ShiftTable,
    required: np.ndarray,
    penalty: np.ndarray,
    rules: SequenceRules,
    start: np.ndarray,
    time_budget: float = ACTIVITY_SECONDS,
    passes: int = ACTIVITY_PASSES,
    *,
    floor: int = 0,
    kicks: int | None = None,
    seed: int = 0,
) -> np.ndarray:
    """[B, N] slot of each shift's positions (−1 beyond its length), from the
    `start` sequences (each within the rules).

    1. Best-response passes (see module doc) until a pass gains less than
       `PASS_GAIN` of the first pass's gain or `passes` are done.
    2. Iterated local search while the shortfall is above `floor` (the
       rule-free counts' shortfall in `penalty_units`, which nothing
       can beat), `kicks` times (None: until the budget is spent or
       `STALL_KICKS` kicks in a row found nothing better): a plateau
       pass, then `KICK_PASSES` ordinary passes; the best sequences seen are
       kept, and ordinary passes shed their needless switches (they never
       lose cover). Every step stops at `time_budget` seconds, the last
       at most `POLISH_SECONDS` later; the first pass of step 1 always
       runs to its end."""
    if len(table) == 0:
        return start.copy()
    pen = penalty_units(penalty)
    lo = table.pos[:, 0]
    hi = np.take_along_axis(table.pos, np.maximum(table.length - 1, 0)[:, None], axis=1)[:, 0] + 1
    search = _Responses(
        table,
        required,
        pen,
        rules,
        start.copy(),
        np.zeros(required.shape, dtype=np.int64),
        colour_batches(lo, hi, table.slots),
        time.monotonic() + time_budget,
    )
    search.place(start)
    # the first pass runs whole whatever the budget: the projected start alone can
    # leave several times what one pass does short, and a pass is quick
    deadline, search.deadline = search.deadline, math.inf
    first = search.run() or 0
    search.deadline = deadline
    for _ in range(passes - 1 if first > 0 else 0):
        gained = search.run()
        if gained is None:
            return search.x
        if gained <= PASS_GAIN * first:
            break
    best, best_short = search.x.copy(), shortfall(search.cover, required, pen)
    rng = np.random.default_rng(seed)
    kick = stalled = 0
    while best_short > floor and (kicks is None or kick < kicks) and stalled < STALL_KICKS:
        kick += 1
        if search.run(rng) is None or any(search.run() is None for _ in range(KICK_PASSES)):
            break
        short = shortfall(search.cover, required, pen)
        stalled += 1
        if short < best_short:
            best, best_short, stalled = search.x.copy(), short, 0
    if kick:  # the best seen, its needless switches shed by ordinary passes
        search.place(best)
        search.deadline = max(search.deadline, time.monotonic() + POLISH_SECONDS)
        for _ in range(passes):
            if not search.run():
                break
    return search.x


def best_sequences_of(
    table: ShiftTable,
    required: np.ndarray,
    penalty: np.ndarray,
    rules: SequenceRules,
    start: np.ndarray,
    floor: int,
    time_budget: float,
    *,
    lp_max_shifts: int = LP_MAX_SHIFTS,
    lp_rounds: int = activity_lp.MAX_ROUNDS,
) -> tuple[np.ndarray, float, str]:
    """The shifts' sequences from `start` (module doc), with the best lower
    bound of their shortfall penalty (reporting currency) and how it was
    proven: `floor` (the rule-free shortfall in `penalty_units`), raised by
    column generation when there are at most `lp_max_shifts` shifts. The
    result leaves no more short than `start`."""
    t0 = time.monotonic()
    pen = penalty_units(penalty)
    start_short = shortfall(coverage(table, start, required.shape), required, pen)
    lower, method = floor / 100, "the rule-free flow (column generation not run)"
    if start_short <= floor:
        method = "the rule-free flow (met by the start)"
    elif len(table) <= lp_max_shifts:
        cg = activity_lp.column_generation(
            table, required, penalty, rules, start,
            time_limit=LP_SHARE * time_budget, max_rounds=lp_rounds,
        )  # fmt: skip
        lower = max(lower, cg.lower)
        method = f"column generation ({cg.status}, {cg.rounds} rounds, {cg.columns} columns)"
        if shortfall(coverage(table, cg.x, required.shape), required, pen) < start_short:
            start = cg.x
    target = max(floor, math.ceil(lower * 100 - 1e-3))  # the search stops there: proven best
    left = max(0.0, time_budget - (time.monotonic() - t0))
    x = assign_sequences(table, required, penalty, rules, start, left, floor=target)
    return x, lower, method
