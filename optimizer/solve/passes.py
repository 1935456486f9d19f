"""The agent passes of a large problem's search, in their order.

1. Ordinary passes (`improve.reoptimise_agents`: each agent re-planned over
   the whole horizon against what the others leave uncovered; the last
   constructed first, then in random order): `plain_passes` of them while
   each gains `pass_gain`.
2. While the LP is still solving: more passes, then (once one gains less)
   drop-and-refill moves (`refill.py`) until it ends, rather than waiting.
3. Guided rounds, once coverage prices have come (`guided_rounds`): a
   guided pass at those prices, rare skills first, repaired by ordinary
   passes; kept when the round ends better than it started; repeated while
   a round gains `guided_round_gain` and the time left is enough for one.
4. Guided neighbourhoods while prices are known (`guided_neighbourhoods`):
   the agents of one site at a time (at most `neighbourhood_agents` of
   them, sites in random order) re-planned at the prices, then repaired by
   ordinary re-plans of them and as many other agents; kept when better.
   A whole round of sites without a gain ends them.
5. Stretches of drop-and-refill moves, each followed by an ordinary pass,
   while a stretch and its pass gain `final_pass_gain` (and, when no prices
   had come by the rounds' turn, until they come: the rounds run then).
   When a stretch gains, the neighbourhoods of step 4 run again.

Steps 3 and 4 follow coverage prices (`following_prices`): a problem without
demand per interval has none, and goes from the passes to step 5.

Each pass, guided or ordinary, and each neighbourhood counts towards
`MaxPasses`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from optimizer.solve.construct import agent_order
from optimizer.solve.improve import Replanning, guided_pass, reoptimise_agents
from optimizer.solve.problem import Problem
from optimizer.solve.refill import drop_and_refill
from optimizer.solve.search import Search
from optimizer.solve.state import Evaluation, State

Scored = tuple[State, Evaluation]  # a roster and its evaluation


def replanning(search: Search) -> Replanning:
    """How this solve re-plans an agent (read when called: the fairness
    targets are set once the first roster is built)."""
    return Replanning(
        search.p, search.cands, search.stop, search.fair_target, search.params.replan_seconds
    )


def agent_passes(search: Search, state: State, best: Evaluation) -> Scored:
    """Steps 1–4 of the module doc from (`state`, `best`); the best roster found."""
    search.reported = best.total
    search.stats.update(
        agent_passes=0,
        agent_changes=0,
        guided_rounds=0,
        guided_neighbourhoods=0,
        guided_neighbourhoods_kept=0,
        refill_moves=0,
        refill_kept=0,
    )
    order = [int(a) for a in agent_order(search.p)][::-1]
    prm, bounds, stop = search.params, search.bounds, search.stop
    state, best = passes(search, order, state, best, prm.plain_passes)
    stalled = False  # while the LP runs: passes, then (once one gains too little) refill moves
    while not bounds.lp_done.is_set() and not stop.should_stop():
        before = best.total
        if stalled:
            tried = search.stats["refill_moves"]
            state, best = refill(search, state, best, bounds.lp_done.is_set)
            if search.stats["refill_moves"] == tried:  # no shift to drop: wait, do not spin
                bounds.lp_done.wait(timeout=max(0.0, stop.remaining()))
        else:
            state, best = passes(search, order, state, best, 1)
            stalled = before - best.total < prm.pass_gain * before
    rounds_tried = following_prices(search)
    state, best = guided_rounds(search, order, state, best)

    def prices_came_late() -> bool:  # none at the rounds' turn (the LP failed), some now
        return not rounds_tried and following_prices(search)

    while not stop.should_stop():
        if prices_came_late():  # the Lagrangian's first prices: the rounds now
            rounds_tried = True
            state, best = guided_rounds(search, order, state, best)
        state, best = guided_neighbourhoods(search, order, state, best)
        before = best.total
        state, best = refill(search, state, best, prices_came_late)
        state, best = passes(search, order, state, best, 1, prm.final_pass_gain)
        # no prices yet, and some may come that would guide the rounds: go on meanwhile
        waiting = not rounds_tried and bounds.running() and prices_guide(search.p)
        if before - best.total < prm.final_pass_gain * before and not waiting:
            break
    return state, best


def passes(
    search: Search,
    order: list[int],
    state: State,
    best: Evaluation,
    most: int,
    min_gain: float | None = None,
) -> Scored:
    """Up to `most` ordinary passes over `order` (shuffled after each) while
    each gains `min_gain` (default `pass_gain`) and the gap is open."""
    stop, ctx = search.stop, replanning(search)
    min_gain = search.params.pass_gain if min_gain is None else min_gain
    for _ in range(most):
        if stop.should_stop():
            break
        before, t0 = best.total, time.monotonic()
        seed = search.seed + int(search.stats["agent_passes"])  # type: ignore[call-overload]
        state, best, n = reoptimise_agents(
            ctx, state, best, order, seed, on_improve=search.improved
        )
        stop.count_pass()
        search.count("agent_passes")
        search.count("agent_changes", n)
        if not stop.should_stop():
            search.last_pass = time.monotonic() - t0
        done = search.stats["agent_passes"]
        search.emit("pass", best.total, search.bound(), f"agent pass {done}: {n} agents changed")
        search.rng.shuffle(order)
        if before - best.total < min_gain * before or stop.should_stop(best.total, search.bound()):
            break
    return state, best


def refill(search: Search, state: State, best: Evaluation, until: Callable[[], bool]) -> Scored:
    """One stretch of drop-and-refill moves (`refill.py`) until `until()` says so."""
    state, best, moved = drop_and_refill(
        replanning(search),
        state,
        best,
        search.rng,
        search.seed,
        on_improve=search.improved,
        patience=search.params.refill_patience,
        until=until,
    )
    for key, n in moved.items():
        search.count(key, n)
    return state, best


def prices_guide(p: Problem) -> bool:
    """Whether coverage prices can guide a move on `p`: not without demand
    per interval (only cover per shift type), where they would price nothing
    and a guided move is an ordinary re-plan taking a guided move's time."""
    return bool(p.required.any())


