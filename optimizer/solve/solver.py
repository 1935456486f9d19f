"""`solve(problem, stop, seed, progress, params)`: the roster engine.

1. Construct a complete roster agent by agent (`construct.py`); agents whose
   own rules admit no schedule are explained (`explain.py`) → INFEASIBLE.
   Meanwhile the bound worker (`bounds/worker.py`) proves a lower bound
   beside the search (a thread, or a child process on large problems): the
   LP relaxation of the pooled coverage problem (`bounds/lp.py`), then the
   Lagrangian relaxation of the coverage rows from the LP's prices — by
   column generation on small problems (`bounds/colgen.py`), by subgradient
   steps towards the incumbent on large ones (`bounds/lagrange.py`).
2. Small problems (`SearchParams.full_model_max_literals`,
   `full_model_max_days`): the steps of `small.py` — column generation's
   converged master gives a dive and the restricted model, its prices the
   cuts and, where every objective is a whole number, the exact rounds;
   then one CP-SAT model with every agent and day free, solved to a proven
   optimum when time allows (its bound counts too), and the
   large-neighbourhood search (`lns.py`) for the time left.
3. Large problems: agent passes, guided rounds and guided neighbourhoods
   (`passes.py`), then the large-neighbourhood search until the time kept
   for step 4; then every break moved where it costs least (`breaks.py`).
   An agent's model offers each shift family (one start and length) as its
   best break option; neighbourhoods choose middle breaks only.
4. Finish: the exact allocation of agents to queues, each worked
   interval's activity (few switches) — where the stretch and switch
   rules bind, then agent passes on the named roster (`activity_passes.py`)
   and the activities searched again from there — the best bound, and the
   roster's exact objective: the pay model's cost (premiums, overtime, fx)
   plus tier penalties for the shortfall counted from the roster, plus
   weighted soft terms. These steps run on one core: a bound proved in a
   child process goes on beside them on the other until they end (one in
   a thread is stopped first, as it would slow them down).

What stops a run is `stop` (`stop.py`); the tuning values are `params`
(`params.py`). No file I/O, no printing.
"""

from __future__ import annotations

import dataclasses
import random
import time

import numpy as np

from optimizer.pay import price_shifts
from optimizer.roster import Roster
from optimizer.solve.activity_passes import activity_passes
from optimizer.solve.activity_plan import (
    ActivityPlan,
    activity_least_seconds,
    activity_rules,
    activity_seconds,
    plan_activities,
)
from optimizer.solve.activity_search import POLISH_SECONDS
from optimizer.solve.allocate import optimal_allocation
from optimizer.solve.bounds.colgen import OFF
from optimizer.solve.bounds.worker import BoundWorker
from optimizer.solve.breaks import place_breaks
from optimizer.solve.construct import construct
from optimizer.solve.explain import find_conflicts
from optimizer.solve.improve import Replanning
from optimizer.solve.lns import lns
from optimizer.solve.model import CandidateIndex
from optimizer.solve.params import SearchParams
from optimizer.solve.passes import agent_passes
from optimizer.solve.problem import Problem
from optimizer.solve.result import (
    FEASIBLE,
    INFEASIBLE,
    OPTIMAL,
    TIME_LIMIT,
    UNKNOWN,
    Conflict,
    SolveResult,
)
from optimizer.solve.search import Search
from optimizer.solve.small import small_search
from optimizer.solve.state import Evaluation, State, cover, evaluate, fairness_targets
from optimizer.solve.stop import Progress, StopCriteria, no_progress, relative_gap

PROVEN = 0.01  # objective − bound within the currency's rounding: optimality is proven


def proven_status(status: str, objective: float, bound: float | None) -> str:
    """OPTIMAL only when the roster's objective meets a proven lower bound
    (to within a cent): a search stopped by its gap limit, or whose exact
    objective came out above the model's, is FEASIBLE however small its
    gap; a roster that meets its bound is OPTIMAL whatever stopped it."""
    if bound is not None and objective - bound <= PROVEN + 1e-9:
        return OPTIMAL
    return FEASIBLE if status == OPTIMAL else status


