"""The pay model, on hand-computed shifts at a Lisbon site.

Rule set PT of the mini scenario: night 22:00–06:00 x1.25, weekend Sat/Sun
x1.5, holiday x2.0, overtime after 40 h/week x1.5, unpaid 60-minute break;
base cost 10 EUR/h. Portugal's Good Friday 2027-03-26 and Easter Sunday
2027-03-28 are public holidays; Lisbon moves from UTC+0 to UTC+1 at
2027-03-28T01:00Z.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from optimizer.calendars import calendars_of
from optimizer.pay import price_shifts
from optimizer.timegrid import local_to_utc
from tests import factory


@pytest.fixture
def mini_data() -> dict:
    """The mini scenario over all of March 2027 (Good Friday and Easter inside)."""
    return factory.mini(days=28)


def utc(date: str, hhmm: str) -> int:
    h, m = map(int, hhmm.split(":"))
    return local_to_utc("Europe/Lisbon", dt.date.fromisoformat(date), h * 60 + m)


def shifts_frame(rows):
    return pd.DataFrame(
        [
            {
                "agent_id": a,
                "site": "LIS",
                "shift_date": dt.date.fromisoformat(d),
                "start": s,
                "end": e,
            }
            for a, d, s, e in rows
        ]
    )


def test_night_shift_into_good_friday(mini):
    # Thu 25 Mar 22:00 → Fri 26 Mar 07:00 (UTC+0), break 02:00–03:00 unpaid.
    # Thu 22–24 night 120 min x1.25; Fri 00–02 and 03–07 holiday 360 min x2.0.
    s = shifts_frame([("A1", "2027-03-25", utc("2027-03-25", "22:00"), utc("2027-03-26", "07:00"))])
    b = pd.DataFrame(
        {"shift": [0], "start": [utc("2027-03-26", "02:00")], "end": [utc("2027-03-26", "03:00")]}
    )
    t = price_shifts(mini, calendars_of(mini), s, b).table.iloc[0]
    assert (t.paid_minutes, t.night_minutes, t.holiday_minutes, t.regular_minutes) == (
        480,
        120,
        360,
        0,
    )
    assert t.cost_site == pytest.approx(10 / 60 * (120 * 1.25 + 360 * 2.0))  # 145.0
    assert t.cost_reporting == pytest.approx(145.0)


def test_dst_night_lasts_its_real_length(mini):
    # Sat 27 Mar 22:00 WET → Sun 28 Mar 07:00 WEST: 8 h of real time, not 9.
    start, end = utc("2027-03-27", "22:00"), utc("2027-03-28", "07:00")
    assert end - start == 8 * 60
    # break 02:00–03:00 WEST = 01:00–02:00Z; paid 7 h:
    # Sat 22–24 weekend x1.5 (120 min); Sun (Easter, a PT holiday) 300 min x2.0.
    s = shifts_frame([("A1", "2027-03-27", start, end)])
    b = pd.DataFrame(
        {"shift": [0], "start": [utc("2027-03-28", "02:00")], "end": [utc("2027-03-28", "03:00")]}
    )
    t = price_shifts(mini, calendars_of(mini), s, b).table.iloc[0]
    assert (t.paid_minutes, t.weekend_minutes, t.holiday_minutes, t.night_minutes) == (
        420,
        120,
        300,
        0,
    )
    assert t.cost_site == pytest.approx(10 / 60 * (120 * 1.5 + 300 * 2.0))  # 130.0


def test_overtime_week_stacks_on_weekend(mini):
    # Mon–Sat 1–6 Mar 2027, 09:00–18:00 with a 1 h unpaid break: 6 x 8 h = 48 h.
    # The 8 h beyond 40 are Saturday's, weekend x1.5 times overtime x1.5 = 2.25.
    rows, brk = [], []
    for k in range(6):
        d = f"2027-03-0{k + 1}"
        rows.append(("A1", d, utc(d, "09:00"), utc(d, "18:00")))
        brk.append({"shift": k, "start": utc(d, "13:00"), "end": utc(d, "14:00")})
    t = price_shifts(mini, calendars_of(mini), shifts_frame(rows), pd.DataFrame(brk)).table
    assert t.overtime_minutes.tolist() == [0, 0, 0, 0, 0, 480]
    assert t.weekend_minutes.sum() == 480 and t.regular_minutes.sum() == 40 * 60
    assert t.cost_site.sum() == pytest.approx(40 * 10 + 8 * 10 * 2.25)  # 580.0


def test_overtime_takes_the_last_minutes_in_time_order(mini, load, mini_data):
    # threshold 44 h: Saturday's first 4 h at x1.5, the last 4 h at x2.25.
    mini_data["rules"]["PT"]["premiums"]["overtime_after_hours_week"] = 44
    sc = load(mini_data)
    rows, brk = [], []
    for k in range(6):
        d = f"2027-03-0{k + 1}"
        rows.append(("A1", d, utc(d, "09:00"), utc(d, "18:00")))
        brk.append({"shift": k, "start": utc(d, "13:00"), "end": utc(d, "14:00")})
    t = price_shifts(sc, calendars_of(sc), shifts_frame(rows), pd.DataFrame(brk)).table
    assert t.overtime_minutes.tolist() == [0, 0, 0, 0, 0, 240]
    assert t.cost_site.iloc[5] == pytest.approx(4 * 10 * 1.5 + 4 * 10 * 2.25)


def test_weeks_are_separate_and_agents_are_separate(mini):
    # Two agents, 5 x 8 h each in different weeks: no overtime anywhere.
    rows = [
        (
            "A1",
            f"2027-03-0{k + 1}",
            utc(f"2027-03-0{k + 1}", "09:00"),
            utc(f"2027-03-0{k + 1}", "17:00"),
        )
        for k in range(5)
    ]
    rows += [
        (
            "A2",
            f"2027-03-0{k + 1}",
            utc(f"2027-03-0{k + 1}", "09:00"),
            utc(f"2027-03-0{k + 1}", "17:00"),
        )
        for k in range(5)
    ]
    t = price_shifts(mini, calendars_of(mini), shifts_frame(rows)).table
    assert t.overtime_minutes.sum() == 0
    assert t.paid_minutes.sum() == 10 * 8 * 60  # no break rows given: all minutes paid


def test_fx_converts_to_reporting_currency(load, mini_data):
    mini_data["currency"] = "USD"
    mini_data["fx"] = {"EUR": 1.08}
    sc = load(mini_data)
    rows = [("A1", "2027-03-02", utc("2027-03-02", "09:00"), utc("2027-03-02", "17:00"))]
    t = price_shifts(sc, calendars_of(sc), shifts_frame(rows)).table.iloc[0]
    assert t.cost_site == pytest.approx(80.0)
    assert t.cost_reporting == pytest.approx(80.0 * 1.08)
    t2 = price_shifts(sc, calendars_of(sc), shifts_frame(rows), fx={"EUR": 1.2}).table.iloc[0]
    assert t2.cost_reporting == pytest.approx(96.0)
