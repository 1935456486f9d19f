"""The v1.1 queue stretches, minimum stretch and queue switches
(`optimizer.check.activities`)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.check import stretches
from optimizer.roster import Roster
from tests.check.helpers import CHAT, Q, at, check, found, load_v11, parts, with_chat


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
