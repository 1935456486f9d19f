"""Sequence rules: constraints over the days of one agent.

An `AgentDays` holds, for each horizon day, the agent's options as
`(template index, literal)` pairs: on a free day one Boolean per candidate
template, on a fixed day the incumbent's template with the model's constant
true literal (or nothing, a day off). Each rule function adds its
constraints and returns them; `enforce` (an assumption literal) makes a rule
switchable, which is how infeasibility is explained.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from ortools.sat.python import cp_model

if TYPE_CHECKING:  # problem.py builds its candidates from rules/day.py
    from optimizer.solve.problem import Problem


Lit = cp_model.IntVar
Options = list[tuple[int, Lit]]


@dataclass
class AgentDays:
    """One agent's options per day (see module doc)."""

    agent: int
    days: dict[int, Options]
    free: set[int] = field(default_factory=set)


def _enforced(ct: cp_model.Constraint, enforce: Lit | None) -> cp_model.Constraint:
    return ct.only_enforce_if(enforce) if enforce is not None else ct


def one_shift_per_day(
    model: cp_model.CpModel, p: Problem, ad: AgentDays, enforce: Lit | None = None
) -> list[cp_model.Constraint]:
    """An agent works at most one shift per local date."""
    out = []
    for d in sorted(ad.free):
        opts = ad.days.get(d, [])
        if len(opts) > 1:
            out.append(_enforced(model.add_at_most_one(lit for _, lit in opts), enforce))
    return out


def minimum_rest(
    model: cp_model.CpModel, p: Problem, ad: AgentDays, enforce: Lit | None = None
) -> list[cp_model.Constraint]:
    """Between the end of one shift and the start of the agent's next shift,
    at least the rule set's `min_rest_hours` pass (absolute time); shifts of
    one agent never overlap.

    Encoded tightly: for a later day e, `P_i` counts the options of e starting
    at its i-th start time or earlier (a chain, at most 1); a shift k of an
    earlier day d excludes every option of e starting before end(k) + rest:
    `x_k + P_i <= 1`."""
    st = p.sites[p.agent_site[ad.agent]].tpl
    rest = int(p.rest[p.agent_site[ad.agent]])
    out: list[cp_model.Constraint] = []
    days = sorted(d for d, o in ad.days.items() if o)
    for i, d in enumerate(days):
        for e in days[i + 1 :]:
            if (e - d - 1) * 1440 > rest + 1440:
                break
            if d not in ad.free and e not in ad.free:
                continue
            later = sorted(ad.days[e], key=lambda kl: int(st.start[kl[0]]))
            starts = [int(st.start[k]) for k, _ in later]
            latest_end = max(int(st.end[k]) for k, _ in ad.days[d])
            if starts[0] >= latest_end + rest:
                continue
            # prefix chain over the later day's distinct start times
            uniq: list[int] = []
            prefix: list[cp_model.LinearExprT] = []
            run: cp_model.LinearExprT = 0
            idx = 0
            while idx < len(later):
                s0 = starts[idx]
                group = []
                while idx < len(later) and starts[idx] == s0:
                    group.append(later[idx][1])
                    idx += 1
                if len(later) > 1 and e in ad.free:
                    v = model.new_bool_var("")
                    model.add(v == run + sum(group))
                    run = v
                else:
                    run = run + sum(group)
                uniq.append(s0)
                prefix.append(run)
            for k, lit in ad.days[d]:
                limit = int(st.end[k]) + rest
                n = int(np.searchsorted(uniq, limit, side="left"))
                if n == 0:
                    continue
                ct = model.add(lit + prefix[n - 1] <= 1)
                out.append(_enforced(ct, enforce))
    return out


def max_consecutive_days(
    model: cp_model.CpModel, p: Problem, ad: AgentDays, enforce: Lit | None = None
) -> list[cp_model.Constraint]:
    """An agent works at most the rule set's `max_consecutive_days` local dates in a row."""
    m = int(p.maxcons[p.agent_site[ad.agent]])
    out = []
    n = p.n_days
    for d0 in range(0, n - m):
        window = range(d0, d0 + m + 1)
        if not any(d in ad.free for d in window):
            continue
        lits = [lit for d in window for _, lit in ad.days.get(d, ())]
        if len(lits) <= m:
            continue
        out.append(_enforced(model.add(sum(lits) <= m), enforce))
    return out


