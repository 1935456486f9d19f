"""Paid length, start step and break (`optimizer.check.shape`)."""

from __future__ import annotations

import datetime as dt

from optimizer.check import check_roster
from optimizer.roster import Roster
from tests.check.helpers import rules_of, shift


def test_dst_night_counts_real_time(load, mini_data):
    # Lisbon 27→28 March 2027: 22:00 → 07:00 local is 8 h of real time, 7 paid with the break
    mini_data["horizon"]["start"] = "2027-03-22"
    sc = load(mini_data)
    start = dt.date(2027, 3, 22)
    short = shift("A1", 5, "22:00", "07:00", brk="02:00", start=start)
    fine = shift("A1", 5, "22:00", "08:00", brk="02:00", start=start)
    assert rules_of(check_roster(sc, Roster.from_segments(short))) == {"shift length"}
    assert check_roster(sc, Roster.from_segments(fine)).ok
