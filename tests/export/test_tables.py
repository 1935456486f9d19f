"""Payroll, shifts and stretches on the hand-computed roster of conftest.py."""

from __future__ import annotations

import datetime as dt

import pytest

from optimizer.calendars import calendars_of
from optimizer.check import check_roster
from optimizer.export.tables import (
    HOUR_COLUMNS,
    PAYROLL_COLUMNS,
    PAYROLL_DAY_COLUMNS,
    local_shifts,
    payroll,
    stretches,
)

D = dt.date.fromisoformat


def test_the_hand_roster_breaks_no_rule(hand):
    sc, roster = hand
    report = check_roster(sc, roster)
    assert report.ok, report.to_text()


def test_good_friday_is_a_lisbon_holiday(hand):
    # the premise of the hand-computed holiday hours
    sc, _ = hand
    assert D("2027-03-26") in calendars_of(sc).site_dates("LIS")


def test_payroll_splits_straight_time_and_overtime_by_hand(hand):
    sc, roster = hand
    p = payroll(sc, roster)
    assert list(p.columns) == list(PAYROLL_COLUMNS)
    assert len(p) == 1
    r = p.iloc[0]
    assert (r.agent_id, r.agent_name, r.team, r.site) == ("A1", "Ana", "", "LIS")
    assert (r.week_start, r.week_end) == (D("2027-03-22"), D("2027-03-28"))
    # straight time: the first 40 h of the week; overtime: the Easter Sunday night
    # (120 holiday + 300 night + 60 regular minutes, all past 40 h)
    straight = (r.regular_hours, r.night_hours, r.weekend_hours, r.holiday_hours)
    overtime = (r.overtime_regular_hours, r.overtime_night_hours, r.overtime_weekend_hours,
                r.overtime_holiday_hours)  # fmt: skip
    assert straight == (24, 2, 2, 12)
    assert overtime == (1, 5, 0, 2)
    assert r.paid_hours == 48 == sum(straight) + sum(overtime)
    assert (r.local_currency, r.reporting_currency) == ("EUR", "USD")
    assert r.cost_local == pytest.approx(703.75)
    assert r.cost_reporting == pytest.approx(774.125)


def test_payroll_columns_add_up_and_equal_what_check_recomputes(tiny_solved):
    sc, roster = tiny_solved
    p = payroll(sc, roster)
    assert (p[list(HOUR_COLUMNS)].sum(axis=1) - p["paid_hours"]).abs().max() < 1e-3
    k = check_roster(sc, roster).kpis
    assert p["paid_hours"].sum() == pytest.approx(k.paid_hours)
    assert p["cost_reporting"].sum() == pytest.approx(k.total_cost)


def test_per_day_lines_add_up_to_the_weeks(tiny_solved):
    sc, roster = tiny_solved
    week = payroll(sc, roster)
    day = payroll(sc, roster, per_day=True)
    assert list(day.columns) == list(PAYROLL_DAY_COLUMNS)
    assert len(day) == len(roster.shifts)  # an agent works at most one shift a day
    assert ((day["date"] >= day["week_start"]) & (day["date"] <= day["week_end"])).all()
    summed = day.groupby(["agent_id", "week_start"])[[*HOUR_COLUMNS, "cost_local"]].sum()
    weekly = week.set_index(["agent_id", "week_start"])[[*HOUR_COLUMNS, "cost_local"]]
    assert summed.sort_index().to_numpy() == pytest.approx(weekly.sort_index().to_numpy())


def test_a_site_may_start_its_week_on_saturday(hand):
    sc, roster = hand
    p = payroll(sc, roster, week_start={"LIS": 5})
    # Sat 20 – Fri 26: Mon–Thu shifts (the Thursday night runs into Good Friday);
    # Sat 27 – Fri 2 Apr: the two weekend nights
    assert p["week_start"].tolist() == [D("2027-03-20"), D("2027-03-27")]
    assert p["week_end"].tolist() == [D("2027-03-26"), D("2027-04-02")]
    assert p["paid_hours"].tolist() == [32, 16]
    # overtime stays the pay model's (Mon–Sun): the same 8 h, in the second line
    ot = [c for c in HOUR_COLUMNS if c.startswith("overtime_")]
    assert p[ot].sum(axis=1).tolist() == [0, 8]


def test_local_shifts_show_wall_clock_times(hand):
    sc, roster = hand
    s = local_shifts(sc, roster).set_index("shift_date")
    assert s.loc[D("2027-03-22"), "shift"] == "09:00–18:00"
    assert s.loc[D("2027-03-22"), "queues"] == "PT-pt-voice → PT-pt-chat"
    dst = s.loc[D("2027-03-27")]
    assert (dst["shift"], dst["break"], dst["paid_hours"]) == ("22:00–08:00 +1", "02:00–03:00", 8)
    assert str(dst["start_local"]) == "2027-03-27 22:00:00"
    assert str(dst["end_local"]) == "2027-03-28 08:00:00"


def test_stretches_are_one_row_per_stretch_in_local_and_utc_time(hand):
    sc, roster = hand
    t = stretches(sc, roster)
    assert len(t) == len(roster.segments)
    mon = t[t["shift_date"] == D("2027-03-22")]
    assert mon["activity"].tolist() == ["PT-pt-voice", "BREAK", "PT-pt-chat"]
    assert mon["stretch"].tolist() == [1, 2, 3]
    assert mon["start_time"].tolist() == ["09:00", "13:00", "14:00"]
    assert mon["paid_minutes"].tolist() == [240, 0, 240]  # the break is unpaid
    assert mon["channel"].tolist() == ["voice", "", "chat"]
    dst = t[t["shift_date"] == D("2027-03-27")]
    last = dst.iloc[-1]
    assert (last["local_date"], last["start_time"], last["end_time"]) == (
        D("2027-03-28"),
        "03:00",
        "08:00",
    )
    assert (last["start_local"], last["end_local"]) == (
        "2027-03-28T03:00:00+01:00",
        "2027-03-28T08:00:00+01:00",
    )
    assert (last["start_utc"], last["end_utc"]) == ("2027-03-28T02:00:00Z", "2027-03-28T07:00:00Z")
    assert dst.iloc[0]["start_local"] == "2027-03-27T22:00:00+00:00"
    assert t["paid_minutes"].sum() == 48 * 60  # the payroll's paid hours


def test_stretches_of_a_solved_roster_add_up_to_the_shifts(tiny_solved):
    sc, roster = tiny_solved
    t = stretches(sc, roster)
    s = local_shifts(sc, roster)
    assert t["paid_minutes"].sum() == pytest.approx(s["paid_hours"].sum() * 60)
    per_shift = t.groupby(["agent_id", "shift_date"])["minutes"].sum()
    length = roster.shifts.set_index(["agent_id", "shift_date"])
    assert (per_shift.sort_index() == (length["end"] - length["start"]).sort_index()).all()
