"""Requirements from a scenario: golden Erlang, service hours, holidays."""

from __future__ import annotations

import numpy as np

from optimizer.staffing.requirements import compute_requirements
from optimizer.timegrid import TimeGrid

VOICE = "PT-pt-voice"


def cell(req, stamp: str) -> int:
    g = req.grid
    import datetime as dt

    t = int(dt.datetime.fromisoformat(stamp).timestamp() // 60)
    return int(g.index(np.array([t]))[0])


def test_golden_through_the_scenario(load, mini_data):
    mini_data["horizon"]["interval_minutes"] = 30
    mini_data["shrinkage"] = 0.30
    mini_data["queues"][0]["aht_seconds"] = 180
    mini_data["demand"] = [(VOICE, "2027-03-01T10:00:00Z", 100)]
    req = compute_requirements(load(mini_data))
    k = cell(req, "2027-03-01T10:00:00+00:00")
    assert req.required[0, k] == 20 and req.raw[0, k] == 14
    assert req.required.sum() == 20  # every other interval has no contacts
    assert req.frame().shape == (req.grid.n, 4)


def test_business_hours_and_holidays(load, mini_data):
    # a T3 email queue, open Mon–Fri 09–17 Lisbon, closed on holidays; 2027-03-26 is Good Friday
    mini_data["horizon"].update({"start": "2027-03-22", "days": 7})
    mini_data["markets"][0].update({"tier": "T3", "holiday_demand_factor": 0.5})
    mini_data["queues"][0].update({"channel": "email", "id": "PT-pt-email"})
    mini_data["agents"][0]["channels"] = "email"
    mini_data["demand"] = [
        ("PT-pt-email", "2027-03-22T20:00:00Z", 10),  # Monday evening: handled Tuesday morning
        ("PT-pt-email", "2027-03-26T10:00:00Z", 10),  # Good Friday: closed
    ]
    sc = load(mini_data)
    req = compute_requirements(sc)
    assert req.contacts[0, cell(req, "2027-03-26T10:00:00+00:00")] == 5  # holiday factor 0.5
    g = TimeGrid.of(sc).local("Europe/Lisbon")
    assert not req.open[0, (g.weekday == 4)].any()  # Friday is a holiday
    assert req.open[0, (g.weekday == 1) & (g.minute == 9 * 60)].all()
    # the 20:00 mail is worked on Tuesday 09:00–… (24 h deadline in open time)
    tue = np.flatnonzero(req.required[0] > 0)
    assert tue.size and (g.weekday[tue] >= 1).all() and (g.minute[tue] >= 9 * 60).all()
