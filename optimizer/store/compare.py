"""Side-by-side KPIs and costs of stored runs, with deltas against the first.

Used by `sunroster runs compare` (and open to the dashboard's Compare page):
one row per metric, one column per run, then one delta column per later run.
The roster-quality KPIs (summary.json `quality`, see optimizer/quality.py)
follow the cost and service rows as `quality: …` metrics; a run stored
before they existed shows them empty.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from optimizer.quality import HEADLINE

QUALITY_PREFIX = "quality: "
_SHARES = {QUALITY_PREFIX + label for _, label, share in HEADLINE if share}


def metrics_of(summary: dict[str, Any]) -> dict[str, float | None]:
    """The comparable numbers of a summary.json, in display order."""
    out: dict[str, float | None] = {
        "objective": summary.get("objective"),
        "bound": summary.get("bound"),
        "gap": summary.get("gap"),
        "cost (reporting currency)": summary.get("cost_reporting_currency"),
    }
    under = summary.get("under_cover_agent_hours") or {}
    out["under-cover agent-h (all tiers)"] = sum(under.values()) if under else None
    for tier, sl in (summary.get("service_level_by_tier") or {}).items():
        out[f"service level {tier}"] = sl
    for tier, h in under.items():
        out[f"under-cover agent-h {tier}"] = h
    for site, c in (summary.get("cost_by_site") or {}).items():
        out[f"cost {site} (reporting)"] = c.get("reporting") if isinstance(c, dict) else c
    for k in ("paid_hours", "shifts", "switches", "solve_seconds"):
        out[k.replace("_", " ")] = summary.get(k)
    quality = summary.get("quality") or {}
    for key, label, _ in HEADLINE:
        out[QUALITY_PREFIX + label] = quality.get(key)
    return out


def is_share(metric: str) -> bool:
    """Is this metric a share (shown in % and its delta in percentage points)?"""
    return metric.startswith(("service level", "gap")) or metric in _SHARES


def compare_frame(runs: list[tuple[int, dict[str, Any]]]) -> pd.DataFrame:
    """Metrics × runs (`#ID` columns) plus `Δ #ID` columns against the first run."""
    cols = {f"#{rid}": metrics_of(s) for rid, s in runs}
    frame = pd.DataFrame(cols, dtype=float)
    frame.index.name = "metric"
    if len(runs) > 1:
        base = frame.iloc[:, 0]
        for rid, _ in runs[1:]:
            frame[f"Δ #{rid}"] = frame[f"#{rid}"] - base
    return frame
