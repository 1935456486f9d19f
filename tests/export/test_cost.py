"""Finance tables on the hand-computed roster of conftest.py."""

from __future__ import annotations

import pytest

from optimizer.export.cost import cost_report


def test_cost_by_premium_type_by_hand(hand):
    sc, roster = hand
    r = cost_report(sc, roster)
    g = r.by_site_week_premium.set_index("premium")
    assert set(r.by_site_week_premium["week_start"]) == {"2027-03-22"}
    assert g.loc["regular", "cost_site"] == pytest.approx(255.0)
    assert g.loc["night", "cost_site"] == pytest.approx(118.75)
    assert g.loc["weekend", "cost_site"] == pytest.approx(30.0)
    assert g.loc["holiday", "cost_site"] == pytest.approx(300.0)
    assert g["hours"].to_dict() == {"regular": 25, "night": 7, "weekend": 2, "holiday": 14}
    assert g["cost_reporting"].sum() == pytest.approx(774.125)
    assert r.total_reporting == pytest.approx(774.125)


def test_premium_uplifts_by_hand(hand):
    sc, roster = hand
    u = cost_report(sc, roster).uplifts_by_site.set_index("premium")
    assert u["cost_site"].to_dict() == pytest.approx(
        {"night": 17.5, "weekend": 10.0, "holiday": 140.0, "overtime": 56.25}
    )
    assert u.loc["overtime", "hours"] == 8
    # base 48 h x 10 EUR plus the uplifts is the total
    assert 480 + u["cost_site"].sum() == pytest.approx(703.75)


def test_cost_per_handled_contact_goes_to_the_queue_worked(hand):
    sc, roster = hand
    r = cost_report(sc, roster)
    m = r.by_market.set_index("market").loc["PT"]
    assert m["contacts"] == 100
    assert m["cost_reporting"] == pytest.approx(774.125)
    assert m["cost_per_contact"] == pytest.approx(7.74125)
    # Monday 14–18 on chat: 4 h x 10 EUR x 1.1
    from optimizer.calendars import calendars_of
    from optimizer.export.cost import cost_by_queue

    q = cost_by_queue(sc, calendars_of(sc), roster)
    assert q["PT-pt-chat"] == pytest.approx(44.0)
    assert q.sum() == pytest.approx(774.125)


def test_fx_sensitivity_is_ten_percent_of_each_currencys_cost(hand):
    sc, roster = hand
    f = cost_report(sc, roster).fx_sensitivity.set_index("move")
    assert list(f["currency"]) == ["EUR", "EUR"]
    assert f.loc[-0.10, "total"] == pytest.approx(774.125 * 0.9)
    assert f.loc[0.10, "delta"] == pytest.approx(77.4125)


def test_fx_override_reprices(hand):
    sc, roster = hand
    assert cost_report(sc, roster, fx={"EUR": 1.2}).total_reporting == pytest.approx(703.75 * 1.2)
