"""`solve(problem, stop, seed, progress)`: the roster engine.

1. Construct a complete roster agent by agent (`construct.py`); agents whose
   own rules admit no schedule are explained (`explain.py`) → INFEASIBLE.
2. Small problems: one CP-SAT model with every agent and day free, hinted
   with the construction — solved to a proven optimum when time allows; its
   bound is CP-SAT's.
3. Large problems: agent passes (`improve.py`): each agent in turn re-planned
   over the whole horizon against what the others leave uncovered, while a
   pass gains ≥ 0.5 %; guided rounds (a pass valuing cells at the bound's
   coverage prices, repaired by ordinary passes); moves that drop a shift
   and re-plan a colleague near it (`refill.py`); then large-neighbourhood
   search: repeatedly free a few agents (and stand-ins for them) over a few
   days around the costliest shortfall (or at random), re-solve that
   neighbourhood exactly with CP-SAT from the incumbent, keep it if better.
   An agent's model offers each shift family (one start and length) as its
   best break option; neighbourhoods choose middle breaks only; at the end
   every break is moved where it costs least (`breaks.py`).
   Meanwhile `bounds.py` proves a lower bound beside the search (a thread,
   or a child process on large problems): the LP relaxation of the
   aggregate coverage problem (`bound.py`, GLOP; on large problems with
   coverage summed over blocks of intervals), then the Lagrangian
   relaxation of the coverage rows (`lagrange.py`) started from the LP's
   prices and improved step by step towards the incumbent; the best of the
   bounds (and CP-SAT's own, for the full model) is reported.
4. Activities: each worked interval gets one queue, with few switches.

The reported objective is the final roster's exact objective: the pay
model's cost (premiums, overtime, fx) plus tier penalties for the shortfall
counted from the roster, plus weighted soft terms. No file I/O, no printing.
"""

from __future__ import annotations

import dataclasses
import random
import time

import numpy as np
from ortools.sat.python import cp_model

from optimizer.pay import price_shifts
from optimizer.roster import Roster
from optimizer.solve.allocate import activities, activity_seconds, optimal_allocation
from optimizer.solve.bounds.worker import BoundWorker
from optimizer.solve.breaks import place_breaks
from optimizer.solve.construct import agent_order, construct
from optimizer.solve.explain import find_conflicts
from optimizer.solve.improve import guided_pass, reoptimise_agents
from optimizer.solve.model import CandidateIndex, build, read_solution
from optimizer.solve.problem import Problem
from optimizer.solve.refill import drop_and_refill
from optimizer.solve.result import FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN, Conflict, SolveResult
from optimizer.solve.state import State, evaluate, fairness_targets
from optimizer.solve.stop import Progress, ProgressEvent, StopCriteria, no_progress, relative_gap

FULL_MODEL_MAX_LITERALS = 40_000
PLAIN_PASSES = 1  # ordinary agent passes before the first guided round
FINAL_PASS_GAIN = 0.0005  # after the guided rounds, passes go on while one gains this much
# time kept back from the search for the steps after it (break pass, bound's
# last step, exact allocation, activities within their own time budget, pay
# model): a fixed part, a part per agent, and a margin for a slow machine
FINISH_SECONDS = 2.0
FINISH_SECONDS_PER_AGENT = 0.006
FINISH_MARGIN = 1.8
GUIDED_ROUND_GAIN = 0.0005  # guided rounds go on while one gains this much
GUIDED_ROUND_PASSES = 1.5  # a guided round starts only with this many passes' time left


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
    }


def _literal_count(p: Problem, cands: CandidateIndex) -> int:
    return sum(len(c) for by in cands.by_day for c in by.values())


