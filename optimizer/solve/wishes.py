"""What agents asked for, as prices on their shifts: preferred days off and
shift requests (soft; docs/scenario-format.md).

A shift on a preferred day off costs `weights.preference` × `PREFERENCE_UNIT`.
An `off` request costs its weight for each shift it names (a shift on its
date, or starting at its local time). An `on` request costs its weight unless
a shift it names is worked; an agent works at most one shift a date, so that
is its weight less its weight on each shift it names. Both are therefore
linear in the agent's shifts, up to a constant (the weight of its `on`
requests): `shift_prices` is what each candidate shift adds, and
`requests_cost` the exact term of a roster, as the evaluation counts it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from optimizer.scenario.shift_requests import ShiftRequest

if TYPE_CHECKING:
    from optimizer.solve.problem import Problem
    from optimizer.solve.state import State

PREFERENCE_UNIT = (
    10.0  # reporting currency per shift on a preferred day off, times weights.preference
)


@dataclass(frozen=True)
class Requests:
    """The shift requests inside the horizon as arrays, one entry each."""

    agent: np.ndarray  # [R] agent index
    day: np.ndarray  # [R] horizon day
    start: np.ndarray  # [R] local minute of day the request names (-1: any shift of the date)
    weight: np.ndarray  # [R] reporting currency
    on: np.ndarray  # [R] bool: an `on` request (else `off`)

    @classmethod
    def of(
        cls, requests: Sequence[ShiftRequest], agent_ids: Sequence[str], dates: Sequence[dt.date]
    ) -> Requests:
        """The requests of known agents on horizon dates (others are left out)."""
        agent = {x: i for i, x in enumerate(agent_ids)}
        day = {d: i for i, d in enumerate(dates)}
        kept = [r for r in requests if r.agent in agent and r.date in day]
        return cls(
            agent=np.array([agent[r.agent] for r in kept], dtype=np.int64),
            day=np.array([day[r.date] for r in kept], dtype=np.int64),
            start=np.array([-1 if r.start is None else r.start for r in kept], dtype=np.int64),
            weight=np.array([r.weight for r in kept], dtype=float),
            on=np.array([r.kind == "on" for r in kept], dtype=bool),
        )

    def __len__(self) -> int:
        return len(self.agent)

    def of_agents(self, agents: np.ndarray) -> Requests:
        """The requests of some agents (indices), renumbered as `agents` orders them."""
        where = np.full(int(max(self.agent.max(initial=-1), agents.max(initial=-1))) + 1, -1)
        where[agents] = np.arange(len(agents))
        new = where[self.agent] if len(self.agent) else self.agent
        keep = new >= 0
        return Requests(
            new[keep], self.day[keep], self.start[keep], self.weight[keep], self.on[keep]
        )


def _names(r: Requests, i: np.ndarray, day: np.ndarray, local: np.ndarray) -> np.ndarray:
    """[len(i), len(day)]: request i names the shift of (day, local start)."""
    same_day = r.day[i, None] == day[None, :]
    return same_day & ((r.start[i, None] < 0) | (r.start[i, None] == local[None, :]))


def shift_prices(p: Problem, a: int) -> np.ndarray:
    """[T] what each template of agent a's site adds to the objective through
    the agent's wishes: the preferred days off and its `off` requests add,
    its `on` requests take their weight off the shifts they name."""
    tpl = p.sites[p.agent_site[a]].tpl
    w = p.scenario.weights
    out = np.zeros(len(tpl.day))
    if w.preference > 0:
        out += w.preference * PREFERENCE_UNIT * p.pref_off[a, tpl.day]
    r = p.requests
    mine = np.flatnonzero(r.agent == a) if len(r) else np.zeros(0, dtype=np.int64)
    if len(mine):
        names = _names(r, mine, tpl.day, tpl.local_start)
        signed = np.where(r.on[mine], -r.weight[mine], r.weight[mine])
        out += signed @ names
    return out


def granted(p: Problem, s: State) -> np.ndarray:
    """[R] bool: request i is granted in `s` (an `on` request has a shift it
    names worked, an `off` request none)."""
    r = p.requests
    if not len(r):
        return np.zeros(0, dtype=bool)
    works = s.works[r.agent, r.day]
    hit = works.copy()
    named = r.start >= 0
    if named.any():
        k = s.tpl[r.agent[named], r.day[named]]
        local = np.zeros(int(named.sum()), dtype=np.int64)
        site = p.agent_site[r.agent[named]]
        for si in np.unique(site):
            sel = site == si
            local[sel] = p.sites[si].tpl.local_start[np.where(works[named][sel], k[sel], 0)]
        hit[named] &= local == r.start[named]
    return np.where(r.on, hit, ~hit)


def requests_cost(p: Problem, s: State) -> float:
    """The requests' term of roster `s`: the weight of every request not granted."""
    ok = granted(p, s)
    return float(p.requests.weight[~ok].sum()) if len(ok) else 0.0
