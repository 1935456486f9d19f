"""The independent checker: each rule flags exactly its own violation on a
tiny hand-written roster, and a valid roster passes."""

from __future__ import annotations

import ast
import copy
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.check import check_roster, start_arc_minutes, stretches
from optimizer.roster import Roster
from optimizer.scenario.model import Activities, Scenario
from optimizer.timegrid import local_to_utc
from tests import factory

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


# ------------------------------------------------------------------ v1.1: rosters people can work

CHAT = "PT-pt-chat"
MON = "week of 2027-03-01"


def parts(agent: str, day: int, *pieces: tuple[str, str, str]) -> list[dict]:
    """One shift as (begin, end, activity) pieces in local Lisbon time, in order."""
    date = dt.date(2027, 3, 1) + dt.timedelta(days=day)
    out, last = [], None
    for begin, end, activity in pieces:
        s = at(day, begin) if last is None or at(day, begin) >= last else at(day + 1, begin)
        e = at(day, end) if at(day, end) > s else at(day + 1, end)
        out.append(
            {"agent_id": agent, "site": "LIS", "shift_date": date, "start": s, "end": e}
            | {"activity": activity}
        )
        last = e
    return out


def with_chat(data: dict) -> dict:
    """A copy of scenario data with a second queue (Portuguese chat) every agent serves."""
    data = copy.deepcopy(data)
    data["queues"].append(
        {"id": CHAT, "market": "PT", "language": "pt", "channel": "chat", "aht_seconds": 360}
    )
    for a in data["agents"]:
        a["channels"] = "voice;chat"
    return data


def horizon(
    data: dict, days: int | None = None, start: str | None = None, interval: int | None = None
) -> dict:
    """Scenario data with another horizon (length, first date or grid)."""
    new = {"days": days, "start": start, "interval_minutes": interval}
    data["horizon"].update({k: v for k, v in new.items() if v is not None})
    return data


def load_v11(load, data: dict, **rules) -> Scenario:
    """Load `data` with the given v1.1 rules (factory.v11); `activities` is set
    on the model too, so these tests do not depend on the loader reading it."""
    sc = load(factory.v11(data, **rules))
    acts = {k: rules.get(k) for k in ("min_minutes", "max_switches_per_shift")}
    return (
        sc
        if acts == dict.fromkeys(acts)
        else sc.model_copy(update={"activities": Activities(**acts)})
    )


def found(report) -> list[tuple[str, str, str]]:
    return sorted((v.rule, v.agent_id, v.when) for v in report.violations)


def check(sc, segments: list[dict]):
    return check_roster(sc, Roster.from_segments(segments))


def days(agent: str, which: list[int], begin: str = "09:00", end: str = "18:00", **kw) -> list:
    return [s for d in which for s in shift(agent, d, begin, end, **kw)]


NIGHTS = {"begin": "22:00", "end": "07:00", "brk": "02:00"}  # 7 paid hours inside 22:00-06:00


def every_new_rule_broken() -> list[dict]:
    """A1: starts 09:00 and 14:00, 3 queue changes and two 60-min stretches;
    A2: five nights in a row; A3: no two days off together."""
    return (
        parts(
            "A1",
            0,
            ("09:00", "10:00", Q),
            ("10:00", "11:00", CHAT),
            ("11:00", "13:00", Q),
            ("13:00", "14:00", "BREAK"),
            ("14:00", "18:00", CHAT),
        )
        + shift("A1", 2, "14:00", "23:00", brk="18:00")
        + days("A2", [0, 1, 2, 3, 4], **NIGHTS)
        + days("A3", [0, 2, 4, 6])
    )


def test_a_v1_scenario_reports_nothing_new(load, mini_data):
    """Rules left out are no rules: the same roster breaks all five once they are set."""
    roster = every_new_rule_broken()
    assert check(load(with_chat(mini_data)), roster).ok
    sc = load_v11(
        load,
        with_chat(mini_data),
        start_band_hours=2,
        days_off_together=2,
        max_consecutive_nights=4,
        min_minutes=120,
        max_switches_per_shift=2,
    )
    assert sorted((v.rule, v.agent_id) for v in check(sc, roster).violations) == [
        ("consecutive nights", "A2"),
        ("days off together", "A3"),
        ("minimum stretch", "A1"),
        ("minimum stretch", "A1"),
        ("queue switches", "A1"),
        ("start band", "A1"),
    ]


