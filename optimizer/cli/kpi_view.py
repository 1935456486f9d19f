"""A roster's KPIs as rich tables (printed by `solve` and `check`).

The numbers come from `optimizer.kpi`; this module only lays them out, so
the domain layer stays free of presentation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.table import Table

from optimizer.kpi import Kpis


def _pct(x: Any) -> str:
    return "—" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.1%}"


def kpi_tables(k: Kpis) -> list[Table]:
    """Service by tier (then each of its markets), and cost by site with the total."""
    t = Table(title="Service by tier and market", title_justify="left", header_style="bold")
    for c in ("tier", "market", "SL achieved", "SL target", "under-cover agent-h"):
        t.add_column(c, justify="left" if c in ("tier", "market") else "right")
    for r in k.by_tier.itertuples():
        t.add_row(
            str(r.tier),
            "(all)",
            _pct(r.service_level),
            _pct(r.target),
            f"{r.under_cover_hours:,.1f}",
        )
        for m in k.by_market[k.by_market["tier"] == r.tier].itertuples():
            t.add_row(
                "",
                str(m.market),
                _pct(m.service_level),
                _pct(m.target),
                f"{m.under_cover_hours:,.1f}",
            )
    c = Table(title="Cost by site", title_justify="left", header_style="bold")
    for col in ("site", "currency", "paid h", "cost (site)", "cost (reporting)"):
        c.add_column(col, justify="left" if col in ("site", "currency") else "right")
    for r in k.by_site.itertuples():
        c.add_row(
            str(r.site), str(r.currency), f"{r.paid_hours:,.1f}",
            f"{r.cost_site:,.0f}", f"{r.cost_reporting:,.0f}",
        )  # fmt: skip
    c.add_row("total", "", f"{k.paid_hours:,.1f}", "", f"{k.total_cost:,.0f}")
    return [t, c]
