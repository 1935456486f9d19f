"""KPIs of any roster: coverage per queue and interval, service level per
tier and market, under-cover agent-hours, cost per site, switches, the
cover per shift type where the scenario asks for it, and the roster-quality
KPIs of `optimizer.quality` (summary.json `quality`).

Everything is recomputed from the roster's segments and the scenario, so a
solved, a stored and a hand-edited roster are measured the same way. The
terminal tables of these figures are `optimizer/cli/kpi_view.py`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from optimizer.calendars import Calendars
from optimizer.pay import price_shifts
from optimizer.quality import Quality, quality_kpis, shift_table
from optimizer.roster import Roster
from optimizer.scenario.model import Scenario
from optimizer.staffing.kernels import achieved_service_level
from optimizer.staffing.requirements import Requirements


def scheduled_counts(requirements: Requirements, roster: Roster) -> np.ndarray:
    """[Q, T] agents on each queue per interval."""
    g = requirements.grid
    return roster.coverage(requirements.queue_ids, g.start, g.interval, g.n)


def service_levels(
    scenario: Scenario, requirements: Requirements, scheduled: np.ndarray
) -> np.ndarray:
    """[Q, T] achieved service level (NaN for email and closed intervals)."""
    tiers = [scenario.tier_of(q) for q in scenario.queues]
    slas = [t.sla[q.channel] for t, q in zip(tiers, scenario.queues, strict=True)]
    return achieved_service_level(
        scheduled,
        requirements.contacts,
        np.array([q.channel for q in scenario.queues]),
        np.array([q.aht_seconds for q in scenario.queues], dtype=float),
        np.array([s.seconds or 0.0 for s in slas], dtype=float),
        np.array([s.concurrency for s in slas], dtype=float),
        np.array([scenario.shrinkage_of(t) for t in tiers], dtype=float),
        requirements.grid.interval,
        requirements.open,
    )


def coverage_table(scenario: Scenario, requirements: Requirements, roster: Roster) -> pd.DataFrame:
    """coverage.csv: one row per queue and grid interval."""
    sched = scheduled_counts(requirements, roster)
    sl = service_levels(scenario, requirements, sched)
    frame = requirements.frame()
    frame["scheduled"] = sched.ravel()
    frame["service_level"] = np.round(sl.ravel(), 6)
    return frame


def _weighted_sl(sl: np.ndarray, contacts: np.ndarray, rows: np.ndarray) -> float | None:
    s, c = sl[rows], contacts[rows]
    m = ~np.isnan(s)
    w = c[m].sum()
    return None if w <= 0 else float((s[m] * c[m]).sum() / w)


@dataclass(frozen=True)
class Kpis:
    """A roster's KPIs (reporting currency unless a column says otherwise)."""

    by_tier: (
        pd.DataFrame
    )  # tier, target, service_level, under_cover_hours, required_hours, scheduled_hours
    by_market: pd.DataFrame  # market, tier, target, service_level, under_cover_hours
    by_site: pd.DataFrame  # site, currency, paid_hours, cost_site, cost_reporting
    priced: pd.DataFrame  # per shift, from the pay model
    total_cost: float
    paid_hours: float
    switches: int
    shifts: int
    extra: dict[str, Any] = field(default_factory=dict)
    quality: Quality | None = None  # roster-quality KPIs (optimizer.quality)
    shift_cover: pd.DataFrame | None = None  # `shift_cover_table`, where the scenario has one

    def summary_dict(self) -> dict[str, Any]:
        def num(x: Any) -> Any:
            return (
                None if x is None or (isinstance(x, float) and np.isnan(x)) else round(float(x), 6)
            )

        return {
            "cost_reporting_currency": round(self.total_cost, 2),
            "under_cover_agent_hours": {
                r.tier: round(float(r.under_cover_hours), 2) for r in self.by_tier.itertuples()
            },
            "service_level_by_tier": {
                r.tier: num(r.service_level) for r in self.by_tier.itertuples()
            },
            "service_level_target_by_tier": {
                r.tier: num(r.target) for r in self.by_tier.itertuples()
            },
            "service_level_by_market": {
                r.market: num(r.service_level) for r in self.by_market.itertuples()
            },
            "cost_by_site": {
                r.site: {
                    "currency": r.currency,
                    "site_currency": round(float(r.cost_site), 2),
                    "reporting": round(float(r.cost_reporting), 2),
                }
                for r in self.by_site.itertuples()
            },
            "paid_hours": round(self.paid_hours, 2),
            "shifts": self.shifts,
            "switches": self.switches,
            **({"quality": self.quality.to_dict()} if self.quality is not None else {}),
            **(
                {"shift_cover": _cover_summary(self.shift_cover)}
                if self.shift_cover is not None
                else {}
            ),
        }


