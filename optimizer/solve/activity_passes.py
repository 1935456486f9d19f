"""Agent passes on the named roster: each agent's shifts chosen knowing the
stretch and switch rules.

The search values an agent's interval by the best queue it could serve
there, as the rule-free flow does; the activities (`activity_plan.py`) then
name each shift within contract v1.1's stretch and switch rules, and a
shift whose worth came from short gaps on several queues loses cover there.
The naming cannot move a shift, and much of what the rules cost lies in
the shifts themselves. Here, with every other agent's named segments
held, each agent in turn is re-planned by the search's one-agent programme
(`construct.best_schedule`: every rule of the agent exact), each candidate
shift worth the best queue sequence it can name itself within the rules
against what the others leave short (`stretches.best_sequences`, one
tie-breaking unit per switch as in `activity_search.py`). The change is
kept when the roster's objective falls: the named shortfall's penalty plus
the terms summed over agents (cost, overtime, stability, wishes, fairness
against the solve's targets). Every kept change lowers the final
objective exactly. Passes go on while one gains at least `gain` of it and
time is left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from optimizer.solve.activity_shifts import (
    ShiftTable,
    duty_positions,
    group_slots,
    shift_table,
    shortfall,
)
from optimizer.solve.allocate import penalty_units
from optimizer.solve.construct import best_schedule
from optimizer.solve.improve import Replanning
from optimizer.solve.problem import Problem
from optimizer.solve.state import Evaluation, State, evaluate, re_evaluate, week_arcs
from optimizer.solve.stretches import SequenceRules, best_sequences, slot_values

PASS_GAIN = 0.001  # passes go on while one lowers the objective by this share


@dataclass
class _Duty:
    """One named shift of an agent: its template, queues and grid intervals
    position by position (intervals may lie off the grid)."""

    tpl: int
    queues: np.ndarray
    intervals: np.ndarray


@dataclass
class NamedRoster:
    """A state with its shifts named: each agent's day → `_Duty`, and the
    coverage [Q, T] they give."""

    state: State
    duties: dict[int, dict[int, _Duty]]
    cover: np.ndarray
    gained: float = 0.0
    changed: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, p: Problem, s: State, table: ShiftTable, x: np.ndarray) -> NamedRoster:
        """The named roster of sequences `x` of `table` (the shifts of `s`)."""
        duties: dict[int, dict[int, _Duty]] = {}
        cover = np.zeros(p.required.shape, dtype=np.int64)
        for b in range(len(table)):
            n = int(table.length[b])
            duty = _Duty(int(table.tpl[b]), table.slots[b, x[b, :n]], table.pos[b, :n])
            duties.setdefault(int(table.agent[b]), {})[int(table.day[b])] = duty
            _count(cover, duty, 1)
        return cls(s, duties, cover)

    def sequences(self, p: Problem) -> tuple[ShiftTable, np.ndarray]:
        """The shift table of the state and each shift's slots ([B, N], −1 beyond)."""
        table = shift_table(p, self.state)
        x = np.full(table.pos.shape, -1, dtype=np.int64)
        for b in range(len(table)):
            duty = self.duties[int(table.agent[b])][int(table.day[b])]
            slots = table.slots[b]
            n = int(table.length[b])
            x[b, :n] = np.argmax(slots[None, :] == duty.queues[:, None], axis=1)
        return table, x


def _count(cover: np.ndarray, duty: _Duty, sign: int) -> None:
    """Add (`sign` 1) or take away (−1) a named shift's intervals to `cover`."""
    t = duty.intervals
    ok = (t >= 0) & (t < cover.shape[1])
    np.add.at(cover, (duty.queues[ok], t[ok]), sign)


