"""Each horizon rule (`optimizer.solve.rules.horizon`) binds in a tiny case
whose answer is known by hand, solved whole and checked by the independent
checker (`helpers.run`)."""

from __future__ import annotations

import pytest

from tests.solve import helpers as h

PEN, COST = 100.0, 10.0  # per agent-hour short; per paid hour
SAT, SUN, SAT2, SUN2 = 5, 6, 12, 13  # days of the horizon from Mon 1 March 2027


def test_max_weekends_binds(tmp_path):
    # need 09–13 on both days of two weekends. Unruled: four shifts (160).
    # One weekend at most: one weekend worked whole (80), the other's 8 h
    # short (800)
    data = h.case(days=14)
    cells = h.block(SAT, 9, 13) | h.block(SUN, 9, 13) | h.block(SAT2, 9, 13) | h.block(SUN2, 9, 13)
    assert h.run(h.load(tmp_path, data), cells).objective == pytest.approx(4 * 4 * COST)
    data["rules"]["PT"]["max_weekends"] = 1
    res = h.run(h.load(tmp_path, data), cells)
    assert res.status == "OPTIMAL"
    assert res.objective == pytest.approx(2 * 4 * COST + 8 * PEN)
    assert sorted(s[1].weekday() for s in h.shifts(res)) == [5, 6]


def test_max_weekends_counts_the_rule_sets_weekend_days(tmp_path):
    # a Friday–Saturday weekend, none of it worked: Sunday's need is met,
    # Friday's is short
    data = h.case(days=7)
    data["rules"]["PT"].update({"max_weekends": 0, "weekend": ["Fri", "Sat"]})
    res = h.run(h.load(tmp_path, data), h.block(4, 9, 13) | h.block(SUN, 9, 13))
    assert res.objective == pytest.approx(4 * COST + 4 * PEN)
    assert [s[1].weekday() for s in h.shifts(res)] == [6]


def test_a_minimum_out_of_reach_without_weekends_is_explained(tmp_path):
    # 12 h a week of 4-h shifts is three shifts; with Mon–Thu off only Fri,
    # Sat and Sun are left, and no weekend may be worked
    data = h.case(days=7)
    data["rules"]["PT"]["max_weekends"] = 0
    data["agents"][0].update({"min_hours_week": 12, "days_off": "Mon;Tue;Wed;Thu"})
    conflict = h.conflict_of(tmp_path, data)
    assert conflict.agent_id == "A1"
    assert {"max_weekends", "min_hours_week"} <= set(conflict.rules)


def test_the_most_hours_over_the_horizon_bind(tmp_path):
    # need 09–13 on three days; 8 h over the horizon at most: two shifts, 4 h short
    data = h.case(days=3)
    data["agents"][0]["max_hours_horizon"] = 8
    res = h.run(h.load(tmp_path, data), h.block(0, 9, 13) | h.block(1, 9, 13) | h.block(2, 9, 13))
    assert res.status == "OPTIMAL"
    assert res.objective == pytest.approx(2 * 4 * COST + 4 * PEN)


def test_the_least_hours_over_the_horizon_bind(tmp_path):
    # no need at all, yet 12 h over the horizon are owed: three shifts
    data = h.case(days=3)
    data["agents"][0]["min_hours_horizon"] = 12
    res = h.run(h.load(tmp_path, data), {})
    assert res.status == "OPTIMAL" and res.objective == pytest.approx(3 * 4 * COST)


def test_hours_over_the_horizon_out_of_reach_are_explained(tmp_path):
    # three days of 4-h shifts give 12 h at most; 16 are owed
    data = h.case(days=3)
    data["agents"][0]["min_hours_horizon"] = 16
    conflict = h.conflict_of(tmp_path, data)
    assert "min_hours_horizon/max_hours_horizon" in conflict.rules
