"""Every row of one employee whose cost is at most a limit, exact for every hard rule.

Closing the gap after column generation (`exact.py`) needs, per employee,
*all* rows whose reduced cost is within a small margin of that employee's
minimum — usually a few hundred to a few thousand rows out of astronomically
many. CP-SAT can enumerate them, but its propagation of a mixed-sign linear
bound is weak and it wanders through millions of dead ends; a label-setting
enumeration over the days with a strong bound on the rest of the row does
the same in a fraction of a second.

A label is one partial row: its state after the day (as in
`dp.RowDP`: working shift t in a run of r days, or off in a run of k days,
k capped at MinConsecutiveDaysOff; and, as in `RowDP.path_weekends`, the
weekends worked so far), its cost so far, and the resources used (minutes,
shifts per type). Labels are never merged (every row is
wanted), and one is dropped as soon as it cannot end as a row within the limit:

* a resource is over its maximum, or the minutes the rest of the horizon can
  still add do not reach the minimum;
* its cost plus a lower bound on the rest exceeds the limit. The bounds are
  backward DPs over the states with the other resources priced by Lagrange
  multipliers λ ≥ 0: the rest of a row costs at least `value_λ − λ·room`,
  where room is what each resource may still grow (or, for the minimum
  minutes, must still grow). The multipliers come from a subgradient ascent
  on the whole row's Lagrangian dual; λ = 0 is always among them. Weekends
  are in the state rather than priced: with a handful of weekend cells worth
  a full under-cover weight each, their Lagrangian dual leaves a gap of many
  units where the margin is one or two.

The sequence rules are exact in the states and the resources in the labels,
so the rows returned are exactly the feasible rows within the limit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.bench.curtois.dp import sequence_limits
from optimizer.bench.curtois.parse import Instance

INF = np.inf
ASCENT_STEPS = 40  # subgradient iterations for the multipliers
KEPT_MULTIPLIERS = 4  # best multiplier vectors used as bounds, besides λ = 0


class TooManyRows(Exception):
    """More partial rows than the caller allows: the limit is too loose."""


class _Edges:
    """The transitions from the states of day d − 1 to those of day d, grouped by origin."""

    def __init__(self, frm: np.ndarray, to: np.ndarray, shift: np.ndarray, n_states: int) -> None:
        order = np.argsort(frm, kind="stable")
        self.frm, self.to, self.shift = frm[order], to[order], shift[order]  # shift −1: off
        self.degree = np.bincount(self.frm, minlength=n_states)
        self.start = np.concatenate(([0], np.cumsum(self.degree)[:-1]))
        self.worked = self.shift >= 0


@dataclass(frozen=True)
class _Multipliers:
    """Prices of the resources: minutes above the maximum (per `unit` minutes),
    minutes below the minimum, and each shift type."""

    over: float
    under: float
    types: np.ndarray

    def credit(
        self, over_room: np.ndarray, under_room: np.ndarray, type_room: np.ndarray, unit: float
    ) -> np.ndarray:
        """What the prices may have added beyond the true cost, given the room
        left under each maximum and the minutes still owed to the minimum: a
        priced value minus this is a lower bound on the true cost."""
        return (self.over * over_room - self.under * under_room) / unit + type_room @ self.types


class RowSpace:
    """The state machine of one employee over the horizon. Base states
    0…S−1 are W(t, r) and O(k), base S a virtual start before day 0; a state
    is `base × K + w` with w ≤ MaxWeekends = K − 1 the weekends worked so far."""

    def __init__(self, inst: Instance, e: int) -> None:
        self.inst, self.e = inst, e
        self.h, self.nt = inst.horizon, inst.n_shifts
        self.mx, self.mn, self.md, self.allowed = sequence_limits(inst, e)
        self.nw = self.nt * self.mx
        self.base_start = self.nw + self.md
        self.k = int(inst.max_weekends[e]) + 1
        self.n_states = (self.base_start + 1) * self.k
        self.start = self.base_start * self.k
        self.minutes = inst.shift_minutes.astype(np.int64)
        self.unit = max(1.0, float(self.minutes.mean()))
        self.edges = [self._day_edges(d) for d in range(self.h)]

    def work_state(self, t: int, r: int) -> int:
        return t * self.mx + r - 1

    def off_state(self, k: int) -> int:
        return self.nw + min(k, self.md) - 1

    def _day_edges(self, d: int) -> _Edges:
        """Day d − 1 → day d. A work run may end when it is long enough or began
        on day 0; a run of days off likewise (runs touching the horizon's start
        are exempt from the minimums, as in the benchmark's definition)."""
        frm: list[int] = []
        to: list[int] = []
        shift: list[int] = []

        def add(a: int, b: int, u: int) -> None:
            frm.append(a)
            to.append(b)
            shift.append(u)

        ok = [int(u) for u in np.flatnonzero(self.allowed[d])]
        if d == 0:
            for u in ok:
                add(self.base_start, self.work_state(u, 1), u)
            add(self.base_start, self.off_state(1), -1)
        else:
            cf = self.inst.cannot_follow
            for t in range(self.nt):
                for r in range(1, self.mx + 1):
                    s = self.work_state(t, r)
                    if r < self.mx:
                        for u in ok:
                            if not cf[t, u]:
                                add(s, self.work_state(u, r + 1), u)
                    if r >= self.mn or r == d:
                        add(s, self.off_state(1), -1)
            for k in range(1, self.md + 1):
                s = self.off_state(k)
                if k >= self.md or k == d:
                    for u in ok:
                        add(s, self.work_state(u, 1), u)
                add(s, self.off_state(k + 1), -1)
        a, b, u = (np.asarray(x, dtype=np.int64) for x in (frm, to, shift))
        weekend = np.zeros(len(a), dtype=np.int64)  # the edge starts a weekend worked
        if d % 7 == 5:
            weekend = (u >= 0).astype(np.int64)
        elif d % 7 == 6:  # Sunday starts a weekend only after a Saturday off
            weekend = ((u >= 0) & (a >= self.nw)).astype(np.int64)
        w = np.arange(self.k)[None, :]
        ok = (w + weekend[:, None]) < self.k
        rep = np.broadcast_to(np.arange(len(a))[:, None], ok.shape)[ok]
        ww = np.broadcast_to(w, ok.shape)[ok]
        return _Edges(
            a[rep] * self.k + ww, b[rep] * self.k + ww + weekend[rep], u[rep], self.n_states
        )

    def backward(self, cell: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """`value[d, s]`: least cost of days d… given state s on day d − 1
        (`value[0, start]`: the whole row), working shift t on day d costing
        `cell[d, t]` (sequence rules and weekends only; INF: dead end); and
        per day the edge taken from each state."""
        value = np.full((self.h + 1, self.n_states), INF)
        value[self.h] = 0.0
        choice = []
        for d in range(self.h - 1, -1, -1):
            ed = self.edges[d]
            val = np.where(ed.worked, cell[d, np.maximum(ed.shift, 0)], 0.0)
            val = val + value[d + 1, ed.to]
            np.minimum.at(value[d], ed.frm, val)
            best = np.flatnonzero(val <= value[d, ed.frm])
            pick = np.full(self.n_states, -1, dtype=np.int64)
            pick[ed.frm[best[::-1]]] = best[::-1]  # the first minimal edge of each state
            choice.append(pick)
        return value, choice[::-1]

    def forward(self, cell: np.ndarray) -> np.ndarray:
        """`value[d, s]`: least cost of days 0…d − 1 ending in state s on day
        d − 1 (`value[0, start]` = 0), priced as in `backward`."""
        value = np.full((self.h + 1, self.n_states), INF)
        value[0, self.start] = 0.0
        for d in range(self.h):
            ed = self.edges[d]
            val = value[d, ed.frm] + np.where(ed.worked, cell[d, np.maximum(ed.shift, 0)], 0.0)
            np.minimum.at(value[d + 1], ed.to, val)
        return value

    def path(self, choice: list[np.ndarray]) -> np.ndarray:
        """The row that `backward`'s choices take from the start."""
        row = np.full(self.h, -1, dtype=np.int64)
        s = self.start
        for d in range(self.h):
            k = choice[d][s]
            row[d], s = self.edges[d].shift[k], self.edges[d].to[k]
        return row

    def usage(self, row: np.ndarray) -> tuple[int, np.ndarray]:
        """(minutes, shifts per type) of a row."""
        worked = row >= 0
        return int(self.minutes[row[worked]].sum()), np.bincount(row[worked], minlength=self.nt)


def _priced(space: RowSpace, cost: np.ndarray, lam: _Multipliers) -> np.ndarray:
    per_minute = (lam.over - lam.under) / space.unit
    return cost + per_minute * space.minutes[None, :] + lam.types[None, :]


def _multipliers(space: RowSpace, cost: np.ndarray, target: float) -> list[_Multipliers]:
    """Subgradient ascent (Polyak steps towards `target`) on the whole row's
    Lagrangian dual over the resources; the best few multiplier vectors."""
    inst, e = space.inst, space.e
    hi, lo = float(inst.max_minutes[e]), float(inst.min_minutes[e])
    caps = inst.max_shifts[e].astype(float)
    lam = _Multipliers(0.0, 0.0, np.zeros(space.nt))
    found: list[tuple[float, _Multipliers]] = []
    theta, best, stale = 1.0, -INF, 0
    for _ in range(ASCENT_STEPS):
        value, choice = space.backward(_priced(space, cost, lam))
        root = value[0, space.start]
        if not np.isfinite(root):
            break
        row = space.path(choice)
        mins, counts = space.usage(row)
        dual = root - float(lam.credit(hi, lo, caps, space.unit))
        found.append((dual, lam))
        if dual > best + 1e-9:
            best, stale = dual, 0
        else:
            stale += 1
            if stale >= 5:
                theta, stale = theta / 2, 0
        g_over, g_under = (mins - hi) / space.unit, (lo - mins) / space.unit
        g_types = counts - caps
        g_over = g_over if lam.over > 0 or g_over > 0 else 0.0  # projected subgradient
        g_under = g_under if lam.under > 0 or g_under > 0 else 0.0
        g_types = np.where((lam.types > 0) | (g_types > 0), g_types, 0.0)
        norm = g_over**2 + g_under**2 + float(g_types @ g_types)
        if norm == 0:
            break  # the priced row keeps every resource: the dual is tight
        step = theta * max(target - dual, 1e-6 * abs(target) + 1e-9) / norm
        lam = _Multipliers(
            max(0.0, lam.over + step * g_over),
            max(0.0, lam.under + step * g_under),
            np.maximum(0.0, lam.types + step * g_types),
        )
    found.sort(key=lambda x: -x[0])
    out = [_Multipliers(0.0, 0.0, np.zeros(space.nt))]
    out += [m for _, m in found[:KEPT_MULTIPLIERS] if m.over or m.under or m.types.any()]
    return out


def rows_within(
    space: RowSpace, cost: np.ndarray, limit: float, max_labels: int = 1_000_000
) -> np.ndarray:
    """Every feasible row of the employee whose cost `Σ cost[d, row[d]]` over the
    days worked is ≤ `limit`, as a `(k, H)` array (−1: off); raises
    `TooManyRows` when a day holds more than `max_labels` partial rows."""
    inst, e, h = space.inst, space.e, space.h
    cost = np.where(space.allowed, cost.astype(float), INF)
    minutes = space.minutes
    max_shifts = inst.max_shifts[e].astype(np.int64)
    lo, hi = int(inst.min_minutes[e]), int(inst.max_minutes[e])
    bounds = [
        (lam, space.backward(_priced(space, cost, lam))[0])
        for lam in _multipliers(space, cost, limit)
    ]
    most = -space.backward(np.where(space.allowed, -minutes[None, :].astype(float), INF))[0]

    def keep(d: int, state, c, mins, counts, shift) -> np.ndarray:
        ok = (mins <= hi) & (mins + most[d + 1, state] >= lo)
        worked = shift >= 0
        ok[worked] &= counts[worked, shift[worked]] <= max_shifts[shift[worked]]
        rest = np.full(len(state), -INF)
        for lam, value in bounds:
            room = lam.credit(hi - mins, lo - mins, max_shifts[None, :] - counts, space.unit)
            rest = np.maximum(rest, value[d + 1, state] - room)
        return ok & (c + rest <= limit + 1e-6)

    state = np.array([space.start])
    c = np.zeros(1)
    mins = np.zeros(1, dtype=np.int64)
    counts = np.zeros((1, space.nt), dtype=np.int64)
    parents: list[np.ndarray] = []
    shifts: list[np.ndarray] = []
    for d in range(h):
        ed = space.edges[d]
        deg = ed.degree[state]
        parent = np.repeat(np.arange(len(state)), deg)
        first = np.repeat(np.cumsum(deg) - deg, deg)
        k = ed.start[state][parent] + np.arange(len(parent)) - first
        new_state, new_shift = ed.to[k], ed.shift[k]
        worked = ed.worked[k]
        sh = np.maximum(new_shift, 0)
        new_c = c[parent] + np.where(worked, cost[d, sh], 0.0)
        new_mins = mins[parent] + np.where(worked, minutes[sh], 0)
        new_counts = counts[parent]
        new_counts[np.flatnonzero(worked), new_shift[worked]] += 1
        ok = keep(d, new_state, new_c, new_mins, new_counts, new_shift)
        if ok.sum() > max_labels:
            raise TooManyRows(f"{inst.staff_ids[e]}: over {max_labels} partial rows on day {d}")
        state, c, mins, counts = new_state[ok], new_c[ok], new_mins[ok], new_counts[ok]
        parents.append(parent[ok])
        shifts.append(new_shift[ok])
    rows = np.full((len(state), h), -1, dtype=np.int64)
    at = np.arange(len(state))
    for d in range(h - 1, -1, -1):
        rows[:, d] = shifts[d][at]
        at = parents[d][at]
    return rows


def cells_within(space: RowSpace, cost: np.ndarray, limit: float) -> tuple[np.ndarray, np.ndarray]:
    """Which cells a feasible row of cost ≤ `limit` may use, without
    enumerating the rows: `(work (H, T), off (H,))`, False where no such row
    works shift t on day d (or is off on day d). Reduced-cost fixing: the
    least cost of a row through a cell is bounded below by a forward and a
    backward DP with the resources priced (as in `rows_within`), so a False
    is proven and a True may still be unreachable."""
    inst, e = space.inst, space.e
    cost = np.where(space.allowed, cost.astype(float), INF)
    hi, lo = float(inst.max_minutes[e]), float(inst.min_minutes[e])
    caps = inst.max_shifts[e].astype(float)
    work = np.ones((space.h, space.nt), dtype=bool)
    off = np.ones(space.h, dtype=bool)
    for lam in _multipliers(space, cost, limit):
        priced = _priced(space, cost, lam)
        ahead, (behind, _) = space.forward(priced), space.backward(priced)
        credit = float(lam.credit(hi, lo, caps, space.unit))
        for d in range(space.h):
            ed = space.edges[d]
            edge = np.where(ed.worked, priced[d, np.maximum(ed.shift, 0)], 0.0)
            fits = ahead[d, ed.frm] + edge + behind[d + 1, ed.to] - credit <= limit + 1e-6
            reach = np.zeros(space.nt, dtype=bool)
            reach[ed.shift[fits & ed.worked]] = True
            work[d] &= reach
            off[d] &= bool((fits & ~ed.worked).any())
    return work, off
