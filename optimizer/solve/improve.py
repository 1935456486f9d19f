"""Agent by agent re-optimisation: each agent's whole horizon, re-planned
against what the others leave uncovered.

The construction plans agents one after another, so the first ones never
saw the later ones. Here each agent in turn is taken out of the incumbent,
gets its best schedule against the residual need from the same one-agent
model as the construction (every rule of the agent exact), and the change
is kept when the whole roster's objective improves. An interval is worth
what one more agent there is worth to the exact allocation — through
chains of colleagues handing queues over (`chains.py`), not only on the
agent's own queues. A full-horizon move for one agent is a neighbourhood
the day-window LNS does not have.

Inside a pass the allocation is updated locally (the agent leaves the
least penalised queue its group serves, and joins the queue it was planned
for, or along the chain that makes it worth most); the exact
allocation (`allocate.optimal_allocation`) is redone for the whole horizon
at the end of the pass — a min-cost flow too slow to run for every agent,
and never worse than the local updates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from optimizer.solve.allocate import optimal_allocation
from optimizer.solve.chains import chain_values, extend
from optimizer.solve.construct import best_schedule, worked_intervals
from optimizer.solve.model import CandidateIndex
from optimizer.solve.params import SearchParams
from optimizer.solve.problem import Problem
from optimizer.solve.state import (
    Evaluation,
    State,
    cover,
    evaluate,
    group_on_duty,
    re_evaluate,
    week_arcs,
)
from optimizer.solve.stop import StopCriteria
from optimizer.solve.tally import Tally


def _duty(p: Problem, s: State, a: int) -> np.ndarray:
    """Grid intervals agent a is on duty in `s` (breaks excluded)."""
    days = np.flatnonzero(s.works[a])
    if len(days) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([worked_intervals(p, a, int(s.tpl[a, d])) for d in days])


def release(p: Problem, s: State, a: int, on_group: np.ndarray) -> None:
    """Take agent a out of `s.alloc` where its group has nobody spare: one
    agent fewer in the least penalised queue the group serves there.
    `on_group` is the group's on-duty count [T] with the agent."""
    g = int(p.agent_group[a])
    t = _duty(p, s, a)
    al = s.alloc[g]
    if len(t) == 0 or al.shape[0] == 0:
        return
    full = al[:, t].sum(axis=0) >= on_group[t]
    t = t[full]
    pen = np.where(al[:, t] > 0, p.penalty[p.group_queues[g]][:, None], np.inf)
    j = pen.argmin(axis=0)
    has = np.isfinite(pen[j, np.arange(len(t))])
    np.subtract.at(al, (j[has], t[has]), 1)


def assign(
    p: Problem,
    s: State,
    a: int,
    best_q: np.ndarray,
    residual: np.ndarray,
    t: np.ndarray | None = None,
) -> None:
    """Put agent a (on duty as in `s`) into `s.alloc`: in each interval (of
    `t`, default all it works), the queue it was planned for (`best_q[t]`)
    while that queue is still short."""
    g = int(p.agent_group[a])
    t = _duty(p, s, a) if t is None else t
    if len(t) == 0:
        return
    q = best_q[t]
    useful = residual[q, t] > 0
    pos = np.full(len(p.queue_ids), -1, dtype=np.int64)
    pos[p.group_queues[g]] = np.arange(len(p.group_queues[g]))
    j = pos[q]
    useful &= j >= 0
    np.add.at(s.alloc[g], (j[useful], t[useful]), 1)


@dataclass(frozen=True)
class Replanning:
    """What every re-plan of an agent in one solve reads and that does not
    change during it: the problem, its candidate shifts, when to stop, the
    fairness targets rosters are evaluated against, CP-SAT's time for an
    agent the programme finds no schedule for (`seconds`), and whether an
    interval is valued through chains of colleagues (`chains`).

    The passes, guided passes and drop-and-refill moves all re-plan agents
    the same way; they take this one value, then the roster they work on
    and what differs from call to call (agents, prices, seed)."""

    p: Problem
    cands: CandidateIndex
    stop: StopCriteria
    fair_target: np.ndarray | None = None
    seconds: float = SearchParams.replan_seconds
    chains: bool = True