def exact_objective(p: Problem, s: State, roster: Roster) -> dict[str, float]:
    """Terms of the final roster's objective (reporting currency)."""
    cov = roster.coverage(p.queue_ids, p.grid.start, p.grid.interval, p.grid.n)
    short = np.clip(p.required - cov, 0, None)
    under = float((short * p.penalty[:, None]).sum())
    shifts = roster.shifts
    cost = 0.0
    if len(shifts):
        priced = price_shifts(
            p.scenario,
            p.calendars,
            shifts[["agent_id", "site", "shift_date", "start", "end"]],
            roster.breaks,
        )
        cost = float(priced.table["cost_reporting"].sum())
    ev = evaluate(p, s)
    w = p.scenario.weights
    return {
        "under_cover_penalty": round(under, 2),
        "cost": round(w.cost * cost, 2),
        "preference": round(ev.preference, 2),
        "fairness": round(ev.fairness, 2),
        "stability": round(ev.stability, 2),
        "requests": round(ev.requests, 2),
        "shift_cover": round(ev.type_cover, 2),
    }


def _literal_count(cands: CandidateIndex) -> int:
    return sum(len(c) for by in cands.by_day for c in by.values())


def solve(
    problem: Problem,
    stop: StopCriteria | None = None,
    seed: int = 0,
    progress: Progress = no_progress,
    params: SearchParams = SearchParams(),
) -> SolveResult:
    """Build a roster for `problem` within `stop`: the steps of the module doc."""
    p, stop = problem, stop or StopCriteria()
    started = time.monotonic()
    every = CandidateIndex(p, nominal_only=False)
    small = (
        _literal_count(every) <= params.full_model_max_literals
        and p.n_days <= params.full_model_max_days
    )
    bounds = BoundWorker(p, stop, small=small)
    if small:
        bounds.start()  # small: at once; large: after construction (2 cores)
    cands = every if small else CandidateIndex(p, nominal_only=True)
    search = Search(p, cands, stop, params, seed, random.Random(seed), bounds, progress, started)
    search.stats.update(agents=p.n_agents, queues=len(p.queue_ids), intervals=p.grid.n)

    # 1. construction
    search.emit(
        "construct", msg=f"{p.n_agents} agents, {len(p.queue_ids)} queues, {p.grid.n} intervals"
    )
    built = construct(p, cands, stop, seed)
    if not built.complete:
        return _no_schedule(search, built.failed, built.unplaced)
    state = built.state
    first_feasible = search.elapsed()
    if not small:
        bounds.start()
    search.fair_target = fairness_targets(p, state)
    best = evaluate(p, state, search.fair_target)
    bounds.upper = best.total
    if small:  # its schedules start column generation's master (`ColumnGeneration.seed`)
        bounds.columns.offer(np.where(state.works, state.tpl, OFF))
    search.emit("construct", best.total, msg="first roster")
    if small:  # small LPs take milliseconds: wait for the LP bound before searching
        bounds.lp_done.wait(timeout=max(0.0, stop.remaining()))
    bound, bound_method = bounds.best()
    search.emit("bound", best.total, bound)

    status = FEASIBLE
    if small:
        # 2. column generation's roster and rounds, then the whole model (`small.py`)
        state, best, proved = small_search(search, state, best, bound)
        if proved is not None:
            status, cp_bound = proved
            if bound is None or cp_bound > bound:
                bound, bound_method = cp_bound, "CP-SAT (full model)"
    else:
        # 3. agent passes and neighbourhoods, leaving time for step 4
        reserve = _finish_reserve(p, stop, params)
        search.stop = dataclasses.replace(stop, time_limit=stop.time_limit - reserve)
        state, best = agent_passes(search, state, best)
        state, best = lns(search, state, best, search.stop, bound)
        if not bounds.in_process:
            bounds.halt()  # a thread (or a child still in its LP): its last step beside the breaks
        search.ended("search")
        # passes and neighbourhoods choose each family's best or middle break: move
        # them, unless the search overran too far into the time kept back
        if stop.remaining() >= params.breaks_share * reserve:
            state, best = _breaks(search, state, best)
        search.stats["model"] = "agent passes + lns"

    # 4. finish
    return _finish(search, stop, state, bound, bound_method, status, first_feasible)