def test_start_band_binds(load, mini_data):
    sc = load_v11(load, mini_data, start_band_hours=2)
    report = check(sc, days("A1", [0]) + shift("A1", 2, "14:00", "23:00", brk="18:00"))
    assert found(report) == [("start band", "A1", MON)]
    assert "09:00, 14:00 span 5 h" in report.violations[0].detail
    assert "band 2 h" in report.violations[0].detail
    # 09:00 and 11:00: exactly on the 2-h band, allowed
    assert check(sc, days("A1", [0]) + shift("A1", 2, "11:00", "20:00", brk="15:00")).ok


def test_start_band_is_per_week_and_zero_for_one_shift(load, mini_data):
    sc = load_v11(load, horizon(mini_data, days=14), start_band_hours=0)
    one_a_week = days("A1", [0]) + shift("A1", 7, "18:00", "03:00", brk="22:00")
    assert check(sc, one_a_week).ok
    assert found(check(sc, one_a_week + shift("A1", 9, "19:00", "04:00", brk="23:00"))) == [
        ("start band", "A1", "week of 2027-03-08")
    ]


def test_start_band_is_measured_round_the_clock(load, mini_data):
    """23:30 and 00:30 are 1 h apart (a night team keeps its band across
    midnight); 23:30 and 02:30 are 3 h apart."""
    data = horizon(mini_data, interval=30)
    data["rules"]["PT"]["start_step_minutes"] = 30
    sc = load_v11(load, data, start_band_hours=2)
    monday = shift("A1", 0, "23:30", "08:30", brk="03:30")
    assert check(sc, monday + shift("A1", 2, "00:30", "09:30", brk="04:30")).ok
    report = check(sc, monday + shift("A1", 2, "02:30", "11:30", brk="06:30"))
    assert found(report) == [("start band", "A1", MON)]
    assert "span 3 h" in report.violations[0].detail


@given(st.sets(st.integers(0, 1439), min_size=1, max_size=8))
def test_start_arc_is_the_shortest_arc_holding_every_start(starts):
    brute = min(max((m - p) % 1440 for m in starts) for p in starts)
    assert start_arc_minutes(starts) == brute


def test_days_off_together_binds(load, mini_data):
    sc = load_v11(load, mini_data, days_off_together=2)
    report = check(sc, days("A1", [0, 2, 4, 6]))  # off Tue, Thu, Sat: never two together
    assert found(report) == [("days off together", "A1", MON)]
    assert report.violations[0].detail.startswith("longest run of days off is 1 (needs 2)")
    assert check(sc, days("A1", [0, 2, 3, 4])).ok  # Sat and Sun off


def test_days_off_together_counts_leave_as_a_day_off(load, mini_data):
    mini_data["agents"][0]["leave"] = "2027-03-02..2027-03-03"
    sc = load_v11(load, mini_data, days_off_together=2)
    assert check(sc, days("A1", [0, 3, 4, 5])).ok  # Tue and Wed on leave


def test_a_sunday_monday_pair_counts_for_neither_week(load, mini_data):
    sc = load_v11(load, horizon(mini_data, days=14), days_off_together=2)
    # off Sun 7 and Mon 8 together, otherwise single days off in both weeks
    report = check(sc, days("A1", [0, 2, 4, 5, 8, 10, 12, 13]))
    assert found(report) == [
        ("days off together", "A1", MON),
        ("days off together", "A1", "week of 2027-03-08"),
    ]


def test_a_week_partly_outside_the_horizon_is_exempt_from_days_off_together(load, mini_data):
    # horizon Wed 3 – Tue 16 March: only the week of 8 March lies wholly inside
    sc = load_v11(load, horizon(mini_data, days=14, start="2027-03-03"), days_off_together=2)
    start = dt.date(2027, 3, 3)
    work = [0, 2, 4, 5, 6, 8, 9, 11, 12, 13]  # single days off in every week
    report = check(sc, days("A1", work, start=start))
    assert found(report) == [("days off together", "A1", "week of 2027-03-08")]


def test_consecutive_nights_binds(load, mini_data):
    sc = load_v11(load, mini_data, max_consecutive_nights=4)
    report = check(sc, days("A1", [0, 1, 2, 3, 4], **NIGHTS))
    assert found(report) == [("consecutive nights", "A1", "2027-03-05")]
    assert "5 night shifts in a row from 2027-03-01 (limit 4" in report.violations[0].detail
    assert check(sc, days("A1", [0, 1, 2, 3, 5], **NIGHTS)).ok  # Friday off breaks the run


