"""An agent's paid hours over the horizon in the one-agent programme
(`agentdp`): which of its views holds them (`weekly_rules_bind`: where no
weekly rule can bind, the horizon view counts them exactly, in
`horizon_units` paid totals), and the price per paid minute that keeps a
plan within them where the state does not (`within_horizon_hours`)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from optimizer.solve.problem import Problem
from optimizer.solve.rules.horizon import NO_LIMIT

HOURS_ROUNDS = 40  # bisection steps of the price that keeps a plan within its horizon hours
TIE_BREAK = 1e-3  # reporting currency: the most an option's value moves to break ties


def paid_unit(paid: np.ndarray) -> int:
    """The programme's unit of paid minutes for options of `paid` minutes:
    their greatest common divisor (an hour where there are none)."""
    return int(np.gcd.reduce(paid)) if len(paid) else 60


def weekly_rules_bind(p: Problem, a: int, paid: np.ndarray) -> bool:
    """Whether a weekly limit or overtime can bind agent a working options
    of `paid` minutes: what the horizon view drops."""
    unit = paid_unit(paid)
    most_per_day = int((paid // unit).max(initial=0))
    days_in_week = np.bincount(p.week_of_day, minlength=p.n_weeks)
    site = int(p.agent_site[a])
    extra = float(p.rate[a] * p.ot_extra[site] * p.scenario.weights.cost)
    return bool(
        (p.wmin[a] > 0).any()
        or (p.wmax[a] // unit < days_in_week * most_per_day).any()
        or (extra > 0 and p.ot_threshold[site] < p.wmax[a].max(initial=0))
    )


def horizon_units(p: Problem, a: int, paid: np.ndarray) -> int:
    """How many paid totals agent a's horizon view holds working options of
    `paid` minutes: its maximum over the horizon (or all it can work) in
    `paid_unit`s."""
    unit = paid_unit(paid)
    most = p.n_days * int((paid // unit).max(initial=0))
    return min(int(p.hmax[a]) // unit, most) if p.hmax[a] < NO_LIMIT else most


def within_horizon_hours(
    plan_for: Callable[[np.ndarray], np.ndarray | None],
    net: np.ndarray,
    paid: np.ndarray,
    chosen: np.ndarray,
    low: int,
    high: int,
    most: float,
) -> np.ndarray | None:
    """A plan whose paid minutes lie in [low, high], from the programme run
    with a price (too many minutes) or a bonus (too few) per paid minute
    added to every option: the smallest found by bisection up to `most` per
    minute (at which every option is worth less, or more, than nothing),
    ties between options broken by amounts below `TIE_BREAK`. A price that
    overshoots (too few minutes where there were too many, or the reverse)
    is too strong, one that falls short too weak. A heuristic — the
    programme is exact under every other rule, but a price on minutes need
    not find the best plan within the totals — and None when no price finds
    one (the caller's CP-SAT model then decides). `plan_for(values)` runs
    the programme; `chosen` is its plan at `net`."""
    total = int(paid[chosen].sum())
    if low <= total <= high:
        return chosen
    sign = 1.0 if total > high else -1.0  # a price, or a bonus
    # options of equal value change sides at the same price: a tiny, distinct
    # amount on each makes them change one at a time, so a count in between exists
    ties = TIE_BREAK * np.arange(len(net)) / max(len(net), 1)
    below, above, best = 0.0, most, None
    for r in range(HOURS_ROUNDS):
        price = most if r == 0 else (below + above) / 2
        trial = plan_for(net + ties - sign * price * paid)
        t = None if trial is None else int(paid[trial].sum())
        if t is not None and low <= t <= high:
            best, above = trial, price
        elif t is not None and (t > high if sign > 0 else t < low):  # too weak
            if r == 0:
                return None  # even the strongest price leaves the plan outside
            below = price
        else:  # overshot (or no plan at all): too strong
            above = price
        if (above - below) * paid.max() < TIE_BREAK / max(len(net), 1) / 4:
            break  # finer than the tie-breaking amounts: no other count lies between
    return best
