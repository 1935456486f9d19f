"""Which arcs of a week's starts the search offers an agent's programme
(`agentdp`): how wide (`steady_band`: the rule set's start band, narrower
where `weights.stability` is priced) and where they may begin
(`anchor_candidates`: a few likely arc starts per week, where trying every
distinct start would make each re-plan slow). Both are choices of the
search, not rules: the bounds and the neighbourhood models keep the rule
set's band.
"""

from __future__ import annotations

import numpy as np

from optimizer.solve.problem import Problem
from optimizer.solve.state import DAY_MINUTES

STEADY_BAND = 60  # minutes: with `weights.stability`, the search's widest arc of a week's starts


def steady_band(p: Problem, a: int) -> int:
    """The widest arc of a week's starts the search offers agent a, in
    minutes (-1: any): the rule set's `start_band_hours`, and with
    `weights.stability` set at most `STEADY_BAND`.

    Within a week's arc the stability term prices each start's distance
    from the arc's beginning only, so a start two hours in followed by one
    at the beginning (a backward rotation) costs little. The narrower arc
    rules such weeks out of the search, and with them most of the distinct
    starts of a week; it is a choice of the search, not a rule: the bounds
    and the neighbourhood models keep the rule set's band, so the gap counts
    whatever the narrower arc costs."""
    band = int(p.band[p.agent_site[a]])
    if p.scenario.weights.stability <= 0:
        return band
    return STEADY_BAND if band < 0 else min(band, STEADY_BAND)


def anchor_candidates(
    p: Problem,
    a: int,
    templates: np.ndarray,
    net: np.ndarray,
    keep: np.ndarray | None = None,
    most: int = 3,
    band: int | None = None,
) -> list[np.ndarray]:
    """Per week, a few arc starts worth trying for agent a: those of `keep`
    (its current arc starts, -1: none) and the `most` best by an optimistic
    score (Σ over the week's days of the best positive net value within the
    arc of `band` minutes, default the rule set's). All distinct starts when
    there is no band."""
    site = int(p.agent_site[a])
    band = int(p.band[site]) if band is None else band
    tpl = p.sites[site].tpl
    local = tpl.local_start[templates]
    week = p.week_of_day[tpl.day[templates]]
    out: list[np.ndarray] = []
    for w in range(p.n_weeks):
        sel = np.flatnonzero(week == w)
        starts = np.unique(local[sel])
        if len(starts) == 0:
            out.append(np.zeros(0, dtype=np.int64))
            continue
        if band < 0:
            out.append(starts)
            continue
        inside = (local[sel][None, :] - starts[:, None]) % DAY_MINUTES <= band
        vals = np.where(inside, np.maximum(net[sel], 0.0)[None, :], 0.0)
        days = tpl.day[templates[sel]]
        order = np.argsort(days, kind="stable")
        cut = np.flatnonzero(np.r_[True, np.diff(days[order]) > 0])
        score = np.maximum.reduceat(vals[:, order], cut, axis=1).sum(axis=1)
        best = starts[np.argsort(-score, kind="stable")[:most]]
        if keep is not None and keep[w] >= 0:
            best = np.union1d(best, [int(keep[w])])
        out.append(np.unique(best))
    return out