def replan(
    ctx: Replanning,
    s: State,
    a: int,
    seed: int,
    prices: np.ndarray | None = None,
    tally: Tally | None = None,
) -> State | None:
    """A copy of `s` with agent a re-planned over the whole horizon against
    what the others leave uncovered (cells valued at `prices` if given, else
    at the queues' penalties; through chains of colleagues unless
    `ctx.chains` is False), allocation updated locally; None if the agent's
    model finds no schedule in its time (`ctx.seconds`, when the programme
    finds none). `tally`, the counts of `s` when the caller keeps them,
    saves counting every group's allocation again."""
    p = ctx.p
    g = int(p.agent_group[a])
    trial = s.copy(groups=(g,))  # other groups' allocations shared until a chain moves them
    release(p, trial, a, group_on_duty(p, s, g))
    trial.works[a] = False
    if tally is None:
        residual = p.required - cover(p, trial)
        held = None
    else:
        residual = p.required - tally.cover_of(p, s, trial)

        def held(columns: np.ndarray) -> np.ndarray:  # of the trial as it stands when called
            return tally.held(p, s, trial, columns)

    value = p.penalty[:, None] if prices is None else prices
    worth = chain_values(p, trial, g, residual, value, held) if ctx.chains else None
    found = best_schedule(
        p,
        trial,
        a,
        residual,
        ctx.cands,
        seed,
        budgets=(ctx.seconds,),
        prices=prices,
        worth=worth,
        arcs=week_arcs(p, s, a),
    )
    if found is None:
        return None
    trial, own, best_q = found
    t = _duty(p, trial, a)
    if worth is None:
        assign(p, trial, a, best_q, residual, t)
        return trial
    # where a chain is worth more than the agent's own queue, make the chain
    chained = worth[t] > own[t] + 1e-9
    assign(p, trial, a, best_q, residual, t[~chained])
    if chained.any():  # colleagues of other groups move along the chain: copied as they do
        extend(p, trial, g, t[chained], residual, value, held, shared=s.alloc)
    return trial


def reoptimise_agents(
    ctx: Replanning,
    state: State,
    best: Evaluation,
    agents: list[int],
    seed: int,
    *,
    on_improve: Callable[[Evaluation], None] | None = None,
) -> tuple[State, Evaluation, int]:
    """One pass over `agents`; returns the new incumbent (exactly allocated),
    its evaluation and how many agents' schedules changed for the better."""
    p, stop, fair_target = ctx.p, ctx.stop, ctx.fair_target
    improved = 0
    tally = Tally.of(p, state)
    for a in agents:
        if stop.should_stop():
            break
        if not p.eligible[a].any():
            continue
        trial = replan(ctx, state, a, seed, tally=tally)
        if trial is None or (
            np.array_equal(trial.works[a], state.works[a])
            and np.array_equal(trial.tpl[a][trial.works[a]], state.tpl[a][state.works[a]])
        ):
            continue
        covered = tally.cover_of(p, state, trial)
        ev = re_evaluate(p, state, best, trial, [a], fair_target, covered)  # only a's changed
        if ev.total < best.total - 1e-6:
            tally.advance(p, state, trial, covered)
            state, best = trial, ev
            improved += 1
            if on_improve is not None:
                on_improve(best)
    state = state.copy()
    optimal_allocation(p, state)
    exact = evaluate(p, state, fair_target)
    if exact.total < best.total - 1e-6 and on_improve is not None:
        on_improve(exact)
    return state, exact, improved


def guided_pass(
    ctx: Replanning, state: State, agents: list[int], prices: np.ndarray, seed: int
) -> tuple[State, Evaluation] | None:
    """Re-plan every agent of `agents` in turn valuing the cells still needed
    at `prices` (e.g. the LP's coverage duals) instead of the queues'
    penalties, keeping every change; then allocate exactly. None when the
    stop comes first: a pass cut short is a half-moved roster the callers
    drop, so it is not allocated (on a large problem the allocation takes
    about a second of the time kept back for the finish).

    Penalties make an agent fill whatever is short that pays most, so a
    rare-language agent stays on a common language when that pays more —
    although a common-language agent could take that slot. Dual prices know
    which cells are cheap to cover by others. The result is a perturbation:
    the caller repairs it with ordinary passes and keeps it only if better.
    """
    p = ctx.p
    trial = state.copy()
    tally = Tally.of(p, trial)
    for a in agents:
        if ctx.stop.should_stop():
            return None
        if not p.eligible[a].any():
            continue
        new = replan(ctx, trial, a, seed, prices, tally)
        if new is not None:  # else the agent keeps its schedule
            tally.advance(p, trial, new, tally.cover_of(p, trial, new))
            trial = new
    optimal_allocation(p, trial)
    return trial, evaluate(p, trial, ctx.fair_target)
