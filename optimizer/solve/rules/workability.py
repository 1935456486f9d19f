"""Workability rules of contract v1.1: constraints over the days of one agent.

Each function takes the same `AgentDays` as the sequence rules
(`sequence.py`) and adds nothing when the agent's rule set leaves the rule
out. The activity rules (queue stretches and switches) concern how a shift
is divided between queues, not which shifts are worked: the allocation
(`allocate.py`) holds them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from ortools.sat.python import cp_model

from optimizer.scenario.clock import MINUTES_PER_DAY as DAY_MINUTES
from optimizer.solve.rules.sequence import AgentDays, Lit, _enforced

if TYPE_CHECKING:  # problem.py builds its candidates from rules/day.py
    from optimizer.solve.problem import Problem


def in_band(starts: np.ndarray, anchor: int | np.ndarray, band: int) -> np.ndarray:
    """Do local start minutes `starts` lie on the arc of the 24-hour clock
    from `anchor` to `anchor + band` (round midnight)?"""
    return (np.asarray(starts) - anchor) % DAY_MINUTES <= band


def _week_days(p: Problem, w: int) -> list[int]:
    return [int(d) for d in np.flatnonzero(p.week_of_day == w)]


def start_band(
    model: cp_model.CpModel, p: Problem, ad: AgentDays, enforce: Lit | None = None
) -> list[cp_model.Constraint]:
    """In each local Mon–Sun week, all of the agent's shift starts lie on an
    arc of the site's 24-hour clock at most `start_band_hours` long.

    One Boolean per possible arc start (each distinct start the agent may
    use that week; an optimal arc can always begin at a start it holds):
    at most one arc is chosen, and a shift may be worked only if the chosen
    arc holds its start."""
    site = int(p.agent_site[ad.agent])
    band = int(p.band[site])
    out: list[cp_model.Constraint] = []
    if band < 0 or band >= DAY_MINUTES:
        return out
    local = p.sites[site].tpl.local_start
    for w in range(p.n_weeks):
        days = _week_days(p, w)
        if not any(d in ad.free for d in days):
            continue
        opts = [(k, lit) for d in days for k, lit in ad.days.get(d, ())]
        starts = np.unique([int(local[k]) for k, _ in opts])
        if any(in_band(starts, int(a0), band).all() for a0 in starts):
            continue  # every start the agent may use fits one arc: nothing to decide
        arcs = [model.new_bool_var("") for _ in starts]
        out.append(_enforced(model.add_at_most_one(arcs), enforce))
        for k, lit in opts:
            holding = [
                arc for arc, a0 in zip(arcs, starts, strict=True) if in_band(local[k], a0, band)
            ]
            out.append(_enforced(model.add_bool_or([*holding, lit.Not()]), enforce))
    return out


def days_off_together(
    model: cp_model.CpModel, p: Problem, ad: AgentDays, enforce: Lit | None = None
) -> list[cp_model.Constraint]:
    """Each local week wholly inside the horizon holds a run of at least
    `days_off_together` consecutive dates (within its Monday–Sunday) on
    which the agent starts no shift, whatever the reason the day is off."""
    site = int(p.agent_site[ad.agent])
    n = int(p.off_together[site])
    out: list[cp_model.Constraint] = []
    if n <= 0:
        return out
    for w in np.flatnonzero(p.week_whole):
        days = _week_days(p, int(w))
        if not any(d in ad.free for d in days):
            continue
        runs = []
        for i in range(len(days) - n + 1):
            run_lits = [lit for d in days[i : i + n] for _, lit in ad.days.get(d, ())]
            off = model.new_bool_var("")
            for lit in run_lits:
                out.append(_enforced(model.add_implication(off, lit.Not()), enforce))
            runs.append(off)
        out.append(_enforced(model.add_bool_or(runs), enforce))
    return out


def max_consecutive_nights(
    model: cp_model.CpModel, p: Problem, ad: AgentDays, enforce: Lit | None = None
) -> list[cp_model.Constraint]:
    """The agent works at most `max_consecutive_nights` night shifts (3 paid
    hours or more in the night window) on consecutive shift dates."""
    site = int(p.agent_site[ad.agent])
    m = int(p.max_nights[site])
    out: list[cp_model.Constraint] = []
    if m < 0:
        return out
    night = p.sites[site].night
    for d0 in range(0, p.n_days - m):
        window = range(d0, d0 + m + 1)
        if not any(d in ad.free for d in window):
            continue
        lits = [lit for d in window for k, lit in ad.days.get(d, ()) if night[k]]
        if len(lits) <= m:
            continue
        out.append(_enforced(model.add(sum(lits) <= m), enforce))
    return out
