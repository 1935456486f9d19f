"""What-ifs: each lever changes exactly what it says, on the mini scenario."""

from __future__ import annotations

import datetime as dt

import pytest

from optimizer.whatif import WhatIf, apply, parse_relative


@pytest.fixture
def sc(load, mini_data):
    mini_data["currency"] = "USD"
    mini_data["fx"] = {"EUR": 1.1}
    mini_data["demand"] = [["PT-pt-voice", "2027-03-01T10:00:00Z", 20.0]]
    return load(mini_data)


def test_relative_changes_parse():
    assert parse_relative("+10%") == pytest.approx(0.10)
    assert parse_relative("-5%") == pytest.approx(-0.05)
    assert parse_relative("0.2") == pytest.approx(0.2)
    with pytest.raises(ValueError):
        parse_relative("ten")


def test_empty_whatif_is_the_same_scenario(sc):
    assert apply(sc, WhatIf()) is sc


def test_volume_and_aht_scale(sc):
    s = apply(sc, WhatIf.from_pairs(["volume=+10%", "aht=-50%"]))
    assert s.demand["contacts"].tolist() == [pytest.approx(22.0)]
    assert s.queues[0].aht_seconds == pytest.approx(180)
    assert sc.demand["contacts"].tolist() == [20.0]  # the original is untouched


def test_sla_shrinkage_and_hours_per_tier(sc):
    s = apply(
        sc, WhatIf.from_pairs({"sla.T1": 0.9, "shrinkage": 0.3, "hours.T1": "Mon-Fri 08:00-20:00"})
    )
    assert s.tiers["T1"].sla["voice"].level == 0.9
    assert s.tiers["T1"].sla["email"].level is None  # email has a deadline, not a level
    assert s.shrinkage == 0.3 and s.shrinkage_of(s.tiers["T1"]) == 0.3
    assert not s.tiers["T1"].hours.always


def test_fx_override_and_refusals(sc):
    assert apply(sc, WhatIf(fx={"EUR": 1.2})).fx_rate("EUR") == 1.2
    with pytest.raises(ValueError, match="GBP"):
        apply(sc, WhatIf(fx={"GBP": 1.2}))
    with pytest.raises(ValueError, match="tier"):
        apply(sc, WhatIf(sla={"T9": 0.8}))


def test_outage_puts_the_sites_agents_on_leave(sc):
    s = apply(sc, WhatIf.from_pairs(["outage.LIS=2027-03-02..2027-03-03"]))
    for a in s.agents:
        assert {dt.date(2027, 3, 2), dt.date(2027, 3, 3)} <= set(a.leave)
    with pytest.raises(ValueError, match="no such site"):
        apply(sc, WhatIf.from_pairs(["outage.XXX=2027-03-02"]))


def test_hiring_adds_agents_with_the_sites_rules(sc):
    s = apply(sc, WhatIf.from_pairs(["hire.LIS.pt=2"]))
    new = [a for a in s.agents if a.id.startswith("HIRE-")]
    assert [a.id for a in new] == ["HIRE-LIS-pt-1", "HIRE-LIS-pt-2"]
    assert all(a.languages == ("pt",) and a.channels == ("voice",) for a in new)
    assert all(a.max_hours_week == 40 and a.min_hours_week == 0 for a in new)


def test_pairs_round_trip():
    w = WhatIf.from_pairs(
        ["volume=+10%", "fx.EUR=1.1", "hire.LIS.pt+en=3", "outage.LIS=2027-03-01..2027-03-02"]
    )
    assert WhatIf.from_pairs(w.to_pairs()) == w
    with pytest.raises(ValueError, match="unknown lever"):
        WhatIf.from_pairs(["colour=red"])
