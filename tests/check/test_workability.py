"""The v1.1 start band, days off together and consecutive nights
(`optimizer.check.workability`)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from optimizer.check import start_arc_minutes
from tests.check.helpers import MON, NIGHTS, check, days, found, horizon, load_v11, shift


def test_start_band_binds(load, mini_data):
    sc = load_v11(load, mini_data, start_band_hours=2)
    report = check(sc, days("A1", [0]) + shift("A1", 2, "14:00", "23:00", brk="18:00"))
    assert found(report) == [("start band", "A1", MON)]
    assert "09:00, 14:00 span 5 h" in report.violations[0].detail
    assert "band 2 h" in report.violations[0].detail
    # 09:00 and 11:00: exactly on the 2-h band, allowed
    assert check(sc, days("A1", [0]) + shift("A1", 2, "11:00", "20:00", brk="15:00")).ok


def test_start_band_is_per_week_and_zero_for_one_shift(load, mini_data):
    sc = load_v11(load, horizon(mini_data, days=14), start_band_hours=0)
    one_a_week = days("A1", [0]) + shift("A1", 7, "18:00", "03:00", brk="22:00")
    assert check(sc, one_a_week).ok
    assert found(check(sc, one_a_week + shift("A1", 9, "19:00", "04:00", brk="23:00"))) == [
        ("start band", "A1", "week of 2027-03-08")
    ]


def test_start_band_is_measured_round_the_clock(load, mini_data):
    """23:30 and 00:30 are 1 h apart (a night team keeps its band across
    midnight); 23:30 and 02:30 are 3 h apart."""
    data = horizon(mini_data, interval=30)
    data["rules"]["PT"]["start_step_minutes"] = 30
    sc = load_v11(load, data, start_band_hours=2)
    monday = shift("A1", 0, "23:30", "08:30", brk="03:30")
    assert check(sc, monday + shift("A1", 2, "00:30", "09:30", brk="04:30")).ok
    report = check(sc, monday + shift("A1", 2, "02:30", "11:30", brk="06:30"))
    assert found(report) == [("start band", "A1", MON)]
    assert "span 3 h" in report.violations[0].detail


@given(st.sets(st.integers(0, 1439), min_size=1, max_size=8))
def test_start_arc_is_the_shortest_arc_holding_every_start(starts):
    brute = min(max((m - p) % 1440 for m in starts) for p in starts)
    assert start_arc_minutes(starts) == brute


def test_days_off_together_binds(load, mini_data):
    sc = load_v11(load, mini_data, days_off_together=2)
    report = check(sc, days("A1", [0, 2, 4, 6]))  # off Tue, Thu, Sat: never two together
    assert found(report) == [("days off together", "A1", MON)]
    assert report.violations[0].detail.startswith("longest run of days off is 1 (needs 2)")
    assert check(sc, days("A1", [0, 2, 3, 4])).ok  # Sat and Sun off


def test_days_off_together_counts_leave_as_a_day_off(load, mini_data):
    mini_data["agents"][0]["leave"] = "2027-03-02..2027-03-03"
    sc = load_v11(load, mini_data, days_off_together=2)
    assert check(sc, days("A1", [0, 3, 4, 5])).ok  # Tue and Wed on leave


def test_a_sunday_monday_pair_counts_for_neither_week(load, mini_data):
    sc = load_v11(load, horizon(mini_data, days=14), days_off_together=2)
    # off Sun 7 and Mon 8 together, otherwise single days off in both weeks
    report = check(sc, days("A1", [0, 2, 4, 5, 8, 10, 12, 13]))
    assert found(report) == [
        ("days off together", "A1", MON),
        ("days off together", "A1", "week of 2027-03-08"),
    ]


def test_a_week_partly_outside_the_horizon_is_exempt_from_days_off_together(load, mini_data):
    # horizon Wed 3 – Tue 16 March: only the week of 8 March lies wholly inside
    sc = load_v11(load, horizon(mini_data, days=14, start="2027-03-03"), days_off_together=2)
    start = dt.date(2027, 3, 3)
    work = [0, 2, 4, 5, 6, 8, 9, 11, 12, 13]  # single days off in every week
    report = check(sc, days("A1", work, start=start))
    assert found(report) == [("days off together", "A1", "week of 2027-03-08")]


def test_consecutive_nights_binds(load, mini_data):
    sc = load_v11(load, mini_data, max_consecutive_nights=4)
    report = check(sc, days("A1", [0, 1, 2, 3, 4], **NIGHTS))
    assert found(report) == [("consecutive nights", "A1", "2027-03-05")]
    assert "5 night shifts in a row from 2027-03-01 (limit 4" in report.violations[0].detail
    assert check(sc, days("A1", [0, 1, 2, 3, 5], **NIGHTS)).ok  # Friday off breaks the run


def test_a_night_shift_needs_three_paid_hours_in_the_window(load, mini_data):
    """16:00–01:00 has 3 h inside 22:00–06:00: a night shift with its unpaid
    break at 19:00, not one with the break at 22:00 (2 paid hours inside)."""
    mini_data["rules"]["PT"]["break"]["after_hours"] = [3, 7]
    sc = load_v11(load, mini_data, max_consecutive_nights=0)
    assert check(sc, shift("A1", 0, "16:00", "01:00", brk="22:00")).ok
    report = check(sc, shift("A1", 0, "16:00", "01:00", brk="19:00"))
    assert found(report) == [("consecutive nights", "A1", "2027-03-01")]
    evening = shift("A1", 0, "14:00", "23:00", brk="18:00")  # 1 h inside
    assert check(sc, evening).ok
