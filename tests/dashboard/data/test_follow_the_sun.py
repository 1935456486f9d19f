"""Follow-the-sun bars, site clocks across a DST change, and the east-to-west order."""

from __future__ import annotations

import datetime as dt

from dashboard.data import follow_the_sun


def test_follow_the_sun_bars(hand):
    b = follow_the_sun.follow_the_sun(hand, dt.date(2027, 3, 1))
    req = b[b["site"] == "required"]
    assert list(zip(req["start"].dt.hour, req["end"].dt.hour, strict=True)) == [(8, 13), (17, 18)]
    lis = b[b["site"] == "LIS"]
    assert list(zip(lis["start"].dt.hour, lis["end"].dt.hour, strict=True)) == [(8, 12), (13, 17)]
    assert "MNL" not in set(b["site"])
    tue = follow_the_sun.follow_the_sun(hand, dt.date(2027, 3, 2))
    mnl = tue[tue["site"] == "MNL"]
    assert list(zip(mnl["start"].dt.hour, mnl["end"].dt.hour, strict=True)) == [(12, 16)]


def test_site_clocks_follow_daylight_saving(hand):
    c = follow_the_sun.site_clocks(
        hand.scenario, dt.date(2027, 3, 28)
    )  # EU clocks go forward at 01:00 UTC
    lis = c[c["site"] == "LIS"].set_index(c[c["site"] == "LIS"]["utc"].dt.hour)
    assert lis.loc[0, "local"] == "00:00" and lis.loc[1, "local"] == "02:00"
    mnl = c[c["site"] == "MNL"].set_index(c[c["site"] == "MNL"]["utc"].dt.hour)
    assert mnl.loc[0, "local"] == "08:00" and bool(mnl.loc[0, "daylight"])
    assert not bool(mnl.loc[14, "daylight"])  # 22:00 in Manila


def test_handover_order_east_to_west(hand):
    assert follow_the_sun.handover_order(hand.scenario, dt.date(2027, 3, 1)) == ["MNL", "LIS"]
