"""The pay model, on hand-computed shifts at a Lisbon site.

Rule set PT of the mini scenario: night 22:00–06:00 x1.25, weekend Sat/Sun
x1.5, holiday x2.0, overtime after 40 h/week x1.5, unpaid 60-minute break;
base cost 10 EUR/h. Portugal's Good Friday 2027-03-26 and Easter Sunday
2027-03-28 are public holidays; Lisbon moves from UTC+0 to UTC+1 at
2027-03-28T01:00Z.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from optimizer.calendars import calendars_of
from optimizer.export.spreadsheet import round_money
from optimizer.pay import PREMIUM_TYPES, local_clock, price_minutes, price_shifts
from optimizer.scenario.load import load_scenario
from optimizer.timegrid import local_to_utc
from tests import factory
from tests.conftest import REPO
from tests.pay_by_minute import price_by_minute

SHIFT_FIELDS = ("agent_id", "site", "shift_date", "start", "end")


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


# ---------------------------------------------------------------- per stretch = minute by minute
#
# `price_shifts` prices each paid stretch from running counts of the premium
# types; `tests.pay_by_minute` is the same model priced minute by minute (the
# implementation it replaced). Both must agree: minutes exactly, money to
# float precision and so to the cent.


def same_as_by_minute(sc, shifts, breaks=None, fx=None):
    """price_shifts and price_minutes equal the minute-by-minute reference."""
    cal = calendars_of(sc)
    new = price_shifts(sc, cal, shifts, breaks, fx).table
    ref, ref_minutes = price_by_minute(sc, cal, shifts, breaks, fx)
    currency = new["currency"].to_numpy()
    for c in ref.columns:
        if pd.api.types.is_float_dtype(new[c]):
            np.testing.assert_allclose(new[c], ref[c], rtol=1e-12, atol=1e-9, err_msg=c)
            cur = [sc.currency] * len(new) if c == "cost_reporting" else currency
            cents = [str(round_money(v, k)) for v, k in zip(new[c], cur, strict=True)]
            assert cents == [str(round_money(v, k)) for v, k in zip(ref[c], cur, strict=True)], c
        else:
            assert new[c].tolist() == ref[c].tolist(), c
    # the overtime among the minutes of each type: the reference's overtime minutes by type
    for k, name in enumerate(PREMIUM_TYPES):
        sel = ref_minutes.overtime & (ref_minutes.kind == k)
        expect = np.bincount(ref_minutes.shift[sel], minlength=len(new))
        assert new[f"overtime_{name}_minutes"].tolist() == expect.tolist(), name
    minutes = price_minutes(sc, cal, shifts, breaks)
    for field in ("shift", "t", "kind", "multiplier", "overtime", "cost_site"):
        assert np.array_equal(getattr(minutes, field), getattr(ref_minutes, field)), field
    return new


def breaks_frame(rows):
    return pd.DataFrame(
        [{"shift": k, "start": utc(d, a), "end": utc(d, b)} for k, d, a, b in rows],
        columns=["shift", "start", "end"],
    )


def day_shift(agent, date, start="09:00", end="18:00"):
    return (agent, date, utc(date, start), utc(date, end))


HAND_CASES = {
    # Sat 22:00 WET → Sun 07:00 WEST across the spring-forward, Easter Sunday a holiday
    "dst": ([("A1", "2027-03-27", utc("2027-03-27", "22:00"), utc("2027-03-28", "07:00"))],
            [(0, "2027-03-28", "02:00", "03:00")]),
    # Tue 20:00 → Wed 05:00: the night window 22:00–06:00 across midnight, break inside it
    "night": ([("A1", "2027-03-02", utc("2027-03-02", "20:00"), utc("2027-03-03", "05:00"))],
              [(0, "2027-03-03", "00:30", "01:30")]),
    # Good Friday, worked by day
    "holiday": ([day_shift("A1", "2027-03-26", "08:00", "17:00")],
                [(0, "2027-03-26", "12:00", "13:00")]),
    # a Saturday into the night
    "weekend": ([day_shift("A1", "2027-03-06", "15:00", "23:30")], []),
    # six 8-hour days: the 8 overtime hours on Saturday, at weekend rate
    "overtime": ([day_shift("A1", f"2027-03-0{k + 1}") for k in range(6)],
                 [(k, f"2027-03-0{k + 1}", "13:00", "14:00") for k in range(6)]),
    # breaks overlapping each other, at the start and at the end of the shift
    "breaks": ([day_shift("A1", "2027-03-02")],
               [(0, "2027-03-02", "12:00", "13:00"), (0, "2027-03-02", "12:30", "13:30"),
                (0, "2027-03-02", "09:00", "09:30"), (0, "2027-03-02", "17:00", "18:00")]),
    # two agents, two weeks, rows out of time order
    "mixed": ([day_shift("A2", "2027-03-09"), day_shift("A1", "2027-03-27", "20:00", "23:00"),
               day_shift("A1", "2027-03-05"), day_shift("A2", "2027-03-08", "06:00", "15:00"),
               ("A1", "2027-03-28", utc("2027-03-28", "21:00"), utc("2027-03-29", "06:30"))],
              [(0, "2027-03-09", "13:00", "14:00"), (4, "2027-03-29", "01:00", "02:00")]),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(HAND_CASES))
def test_per_stretch_pricing_equals_the_minute_by_minute_one(mini, case):
    rows, brk = HAND_CASES[case]
    same_as_by_minute(mini, shifts_frame(rows), breaks_frame(brk))


def test_the_overtime_tail_splits_by_type_and_across_the_break(load, mini_data):
    # threshold 43.5 h of a 48 h week: Saturday's last 270 paid minutes are
    # overtime — 14:00–18:00 and 12:30–13:00 before the unpaid break, all weekend
    mini_data["rules"]["PT"]["premiums"]["overtime_after_hours_week"] = 43.5
    sc = load(mini_data)
    rows, brk = HAND_CASES["overtime"]
    t = same_as_by_minute(sc, shifts_frame(rows), breaks_frame(brk))
    sat = t.iloc[5]
    assert (sat.overtime_minutes, sat.overtime_weekend_minutes, sat.weekend_minutes) == (
        270,
        270,
        480,
    )
    assert sat.cost_site == pytest.approx(10 / 60 * (210 * 1.5 + 270 * 1.5 * 1.5))


def test_a_paid_break_is_priced_like_work(load, mini_data):
    mini_data["rules"]["PT"]["break"]["paid"] = True
    sc = load(mini_data)
    rows, brk = HAND_CASES["night"]
    t = same_as_by_minute(sc, shifts_frame(rows), breaks_frame(brk))
    assert t.paid_minutes.iloc[0] == 9 * 60


def test_fx_and_a_shift_index_that_is_not_0_to_n(load, mini_data):
    mini_data["currency"] = "USD"
    mini_data["fx"] = {"EUR": 1.08}
    sc = load(mini_data)
    rows, brk = HAND_CASES["mixed"]
    shifts = shifts_frame(rows)
    shifts.index = [10, 7, 3, 99, 5]  # breaks refer to row positions, not labels
    same_as_by_minute(sc, shifts, breaks_frame(brk), fx={"EUR": 1.2})


def test_no_shifts(mini):
    t = same_as_by_minute(mini, shifts_frame([]).reindex(columns=list(SHIFT_FIELDS)))
    assert t.empty and "overtime_night_minutes" in t


def synthetic_roster(sc, every: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shifts for every `every`-th agent of `sc` on six days of seven, starting at
    every quarter hour of the day in turn, 8–10.5 h with a break (sometimes two,
    overlapping): overtime every week, nights, weekends, holidays and DST changes
    at every site."""
    rows, brk = [], []
    first = (sc.horizon.start - dt.date(1970, 1, 1)).days
    for i, agent in enumerate(sc.agents[::every]):
        tz = sc.site_by_id[agent.site].timezone
        for d in range(sc.horizon.days):
            if (i + d) % 7 == 0:
                continue
            start = (first + d) * 1440 + (i * 97 + d * 131) % 96 * 15
            length = 480 + (i + d) % 6 * 30
            day, _, _ = local_clock(tz, np.array([start]))
            k = len(rows)
            rows.append({"agent_id": agent.id, "site": agent.site, "start": start,
                         "end": start + length,
                         "shift_date": dt.date(1970, 1, 1) + dt.timedelta(days=int(day[0]))})  # fmt: skip
            b = start + 180 + (i + d) % 5 * 30
            brk.append({"shift": k, "start": b, "end": b + 60})
            if (i + d) % 4 == 0:
                brk.append({"shift": k, "start": b + 45, "end": b + 75})
    return pd.DataFrame(rows), pd.DataFrame(brk)


def test_baseline_scenario_priced_per_stretch_equals_minute_by_minute():
    sc = load_scenario(REPO / "scenarios" / "global-baseline.yaml")
    shifts, breaks = synthetic_roster(sc)
    t = same_as_by_minute(sc, shifts, breaks)
    # every premium type and overtime at every site
    for name in PREMIUM_TYPES:
        assert (t[f"{name}_minutes"] > 0).any(), name
    assert t.groupby("site")["overtime_minutes"].sum().gt(0).all()


@pytest.mark.slow
def test_the_solved_baseline_priced_per_stretch_equals_minute_by_minute():
    from optimizer.pipeline import prepare, run
    from optimizer.solve.stop import StopCriteria

    sc = load_scenario(REPO / "scenarios" / "global-baseline.yaml")
    roster = run(prepare(sc), StopCriteria(time_limit=20, workers=1)).roster
    same_as_by_minute(sc, roster.shifts[list(SHIFT_FIELDS)], roster.breaks)