class ActivityPasses:
    """The passes of the module doc over one named roster."""

    def __init__(self, ctx: Replanning, rules: SequenceRules, seed: int) -> None:
        p = ctx.p
        self.ctx, self.rules, self.seed = ctx, rules, seed
        self.pen = penalty_units(p.penalty)
        self.slots = group_slots(p)
        self.positions = {
            si: duty_positions(p, si, np.arange(len(st.tpl.day))) for si, st in enumerate(p.sites)
        }

    def worth(self, a: int, cover: np.ndarray) -> tuple[np.ndarray, Callable[[int], np.ndarray]]:
        """[K] what each template of agent a's site is worth named within the
        rules against `cover` (the others' named shifts: reporting
        currency; 0 off its candidates), and the queues of a template's
        best sequence, position by position.

        A template on which at most one of the agent's queues is short is
        worth that queue's shortfall all through; the programme runs only
        for those on which several are."""
        p = self.ctx.p
        si = int(p.agent_site[a])
        site = p.sites[si]
        pos, length = self.positions[si]
        ks = p.cand[a]
        qs = self.slots[p.agent_group[a]]
        qs = qs[qs >= 0]
        short = np.where(p.required[qs] > cover[qs], self.pen[qs, None], 0)
        prefix = np.zeros((len(qs), short.shape[1] + 1), dtype=np.int64)
        np.cumsum(short, axis=1, out=prefix[:, 1:])
        sums = np.stack(
            [site.on_duty_sums(prefix, ks, np.full(len(ks), j)) for j in range(len(qs))], axis=1
        )
        several = (sums > 0).sum(axis=1) > 1
        worth = np.zeros(len(pos))
        worth[ks] = sums.max(axis=1) / 100
        whole = np.full(len(pos), -1, dtype=np.int64)  # the one queue all through
        whole[ks] = qs[sums.argmax(axis=1)]
        dp = ks[several]
        N = pos.shape[1]
        unit = N + 1  # a switch costs 1, an interval of cover at least `unit`
        gain = np.zeros(cover.shape, dtype=np.int64)
        gain[qs] = short * unit
        # each template's slots: only the queues short somewhere on it (no other gains)
        useful = sums[several] > 0
        order = np.argsort(~useful, axis=1, kind="stable")
        slots = np.where(np.take_along_axis(useful, order, axis=1), qs[order], -1)
        slots = slots[:, : int(useful.sum(axis=1).max(initial=1))]
        value = slot_values(slots, pos[dp], gain)
        value = np.where(np.arange(N)[None, :, None] < length[dp, None, None], value, 0)
        seq, score = best_sequences(value, np.maximum(length[dp], 1), self.rules, 1)
        worth[dp] = -(-np.maximum(score, 0) // unit) / 100
        row = np.full(len(pos), -1, dtype=np.int64)
        row[dp] = np.arange(len(dp))

        def queues(k: int) -> np.ndarray:
            n = int(length[k])
            if row[k] < 0:
                return np.full(n, whole[k], dtype=np.int64)
            return slots[row[k], seq[row[k], :n]]

        return worth, queues

    def replan(self, named: NamedRoster, ev: Evaluation, a: int) -> Evaluation:
        """Agent a re-planned against the others' named shifts; `named` and
        the returned evaluation (its agent terms) changed only if better."""
        p, ctx = self.ctx.p, self.ctx
        s = named.state
        mine = named.duties.get(a, {})
        for duty in mine.values():
            _count(named.cover, duty, -1)
        worth, queues_of = self.worth(a, named.cover)
        found = best_schedule(
            p, s, a, (p.required - named.cover).astype(float), ctx.cands, self.seed,
            budgets=(ctx.seconds,), stop=ctx.stop, arcs=week_arcs(p, s, a),
            template_worth=worth,
        )  # fmt: skip
        trial = None if found is None else found[0]
        if trial is None or (
            np.array_equal(trial.works[a], s.works[a])
            and np.array_equal(trial.tpl[a][trial.works[a]], s.tpl[a][s.works[a]])
        ):
            for duty in mine.values():
                _count(named.cover, duty, 1)
            return ev
        pos, length = self.positions[int(p.agent_site[a])]
        new = {}
        for d in np.flatnonzero(trial.works[a]).tolist():
            k = int(trial.tpl[a, d])
            n = int(length[k])
            new[d] = _Duty(k, queues_of(k), pos[k, :n])
        before = named.cover.copy()
        for duty in mine.values():
            _count(before, duty, 1)
        after = named.cover
        for duty in new.values():
            _count(after, duty, 1)
        short = shortfall(after, p.required, self.pen) - shortfall(before, p.required, self.pen)
        trial = State(trial.works, trial.tpl, s.alloc)
        ev2 = re_evaluate(p, s, ev, trial, [a], ctx.fair_target)
        change = short / 100 + (ev2.total - ev2.under_cover) - (ev.total - ev.under_cover)
        if change < -1e-6:
            named.state = trial
            named.duties[a] = new
            named.gained -= change
            named.changed.add(a)
            return ev2
        named.cover = before
        return ev

    def run(self, named: NamedRoster, gain: float = PASS_GAIN) -> NamedRoster:
        """Passes over every agent in random order while one gains `gain` of
        the objective and `ctx.stop` allows."""
        p, stop = self.ctx.p, self.ctx.stop
        rng = np.random.default_rng(self.seed)
        ev = evaluate(p, named.state, self.ctx.fair_target)
        total = ev.total - ev.under_cover + shortfall(named.cover, p.required, self.pen) / 100
        while not stop.should_stop():
            start = named.gained
            for a in rng.permutation(p.n_agents).tolist():
                if stop.should_stop():
                    break
                if p.eligible[a].any() and len(p.cand[a]):
                    ev = self.replan(named, ev, a)
            if named.gained - start < gain * total:
                break
        return named


def activity_passes(
    ctx: Replanning,
    s: State,
    table: ShiftTable,
    x: np.ndarray,
    rules: SequenceRules,
    seed: int,
    gain: float = PASS_GAIN,
) -> NamedRoster:
    """The passes of the module doc from the state `s` named by sequences
    `x` of its `table`, within `ctx.stop`."""
    named = NamedRoster.of(ctx.p, s, table, x)
    return ActivityPasses(ctx, rules, seed).run(named, gain)
