"""The KPI tables are the CLI's: they lay out a `Kpis` as given, and the
domain layer (the whole solve pipeline and the checker) loads without rich."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
from rich.console import Console

from optimizer.cli.kpi_view import kpi_tables
from optimizer.kpi import Kpis


def hand_kpis() -> Kpis:
    """Tier T1 (markets PT and ES, no SL for ES: email only), two sites."""
    return Kpis(
        by_tier=pd.DataFrame([{"tier": "T1", "target": 0.8, "service_level": 0.719, "under_cover_hours": 1.0,
                               "required_hours": 9.0, "scheduled_hours": 8.0}]),
        by_market=pd.DataFrame([
            {"market": "PT", "tier": "T1", "target": 0.8, "service_level": 0.719, "under_cover_hours": 1.0},
            {"market": "ES", "tier": "T1", "target": None, "service_level": float("nan"), "under_cover_hours": 0.0},
        ]),
        by_site=pd.DataFrame([
            {"site": "LIS", "currency": "EUR", "paid_hours": 12.0, "cost_site": 140.0, "cost_reporting": 140.0},
            {"site": "MNL", "currency": "PHP", "paid_hours": 4.0, "cost_site": 1350.0, "cost_reporting": 21.6},
        ]),
        priced=pd.DataFrame(), total_cost=161.6, paid_hours=16.0, switches=0, shifts=3,
    )  # fmt: skip


def rows(k: Kpis) -> list[list[str]]:
    """Each table row's cells, as printed."""
    console = Console(width=200, record=True)
    for table in kpi_tables(k):
        console.print(table)
    text = console.export_text()
    return [[c.strip() for c in line.split("│")[1:-1]] for line in text.splitlines() if "│" in line]


def test_service_by_tier_then_its_markets_and_cost_by_site_with_the_total():
    assert rows(hand_kpis()) == [
        ["T1", "(all)", "71.9%", "80.0%", "1.0"],
        ["", "PT", "71.9%", "80.0%", "1.0"],
        ["", "ES", "—", "—", "0.0"],
        ["LIS", "EUR", "12.0", "140", "140"],
        ["MNL", "PHP", "4.0", "1,350", "22"],
        ["total", "", "16.0", "", "162"],
    ]


def test_the_domain_layer_loads_without_rich():
    code = (
        "import sys, optimizer.pipeline, optimizer.check; "
        "print(any(m.split('.')[0] == 'rich' for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert out.stdout.strip() == "False"