def _finish_reserve(p: Problem, stop: StopCriteria, params: SearchParams) -> float:
    """Seconds a large problem's search leaves for what follows it: a break
    pass, the exact allocation, the activities and the pay model's cost
    (`search_end_seconds` … `activities_end_seconds` in the stats say how
    long they took).

    The steps' estimate (with its margin) plus the activities' budget, at
    most `finish_share` of the limit; but never less than the estimate plus
    the activities' least time: the search's last seconds gain less than
    the activities' first passes win back from the stretch and switch
    rules. Where those rules bind, `activity_pass_seconds` more, and the
    activities' least time again, for the passes on the named
    roster and the activities' second search after them (`_activity_passes`).
    At most `finish_most_share` of the limit, so that a short limit
    still leaves the search most of its time. "The limit" is the time left
    when the search begins: building the problem and the first roster have
    already spent some of it."""
    left = stop.remaining()
    steps = params.finish_margin * params.finish_estimate(p.n_agents)
    wanted = min(params.finish_share * left, steps + activity_seconds(p))
    least = steps + activity_least_seconds(p)
    named = 0.0
    if activity_rules(p).binding:  # the passes on the named roster, and the polish after them
        named = params.activity_pass_seconds(p.n_agents, left) + activity_least_seconds(p)
    return min(max(wanted, least) + named, params.finish_most_share * left)


def _activity_budget(
    p: Problem, stop: StopCriteria, params: SearchParams, later: float = 0.0
) -> float:
    """Seconds for the activities: their own budget, less if the time limit
    comes first, leaving what the pay model's pricing of the roster needs
    after them, the polish they may run past their budget and `later`
    seconds for the steps between (half a second at least)."""
    after = params.pricing_estimate(p.n_agents) + POLISH_SECONDS + later
    return min(activity_seconds(p), max(0.5, stop.remaining() - after))


def _passes_and_second_search(p: Problem, stop: StopCriteria, params: SearchParams) -> float:
    """Seconds the first naming leaves, where the stretch and switch rules
    bind, for the passes on the named roster and the activities' second
    search (`_activity_passes`): what `_finish_reserve` kept for them."""
    if not activity_rules(p).binding:
        return 0.0
    return params.activity_pass_seconds(p.n_agents, stop.time_limit) + activity_least_seconds(p)


def _activity_passes(
    search: Search, stop: StopCriteria, state: State, plan: ActivityPlan
) -> tuple[State, ActivityPlan]:
    """Where the stretch and switch rules bind: agent passes on the named
    roster (`activity_passes.py`) in the time left but what the activities'
    second search and the pricing need, then that search from the passes'
    sequences when an agent changed. Passes counted by `MaxPasses` do not
    stop them: they end when a pass gains too little."""
    p, params = search.p, search.params
    rules = activity_rules(p)
    if not rules.binding or len(plan.table) == 0:
        return state, plan
    after = activity_least_seconds(p) + params.pricing_estimate(p.n_agents) + POLISH_SECONDS
    seconds = stop.remaining() - after
    if seconds <= 0.0:
        return state, plan
    until = dataclasses.replace(stop, passes=None, time_limit=stop.elapsed() + seconds)
    ctx = Replanning(p, search.cands, until, search.fair_target, params.replan_seconds)
    named = activity_passes(ctx, state, plan.table, plan.x, rules, search.seed)
    search.stats["activity_pass_agents"] = len(named.changed)
    search.stats["activity_pass_gain"] = round(named.gained, 2)
    search.ended("activity_passes")
    if not named.changed:
        return state, plan
    state = named.state
    optimal_allocation(p, state)
    start = named.sequences(p)
    budget = _activity_budget(p, stop, params)
    plan = plan_activities(p, state, time_budget=budget, flow=cover(p, state), start=start)
    search.ended("activities_again")
    return state, plan


