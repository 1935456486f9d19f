"""Named agents → activity segments under the stretch and switch rules.

From the counts of `allocate.optimal_allocation`, `plan_activities` gives
each worked interval of each shift one queue within contract v1.1's
`activities` rules and reports how close that came to the best the rules
allow (`ActivityReport`); `activities` is its roster. It takes the worked
shifts' on-duty positions (`activity_shifts.py`), a start named from the
counts (`activity_start.py`), searches from there to a proven bound
(`activity_search.py`, whose docstring explains the method, with
`activity_lp.py`), and writes the segments the sequences make (`segments`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.roster import BREAK, Roster
from optimizer.solve import activity_lp
from optimizer.solve.activity_search import (
    ACTIVITY_SECONDS,
    ACTIVITY_SECONDS_PER_AGENT,
    LEAST_SECONDS,
    LEAST_SECONDS_PER_AGENT,
    LP_MAX_SHIFTS,
    best_sequences_of,
)
from optimizer.solve.activity_shifts import ShiftTable, coverage, shift_table, shortfall
from optimizer.solve.activity_start import start_sequences
from optimizer.solve.allocate import optimal_allocation, penalty_units
from optimizer.solve.problem import Problem
from optimizer.solve.state import State, cover
from optimizer.solve.stretches import SequenceRules


def activity_seconds(p: Problem) -> float:
    """The time budget of `activities` on this problem: enough for its passes
    to converge on a scenario of its size (a pass is about linear in shifts)."""
    return ACTIVITY_SECONDS + ACTIVITY_SECONDS_PER_AGENT * p.n_agents


def activity_least_seconds(p: Problem) -> float:
    """The least time worth giving `activities` on this problem: the start
    (the exact counts named) and the first best-response passes, which win
    back most of what the start loses to the stretch and switch rules;
    below it the named roster keeps that loss."""
    return LEAST_SECONDS + LEAST_SECONDS_PER_AGENT * p.n_agents


def activity_rules(p: Problem) -> SequenceRules:
    """The scenario's stretch and switch rules on the problem's grid."""
    act = p.scenario.activities
    return SequenceRules.of(act.min_minutes, act.max_switches_per_shift, p.grid.interval)


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
    """The named roster, how close it came, and the shifts' sequences it
    was written from (`x` [B, N] slots of `table`'s shifts)."""

    roster: Roster
    report: ActivityReport
    table: ShiftTable
    x: np.ndarray


def plan_activities(
    p: Problem,
    s: State,
    *,
    time_budget: float = ACTIVITY_SECONDS,
    lp_max_shifts: int = LP_MAX_SHIFTS,
    lp_rounds: int = activity_lp.MAX_ROUNDS,
    flow: np.ndarray | None = None,
    start: tuple[ShiftTable, np.ndarray] | None = None,
) -> ActivityPlan:
    """Named segments from the state: each worked interval gets one queue,
    within the scenario's stretch and switch rules, covering the need as
    nearly as the rules allow with few switches, and how near that is (the
    method: `activity_search`); `time_budget` bounds the whole.

    `flow` [Q, T] is the coverage of the exact allocation of the state's
    shifts (`allocate.optimal_allocation`) when the caller has just
    computed it; left out, it is solved here, within `time_budget`.
    `start` (the state's shift table and sequences within the rules, e.g.
    `activity_passes`') is where the search begins instead of the named
    counts."""
    t0 = time.monotonic()
    rules = activity_rules(p)
    table = shift_table(p, s) if start is None else start[0]
    pen = penalty_units(p.penalty)
    if flow is None:
        flow = allocation_coverage(p, s)
    floor = shortfall(flow, p.required, pen)  # rule-free: nothing can beat it
    if len(table) == 0:
        r = ActivityReport(floor / 100, floor / 100, floor / 100, "no shift", 0.0)
        return ActivityPlan(Roster.empty(), r, table, np.zeros(table.pos.shape, dtype=np.int64))
    begin = start_sequences(table, p, s, rules) if start is None else start[1]
    left = max(0.0, time_budget - (time.monotonic() - t0))
    x, lower, method = best_sequences_of(
        table, p.required, p.penalty, rules, begin, floor, left,
        lp_max_shifts=lp_max_shifts, lp_rounds=lp_rounds,
    )  # fmt: skip
    short = shortfall(coverage(table, x, p.required.shape), p.required, pen) / 100
    report = ActivityReport(short, lower, floor / 100, method, time.monotonic() - t0)
    return ActivityPlan(Roster.from_segments(segments(p, table, x)), report, table, x)


def allocation_coverage(p: Problem, s: State) -> np.ndarray:
    """[Q, T] the coverage of the exact allocation of the state's shifts
    (`allocate.optimal_allocation`), whatever `s.alloc` holds (left as it is)."""
    exact = State(s.works, s.tpl, [np.zeros_like(x) for x in s.alloc])
    optimal_allocation(p, exact)
    return cover(p, exact)


def activities(p: Problem, s: State, *, time_budget: float = ACTIVITY_SECONDS) -> Roster:
    """The roster of `plan_activities`."""
    return plan_activities(p, s, time_budget=time_budget).roster
