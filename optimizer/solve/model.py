"""One CP-SAT model over a neighbourhood: some agents' shifts on some days
are free, everything else stays as in the incumbent.

The same builder serves the whole problem (every agent, every day free —
small scenarios, solved to a proven optimum), each large-neighbourhood step,
and — with `coverage=False` and template values instead — the construction.
Coverage is exact and multi-skill: per group of identical agents and
interval, the agents on duty are split over the group's queues (`y`), so no
agent counts in two queues at once; a queue's shortfall costs its tier's
penalty. The cover per shift type (`type_cover`) counts each cell's fixed
and chosen shifts, its shortfall and over-cover priced. Costs are
premium-weighted paid minutes at each agent's rate (the pay model's
premiums) and what the agent's wishes add (`wishes`), overtime as minutes over the weekly threshold at
(overtime − 1) × base rate (a lower estimate: the exact overtime cost is
measured on the final roster by the pay model); the start moves and
isolated working days as `steadiness.py` prices them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from optimizer.solve.problem import COST_SCALE, Problem
from optimizer.solve.rules import SEQUENCE_RULES, AgentDays
from optimizer.solve.state import FAIRNESS_UNIT, State, cover, on_duty
from optimizer.solve.steadiness import isolated_day_terms, stability_terms
from optimizer.solve.type_cover import cell_counts, cells_cost, counts, shift_cells
from optimizer.solve.wishes import shift_prices


def cents(x: float | np.ndarray) -> np.ndarray:
    return np.rint(np.asarray(x) * COST_SCALE).astype(np.int64)


@dataclass
class Built:
    """A built neighbourhood model and the handles to read its solution."""

    model: cp_model.CpModel
    agents: list[int]
    days: set[int]
    shift_lits: list[tuple[int, int, int, cp_model.IntVar]]  # (agent, day, template, literal)
    y: dict[tuple[int, int, int], cp_model.IntVar] = field(default_factory=dict)  # (g, j, t)
    groups: set[int] = field(default_factory=set)
    touched: np.ndarray | None = None  # intervals whose allocation is re-decided
    rule_lits: dict[tuple[int, str], cp_model.IntVar] = field(default_factory=dict)
    # what the objective holds beyond the model's (reporting currency): the shortfall it
    # cannot change, and the weight of the free `on` requests (`wishes`)
    constant: float = 0.0
    whole: set[int] = field(default_factory=set)  # agents free on every day, not only `days`
    # each listed agent's own terms of the objective (cost, wishes, overtime, fairness,
    # steadiness), in cents: what `lagrange_cuts` bounds per agent
    agent_terms: dict[int, list] = field(default_factory=dict)

    def free_days(self, a: int, n_days: int) -> set[int]:
        """The days on which agent a's shifts are decided anew."""
        return set(range(n_days)) if a in self.whole else self.days

    def free_mask(self, shape: tuple[int, int]) -> np.ndarray:
        """[A, D] the (agent, day) cells the model decides anew."""
        out = np.zeros(shape, dtype=bool)
        if self.agents and self.days:
            out[np.ix_(self.agents, sorted(self.days))] = True
        out[sorted(self.whole)] = True
        return out


class CandidateIndex:
    """Each agent's candidate templates grouped by day (built once per problem)."""

    def __init__(self, p: Problem, nominal_only: bool):
        self.by_day: list[dict[int, np.ndarray]] = []
        for a, cand in enumerate(p.cand):
            st = p.sites[p.agent_site[a]].tpl
            c = cand[st.nominal[cand]] if nominal_only else cand
            days = st.day[c]
            order = np.argsort(days, kind="stable")
            c, days = c[order], days[order]
            split = np.flatnonzero(np.diff(days)) + 1
            self.by_day.append(
                {
                    int(ds[0]): cs
                    for cs, ds in zip(np.split(c, split), np.split(days, split), strict=True)
                    if len(cs)
                }
            )


