"""Roster-quality KPIs and the Start times grid of hand-made rosters."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from dashboard.data import quality
from optimizer.roster import Roster
from tests.dashboard.conftest import Q, utc, variant_of


def test_quality_headline_of_the_hand_roster(hand):
    """No consecutive working days; Sat (A2) and Tue (A3) are isolated, Mon
    (A1) touches the horizon's start (unknown day before): 2 of 3. A3's
    20–24 Manila is 2 h in the 22–06 night window: not a night shift; daytime
    8 + 4 + 2 of 16 paid hours (the break is not paid)."""
    q = quality.quality_headline(hand)
    assert q["shifts"] == 3 and q["day_pairs"] == 0
    assert q["start_change_2h_share"] is None
    assert q["isolated_day_share"] == pytest.approx(2 / 3)
    assert q["queue_changes_per_shift_mean"] == 0.0 and q["stretches"] == 3
    assert q["daytime_hours_share"] == pytest.approx(14 / 16)
    assert q["night_shift_share"] == 0.0
    site = quality.quality_by_site(hand).set_index("site")
    assert site.loc["MNL", "daytime_hours_share"] == pytest.approx(0.5)
    assert site.loc["LIS", "paid_hours"] == pytest.approx(12.0)
    rows = quality.quality_rows(hand)
    assert rows["quality: isolated working days"] == pytest.approx(2 / 3)


def test_start_grid_agents_by_dates_blank_on_days_off(hand):
    g = quality.start_grid(hand, "LIS")
    assert g.agents == ["A1", "A2"] and len(g.dates) == 7
    assert g.hour[0, 0] == 8.0 and g.hour[1, 5] == 8.0
    assert int(np.isnan(g.hour).sum()) == 12
    assert g.text[0, 0] == "08:00" and g.text[0, 1] == ""
    m = quality.start_grid(hand, "MNL")
    assert m.agents == ["A3"] and m.hour[0, 1] == 20.0 and m.text[0, 1] == "20:00"
    assert quality.start_grid(hand, "LIS", team="weekend").agents == ["A2"]


def test_start_grid_orders_by_typical_start_and_marks_nights(two_sites_prep):
    """A1 starts 22:00 Mon and Tue (nights: 8 h inside 22–06), A2 at 06:00:
    ordered by median start, A2 comes first; A3 (no shift at LIS) is not a
    Lisbon agent. Night cells carry the moon."""
    r = Roster.from_segments([
        {"agent_id": "A1", "site": "LIS", "shift_date": dt.date(2027, 3, d),
         "start": utc(f"2027-03-0{d}T22:00+00:00"), "end": utc(f"2027-03-0{d}T22:00+00:00") + 480,
         "activity": Q}
        for d in (1, 2)
    ] + [{"agent_id": "A2", "site": "LIS", "shift_date": dt.date(2027, 3, 3),
          "start": utc("2027-03-03T06:00+00:00"), "end": utc("2027-03-03T14:00+00:00"), "activity": Q}])  # fmt: skip
    v = variant_of(two_sites_prep, r)
    g = quality.start_grid(v, "LIS", order="start")
    assert g.agents == ["A2", "A1"]
    assert g.text[1, 0] == "22:00 ☾" and g.text[0, 2] == "06:00"
    assert v.quality.longest_night_run == 2
