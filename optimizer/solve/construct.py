"""A complete first roster, one agent at a time.

Agents are taken scarcest skill first. Each gets the best schedule for what
is still uncovered — every one of its hard rules exact — from a dynamic
programme over its days (`agentdp.py`; a small CP-SAT model of the agent
alone where the programme finds none), valuing each template by the
penalties it would save (the most penalised uncovered queue the agent can
serve, interval by interval) less its cost. The agent's on-duty intervals
then cover that queue, and the next agent sees the rest. The result is
feasible whenever each agent's own rules are, which `explain.py` checks
first. The time limit is looked at before each agent: the agents not
reached are returned as such, never placed past it. A cancel is not: it
ends the search once the first roster is complete, and that roster is kept
as the best so far.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from optimizer.solve.agentdp import best_plan
from optimizer.solve.allocate import optimal_allocation
from optimizer.solve.arcs import anchor_candidates, steady_band
from optimizer.solve.model import CandidateIndex, build, read_solution
from optimizer.solve.problem import Problem
from optimizer.solve.state import State, week_arcs
from optimizer.solve.stop import StopCriteria
from optimizer.solve.type_cover import type_cover_values
from optimizer.solve.wishes import shift_prices

TOP_K = 10  # templates per day in the first, small model of an agent
# arcs a week's start band may take in a re-plan, besides the agent's current one: up to
# this many a pass takes about as long as with a few (the programme's other work
# dominates), and each re-plan may move a week's starts to more places; beyond it the
# programme's states, and a pass's time, grow fast (`sunroster bench workability`
# measures the rosters)
ANCHORS = 8
# up to this many days, a plan breaking a limit the programme's state left out is refused
# and the agent's CP-SAT model decides; over a longer horizon the model is slow to build
# and rarely finds anything within its budgets: the programme repairs the plan
CHECK_MAX_DAYS = 84
# over a long horizon, the hours over the horizon by a price first where the exact
# programme would hold more paid totals than this (`agentdp.best_plan`): below, its
# runs cost about what the price's do, and it finds the best plan
HOURS_BY_PRICE_UNITS = 500


def agent_order(p: Problem) -> np.ndarray:
    """Scarcest skills first: agents whose queues few others can serve."""
    supply = p.eligible.sum(axis=0).astype(float)
    scarcity = np.where(p.eligible, 1.0 / np.maximum(supply, 1.0), 0.0).max(axis=1)
    return np.lexsort((np.arange(p.n_agents), -scarcity))


def template_values(p: Problem, a: int, marginal: np.ndarray) -> np.ndarray:
    """Penalty saved by each template of agent a's site: Σ over its working
    intervals of `marginal[t]` (prefix sums: vectorised over templates)."""
    prefix = np.concatenate([[0.0], np.cumsum(marginal)])
    return p.sites[p.agent_site[a]].on_duty_sums(prefix)


def best_schedule(
    p: Problem,
    s: State,
    a: int,
    residual: np.ndarray,
    cands: CandidateIndex,
    seed: int,
    budgets: tuple[float, ...] = (0.2, 2.0, 20.0),
    stop: StopCriteria | None = None,
    prices: np.ndarray | None = None,
    worth: np.ndarray | None = None,
    arcs: np.ndarray | None = None,
    template_worth: np.ndarray | None = None,
) -> tuple[State, np.ndarray, np.ndarray] | None:
    """Agent a's best schedule against `residual` need, every other agent as in `s`.

    Each template is worth the penalties it would save (the most penalised
    queue with residual need the agent can serve, interval by interval) less
    its cost. Of each family of candidates (one start and length, the break
    anywhere in its window) only the option worth most is offered: to every
    rule of the agent they are the same shift. The exact dynamic programme
    of `agentdp.py` picks the schedule (the returned state then shares
    `s.alloc`); if it finds none, the agent's CP-SAT model decides: first
    over the TOP_K most valuable templates per day, over all candidates only
    if that leaves the agent without a schedule. A plan breaking a limit
    the programme's state left out is repaired by its heuristic on horizons
    over `CHECK_MAX_DAYS` days, and refused on shorter ones: the model
    decides as above. On those long horizons the agent's hours over the
    horizon are met by a price first where they come to more than
    `HOURS_BY_PRICE_UNITS` paid totals (`agentdp.best_plan`'s
    `hours_by_price`).
    `prices` [Q, T], when given, value the cells with residual need instead
    of the queues' penalties; `worth` [T], when given, is the agent's value
    per interval instead (e.g. through
    chains, `chains.chain_values`); `template_worth` [K], when given, is
    each template's worth itself (e.g. the queue sequence it can name
    within the stretch and switch rules, `activity_passes.py`). The week's
    start band (no wider than `arcs.steady_band`) is chosen among
    the agent's arcs in `s` (or `arcs` [W], e.g. those of its schedule
    before it was released: -1 for none) and the `ANCHORS` most promising
    others. Returns the new state, the per-interval
    value on the agent's own queues (whatever `worth` says) and the own
    queue it goes to; None if the agent's own rules admit no schedule (in
    the time given: the CP-SAT budgets, cut to what `stop` leaves).
    """
    qs = np.flatnonzero(p.eligible[a])
    value = p.penalty[qs, None] if prices is None else prices[qs]
    gain = np.where(residual[qs] > 0, value, 0.0)
    own = gain.max(axis=0)
    best_q = qs[gain.argmax(axis=0)]
    # what each template covers, and what it adds to the cover per shift type
    if template_worth is None:
        template_worth = template_values(p, a, own if worth is None else worth)
    values = {a: template_worth + type_cover_values(p, s, a)}
    site = p.sites[p.agent_site[a]]
    w = p.scenario.weights
    net = values[a] - p.rate[a] * site.tpl.weight * w.cost - shift_prices(p, a)
    # a family's options differ only in the break: the agent's model needs the best one only
    allowed = np.full(len(net), -np.inf)
    allowed[p.cand[a]] = net[p.cand[a]]
    best_of = site.best_of_families(allowed)
    best = {d: np.unique(best_of[site.family[ks]]) for d, ks in cands.by_day[a].items()}
    offered = np.concatenate([np.zeros(0, dtype=np.int64), *best.values()])
    anchors, band = None, steady_band(p, a)
    if band >= 0 or w.stability > 0:
        keep = week_arcs(p, s, a) if arcs is None else arcs
        anchors = anchor_candidates(p, a, offered, net[offered], keep, ANCHORS, band)
    repair = p.n_days > CHECK_MAX_DAYS
    by_price = HOURS_BY_PRICE_UNITS if repair else None
    plan, _ = best_plan(
        p, a, offered, net[offered], anchors, band, repair=repair, hours_by_price=by_price
    )
    if plan is not None:  # the agent's own rows only: `alloc` is shared with `s`
        out = State(s.works.copy(), s.tpl.copy(), s.alloc)
        out.works[a] = False
        out.works[a, site.tpl.day[plan]] = True
        out.tpl[a, site.tpl.day[plan]] = plan
        return out, own, best_q
    # the programme found no schedule: the CP-SAT model confirms it (and explains)
    short_list, every = (copy.copy(cands) for _ in range(2))
    for pool, top in ((short_list, TOP_K), (every, None)):
        pool.by_day = list(cands.by_day)
        pool.by_day[a] = {
            d: ks[np.argsort(-net[ks], kind="stable")[:top]] for d, ks in best.items()
        }
    pools = (short_list, *([every] * (len(budgets) - 1)))
    for pool, limit in zip(pools, budgets, strict=True):
        built = build(p, s, [a], range(p.n_days), pool, coverage=False, values=values)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        solver.parameters.catch_sigint_signal = False  # Ctrl-C is the caller's (stop.py)
        solver.parameters.max_time_in_seconds = (
            limit if stop is None else max(0.0, min(limit, stop.remaining()))
        )
        status = solver.solve(built.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return read_solution(p, s, built, solver), own, best_q
    return None


def worked_intervals(p: Problem, a: int, k: int) -> np.ndarray:
    """Grid intervals agent a is on duty (not on break) in template k of its site."""
    return p.sites[p.agent_site[a]].on_duty(k)


@dataclass(frozen=True)
class Construction:
    """The first roster: `state`, with every agent of `failed` (its own rules
    admit no schedule) and of `unplaced` (the time ran out before it was
    reached, or while its schedule was sought) left without shifts."""

    state: State
    failed: list[int]
    unplaced: list[int]

    @property
    def complete(self) -> bool:
        """Every agent has the schedule its own rules require."""
        return not self.failed and not self.unplaced


def construct(p: Problem, cands: CandidateIndex, stop: StopCriteria, seed: int) -> Construction:
    """Build the first roster (see module doc) within `stop`."""
    failed: list[int] = []
    unplaced: list[int] = []
    s = State.empty(p)
    residual = p.required.astype(np.int64).copy()
    order = [int(a) for a in agent_order(p)]
    for i, a in enumerate(order):
        if stop.out_of_time():
            unplaced = order[i:]
            break
        if not p.eligible[a].any():
            if p.wmin[a].any():
                failed.append(a)
            continue
        found = best_schedule(p, s, a, residual, cands, seed, stop=stop)
        if found is None:
            # this agent's own rules conflict (explain.py says which), unless time ran out
            (unplaced if stop.out_of_time() else failed).append(a)
            continue
        s, marginal, best_q = found
        # the agent's on-duty intervals cover the queue it helps most
        for d in np.flatnonzero(s.works[a]):
            t = worked_intervals(p, a, int(s.tpl[a, d]))
            useful = marginal[t] > 0
            np.subtract.at(residual, (best_q[t[useful]], t[useful]), 1)
        # no early exit: every agent needs a schedule meeting its own minimums
    optimal_allocation(p, s)
    return Construction(s, failed, unplaced)