def build(
    p: Problem,
    inc: State,
    agents: Sequence[int],
    days: Iterable[int],
    cands: CandidateIndex,
    coverage: bool = True,
    values: dict[int, np.ndarray] | None = None,
    fair_target: np.ndarray | None = None,
    assumptions: bool = False,
    whole: Sequence[int] = (),
) -> Built:
    """Build the model of a neighbourhood (see module doc): `agents` free on
    `days`, and the agents of `whole` free on every day.

    `values[a]` (reporting currency per template of a's site) replaces
    coverage in the objective when `coverage` is False. With `assumptions`,
    each rule family of each agent gets an enforcement literal (for
    explaining infeasibility)."""
    model = cp_model.CpModel()
    true = model.new_bool_var("true")
    model.add(true == 1)
    free = set(days)
    w = p.scenario.weights
    seen = set(agents)
    listed = [*agents, *(a for a in whole if a not in seen)]
    built = Built(model, listed, free, [], whole=set(whole))
    objective: list = []
    agent_days: list[AgentDays] = []
    for a in built.agents:
        first = len(objective)
        st = p.sites[p.agent_site[a]].tpl
        ad = AgentDays(a, {}, set())
        free_a = built.free_days(a, p.n_days)
        for d in range(p.n_days):
            if d in free_a:
                ad.free.add(d)
                opts = []
                for k in cands.by_day[a].get(d, ()):
                    lit = model.new_bool_var(f"x{a}_{d}_{k}")
                    opts.append((int(k), lit))
                    built.shift_lits.append((a, d, int(k), lit))
                    if inc.works[a, d] and inc.tpl[a, d] == k:
                        model.add_hint(lit, 1)
                    else:
                        model.add_hint(lit, 0)
                ad.days[d] = opts
            elif inc.works[a, d]:
                ad.days[d] = [(int(inc.tpl[a, d]), true)]
        agent_days.append(ad)
        for rule in SEQUENCE_RULES:
            enforce = None
            if assumptions:
                enforce = model.new_bool_var(f"{rule.__name__}[{a}]")
                built.rule_lits[(a, rule.__name__)] = enforce
            rule(model, p, ad, enforce)
        if not assumptions:  # their links would hold the band without its literal
            objective += stability_terms(model, p, ad, inc)
            objective += isolated_day_terms(model, p, ad)
        # cost of each free shift: premium-weighted paid minutes at the agent's
        # rate, and what the agent's wishes add to it (`wishes.shift_prices`)
        wish = shift_prices(p, a)
        for d in ad.free:
            for k, lit in ad.days.get(d, ()):
                c = p.rate[a] * st.weight[k] * w.cost + wish[k]
                if values is not None:
                    c -= float(values[a][k])
                objective.append(int(cents(c)) * lit)
        # overtime beyond the weekly threshold
        thr = int(p.ot_threshold[p.agent_site[a]])
        extra = p.rate[a] * p.ot_extra[p.agent_site[a]] * w.cost
        if extra > 0:
            for wk in range(p.n_weeks):
                wdays = [d for d in range(p.n_days) if p.week_of_day[d] == wk]
                if not any(d in ad.free for d in wdays):
                    continue
                expr = sum(int(st.paid[k]) * lit for d in wdays for k, lit in ad.days.get(d, ()))
                most = sum(
                    max((int(st.paid[k]) for k, _ in ad.days.get(d, ())), default=0) for d in wdays
                )
                if most <= thr:
                    continue
                ot = model.new_int_var(0, most, f"ot{a}_{wk}")
                model.add(ot >= expr - thr)
                objective.append(int(cents(extra)) * ot)
        if w.fairness > 0 and fair_target is not None:
            unsocial = p.sites[p.agent_site[a]].unsocial
            cnt = sum(int(unsocial[k]) * lit for d in ad.days for k, lit in ad.days[d])
            excess = model.new_int_var(0, p.n_days, f"fair{a}")
            model.add(excess >= cnt - int(fair_target[p.agent_site[a]]))
            objective.append(int(cents(w.fairness * FAIRNESS_UNIT)) * excess)
        built.agent_terms[a] = objective[first:]
    if coverage:
        objective += _coverage(p, inc, built)
        objective += _type_cover(p, inc, built)
    # an `on` request costs its weight less its weight on each shift it names (`wishes`)
    r = p.requests
    on_free = r.on & (
        (np.isin(r.agent, built.agents) & np.isin(r.day, list(free)))
        | np.isin(r.agent, list(built.whole))
    )
    built.constant += float(r.weight[on_free].sum())
    model.minimize(sum(objective))
    return built


