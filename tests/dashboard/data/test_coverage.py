"""Coverage matrices, gap runs and service level over time of the hand-made roster."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.data import coverage
from tests.dashboard.conftest import SL1, Q, utc


def test_coverage_matrix_gap_per_queue_on_monday(hand):
    m = coverage.coverage_matrix(
        hand, by="queue", value="gap", start=utc("2027-03-01T08:00+00:00"),
        end=utc("2027-03-01T18:00+00:00"),
    )  # fmt: skip
    assert m.rows == [Q]
    assert m.x[0] == pd.Timestamp("2027-03-01 08:00")
    # 08–11 met, 12 short (break), 13–16 one over (no demand), 17 short
    assert m.z[0].tolist() == [0, 0, 0, 0, -1, 1, 1, 1, 1, -1]


def test_coverage_matrix_by_market_in_local_time(hand):
    m = coverage.coverage_matrix(
        hand, by="market", value="scheduled", clock="local", market="PT",
        start=utc("2027-03-02T12:00+00:00"), end=utc("2027-03-02T16:00+00:00"),
    )  # fmt: skip
    assert m.rows == ["PT"] and m.clock == "Europe/Lisbon"
    assert m.z.tolist() == [[1, 1, 1, 1]]  # A3 from Manila serves PT 12–16 UTC


def test_gap_runs_largest_first(hand):
    g = coverage.gap_runs(hand)
    assert g["start"].tolist() == [
        pd.Timestamp("2027-03-01 12:00"),
        pd.Timestamp("2027-03-01 17:00"),
    ]
    assert g["agent_hours_short"].tolist() == [1.0, 1.0]
    assert g["intervals"].tolist() == [1, 1]


def test_service_level_over_time_per_day(hand):
    d = coverage.service_level_over_time(hand, by="tier", freq="D")
    assert len(d) == 1
    row = d.iloc[0]
    assert row["period"] == pd.Timestamp("2027-03-01")
    assert row["service_level"] == pytest.approx(4 * SL1 / 6)
    assert row["target"] == pytest.approx(0.8)
    assert row["contacts"] == pytest.approx(6)
