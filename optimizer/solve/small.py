"""Step 2 of `solver.solve` on small problems, where column generation
converges within the limit: its master LP and schedules give the rosters,
its prices the cuts and the exact rounds, and the whole CP-SAT model gets
the time they leave.

1. A wait that leaves both cores to the bound worker's column generation,
   then, while it still runs, a short large-neighbourhood search (`lns.py`).
2. A dive from its converged master LP (`dive.py`), the agents whose
   schedules break a rule the pricing dropped re-planned (`repair.py`).
3. The restricted model over the shifts of its schedules (`restricted.py`).
4. Each agent's least reduced cost at its prices (`lagrange_cuts.py`), and,
   where every objective is a whole number, the exact rounds from the
   bound (`close_gap.py`).
5. The whole model with those cuts, hinted with the best roster, while it
   gains (`whole_model.py`); then neighbourhoods of its roster.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from optimizer.solve.bounds.colgen import OFF
from optimizer.solve.close_gap import close_gap
from optimizer.solve.dive import dive
from optimizer.solve.lagrange_cuts import Cuts, Prices, least_reduced_costs
from optimizer.solve.lns import lns
from optimizer.solve.repair import repaired, rule_breakers
from optimizer.solve.restricted import restricted_candidates, rounded_roster
from optimizer.solve.search import Search
from optimizer.solve.state import Evaluation, State, evaluate
from optimizer.solve.stop import Cancelled, StopCriteria
from optimizer.solve.whole_model import whole_model

WAIT_POLL = 0.1  # seconds between looks at a wait's stopping criteria


def small_search(
    search: Search, state: State, best: Evaluation, bound: float | None
) -> tuple[State, Evaluation, tuple[str, float] | None]:
    """The steps of the module doc from the first roster `state` (evaluated
    `best`) and the bound known so far: the best roster and its evaluation,
    and the whole model's status and bound where it proved one."""
    stop, params, pool = search.stop, search.params, search.bounds.columns
    lns_stop = stop.share(params.small_lns_share).until(Cancelled(pool.done))
    _wait(stop.share(params.small_wait_share).until(Cancelled(pool.done)))
    state, best = lns(search, state, best, lns_stop, bound)
    if pool.master is not None and not _ended(search, best):
        state, best = _dive(search, state, best, stop.share(params.dive_share))
    if pool.rounds and not _ended(search, best):
        state, best = _restricted(search, state, best, stop.share(params.restricted_share))
    cuts = None
    if pool.master is not None and not _ended(search, best):
        cuts = _cuts(search, state)
    if cuts is not None and search.bounds.whole and not _ended(search, best):
        state, best = _close_gap(search, state, best, cuts, stop.share(params.close_share))
    proved = None
    if not _ended(search, best):
        stall = max(
            params.full_model_stall_seconds, params.full_model_stall_share * stop.time_limit
        )
        state, best, proved = whole_model(search, state, best, stall=stall, cuts=cuts)
    if proved is not None and (bound is None or proved[1] > bound):
        bound = proved[1]
    if not _ended(search, best):
        state, best = lns(search, state, best, stop, bound)
    search.stats["model"] = "lns + full"
    return state, best, proved


def _wait(stop: StopCriteria) -> None:
    """Leave the cores to the bound worker until `stop`: column generation's
    rounds run twice as fast without a neighbourhood search beside them,
    and its converged master (the dive, the restricted model) is where the
    small problems' best rosters come from."""
    while not stop.should_stop():
        stop.cancel.wait(WAIT_POLL)


def _ended(search: Search, best: Evaluation) -> bool:
    """Whether the search is over: its time is up, it was cancelled, or the
    best roster is within the gap of the best bound (the passes counted do
    not end the small problems' steps, each one solve)."""
    stop = dataclasses.replace(search.stop, passes=None)
    return stop.should_stop(best.total, search.bound())


