"""Weekends worked in the horizon (`optimizer.check.horizon`)."""

from __future__ import annotations

from optimizer.check import check_roster
from optimizer.roster import Roster
from tests.check.helpers import shift


def _roster(days: tuple[int, ...]) -> Roster:
    return Roster.from_segments([s for d in days for s in shift("A1", d, "09:00", "18:00")])


def test_a_weekend_beyond_max_weekends_is_a_violation(load, mini_data):
    """Two weeks from Mon 1 March, one weekend at most: Sat 6 and Sun 7 are
    one weekend (counted once), Sun 14 a second one, named by its week."""
    mini_data["horizon"]["days"] = 14
    mini_data["rules"]["PT"]["max_weekends"] = 1
    sc = load(mini_data)
    found = [(v.rule, v.agent_id, v.when) for v in check_roster(sc, _roster((5, 6, 13))).violations]
    assert found == [("max weekends", "A1", "2027-03-08")]
    assert check_roster(sc, _roster((5, 6, 8))).ok


def test_the_rule_sets_own_weekend_days_count(load, mini_data):
    """With a Friday–Saturday weekend and none allowed, Friday breaks the rule and Sunday does not."""
    mini_data["rules"]["PT"].update({"max_weekends": 0, "weekend": ["Fri", "Sat"]})
    sc = load(mini_data)
    assert check_roster(sc, _roster((6,))).ok
    found = [(v.rule, v.when) for v in check_roster(sc, _roster((4, 6))).violations]
    assert found == [("max weekends", "2027-03-01")]


def test_paid_hours_over_the_horizon_outside_the_agents_limits_are_violations(load, mini_data):
    """Two 8-h shifts: 16 h, against at least 24 h for A1 and at most 8 h for A2."""
    mini_data["agents"][0]["min_hours_horizon"] = 24
    mini_data["agents"][1]["max_hours_horizon"] = 8
    mini_data["agents"][1]["min_hours_week"] = 0
    sc = load(mini_data)
    segs = [s for a in ("A1", "A2") for d in (0, 1) for s in shift(a, d, "09:00", "18:00")]
    found = [(v.rule, v.agent_id) for v in check_roster(sc, Roster.from_segments(segs)).violations]
    assert sorted(found) == [("horizon hours", "A1"), ("horizon hours", "A2")]
