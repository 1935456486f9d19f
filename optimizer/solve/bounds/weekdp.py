"""Each agent's best schedule for given shift values, week by week: the
programme with which the Lagrangian relaxation (`lagrange.py`) and column
generation (`colgen.py`) price the agents.

`candidates(p)` flattens every (agent, candidate shift) pair into entries
keyed by a cell — agent, day, paid length and the `BAND_STEP` slot of the
clock the shift starts in. `WeekDP.solve` takes the best value of each cell
and returns each agent's best total and the cell it chose each day, under
the rules the relaxation keeps (`WeekDP` says which, and why widening the
start band to windows loses no feasible week).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.solve.automaton import reachable
from optimizer.solve.problem import NIGHT_SHIFT_MINUTES, Problem, night_paid_minutes
from optimizer.solve.type_cover import shift_numbers
from optimizer.solve.wishes import shift_prices

NEG = -np.inf
DAY = 1440  # minutes of the 24-hour clock
BAND_STEP = 120  # minutes: the grid the start band's windows begin on (divides a day)
OTHER, OFF, LONE = 0, 1, 2  # what yesterday was, for isolated working days (`_Runs`)


def _nights(p: Problem) -> list[np.ndarray]:
    """Per site, [K] whether each template is a night shift by its own paid
    minutes in the night window (the contract's reading; the search reads
    a whole break family as a night when one of its options is, which only
    restricts it further). All false where no nights rule applies."""
    out = []
    for si, site in enumerate(p.scenario.sites):
        tpl = p.sites[si].tpl
        if p.max_nights[si] < 0:
            out.append(np.zeros(len(tpl), dtype=bool))
            continue
        rules = p.scenario.rules_of(site)
        out.append(night_paid_minutes(site.timezone, rules, tpl) >= NIGHT_SHIFT_MINUTES)
    return out


def _night_limits(p: Problem, nights: list[np.ndarray]) -> np.ndarray:
    """[A] the limit on days in a row each agent's consecutive-nights rule
    amounts to (-1: none): its `max_consecutive_nights` when every shift the
    agent may work is a night. For an agent with day and night shifts the
    rule is dropped, a relaxation: telling nights apart there multiplies
    the states for little gain. (A limit of 0 bars night shifts outright:
    `candidates` leaves them out.)"""
    out = np.full(p.n_agents, -1, dtype=np.int64)
    for a, ks in enumerate(p.cand):
        si = int(p.agent_site[a])
        if p.max_nights[si] > 0 and len(ks) and nights[si][ks].all():
            out[a] = p.max_nights[si]
    return out


def band_windows(band: int) -> np.ndarray:
    """[W, span] the clock slots (of `BAND_STEP` minutes, slot i from
    i·BAND_STEP) of each window a start band of `band` minutes is relaxed
    to; one window of every slot when the band does not restrict (none, or
    windows as long as the day)."""
    step = BAND_STEP
    n = DAY // step
    span = 1 + -(-band // step)
    if band < 0 or span >= n:
        return np.arange(n, dtype=np.int64)[None, :]
    return (np.arange(n)[:, None] + np.arange(span)[None, :]) % n


@dataclass(frozen=True)
class Candidates:
    """Every (agent, candidate template) pair, flattened, sorted by cell:
    (agent, day, paid length, slot), the slot the `BAND_STEP` of the clock
    the shift starts in."""

    agent: np.ndarray
    group: np.ndarray
    a: np.ndarray
    b: np.ndarray
    ba: np.ndarray
    bb: np.ndarray
    cost: np.ndarray  # pay (rate × premium-weighted paid minutes) and the agent's wishes
    day: np.ndarray  # horizon day of each entry
    tpl: np.ndarray  # its template (of the agent's site)
    kind: np.ndarray  # its shift type number (`TypeCover.type_ids`; -1: untyped)
    cell: np.ndarray  # ((agent × D + day) × L + length index) × S + slot
    starts: np.ndarray  # first entry of each distinct cell (for reduceat)
    cells: np.ndarray  # the distinct cells
    lengths: np.ndarray  # [L] paid minutes of each length index
    n_slots: int  # S
    span: np.ndarray  # [E] index of each entry's (group, a, b, ba, bb) in `spans`
    spans: np.ndarray  # [4, U] flat positions in [G, T + 1] prefix sums of a, b, ba, bb
    night_limit: np.ndarray  # [A] days in a row the nights rule allows (`_night_limits`)


def candidates(p: Problem) -> Candidates:
    parts: dict[str, list[np.ndarray]] = {
        k: []
        for k in ("agent", "a", "b", "ba", "bb", "cost", "day", "paid", "local", "kind", "tpl")
    }
    nights = _nights(p)
    wishes = p.scenario.weights.preference > 0 or len(p.requests) > 0
    for i, ks in enumerate(p.cand):
        si = int(p.agent_site[i])
        st = p.sites[si]
        if p.max_nights[si] == 0:
            ks = ks[~nights[si][ks]]  # no night shifts at all
        parts["agent"].append(np.full(len(ks), i, dtype=np.int64))
        parts["a"].append(st.a[ks])
        parts["b"].append(st.b[ks])
        parts["ba"].append(st.ba[ks])
        parts["bb"].append(st.bb[ks])
        cost = p.scenario.weights.cost * p.rate[i] * st.tpl.weight[ks]
        parts["cost"].append(cost + shift_prices(p, i)[ks] if wishes else cost)
        parts["kind"].append(shift_numbers(p, si, ks))
        parts["tpl"].append(ks)
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
    group = p.agent_group[agent]
    # the entries' distinct (group, a, b, ba, bb): their on-duty sums are shared
    rows = np.stack([group, *(cat[k][order].astype(np.int64) for k in ("a", "b", "ba", "bb"))])
    width = p.grid.n + 1
    if (int(group.max(initial=0)) + 1) * width**4 < 2**62:  # one integer each: a fast unique
        uniq, span = np.unique(
            rows[0] * width**4 + (rows[1:].T @ width ** np.arange(3, -1, -1)), return_inverse=True
        )
        distinct = np.stack([uniq // width**4, *(uniq // width**i % width for i in (3, 2, 1, 0))])
    else:
        distinct, span = np.unique(rows, axis=1, return_inverse=True)
    spans = distinct[0][None, :] * width + distinct[1:]
    return Candidates(
        span=span.astype(np.int64),
        spans=spans,
        night_limit=_night_limits(p, nights),
        agent=agent,
        group=p.agent_group[agent],
        a=cat["a"][order].astype(np.int64),
        b=cat["b"][order].astype(np.int64),
        ba=cat["ba"][order].astype(np.int64),
        bb=cat["bb"][order].astype(np.int64),
        cost=cat["cost"][order].astype(float),
        day=cat["day"][order].astype(np.int64),
        kind=cat["kind"][order].astype(np.int64),
        tpl=cat["tpl"][order].astype(np.int64),
        cell=cell,
        starts=starts,
        cells=cell[starts] if len(cell) else cell,
        lengths=lengths,
        n_slots=S,
    )


class _Scatter:
    """A map between counter states applied along the first axis: each state
    takes the maximum over the states sent to it (-inf: none); a copy per
    single source and a max per merged state (numpy's reduceat along the
    first axis is much slower)."""

    def __init__(self, src: list[int], tgt: list[int], size: int) -> None:
        pairs = list(zip(src, tgt, strict=True))
        lists = [np.array([s for s, t in pairs if t == c], dtype=np.int64) for c in range(size)]
        self.size = size
        self.one_tgt = np.array([c for c, x in enumerate(lists) if len(x) == 1], dtype=np.int64)
        self.one_src = np.array([x[0] for x in lists if len(x) == 1], dtype=np.int64)
        self.many = [(c, x) for c, x in enumerate(lists) if len(x) > 1]
        n = max(1, max((len(x) for x in lists), default=1))
        # [C, n] the sources of each state, padded with C (an extra -inf column)
        self.padded = np.full((size, n), size, dtype=np.int64)
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
class _Runs:
    """The run counters of a week as a small automaton: each state is (days
    worked in a row, progress towards the week's days off together, what
    yesterday was), the progress being the length of the current run of
    days off, or `need` once the week has had its run. Days in a row are
    counted only when some agent's limit can bind inside a week (`most`,
    else None); yesterday only when isolated working days are priced
    (`lone`): off, a working day after a day off of the same week (a day off
    now isolates it), or anything else (the week's start included: what
    came before the week is not known, so its first day is never isolated)."""

    run: np.ndarray  # [C] days worked in a row of each state
    satisfied: np.ndarray  # [C] bool: the week's days off together are done
    lone: np.ndarray  # [C] bool: yesterday a working day after a day off (a day off isolates it)
    off: _Scatter  # a day off inside the horizon
    work: _Scatter
    outside: _Scatter  # a day of the week outside the horizon: off, and isolates nothing

    @classmethod
    def of(cls, most: int | None, need: int, lone: bool = False) -> _Runs:
        def off(st: tuple[int, int, int], inside: bool) -> tuple[int, int, int]:
            o = st[1]
            return 0, need if o == need else min(o + 1, need), OFF if lone and inside else OTHER

        def work(st: tuple[int, int, int]) -> tuple[int, int, int] | None:
            r, o, y = st
            if most is not None and r >= most:
                return None
            return (
                0 if most is None else r + 1,
                need if o == need else 0,
                LONE if y == OFF else OTHER,
            )

        # from the week's start (no day of it yet): a day off inside the
        # horizon, a working day, a day of the week outside the horizon
        states, (off_edges, work_edges, out_edges) = reachable(
            (0, 0, OTHER), (lambda st: off(st, True), work, lambda st: off(st, False))
        )
        size = len(states)
        return cls(
            run=np.array([r for r, _, _ in states]),
            satisfied=np.array([o == need for _, o, _ in states]),
            lone=np.array([y == LONE for _, _, y in states]),
            off=_Scatter(*off_edges, size),
            work=_Scatter(*work_edges, size),
            outside=_Scatter(*out_edges, size),
        )


@dataclass(frozen=True)
class _Class:
    """Agents who read the rules alike: one automaton, one set of windows;
    each agent's own limit on days in a row masks the states."""

    agents: np.ndarray  # indices into the priced problem's agents
    runs: _Runs
    windows: np.ndarray  # [W, span] slots of each start-band window
    within: np.ndarray | None  # [C, n × weeks] bool: the state's run is within the limit