def _restricted(
    search: Search, state: State, best: Evaluation, stop: StopCriteria
) -> tuple[State, Evaluation]:
    """The restricted model (`restricted.py`) within `stop`: over the master
    LP's support hinted with its rounding (or the dive's roster), then over
    every schedule column generation proposed."""
    p, pool, share = search.p, search.bounds.columns, search.params.support_share
    rounded = rounded_roster(p, pool)
    only = restricted_candidates(search.cands, pool, state, True)
    state, best, _ = whole_model(search, state, best, only, stop.share(share), rounded)
    if not _ended(search, best):
        only = restricted_candidates(search.cands, pool, state, False)
        state, best, _ = whole_model(search, state, best, only, stop)
    search.stats["restricted_model"] = True
    search.ended("restricted")
    return state, best


def _dive(
    search: Search, state: State, best: Evaluation, stop: StopCriteria
) -> tuple[State, Evaluation]:
    """Dive from column generation's converged master LP (`dive.py`) within
    `stop`. The pricing may relax a rule, so the agents whose schedules
    break one of their rules are re-planned with the rest held
    (`repair.py`). The roster becomes the incumbent if it is better, and
    goes into the pool as the restricted model's hint."""
    p, pool = search.p, search.bounds.columns
    assert pool.master is not None
    seconds = stop.share(1.0 - search.params.repair_share).remaining()
    found = dive(pool.master, seconds, upper=lambda: search.bounds.upper, halt=stop.cancel)
    search.stats.update(dive_steps=found.steps, dive_value=round(found.value, 2))
    search.ended("dive")
    if found.rows is None:
        return state, best
    pool.dived(found.rows)
    dived = rounded_roster(p, pool)
    broken = rule_breakers(p, dived, search.cands)
    search.stats["dive_rule_breakers"] = len(broken)
    if broken:
        fixed = repaired(p, dived, broken, search.cands, stop, search.seed, search.fair_target)
        if fixed is None:
            return state, best
        dived = fixed
        pool.dived(np.where(dived.works, dived.tpl, OFF))  # the repaired roster as the hint
        search.ended("repair")
    ev = evaluate(p, dived, search.fair_target)
    search.stats["dive_roster"] = round(ev.total, 2)
    if ev.total < best.total - 1e-6:
        state, best = dived, ev
        search.improved(best)
    return state, best


def _cuts(search: Search, state: State) -> Cuts | None:
    """Each agent's least reduced cost at column generation's best prices
    (`lagrange_cuts.py`), for the whole model to start from its bound;
    none when the time left is too short to find them."""
    p, params, master = search.p, search.params, search.bounds.columns.master
    assert master is not None
    if not params.lagrange_cuts:
        return None
    lam, mu = master.best_prices
    seconds = params.cut_share * search.stop.remaining() / max(1, p.n_agents)
    if seconds < params.cut_least_seconds:
        return None
    cuts = least_reduced_costs(
        p, state, search.cands, Prices.of(p, lam, mu), search.fair_target,
        min(seconds, params.cut_seconds), search.stop.workers, search.stop,
    )  # fmt: skip
    search.ended("cuts")
    return cuts


def _close_gap(
    search: Search, state: State, best: Evaluation, cuts: Cuts, stop: StopCriteria
) -> tuple[State, Evaluation]:
    """Exact rounds from the best bound (`close_gap.py`) within `stop`: the
    bound they prove goes to the bound worker, the roster a round finds
    becomes the incumbent."""
    p, bound = search.p, search.bound()
    if bound is None:
        return state, best
    closed = close_gap(p, state, search.cands, cuts, bound, best.total, stop, search.params.exact)
    search.stats.update(exact_rounds=closed.rounds, exact_schedules=closed.schedules)
    search.stats["exact_end"] = closed.why
    search.ended("exact")
    if closed.bound is not None:
        method = f"exact rounds over the schedules near column generation's ({closed.rounds})"
        search.bounds.offer(closed.bound, method)
    if closed.state is not None:
        ev = evaluate(p, closed.state, search.fair_target)
        if ev.total < best.total - 1e-6:
            state, best = closed.state, ev
            search.improved(best)
    search.emit("bound", best.total, search.bound())
    return state, best
