"""The cost page's tables: the pay model's split per site and component, and FX
without re-pricing."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.data import cost
from optimizer.roster import Roster
from tests.dashboard.conftest import Q, utc, variant_of


def test_cost_components_split_base_and_premiums(hand):
    c = hand.cost.set_index(["site", "component"])
    assert c.loc[("LIS", "base"), "cost_site"] == pytest.approx(120)  # 12 h × 10
    assert c.loc[("LIS", "weekend"), "cost_site"] == pytest.approx(20)  # 4 h × 10 × 0.5
    assert c.loc[("LIS", "weekend"), "hours"] == pytest.approx(4)
    assert c.loc[("MNL", "base"), "cost_site"] == pytest.approx(1200)  # 4 h × 300
    assert c.loc[("MNL", "night"), "cost_site"] == pytest.approx(150)  # 2 h × 300 × 0.25
    assert c["cost_site"].groupby(level="component").sum()["overtime"] == pytest.approx(0)


def test_fx_recomputes_without_repricing(hand):
    fx = cost.scenario_fx(hand.scenario)
    assert fx == {"EUR": 1.0, "PHP": 0.016}
    by_site = cost.cost_by(hand.cost, fx, "site").set_index("site")
    assert by_site.loc["MNL", "cost_reporting"] == pytest.approx(21.6)
    assert by_site.loc["LIS", "hours"] == pytest.approx(12)
    moved = cost.cost_by(hand.cost, {**fx, "PHP": 0.02}, "site").set_index("site")
    assert moved.loc["MNL", "cost_reporting"] == pytest.approx(27.0)  # 1,350 PHP × 0.02
    assert moved["cost_reporting"].sum() == pytest.approx(167.0)
    comp = cost.cost_by(hand.cost, fx, "component").set_index("component")["cost_reporting"]
    assert comp["base"] == pytest.approx(120 + 1200 * 0.016)
    assert comp.sum() == pytest.approx(hand.output.kpis.total_cost)


def test_overtime_is_the_pay_models_uplift_stacked_on_the_weekend(two_sites_prep):
    """A1 works Mon–Sat 08–17 UTC with a 12–13 unpaid break: 48 paid h in one
    week, the last 8 (Saturday, weekend ×1.5) beyond the 40-h threshold at
    ×1.5 on top: base 48 × 10 = 480, weekend 8 × 10 × 0.5 = 40, overtime
    8 × 10 × 1.5 × 0.5 = 60; 580 in all (= 40 × 10 + 8 × 10 × 2.25)."""
    rows = []
    for d in range(1, 7):
        day = f"2027-03-0{d}"
        for a, b, act in (("08", "12", Q), ("12", "13", "BREAK"), ("13", "17", Q)):
            rows.append({
                "agent_id": "A1", "site": "LIS", "shift_date": dt.date(2027, 3, d),
                "start": utc(f"{day}T{a}:00+00:00"), "end": utc(f"{day}T{b}:00+00:00"), "activity": act,
            })  # fmt: skip
    v = variant_of(two_sites_prep, Roster.from_segments(rows))
    c = v.cost.set_index("component")
    assert c["cost_site"].to_dict() == pytest.approx(
        {"base": 480, "night": 0, "weekend": 40, "holiday": 0, "overtime": 60}
    )
    assert c["hours"].to_dict() == pytest.approx(
        {"base": 48, "night": 0, "weekend": 8, "holiday": 0, "overtime": 8}
    )
    assert c["cost_site"].sum() == pytest.approx(v.output.kpis.total_cost) == pytest.approx(580)