def solve(
    problem: Problem,
    stop: StopCriteria | None = None,
    seed: int = 0,
    progress: Progress = no_progress,
) -> SolveResult:
    """Build a roster for `problem` within `stop` (see module doc)."""
    p = problem
    stop = stop or StopCriteria()
    t_start = time.monotonic()
    rng = random.Random(seed)

    def emit(
        phase: str, obj: float | None = None, bound: float | None = None, msg: str = ""
    ) -> None:
        progress(
            ProgressEvent(
                phase, time.monotonic() - t_start, obj, bound, relative_gap(obj, bound), msg
            )
        )

    small = _literal_count(p, CandidateIndex(p, nominal_only=False)) <= FULL_MODEL_MAX_LITERALS
    bounds = BoundWorker(p, stop, small=small)
    if small:
        bounds.start()  # small: at once; large: after construction (2 cores)
    cands = CandidateIndex(p, nominal_only=not small)
    emit("construct", msg=f"{p.n_agents} agents, {len(p.queue_ids)} queues, {p.grid.n} intervals")
    state, failed = construct(p, cands, stop, seed)
    if failed:
        bounds.finish()
        # construction gives up on an agent only when its own rules conflict, or after 20 s
        conflicts = find_conflicts(p, cands, failed, time_per_agent=60.0)
        status = INFEASIBLE
        if not conflicts:
            status = UNKNOWN
            conflicts = [
                Conflict(
                    p.agent_ids[a],
                    ("time limit",),
                    "no schedule meeting this agent's rules was found in time",
                )
                for a in failed
            ]
        emit(
            "infeasible" if status == INFEASIBLE else "unknown",
            msg=f"{len(conflicts)} agent(s) without a schedule",
        )
        return SolveResult(
            status,
            Roster.empty(),
            solve_seconds=time.monotonic() - t_start,
            conflicts=tuple(conflicts),
        )
    first_feasible = time.monotonic() - t_start
    if not small:
        bounds.start()
    fair_target = fairness_targets(p, state)
    best = evaluate(p, state, fair_target)
    bounds.upper = best.total
    emit("construct", best.total, msg="first roster")

    bound: float | None = None
    bound_method = ""
    status = FEASIBLE
    stats: dict[str, object] = {
        "agents": p.n_agents,
        "queues": len(p.queue_ids),
        "intervals": p.grid.n,
    }
    if small:  # small LPs take milliseconds: wait for the LP bound before searching
        bounds.lp_done.wait(timeout=max(0.0, stop.remaining()))
    bound, bound_method = bounds.best()
    emit("bound", best.total, bound)
    if small:
        # a short neighbourhood search first, then the whole model from its best
        lns_stop = StopCriteria(stop.remaining() * 0.4, stop.gap, stop.workers, stop.cancel)
        state, best, lns_stats = _lns(
            p, state, best, cands, lns_stop, rng, seed, fair_target, bound, emit, bounds
        )
        stats.update(lns_stats)
        built = build(
            p, state, list(range(p.n_agents)), range(p.n_days), cands, fair_target=fair_target
        )
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.1, stop.remaining())
        solver.parameters.num_workers = stop.workers
        solver.parameters.random_seed = seed
        solver.parameters.relative_gap_limit = stop.gap
        solver.parameters.linearization_level = 2
        with stop.watching(solver):  # Ctrl-C (stop.cancel) ends it at once
            code = solver.solve(built.model, _CpProgress(emit, built.constant, bounds, stop.gap))
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            cand = read_solution(p, state, built, solver)
            ev = evaluate(p, cand, fair_target)
            if ev.total <= best.total + 1e-6:
                state, best = cand, ev
            offset = best.total - solver.objective_value / 100.0
            cp_bound = solver.best_objective_bound / 100.0 + offset
            if bound is None or cp_bound > bound:
                bound, bound_method = cp_bound, "CP-SAT (full model)"
            status = OPTIMAL if code == cp_model.OPTIMAL else FEASIBLE
        stats["model"] = "lns + full"
    else:
        # the search leaves time for what follows it: a break pass, the exact
        # allocation and the pay model's cost (`search_end_seconds` …
        # `activities_end_seconds` in the stats say how long they took)
        finish = FINISH_SECONDS + FINISH_SECONDS_PER_AGENT * p.n_agents
        reserve = min(0.1 * stop.time_limit, FINISH_MARGIN * finish + activity_seconds(p))
        search = dataclasses.replace(stop, time_limit=stop.time_limit - reserve)
        state, best, agent_stats = _agent_passes(
            p, state, best, cands, search, rng, seed, fair_target, emit, bounds
        )
        stats.update(agent_stats)
        state, best, lns_stats = _lns(
            p, state, best, cands, search, rng, seed, fair_target, bound, emit, bounds
        )
        stats.update(lns_stats)
        bounds.halt()  # its last step runs alongside the break pass
        stats["search_end_seconds"] = round(time.monotonic() - t_start, 2)
        # passes and neighbourhoods choose each family's best or middle break: move
        # them, when the search overran into the reserve by less than half of it
        if stop.remaining() >= 0.5 * reserve:
            state, best = _breaks(p, state, best, fair_target, emit, bounds)
        stats["model"] = "agent passes + lns"

    bounds.finish()
    stats["bound_end_seconds"] = round(time.monotonic() - t_start, 2)
    b_value, b_method = bounds.best()
    if b_value is not None and (bound is None or b_value > bound):
        bound, bound_method = b_value, b_method
    elif bound is None:
        bound_method = b_method
    stats.update(bounds.stats())
    optimal_allocation(p, state)  # exact for every interval, whatever the last step was
    stats["allocation_end_seconds"] = round(time.monotonic() - t_start, 2)
    best = evaluate(p, state, fair_target)
    # the activities' passes converge within their budget, unless the time limit ends first
    roster = activities(p, state, time_budget=min(activity_seconds(p), max(0.5, stop.remaining())))
    stats["activities_end_seconds"] = round(time.monotonic() - t_start, 2)
    terms = exact_objective(p, state, roster)
    objective = round(sum(terms.values()), 2)
    if bound is not None:
        bound = min(bound, objective)
    gap = relative_gap(objective, bound)
    status = proven_status(status, objective, bound)
    emit("done", objective, bound)
    stats["model_objective"] = round(best.total, 2)
    return SolveResult(
        status=status,
        roster=roster,
        objective=objective,
        bound=None if bound is None else round(bound, 2),
        gap=None if gap is None else round(gap, 6),
        bound_method=bound_method,
        solve_seconds=time.monotonic() - t_start,
        first_feasible_seconds=round(first_feasible, 3),
        terms=terms,
        switches=roster.switches(),
        stats=stats,
    )


