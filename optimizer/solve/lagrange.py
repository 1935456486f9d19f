"""A proven lower bound by Lagrangian relaxation of the coverage rows.

Price every (queue, interval) cell that needs agents at λ[q, t], between 0
and the queue's under-cover penalty. With coverage priced, the agents fall
apart: each one, on his own, picks the schedule that earns the most value
(for each interval on duty, the best price among the queues he may serve)
less its cost. The dual function

    L(λ) = Σ λ[q,t] · need[q,t]  −  Σ_agents max_schedule (value − cost)

is a lower bound of the roster objective for every λ in the box (weak
duality: a roster's under-cover penalty is ≥ Σ λ·(need − cover) because
λ ≤ penalty, and its cost is what the agents' schedules cost), provided
every schedule a roster may give an agent is among those the agent's own
problem allows. Each agent's best schedule is solved by a dynamic programme
over the days of the horizon (`_AgentDP`): one shift per day from the
agent's own candidate shifts (leave, days off, windows and holidays already
folded in), weekly minimum and maximum paid minutes, overtime at its
cheapest (overtime minutes × base rate × (overtime − 1)), and of the v1.1
rules the days off together, the consecutive nights and the start band —
the band relaxed to a few wider windows (`_AgentDP` says why that keeps
every feasible week). Minimum rest is dropped, and preference, fairness and
stability count as zero; dropping a rule or widening it only lowers the
bound, so it stays valid.

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

from optimizer.solve.agentdp import Counters
from optimizer.solve.bound import Bound
from optimizer.solve.problem import Problem

NEG = -np.inf
DAY = 1440  # minutes of the 24-hour clock
BAND_STEP = 120  # minutes: the grid the start band's windows begin on (divides a day)
STEP_START = 0.5  # first step scale θ of Polyak's step; × 1.1 on a better bound …
STEP_PATIENCE = 50  # … × 0.66 after this many steps without one
VOLUME = 0.05  # weight of the latest coverage in the averaged step direction


def _night_rule(p: Problem, a: int) -> tuple[bool, int]:
    """How agent a's consecutive-nights rule enters the programme: whether
    night shifts are barred outright (a limit of 0), and the limit on days
    in a row it amounts to when every shift the agent may work is a night
    (-1: none). For an agent with day and night shifts the rule is dropped,
    a relaxation: telling nights apart there multiplies the states for
    little gain."""
    si = int(p.agent_site[a])
    m = int(p.max_nights[si])
    night = p.sites[si].night[p.cand[a]]
    if m < 0:
        return False, -1
    if m == 0:
        return True, -1
    return False, m if len(night) and night.all() else -1


def band_windows(band: int, step: int = BAND_STEP) -> np.ndarray:
    """[W, span] the clock slots (of `step` minutes, slot i from i·step) of
    each window the start band is relaxed to; one window of every slot when
    the band does not restrict (none, or windows as long as the day)."""
    n = DAY // step
    span = 1 + -(-band // step)
    if band < 0 or span >= n:
        return np.arange(n, dtype=np.int64)[None, :]
    return (np.arange(n)[:, None] + np.arange(span)[None, :]) % n


@dataclass(frozen=True)
class _Candidates:
    """Every (agent, candidate template) pair, flattened, sorted by cell:
    (agent, day, paid length, slot), the slot the `BAND_STEP` of the clock
    the shift starts in."""

    agent: np.ndarray
    group: np.ndarray
    a: np.ndarray
    b: np.ndarray
    ba: np.ndarray
    bb: np.ndarray
    cost: np.ndarray  # base rate × premium-weighted paid minutes (reporting currency)
    cell: np.ndarray  # ((agent × D + day) × L + length index) × S + slot
    starts: np.ndarray  # first entry of each distinct cell (for reduceat)
    cells: np.ndarray  # the distinct cells
    lengths: np.ndarray  # [L] paid minutes of each length index
    n_slots: int  # S


def _candidates(p: Problem) -> _Candidates:
    parts: dict[str, list[np.ndarray]] = {
        k: [] for k in ("agent", "a", "b", "ba", "bb", "cost", "day", "paid", "local")
    }
    for i, ks in enumerate(p.cand):
        st = p.sites[int(p.agent_site[i])]
        if _night_rule(p, i)[0]:
            ks = ks[~st.night[ks]]  # no night shifts at all
        parts["agent"].append(np.full(len(ks), i, dtype=np.int64))
        parts["a"].append(st.a[ks])
        parts["b"].append(st.b[ks])
        parts["ba"].append(st.ba[ks])
        parts["bb"].append(st.bb[ks])
        parts["cost"].append(p.scenario.weights.cost * p.rate[i] * st.tpl.weight[ks])
        parts["day"].append(st.tpl.day[ks])
        parts["paid"].append(st.tpl.paid[ks])
        parts["local"].append(st.tpl.local_start[ks])
    cat = {k: np.concatenate(v) if v else np.zeros(0, np.int64) for k, v in parts.items()}
    lengths = np.unique(cat["paid"]).astype(np.int64)
    L = max(1, len(lengths))
    S = DAY // BAND_STEP if any(len(band_windows(int(b))) > 1 for b in p.band) else 1
    slot = (cat["local"].astype(np.int64) % DAY) // BAND_STEP if S > 1 else 0
    li = np.searchsorted(lengths, cat["paid"])
    cell = ((cat["agent"].astype(np.int64) * p.n_days + cat["day"]) * L + li) * S + slot
    order = np.argsort(cell, kind="stable")
    cell = cell[order]
    starts = (
        np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]]) if len(cell) else np.zeros(0, np.int64)
    )
    agent = cat["agent"][order].astype(np.int64)
    return _Candidates(
        agent=agent,
        group=p.agent_group[agent],
        a=cat["a"][order].astype(np.int64),
        b=cat["b"][order].astype(np.int64),
        ba=cat["ba"][order].astype(np.int64),
        bb=cat["bb"][order].astype(np.int64),
        cost=cat["cost"][order].astype(float),
        cell=cell,
        starts=starts,
        cells=cell[starts] if len(cell) else cell,
        lengths=lengths,
        n_slots=S,
    )


class _Scatter:
    """A map between counter states applied along the first axis: each state
    takes the maximum over the states sent to it (-inf: none). Built from a
    `Counters` map; a copy per single source and a max per merged state is
    much faster than numpy's reduceat along the first axis."""

    def __init__(self, m) -> None:  # type: ignore[no-untyped-def]
        self.size = m.size
        lists = [np.asarray(m.sources(c), dtype=np.int64) for c in range(m.size)]
        self.one_tgt = np.array([c for c, x in enumerate(lists) if len(x) == 1], dtype=np.int64)
        self.one_src = np.array([x[0] for x in lists if len(x) == 1], dtype=np.int64)
        self.many = [(c, x) for c, x in enumerate(lists) if len(x) > 1]
        n = max(1, max((len(x) for x in lists), default=1))
        # [C, n] the sources of each state, padded with C (an extra -inf column)
        self.padded = np.full((m.size, n), m.size, dtype=np.int64)
        for c, x in enumerate(lists):
            self.padded[c, : len(x)] = x

    def apply(self, x: np.ndarray) -> np.ndarray:
        out = np.full((self.size, *x.shape[1:]), NEG)
        if len(self.one_tgt):
            out[self.one_tgt] = x[self.one_src]
        for c, src in self.many:
            np.max(x[src], axis=0, out=out[c])
        return out


