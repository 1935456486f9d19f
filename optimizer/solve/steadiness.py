"""The steadiness terms of a CP-SAT model: `weights.stability` and
`weights.isolated_day` over one agent's days (`rules.AgentDays`), priced as
`state.unsteadiness_hours` and `state.isolated_days` measure them on a
roster, so that the neighbourhoods, the restricted model and the whole
model search for steady rosters and the whole model's bound counts them.

The stability term is exact where the rule set's start band keeps a week's
starts within less than half a day: the week's arc then begins at its
earliest start, the one every other start lies at most the band after.
One Boolean per start the agent may use that week marks where the arc
begins; it must be a start worked, and every shift worked must start at
most the band after it, so exactly one is possible. Each shift then costs
its start's distance from the arc's beginning, and the arc's move from one
week with shifts to the agent's next costs its distance round the clock.
Without such a band a week's arc may be wider and is left out of the model:
the term only adds to a roster's objective, so the model's optimum and
bound stay below the roster's (a relaxation), and the evaluation of every
roster the model returns prices it. Prices are whole cents of a unit of
minutes that divides every start (`start_unit`), rounded down for the same
reason.
"""

from __future__ import annotations

import math
from functools import reduce
from typing import TYPE_CHECKING

import numpy as np
from ortools.sat.python import cp_model

from optimizer.solve.problem import COST_SCALE
from optimizer.solve.rules.sequence import AgentDays
from optimizer.solve.rules.workability import in_band
from optimizer.solve.state import DAY_MINUTES, State, week_arcs

if TYPE_CHECKING:
    from optimizer.solve.problem import Problem

HALF_DAY = DAY_MINUTES // 2


def _cents(x: float) -> int:
    """`x` in whole cents, rounded down: the model never charges more than
    the evaluation, so its bound stays a bound."""
    return math.floor(x * COST_SCALE + 1e-9)


def start_unit(local_starts: np.ndarray) -> int:
    """The largest step in minutes that divides every local start and the
    day: the stability term's unit, so that its prices are whole cents."""
    return reduce(math.gcd, (int(x) for x in np.unique(local_starts)), DAY_MINUTES)


def stability_terms(
    model: cp_model.CpModel, p: Problem, ad: AgentDays, inc: State
) -> list[cp_model.LinearExprT]:
    """What `weights.stability` charges the agent (module doc), as objective
    terms in cents; nothing without the weight, without a free day, or
    without a start band under half a day."""
    w = p.scenario.weights.stability
    site = int(p.agent_site[ad.agent])
    band = int(p.band[site])
    if w <= 0 or not ad.free or band < 0 or band >= HALF_DAY:
        return []
    local = p.sites[site].tpl.local_start
    unit = start_unit(local)
    price = _cents(w * unit / 60.0)  # per unit of minutes
    turn = DAY_MINUTES // unit
    fixed_arcs = week_arcs(p, inc, ad.agent)
    terms: list[cp_model.LinearExprT] = []
    has: list[cp_model.IntVar | int] = []  # does the week hold a shift?
    arc: list[cp_model.LinearExprT | int] = []  # where its arc begins, in units
    for wk in range(p.n_weeks):
        days = [int(d) for d in np.flatnonzero(p.week_of_day == wk)]
        opts = [(int(local[k]), lit) for d in days for k, lit in ad.days.get(d, ())]
        if not any(d in ad.free for d in days) or not opts:
            has.append(int(fixed_arcs[wk] >= 0 and bool(opts)))
            arc.append(max(int(fixed_arcs[wk]), 0) // unit)
            continue
        starts = sorted({s for s, _ in opts})
        begins = {v: model.new_bool_var(f"arc{ad.agent}_{wk}_{v}") for v in starts}
        worked = model.new_bool_var(f"has{ad.agent}_{wk}")
        model.add(sum(begins.values()) == worked)
        for v, b in begins.items():  # the arc begins at a start worked
            model.add_bool_or([lit for s, lit in opts if s == v]).only_enforce_if(b)
            model.add_hint(b, int(fixed_arcs[wk]) == v)
        model.add_hint(worked, int(fixed_arcs[wk] >= 0))
        for s, lit in opts:
            model.add_implication(lit, worked)
            # the arc starts that hold s, and how far s lies after each
            ahead = {v: (s - v) % DAY_MINUTES // unit for v in starts if in_band(s, v, band)}
            model.add_bool_or([begins[v] for v in ahead]).only_enforce_if(lit)  # on the arc
            most = max(ahead.values())
            if most == 0:
                continue
            dist = model.new_int_var(0, most, "")
            model.add(dist >= sum(n * begins[v] for v, n in ahead.items()) - most * (1 - lit))
            terms.append(price * dist)
        has.append(worked)
        arc.append(sum((v // unit) * b for v, b in begins.items()))
    terms += _arc_moves(model, has, arc, turn, price)
    return terms


def _arc_moves(
    model: cp_model.CpModel,
    has: list[cp_model.IntVar | int],
    arc: list[cp_model.LinearExprT | int],
    turn: int,
    price: int,
) -> list[cp_model.LinearExprT]:
    """The arc's move between each week with shifts and the agent's next one
    with shifts, round the clock (`turn` units a day), at `price` a unit."""
    terms: list[cp_model.LinearExprT] = []
    for w0 in range(len(has)):
        for w1 in range(w0 + 1, len(has)):
            between = has[w0 + 1 : w1]
            if any(isinstance(h, int) and h for h in between):
                break  # a fixed week with shifts lies between: not neighbours
            ends = [has[w0], has[w1]]
            if any(isinstance(h, int) and not h for h in ends):
                continue
            if all(isinstance(x, int) for x in (*ends, *between, arc[w0], arc[w1])):
                continue  # fixed: a constant
            both = model.new_bool_var("")
            lits = [h for h in ends if not isinstance(h, int)]
            gaps = [h for h in between if not isinstance(h, int)]
            # both weeks with shifts and none between: their arcs are neighbours
            model.add(sum(lits) - sum(gaps) - len(lits) + 1 <= both)
            diff = model.new_int_var(0, turn - 1, "")
            model.add_abs_equality(diff, arc[w0] - arc[w1])
            back = model.new_bool_var("")  # the shorter way round passes midnight
            move = model.new_int_var(0, turn // 2, "")
            model.add(move >= diff - turn * back - turn * (1 - both))
            model.add(move >= turn * back - diff - turn * (1 - both))
            terms.append(price * move)
    return terms


def isolated_day_terms(
    model: cp_model.CpModel, p: Problem, ad: AgentDays
) -> list[cp_model.LinearExprT]:
    """What `weights.isolated_day` charges the agent: each working day with
    no shift the day before and the day after, both inside the horizon, as
    objective terms in cents; only days the model may change."""
    price = _cents(p.scenario.weights.isolated_day_price)
    if price <= 0 or not ad.free:
        return []

    worked = [sum(lit for _, lit in ad.days.get(d, ())) for d in range(p.n_days)]
    terms: list[cp_model.LinearExprT] = []
    for d in range(1, p.n_days - 1):
        if not ad.free & {d - 1, d, d + 1} or not ad.days.get(d):
            continue
        alone = model.new_bool_var("")
        model.add(alone >= worked[d] - worked[d - 1] - worked[d + 1])
        terms.append(price * alone)
    return terms