def following_prices(search: Search) -> bool:
    """Whether guided moves have prices to follow: the bound worker has some
    and they can guide this problem (`prices_guide`)."""
    return search.bounds.prices is not None and prices_guide(search.p)


def guide_prices(p: Problem, prices: np.ndarray) -> np.ndarray:
    """[Q, T] what a guided re-plan values a still-needed cell at: the
    coverage price (the best so far), never above the queue's penalty, and
    every needed cell worth a little."""
    pen = p.penalty[:, None]
    return np.minimum(prices, pen) + 1e-3 * pen


def guided_rounds(search: Search, order: list[int], state: State, best: Evaluation) -> Scored:
    """Guided rounds (module doc, step 3) while the bound worker has prices.

    Each round takes the best prices at its start (the LP's duals until the
    Lagrangian improves on them), so later rounds are guided by better
    prices. A round starts only with `guided_round_passes` times the last
    pass's time left: one cut short in its guided pass is dropped and its
    time lost, one cut in its repair passes is kept when better."""
    p, stop, prm, bounds = search.p, search.stop, search.params, search.bounds
    ctx = replanning(search)
    while following_prices(search) and not stop.should_stop():
        if stop.should_stop(best.total, search.bound()):
            break
        if stop.remaining() < prm.guided_round_passes * search.last_pass:
            break  # a round cut in its guided pass is dropped: not worth starting
        prices = guide_prices(p, bounds.prices)
        scarce_first = [int(a) for a in agent_order(p)]
        seed = search.seed + int(search.stats["guided_rounds"])  # type: ignore[call-overload]
        guided = guided_pass(ctx, state, scarce_first, prices, seed)
        stop.count_pass()
        search.count("guided_rounds")
        if guided is None:  # cut short: dropped
            break
        trial, trial_best = passes(search, order, *guided, prm.repair_passes)
        gained = best.total - trial_best.total
        verdict = "kept" if gained > 0 else "dropped"
        rounds = search.stats["guided_rounds"]
        search.emit("guided", trial_best.total, search.bound(), f"guided round {rounds}: {verdict}")
        if gained > 0:
            state, best = trial, trial_best
            search.improved(best)
        if gained < prm.guided_round_gain * (best.total + max(gained, 0.0)):
            break
    return state, best


def guided_neighbourhoods(
    search: Search, order: list[int], state: State, best: Evaluation
) -> Scored:
    """Step 4 of the module doc: site by site, a guided re-plan of a part of
    the roster repaired by ordinary re-plans, kept when the roster gains;
    until a whole round of sites gains nothing (or no prices are known).

    A guided pass over every agent moves the whole roster at once, and the
    ordinary passes that repair it gain less each time; one site's agents
    moved at the prices and repaired by their own and as many other agents'
    re-plans is a move the search can afford many times, each judged on
    the exact objective."""
    p, stop, prm, bounds = search.p, search.stop, search.params, search.bounds
    ctx = replanning(search)
    scarce_first = [int(a) for a in agent_order(p)]
    sites = list(range(len(p.sites)))
    tried = idle = 0  # neighbourhoods tried here, and since the last gain
    while following_prices(search) and idle < len(sites) and not stop.should_stop():
        if stop.should_stop(best.total, search.bound()):
            break
        if tried % len(sites) == 0:  # each round of sites in a new random order
            search.rng.shuffle(sites)
        site = sites[tried % len(sites)]
        tried += 1
        members = [a for a in scarce_first if p.agent_site[a] == site]
        if len(members) > prm.neighbourhood_agents:
            members = sorted(
                search.rng.sample(members, prm.neighbourhood_agents), key=members.index
            )
        prices = guide_prices(p, bounds.prices)
        search.count("guided_neighbourhoods")
        seed = search.seed + int(search.stats["guided_neighbourhoods"])  # type: ignore[call-overload]
        guided = guided_pass(ctx, state, members, prices, seed)
        if guided is None:  # cut short: dropped
            stop.count_pass()
            break
        trial, trial_best = guided
        freed = set(members)
        others = [a for a in order if a not in freed]
        search.rng.shuffle(others)
        repair = members + others[: len(members)]
        for r in range(prm.neighbourhood_repairs):
            if stop.should_stop():  # each repair ends on an exact allocation: skip, not cut
                break
            search.rng.shuffle(repair)
            trial, trial_best, _ = reoptimise_agents(ctx, trial, trial_best, repair, seed + r)
        stop.count_pass()
        if trial_best.total < best.total - 1e-6:
            state, best, idle = trial, trial_best, 0
            search.count("guided_neighbourhoods_kept")
            search.improved(best)
        else:
            idle += 1
    return state, best
