"""Monte-Carlo: how a FIXED roster's service level spreads when demand is not
the forecast.

Each of N paths multiplies every (queue, interval) volume of the forecast
(holiday factor included) by an independent gamma factor with mean 1 and the
given coefficient of variation (shape 1/cv², scale cv²; cv = 0 is the
forecast itself), optionally drawing Poisson arrivals on top. The roster's
agents per queue and interval stay as scheduled; the Erlang C service level
of every cell is recomputed for every path in one vectorised call (paths in
chunks to bound memory), then contact-weighted per tier and path. Reported
per tier: the forecast's service level, mean, p5, p50, p95 and the share of
paths meeting the tier's target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.kpi import kpis, scheduled_counts
from optimizer.pipeline import prepare
from optimizer.roster import Roster
from optimizer.scenario.model import Scenario
from optimizer.staffing.kernels import achieved_service_level

CHUNK_CELLS = 4_000_000  # cells (paths × queues × intervals) per vectorised call


@dataclass(frozen=True)
class MonteCarlo:
    tiers: tuple[str, ...]
    targets: dict[str, float | None]
    deterministic: dict[str, float | None]
    samples: np.ndarray  # [paths, tiers] service level (NaN: no contacts on that path)

    def table(self) -> pd.DataFrame:
        rows = []
        for j, tier in enumerate(self.tiers):
            s = self.samples[:, j]
            s = s[~np.isnan(s)]
            target = self.targets.get(tier)
            q = np.percentile(s, [5, 50, 95]) if s.size else [np.nan] * 3
            rows.append({
                "tier": tier, "target": target, "deterministic": self.deterministic.get(tier),
                "mean": float(s.mean()) if s.size else None,
                "p5": float(q[0]), "p50": float(q[1]), "p95": float(q[2]),
                "p_meet": float((s >= target - 1e-9).mean()) if (s.size and target is not None) else None,
                "paths": int(s.size),
            })  # fmt: skip
        return pd.DataFrame(rows)


def demand_paths(
    contacts: np.ndarray, n: int, cv: float, rng: np.random.Generator, poisson: bool = False
) -> np.ndarray:
    """[n, Q, T] volumes around `contacts` (see module doc)."""
    shape = (n, *contacts.shape)
    if cv > 0:
        k = 1.0 / (cv * cv)
        paths = contacts[None] * rng.gamma(k, 1.0 / k, size=shape)
    else:
        paths = np.broadcast_to(contacts, shape).astype(float)
    return rng.poisson(paths).astype(float) if poisson else paths


def simulate(
    scenario: Scenario,
    roster: Roster,
    paths: int = 1000,
    cv: float = 0.1,
    seed: int = 0,
    poisson: bool = False,
) -> MonteCarlo:
    """The service-level distribution per tier of `roster` (see module doc)."""
    prep = prepare(scenario)
    req = prep.requirements
    sched = scheduled_counts(req, roster)
    k = kpis(scenario, req, roster, prep.calendars)
    tiers = tuple(k.by_tier["tier"])
    targets = {
        r.tier: (None if pd.isna(r.target) else float(r.target)) for r in k.by_tier.itertuples()
    }
    determ = {
        r.tier: (None if pd.isna(r.service_level) else float(r.service_level))
        for r in k.by_tier.itertuples()
    }

    queues = scenario.queues
    tier_slas = [scenario.tier_of(q).sla[q.channel] for q in queues]
    tier_objs = [scenario.tier_of(q) for q in queues]
    channel = np.array([q.channel for q in queues])
    aht = np.array([q.aht_seconds for q in queues], dtype=float)
    sla_s = np.array([s.seconds or 0.0 for s in tier_slas], dtype=float)
    conc = np.array([s.concurrency for s in tier_slas], dtype=float)
    shrink = np.array([scenario.shrinkage_of(t) for t in tier_objs], dtype=float)
    tier_of_q = np.array([scenario.market_by_id[q.market].tier for q in queues])
    member = np.array([tier_of_q == t for t in tiers], dtype=float)  # [tiers, Q]

    Q, T = req.contacts.shape
    rng = np.random.default_rng(seed)
    out = np.full((paths, len(tiers)), np.nan)
    step = max(1, CHUNK_CELLS // max(1, Q * T))
    for a in range(0, paths, step):
        n = min(step, paths - a)
        vol = demand_paths(req.contacts, n, cv, rng, poisson)  # [n, Q, T]
        flat = vol.transpose(1, 0, 2).reshape(Q, n * T)
        sl = achieved_service_level(
            np.tile(sched, (1, n)), flat, channel, aht, sla_s, conc, shrink,
            req.grid.interval, np.tile(req.open, (1, n)),
        ).reshape(Q, n, T).transpose(1, 0, 2)  # fmt: skip
        ok = ~np.isnan(sl)
        w = np.where(ok, vol, 0.0)
        num = np.einsum("jq,nqt->nj", member, np.where(ok, sl, 0.0) * w)
        den = np.einsum("jq,nqt->nj", member, w)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[a : a + n] = np.where(den > 0, num / den, np.nan)
    return MonteCarlo(tiers, targets, determ, out)
