"""Days off, leave, holidays off, personal window, skills and data residency
(`optimizer.check.day`)."""

from __future__ import annotations

from optimizer.check import check_roster
from optimizer.roster import Roster
from tests.check.helpers import rules_of, shift


def test_days_off_leave_and_holidays(load, mini_data):
    mini_data["horizon"]["days"] = 28
    mini_data["sites"][0]["holidays"] = "off"
    mini_data["agents"][0].update({"days_off": "Mon", "leave": "2027-03-02"})
    sc = load(mini_data)
    r = Roster.from_segments(
        shift("A1", 0, "09:00", "18:00")
        + shift("A1", 1, "09:00", "18:00")
        + shift("A2", 25, "09:00", "18:00")
    )
    got = {(v.rule, v.agent_id) for v in check_roster(sc, r).violations}
    assert got == {
        ("days off", "A1"),
        ("leave", "A1"),
        ("holiday off", "A2"),
    }  # 26 March: Good Friday


def test_personal_window_across_midnight(load, mini_data):
    mini_data["agents"][0].update({"earliest_start": "22:00", "latest_end": "07:00"})
    sc = load(mini_data)
    ok = Roster.from_segments(shift("A1", 0, "22:00", "07:00", brk="02:00"))
    bad = Roster.from_segments(shift("A1", 0, "09:00", "18:00"))
    assert check_roster(sc, ok).ok
    assert rules_of(check_roster(sc, bad)) == {"personal window"}


def test_skills_and_residency(load, mini_data):
    mini_data["agents"][0]["languages"] = "es"
    mini_data["sites"].append(dict(mini_data["sites"][0], id="MNL", region="APAC"))
    mini_data["agents"][1]["site"] = "MNL"
    sc = load(mini_data)
    seg = shift("A1", 0, "09:00", "18:00") + [
        dict(s, agent_id="A2", site="MNL") for s in shift("A2", 0, "09:00", "18:00")
    ]
    assert {
        (v.rule, v.agent_id) for v in check_roster(sc, Roster.from_segments(seg)).violations
    } == {
        ("skills", "A1"),
        ("data residency", "A2"),
    }
