"""The price-of-workability table: prices against the v1 variant, read from the records."""

from __future__ import annotations

import pytest

from optimizer.bench.workability import Priced, markdown


def _priced(variant: str, objective: float, cost: float, under: float) -> Priced:
    return Priced(variant, "FEASIBLE", objective, objective * 0.9, 0.1, cost, under, 1.0, 0, {})


def test_prices_are_against_the_v1_variant_for_objective_cost_and_under_cover():
    base = _priced("v1 rules", 1000.0, 800.0, 10.0)
    band = _priced("v1 + start_band", 1100.0, 820.0, 15.0)
    row = band.row(base)
    assert row["price"] == pytest.approx(0.10)
    assert row["cost_price"] == pytest.approx(0.025)
    assert row["under_cover_change"] == pytest.approx(0.5)


def test_the_table_has_a_line_a_variant_with_its_prices():
    table = markdown(
        [_priced("v1 rules", 1000.0, 800.0, 10.0), _priced("all", 1100.0, 820.0, 15.0)]
    )
    lines = table.splitlines()
    assert len(lines) == 4 and "| cost | cost vs v1 |" in lines[0]
    assert lines[3].startswith("| all | 1,100 | 10.0% | 820 | 2.5% | 15.0 |")