def forbidden_successions(
    model: cp_model.CpModel, p: Problem, ad: AgentDays, enforce: Lit | None = None
) -> list[cp_model.Constraint]:
    """A shift of type b never falls on the local date after a shift of type
    a where the rule set forbids the succession (a, b) of its shift types.

    One shift a date at most, so per date d and forbidden pair:
    `Σ x[d, type a] + Σ x[d + 1, type b] <= 1`."""
    site = int(p.agent_site[ad.agent])
    forbid = p.forbid[site]
    out: list[cp_model.Constraint] = []
    if not forbid.any():
        return out
    kind = p.sites[site].tpl.shift_type

    def of_type(d: int, t: int) -> list[Lit]:
        return [lit for k, lit in ad.days.get(d, ()) if kind[k] == t]

    for d in range(p.n_days - 1):
        if d not in ad.free and d + 1 not in ad.free:
            continue
        for a, b in zip(*np.nonzero(forbid), strict=True):
            first, then = of_type(d, int(a)), of_type(d + 1, int(b))
            if first and then:
                out.append(_enforced(model.add(sum(first) + sum(then) <= 1), enforce))
    return out


def _minimum_runs(
    model: cp_model.CpModel, p: Problem, ad: AgentDays, m: int, off: bool, enforce: Lit | None
) -> list[cp_model.Constraint]:
    """Runs of working dates (or, with `off`, of dates off) that begin inside
    the horizon after a date of the other kind last at least m dates, or
    reach the horizon's last date. With x[d] = 1 when date d is of the
    run's kind: for a first date d (x[d − 1] = 0, x[d] = 1) each of the next
    m − 1 dates inside the horizon is too: `x[d] − x[d − 1] <= x[d + k]`."""
    out: list[cp_model.Constraint] = []
    if m <= 1:
        return out

    def never(d: int) -> bool:  # no option that day: never worked
        return not ad.days.get(d)

    def x(d: int) -> cp_model.LinearExprT:
        worked = sum(lit for _, lit in ad.days.get(d, ()))
        return 1 - worked if off else worked

    n = p.n_days
    for d in range(1, n - 1):
        if never(d - 1) if off else never(d):
            continue  # no run of the kind can begin at d
        for k in range(1, min(m, n - d)):
            if (off and never(d + k)) or not any(y in ad.free for y in (d - 1, d, d + k)):
                continue
            out.append(_enforced(model.add(x(d) - x(d - 1) <= x(d + k)), enforce))
    return out


def min_consecutive_days(
    model: cp_model.CpModel, p: Problem, ad: AgentDays, enforce: Lit | None = None
) -> list[cp_model.Constraint]:
    """A run of working dates that begins after a date off inside the horizon
    lasts at least the rule set's `min_consecutive_days`, unless it reaches
    the horizon's last date: whatever lies outside the horizon is unknown,
    so a run at either edge may be shorter."""
    m = int(p.mincons[p.agent_site[ad.agent]])
    return _minimum_runs(model, p, ad, m, False, enforce)


def min_consecutive_days_off(
    model: cp_model.CpModel, p: Problem, ad: AgentDays, enforce: Lit | None = None
) -> list[cp_model.Constraint]:
    """A run of dates off (dates without a shift, whatever the reason) that
    begins after a working date inside the horizon lasts at least the rule
    set's `min_consecutive_days_off`, unless it reaches the horizon's last
    date."""
    m = int(p.minoff[p.agent_site[ad.agent]])
    return _minimum_runs(model, p, ad, m, True, enforce)


def _week_expr(p: Problem, ad: AgentDays, w: int) -> tuple[cp_model.LinearExprT, int, bool]:
    st = p.sites[p.agent_site[ad.agent]].tpl
    days = [d for d in range(p.n_days) if p.week_of_day[d] == w]
    expr = sum(int(st.paid[k]) * lit for d in days for k, lit in ad.days.get(d, ()))
    most = sum(max((int(st.paid[k]) for k, _ in ad.days.get(d, ())), default=0) for d in days)
    return expr, most, any(d in ad.free for d in days)


def weekly_maximum(
    model: cp_model.CpModel, p: Problem, ad: AgentDays, enforce: Lit | None = None
) -> list[cp_model.Constraint]:
    """Paid minutes in each local Mon–Sun week stay within the smaller of the
    rule set's and the agent's `max_hours_week` (the agent's only in weeks
    wholly inside the horizon)."""
    out = []
    for w in range(p.n_weeks):
        expr, most, free = _week_expr(p, ad, w)
        cap = int(p.wmax[ad.agent, w])
        if free and most > cap:
            out.append(_enforced(model.add(expr <= cap), enforce))
    return out


def weekly_minimum(
    model: cp_model.CpModel, p: Problem, ad: AgentDays, enforce: Lit | None = None
) -> list[cp_model.Constraint]:
    """Paid minutes in each week wholly inside the horizon reach the agent's
    `min_hours_week`, except in weeks with leave or a site holiday at a
    `holidays: off` site."""
    out = []
    for w in range(p.n_weeks):
        floor = int(p.wmin[ad.agent, w])
        if floor <= 0:
            continue
        expr, _, free = _week_expr(p, ad, w)
        if free:
            out.append(_enforced(model.add(expr >= floor), enforce))
    return out
