"""A proven lower bound by Lagrangian relaxation of the coverage rows.

Price every (queue, interval) cell that needs agents at λ[q, t], between 0
and the queue's under-cover penalty. With coverage priced, the agents fall
apart: each one, on his own, picks the schedule that earns the most value
(for each interval on duty, the best price among the queues he may serve)
less its cost. The dual function

    L(λ) = Σ λ[q,t] · need[q,t]  −  Σ_agents max_schedule (value − cost)

(plus the terms of the cover per shift type and the wishes' constant, below)

is a lower bound of the roster objective for every λ in the box (weak
duality: a roster's under-cover penalty is ≥ Σ λ·(need − cover) because
λ ≤ penalty, and its cost is what the agents' schedules cost), provided
every schedule a roster may give an agent is among those the agent's own
problem allows. Each agent's best schedule is solved by a dynamic programme
over each local week (`weekdp.WeekDP`): one shift per day from the
agent's own candidate shifts (leave, days off, windows and holidays already
folded in), weekly minimum and maximum paid minutes, overtime at its
cheapest (overtime minutes × base rate × (overtime − 1)), and of the v1.1
rules the days off together, the consecutive nights and the start band —
the band relaxed to a few wider windows (`WeekDP` says why that keeps
every feasible week). Minimum rest, the minimums of consecutive days
worked and off, the maximum of weekends worked, the forbidden
successions of shift types and their `max_shifts`, and the agents' hours
over the horizon are dropped (on small problems column generation prices
the agents over the whole horizon instead, `horizon.py`, which holds
them); fairness and the start moves of stability count as zero, isolated
working days count only inside a week (`weekdp.WeekDP`); dropping a rule
or widening it only lowers the bound, so it stays valid.

The agents' wishes (preferred days off, shift requests) are linear in their
shifts up to a constant (`wishes`), so each candidate shift carries its
price exactly and the constant is added. The cover per shift type is
relaxed like the interval coverage: each cell gets a price μ between minus
its over-cover price and its shortfall price, every shift counting in the
cell earns μ, and μ × required is added. Its term is max over that range
of μ × (required − count) for every count, so it is at least μ × (required
− count) for any μ in it, and the bound stays valid.

λ is improved by projected subgradient steps (Polyak's step towards the
best roster known) along the averaged coverage (the volume algorithm), each
from the last prices tried, not from the best: a subgradient need not point
uphill, so steps that restart from the best prices keep trying the same
direction and stall. Each step is a few vectorised numpy passes, so
hundreds of steps fit where the LP relaxation of the same problem does not
solve at all on large scenarios.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from optimizer.solve.bounds.horizon import HorizonPricing
from optimizer.solve.bounds.lp import Bound
from optimizer.solve.bounds.weekdp import NEG, WeekDP, candidates
from optimizer.solve.problem import Problem
from optimizer.solve.wishes import shift_prices

STEP_START = 0.5  # first step scale θ of Polyak's step; × 1.1 on a better bound …
STEP_PATIENCE = 50  # … × 0.66 after this many steps without one
VOLUME = 0.05  # weight of the latest coverage in the averaged step direction


@dataclass(frozen=True)
class Priced:
    """The agents' best answer to prices λ: the dual value and what they chose."""

    value: float  # L(λ), a lower bound of the roster objective
    net: np.ndarray  # [A] each agent's chosen schedule's value − cost
    agent: np.ndarray  # chosen shifts: agent …
    entry: np.ndarray  # … and candidate entry (into Candidates)
    argq: np.ndarray  # [G, T] queue each group's interval goes to
    cover: np.ndarray  # [Q, T] coverage of the chosen schedules
    typed: np.ndarray  # [C] their count in each cell of the cover per shift type