def kpis(
    scenario: Scenario,
    requirements: Requirements,
    roster: Roster,
    calendars: Calendars,
    fx: dict[str, float] | None = None,
) -> Kpis:
    """Measure a roster (see module doc)."""
    sched = scheduled_counts(requirements, roster)
    sl = service_levels(scenario, requirements, sched)
    hours = requirements.grid.interval / 60.0
    short_h = np.clip(requirements.required - sched, 0, None) * hours
    tier_of_q = np.array([scenario.market_by_id[q.market].tier for q in scenario.queues])
    market_of_q = np.array([q.market for q in scenario.queues])
    live = np.array([q.channel != "email" for q in scenario.queues])

    def target(tier_id: str, rows: np.ndarray) -> float | None:
        tier = scenario.tiers[tier_id]
        levels = [tier.sla[scenario.queues[i].channel].level for i in np.flatnonzero(rows & live)]
        levels = [x for x in levels if x is not None]
        if not levels:
            return None
        w = requirements.contacts[rows & live].sum(axis=1)
        return float(np.average(levels, weights=w)) if w.sum() > 0 else float(np.mean(levels))

    tiers = []
    for tid in scenario.tiers:
        rows = tier_of_q == tid
        if not rows.any():
            continue
        tiers.append({
            "tier": tid, "target": target(tid, rows), "service_level": _weighted_sl(sl, requirements.contacts, rows),
            "under_cover_hours": float(short_h[rows].sum()), "required_hours": float(requirements.required[rows].sum() * hours),
            "scheduled_hours": float(sched[rows].sum() * hours),
        })  # fmt: skip
    markets = []
    for m in scenario.markets:
        rows = market_of_q == m.id
        if not rows.any():
            continue
        markets.append({
            "market": m.id, "tier": m.tier, "target": target(m.tier, rows),
            "service_level": _weighted_sl(sl, requirements.contacts, rows), "under_cover_hours": float(short_h[rows].sum()),
        })  # fmt: skip
    shifts = roster.shifts
    if len(shifts):
        priced = price_shifts(
            scenario,
            calendars,
            shifts[["agent_id", "site", "shift_date", "start", "end"]],
            roster.breaks,
            fx=fx,
        ).table
    else:
        priced = pd.DataFrame(
            columns=["site", "currency", "paid_minutes", "cost_site", "cost_reporting"]
        )
    by_site = []
    for s in scenario.sites:
        p = priced[priced["site"] == s.id]
        by_site.append({
            "site": s.id, "currency": s.currency, "paid_hours": float(p["paid_minutes"].sum()) / 60.0,
            "cost_site": float(p["cost_site"].sum()), "cost_reporting": float(p["cost_reporting"].sum()),
        })  # fmt: skip
    site_df = pd.DataFrame(by_site)
    return Kpis(
        by_tier=pd.DataFrame(
            tiers,
            columns=[
                "tier",
                "target",
                "service_level",
                "under_cover_hours",
                "required_hours",
                "scheduled_hours",
            ],
        ),
        by_market=pd.DataFrame(
            markets, columns=["market", "tier", "target", "service_level", "under_cover_hours"]
        ),
        by_site=site_df,
        priced=priced,
        total_cost=float(site_df["cost_reporting"].sum()) if len(site_df) else 0.0,
        paid_hours=float(site_df["paid_hours"].sum()) if len(site_df) else 0.0,
        switches=roster.switches(),
        shifts=len(shifts),
        quality=quality_kpis(scenario, roster),
        shift_cover=shift_cover_table(scenario, roster) if scenario.shift_cover else None,
    )


def shift_cover_table(scenario: Scenario, roster: Roster) -> pd.DataFrame:
    """Per row of the scenario's `shift_cover` on a horizon date: the agents
    the roster has on that shift type, at its site or (a row without one)
    at every site (a shift is of a type when it starts at the type's local
    start with the type's paid length), how many short
    and beyond, and what they cost: `site, date, shift_type, required,
    scheduled, short, over, cost`."""
    t = shift_table(scenario, roster)
    kind = {
        (site.id, ty.start, round(ty.hours * 60)): ty.id
        for site in scenario.sites
        for ty in scenario.rules_of(site).shift_types
    }
    t = t.assign(
        shift_type=[
            kind.get((x, int(m), int(p)))
            for x, m, p in zip(t["site"], t["start_minute"], t["paid_minutes"], strict=True)
        ]
    )
    n = t.dropna(subset=["shift_type"]).groupby(["site", "shift_date", "shift_type"]).size()
    h = scenario.horizon
    rows = []
    for r in scenario.shift_cover:
        if not h.start <= r.date < h.end:
            continue
        sites = [r.site] if r.site is not None else [s.id for s in scenario.sites]
        got = sum(int(n.get((x, r.date, r.shift_type), 0)) for x in sites)
        short, over = max(0, r.required - got), max(0, got - r.required)
        rows.append({
            "site": r.site, "date": r.date, "shift_type": r.shift_type, "required": r.required,
            "scheduled": got, "short": short, "over": over,
            "cost": short * r.under_penalty + over * r.over_penalty,
        })  # fmt: skip
    cols = ["site", "date", "shift_type", "required", "scheduled", "short", "over", "cost"]
    return pd.DataFrame(rows, columns=cols)


def _cover_summary(table: pd.DataFrame) -> dict[str, Any]:
    """summary.json's `shift_cover`: the cells, agents short and beyond, and their cost."""
    return {
        "cells": len(table),
        "agents_short": int(table["short"].sum()),
        "agents_over": int(table["over"].sum()),
        "cost": round(float(table["cost"].sum()), 2),
    }


__all__ = [
    "Kpis",
    "coverage_table",
    "kpis",
    "scheduled_counts",
    "service_levels",
    "shift_cover_table",
]