class WeekDP:
    """Each agent's best schedule for given shift values, week by week.

    The local Mon–Sun weeks are priced apart (runs of days across a week's
    end are dropped, a relaxation), all agent-weeks of a class at once.
    State, day by day: (window of the week's start band, paid units so far,
    run counters — `_Runs`: days worked in a row where a limit can bind
    within a week, the progress towards the days off together, and what
    yesterday was when isolated working days are priced). A day off after
    a working day that followed a day off of the same week, all inside the
    horizon, costs `weights.isolated_day` (days isolated across a week's end
    are not seen, a relaxation). At the week's end the weekly minimum and
    maximum are checked, the overtime paid, and a week wholly inside the
    horizon must have had its days off together. Consecutive nights enter
    as `_night_limits` says. The minimums of consecutive days worked and
    off (`min_consecutive_days`, `min_consecutive_days_off`) and the
    weekends worked over the horizon (`max_weekends`), the forbidden
    successions of shift types and their `max_shifts`, and the agent's
    hours over the horizon are dropped, a relaxation.

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

    A week whose rules leave the agent no schedule at all (a weekly minimum
    out of reach) is priced without its minimum, which only relaxes."""

    def __init__(self, p: Problem, c: Candidates) -> None:
        self.p, self.c = p, c
        unit = int(np.gcd.reduce(c.lengths)) if len(c.lengths) else 30
        self.unit = unit
        self.steps = (c.lengths // unit).astype(np.int64)
        self.H = int(p.wmax.max() // unit) + 1 if p.wmax.size else 1
        self.L = max(1, len(c.lengths))
        self.S = c.n_slots
        A, site = p.n_agents, p.agent_site
        self.A = A
        self.ot_thr = p.ot_threshold[site]
        # per overtime minute, at least (the minute's premium is ≥ 1)
        self.ot_cost = p.scenario.weights.cost * p.rate * p.ot_extra[site]
        self.h_minutes = np.arange(self.H) * unit
        # [weeks, 7] the horizon day of each weekday of each week (-1: outside)
        monday = p.dates[0].weekday() if p.n_days else 0
        self.week_days = np.full((p.n_weeks, 7), -1, dtype=np.int64)
        for d in range(p.n_days):
            self.week_days[p.week_of_day[d], (monday + d) % 7] = d
        self.wmin = p.wmin.copy()
        self.isolated = float(p.scenario.weights.isolated_day_price)  # per isolated working day
        most = np.minimum(p.maxcons[site], 7)  # days in a row
        nights = c.night_limit >= 0
        most[nights] = np.minimum(most[nights], c.night_limit[nights])
        need = p.off_together[site]
        lengths = (self.week_days >= 0).sum(axis=1)
        keys: dict[tuple[int, int, bool], list[int]] = {}
        for a in range(A):
            longest = int((lengths - np.where(p.week_whole, need[a], 0)).max(initial=0))
            tracked = bool(most[a] < longest)
            keys.setdefault((int(need[a]), int(p.band[site[a]]), tracked), []).append(a)
        self.classes = []
        for (n_off, band, tracked), members in keys.items():
            agents = np.array(members, dtype=np.int64)
            runs = _Runs.of(int(most[agents].max()) if tracked else None, n_off, self.isolated > 0)
            within = runs.run[:, None] <= np.repeat(most[agents], p.n_weeks)[None, :]
            self.classes.append(
                _Class(
                    agents=agents,
                    runs=runs,
                    windows=band_windows(band) if self.S > 1 else np.zeros((1, 1), np.int64),
                    within=None if within.all() else within,
                )
            )
        # weeks whose minimum is out of the rules' reach: priced without it
        some = np.full(A * p.n_days * self.L * self.S, NEG)
        some[c.cells] = 0.0
        weekly = self._weeks(some.reshape(A, p.n_days, self.L, self.S))[0]
        self.wmin[~np.isfinite(weekly)] = 0

    def solve(self, best: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`best[A, D, L, S]`: net value of the agent's best shift of that
        paid length starting in that slot that day (-inf if none). Returns
        each agent's total best net value and the chosen cell column (length
        index × S + slot) per agent and day (-1 = off)."""
        weekly, choice = self._weeks(best)
        return weekly.sum(axis=1), choice

    def _weeks(self, best: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """[A, weeks] best value of each agent-week, and the choice."""
        p = self.p
        NW = p.n_weeks
        weekly = np.zeros((self.A, NW))
        choice = np.full((self.A, p.n_days), -1, dtype=np.int64)
        padded = np.concatenate([best, np.full((self.A, 1, self.L, self.S), NEG)], axis=1)
        for cl in self.classes:
            n = len(cl.agents)
            sub = padded[cl.agents][:, self.week_days][..., cl.windows]  # [n, NW, 7, L, W, span]
            bw = sub.max(axis=5).transpose(0, 1, 4, 2, 3).reshape(n * NW, -1, 7, self.L)
            pos = sub.argmax(axis=5).transpose(0, 1, 4, 2, 3).reshape(n * NW, -1, 7, self.L)
            slot = cl.windows[np.arange(len(cl.windows))[None, :, None, None], pos]
            value, col = self._solve_class(cl, bw, slot)
            weekly[cl.agents] = value.reshape(n, NW)
            col = col.reshape(n, NW, 7)
            inside = self.week_days >= 0
            rows = np.repeat(cl.agents, int(inside.sum()))
            choice[rows, np.tile(self.week_days[inside], n)] = col[:, inside].ravel()
        return weekly, choice

    def _lone_cost(self, cl: _Class) -> np.ndarray:
        """[C + 1] what a day off inside the horizon costs from each state
        (it isolates yesterday's lone working day), 0 for the padding state."""
        return np.r_[self.isolated * cl.runs.lone, 0.0]

    def _off(self, cl: _Class, f: np.ndarray, inside: np.ndarray) -> np.ndarray:
        """The states after a day off from `f` [C, H, V, W]; `inside` [V]:
        whether the day lies inside the horizon (outside, it isolates nothing)."""
        if self.isolated <= 0:
            return cl.runs.off.apply(f)
        g = cl.runs.off.apply(f - self._lone_cost(cl)[:-1, None, None, None])
        if not inside.all():
            g[:, :, ~inside] = cl.runs.outside.apply(f[:, :, ~inside])
        return g

    def _day(self, cl: _Class, f: np.ndarray, v: np.ndarray, inside: np.ndarray) -> np.ndarray:
        """The states after one day from `f` [C, H, V, W], a shift of each
        paid length worth `v` [V, W, L] (-inf: none); `inside` as in `_off`."""
        H = self.H
        g = self._off(cl, f, inside)
        lengths = [i for i in range(len(self.steps)) if 0 < self.steps[i] < H]
        lengths = [i for i in lengths if np.isfinite(v[..., i]).any()]
        if lengths:
            moved = cl.runs.work.apply(f)
            if cl.within is not None:
                np.copyto(moved, NEG, where=~cl.within[:, None, :, None])
            for i in lengths:
                s = int(self.steps[i])
                cand = moved[:, : H - s] + v[None, None, :, :, i]
                np.maximum(g[:, s:], cand, out=g[:, s:])
        return g

    def _solve_class(
        self, cl: _Class, bw: np.ndarray, slot: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each agent-week (V of them) forward over its seven weekdays in
        every window; then back: the week again in its chosen window only,
        walked back day by day. Returns [V] values and [V, 7] choices."""
        p = self.p
        V, W = bw.shape[:2]
        H, C, S = self.H, len(cl.runs.run), self.S
        ar = np.arange(V)
        a = np.repeat(cl.agents, p.n_weeks)
        w = np.tile(np.arange(p.n_weeks), len(cl.agents))
        hmin = self.h_minutes[None, :]
        ok_h = (hmin >= self.wmin[a, w][:, None]) & (hmin <= p.wmax[a, w][:, None])
        ot = np.maximum(0, hmin - self.ot_thr[a][:, None]) * self.ot_cost[a][:, None]
        close = np.where(ok_h, -ot, NEG)  # [V, H]
        sat = cl.runs.satisfied[:, None] | ~p.week_whole[w][None, :]  # [C, V]
        inside = self.week_days[w] >= 0  # [V, 7]
        f = np.full((C, H, V, W), NEG)
        f[0, 0] = 0.0  # no day worked yet, no day off yet
        for j in range(7):
            f = self._day(cl, f, bw[:, :, j, :], inside[:, j])
        end = np.where(sat[:, None, :, None], f + close.T[None, :, :, None], NEG)
        flat = end.transpose(2, 0, 1, 3).reshape(V, C * H * W)
        arg = flat.argmax(axis=1)
        value = flat[ar, arg]
        c, h, wn = np.unravel_index(arg, (C, H, W))
        v, sl = bw[ar, wn], slot[ar, wn]  # [V, 7, L] of the chosen windows
        fs = [np.full((C, H, V, 1), NEG)]
        fs[0][0, 0] = 0.0
        for j in range(6):
            fs.append(self._day(cl, fs[-1], v[:, None, j, :], inside[:, j]))
        choice = np.full((V, 7), -1, dtype=np.int64)
        for j in range(6, -1, -1):
            prev = np.concatenate([fs[j][..., 0].transpose(2, 1, 0), np.full((V, H, 1), NEG)], 2)
            opts = np.full((V, 1 + self.L), NEG)  # off, then each paid length
            srcs = np.zeros((V, 1 + self.L), dtype=np.int64)
            opts[:, 0], srcs[:, 0] = self._back_off(cl, prev[ar, h], c, inside[:, j])
            for m in range(1, 1 + len(self.steps)):  # no lengths: only the day off
                s = int(self.steps[m - 1])
                if not 0 < s < H:
                    continue
                pad = cl.runs.work.padded[c]
                cand = np.take_along_axis(prev[ar, np.maximum(h - s, 0)], pad, axis=1)
                opts[:, m] = np.where(h >= s, cand.max(axis=1) + v[:, j, m - 1], NEG)
                srcs[:, m] = pad[ar, cand.argmax(axis=1)]
            move = opts.argmax(axis=1)
            li = np.maximum(move - 1, 0)
            choice[:, j] = np.where(move > 0, li * S + sl[ar, j, li], -1)
            h = np.where(move > 0, h - np.r_[self.steps, 0][li], h)  # (no lengths: li is 0)
            # a week without any schedule (-inf) walks back through state 0:
            # its padding index would fall outside the automaton
            c = np.where(np.isfinite(opts[ar, move]), srcs[ar, move], 0)
        choice[~np.isfinite(value)] = -1
        return value, choice

    def _back_off(
        self, cl: _Class, prev: np.ndarray, c: np.ndarray, inside: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Walking back: the best value [V] of reaching state `c` [V] by a day
        off from yesterday's states `prev` [V, C + 1] (the last: padding), and
        the state it came from; `inside` as in `_off`."""
        ar = np.arange(len(c))
        pad = cl.runs.off.padded[c]
        cand = np.take_along_axis(prev, pad, axis=1)
        if self.isolated > 0:
            cand = cand - self._lone_cost(cl)[pad]
        val, src = cand.max(axis=1), pad[ar, cand.argmax(axis=1)]
        if self.isolated > 0 and not inside.all():
            pad = cl.runs.outside.padded[c]
            out = np.take_along_axis(prev, pad, axis=1)
            val = np.where(inside, val, out.max(axis=1))
            src = np.where(inside, src, pad[ar, out.argmax(axis=1)])
        return val, src