@dataclass(frozen=True)
class _Class:
    """The agents who read the rules alike: one run automaton, one set of
    windows; each agent's own limit on days in a row masks the states."""

    agents: np.ndarray  # indices into the priced problem's agents
    runs: Counters
    windows: np.ndarray  # [W, span] slots of each start-band window
    off: _Scatter
    work: _Scatter
    close: _Scatter
    within: np.ndarray | None  # [C, n] bool: the state's run is within the agent's limit


class _AgentDP:
    """Each agent's best schedule for given shift values, over the horizon.

    State per agent, day by day: (window of the week's start band, paid
    units so far this week, run counters) — the counters (`Counters` of the
    one-agent programme) are the days worked in a row and the progress
    towards the week's run of days off together, so maximum consecutive
    days and days off together hold exactly, across weeks too. At the end of
    each local week the weekly minimum and maximum are checked, the overtime
    paid, and a week wholly inside the horizon must have had its days off
    together; then the best window and paid units are kept per counter
    state. Consecutive nights enter as `_night_rule` says.

    The start band is relaxed: the week's starts must lie in one of the
    windows of `band_windows` — windows beginning every `BAND_STEP` minutes
    round the clock, each `BAND_STEP` longer than the band (rounded up to
    whole steps). Why no feasible week is lost: its starts lie on an arc of
    the clock from some minute s to s + band. The minute s falls in some
    step of the grid, beginning at g with g ≤ s < g + BAND_STEP. Every
    start on the arc comes at most `band` minutes after s, so less than
    BAND_STEP + band minutes after g, round the clock: inside the window
    that begins at g. A week without shifts fits every window. The best
    week over all windows is therefore at least the best feasible week.

    Agents whose rules leave no schedule at all (a weekly minimum out of
    reach) are priced without their weekly minima, which only relaxes."""

    def __init__(self, p: Problem, c: _Candidates) -> None:
        self.p, self.c = p, c
        unit = int(np.gcd.reduce(c.lengths)) if len(c.lengths) else 30
        self.unit = unit
        self.steps = (c.lengths // unit).astype(np.int64)
        self.H = int(p.wmax.max() // unit) + 1 if p.wmax.size else 1
        self.L = max(1, len(c.lengths))
        self.S = c.n_slots
        A = p.n_agents
        site = p.agent_site
        self.A = A
        self.ot_thr = p.ot_threshold[site]
        # per overtime minute, at least (the minute's premium is ≥ 1)
        self.ot_cost = p.scenario.weights.cost * p.rate * p.ot_extra[site]
        self.h_minutes = np.arange(self.H) * unit
        self.days_of_week = [np.flatnonzero(p.week_of_day == w) for w in range(p.n_weeks)]
        self.wmin = p.wmin.copy()
        most = np.minimum(p.maxcons[site], p.n_days)  # days in a row
        for a in range(A):
            nights = _night_rule(p, a)[1]
            if nights >= 0:
                most[a] = min(most[a], nights)
        keys: dict[tuple[int, int], list[int]] = {}
        for a in range(A):
            keys.setdefault((int(p.off_together[site[a]]), int(p.band[site[a]])), []).append(a)
        self.classes = []
        for (need, band), members in keys.items():
            agents = np.array(members, dtype=np.int64)
            runs = Counters.of(int(most[agents].max()), -1, need)
            run = np.array([r for r, _, _ in runs.states])
            within = run[:, None] <= most[agents][None, :]
            self.classes.append(
                _Class(
                    agents=agents,
                    runs=runs,
                    windows=band_windows(band) if self.S > 1 else np.zeros((1, 1), np.int64),
                    off=_Scatter(runs.off),
                    work=_Scatter(runs.work[0]),
                    close=_Scatter(runs.close),
                    within=None if within.all() else within,
                )
            )
        # weekly minima out of the rules' reach: priced without them (class doc)
        some = np.full(A * p.n_days * self.L * self.S, NEG)
        some[c.cells] = 0.0
        total, _ = self.solve(some.reshape(A, p.n_days, self.L, self.S))
        self.wmin[~np.isfinite(total)] = 0

    def _day(self, cl: _Class, f: np.ndarray, v: np.ndarray) -> np.ndarray:
        """The states after one day from `f` [C, H, n, W], a shift of each
        paid length worth `v` [n, W, L] (-inf: none)."""
        H = self.H
        g = cl.off.apply(f)
        lengths = [i for i in range(len(self.steps)) if 0 < self.steps[i] < H]
        lengths = [i for i in lengths if np.isfinite(v[..., i]).any()]
        if lengths:
            moved = cl.work.apply(f)
            if cl.within is not None:
                np.copyto(moved, NEG, where=~cl.within[:, None, :, None])
            for i in lengths:
                s = int(self.steps[i])
                cand = moved[:, : H - s] + v[None, None, :, :, i]
                np.maximum(g[:, s:], cand, out=g[:, s:])
        return g

    def _week_end(self, cl: _Class, w: int) -> tuple[np.ndarray, np.ndarray]:
        """[n, H] minus the overtime cost (-inf where the weekly limits fail)
        and [C] the counter states the week may end in."""
        p, a = self.p, cl.agents
        hmin = self.h_minutes[None, :]
        ok_h = (hmin >= self.wmin[a, w][:, None]) & (hmin <= p.wmax[a, w][:, None])
        ot = np.maximum(0, hmin - self.ot_thr[a][:, None]) * self.ot_cost[a][:, None]
        sat = cl.runs.satisfied | (not p.week_whole[w])
        return np.where(ok_h, -ot, NEG), sat

    def solve(self, best: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`best[A, D, L, S]`: net value of the agent's best shift of that
        paid length starting in that slot that day (-inf if none). Returns
        each agent's total best net value and the chosen cell column (length
        index × S + slot) per agent and day (-1 = off)."""
        total = np.full(self.A, NEG)
        choice = np.full((self.A, self.p.n_days), -1, dtype=np.int64)
        for cl in self.classes:
            sub = best[cl.agents][..., cl.windows]  # [n, D, L, W, span]
            bw = sub.max(axis=4).transpose(0, 3, 1, 2)  # [n, W, D, L]
            pos = sub.argmax(axis=4).transpose(0, 3, 1, 2)
            slot = cl.windows[np.arange(len(cl.windows))[None, :, None, None], pos]
            total[cl.agents], choice[cl.agents] = self._solve_class(cl, bw, slot)
        return total, choice

    def _solve_class(
        self, cl: _Class, bw: np.ndarray, slot: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Forward over the weeks keeping, per week, the entering values and
        each end state's best (window, paid units); then back: each week
        again for its chosen window only, walked back day by day."""
        n, W = len(cl.agents), len(cl.windows)
        H, C = self.H, len(cl.runs.states)
        ar = np.arange(n)
        entry = np.full((n, C), NEG)
        entry[:, 0] = 0.0  # no day worked yet, no day off yet
        weeks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        exitv = entry
        for w, days in enumerate(self.days_of_week):
            f = np.full((C, H, n, W), NEG)
            f[:, 0] = entry.T[:, :, None]
            for d in days:
                f = self._day(cl, f, bw[:, :, d, :])
            cost, sat = self._week_end(cl, w)
            end = np.where(sat[:, None, None, None], f + cost.T[None, :, :, None], NEG)
            flat = end.transpose(2, 0, 3, 1).reshape(n, C, W * H)
            arg = flat.argmax(axis=2)  # window × H + paid units, per end state
            exitv = np.take_along_axis(flat, arg[:, :, None], axis=2)[:, :, 0]
            weeks.append((entry, exitv, arg))
            entry = cl.close.apply(exitv.T).T
        total = exitv.max(axis=1)
        choice = np.full((n, self.p.n_days), -1, dtype=np.int64)
        c = exitv.argmax(axis=1)
        for w in range(len(self.days_of_week) - 1, -1, -1):
            entry, exitv, arg = weeks[w]
            wn, h = np.divmod(arg[ar, c], H)
            c, h = self._back_week(cl, w, entry, bw[ar, wn], slot[ar, wn], c, h, choice)
            if w > 0:  # the week began in the state last week's close sent here
                last = np.concatenate([weeks[w - 1][1], np.full((n, 1), NEG)], axis=1)
                pad = cl.close.padded[c]
                c = pad[ar, np.take_along_axis(last, pad, axis=1).argmax(axis=1)]
        choice[~np.isfinite(total)] = -1
        return total, choice

    def _back_week(
        self,
        cl: _Class,
        w: int,
        entry: np.ndarray,
        v: np.ndarray,
        slot: np.ndarray,
        c: np.ndarray,
        h: np.ndarray,
        choice: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Week w walked back from end states (c, h) in the chosen windows
        (`v`, `slot` [n, D, L] of those windows): fills `choice` and returns
        the state the week began in. Each step takes the predecessor of
        highest value, which is the one the forward maximum came from."""
        days = self.days_of_week[w]
        n, H, C, S = len(c), self.H, len(cl.runs.states), self.S
        ar = np.arange(n)
        fs = [np.full((C, H, n, 1), NEG)]
        fs[0][:, 0, :, 0] = entry.T
        for d in days[:-1]:
            fs.append(self._day(cl, fs[-1], v[:, None, d, :]))
        for j in range(len(days) - 1, -1, -1):
            d = int(days[j])
            prev = np.concatenate([fs[j][..., 0].transpose(2, 1, 0), np.full((n, H, 1), NEG)], 2)
            opts = np.full((n, 1 + self.L), NEG)  # off, then each paid length
            srcs = np.zeros((n, 1 + self.L), dtype=np.int64)
            for m, (scatter, s) in enumerate(
                [(cl.off, 0), *((cl.work, int(x)) for x in self.steps)]
            ):
                if m > 0 and not 0 < s < H:
                    continue
                pad = scatter.padded[c]
                cand = np.take_along_axis(prev[ar, np.maximum(h - s, 0)], pad, axis=1)
                val = cand.max(axis=1) + (v[:, d, m - 1] if m > 0 else 0.0)
                opts[:, m] = np.where(h >= s, val, NEG)
                srcs[:, m] = pad[ar, cand.argmax(axis=1)]
            move = opts.argmax(axis=1)
            li = np.maximum(move - 1, 0)
            choice[:, d] = np.where(move > 0, li * S + slot[ar, d, li], -1)
            h = np.where(move > 0, h - self.steps[li], h)
            c = srcs[ar, move]
        return c, h


@dataclass(frozen=True)
class Priced:
    """The agents' best answer to prices λ: the dual value and what they chose."""

    value: float  # L(λ), a lower bound of the roster objective
    net: np.ndarray  # [A] each agent's best value − cost
    agent: np.ndarray  # chosen shifts: agent …
    entry: np.ndarray  # … and candidate entry (into _Candidates)
    argq: np.ndarray  # [G, T] queue each group's interval goes to
    cover: np.ndarray  # [Q, T] coverage of the chosen schedules


def identical_agents(p: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Agents whose schedule problems are the same — group, candidate shifts,
    weekly limits and rate — answer the same prices the same way: one of
    each kind (indices) and how many there are."""
    keys: dict[tuple, int] = {}
    rep: list[int] = []
    mult: list[int] = []
    for a in range(p.n_agents):
        key = (
            int(p.agent_group[a]),
            p.cand[a].tobytes(),
            p.wmin[a].tobytes(),
            p.wmax[a].tobytes(),
            float(p.rate[a]),
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
    )


class AgentPricing:
    """Solves every agent's schedule problem for given cell prices (see module doc).

    With `aggregate`, identical agents (`identical_agents`) are priced once
    and counted as many times as there are of them; `net`, `agent` and
    `entry` of the answer then refer to the representatives."""

    def __init__(self, p: Problem, aggregate: bool = False) -> None:
        self.full = p
        if aggregate:
            reps, self.mult = identical_agents(p)
            p = _only(p, reps)
        else:
            self.mult = np.ones(p.n_agents)
        self.p = p
        self.c = _candidates(p)
        self.dp = _AgentDP(p, self.c)
        self.need = p.required.astype(float)
        self.live = self.need > 0
        self.pen = np.broadcast_to(p.penalty[:, None], p.required.shape)

    def first_prices(self, start: np.ndarray | None) -> np.ndarray:
        """`start` clipped to the box, or each needed cell at the cheapest agent's
        cost of an interval (10 % above)."""
        p = self.p
        if start is not None:
            return np.where(self.live, np.clip(start, 0.0, self.pen), 0.0)
        unit = float(np.min(p.rate)) * p.scenario.weights.cost * p.interval if len(p.rate) else 0.0
        return np.where(self.live, np.minimum(self.pen, 1.1 * unit), 0.0)

    def price(self, lam: np.ndarray) -> Priced:
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
        val = (P[c.group, c.b] - P[c.group, c.a] - P[c.group, c.bb] + P[c.group, c.ba]) - c.cost
        if len(val):
            mx = np.maximum.reduceat(val, c.starts)
            hit = val == np.repeat(mx, np.diff(np.r_[c.starts, len(val)]))
            first = np.minimum.reduceat(np.where(hit, np.arange(len(val)), len(val)), c.starts)
        else:
            mx = first = np.zeros(0)
        best = np.full(p.n_agents * D * M, NEG)
        best[c.cells] = mx
        arg_entry = np.full(p.n_agents * D * M, -1, dtype=np.int64)
        arg_entry[c.cells] = first
        total, choice = dp.solve(best.reshape(p.n_agents, D, dp.L, dp.S))
        value = float((lam * self.need).sum() - (self.mult * total).sum())
        ai, di = np.nonzero(choice >= 0)
        e = arg_entry[(ai * D + di) * M + choice[ai, di]]
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
        return Priced(value, total, ai, e, argq, cover)


def _projected(sub: np.ndarray, lam: np.ndarray, live: np.ndarray, pen: np.ndarray) -> np.ndarray:
    """A step direction with the prices at a bound kept there where it would
    push them out of the box [0, penalty], and zero on cells nobody needs."""
    sub = np.where(live, sub, 0.0)
    sub = np.where((lam <= 0) & (sub < 0), 0.0, sub)
    return np.where((lam >= pen) & (sub > 0), 0.0, sub)


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
    best_bound = -math.inf
    theta = STEP_START
    cover_bar: np.ndarray | None = None
    since = 0
    it = 0
    status = "NOT_RUN"
    while it < max_iterations and time.monotonic() - t0 < time_limit:
        if halt is not None and halt.is_set():
            break
        it += 1
        priced = pricing.price(lam)
        value, cover = priced.value, priced.cover
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
        here = _projected(need - cover, lam, live, pen)  # a subgradient at λ
        if not here.any():
            status = "OPTIMAL"  # λ is a fixed point: no violated coverage at all
            break
        # volume algorithm: step along the averaged coverage (smoother than the last one)
        cover_bar = cover if cover_bar is None else VOLUME * cover + (1 - VOLUME) * cover_bar
        sub = _projected(need - cover_bar, lam, live, pen)
        if not sub.any():  # the average is at rest where the last coverage is not
            sub, cover_bar = here, cover
        norm = float((sub * sub).sum())
        target = ub if ub is not None and ub > value else max(value, best_bound) * 1.05 + 1.0
        step = theta * (target - value) / norm
        # on from the prices just tried (module doc)
        lam = np.clip(lam + step * sub, 0.0, pen)
        lam[~live] = 0.0
    seconds = time.monotonic() - t0
    if not math.isfinite(best_bound):
        return Bound(None, "Lagrangian relaxation: no iteration in time", seconds, "NOT_RUN")
    return Bound(
        best_bound,
        f"Lagrangian relaxation of coverage ({it} subgradient steps)",
        seconds,
        status,
    )
