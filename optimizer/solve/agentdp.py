"""One agent's best schedule over the whole horizon by dynamic programming,
exact under every sequence rule.

The agent passes, guided passes and refill moves re-plan one agent at a
time thousands of times a run; a CP-SAT model per re-plan spends most of
its 30 ms building the model. This programme gives the same optimum in a
few milliseconds. Day by day it keeps, for every state

    (end of the last shift that can still bind the rest rule,
     consecutive days worked up to today, paid units so far this week),

the best net value of the days so far. A day's move is "off" (the run
resets) or one of the day's options: allowed when the last shift ended at
least `rest` minutes before the option starts, the run stays within
`max_consecutive_days` and the week's paid minutes within its maximum. At
the end of each local week the weekly minimum is checked and the overtime
beyond the threshold paid (the same overtime the agent's CP-SAT model
prices). Ends that can no longer bind any later option are merged into one
state, so the state space stays small (about one end per option of the
day). Ends are kept in ascending order, so the states an option may
follow are a prefix of them and its best predecessor a prefix maximum.

Rules it holds, as `rules/sequence.py` states them: one shift per local
date, minimum rest (and so no overlap), maximum consecutive days, weekly
maximum and minimum paid minutes. Day-level rules are already in the
agent's candidates. The fairness term couples all days of the horizon and
is left out, as the one-agent CP-SAT model of `construct.best_schedule`
leaves it out: the neighbourhood models and the evaluation price it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.solve.problem import Problem

NONE_END = np.iinfo(np.int64).min // 4  # "no shift that can still bind": before any start
NEG = -np.inf


@dataclass(frozen=True)
class _Day:
    """What backtracking needs of one day: the states entering it, and where
    each of them went."""

    ends: np.ndarray  # [E] ends of the states entering the day (ascending)
    value: np.ndarray  # [E, R, H] best value entering the day (after a week's close)
    closed_from: np.ndarray | None  # [E, R, H] before the week's close, if one was
    close_cost: np.ndarray | None  # [H] overtime of the week closed (inf: week infeasible)
    options: np.ndarray  # [K] option indices of the day
    old_row: np.ndarray  # [E] row of the next day's states each entering row went to (off)
    new_row: np.ndarray  # [K] row of the next day's states each option's end went to


def best_plan(p: Problem, a: int, templates: np.ndarray, net: np.ndarray) -> np.ndarray | None:
    """Agent a's schedule of most net value: the chosen templates (one per
    worked day, of `templates`, its candidates on any days, worth `net`
    each, cost already taken off) maximising Σ net − overtime under the
    sequence rules; None if no schedule meets them (a weekly minimum out of
    reach)."""
    site = int(p.agent_site[a])
    tpl = p.sites[site].tpl
    templates = np.asarray(templates, dtype=np.int64)
    net = np.asarray(net, dtype=float)
    day = tpl.day[templates].astype(np.int64)
    start = tpl.start[templates].astype(np.int64)
    end = tpl.end[templates].astype(np.int64)
    paid = tpl.paid[templates].astype(np.int64)
    unit = int(np.gcd.reduce(paid)) if len(paid) else 60
    units = paid // unit
    rest = int(p.rest[site])
    runs = int(p.maxcons[site]) + 1  # run lengths 0 .. max_consecutive_days
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

    def week_cost(w: int) -> np.ndarray:
        h = np.arange(H)
        over = np.maximum(0.0, h * unit - thr) if extra > 0 else np.zeros(H)
        cost = extra * over
        return np.where((h >= floor[w]) & (h <= cap[w]), cost, np.inf)

    by_day = [np.flatnonzero(day == d) for d in range(p.n_days)]
    first_start = np.array(
        [start[ks].min() if len(ks) else np.iinfo(np.int64).max for ks in by_day]
    )
    later_start = np.minimum.accumulate(first_start[::-1])[::-1]  # earliest start from day d on

    ends = np.array([NONE_END], dtype=np.int64)
    value = np.full((1, runs, H), NEG)
    value[0, 0, 0] = 0.0
    history: list[_Day] = []
    for d in range(p.n_days):
        closed_from = close_cost = None
        if d > 0 and weeks[d] != weeks[d - 1]:
            closed_from, close_cost = value, week_cost(int(weeks[d - 1]))
            value = np.full_like(value, NEG)
            value[:, :, 0] = (closed_from - close_cost).max(axis=2)
        ks = by_day[d]
        w = int(weeks[d])
        # off today: the run resets, the last end stays
        off = np.full_like(value, NEG)
        off[:, 0, :] = value.max(axis=1)
        # work option k: from the best state whose last end allows its start
        reach = np.maximum.accumulate(value, axis=0)
        src = np.searchsorted(ends, start[ks] - rest, side="right") - 1
        gained = np.full((len(ks), runs, H), NEG)
        for u in np.unique(units[ks]):
            sel = units[ks] == u
            u = int(u)
            if u > cap[w]:
                continue
            gained[sel, 1:, u:] = reach[src[sel], :-1, : H - u] + net[ks[sel], None, None]
        gained[:, :, cap[w] + 1 :] = NEG
        # next day's states: merge ends no later option can be bound by into NONE_END
        all_ends = np.concatenate([ends, end[ks]])
        nxt = later_start[d + 1] if d + 1 < p.n_days else np.iinfo(np.int64).max
        all_ends = np.where(all_ends + rest <= nxt, NONE_END, all_ends)
        new_ends, row = np.unique(all_ends, return_inverse=True)
        order = np.argsort(row, kind="stable")
        cut = np.flatnonzero(np.r_[True, np.diff(row[order]) > 0])
        merged = np.maximum.reduceat(np.concatenate([off, gained])[order], cut, axis=0)
        history.append(
            _Day(ends, value, closed_from, close_cost, ks, row[: len(ends)], row[len(ends) :])
        )
        ends, value = new_ends, merged
    final = value - week_cost(int(weeks[-1]))[None, None, :] if p.n_days else value
    if not np.isfinite(final.max(initial=NEG)):
        return None
    e, r, h = np.unravel_index(int(np.argmax(final)), final.shape)
    chosen = _backtrack(history, int(e), int(r), int(h), start, units, net, rest)
    return templates[np.array(chosen, dtype=np.int64)]


def _backtrack(
    history: list[_Day],
    e: int,
    r: int,
    h: int,
    start: np.ndarray,
    units: np.ndarray,
    net: np.ndarray,
    rest: int,
) -> list[int]:
    """The options chosen, walking the days back from the best final state
    (e, r, h): each step takes the predecessor of highest value, which is
    the one the forward pass's maximum came from."""
    chosen: list[int] = []
    for day in reversed(history):
        if r == 0:  # off: from an entering row merged into e, any run
            rows = np.flatnonzero(day.old_row == e)
            sub = day.value[rows, :, h]
            i, r = np.unravel_index(int(np.argmax(sub)), sub.shape)
            e, r = int(rows[i]), int(r)
        else:  # worked one of the options whose end is row e
            best, pick = NEG, None
            for j in np.flatnonzero(day.new_row == e):
                k = int(day.options[j])
                u = int(units[k])
                if h - u < 0:
                    continue
                ok = np.flatnonzero(day.ends + rest <= start[k])
                col = day.value[ok, r - 1, h - u]
                if len(col) == 0:
                    continue
                i = int(np.argmax(col))
                if col[i] + net[k] > best:
                    best, pick = col[i] + net[k], (k, int(ok[i]))
            assert pick is not None, "backtracking lost the optimal path"
            chosen.append(pick[0])
            e, r, h = pick[1], r - 1, h - int(units[pick[0]])
        if day.closed_from is not None:  # the week before was closed entering this day
            assert h == 0
            sub = day.closed_from[e, r] - day.close_cost
            h = int(np.argmax(sub))
    return chosen[::-1]
