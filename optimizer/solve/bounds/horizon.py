"""Each agent's best schedule over the whole horizon, for pricing on small
problems: the one-agent programme (`agentdp.AgentProgramme`), relaxed.

The week programme (`weekdp`) drops every rule that looks past a week.
Where a scenario has such rules — the minimums of consecutive days worked
and off, runs across a week's end, the weekends worked, the forbidden
successions of shift types and their limits, the hours over the horizon —
that relaxation can be very weak (an agent priced week by week works every
week up to its weekly maximum). The one-agent programme holds all of them
over the horizon, exactly, except:

* stability and isolated days cost nothing (`relaxed=True`);
* the type limits and the weekends it leaves out of its state when that
  would grow too large (`agentdp_counters.held_in_state`, here up to `STATES_MAX`
  states) are dropped. Programmes holding fewer of them run first
  (`AgentProgramme.run`, `QUICK`): a plan that keeps them all is the
  answer, so the large state runs only where a limit binds;
* the hours over the horizon: for an agent with such hours, the horizon
  view counts paid units over the horizon and holds them exactly, dropping
  the weekly minimum, maximum and overtime. Where one of those can bind,
  the week view is run too with the hours relaxed by a price π per paid
  minute — for every π ≥ 0 the best value within the hours is at most
  V(values − π·paid) + π·high, for every π ≤ 0 at most
  V(values − π·paid) + π·low, V the programme's best value — π searched by
  bisection where the paid minutes cross the limit, and the least of all
  these values kept.

Each is a relaxation, so the value returned for an agent is at least that
of every schedule the rules allow it, as the Lagrangian bound needs.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from optimizer.solve.agentdp import AgentProgramme
from optimizer.solve.bounds.weekdp import Candidates
from optimizer.solve.problem import Problem
from optimizer.solve.rules.horizon import NO_LIMIT

HOURS_ROUNDS = 12  # bisection steps of the price on an agent's paid minutes
THREADS = 2  # agents priced at once
STATES_MAX = (
    4096  # the counters past a run the programme may hold (`agentdp_counters.held_in_state`)
)
QUICK = (64, 512)  # … and those of its quicker relaxations, run first (`AgentProgramme.run`)


def looks_past_a_week(p: Problem) -> bool:
    """Whether the scenario has a rule the week programme drops and the
    horizon programme holds (module doc)."""
    return bool(
        (p.hmin > 0).any()
        or (p.hmax < NO_LIMIT).any()
        or (p.mincons > 1).any()
        or (p.minoff > 1).any()
        or (p.max_weekends >= 0).any()
        or any(f.any() for f in p.forbid)
        or any((t >= 0).any() for t in p.type_limits)
    )


class HorizonPricing:
    """The horizon programme of every agent of `p` over its entries of `c`,
    prepared once (module doc)."""

    def __init__(self, p: Problem, c: Candidates) -> None:
        self.p, self.c = p, c
        order = np.argsort(c.agent, kind="stable")
        bounds = np.searchsorted(c.agent[order], np.arange(p.n_agents + 1))
        self.entries = [order[bounds[a] : bounds[a + 1]] for a in range(p.n_agents)]
        held = {"states_max": STATES_MAX, "quick": QUICK}
        self.weekly = [
            AgentProgramme(p, a, c.tpl[e], relaxed=True, **held) for a, e in enumerate(self.entries)
        ]
        self.whole = [
            AgentProgramme(p, a, c.tpl[e], relaxed=True, horizon_hours=True, **held)
            if hours_rule(p, a)
            else None
            for a, e in enumerate(self.entries)
        ]
        self._pool = ThreadPoolExecutor(max_workers=THREADS)

    def best(self, val: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """For entry values `val`: each agent's value bound [A], and the
        schedules chosen as entries (agent, entry) — each agent's best
        schedule within its hours where one was found — and each one's own
        value [A]."""
        A = self.p.n_agents
        bound, own = np.zeros(A), np.zeros(A)
        agents: list[np.ndarray] = []
        chosen: list[np.ndarray] = []
        # the compiled programme releases the interpreter's lock: agents in parallel
        found = self._pool.map(lambda a: self._agent(a, val[self.entries[a]]), range(A))
        for a, (b, value, plan) in enumerate(found):
            bound[a], own[a] = b, value
            chosen.append(self.entries[a][plan])
            agents.append(np.full(len(plan), a, dtype=np.int64))
        empty = np.zeros(0, np.int64)
        return (
            bound,
            own,
            np.concatenate(agents) if agents else empty,
            np.concatenate(chosen) if chosen else empty,
        )

    def _agent(self, a: int, net: np.ndarray) -> tuple[float, float, np.ndarray]:
        """Agent a's bound, the value of the schedule chosen, and that schedule."""
        week, whole = self.weekly[a], self.whole[a]
        nothing = np.zeros(0, np.int64)
        run = None
        if whole is None:  # no hours over the horizon: the week view is the programme
            run = week.run(net) if week.feasible and len(net) else None
        elif whole.feasible and len(net):
            run = whole.run(net)
        if run is None:  # no schedule found: bound the agent by its best shift each day
            return self._loose(a, net), 0.0, nothing
        if whole is None or not week.weekly:  # nothing dropped that binds: exact
            return run[0], run[0], run[1]
        priced = self._priced(a, net) if week.feasible else None
        if priced is None:
            return run[0], run[0], run[1]
        bound, fit = priced
        own, plan = fit if fit is not None else run
        return min(bound, run[0]), own, plan

    def _loose(self, a: int, net: np.ndarray) -> float:
        """At least the value of every schedule of agent a whatever its rules:
        the best shift of each day, or none. (Where its programme finds no
        schedule, no roster may exist at all; a bound must stay finite.)"""
        best = np.zeros(self.p.n_days)
        np.maximum.at(best, self.c.day[self.entries[a]], net)
        return float(best.sum())

    def _priced(
        self, a: int, net: np.ndarray
    ) -> tuple[float, tuple[float, np.ndarray] | None] | None:
        """The week view's least bound with agent a's hours priced (module
        doc), and its best schedule within the hours if one was met."""
        prog = self.weekly[a]
        paid = prog.paid
        low, high = int(self.p.hmin[a]), int(self.p.hmax[a])

        def at(price: float) -> tuple[float, float, int, np.ndarray] | None:
            """The relaxed value at `price`, the schedule's own value, paid minutes, options."""
            run = prog.run(net - price * paid)
            if run is None:
                return None
            v, plan = run
            minutes = int(paid[plan].sum())
            limit = high if price > 0 else low if price < 0 else 0
            return v + price * limit, v + price * minutes, minutes, plan

        first = at(0.0)
        if first is None:
            return None
        bound, own, minutes, plan = first
        if low <= minutes <= high:
            return bound, (own, plan)
        sign = 1.0 if minutes > high else -1.0
        # past this price every option is worth less (more) than nothing
        most = (np.abs(net).max(initial=0.0) + 1.0) / max(int(paid.min()), 1) + prog.extra
        below, above = 0.0, most
        fit: tuple[float, np.ndarray] | None = None
        for _ in range(HOURS_ROUNDS):
            price = (below + above) / 2
            got = at(sign * price)
            if got is None:
                above = price
                continue
            b, v, m, pl = got
            bound = min(bound, b)
            if low <= m <= high and (fit is None or v > fit[0]):
                fit = (v, pl)
            if (m > high) if sign > 0 else (m < low):
                below = price
            else:
                above = price
        return bound, fit


def hours_rule(p: Problem, a: int) -> bool:
    """Whether agent a has hours over the horizon, least or most."""
    return bool(p.hmin[a] > 0 or p.hmax[a] < NO_LIMIT)
