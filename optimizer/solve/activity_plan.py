"""Named agents → activity segments under the stretch and switch rules.

From the counts of `allocate.optimal_allocation`, `activities` gives each worked interval of each shift one queue. With
contract v1.1's `activities` rules (every stretch on one queue lasts at
least `min_minutes`, at most `max_switches_per_shift` changes a shift) this
is no longer a flow: each shift's sequence is a path through (queue,
stretches so far, length of the current stretch) states, and shifts compete
for the same need. The method is a near-exact local search whose every
step is exact:

1. a start: the counts of `s.alloc` are named greedily (an agent keeps the
   queue it served the interval before whenever the counts allow), and each
   shift's sequence is projected onto the rules — the sequence within the
   rules that keeps most of its penalty-weighted counted intervals;
2. best-response passes: each shift in turn gets the sequence within the
   rules that maximises Σ penalty × (intervals it fills that the roster
   still lacks, up to `p.required`), minus one tie-breaking unit per switch
   — an exact dynamic programme (`stretches.best_sequences`). Shifts that
   neither overlap in time nor share a queue are independent, so they are
   solved together (a colouring of the shifts) with exactly the result of
   doing them one by one. Coverage comes first and a switch costs less than
   any interval of cover, so a pass never loses coverage and, with no rule
   set, the roster keeps the coverage of the counts while shedding switches.

3. iterated local search, while the roster leaves more short than the lower
   bound (below),
   time is left and recent kicks found better: a plateau pass (each shift
   takes, among the sequences filling as much as its own, one at random)
   moves the passes off their local optimum, ordinary passes follow, and
   the best assignment seen is kept. Best responses alone stop where no single shift can gain, often
   where two shifts would have to trade stretches; the random sideways
   steps let such trades happen over a few passes.

Every sequence the search ever holds keeps the rules, so stopping on the
time budget needs no repair.

What is exact, and how far from the best the result is (`plan_activities`
reports it as an `ActivityReport`): the rule-free flow's shortfall (the
counts of `optimal_allocation` for the same shifts) is a lower bound of any
rule-keeping assignment. On problems of up to `LP_MAX_SHIFTS` shifts,
column generation (`activity_lp.py`) first solves the LP relaxation of the
sequences (each shift a convex combination of rule-keeping sequences): its
Lagrangian bound raises the lower bound, and its heaviest columns become
the search's start when they leave less short than the start of step 1.
The search stops as soon as it meets the lower bound: the result is then
proven optimal. On larger problems the master LP's solves grow beyond the
budget, and the flow's bound is what is reported. The local search itself
is not exact.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.roster import BREAK, Roster
from optimizer.solve import activity_lp
from optimizer.solve.allocate import allocate_counts, penalty_units
from optimizer.solve.problem import Problem
from optimizer.solve.state import State, on_duty
from optimizer.solve.stretches import (
    NEG,
    SequenceRules,
    best_sequences,
    sequence_scores,
    slot_values,
)

ACTIVITY_SECONDS = 3.0  # time budget of the best-response passes: a fixed part …
ACTIVITY_SECONDS_PER_AGENT = 0.05  # … and a part per agent, so that they converge
ACTIVITY_PASSES = 8
PASS_GAIN = 0.005  # passes stop when one gains less than this share of the first's gain
KICK_PASSES = 0  # ordinary passes after each plateau pass of the iterated local search
STALL_KICKS = 30  # the local search ends after this many kicks without a better assignment
LP_MAX_SHIFTS = 1000  # column generation only up to this many shifts (its master LP grows fast)
LP_SHARE = 0.5  # … and for at most this share of the budget
POLISH_SECONDS = 1.0  # at most this long past the budget: the best's needless switches shed


def activity_seconds(p: Problem) -> float:
    """The time budget of `activities` on this problem: enough for its passes
    to converge on a scenario of its size (a pass is about linear in shifts)."""
    return ACTIVITY_SECONDS + ACTIVITY_SECONDS_PER_AGENT * p.n_agents


@dataclass(frozen=True)
class ShiftTable:
    """Every worked shift of a state with its on-duty positions.

    `pos[b, n]` is the grid interval of shift b's n-th on-duty interval (its
    break left out; it may lie off the grid for a shift that runs past it),
    valid for n < `length[b]`; `slots[b, j]` the queue index of the shift's
    j-th slot (its group's queues; −1 pads)."""

    agent: np.ndarray  # [B]
    day: np.ndarray  # [B]
    tpl: np.ndarray  # [B]
    group: np.ndarray  # [B]
    pos: np.ndarray  # [B, N]
    length: np.ndarray  # [B]
    slots: np.ndarray  # [B, J]
    brk: np.ndarray  # [B, 2] UTC minutes of the break (equal: none)

    def __len__(self) -> int:
        return len(self.agent)


def shift_table(p: Problem, s: State) -> ShiftTable:
    """The worked shifts of `s` whose group serves a queue."""
    a, d = np.nonzero(s.works)
    serving = np.array([len(q) > 0 for q in p.group_queues], dtype=bool)
    keep = serving[p.agent_group[a]] if len(serving) else np.zeros(len(a), dtype=bool)
    a, d = a[keep], d[keep]
    k = s.tpl[a, d]
    step, t0 = p.grid.interval, p.grid.start
    start = np.zeros(len(a), dtype=np.int64)
    end, b0, b1 = start.copy(), start.copy(), start.copy()
    site = p.agent_site[a]
    for si in np.unique(site):
        sel = site == si
        tp = p.sites[si].tpl
        kk = k[sel]
        start[sel], end[sel] = tp.start[kk], tp.end[kk]
        b0[sel] = tp.brk_start[kk]
        b1[sel] = tp.brk_start[kk] + tp.brk_len[kk]
    full = int(((end - start) // step).max(initial=1))
    minute = start[:, None] + step * np.arange(full)[None, :]
    on = (minute < end[:, None]) & ~((minute >= b0[:, None]) & (minute < b1[:, None]))
    order = np.argsort(~on, axis=1, kind="stable")
    length = on.sum(axis=1)
    N = int(length.max(initial=1))
    pos = (np.take_along_axis(minute, order, axis=1)[:, :N] - t0) // step
    width = max((len(q) for q in p.group_queues), default=1)
    gq = np.full((len(p.group_queues), width), -1, dtype=np.int64)
    for g, qs in enumerate(p.group_queues):
        gq[g, : len(qs)] = qs
    g = p.agent_group[a]
    return ShiftTable(a, d, k, g, pos, length, gq[g], np.stack([b0, b1], axis=1))


def greedy_names(p: Problem, s: State) -> tuple[np.ndarray, np.ndarray]:
    """Named agents for the counts of `s.alloc`, per interval: ([A, T] slot
    in the agent's group queues, −1 off duty; [A, T] whether the agent is one
    of the counts, not one beyond them). An agent keeps the slot it had the
    interval before whenever the counts allow; one beyond the counts stays
    where it was (or on the group's neediest queue)."""
    T = p.grid.n
    slot = np.full((p.n_agents, T), -1, dtype=np.int64)
    counted = np.zeros((p.n_agents, T), dtype=bool)
    working = np.zeros((p.n_agents, T), dtype=bool)
    a, d = np.nonzero(s.works)
    for ai, di in zip(a, d, strict=True):
        st = p.sites[p.agent_site[ai]]
        k = int(s.tpl[ai, di])
        working[ai, int(st.a[k]) : int(st.b[k])] = True
        if st.tpl.brk_len[k] > 0:
            working[ai, int(st.ba[k]) : int(st.bb[k])] = False
    for g, qs in enumerate(p.group_queues):
        members = np.flatnonzero(p.agent_group == g)
        if len(members) == 0 or len(qs) == 0:
            continue
        counts = s.alloc[g]
        home = int(np.argmax(p.required[qs].sum(axis=1)))
        prev = np.full(p.n_agents, -1, dtype=np.int64)
        for t in np.flatnonzero(working[members].any(axis=0)):
            here = members[working[members, t]]
            left = counts[:, t].copy()
            for m in here:  # keep agents on the queue they served the interval before
                j = prev[m]
                if j >= 0 and left[j] > 0:
                    slot[m, t], counted[m, t] = j, True
                    left[j] -= 1
            for m in here:
                if slot[m, t] >= 0:
                    continue
                open_slots = np.flatnonzero(left > 0)
                if len(open_slots):
                    slot[m, t], counted[m, t] = int(open_slots[0]), True
                    left[open_slots[0]] -= 1
                else:  # beyond the counts
                    slot[m, t] = prev[m] if prev[m] >= 0 else home
            prev[members] = -1
            prev[here] = slot[here, t]
    return slot, counted


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


def _values(table: ShiftTable, batch: np.ndarray, J: int, gain: np.ndarray, T: int) -> np.ndarray:
    """[b, N, J] value of each slot at each position of the batch's shifts
    (`stretches.slot_values`)."""
    return slot_values(table.slots[batch, :J], table.pos[batch], gain[:, :T])


def _cells(table: ShiftTable, batch: np.ndarray, x: np.ndarray, T: int):  # type: ignore[no-untyped-def]
    """(queue, interval) of every on-grid position of the batch's shifts under `x`."""
    t = table.pos[batch]
    ok = (np.arange(t.shape[1])[None, :] < table.length[batch, None]) & (t >= 0) & (t < T)
    q = np.take_along_axis(table.slots[batch], np.maximum(x[batch], 0), axis=1)
    return q[ok], t[ok]


def _coverage(table: ShiftTable, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """[Q, T] agents per queue and interval under sequences `x`."""
    out = np.zeros(shape, dtype=np.int64)
    np.add.at(out, _cells(table, np.arange(len(table)), x, shape[1]), 1)
    return out


def _shortfall(have: np.ndarray, required: np.ndarray, pen: np.ndarray) -> int:
    """Penalty-weighted need that `have` agents per queue and interval leave unmet."""
    return int((np.clip(required - have, 0, None) * pen[:, None]).sum())


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
            self.cover, _cells(self.table, np.arange(len(self.table)), x, self.cover.shape[1]), 1
        )

    def run(self, rng: np.random.Generator | None = None) -> int | None:
        """One pass: each shift in turn (a batch of independent shifts at a
        time) takes its best sequence against what the others leave
        unfilled. With `rng`, a plateau pass: among sequences filling
        equally much, one at random (noise below the worth of one interval
        of cover, accepted when not worse), to leave a local optimum.
        Returns the gain in units of `run`'s scores; None past the deadline."""
        t, T = self.table, self.required.shape[1]
        width = (t.slots >= 0).sum(axis=1)
        unit = t.pos.shape[1] + 1  # a switch costs 1, an interval of cover at least `unit`
        gained = 0
        for batch in self.batches:
            if time.monotonic() > self.deadline:
                return None
            J = int(width[batch].max())
            np.add.at(self.cover, _cells(t, batch, self.x, T), -1)
            gain = np.where(self.cover < self.required, self.pen[:, None] * unit, 0)
            value = _values(t, batch, J, gain, T)
            switch = 1
            if rng is not None:  # doubled, plus a random bit: ties broken at random
                value = np.where(value > NEG, 2 * value + rng.integers(0, 2, value.shape), NEG)
                switch = 2
            old = sequence_scores(value, self.x[batch], t.length[batch], switch)
            seq, score = best_sequences(value, t.length[batch], self.rules, switch)
            better = score >= old if rng is not None else score > old
            self.x[batch[better]] = seq[better]
            gained += int((score - old)[better].sum())
            np.add.at(self.cover, _cells(t, batch, self.x, T), 1)
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
       at most `POLISH_SECONDS` later."""
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
    first = 0
    for _ in range(passes):
        gained = search.run()
        if gained is None:
            return search.x
        first = first or gained
        if gained <= PASS_GAIN * first:
            break
    best, best_short = search.x.copy(), _shortfall(search.cover, required, pen)
    rng = np.random.default_rng(seed)
    kick = stalled = 0
    while best_short > floor and (kicks is None or kick < kicks) and stalled < STALL_KICKS:
        kick += 1
        if search.run(rng) is None or any(search.run() is None for _ in range(KICK_PASSES)):
            break
        short = _shortfall(search.cover, required, pen)
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


def start_sequences(table: ShiftTable, p: Problem, s: State, rules: SequenceRules) -> np.ndarray:
    """Each shift's greedy naming of the counts (`greedy_names`), projected
    onto the rules: the sequence within them keeping the most
    penalty-weighted counted intervals (with no rule: the naming itself)."""
    slot, counted = greedy_names(p, s)
    T = p.grid.n
    t = np.clip(table.pos, 0, T - 1)
    inside = (table.pos >= 0) & (table.pos < T)
    named = np.where(inside, slot[table.agent[:, None], t], -1)
    keep = inside & counted[table.agent[:, None], t]
    pen = penalty_units(p.penalty) + 1
    J = table.slots.shape[1]
    unit = table.pos.shape[1] + 1
    q = np.take_along_axis(table.slots, np.maximum(named, 0), axis=1)
    worth = np.where(keep, pen[q] * unit, 0)
    value = np.where(np.arange(J)[None, None, :] == named[:, :, None], worth[:, :, None], 0)
    value = np.where((table.slots >= 0)[:, None, :], value, NEG)
    out = np.full(table.pos.shape, -1, dtype=np.int64)
    width = (table.slots >= 0).sum(axis=1)
    for w in np.unique(width):  # fewer slots, smaller programmes
        sel = np.flatnonzero(width == w)
        for part in np.array_split(sel, max(1, len(sel) // 256)):
            out[part], _ = best_sequences(value[part, :, :w], table.length[part], rules)
    return out


def segments(p: Problem, table: ShiftTable, x: np.ndarray) -> pd.DataFrame:
    """Activity segments of the shifts under sequences `x`: runs of one queue
    on consecutive positions, plus each shift's break."""
    step, t0 = p.grid.interval, p.grid.start
    N = table.pos.shape[1]
    ok = np.arange(N)[None, :] < table.length[:, None]
    b, n = np.nonzero(ok)
    q = table.slots[b, x[b, n]]
    minute = t0 + table.pos[b, n] * step
    new = np.ones(len(b), dtype=bool)
    new[1:] = (b[1:] != b[:-1]) | (q[1:] != q[:-1]) | (minute[1:] != minute[:-1] + step)
    first = np.flatnonzero(new)
    last = np.append(first[1:], len(b)) - 1
    rb = b[first]
    has = table.brk[:, 1] > table.brk[:, 0]
    site_ids = np.array([x.id for x in p.scenario.sites], dtype=object)
    agent_ids = np.array(p.agent_ids, dtype=object)
    dates = np.array(p.dates, dtype=object)
    queue_ids = np.array(p.queue_ids, dtype=object)
    work = pd.DataFrame(
        {
            "agent_id": agent_ids[table.agent[rb]],
            "site": site_ids[p.agent_site[table.agent[rb]]],
            "shift_date": dates[table.day[rb]],
            "start": minute[first],
            "end": minute[last] + step,
            "activity": queue_ids[q[first]],
        }
    )
    bb = np.flatnonzero(has)
    breaks = pd.DataFrame(
        {
            "agent_id": agent_ids[table.agent[bb]],
            "site": site_ids[p.agent_site[table.agent[bb]]],
            "shift_date": dates[table.day[bb]],
            "start": table.brk[bb, 0],
            "end": table.brk[bb, 1],
            "activity": BREAK,
        }
    )
    return pd.concat([work, breaks], ignore_index=True)


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
    start_short = _shortfall(_coverage(table, start, required.shape), required, pen)
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
        if _shortfall(_coverage(table, cg.x, required.shape), required, pen) < start_short:
            start = cg.x
    target = max(floor, math.ceil(lower * 100 - 1e-3))  # the search stops there: proven best
    left = max(0.0, time_budget - (time.monotonic() - t0))
    x = assign_sequences(table, required, penalty, rules, start, left, floor=target)
    return x, lower, method


@dataclass(frozen=True)
class ActivityReport:
    """How close the activities came to the best the rules allow, for the
    state's fixed shifts (shortfall penalties in the reporting currency).

    `floor` ≤ `lower` ≤ the best rule-keeping shortfall ≤ `shortfall`:
    `floor` is the rule-free flow's shortfall, `lower` the best proven bound
    (column generation's LP bound when it ran, else `floor`)."""

    shortfall: float  # the roster's
    lower: float
    floor: float
    method: str  # "column generation (…)" or why it did not run
    seconds: float

    @property
    def gap(self) -> float:
        """Shortfall penalty the activities may have lost beyond the best."""
        return max(0.0, self.shortfall - self.lower)


@dataclass(frozen=True)
class ActivityPlan:
    roster: Roster
    report: ActivityReport


def plan_activities(
    p: Problem,
    s: State,
    *,
    time_budget: float = ACTIVITY_SECONDS,
    lp_max_shifts: int = LP_MAX_SHIFTS,
    lp_rounds: int = activity_lp.MAX_ROUNDS,
) -> ActivityPlan:
    """Named segments from the state: each worked interval gets one queue,
    within the scenario's stretch and switch rules, covering the need as
    nearly as the rules allow with few switches, and how near that is (see
    module doc); `time_budget` bounds the whole."""
    t0 = time.monotonic()
    act = p.scenario.activities
    rules = SequenceRules.of(act.min_minutes, act.max_switches_per_shift, p.grid.interval)
    table = shift_table(p, s)
    pen = penalty_units(p.penalty)
    counts = allocate_counts(on_duty(p, s), p.required, p.penalty, p.group_queues)
    flow = np.zeros(p.required.shape, dtype=np.int64)
    for qs, c in zip(p.group_queues, counts, strict=True):
        flow[qs] += c
    floor = _shortfall(flow, p.required, pen)  # rule-free: nothing can beat it
    if len(table) == 0:
        r = ActivityReport(floor / 100, floor / 100, floor / 100, "no shift", 0.0)
        return ActivityPlan(Roster.empty(), r)
    start = start_sequences(table, p, s, rules)
    left = max(0.0, time_budget - (time.monotonic() - t0))
    x, lower, method = best_sequences_of(
        table, p.required, p.penalty, rules, start, floor, left,
        lp_max_shifts=lp_max_shifts, lp_rounds=lp_rounds,
    )  # fmt: skip
    short = _shortfall(_coverage(table, x, p.required.shape), p.required, pen) / 100
    report = ActivityReport(short, lower, floor / 100, method, time.monotonic() - t0)
    return ActivityPlan(Roster.from_segments(segments(p, table, x)), report)


def activities(p: Problem, s: State, *, time_budget: float = ACTIVITY_SECONDS) -> Roster:
    """The roster of `plan_activities`."""
    return plan_activities(p, s, time_budget=time_budget).roster
