"""The roster Gantt's filters on the hand-made roster (site-local times)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.data import roster
from tests.dashboard.conftest import Q


def test_gantt_filters(hand):
    seg = hand.segments
    mnl = roster.gantt_filter(seg, site="MNL")
    assert mnl["agent_id"].tolist() == ["A3"]
    assert mnl["start_local"].iloc[0] == pd.Timestamp("2027-03-02 20:00")  # Manila wall clock
    assert set(roster.gantt_filter(seg, language="es")["agent_id"]) == {"A1"}
    assert set(roster.gantt_filter(seg, team="weekend")["agent_id"]) == {"A2"}
    sat = roster.gantt_filter(seg, date_from=dt.date(2027, 3, 6), date_to=dt.date(2027, 3, 6))
    assert sat["agent_id"].tolist() == ["A2"]
    a1 = roster.gantt_filter(seg, agents=["A1"], queue=Q)
    assert a1["activity"].tolist() == [Q, "BREAK", Q]  # the shift's break comes with it
