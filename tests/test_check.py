"""The independent checker: each rule flags exactly its own violation on a
tiny hand-written roster, and a valid roster passes."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from optimizer.check import check_roster
from optimizer.roster import Roster
from optimizer.timegrid import local_to_utc

Q = "PT-pt-voice"


def at(day: int, hhmm: str, start: dt.date = dt.date(2027, 3, 1)) -> int:
    h, m = map(int, hhmm.split(":"))
    return local_to_utc("Europe/Lisbon", start + dt.timedelta(days=day), h * 60 + m)


def shift(
    agent: str,
    day: int,
    begin: str,
    end: str,
    brk: str | None = "13:00",
    start: dt.date = dt.date(2027, 3, 1),
) -> list[dict]:
    """An 8-paid-hour shift with a 1 h break at `brk` (mini rules), as segments."""
    date = start + dt.timedelta(days=day)
    s, e = at(day, begin, start), at(day, end, start)
    if e <= s:
        e = at(day + 1, end, start)
    if brk is None:
        return [
            {
                "agent_id": agent,
                "site": "LIS",
                "shift_date": date,
                "start": s,
                "end": e,
                "activity": Q,
            }
        ]
    b = at(day, brk, start)
    if b < s:
        b = at(day + 1, brk, start)
    return [
        {"agent_id": agent, "site": "LIS", "shift_date": date, "start": s, "end": b, "activity": Q},
        {
            "agent_id": agent,
            "site": "LIS",
            "shift_date": date,
            "start": b,
            "end": b + 60,
            "activity": "BREAK",
        },
        {
            "agent_id": agent,
            "site": "LIS",
            "shift_date": date,
            "start": b + 60,
            "end": e,
            "activity": Q,
        },
    ]


def rules_of(report) -> set[str]:
    return {v.rule for v in report.violations}


def test_valid_roster_passes(mini):
    r = Roster.from_segments(shift("A1", 0, "09:00", "18:00") + shift("A1", 1, "09:00", "18:00"))
    report = check_roster(mini, r)
    assert report.ok, report.to_text()
    assert report.kpis is not None and report.kpis.paid_hours == 16


@pytest.mark.parametrize(
    ("segments", "rule"),
    [
        (shift("A1", 0, "09:00", "17:00"), "shift length"),  # 7 paid hours
        (shift("A1", 0, "09:30", "18:30", brk="13:30"), "start step"),  # 60-min step
        (shift("A1", 0, "09:00", "18:00", brk="10:00"), "break"),  # 1 h in, window 3–5 h
        (shift("A1", 0, "09:00", "17:00", brk=None), "break"),  # 8 paid hours, no break
        (
            shift("A1", 0, "14:00", "23:00", brk="18:00")
            + shift("A1", 1, "06:00", "15:00", brk="10:00"),
            "minimum rest",
        ),
        ([s for d in range(7) for s in shift("A1", d, "09:00", "18:00")], "max consecutive days"),
        (shift("A9", 0, "09:00", "18:00"), "known agent"),
    ],
)
def test_each_rule_binds(mini, segments, rule):
    assert rule in rules_of(check_roster(mini, Roster.from_segments(segments)))


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


def test_dst_night_counts_real_time(load, mini_data):
    # Lisbon 27→28 March 2027: 22:00 → 07:00 local is 8 h of real time, 7 paid with the break
    mini_data["horizon"]["start"] = "2027-03-22"
    sc = load(mini_data)
    start = dt.date(2027, 3, 22)
    short = shift("A1", 5, "22:00", "07:00", brk="02:00", start=start)
    fine = shift("A1", 5, "22:00", "08:00", brk="02:00", start=start)
    assert rules_of(check_roster(sc, Roster.from_segments(short))) == {"shift length"}
    assert check_roster(sc, Roster.from_segments(fine)).ok


def test_the_checker_never_imports_the_solver():
    tree = ast.parse(
        (Path(__file__).resolve().parents[1] / "optimizer" / "check.py").read_text(encoding="utf-8")
    )
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(m.startswith("optimizer.solve") for m in imported)
    # nor anything that imports it
    for m in imported:
        if m.startswith("optimizer.") and m != "optimizer.check":
            path = Path(__file__).resolve().parents[1] / (m.replace(".", "/") + ".py")
            if path.exists():
                assert "optimizer.solve" not in path.read_text(encoding="utf-8"), m
