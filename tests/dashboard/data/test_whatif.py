"""The What-ifs form keeps only the levers that change the scenario."""

from __future__ import annotations

import datetime as dt

from dashboard.data import whatif


def test_whatif_from_form_keeps_only_changes(hand):
    sc = hand.scenario
    wi = whatif.whatif_from_form(
        sc, volume_pct=10, aht_pct=0, sla={"T1": 0.8}, shrinkage=0.0, fx={"PHP": 0.02},
        outages=[("LIS", dt.date(2027, 3, 2), dt.date(2027, 3, 3))], hires=[("MNL", ["pt"], 0)],
        hours={"T1": "24x7", "T3": "Mon-Fri 09:00-13:00"},
    )  # fmt: skip
    assert wi.to_pairs() == {
        "volume": "+10%",
        "fx.PHP": "0.02",
        "outage.LIS": "2027-03-02..2027-03-03",
        "hours.T3": "Mon-Fri 09:00-13:00",
    }
    assert whatif.whatif_from_form(sc).is_empty()