class _CpProgress(cp_model.CpSolverSolutionCallback):
    """Forwards CP-SAT's improving solutions to the progress callback, and
    stops the search once a solution is within the gap of the best bound."""

    def __init__(self, emit, offset: float, bounds: BoundWorker, gap: float):  # type: ignore[no-untyped-def]
        super().__init__()
        self._emit, self._offset, self._bounds, self._gap = emit, offset, bounds, gap

    def on_solution_callback(self) -> None:
        obj = self.objective_value / 100.0 + self._offset
        self._bounds.upper = min(self._bounds.upper or np.inf, obj)
        other = self._bounds.best()[0]
        bound = max(self.best_objective_bound / 100.0 + self._offset, other or -np.inf)
        self._emit("search", obj, bound)
        g = relative_gap(obj, bound)
        if g is not None and g <= self._gap:
            self.stop_search()


def _neighbourhood(
    p: Problem, s: State, best_short: np.ndarray, rng: random.Random, size: int, span: int
) -> tuple[list[int], range]:
    """Agents and days to free: around the costliest shortfall, or at random.

    Around a shortfall in queue q, half the agents are ones who may serve q
    and half are ones who may stand in for them: agents of the queues q's
    agents serve on those days. That lets the search move a rare-language
    agent from a common language onto q while someone else takes over,
    a two-agent move neither agent can make alone."""
    weight = best_short * p.penalty[:, None]
    total = weight.sum()
    if total > 0 and rng.random() < 0.75:
        flat = weight.ravel() / total
        cell = int(np.searchsorted(np.cumsum(flat), rng.random()))
        q, t = divmod(min(cell, flat.size - 1), p.grid.n)
        day = int(np.clip((p.grid.starts[t] - p.grid.start) // 1440, 0, p.n_days - 1))
        lo = max(0, min(day - span // 2, p.n_days - span))
        days = range(lo, min(p.n_days, lo + span))
        pool = [int(a) for a in np.flatnonzero(p.eligible[:, q])]
        rng.shuffle(pool)
        agents = pool[: max(1, size // 2)]
        # the queues those agents' groups serve in the window, bar q: their stand-ins
        t0 = min(lo * 1440 // p.interval, p.grid.n)
        t1 = min(t0 + span * 1440 // p.interval, p.grid.n)
        served = np.zeros(len(p.queue_ids), dtype=bool)
        for g in {int(p.agent_group[a]) for a in agents}:
            qs = p.group_queues[g]
            served[qs[s.alloc[g][:, t0:t1].sum(axis=1) > 0]] = True
        served[q] = False
        others = [
            int(a) for a in np.flatnonzero(p.eligible[:, served].any(axis=1) & ~p.eligible[:, q])
        ]
        rng.shuffle(others)
        agents += others[: size - len(agents)]
        if len(agents) < size:
            agents += [a for a in pool if a not in agents][: size - len(agents)]
        return sorted(agents), days
    g = rng.randrange(len(p.group_queues))
    pool_arr = np.flatnonzero(p.agent_group == g)
    if len(pool_arr) < size:
        qs = p.group_queues[g]
        pool_arr = np.flatnonzero(p.eligible[:, qs].any(axis=1)) if len(qs) else pool_arr
    day = rng.randrange(p.n_days)
    pool = [int(a) for a in pool_arr]
    rng.shuffle(pool)
    lo = max(0, min(day - span // 2, p.n_days - span))
    return sorted(pool[:size]), range(lo, min(p.n_days, lo + span))


def _agent_passes(p, state, best, cands, stop, rng, seed, fair_target, emit, bounds):  # type: ignore[no-untyped-def]
    """Re-plan agents one at a time over the whole horizon (`improve.py`).

    Ordinary passes (last-constructed first, then in random order): up to
    `PLAIN_PASSES` while each gains ≥ 0.5 %; while the LP is still running,
    more passes, then (once one gains less) drop-and-refill moves until the
    LP ends, rather than waiting for it. Then, with coverage prices, guided
    rounds: a guided pass at those prices (rare skills first) and ordinary passes to repair
    it, kept when the round ends better than it started, repeated while a
    round gains `GUIDED_ROUND_GAIN` and the time left is enough for it
    (`GUIDED_ROUND_PASSES` times the last pass: the guided pass and part of
    a repair pass — a round cut short in its repair passes is still kept
    when better, one cut in its guided pass is not), then stretches of
    drop-and-refill moves (`refill.py`), each followed by an ordinary pass,
    while a stretch and its pass gain `FINAL_PASS_GAIN` (and, when no prices
    had come by the rounds' turn — the block LP failed, the Lagrangian's
    come later — until they come: the rounds run then). Each round takes
    the Lagrangian's best prices at its start (the LP's until the
    Lagrangian improves on them), so later rounds are guided by better
    prices: on the baseline 531.6 k with the LP's prices in every round,
    510.8 k with these. On the baseline the first guided round takes the
    roster from about 0.74 M to 0.56 M."""
    order = [int(a) for a in agent_order(p)][::-1]
    counts = {"agent_passes": 0, "agent_changes": 0, "guided_rounds": 0}
    incumbent = [best.total]

    def improved(ev):  # type: ignore[no-untyped-def]
        if ev.total < incumbent[0]:
            incumbent[0] = ev.total
            bounds.upper = ev.total
            emit("improve", ev.total, bounds.best()[0])

    last_pass = [0.0]  # seconds the last complete pass took

    def passes(state, best, most, min_gain=0.005):  # type: ignore[no-untyped-def]
        for _ in range(most):
            if stop.should_stop():
                break
            before, t0 = best.total, time.monotonic()
            state, best, n = reoptimise_agents(
                p, state, best, cands, order, stop, seed + counts["agent_passes"], fair_target,
                improved,
            )  # fmt: skip
            counts["agent_passes"] += 1
            counts["agent_changes"] += n
            if not stop.should_stop():
                last_pass[0] = time.monotonic() - t0
            emit(
                "pass",
                best.total,
                bounds.best()[0],
                f"agent pass {counts['agent_passes']}: {n} agents changed",
            )
            rng.shuffle(order)
            gap = relative_gap(best.total, bounds.best()[0])
            if before - best.total < min_gain * before or (gap is not None and gap <= stop.gap):
                break
        return state, best

    counts.update(refill_moves=0, refill_kept=0)

    def refill(state, best, until):  # type: ignore[no-untyped-def]
        state, best, moved = drop_and_refill(
            p, state, best, cands, stop, rng, seed, fair_target, improved, until=until
        )
        for k, v in moved.items():
            counts[k] += v
        return state, best

    state, best = passes(state, best, PLAIN_PASSES)
    stalled = False  # while the LP runs: passes, then (once one gains < 0.5 %) refill moves
    while not bounds.lp_done.is_set() and not stop.should_stop():
        before = best.total
        if stalled:
            tried = counts["refill_moves"]
            state, best = refill(state, best, bounds.lp_done.is_set)
            if counts["refill_moves"] == tried:  # no shift to drop: wait, do not spin
                bounds.lp_done.wait(timeout=max(0.0, stop.remaining()))
        else:
            state, best = passes(state, best, 1)
            stalled = before - best.total < 0.005 * before
    pen = p.penalty[:, None]

    rounds_tried = [False]

    def guided_rounds(state, best):  # type: ignore[no-untyped-def]
        rounds_tried[0] = bounds.prices is not None
        while bounds.prices is not None and not stop.should_stop():
            gap = relative_gap(best.total, bounds.best()[0])
            if gap is not None and gap <= stop.gap:
                break
            if stop.remaining() < GUIDED_ROUND_PASSES * last_pass[0]:
                break  # a round cut in its guided pass is dropped: not worth starting
            # the Lagrangian's best prices so far (the LP's until it improves on them);
            # every needed cell worth a little
            prices = np.minimum(bounds.prices, pen) + 1e-3 * pen
            scarce_first = [int(a) for a in agent_order(p)]
            trial, trial_best = guided_pass(
                p,
                state,
                cands,
                scarce_first,
                prices,
                stop,
                seed + counts["guided_rounds"],
                fair_target,
            )
            counts["guided_rounds"] += 1
            trial, trial_best = passes(trial, trial_best, 1_000)
            gained = best.total - trial_best.total
            verdict = "kept" if gained > 0 else "dropped"
            emit(
                "guided",
                trial_best.total,
                bounds.best()[0],
                f"guided round {counts['guided_rounds']}: {verdict}",
            )
            if gained > 0:
                state, best = trial, trial_best
                improved(best)
            if gained < GUIDED_ROUND_GAIN * (best.total + max(gained, 0.0)):
                break
        return state, best

    def prices_came_late() -> bool:  # none at the rounds' turn (the LP failed), some now
        return not rounds_tried[0] and bounds.prices is not None

    state, best = guided_rounds(state, best)
    # then shifts dropped and their holes refilled by colleagues (`refill.py`), with
    # an ordinary pass after each stretch of them, while a stretch and its pass gain
    # `FINAL_PASS_GAIN`: on the baseline they go on gaining where passes alone stop
    while not stop.should_stop():
        if prices_came_late():  # the Lagrangian's first prices: the rounds now
            state, best = guided_rounds(state, best)
        before = best.total
        state, best = refill(state, best, prices_came_late)
        state, best = passes(state, best, 1, FINAL_PASS_GAIN)
        waiting = not rounds_tried[0] and bounds.running()
        if before - best.total < FINAL_PASS_GAIN * before and not waiting:
            break
    return state, best, counts


def _breaks(p, state, best, fair_target, emit, bounds):  # type: ignore[no-untyped-def]
    """Each shift's break to where it costs least (`breaks.py`), reported when it gains."""
    state, ev = place_breaks(p, state, fair_target)
    if ev.total < best.total - 1e-6:
        bounds.upper = ev.total
        emit("improve", ev.total, bounds.best()[0], "breaks moved")
        return state, ev
    return state, best


def _lns(p, state, best, cands, stop, rng, seed, fair_target, bound, emit, bounds):  # type: ignore[no-untyped-def]
    """Large-neighbourhood search from `state` until `stop` (or the gap is closed)."""
    size, span = 12, 4
    tried = improved = 0
    while not stop.should_stop():
        latest = bounds.best()[0]
        if latest is not None and (bound is None or latest > bound + 1e-9):
            bound = latest
            emit("bound", best.total, bound)
        gap = relative_gap(best.total, bound)
        if gap is not None and gap <= stop.gap:
            break
        agents, days = _neighbourhood(p, state, best.short, rng, size, span)
        if not agents:
            continue
        built = build(p, state, agents, days, cands, fair_target=fair_target)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.1, min(2.0, stop.remaining()))
        # one core is the bound thread's while it runs
        solver.parameters.num_workers = (
            max(1, stop.workers - 1) if bounds.running() else stop.workers
        )
        solver.parameters.random_seed = seed + tried
        with stop.watching(solver):
            code = solver.solve(built.model)
        tried += 1
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            size = max(4, size - 2)
            continue
        cand = read_solution(p, state, built, solver)
        # the model re-allocated only the neighbourhood's groups: now all of them
        optimal_allocation(p, cand, built.touched)
        ev = evaluate(p, cand, fair_target)
        if ev.total < best.total - 1e-6:
            state, best = cand, ev
            bounds.upper = best.total
            improved += 1
            emit("improve", best.total, bound)
        # adapt: grow while neighbourhoods solve to optimality fast, shrink otherwise
        if code == cp_model.OPTIMAL and solver.wall_time < 1.0:
            size, span = min(size + 2, 40), min(span + 1, 7)
        elif code == cp_model.FEASIBLE:
            size, span = max(4, size - 2), max(2, span - 1)
    return state, best, {"lns_neighbourhoods": tried, "lns_improvements": improved}


__all__ = ["solve"]