def identical_agents(p: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Agents whose schedule problems are the same — group, candidate shifts,
    weekly limits and rate — answer the same prices the same way: one of
    each kind (indices) and how many there are."""
    keys: dict[tuple, int] = {}
    wishes = p.scenario.weights.preference > 0 or len(p.requests) > 0
    rep: list[int] = []
    mult: list[int] = []
    for a in range(p.n_agents):
        key = (
            int(p.agent_group[a]),
            p.cand[a].tobytes(),
            p.wmin[a].tobytes(),
            p.wmax[a].tobytes(),
            float(p.rate[a]),
            (int(p.hmin[a]), int(p.hmax[a])),
            shift_prices(p, a)[p.cand[a]].tobytes() if wishes else b"",
        )
        if key in keys:
            mult[keys[key]] += 1
        else:
            keys[key] = len(rep)
            rep.append(a)
            mult.append(1)
    return np.array(rep, dtype=np.int64), np.array(mult, dtype=float)


def _only(p: Problem, agents: np.ndarray) -> Problem:
    """The problem restricted to some agents (for pricing: the rest is unchanged)."""
    return dataclasses.replace(
        p,
        agent_ids=tuple(p.agent_ids[a] for a in agents),
        agent_site=p.agent_site[agents],
        agent_group=p.agent_group[agents],
        rate=p.rate[agents],
        eligible=p.eligible[agents],
        cand=tuple(p.cand[a] for a in agents),
        wmax=p.wmax[agents],
        wmin=p.wmin[agents],
        pref_off=p.pref_off[agents],
        hmin=p.hmin[agents],
        hmax=p.hmax[agents],
        requests=p.requests.of_agents(agents),
    )


class AgentPricing:
    """Solves every agent's schedule problem for given cell prices (see module doc).

    With `aggregate`, identical agents (`identical_agents`) are priced once
    and counted as many times as there are of them; `net`, `agent` and
    `entry` of the answer then refer to the representatives."""

    def __init__(self, p: Problem, aggregate: bool = False, horizon: bool = False) -> None:
        self.full = p
        if aggregate:
            reps, self.mult = identical_agents(p)
            p = _only(p, reps)
        else:
            self.mult = np.ones(p.n_agents)
        self.p = p
        self.c = candidates(p)
        self.dp = WeekDP(p, self.c)
        self.horizon = HorizonPricing(p, self.c) if horizon else None
        self.need = p.required.astype(float)
        self.live = self.need > 0
        self.pen = np.broadcast_to(p.penalty[:, None], p.required.shape)
        tc = p.type_cover
        self.typed = tc.any
        self.mu_lo, self.mu_hi = -tc.over, tc.under
        # the `on` requests' weight: the part of their term no shift changes (`wishes`)
        r = self.full.requests
        self.constant = float(r.weight[r.on].sum()) if len(r) else 0.0

    def first_prices(self, start: np.ndarray | None) -> np.ndarray:
        """`start` clipped to the box, or each needed cell at the cheapest agent's
        cost of an interval (10 % above)."""
        p = self.p
        if start is not None:
            return np.where(self.live, np.clip(start, 0.0, self.pen), 0.0)
        unit = float(np.min(p.rate)) * p.scenario.weights.cost * p.interval if len(p.rate) else 0.0
        return np.where(self.live, np.minimum(self.pen, 1.1 * unit), 0.0)

    def first_type_prices(self) -> np.ndarray:
        """[C] the first prices of the cover per shift type: half the
        shortfall price where agents are needed, 0 elsewhere."""
        tc = self.p.type_cover
        return np.where(tc.required > 0, 0.5 * tc.under, 0.0)

    def type_values(self, mu: np.ndarray) -> np.ndarray:
        """[E] what each entry's shift earns at cell prices `mu` of the cover
        per shift type: the sum over the cells it counts in."""
        p, c, tc = self.p, self.c, self.p.type_cover
        V = np.zeros((len(p.sites), p.n_days, max(1, len(tc.type_ids))))
        cs, ss = np.nonzero(tc.sites)
        np.add.at(V, (ss, tc.day[cs], tc.type[cs]), mu[cs])
        site = p.agent_site[c.agent]
        return np.where(c.kind >= 0, V[site, c.day, np.maximum(c.kind, 0)], 0.0)

    def cells_of(self, entry: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The (entry position, cell) pairs of the cover per shift type that
        the shifts of `entry` count in."""
        p, c, tc = self.p, self.c, self.p.type_cover
        G = max(1, len(tc.type_ids))
        cs, ss = np.nonzero(tc.sites)
        cell_key = (ss * p.n_days + tc.day[cs]) * G + tc.type[cs]
        order = np.argsort(cell_key, kind="stable")
        cell_key, cs = cell_key[order], cs[order]
        key = (p.agent_site[c.agent[entry]] * p.n_days + c.day[entry]) * G + c.kind[entry]
        lo = np.searchsorted(cell_key, key, side="left")
        hi = np.searchsorted(cell_key, key, side="right")
        n = np.where(c.kind[entry] >= 0, hi - lo, 0)
        pos = np.repeat(np.arange(len(entry)), n)
        first = np.repeat(lo - (np.cumsum(n) - n), n)
        return pos, cs[first + np.arange(int(n.sum()))]

    def type_counts(self, agent: np.ndarray, entry: np.ndarray) -> np.ndarray:
        """[C] how many of the chosen shifts (`agent`, `entry`) count in each
        cell of the cover per shift type, identical agents as many times."""
        pos, cells = self.cells_of(entry)
        weights = self.mult[agent[pos]]
        return np.bincount(cells, weights=weights, minlength=len(self.p.type_cover.required))

    def _best_entries(self, val: np.ndarray, mx: np.ndarray, cells: np.ndarray) -> np.ndarray:
        """The first entry of highest value `val` in each of the chosen `cells`
        (found for the chosen cells only: a small part of all)."""
        c = self.c
        j = np.searchsorted(c.cells, cells)
        lo = c.starts[j]
        counts = np.r_[c.starts[1:], len(val)][j] - lo
        offs = np.cumsum(counts) - counts
        idx = np.arange(int(counts.sum())) - np.repeat(offs - lo, counts)
        hit = val[idx] == np.repeat(mx[j], counts)
        big = np.iinfo(np.int64).max
        return np.minimum.reduceat(np.where(hit, idx, big), offs) if len(j) else lo

    def price(
        self, lam: np.ndarray, mu: np.ndarray | None = None, adjust: np.ndarray | None = None
    ) -> Priced:
        """The agents' best schedules at interval prices `lam` [Q, T] and
        prices `mu` [C] of the cover per shift type (none: all zero).
        `adjust` [E] is added to the entries' values while choosing and
        taken off the chosen schedules' values after (column generation's
        held days)."""
        p, c, dp = self.p, self.c, self.dp
        Q, T = p.required.shape
        G, D, M = len(p.group_queues), p.n_days, dp.L * dp.S
        # value of an interval on duty for each group, and the queue that earns it
        vmax = np.zeros((G, T))
        argq = np.zeros((G, T), dtype=np.int64)
        for g, qs in enumerate(p.group_queues):
            if len(qs):
                sub = lam[qs]
                j = sub.argmax(axis=0)
                vmax[g] = sub[j, np.arange(T)]
                argq[g] = qs[j]
        P = np.zeros((G, T + 1))
        np.cumsum(vmax, axis=1, out=P[:, 1:])
        flat = P.ravel()
        a, b, ba, bb = (flat.take(x) for x in c.spans)
        val = (b - a - bb + ba).take(c.span) - c.cost
        mu = np.zeros(len(self.mu_hi)) if mu is None else mu
        if self.typed:
            val = val + self.type_values(mu)
        if adjust is not None:
            val = val + adjust
        if self.horizon is not None:
            total, own, ai, e = self.horizon.best(val)
        else:
            mx = np.maximum.reduceat(val, c.starts) if len(val) else np.zeros(0)
            best = np.full(p.n_agents * D * M, NEG)
            best[c.cells] = mx
            total, choice = dp.solve(best.reshape(p.n_agents, D, dp.L, dp.S))
            ai, di = np.nonzero(choice >= 0)
            e = self._best_entries(val, mx, (ai * D + di) * M + choice[ai, di])
            own = total
        if adjust is not None:  # the schedules' own values, without the adjustment
            taken = np.bincount(ai, weights=adjust[e], minlength=p.n_agents)
            total, own = total - taken, own - taken
        value = float(
            (lam * self.need).sum()
            + (mu * p.type_cover.required).sum()
            + self.constant
            - (self.mult * total).sum()
        )
        on = np.zeros((G, T + 1))
        g_e = c.group[e]
        m = self.mult[ai]
        np.add.at(on, (g_e, c.a[e]), m)
        np.add.at(on, (g_e, c.b[e]), -m)
        np.add.at(on, (g_e, c.ba[e]), -m)
        np.add.at(on, (g_e, c.bb[e]), m)
        on = np.cumsum(on, axis=1)[:, :T]
        cover = np.zeros((Q, T))
        gg, tt = np.nonzero(on > 0)
        np.add.at(cover, (argq[gg, tt], tt), on[gg, tt])
        typed = self.type_counts(ai, e) if self.typed else np.zeros(len(mu))
        return Priced(value, own, ai, e, argq, cover, typed)


def _projected(sub: np.ndarray, lam: np.ndarray, live: np.ndarray, pen: np.ndarray) -> np.ndarray:
    """A step direction with the prices at a bound kept there where it would
    push them out of the box [0, penalty], and zero on cells nobody needs."""
    sub = np.where(live, sub, 0.0)
    sub = np.where((lam <= 0) & (sub < 0), 0.0, sub)
    return np.where((lam >= pen) & (sub > 0), 0.0, sub)


def _boxed(sub: np.ndarray, mu: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A step direction for the prices of the cover per shift type, kept at
    a side of their box [−over price, shortfall price] where it would push
    them out."""
    sub = np.where((mu <= lo) & (sub < 0), 0.0, sub)
    return np.where((mu >= hi) & (sub > 0), 0.0, sub)


def lagrangian_bound(
    p: Problem,
    time_limit: float = 60.0,
    upper: Callable[[], float | None] | None = None,
    max_iterations: int = 100_000,
    target_gap: float = 0.0,
    on_improve: Callable[[float], None] | None = None,
    halt: threading.Event | None = None,
    start: np.ndarray | None = None,
    on_prices: Callable[[np.ndarray], None] | None = None,
) -> Bound:
    """Best L(λ) found in `time_limit` seconds (see module doc).

    `upper()` gives the best roster objective known (Polyak's target); the
    loop stops early when the bound is within `target_gap` of it, or when
    `halt` is set. `start` are first prices [Q, T] (e.g. from the incumbent:
    the penalty where it is short, zero where it over-covers). `on_prices`
    receives a copy of the prices each time the bound improves.
    """
    t0 = time.monotonic()
    pricing = AgentPricing(p, aggregate=True)
    need, live, pen = pricing.need, pricing.live, pricing.pen
    lam = pricing.first_prices(start)
    mu = pricing.first_type_prices()
    lo, hi = pricing.mu_lo, pricing.mu_hi
    required = p.type_cover.required
    best_bound = -math.inf
    theta = STEP_START
    cover_bar: np.ndarray | None = None
    typed_bar: np.ndarray | None = None
    since = 0
    it = 0
    status = "NOT_RUN"
    while it < max_iterations and time.monotonic() - t0 < time_limit:
        if halt is not None and halt.is_set():
            break
        it += 1
        priced = pricing.price(lam, mu)
        value, cover, typed = priced.value, priced.cover, priced.typed
        if value > best_bound + 1e-9:
            improved = value - best_bound if math.isfinite(best_bound) else math.inf
            best_bound = value
            since = 0
            theta = min(theta * 1.1, 2.0)
            if on_improve is not None:
                on_improve(best_bound)
            if on_prices is not None:
                on_prices(lam.copy())
            status = "IMPROVING" if improved > 1e-6 * max(1.0, abs(value)) else status
        else:
            since += 1
            if since >= STEP_PATIENCE:
                theta, since = max(theta * 0.66, 1e-4), 0
        ub = upper() if upper is not None else None
        if ub is not None and target_gap > 0 and ub - best_bound <= target_gap * abs(ub):
            status = "TARGET_GAP"
            break
        # a subgradient at (λ, μ)
        here = _projected(need - cover, lam, live, pen)
        here_mu = _boxed(required - typed, mu, lo, hi)
        if not here.any() and not here_mu.any():
            status = "OPTIMAL"  # a fixed point: no violated coverage at all
            break
        # volume algorithm: step along the averaged coverage (smoother than the last one)
        cover_bar = cover if cover_bar is None else VOLUME * cover + (1 - VOLUME) * cover_bar
        typed_bar = typed if typed_bar is None else VOLUME * typed + (1 - VOLUME) * typed_bar
        sub = _projected(need - cover_bar, lam, live, pen)
        sub_mu = _boxed(required - typed_bar, mu, lo, hi)
        if not sub.any() and not sub_mu.any():  # the average is at rest where the last is not
            sub, sub_mu, cover_bar, typed_bar = here, here_mu, cover, typed
        norm = float((sub * sub).sum() + (sub_mu * sub_mu).sum())
        target = ub if ub is not None and ub > value else max(value, best_bound) * 1.05 + 1.0
        step = theta * (target - value) / norm
        # on from the prices just tried (module doc)
        lam = np.clip(lam + step * sub, 0.0, pen)
        lam[~live] = 0.0
        mu = np.clip(mu + step * sub_mu, lo, hi)
    seconds = time.monotonic() - t0
    if not math.isfinite(best_bound):
        return Bound(None, "Lagrangian relaxation: no iteration in time", seconds, "NOT_RUN")
    return Bound(
        best_bound,
        f"Lagrangian relaxation of coverage ({it} subgradient steps)",
        seconds,
        status,
    )
