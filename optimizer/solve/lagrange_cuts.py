"""Lagrangian cuts: each agent's least reduced cost as a constraint of the
whole model, so that CP-SAT starts from column generation's bound.

Column generation's bound is L = Σ_a m_a + (what the coverage rows add),
where m_a is the least, over agent a's own schedules, of what the schedule
costs less what its shifts earn at the converged prices (its reduced
cost). CP-SAT's own relaxation of the whole model does not know m_a: it
mixes fractions of shifts that no single schedule of the agent's rules
holds, and its bound lies far below L. The fact "agent a's schedule costs
at least m_a more than it earns" holds for every schedule the agent may
work, so it is a valid constraint (a cut) of the whole model; with one per
agent the model's linear relaxation is at least L, and CP-SAT's search
proves from there.

Each m_a is found by CP-SAT on the model of agent a alone (the same
builder, the same rules and terms, `model.build`), so the cut is exact for
the expression it bounds. The prices are rounded to whole cents in the
expression, and m_a is the least of the rounded expression: rounding
changes how strong a cut is, never whether it holds. An agent whose own
model is not solved to optimality in its time gets CP-SAT's proven bound of
it instead (still valid, weaker).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from optimizer.solve.model import Built, CandidateIndex, build, cents
from optimizer.solve.problem import Problem
from optimizer.solve.state import State
from optimizer.solve.stop import StopCriteria
from optimizer.solve.type_cover import shift_cells


@dataclass(frozen=True)
class Prices:
    """Prices of the coverage rows, in whole cents: `lam` [Q, T] per agent
    on duty in a queue's interval (0 … the queue's penalty), `mu` [C] per
    shift counted in a cell of the cover per shift type (minus its
    over-cover price … its shortfall price)."""

    lam: np.ndarray
    mu: np.ndarray

    @classmethod
    def of(cls, p: Problem, lam: np.ndarray, mu: np.ndarray) -> Prices:
        """Column generation's prices (reporting currency) rounded to cents
        and kept within the ranges above."""
        pen = cents(p.penalty)[:, None]
        tc = p.type_cover
        lam_c = np.clip(cents(lam), 0, pen) if lam.size else np.zeros(p.required.shape, np.int64)
        mu_c = np.clip(cents(mu), -cents(tc.over), cents(tc.under)) if len(mu) else cents(mu)
        return cls(lam_c, mu_c)


@dataclass(frozen=True)
class Cuts:
    """The prices, and each agent's least reduced cost at them (in the
    model's cents), proven (`exact[a]`) or CP-SAT's bound of it."""

    prices: Prices
    least: dict[int, int]
    exact: dict[int, bool]


def shift_earnings(p: Problem, built: Built, prices: Prices) -> dict[tuple[int, int, int], int]:
    """What each free shift of `built` earns at `prices` (cents):
    for each interval it is on duty, the best price among its group's
    queues (an agent serves one queue at a time), plus the price of every
    cell of the cover per shift type it counts in."""
    cells_of = shift_cells(p)
    best_at: dict[int, np.ndarray] = {}
    out: dict[tuple[int, int, int], int] = {}
    for a, d, k, _lit in built.shift_lits:
        site = int(p.agent_site[a])
        st = p.sites[site]
        g = int(p.agent_group[a])
        if g not in best_at:
            best_at[g] = prices.lam[p.group_queues[g]].max(axis=0, initial=0)
        earn = int(best_at[g][st.on_duty(k)].sum())
        for c in cells_of(site, d, k) if len(prices.mu) else ():
            earn += int(prices.mu[c])
        out[(a, d, k)] = earn
    return out


def reduced_cost(built: Built, agent: int, earn: dict[tuple[int, int, int], int], lits=None):  # type: ignore[no-untyped-def]
    """Agent `agent`'s terms of the model's objective less what its free
    shifts earn: its reduced cost, in cents. `lits`: its shift literals
    (agent, day, template, literal), where the caller has them apart."""
    mine = built.shift_lits if lits is None else lits
    paid = [earn[(a, d, k)] * lit for a, d, k, lit in mine if a == agent]
    return sum(built.agent_terms.get(agent, [])) - sum(paid)


def least_reduced_costs(
    p: Problem,
    inc: State,
    cands: CandidateIndex,
    prices: Prices,
    fair_target: np.ndarray | None,
    seconds_per_agent: float,
    workers: int = 1,
    stop: StopCriteria | None = None,
) -> Cuts:
    """Each agent's least reduced cost at `prices` (module doc): CP-SAT on
    the agent's own model, every day free, its objective the reduced cost;
    the agents not reached before `stop` (a cancel) get no cut."""
    least: dict[int, int] = {}
    exact: dict[int, bool] = {}
    stop = stop or StopCriteria(time_limit=math.inf)
    for a in range(p.n_agents):
        if stop.should_stop():
            break
        one = build(p, inc, [a], range(p.n_days), cands, coverage=False, fair_target=fair_target)
        earn = shift_earnings(p, one, prices)
        one.model.minimize(reduced_cost(one, a, earn))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = seconds_per_agent
        solver.parameters.num_workers = workers
        with stop.watching(solver):  # Ctrl-C belongs to the caller
            code = solver.solve(one.model)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue  # no schedule found, or none proven: no cut for this agent
        least[a] = math.ceil(solver.best_objective_bound - 1e-6)
        exact[a] = code == cp_model.OPTIMAL
    return Cuts(prices, least, exact)


def add_cuts(p: Problem, built: Built, cuts: Cuts) -> int:
    """Each agent's reduced cost at least its least, in the model `built`
    (every day of the agent free); how many were added."""
    earn = shift_earnings(p, built, cuts.prices)
    lits: dict[int, list] = {}
    for x in built.shift_lits:
        lits.setdefault(x[0], []).append(x)
    added = 0
    for a, m in cuts.least.items():
        if a in built.agent_terms and built.free_days(a, p.n_days) == set(range(p.n_days)):
            built.model.add(reduced_cost(built, a, earn, lits.get(a, [])) >= m)
            added += 1
    return added