def _no_schedule(search: Search, failed: list[int], unplaced: list[int]) -> SolveResult:
    """The result of a construction that left agents without a schedule:
    INFEASIBLE with the conflicting rules of each agent in `failed`, or
    UNKNOWN when none was found — and always UNKNOWN when the time ran out
    before the agents of `unplaced` were reached: nothing was proven of them."""
    p = search.p
    search.bounds.finish()
    # construction gives up on an agent only when its own rules conflict, or after 20 s
    conflicts = find_conflicts(p, search.cands, failed, time_per_agent=60.0) if failed else []
    status = INFEASIBLE if conflicts and not unplaced else UNKNOWN
    unproven = [a for a in failed if p.agent_ids[a] not in {c.agent_id for c in conflicts}]
    detail = "no schedule meeting this agent's rules was found in time"
    conflicts += [Conflict(p.agent_ids[a], (TIME_LIMIT,), detail) for a in unproven]
    if unplaced:
        placed = p.n_agents - len(unplaced) - len(failed)
        detail = (
            f"not reached: the time limit came after {placed} of {p.n_agents} agents had a "
            f"schedule ({search.elapsed():.0f} s); give the solve more time"
        )
        conflicts += [Conflict(p.agent_ids[a], (TIME_LIMIT,), detail) for a in unplaced]
    search.emit(
        "infeasible" if status == INFEASIBLE else "unknown",
        msg=f"{len(failed) + len(unplaced)} agent(s) without a schedule",
    )
    return SolveResult(
        status,
        Roster.empty(),
        solve_seconds=search.elapsed(),
        conflicts=tuple(conflicts),
    )


def _breaks(search: Search, state: State, best: Evaluation) -> tuple[State, Evaluation]:
    """Each shift's break to where it costs least (`breaks.py`), reported when it gains."""
    state, ev = place_breaks(search.p, state, search.fair_target)
    if ev.total < best.total - 1e-6:
        search.bounds.upper = ev.total
        search.emit("improve", ev.total, search.bound(), "breaks moved")
        return state, ev
    return state, best


def _finish(
    search: Search,
    stop: StopCriteria,
    state: State,
    bound: float | None,
    bound_method: str,
    status: str,
    first_feasible: float,
) -> SolveResult:
    """Step 4 of the module doc: the exact allocation, the activities, the
    best bound, and the roster's exact objective, status and gap."""
    p, bounds, stats = search.p, search.bounds, search.stats
    if not bounds.in_process:  # a thread would take the interpreter's lock from the steps below
        bounds.finish()
    optimal_allocation(p, state)  # exact for every interval, whatever the last step was
    search.ended("allocation")
    later = _passes_and_second_search(p, stop, search.params)
    budget = _activity_budget(p, stop, search.params, later)
    plan = plan_activities(p, state, time_budget=budget, flow=cover(p, state))
    search.ended("activities")
    state, plan = _activity_passes(search, stop, state, plan)
    bounds.finish()
    search.ended("bound")
    b_value, b_method = bounds.best()
    if b_value is not None and (bound is None or b_value > bound):
        bound, bound_method = b_value, b_method
    elif bound is None:
        bound_method = b_method
    stats.update(bounds.stats())
    best = evaluate(p, state, search.fair_target)  # the model's objective of the final shifts
    roster, named = plan.roster, plan.report
    # what the stretch and switch rules cost the shifts as they stand, and how much of
    # it the naming may still have lost beyond the best (`activity_plan.ActivityReport`)
    stats["activities_shortfall"] = round(named.shortfall, 2)
    stats["activities_lower_bound"] = round(named.lower, 2)
    stats["activities_gap"] = round(named.gap, 2)
    stats["activities_method"] = named.method
    terms = exact_objective(p, state, roster)
    objective = round(sum(terms.values()), 2)
    if bound is not None:
        bound = min(bound, objective)
    gap = relative_gap(objective, bound)
    status = proven_status(status, objective, bound)
    search.emit("done", objective, bound)
    stats["model_objective"] = round(best.total, 2)
    return SolveResult(
        status=status,
        roster=roster,
        objective=objective,
        bound=None if bound is None else round(bound, 2),
        gap=None if gap is None else round(gap, 6),
        bound_method=bound_method,
        solve_seconds=search.elapsed(),
        first_feasible_seconds=round(first_feasible, 3),
        terms=terms,
        switches=roster.switches(),
        stats=stats,
    )


__all__ = ["solve"]
