"""Rest, consecutive days and weekly hours (`optimizer.check.sequence`)."""

from __future__ import annotations

from optimizer.check import check_roster
from optimizer.roster import Roster
from tests.check.helpers import shift


def test_weekly_maximum_and_minimum(load, mini_data):
    mini_data["agents"][0]["max_hours_week"] = 16
    mini_data["agents"][1]["min_hours_week"] = 8
    sc = load(mini_data)
    r = Roster.from_segments([s for d in range(3) for s in shift("A1", d, "09:00", "18:00")])
    report = check_roster(sc, r)
    assert {(v.rule, v.agent_id) for v in report.violations} == {
        ("weekly maximum", "A1"),
        ("weekly minimum", "A2"),
    }
