"""Variants side by side: KPIs and cost per site or premium type with deltas
against the first, and the difference of two coverage matrices."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dashboard.data.cost import cost_by, scenario_fx
from dashboard.data.coverage import Matrix, coverage_matrix
from dashboard.data.overview import headline
from dashboard.data.quality import quality_rows
from dashboard.data.variant import Variant


def compare_kpis(variants: Sequence[Variant]) -> pd.DataFrame:
    """Rows = KPIs, one column per variant, then `Δ <name>` columns against the first."""
    rows: dict[str, dict[str, float | None]] = {}
    for v in variants:
        h = headline(v)
        k = v.output.kpis
        col = {
            f"cost ({v.scenario.currency})": h["cost"],
            "paid hours": h["paid_hours"],
            "shifts": float(h["shifts"]),
            "under-cover agent-hours": h["under_cover_hours"],
            "objective": h["objective"],
            "gap": h["gap"],
        }
        for r in k.by_tier.itertuples():
            col[f"SL {r.tier}"] = None if pd.isna(r.service_level) else float(r.service_level)
            col[f"under-cover h {r.tier}"] = float(r.under_cover_hours)
        col.update(quality_rows(v))
        rows[v.name] = col
    df = pd.DataFrame(rows).astype(float)  # None (no bound, no SL) → NaN
    base = df.columns[0] if len(df.columns) else None
    for name in list(df.columns)[1:]:
        df[f"Δ {name}"] = pd.to_numeric(df[name], errors="coerce") - pd.to_numeric(
            df[base], errors="coerce"
        )
    df.index.name = "kpi"
    return df


def compare_cost(variants: Sequence[Variant], by: str = "site") -> pd.DataFrame:
    """Reporting-currency cost per site (or component) per variant (each at its
    own scenario's fx), with deltas against the first."""
    cols = {}
    for v in variants:
        t = cost_by(v.cost, scenario_fx(v.scenario), by).set_index(by)["cost_reporting"]
        cols[v.name] = t
    df = pd.DataFrame(cols).fillna(0.0)
    names = list(cols)
    for name in names[1:]:
        df[f"Δ {name}"] = df[name] - df[names[0]]
    df.loc["total"] = df.sum(numeric_only=True)
    return df


def coverage_difference(
    a: Variant, b: Variant, by: str = "market", value: str = "scheduled"
) -> Matrix:
    """b − a of a coverage matrix (same grid): positive = b has more."""
    ma = coverage_matrix(a, by=by, value=value)
    mb = coverage_matrix(b, by=by, value=value)
    if ma.rows != mb.rows or len(ma.x) != len(mb.x):
        raise ValueError("the variants have different queues or grids; compare like with like")
    return Matrix(ma.rows, ma.x, mb.z - ma.z, "UTC")
