"""The Overview page's tables: solve status, objective, bound and gap, the
roster's totals, and service level against target per tier and market."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from dashboard.data.variant import Variant


def headline(v: Variant) -> dict[str, Any]:
    """Solve status, objective, bound, gap and the roster's totals."""
    r, k = v.output.result, v.output.kpis
    return {
        "status": r.status,
        "objective": r.objective,
        "bound": r.bound,
        "gap": r.gap,
        "bound_method": r.bound_method,
        "solve_seconds": r.solve_seconds,
        "currency": v.scenario.currency,
        "cost": k.total_cost,
        "under_cover_hours": float(k.by_tier["under_cover_hours"].sum()) if len(k.by_tier) else 0.0,
        "paid_hours": k.paid_hours,
        "shifts": k.shifts,
        "agents_rostered": int(v.output.roster.segments["agent_id"].nunique()),
        "agents": len(v.scenario.agents),
    }


def tier_table(v: Variant) -> pd.DataFrame:
    """Per tier: SL target and achieved, their difference, under-cover, required and scheduled hours."""
    t = v.output.kpis.by_tier.copy()
    t["sl_delta"] = t["service_level"] - t["target"]
    t["met"] = np.where(t["sl_delta"].isna(), "—", np.where(t["sl_delta"] >= -1e-9, "yes", "no"))
    return t[
        [
            "tier",
            "target",
            "service_level",
            "sl_delta",
            "met",
            "under_cover_hours",
            "required_hours",
            "scheduled_hours",
        ]
    ]


def market_table(v: Variant) -> pd.DataFrame:
    """Per market: tier, SL target and achieved, under-cover hours, cost share is by site."""
    m = v.output.kpis.by_market.copy()
    m["sl_delta"] = m["service_level"] - m["target"]
    return m[["market", "tier", "target", "service_level", "sl_delta", "under_cover_hours"]]
