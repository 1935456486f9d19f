"""The incumbent roster in array form, and its exact model objective.

`works[a, d]` says whether agent a works horizon day d and `tpl[a, d]` which
template of the agent's site (meaningful only where `works`). `alloc[g]` is
the number of agents of group g on each of the group's queues per interval
([len(group_queues[g]), T]). Objective terms are in the reporting currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from optimizer.solve.problem import Problem
from optimizer.solve.type_cover import type_cover_cost
from optimizer.solve.wishes import PREFERENCE_UNIT, requests_cost

FAIRNESS_UNIT = 10.0  # per unsocial shift above the site's average, times weights.fairness


@dataclass
class State:
    works: np.ndarray  # [A, D] bool
    tpl: np.ndarray  # [A, D] int64
    alloc: list[np.ndarray]  # [G] → [Qg, T] int64

    @classmethod
    def empty(cls, p: Problem) -> State:
        return cls(
            np.zeros((p.n_agents, p.n_days), dtype=bool),
            np.zeros((p.n_agents, p.n_days), dtype=np.int64),
            [np.zeros((len(q), p.grid.n), dtype=np.int64) for q in p.group_queues],
        )

    def copy(self, groups: tuple[int, ...] | None = None) -> State:
        """A copy; with `groups`, only those groups' allocations are copied and
        the others shared with this state (for a caller that writes to no
        other: an agent's re-plan copies its own group, not hundreds)."""
        if groups is None:
            return State(self.works.copy(), self.tpl.copy(), [x.copy() for x in self.alloc])
        alloc = list(self.alloc)
        for g in groups:
            alloc[g] = alloc[g].copy()
        return State(self.works.copy(), self.tpl.copy(), alloc)


def shift_arrays(p: Problem, s: State) -> dict[str, np.ndarray]:
    """Flat arrays of every worked shift: agent, day, template, site."""
    a, d = np.nonzero(s.works)
    k = s.tpl[a, d]
    return {"agent": a, "day": d, "tpl": k, "site": p.agent_site[a]}


def on_duty(p: Problem, s: State, mask: np.ndarray | None = None) -> np.ndarray:
    """[G, T] agents of each group working (not on break) per interval.
    `mask` [A, D] limits the count to some agent-days."""
    works = s.works if mask is None else s.works & mask
    a, d = np.nonzero(works)
    return _duty_counts(p, s, a, d, p.agent_group[a], len(p.group_queues))


def group_on_duty(p: Problem, s: State, g: int) -> np.ndarray:
    """[T] agents of group g working (not on break) per interval: `on_duty`'s
    row g, counted over the group's agents only."""
    members = np.flatnonzero(p.agent_group == g)
    i, d = np.nonzero(s.works[members])
    return _duty_counts(p, s, members[i], d, np.zeros(len(i), dtype=np.int64), 1)[0]


def _duty_counts(
    p: Problem, s: State, a: np.ndarray, d: np.ndarray, rows: np.ndarray, n_rows: int
) -> np.ndarray:
    """[n_rows, T] the shifts of agents `a` on days `d` counted on duty per
    interval, each into its row of `rows`."""
    T = p.grid.n
    diff = np.zeros((n_rows, T + 1), dtype=np.int64)
    if len(a) == 0:
        return diff[:, :T]
    k = s.tpl[a, d]
    si = p.agent_site[a]
    for site in np.unique(si):
        sel = si == site
        st = p.sites[site]
        kk, gg = k[sel], rows[sel]
        np.add.at(diff, (gg, st.a[kk]), 1)
        np.add.at(diff, (gg, st.b[kk]), -1)
        has = st.tpl.brk_len[kk] > 0
        np.add.at(diff, (gg[has], st.ba[kk][has]), -1)
        np.add.at(diff, (gg[has], st.bb[kk][has]), 1)
    return np.cumsum(diff, axis=1)[:, :T]


def cover(p: Problem, s: State, skip_groups: set[int] | None = None) -> np.ndarray:
    """[Q, T] agents allocated to each queue (over all groups but `skip_groups`)."""
    out = np.zeros((len(p.queue_ids), p.grid.n), dtype=np.int64)
    if skip_groups:
        for g, qs in enumerate(p.group_queues):
            if g not in skip_groups:
                out[qs] += s.alloc[g]
        return out
    kinds = p.kinds  # summed kind by kind: one scattered add per kind, not per group
    for qs, total in zip(kinds.queues, kinds.totals(s.alloc), strict=True):
        out[qs] += total
    return out


@dataclass(frozen=True)
class Evaluation:
    """The model objective of a state, by term (reporting currency)."""

    under_cover: float
    cost: float
    overtime: float
    preference: float
    fairness: float
    short: np.ndarray  # [Q, T]
    stability: float = 0.0
    requests: float = 0.0  # the weight of the shift requests not granted
    type_cover: float = 0.0  # shortfall and over-cover of the cover per shift type

    @cached_property
    def total(self) -> float:
        return (
            self.under_cover
            + self.cost
            + self.overtime
            + self.preference
            + self.fairness
            + self.stability
            + self.requests
            + self.type_cover
        )

    def terms(self) -> dict[str, float]:
        return {
            "under_cover_penalty": round(self.under_cover, 2),
            "cost": round(self.cost, 2),
            "overtime_estimate": round(self.overtime, 2),
            "preference": round(self.preference, 2),
            "fairness": round(self.fairness, 2),
            "stability": round(self.stability, 2),
            "requests": round(self.requests, 2),
            "shift_cover": round(self.type_cover, 2),
        }


def weekly_paid(p: Problem, s: State) -> np.ndarray:
    """[A, W] paid minutes per agent and week."""
    out = np.zeros((p.n_agents, p.n_weeks), dtype=np.int64)
    sh = shift_arrays(p, s)
    for site in np.unique(sh["site"]):
        sel = sh["site"] == site
        paid = p.sites[site].tpl.paid[sh["tpl"][sel]]
        np.add.at(out, (sh["agent"][sel], p.week_of_day[sh["day"][sel]]), paid)
    return out


def unsocial_counts(p: Problem, s: State) -> np.ndarray:
    """[A] shifts touching night, weekend or holiday premiums."""
    out = np.zeros(p.n_agents, dtype=np.int64)
    sh = shift_arrays(p, s)
    for site in np.unique(sh["site"]):
        sel = sh["site"] == site
        np.add.at(out, sh["agent"][sel], p.sites[site].unsocial[sh["tpl"][sel]].astype(np.int64))
    return out


def fairness_targets(p: Problem, s: State) -> np.ndarray:
    """[S] the average unsocial shifts per agent of each site, rounded up."""
    u = unsocial_counts(p, s)
    out = np.zeros(len(p.sites), dtype=np.int64)
    for site in range(len(p.sites)):
        sel = p.agent_site == site
        if sel.any():
            out[site] = int(np.ceil(u[sel].mean() - 1e-9))
    return out


def evaluate(p: Problem, s: State, fair_target: np.ndarray | None = None) -> Evaluation:
    """Exact model objective of a state."""
    short = np.clip(p.required - cover(p, s), 0, None)
    under = float((short * p.penalty[:, None]).sum())
    return _evaluation(under, short, _agent_terms(p, s, fair_target), type_cover_cost(p, s))


def re_evaluate(
    p: Problem,
    before: State,
    ev: Evaluation,
    after: State,
    agents: np.ndarray | list[int],
    fair_target: np.ndarray | None,
    covered: np.ndarray | None = None,
) -> Evaluation:
    """`evaluate(p, after, fair_target)` for a state that differs from
    `before` (evaluated as `ev`, with the same targets) only in the
    schedules of `agents` and in any allocation: the coverage (and the
    cover per shift type) is counted anew — or taken from `covered`, the
    coverage of `after` when the caller keeps it (`tally.Tally`) — every
    other term is a sum over agents, so only theirs are priced again. The
    re-plans of a pass price thousands of trials this way. (Without fixed
    fairness targets, weighted fairness depends on every agent: the whole
    state is priced.)"""
    if fair_target is None and p.scenario.weights.fairness > 0:
        return evaluate(p, after)
    short = np.clip(p.required - (cover(p, after) if covered is None else covered), 0, None)
    under = float((short * p.penalty[:, None]).sum())
    old = _agent_terms(p, _only(before, agents), fair_target)
    new = _agent_terms(p, _only(after, agents), fair_target)
    terms = (ev.cost, ev.overtime, ev.preference, ev.fairness, ev.stability, ev.requests)
    return _evaluation(
        under,
        short,
        tuple(t - o + n for t, o, n in zip(terms, old, new, strict=True)),
        type_cover_cost(p, after),
    )


def _evaluation(
    under: float, short: np.ndarray, terms: tuple[float, ...], type_cover: float
) -> Evaluation:
    """The Evaluation of the coverage's penalty, `_agent_terms` and the
    cover per shift type."""
    cost, overtime, preference, fairness, stability, requests = terms
    return Evaluation(
        under, cost, overtime, preference, fairness, short, stability, requests, type_cover
    )


def _only(s: State, agents: np.ndarray | list[int]) -> State:
    """`s` with every agent but `agents` off (allocations left out)."""
    works = np.zeros_like(s.works)
    works[agents] = s.works[agents]
    return State(works, s.tpl, [])


def _agent_terms(
    p: Problem, s: State, fair_target: np.ndarray | None
) -> tuple[float, float, float, float, float, float]:
    """The objective's terms that are sums over agents — cost, overtime,
    preference, fairness (against `fair_target`, default the state's own),
    stability with isolated days, shift requests not granted — over the
    agents who work in `s` (every `on` request of an agent off counts)."""
    w = p.scenario.weights
    sh = shift_arrays(p, s)
    cost = 0.0
    for site in np.unique(sh["site"]):
        sel = sh["site"] == site
        cost += float((p.rate[sh["agent"][sel]] * p.sites[site].tpl.weight[sh["tpl"][sel]]).sum())
    paid = weekly_paid(p, s)
    thr = p.ot_threshold[p.agent_site][:, None]
    ot_min = np.clip(paid - thr, 0, None)
    ot = float((ot_min * (p.rate * p.ot_extra[p.agent_site])[:, None]).sum())
    pref = float(w.preference * PREFERENCE_UNIT * (s.works & p.pref_off).sum())
    fair = 0.0
    if w.fairness > 0:
        target = fair_target if fair_target is not None else fairness_targets(p, s)
        excess = np.clip(unsocial_counts(p, s) - target[p.agent_site], 0, None)
        fair = float(w.fairness * FAIRNESS_UNIT * excess.sum())
    stab = 0.0
    if w.stability > 0:
        stab += w.stability * float(unsteadiness_hours(p, s).sum())
    if w.isolated_day_price > 0:
        stab += w.isolated_day_price * float(isolated_days(p, s).sum())
    return w.cost * cost, w.cost * ot, pref, fair, float(stab), requests_cost(p, s)


WHOLE_SLACK = 1e-6  # a bound this far above a whole number is that number (LP rounding)


def whole_objective(p: Problem) -> bool:
    """Whether every roster's objective is a whole number: every term counts
    agents, shifts, days or requests at whole prices (no pay, fairness or
    start moves, which come in fractions). A lower bound of such an
    objective may then be rounded up to the next whole number."""
    w = p.scenario.weights

    def whole(x: np.ndarray | float) -> bool:
        return bool(np.all(np.asarray(x) == np.round(np.asarray(x))))

    tc = p.type_cover
    return (
        (w.cost == 0 or not p.rate.any())
        and w.fairness == 0
        and w.stability == 0
        and whole(w.isolated_day_price)
        and whole(w.preference * PREFERENCE_UNIT)
        and whole(p.penalty[(p.required > 0).any(axis=1)])
        and whole(p.requests.weight)
        and whole(tc.under)
        and whole(tc.over)
    )


DAY_MINUTES = 1440


def isolated_days(p: Problem, s: State) -> np.ndarray:
    """[A] working days each agent has with no shift the day before and the
    day after, both inside the horizon (the edges are never isolated: what
    lies outside is unknown)."""
    w = s.works
    if w.shape[1] < 3:
        return np.zeros(p.n_agents, dtype=np.int64)
    mid = w[:, 1:-1] & ~w[:, :-2] & ~w[:, 2:]
    return mid.sum(axis=1)


def circular_minutes(a: np.ndarray | int, b: np.ndarray | int) -> np.ndarray:
    """Distance in minutes between local times `a` and `b` round the clock."""
    d = np.abs(np.asarray(a) - np.asarray(b)) % DAY_MINUTES
    return np.minimum(d, DAY_MINUTES - d)


def arc_starts(starts: np.ndarray) -> int:
    """Where the shortest arc of the 24-hour clock holding every one of
    `starts` (local minutes) begins: at the start after the widest gap
    between neighbours round the clock (the earliest such on ties)."""
    u = np.unique(np.asarray(starts) % DAY_MINUTES)
    gaps = np.diff(np.r_[u, u[0] + DAY_MINUTES])
    return int(u[(int(np.argmax(gaps)) + 1) % len(u)])


def week_arcs(p: Problem, s: State, a: int) -> np.ndarray:
    """[W] where agent a's starts of each week begin their arc (`arc_starts`); -1: no shift."""
    out = np.full(p.n_weeks, -1, dtype=np.int64)
    days = np.flatnonzero(s.works[a])
    if len(days) == 0:
        return out
    local = p.sites[p.agent_site[a]].tpl.local_start[s.tpl[a, days]]
    weeks = p.week_of_day[days]
    for w in np.unique(weeks):
        out[w] = arc_starts(local[weeks == w])
    return out


def unsteadiness_hours(p: Problem, s: State) -> np.ndarray:
    """[A] what `weights.stability` prices: the hours between each shift's
    start and where its week's arc begins (`arc_starts`), plus the hours the
    arc moves between one week with shifts and the agent's next, all round
    the clock. Vectorised over every shift: it runs at each evaluation."""
    out = np.zeros(p.n_agents)
    a, d = np.nonzero(s.works)
    if len(a) == 0:
        return out
    local = np.zeros(len(a), dtype=np.int64)
    site = p.agent_site[a]
    for si in np.unique(site):
        sel = site == si
        local[sel] = p.sites[si].tpl.local_start[s.tpl[a[sel], d[sel]]]
    key = a * p.n_weeks + p.week_of_day[d]  # one group per agent-week
    order = np.lexsort((local, key))
    key, ls, agent = key[order], local[order], a[order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    group = np.cumsum(np.r_[False, key[1:] != key[:-1]])
    last = np.r_[first[1:], len(key)] - 1
    nxt = np.r_[ls[1:], 0]
    nxt[last] = ls[first] + DAY_MINUTES  # round the clock to the group's first start
    gap = nxt - ls
    widest = np.maximum.reduceat(gap, first)
    pos = np.arange(len(ls))
    at = np.minimum.reduceat(np.where(gap == widest[group], pos, len(ls)), first)
    after = np.where(at == last, first, at + 1)  # the start after the widest gap
    arc = ls[after]
    np.add.at(out, agent, circular_minutes(ls, arc[group]))
    g_agent = agent[first]
    same = g_agent[1:] == g_agent[:-1]
    np.add.at(out, g_agent[1:][same], circular_minutes(arc[1:][same], arc[:-1][same]))
    return out / 60.0
