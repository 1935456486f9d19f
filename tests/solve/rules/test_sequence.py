"""Each sequence rule (`optimizer.solve.rules.sequence`) binds in a tiny case
whose answer is known by hand, solved whole.

Every roster is then checked by the independent checker (`optimizer.check`,
which shares no code with the solver) when it is available.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.solve import helpers as h

MON = dt.date(2027, 3, 1)
TUE = dt.date(2027, 3, 2)
PEN, COST = 100.0, 10.0  # per agent-hour short; per paid hour


def test_hand_optimum_two_days(tmp_path):
    # Mon: 2 agents 09–13; Tue: 2 agents 08–12, but A2 never works Tuesdays.
    # Best: both work Mon 09–13 (80), A1 works Tue 08–12 (40), 1 agent short
    # for 4 h on Tuesday (400): 520, proven optimal.
    data = h.case(days=2, agents=2)
    data["agents"][1]["days_off"] = "Tue"
    sc = h.load(tmp_path, data)
    res = h.run(sc, h.block(0, 9, 13, 2) | h.block(1, 8, 12, 2))
    assert res.status == "OPTIMAL"
    assert res.objective == pytest.approx(520.0)
    assert res.gap == pytest.approx(0.0, abs=1e-6)
    assert h.shifts(res) == [("A1", MON, 9, 4), ("A1", TUE, 8, 4), ("A2", MON, 9, 4)]


def test_minimum_rest_binds(tmp_path):
    # Mon 20–24 and Tue 06–10 are 6 h apart; with 11 h rest one agent does one.
    sc = h.load(tmp_path, h.case(days=2))
    res = h.run(sc, h.block(0, 20, 24) | h.block(1, 6, 10))
    assert len(h.shifts(res)) == 1
    assert res.objective == pytest.approx(4 * COST + 4 * PEN)


def test_rest_allows_the_second_shift_when_it_is_long_enough(tmp_path):
    data = h.case(days=2)
    data["rules"]["PT"]["min_rest_hours"] = 6
    res = h.run(h.load(tmp_path, data), h.block(0, 20, 24) | h.block(1, 6, 10))
    assert len(h.shifts(res)) == 2 and res.objective == pytest.approx(8 * COST)


def test_max_consecutive_days_binds(tmp_path):
    data = h.case(days=7)
    data["rules"]["PT"]["max_consecutive_days"] = 3
    cells = {}
    for d in range(7):
        cells |= h.block(d, 9, 13)
    res = h.run(h.load(tmp_path, data), cells)
    days = sorted(s[1] for s in h.shifts(res))
    assert len(days) == 6  # 3 on, 1 off, 3 on
    assert res.objective == pytest.approx(6 * 4 * COST + 4 * PEN)


def test_weekly_maximum_of_the_agent_binds(tmp_path):
    data = h.case(days=7)
    data["agents"][0]["max_hours_week"] = 8
    cells = h.block(0, 9, 13) | h.block(1, 9, 13) | h.block(2, 9, 13)
    res = h.run(h.load(tmp_path, data), cells)
    assert len(h.shifts(res)) == 2


def test_weekly_minimum_forces_paid_hours(tmp_path):
    data = h.case(days=7)
    data["agents"][0]["min_hours_week"] = 12
    res = h.run(h.load(tmp_path, data), h.block(0, 9, 13))
    assert len(h.shifts(res)) == 3 and res.objective == pytest.approx(12 * COST)


def test_weekly_minimum_is_waived_in_a_week_with_leave(tmp_path):
    data = h.case(days=7)
    data["agents"][0].update({"min_hours_week": 12, "leave": "2027-03-05"})
    res = h.run(h.load(tmp_path, data), h.block(0, 9, 13))
    assert len(h.shifts(res)) == 1


def test_one_shift_per_day(tmp_path):
    sc = h.load(tmp_path, h.case(days=1))
    res = h.run(sc, h.block(0, 8, 12) | h.block(0, 15, 19))
    assert len(h.shifts(res)) == 1


def test_infeasible_minimum_is_explained(tmp_path):
    # 40 h minimum but only Mon–Wed available (days off Thu–Sun) with 4 h shifts: 12 h at most
    data = h.case(days=7)
    data["agents"][0].update({"min_hours_week": 40, "days_off": "Thu;Fri;Sat;Sun"})
    res = h.run(h.load(tmp_path, data), h.block(0, 9, 13))
    assert res.status == "INFEASIBLE" and res.roster.segments.empty
    (c,) = res.conflicts
    assert c.agent_id == "A1" and "min_hours_week" in c.rules
    assert "at most 12 h possible" in c.detail


def test_min_consecutive_days_binds(tmp_path):
    # need on Wed and Sat only (one agent 09–13). Unruled: two shifts (80).
    # Three days in a row at least: a run that starts after a day off and
    # ends before one needs three days, so Wed–Sat (4 shifts, 160) beats
    # Sat–Sun alone with Wed short (80 + 400) and Mon–Wed + Sat–Sun (200).
    data = h.case(days=7)
    cells = h.block(2, 9, 13) | h.block(5, 9, 13)
    free = h.run(h.load(tmp_path, data), cells)
    assert free.objective == pytest.approx(2 * 4 * COST)
    data["rules"]["PT"]["min_consecutive_days"] = 3
    res = h.run(h.load(tmp_path, data), cells)
    assert res.status == "OPTIMAL"
    assert res.objective == pytest.approx(4 * 4 * COST)
    assert sorted(s[1].weekday() for s in h.shifts(res)) == [2, 3, 4, 5]


def test_min_consecutive_days_leaves_runs_at_the_horizons_edges_alone(tmp_path):
    # need on Mon and Sun only: each lone day touches an edge of the horizon
    # (the days beyond it are unknown), so two shifts stay enough
    data = h.case(days=7)
    data["rules"]["PT"]["min_consecutive_days"] = 3
    res = h.run(h.load(tmp_path, data), h.block(0, 9, 13) | h.block(6, 9, 13))
    assert res.objective == pytest.approx(2 * 4 * COST)


def test_a_minimum_run_that_days_off_cut_is_explained(tmp_path):
    # 12 h a week of 4-h shifts is three shifts; with Tue, Thu, Sat and Sun
    # off only Mon, Wed and Fri are left, and Wed would be a run of one day
    # between days off against a minimum of three
    data = h.case(days=7)
    data["rules"]["PT"]["min_consecutive_days"] = 3
    data["agents"][0].update({"min_hours_week": 12, "days_off": "Tue;Thu;Sat;Sun"})
    conflict = h.conflict_of(tmp_path, data)
    assert conflict.agent_id == "A1"
    assert {"min_consecutive_days", "min_hours_week"} <= set(conflict.rules)


def test_min_consecutive_days_off_binds(tmp_path):
    # need on Mon, Wed and Fri (09–13). Unruled: three shifts (120). Two days
    # off in a row at least: Tue alone and Thu alone are too short, so the
    # best works all five days (200) rather than leave one need short
    # (80 + 400)
    data = h.case(days=5)
    cells = h.block(0, 9, 13) | h.block(2, 9, 13) | h.block(4, 9, 13)
    assert h.run(h.load(tmp_path, data), cells).objective == pytest.approx(3 * 4 * COST)
    data["rules"]["PT"]["min_consecutive_days_off"] = 2
    res = h.run(h.load(tmp_path, data), cells)
    assert res.status == "OPTIMAL"
    assert res.objective == pytest.approx(5 * 4 * COST)
