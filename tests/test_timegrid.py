"""The UTC grid and local clocks, with DST properties over the project's zones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from optimizer.timegrid import (
    TimeGrid,
    from_epoch_minutes,
    grid_bounds,
    iso_local,
    local_to_utc,
    to_epoch_minutes,
    utc_offsets,
)
from optimizer.tz import zone

REPO = Path(__file__).resolve().parents[1]
BASE_ZONES = {
    "Europe/Lisbon", "Europe/Warsaw", "Europe/Dublin", "Europe/Berlin", "Europe/London",
    "Asia/Manila", "Asia/Kuala_Lumpur", "Africa/Cairo", "America/Mexico_City",
    "America/Bogota", "America/New_York", "Asia/Tokyo", "Asia/Riyadh", "America/Sao_Paulo",
    "Australia/Sydney",
}  # fmt: skip


def project_zones() -> list[str]:
    """Every zone named in scenarios/*.yaml, plus the baseline's usual ones."""
    zones = set(BASE_ZONES)
    yaml = YAML(typ="safe", pure=True)
    for path in (REPO / "scenarios").glob("*.yaml"):
        doc = yaml.load(path.read_text(encoding="utf-8")) or {}
        for key in ("sites", "markets"):
            for item in doc.get(key) or []:
                if isinstance(item, dict) and isinstance(item.get("timezone"), str):
                    zones.add(item["timezone"])
    return sorted(zones)


ZONES = project_zones()
HORIZON = (dt.date(2027, 2, 20), dt.date(2027, 4, 10))  # baseline ± margins: US, EU DST changes


def test_lisbon_night_across_dst_lasts_eight_hours():
    start = local_to_utc("Europe/Lisbon", dt.date(2027, 3, 27), 22 * 60)
    end = local_to_utc("Europe/Lisbon", dt.date(2027, 3, 28), 7 * 60)
    assert end - start == 8 * 60
    assert iso_local(start, "Europe/Lisbon").endswith("22:00:00+00:00")
    assert iso_local(end, "Europe/Lisbon").endswith("07:00:00+01:00")


def test_skipped_wall_time_does_not_exist():
    # 01:30 on 28 March 2027 never happens in Lisbon (01:00 → 02:00)
    assert local_to_utc("Europe/Lisbon", dt.date(2027, 3, 28), 90) is None


def test_grid_spans_every_local_day():
    # Tokyo (+9) starts first, Mexico City (−6) ends last
    t0, t1 = grid_bounds(dt.date(2027, 3, 1), 28, 30, ["Asia/Tokyo", "America/Mexico_City"])
    assert from_epoch_minutes(t0) == dt.datetime(2027, 2, 28, 15, 0, tzinfo=dt.UTC)
    assert from_epoch_minutes(t1) == dt.datetime(2027, 3, 29, 6, 0, tzinfo=dt.UTC)


def test_local_frame_across_dst():
    g = TimeGrid.covering(dt.date(2027, 3, 27), 2, 60, ["Europe/Lisbon"])
    f = g.local("Europe/Lisbon")
    assert g.n == 47  # the 28th has 23 hours
    assert f.minute[:3].tolist() == [0, 60, 120]
    # 2027-03-28 00:00 WET is index 24; 01:00Z is local 02:00 WEST
    assert f.minute[24:27].tolist() == [0, 120, 180] and f.offset[25] == 60
    assert f.weekday[0] == 5 and f.weekday[24] == 6


def test_offsets_seen_in_a_span():
    t0 = to_epoch_minutes(dt.datetime(2027, 3, 1, tzinfo=dt.UTC))
    t1 = to_epoch_minutes(dt.datetime(2027, 4, 1, tzinfo=dt.UTC))
    assert utc_offsets("Europe/Lisbon", t0, t1) == {0, 60}
    assert utc_offsets("Asia/Kathmandu", t0, t1) == {345}


@pytest.mark.parametrize("tz", ZONES)
def test_every_dst_change_in_the_horizon_keeps_real_lengths(tz):
    """For each offset change of `tz` in the horizon, a shift from 3 h before
    to 3 h after it (in wall time) lasts 6 h minus the change."""
    z = zone(tz)
    day = HORIZON[0]
    while day < HORIZON[1]:
        a = dt.datetime.combine(day, dt.time(12), tzinfo=z)
        b = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(12), tzinfo=z)
        change = (b.utcoffset() - a.utcoffset()).total_seconds() // 60
        if change:
            start = local_to_utc(tz, day, 22 * 60)
            end = local_to_utc(tz, day + dt.timedelta(days=1), 7 * 60)
            assert start is not None and end is not None
            assert end - start == 9 * 60 - change
        day += dt.timedelta(days=1)


@settings(max_examples=300, deadline=None)
@given(
    tz=st.sampled_from(ZONES),
    day=st.dates(min_value=HORIZON[0], max_value=HORIZON[1]),
    minute=st.integers(0, 1439),
)
def test_local_utc_local_round_trip(tz, day, minute):
    t = local_to_utc(tz, day, minute)
    if t is None:  # a skipped wall time: the minute before the gap ended exists
        return
    back = from_epoch_minutes(t).astimezone(zone(tz))
    assert (back.date(), back.hour * 60 + back.minute) == (day, minute)


@settings(max_examples=100, deadline=None)
@given(
    tz=st.sampled_from(ZONES),
    start=st.dates(min_value=HORIZON[0], max_value=dt.date(2027, 3, 31)),
    days=st.integers(1, 10),
)
def test_grid_local_frame_matches_zoneinfo(tz, start, days):
    g = TimeGrid.covering(start, days, 30, [tz])
    f = g.local(tz)
    for k in np.linspace(0, g.n - 1, 7).astype(int):
        local = from_epoch_minutes(int(g.starts[k])).astimezone(zone(tz))
        assert f.ordinal[k] == local.date().toordinal()
        assert f.weekday[k] == local.weekday()
        assert f.minute[k] == local.hour * 60 + local.minute
