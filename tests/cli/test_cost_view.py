"""`cost_view.cost_tables`: a cost report as the terminal shows it."""

from __future__ import annotations

import pandas as pd
from rich.console import Console

from optimizer.cli.cost_view import cost_tables
from optimizer.export.cost import CostReport


def _report() -> CostReport:
    """Two sites' base pay and a night premium, one market, one currency move."""
    by_site = pd.DataFrame(
        {
            "site": ["LIS", "LIS", "MNL"],
            "currency": ["EUR", "EUR", "PHP"],
            "week_start": ["2027-03-01"] * 3,
            "premium": ["base", "night", "base"],
            "hours": [10.0, 2.0, 8.0],
            "cost_site": [100.0, 25.0, 400.0],
            "cost_reporting": [110.0, 27.6, 7.0],
        }
    )
    return CostReport(
        currency="USD",
        by_site_week_premium=by_site,
        uplifts=pd.DataFrame({"premium": ["night"], "hours": [2.0], "cost_reporting": [5.5]}),
        uplifts_by_site=pd.DataFrame(),
        by_market=pd.DataFrame(
            {
                "market": ["PT"],
                "tier": ["gold"],
                "contacts": [50.0],
                "cost_reporting": [144.6],
                "cost_per_contact": [2.89],
            }
        ),
        by_tier=pd.DataFrame(
            {
                "tier": ["gold"],
                "contacts": [50.0],
                "cost_reporting": [144.6],
                "cost_per_contact": [2.89],
            }
        ),
        fx_sensitivity=pd.DataFrame(
            {
                "currency": ["EUR"],
                "rate": [1.1],
                "share": [0.95],
                "cost_reporting": [137.5],
                "move": [0.1],
                "total": [158.25],
                "delta": [13.75],
            }
        ),
        total_reporting=144.6,
    )


def test_the_four_tables_and_their_totals():
    tables = cost_tables(_report())
    assert [t.title for t in tables] == [
        "Cost by site and premium type",
        "What premiums add",
        "Cost per handled contact",
        "FX sensitivity (±10 %)",
    ]
    console = Console(width=200, record=True)
    for t in tables:
        console.print(t)
    text = console.export_text()
    assert "total" in text and "145" in text  # 144.6 in whole dollars
    assert "3.8%" in text  # the night uplift's share: 5.5 / 144.6
    assert "2.89" in text and "+13.75" not in text and "+14" in text
