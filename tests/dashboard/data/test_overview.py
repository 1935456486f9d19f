"""Overview tables of the hand-made roster (conftest.two_sites: every figure
worked out by hand there)."""

from __future__ import annotations

import pytest

from dashboard.data import overview
from tests.dashboard.conftest import SL1


def test_headline_totals(hand):
    h = overview.headline(hand)
    assert h["cost"] == pytest.approx(80 + 60 + 21.6)
    assert h["paid_hours"] == pytest.approx(16)
    assert h["shifts"] == 3
    # required 1 at 12:00 (A1 on break) and 17:00 (A1 gone): 2 agent-hours short
    assert h["under_cover_hours"] == pytest.approx(2.0)
    assert (h["status"], h["gap"], h["currency"]) == ("FEASIBLE", 0.1, "EUR")


def test_tier_table_service_level_vs_target(hand):
    t = overview.tier_table(hand).set_index("tier")
    assert t.loc["T1", "target"] == pytest.approx(0.8)
    # 4 contacts answered at SL1, 2 with nobody there: (4·SL1 + 0 + 0) / 6
    assert t.loc["T1", "service_level"] == pytest.approx(4 * SL1 / 6)
    assert t.loc["T1", "met"] == "no"
    assert t.loc["T1", "under_cover_hours"] == pytest.approx(2.0)
