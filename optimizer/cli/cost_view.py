"""`sunroster export cost`'s terminal view: a `CostReport` as rich tables."""

from __future__ import annotations

import numpy as np
from rich.table import Table

from optimizer.export.cost import CostReport


def cost_tables(report: CostReport) -> list[Table]:
    """The report's tables for the terminal: cost by site and premium type,
    what premiums add, cost per handled contact, FX sensitivity."""
    cur = report.currency
    out = []
    t = Table(title="Cost by site and premium type", title_justify="left", header_style="bold")
    for c in ("site", "currency", "premium", "hours", "cost (site)", f"cost ({cur})"):
        t.add_column(c, justify="left" if c in ("site", "currency", "premium") else "right")
    g = report.by_site_week_premium.groupby(["site", "currency", "premium"], sort=False)[
        ["hours", "cost_site", "cost_reporting"]
    ].sum()
    for (site, currency, premium), r in g.iterrows():
        t.add_row(
            str(site), str(currency), str(premium), f"{r.hours:,.1f}",
            f"{r.cost_site:,.0f}", f"{r.cost_reporting:,.0f}",
        )  # fmt: skip
    t.add_row("total", "", "", "", "", f"{report.total_reporting:,.0f}", style="bold")
    out.append(t)
    u = Table(title="What premiums add", title_justify="left", header_style="bold")
    for c in ("premium", "hours", f"uplift ({cur})", "share of total"):
        u.add_column(c, justify="left" if c == "premium" else "right")
    for r in report.uplifts.itertuples():
        share = r.cost_reporting / report.total_reporting if report.total_reporting else 0.0
        u.add_row(str(r.premium), f"{r.hours:,.1f}", f"{r.cost_reporting:,.0f}", f"{share:.1%}")
    out.append(u)
    m = Table(title="Cost per handled contact", title_justify="left", header_style="bold")
    for c in ("tier", "market", "contacts", f"cost ({cur})", f"{cur}/contact"):
        m.add_column(c, justify="left" if c in ("tier", "market") else "right")
    for r in report.by_tier.itertuples():
        m.add_row(
            str(r.tier), "(all)", f"{r.contacts:,.0f}", f"{r.cost_reporting:,.0f}",
            _money(r.cost_per_contact),
        )  # fmt: skip
        for x in report.by_market[report.by_market["tier"] == r.tier].itertuples():
            m.add_row(
                "", str(x.market), f"{x.contacts:,.0f}", f"{x.cost_reporting:,.0f}",
                _money(x.cost_per_contact),
            )  # fmt: skip
    out.append(m)
    f = Table(title="FX sensitivity (±10 %)", title_justify="left", header_style="bold")
    for c in ("currency", "rate", f"cost ({cur})", "move", f"total ({cur})", "delta"):
        f.add_column(c, justify="left" if c == "currency" else "right")
    for r in report.fx_sensitivity.itertuples():
        f.add_row(
            str(r.currency), f"{r.rate:g}", f"{r.cost_reporting:,.0f}", f"{r.move:+.0%}",
            f"{r.total:,.0f}", f"{r.delta:+,.0f}",
        )  # fmt: skip
    out.append(f)
    return out


def _money(x: float) -> str:
    return "—" if x is None or not np.isfinite(x) else f"{x:,.2f}"
