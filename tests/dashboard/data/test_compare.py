"""Variants side by side: KPI, cost and coverage deltas against the first."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.data import compare
from tests.dashboard.conftest import hand_roster, variant_of


def test_compare_kpis_and_cost_deltas(hand, two_sites_prep):
    without_a2 = variant_of(two_sites_prep, hand_roster(with_a2=False), "no A2")
    k = compare.compare_kpis([hand, without_a2])
    assert k.loc["cost (EUR)", "Δ no A2"] == pytest.approx(-60)
    assert k.loc["shifts", "Δ no A2"] == -1
    c = compare.compare_cost([hand, without_a2], by="site")
    assert c.loc["LIS", "Δ no A2"] == pytest.approx(-60)
    assert c.loc["total", "no A2"] == pytest.approx(101.6)
    d = compare.coverage_difference(hand, without_a2, by="market", value="scheduled")
    sat8 = list(d.x).index(pd.Timestamp("2027-03-06 08:00"))
    assert d.z[0, sat8 : sat8 + 4].tolist() == [-1, -1, -1, -1]
    assert np.count_nonzero(d.z) == 4