def _coverage(p: Problem, inc: State, built: Built) -> list:
    """Group allocation and shortfall on the intervals the neighbourhood touches."""
    model = built.model
    free_mask = built.free_mask(inc.works.shape)
    groups = sorted({int(p.agent_group[a]) for a in built.agents})
    built.groups = set(groups)
    fixed_on = on_duty(p, inc) - on_duty(p, inc, free_mask)
    lits_at: dict[tuple[int, int], list] = defaultdict(list)
    touched = np.zeros(p.grid.n, dtype=bool)
    for a, _d, k, lit in built.shift_lits:
        st = p.sites[p.agent_site[a]]
        g = int(p.agent_group[a])
        for t in st.on_duty(k).tolist():
            lits_at[(g, t)].append(lit)
        touched[int(st.a[k]) : int(st.b[k])] = True
    # the incumbent's free shifts' intervals are re-decided too
    a_idx, d_idx = np.nonzero(inc.works & free_mask)
    for a, d in zip(a_idx, d_idx, strict=True):
        st = p.sites[p.agent_site[a]]
        k = inc.tpl[a, d]
        touched[int(st.a[k]) : int(st.b[k])] = True
    built.touched = touched
    base = cover(p, inc, skip_groups=built.groups)
    terms = []
    y_at: dict[tuple[int, int], list] = defaultdict(list)
    for g in groups:
        qs = p.group_queues[g]
        for t in np.flatnonzero(touched):
            need = p.required[qs, t]
            if not need.any():
                continue
            on_lits = lits_at.get((g, int(t)), [])
            cap = int(fixed_on[g, t]) + len(on_lits)
            if cap == 0:
                continue
            ys = []
            for j in np.flatnonzero(need):
                ub = int(min(need[j], cap))
                v = model.new_int_var(0, ub, "")
                model.add_hint(v, int(min(inc.alloc[g][j, t], ub)))
                built.y[(g, int(j), int(t))] = v
                ys.append(v)
                y_at[(int(qs[j]), int(t))].append(v)
            model.add(sum(ys) <= int(fixed_on[g, t]) + sum(on_lits))
    pen = cents(p.penalty)
    fixed_short = np.clip(p.required - base, 0, None) * p.penalty[:, None]
    built.constant = float(fixed_short.sum()) - sum(float(fixed_short[q, t]) for q, t in y_at)
    for (q, t), ys in y_at.items():
        gap = int(p.required[q, t] - base[q, t])
        if gap <= 0:
            continue
        short = model.new_int_var(0, gap, "")
        model.add(short >= gap - sum(ys))
        terms.append(int(pen[q]) * short)
    return terms


def _type_cover(p: Problem, inc: State, built: Built) -> list:
    """Shortfall and over-cover of the cover per shift type (`type_cover`)
    in the cells the neighbourhood's shifts may count in: the incumbent's
    fixed shifts there, plus the free ones chosen. The other cells' terms
    no choice changes go into `built.constant`, as the coverage's do, so the
    model's objective is the roster's (a restricted model offers no shift
    in some cells at all)."""
    tc = p.type_cover
    if not tc.any:
        return []
    fixed = cell_counts(p, counts(p, inc.works & ~built.free_mask(inc.works.shape), inc.tpl))
    cells_of = shift_cells(p)
    chosen: dict[int, list] = defaultdict(list)
    for a, d, k, lit in built.shift_lits:
        for c in cells_of(int(p.agent_site[a]), d, k):
            chosen[c].append(lit)
    left = np.ones(len(tc.required), dtype=bool)
    left[list(chosen)] = False
    built.constant += cells_cost(p, fixed[left], left)
    terms = []
    for c, lits in chosen.items():
        req, n = int(tc.required[c]), int(fixed[c])
        under, over = float(tc.under[c]), float(tc.over[c])
        if under > 0 and req > n:
            short = built.model.new_int_var(0, req - n, "")
            built.model.add(short >= req - n - sum(lits))
            terms.append(int(cents(under)) * short)
        if over > 0 and n + len(lits) > req:
            extra = built.model.new_int_var(0, n + len(lits) - req, "")
            built.model.add(extra >= n + sum(lits) - req)
            terms.append(int(cents(over)) * extra)
    return terms


def read_solution(p: Problem, inc: State, built: Built, solver: cp_model.CpSolver) -> State:
    """The incumbent with the neighbourhood's decisions replaced by the solution's."""
    s = inc.copy()
    for a in built.agents:
        for d in built.free_days(a, p.n_days):
            s.works[a, d] = False
    for a, d, k, lit in built.shift_lits:
        if solver.boolean_value(lit):
            s.works[a, d] = True
            s.tpl[a, d] = k
    if built.touched is not None:
        for g in built.groups:
            s.alloc[g][:, built.touched] = 0
        for (g, j, t), v in built.y.items():
            s.alloc[g][j, t] = solver.value(v)
    return s
