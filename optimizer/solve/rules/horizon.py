"""Horizon rules: constraints that count over all of an agent's horizon
rather than a run of days or a week (extensions of the contract): weekends
worked, shifts of each named shift type, and paid hours."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from ortools.sat.python import cp_model

from optimizer.solve.rules.sequence import AgentDays, Lit, _enforced

NO_LIMIT = 10**9  # minutes: a limit that never binds

if TYPE_CHECKING:
    from optimizer.solve.problem import Problem


def max_weekends(
    model: cp_model.CpModel, p: Problem, ad: AgentDays, enforce: Lit | None = None
) -> list[cp_model.Constraint]:
    """An agent works at most the rule set's `max_weekends` weekends in the
    horizon. A weekend is the rule set's weekend days of one local Mon–Sun
    week; it is worked when the agent starts a shift on any of them.

    One Boolean per week, at least each weekend option's literal; their sum
    is at most the maximum."""
    site = int(p.agent_site[ad.agent])
    most = int(p.max_weekends[site])
    if most < 0:
        return []
    weekend = p.weekend_day[site]
    by_week: dict[int, list[Lit]] = {}
    free = False
    for d, opts in ad.days.items():
        if weekend[d] and opts:
            by_week.setdefault(int(p.week_of_day[d]), []).extend(lit for _, lit in opts)
            free = free or d in ad.free
    if not free or len(by_week) <= most:
        return []  # nothing to decide, or too few weekends to reach the maximum
    worked = []
    for lits in by_week.values():
        y = model.new_bool_var("")
        for lit in lits:
            model.add_implication(lit, y)
        worked.append(y)
    return [_enforced(model.add(sum(worked) <= most), enforce)]


def max_shifts_of_type(
    model: cp_model.CpModel, p: Problem, ad: AgentDays, enforce: Lit | None = None
) -> list[cp_model.Constraint]:
    """An agent works at most a shift type's `max_shifts` shifts of that type
    in the horizon, where the rule set's shift type sets it."""
    site = int(p.agent_site[ad.agent])
    limits = p.type_limits[site]
    if not (limits >= 0).any() or not ad.free:
        return []
    kind = p.sites[site].tpl.shift_type
    out = []
    for t in np.flatnonzero(limits >= 0):
        lits = [lit for opts in ad.days.values() for k, lit in opts if kind[k] == t]
        if len(lits) > limits[t]:
            out.append(_enforced(model.add(sum(lits) <= int(limits[t])), enforce))
    return out


def horizon_hours(
    model: cp_model.CpModel, p: Problem, ad: AgentDays, enforce: Lit | None = None
) -> list[cp_model.Constraint]:
    """An agent's paid minutes over the whole horizon lie within its
    `min_hours_horizon` and `max_hours_horizon`, where set."""
    a = ad.agent
    low, high = int(p.hmin[a]), int(p.hmax[a])
    if not ad.free or (low <= 0 and high >= NO_LIMIT):
        return []
    paid = p.sites[p.agent_site[a]].tpl.paid
    expr = sum(int(paid[k]) * lit for opts in ad.days.values() for k, lit in opts)
    out = []
    if low > 0:
        out.append(_enforced(model.add(expr >= low), enforce))
    if high < NO_LIMIT:
        out.append(_enforced(model.add(expr <= high), enforce))
    return out