def test_a_night_shift_needs_three_paid_hours_in_the_window(load, mini_data):
    """16:00–01:00 has 3 h inside 22:00–06:00: a night shift with its unpaid
    break at 19:00, not one with the break at 22:00 (2 paid hours inside)."""
    mini_data["rules"]["PT"]["break"]["after_hours"] = [3, 7]
    sc = load_v11(load, mini_data, max_consecutive_nights=0)
    assert check(sc, shift("A1", 0, "16:00", "01:00", brk="22:00")).ok
    report = check(sc, shift("A1", 0, "16:00", "01:00", brk="19:00"))
    assert found(report) == [("consecutive nights", "A1", "2027-03-01")]
    evening = shift("A1", 0, "14:00", "23:00", brk="18:00")  # 1 h inside
    assert check(sc, evening).ok


def test_minimum_stretch_binds(load, mini_data):
    sc = load_v11(load, with_chat(mini_data), min_minutes=120)
    morning = [("09:00", "13:00", Q), ("13:00", "14:00", "BREAK")]
    report = check(sc, parts("A1", 0, *morning, ("14:00", "17:00", Q), ("17:00", "18:00", CHAT)))
    assert found(report) == [
        ("minimum stretch", "A1", "2027-03-01T17:00:00+00:00 (2027-03-01T17:00:00Z)")
    ]
    assert report.violations[0].detail == f"60 min on {CHAT} (minimum 120)"
    assert check(sc, parts("A1", 0, *morning, ("14:00", "16:00", Q), ("16:00", "18:00", CHAT))).ok


def test_queue_switches_binds(load, mini_data):
    sc = load_v11(load, with_chat(mini_data), max_switches_per_shift=2)
    lunch = ("13:00", "14:00", "BREAK")
    bad = parts(
        "A1", 0, ("09:00", "11:00", Q), ("11:00", "13:00", CHAT), lunch,
        ("14:00", "16:00", Q), ("16:00", "18:00", CHAT),
    )  # fmt: skip
    report = check(sc, bad)
    assert [(v.rule, v.agent_id) for v in report.violations] == [("queue switches", "A1")]
    assert report.violations[0].detail.startswith("3 queue changes (limit 2)")
    fixed = parts(
        "A1", 0, ("09:00", "11:00", Q), ("11:00", "13:00", CHAT), lunch,
        ("14:00", "16:00", CHAT), ("16:00", "18:00", Q),
    )  # fmt: skip
    assert check(sc, fixed).ok


def test_a_break_inside_a_stretch_does_not_end_it(load, mini_data):
    """Voice 09–13, break, voice 14–15 is one 300-min stretch, not 240 + 60,
    and the shift has one queue change, not two."""
    sc = load_v11(load, with_chat(mini_data), min_minutes=120, max_switches_per_shift=1)
    roster = parts(
        "A1", 0, ("09:00", "13:00", Q), ("13:00", "14:00", "BREAK"),
        ("14:00", "15:00", Q), ("15:00", "18:00", CHAT),
    )  # fmt: skip
    assert check(sc, roster).ok
    got = stretches(Roster.from_segments(roster).segments)
    assert list(zip(got["activity"], got["minutes"], strict=True)) == [(Q, 300), (CHAT, 180)]


@settings(deadline=None)  # pandas work per example: no wall-clock limit on a busy machine
@given(
    st.lists(
        st.lists(
            st.tuples(st.sampled_from([Q, CHAT, "BREAK"]), st.sampled_from([30, 60])), max_size=9
        ),
        min_size=1,
        max_size=3,
    )
)
def test_stretches_match_a_brute_force_count(shifts):
    """Random shifts of segments: stretches (and so switches = stretches − 1)
    are the runs of equal queues once the breaks are dropped."""
    rows, expected = [], []
    for day, pieces in enumerate(shifts):
        t = at(day, "09:00")
        runs: list[list] = []
        for activity, minutes in pieces:
            rows.append(
                {"agent_id": "A1", "site": "LIS", "shift_date": dt.date(2027, 3, 1 + day)}
                | {"start": t, "end": t + minutes, "activity": activity}
            )
            t += minutes
            if activity == "BREAK":
                continue
            if runs and runs[-1][0] == activity:
                runs[-1][1] += minutes
            else:
                runs.append([activity, minutes])
        expected += [(day, a, m) for a, m in runs]
    roster = Roster.from_segments(rows)
    got = stretches(roster.segments)
    assert [
        ((d - dt.date(2027, 3, 1)).days, a, m)
        for d, a, m in zip(got["shift_date"], got["activity"], got["minutes"], strict=True)
    ] == expected
    per_shift = got.groupby("shift_date").size() - 1
    assert int(per_shift.sum()) == roster.switches()
