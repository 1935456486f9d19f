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


def test_a_short_run_between_days_off_breaks_min_consecutive_days(load, mini_data):
    """Three days in a row at least: Mon is a run at the horizon's edge (not
    judged), Wed–Thu a run of two between days off (a violation), Sat–Sun
    a run reaching the horizon's last date (not judged)."""
    mini_data["rules"]["PT"]["min_consecutive_days"] = 3
    sc = load(mini_data)
    days = (0, 2, 3, 5, 6)
    r = Roster.from_segments([s for d in days for s in shift("A1", d, "09:00", "18:00")])
    found = [(v.rule, v.agent_id, v.when) for v in check_roster(sc, r).violations]
    assert found == [("min consecutive days", "A1", "2027-03-03")]


def test_without_min_consecutive_days_a_lone_day_is_allowed(load, mini_data):
    sc = load(mini_data)
    r = Roster.from_segments(shift("A1", 3, "09:00", "18:00"))
    assert check_roster(sc, r).ok


def test_a_short_run_of_days_off_between_shifts_breaks_min_consecutive_days_off(load, mini_data):
    """Two days off in a row at least: Mon–Tue off before the first shift
    (the horizon's edge, not judged), Thu alone between Wed and Fri (a
    violation), Sat–Sun after the last (not judged)."""
    mini_data["rules"]["PT"]["min_consecutive_days_off"] = 2
    sc = load(mini_data)
    r = Roster.from_segments([s for d in (2, 4) for s in shift("A1", d, "09:00", "18:00")])
    found = [(v.rule, v.agent_id, v.when) for v in check_roster(sc, r).violations]
    assert found == [("min consecutive days off", "A1", "2027-03-04")]
