"""One agent's best schedule over the whole horizon by dynamic programming,
exact under every rule over the agent's days.

The agent passes, guided passes and refill moves re-plan one agent at a
time thousands of times a run; a CP-SAT model per re-plan spends most of
its time building the model. This programme gives the same optimum in
milliseconds. Day by day it keeps, for every state

    (the week's start band,
     end of the last shift that can still bind the rest rule,
     run counters: days worked in a row, night shifts in a row, and the
       progress towards the week's days off together,
     paid units so far this week),

the best net value of the days so far. A day's move is "off" or one of the
day's options: allowed when the last shift ended at least `rest` minutes
before the option starts, its start lies in the week's band, the runs stay
within `max_consecutive_days` and `max_consecutive_nights`, and the week's
paid minutes within its maximum. At the end of each local week the weekly
minimum and the days off together are checked and the overtime beyond the
threshold paid (the same overtime the agent's CP-SAT model prices). Ends
that can no longer bind any later option are merged into one state, so the
state space stays small (about one end per option of the day). Ends are
kept in ascending order, so the states an option may follow are a prefix of
them and its best predecessor a prefix maximum.

The band of a week is chosen from a set of arc starts (`anchors`): with
every distinct start the agent may use that week the programme is exact;
callers pass a few likely ones to stay fast. With `weights.stability` each
shift also costs its start's distance from the week's arc start, and the
arc start's move from one week to the next, per hour, and a day off right
after a single working day pays `weights.isolated_day` for that isolated day
(`state.unsteadiness_hours` and `state.isolated_days` measure the same on a
roster).

Rules it holds, as `rules/` states them: one shift per local date, minimum
rest (and so no overlap), maximum consecutive days, weekly maximum and
minimum paid minutes, start band, days off together, consecutive nights.
Day-level rules are already in the agent's candidates. The fairness term
couples all days of the horizon and is left out, as the one-agent CP-SAT
model of `construct.best_schedule` leaves it out: the neighbourhood models
and the evaluation price it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from optimizer.solve.problem import Problem
from optimizer.solve.state import DAY_MINUTES, circular_minutes

NONE_END = np.iinfo(np.int64).min // 4  # "no shift that can still bind": before any start
NEG = -np.inf


class _Map:
    """A many-to-one map between counter states, applied as a scatter-max
    along one axis (the states without an image are dropped)."""

    def __init__(self, src: list[int], tgt: list[int], size: int):
        s, t = np.asarray(src, dtype=np.int64), np.asarray(tgt, dtype=np.int64)
        order = np.argsort(t, kind="stable")
        self.src, self.tgt = s[order], t[order]
        self.cut = np.flatnonzero(np.r_[True, np.diff(self.tgt) > 0]) if len(t) else t
        self.images = self.tgt[self.cut]
        self.size = size
        bounds = np.r_[self.cut, len(t)].astype(np.int64)
        self._sources = {
            int(img): self.src[bounds[i] : bounds[i + 1]] for i, img in enumerate(self.images)
        }

    def apply(self, x: np.ndarray, axis: int) -> np.ndarray:
        shape = list(x.shape)
        shape[axis] = self.size
        out = np.full(shape, NEG)
        if len(self.src):
            red = np.maximum.reduceat(np.take(x, self.src, axis=axis), self.cut, axis=axis)
            idx = [slice(None)] * x.ndim
            idx[axis] = self.images
            out[tuple(idx)] = red
        return out

    def sources(self, c: int) -> np.ndarray:
        """The states mapped to `c`."""
        return self._sources.get(c, self.src[:0])


@dataclass(frozen=True)
class Counters:
    """The run counters of one agent as a small automaton: each state is
    (days worked in a row, night shifts in a row, days-off progress), the
    progress being the length of the current run of days off in this week,
    or `need` once the week has had its run."""

    states: tuple[tuple[int, int, int], ...]
    off: _Map
    work: tuple[_Map, _Map]  # a day shift, a night shift
    close: _Map  # at the end of a week: the progress starts again
    satisfied: np.ndarray  # [C] bool: the week's days off together are done
    worked: np.ndarray  # [C] bool: worked today
    first: np.ndarray  # [C] bool: worked today, not yesterday (a day off now isolates today)

    @classmethod
    @lru_cache(maxsize=64)
    def of(cls, max_days: int, max_nights: int, need: int) -> Counters:
        nights = max_nights if 0 <= max_nights < max_days else max_days  # otherwise implied
        track = 0 <= max_nights < max_days
        states: list[tuple[int, int, int]] = [(0, 0, o) for o in range(need + 1)]
        done = [0, need] if need else [0]
        for r in range(1, max_days + 1):
            for n in range(min(r, nights) + 1) if track else [0]:
                states += [(r, n, o) for o in done]
        index = {st: i for i, st in enumerate(states)}
        off_src, off_tgt, close_src, close_tgt = [], [], [], []
        work: list[tuple[list[int], list[int]]] = [([], []), ([], [])]
        for i, (r, n, o) in enumerate(states):
            off_src.append(i)
            off_tgt.append(index[(0, 0, o if o == need else min(o + 1, need))])
            close_src.append(i)
            close_tgt.append(index[(r, n, 0)])
            if r >= max_days:
                continue
            for f in (0, 1):
                n2 = n + 1 if (f and track) else 0
                if track and n2 > nights:
                    continue
                work[f][0].append(i)
                work[f][1].append(index[(r + 1, n2, need if (need and o == need) else 0)])
        size = len(states)
        return cls(
            states=tuple(states),
            off=_Map(off_src, off_tgt, size),
            work=(_Map(*work[0], size), _Map(*work[1], size)),
            close=_Map(close_src, close_tgt, size),
            satisfied=np.array([need == 0 or o == need for _, _, o in states]),
            worked=np.array([r > 0 for r, _, _ in states]),
            first=np.array([r == 1 for r, _, _ in states]),
        )


@dataclass(frozen=True)
class _Day:
    """What backtracking needs of one day: the states entering it, and where
    each of them went."""

    ends: np.ndarray  # [E] ends of the states entering the day (ascending)
    value: np.ndarray  # [A, E, C, H] best value entering the day (after a week's close)
    closed_from: np.ndarray | None  # [A', E, C, H] before the week's close, if one was
    close_cost: np.ndarray | None  # [C, H] cost of closing the week (inf: not allowed)
    move: np.ndarray | None  # [A', A] cost of moving the arc from last week's to this one's
    off_cost: np.ndarray  # [C] cost of a day off after each state (an isolated working day)
    options: np.ndarray  # [K] option indices of the day
    gain: np.ndarray  # [A, K] net value of each option under each arc (-inf: outside)
    src: np.ndarray  # [K] last entering row whose end allows each option (rows 0..src do)
    old_row: np.ndarray  # [E] row of the next day's states each entering row went to (off)
    new_row: np.ndarray  # [K] row of the next day's states each option's end went to


STEADY_BAND = 60  # minutes: with `weights.stability`, the search's widest arc of a week's starts


def steady_band(p: Problem, a: int) -> int:
    """The widest arc of a week's starts the search offers agent a, in
    minutes (-1: any): the rule set's `start_band_hours`, and with
    `weights.stability` set at most `STEADY_BAND`.

    Within a week's arc the stability term prices each start's distance
    from the arc's beginning only, so a start two hours in followed by one
    at the beginning (a backward rotation) costs little. The narrower arc
    rules such weeks out of the search, and with them most of the distinct
    starts of a week; it is a choice of the search, not a rule: the bounds
    and the neighbourhood models keep the rule set's band, so the gap counts
    whatever the narrower arc costs."""
    band = int(p.band[p.agent_site[a]])
    if p.scenario.weights.stability <= 0:
        return band
    return STEADY_BAND if band < 0 else min(band, STEADY_BAND)


def anchor_candidates(
    p: Problem,
    a: int,
    templates: np.ndarray,
    net: np.ndarray,
    keep: np.ndarray | None = None,
    most: int = 3,
    band: int | None = None,
) -> list[np.ndarray]:
    """Per week, a few arc starts worth trying for agent a: those of `keep`
    (its current arc starts, -1: none) and the `most` best by an optimistic
    score (Σ over the week's days of the best positive net value within the
    arc of `band` minutes, default the rule set's). All distinct starts when
    there is no band."""
    site = int(p.agent_site[a])
    band = int(p.band[site]) if band is None else band
    tpl = p.sites[site].tpl
    local = tpl.local_start[templates]
    week = p.week_of_day[tpl.day[templates]]
    out: list[np.ndarray] = []
    for w in range(p.n_weeks):
        sel = np.flatnonzero(week == w)
        starts = np.unique(local[sel])
        if len(starts) == 0:
            out.append(np.zeros(0, dtype=np.int64))
            continue
        if band < 0:
            out.append(starts)
            continue
        inside = (local[sel][None, :] - starts[:, None]) % DAY_MINUTES <= band
        vals = np.where(inside, np.maximum(net[sel], 0.0)[None, :], 0.0)
        days = tpl.day[templates[sel]]
        order = np.argsort(days, kind="stable")
        cut = np.flatnonzero(np.r_[True, np.diff(days[order]) > 0])
        score = np.maximum.reduceat(vals[:, order], cut, axis=1).sum(axis=1)
        best = starts[np.argsort(-score, kind="stable")[:most]]
        if keep is not None and keep[w] >= 0:
            best = np.union1d(best, [int(keep[w])])
        out.append(np.unique(best))
    return out


def best_plan(
    p: Problem,
    a: int,
    templates: np.ndarray,
    net: np.ndarray,
    anchors: list[np.ndarray] | None = None,
    band: int | None = None,
) -> np.ndarray | None:
    """Agent a's schedule of most net value: the chosen templates (one per
    worked day, of `templates`, its candidates on any days, worth `net`
    each, cost already taken off) maximising Σ net − overtime − stability
    under its rules; None if no schedule meets them (a weekly minimum out
    of reach). `anchors[w]`: the arc starts the band of week w may take
    (default: every distinct start of the week's options: exact). `band`:
    the widest arc of a week's starts in minutes, if narrower than the rule
    set's (`steady_band`; -1: none)."""
    site = int(p.agent_site[a])
    tpl = p.sites[site].tpl
    templates = np.asarray(templates, dtype=np.int64)
    net = np.asarray(net, dtype=float)
    day = tpl.day[templates].astype(np.int64)
    start = tpl.start[templates].astype(np.int64)
    end = tpl.end[templates].astype(np.int64)
    paid = tpl.paid[templates].astype(np.int64)
    local = tpl.local_start[templates].astype(np.int64)
    night = p.sites[site].night[templates].astype(np.int64)
    unit = int(np.gcd.reduce(paid)) if len(paid) else 60
    units = paid // unit
    rest = int(p.rest[site])
    band = int(p.band[site]) if band is None else band
    stab = float(p.scenario.weights.stability) / 60.0  # per minute
    counters = Counters.of(int(p.maxcons[site]), int(p.max_nights[site]), int(p.off_together[site]))
    C = len(counters.states)
    # a day off right after a first working day makes that day isolated (from day 2 on:
    # the day before the horizon is unknown, so its first day is never isolated)
    isolated = p.scenario.weights.isolated_day_price * counters.first
    no_cost = np.zeros(C)
    weeks = p.week_of_day.astype(np.int64)
    most_per_day = int(units.max(initial=0))
    days_in_week = np.bincount(weeks, minlength=p.n_weeks)
    cap = np.minimum(p.wmax[a] // unit, days_in_week * most_per_day).astype(np.int64)
    floor = -(-p.wmin[a] // unit).astype(np.int64)
    if (floor > cap).any():
        return None
    H = int(cap.max(initial=0)) + 1
    extra = float(p.rate[a] * p.ot_extra[site] * p.scenario.weights.cost)
    thr = float(p.ot_threshold[site])
    arcs = band >= 0 or stab > 0
    if anchors is None:
        anchors = [np.unique(local[weeks[day] == w]) for w in range(p.n_weeks)]
    anchors = _filled(anchors) if arcs else [np.zeros(1, dtype=np.int64)] * p.n_weeks

    def close_cost(w: int) -> np.ndarray:
        """[C, H] overtime of week w's paid units; inf where the week's rules fail."""
        h = np.arange(H)
        cost = extra * np.maximum(0.0, h * unit - thr) if extra > 0 else np.zeros(H)
        cost = np.where((h >= floor[w]) & (h <= cap[w]), cost, np.inf)
        ok = counters.satisfied | (not p.week_whole[w])
        return np.where(ok[:, None], cost[None, :], np.inf)

    def move_cost(w: int) -> np.ndarray:
        """[A_w, A_w+1] cost of moving the arc start from week w to w + 1."""
        x, y = anchors[w], anchors[w + 1]
        if not arcs or stab == 0:
            return np.zeros((len(x), len(y)))
        return stab * circular_minutes(x[:, None], y[None, :])

    by_day = [np.flatnonzero(day == d) for d in range(p.n_days)]
    first_start = np.array(
        [start[ks].min() if len(ks) else np.iinfo(np.int64).max for ks in by_day]
    )
    later_start = np.minimum.accumulate(first_start[::-1])[::-1]  # earliest start from day d on

    ends = np.array([NONE_END], dtype=np.int64)
    value = np.full((len(anchors[0]), 1, C, H), NEG)
    value[:, 0, 0, 0] = 0.0
    history: list[_Day] = []
    for d in range(p.n_days):
        closed_from = cc = move = None
        w = int(weeks[d])
        if d > 0 and w != weeks[d - 1]:
            closed_from, cc, move = value, close_cost(w - 1), move_cost(w - 1)
            best_h = counters.close.apply((closed_from - cc[None, None]).max(axis=3), axis=2)
            value = np.full((len(anchors[w]), len(ends), C, H), NEG)
            value[..., 0] = (best_h[:, None] - move[:, :, None, None]).max(axis=0)
        ks = by_day[d]
        anc = anchors[w]
        gain = np.broadcast_to(net[ks], (len(anc), len(ks))).copy()
        if arcs:
            if band >= 0:
                inside = (local[ks][None, :] - anc[:, None]) % DAY_MINUTES <= band
                gain[~inside] = NEG
            gain -= stab * circular_minutes(local[ks][None, :], anc[:, None])
            keep = np.isfinite(gain).any(axis=0)  # options outside every arc: never
            ks, gain = ks[keep], gain[:, keep]
        off_cost = isolated if d >= 2 else no_cost
        off = counters.off.apply(value - off_cost[None, None, :, None], axis=2)
        reach = np.maximum.accumulate(value, axis=1)
        src = np.searchsorted(ends, start[ks] - rest, side="right") - 1
        gained = np.full((len(anc), len(ks), C, H), NEG)
        for f in np.unique(night[ks]):
            moved = counters.work[int(f)].apply(reach, axis=2)  # the counters after a shift
            for u in np.unique(units[ks]):
                sel = np.flatnonzero((units[ks] == u) & (night[ks] == f))
                u = int(u)
                if len(sel) == 0 or u > cap[w]:
                    continue
                gained[:, sel, :, u:] = moved[:, src[sel], :, : H - u] + gain[:, sel, None, None]
        gained[..., cap[w] + 1 :] = NEG
        # next day's states: merge ends no later option can be bound by into NONE_END
        all_ends = np.concatenate([ends, end[ks]])
        nxt = later_start[d + 1] if d + 1 < p.n_days else np.iinfo(np.int64).max
        all_ends = np.where(all_ends + rest <= nxt, NONE_END, all_ends)
        new_ends, row = np.unique(all_ends, return_inverse=True)
        order = np.argsort(row, kind="stable")
        cut = np.flatnonzero(np.r_[True, np.diff(row[order]) > 0])
        both = np.concatenate([off, gained], axis=1)[:, order]
        merged = np.maximum.reduceat(both, cut, axis=1)
        history.append(
            _Day(
                ends,
                value,
                closed_from,
                cc,
                move,
                off_cost,
                ks,
                gain,
                src,
                row[: len(ends)],
                row[len(ends) :],
            )
        )
        ends, value = new_ends, merged
    final = value - close_cost(int(weeks[-1]))[None, None] if p.n_days else value
    if not np.isfinite(final.max(initial=NEG)):
        return None
    x, e, c, h = (int(i) for i in np.unravel_index(int(np.argmax(final)), final.shape))
    chosen = _backtrack(history, counters, (x, e, c, h), units, night)
    return templates[np.array(chosen, dtype=np.int64)]


def _filled(anchors: list[np.ndarray]) -> list[np.ndarray]:
    """Arc starts per week, a week without any taking its neighbour's (the
    week before, else the week after), so an empty week moves no arc."""
    out = [np.asarray(x, dtype=np.int64) for x in anchors]
    for w in range(1, len(out)):
        if len(out[w]) == 0:
            out[w] = out[w - 1]
    for w in range(len(out) - 2, -1, -1):
        if len(out[w]) == 0:
            out[w] = out[w + 1]
    return [x if len(x) else np.zeros(1, dtype=np.int64) for x in out]


def _backtrack(
    history: list[_Day],
    counters: Counters,
    state: tuple[int, int, int, int],
    units: np.ndarray,
    night: np.ndarray,
) -> list[int]:
    """The options chosen, walking the days back from the best final state
    (arc, end row, counters, units): each step takes the predecessor of
    highest value, which is the one the forward pass's maximum came from."""
    x, e, c, h = state
    chosen: list[int] = []
    for day in reversed(history):
        if not counters.worked[c]:  # off: from an entering row merged into e
            rows = np.flatnonzero(day.old_row == e)
            srcs = counters.off.sources(c)
            sub = day.value[x, rows, :, h][:, srcs] - day.off_cost[srcs][None, :]
            i, j = np.unravel_index(int(np.argmax(sub)), sub.shape)
            e, c = int(rows[i]), int(srcs[j])
        else:  # worked one of the options whose end is row e
            best, pick = NEG, None
            for jj in np.flatnonzero(day.new_row == e):
                k = int(day.options[jj])
                u = int(units[k])
                if h - u < 0 or not np.isfinite(day.gain[x, jj]):
                    continue
                srcs = counters.work[int(night[k])].sources(c)
                if len(srcs) == 0:
                    continue
                sub = day.value[x, : int(day.src[jj]) + 1, :, h - u][:, srcs]
                i, j = np.unravel_index(int(np.argmax(sub)), sub.shape)
                if sub[i, j] + day.gain[x, jj] > best:
                    best, pick = sub[i, j] + day.gain[x, jj], (k, int(i), int(srcs[j]))
            assert pick is not None, "backtracking lost the optimal path"
            chosen.append(pick[0])
            e, c, h = pick[1], pick[2], h - int(units[pick[0]])
        if day.closed_from is not None:  # the week before was closed entering this day
            assert h == 0
            assert day.close_cost is not None and day.move is not None
            srcs = counters.close.sources(c)
            sub = (
                day.closed_from[:, e][:, srcs]
                - day.close_cost[None, srcs]
                - day.move[:, x, None, None]
            )
            xi, j, hh = np.unravel_index(int(np.argmax(sub)), sub.shape)
            x, c, h = int(xi), int(srcs[j]), int(hh)
    return chosen[::-1]
