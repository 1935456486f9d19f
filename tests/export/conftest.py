"""A hand-made roster whose payroll is worked out by hand (see HAND below).

One Lisbon agent (base 10 EUR/h; reporting currency USD at 1 EUR = 1.1 USD)
in the local week Mon 22 – Sun 28 March 2027. Rule set PT of the mini
scenario, with a 48 h weekly maximum: night 22:00–06:00 x1.25, weekend
x1.5, holiday x2.0, overtime after 40 h x1.5, 60-minute unpaid break.
Portugal: Good Friday 26 Mar and Easter Sunday 28 Mar are public holidays;
Lisbon moves from WET (UTC+0) to WEST (UTC+1) at 2027-03-28T01:00Z.

  Mon 22 09:00–18:00, break 13–14     480 regular  (09–13 voice, 14–18 chat)
  Tue 23 09:00–18:00, break 13–14     480 regular
  Wed 24 09:00–18:00, break 13–14     480 regular
  Thu 25 22:00 → Fri 26 07:00, break 02–03
                                      120 night (Thu 22–24) + 360 holiday (Good Friday)
  Sat 27 22:00 WET → Sun 28 08:00 WEST (9 h of real time: the clocks jump), break 02–03 WEST
                                      120 weekend (Sat 22–24) + 360 holiday (Easter Sunday)
  Sun 28 22:00 → Mon 29 07:00 WEST, break 02–03
                                      120 holiday (Sun 22–24) + 300 night + 60 regular
                                      — and all 8 h are overtime (hours 41–48 of the week)

  regular 25 h, night 7 h, weekend 2 h, holiday 14 h, paid 48 h, overtime 8 h
  cost EUR: regular 24×10 + 1×10×1.5 = 255; night 2×12.5 + 5×12.5×1.5 = 118.75;
            weekend 2×15 = 30; holiday 12×20 + 2×20×1.5 = 300; total 703.75
  uplifts EUR: night 7×2.5 = 17.5; weekend 2×5 = 10; holiday 14×10 = 140;
               overtime 0.5×(1×10 + 5×12.5 + 2×20) = 56.25; base 48×10 = 480
  cost USD: 703.75 × 1.1 = 774.125
"""

from __future__ import annotations

import datetime as dt

import pytest

from optimizer.roster import BREAK, Roster
from optimizer.timegrid import local_to_utc
from tests import factory

VOICE, CHAT = "PT-pt-voice", "PT-pt-chat"


def utc(date: str, hhmm: str) -> int:
    h, m = map(int, hhmm.split(":"))
    t = local_to_utc("Europe/Lisbon", dt.date.fromisoformat(date), h * 60 + m)
    assert t is not None
    return t


def hand_data() -> dict:
    d = factory.mini(days=35)
    d["currency"] = "USD"
    d["fx"] = {"EUR": 1.1}
    d["rules"]["PT"]["max_hours_week"] = 48
    d["queues"].append(
        {"id": CHAT, "market": "PT", "language": "pt", "channel": "chat", "aht_seconds": 300}
    )
    d["agents"] = [
        {
            "id": "A1", "name": "Ana", "site": "LIS", "languages": "pt", "channels": "voice;chat",
            "min_hours_week": 0, "max_hours_week": 48,
        }
    ]  # fmt: skip
    d["demand"] = [
        [VOICE, "2027-03-22T10:00:00Z", 60],
        [CHAT, "2027-03-22T15:00:00Z", 40],
    ]
    return d


def hand_roster() -> Roster:
    rows = []

    def shift(date: str, end_date: str, start: str, end: str, brk: str, parts=None) -> None:
        b0 = end_date if brk < start else date
        bs, be = utc(b0, brk), utc(b0, brk) + 60
        a, z = utc(date, start), utc(end_date, end)
        for s, e, q in parts or [(a, bs, VOICE), (be, z, VOICE)]:
            rows.append(
                {"agent_id": "A1", "site": "LIS", "shift_date": dt.date.fromisoformat(date),
                 "start": s, "end": e, "activity": q}
            )  # fmt: skip
        rows.append(
            {"agent_id": "A1", "site": "LIS", "shift_date": dt.date.fromisoformat(date),
             "start": bs, "end": be, "activity": BREAK}
        )  # fmt: skip

    d = "2027-03-22"
    shift(d, d, "09:00", "18:00", "13:00",
          parts=[(utc(d, "09:00"), utc(d, "13:00"), VOICE), (utc(d, "14:00"), utc(d, "18:00"), CHAT)])  # fmt: skip
    shift("2027-03-23", "2027-03-23", "09:00", "18:00", "13:00")
    shift("2027-03-24", "2027-03-24", "09:00", "18:00", "13:00")
    shift("2027-03-25", "2027-03-26", "22:00", "07:00", "02:00")
    shift("2027-03-27", "2027-03-28", "22:00", "08:00", "02:00")
    shift("2027-03-28", "2027-03-29", "22:00", "07:00", "02:00")
    return Roster.from_segments(rows)


@pytest.fixture
def hand(load):
    """(scenario, roster) of the module doc."""
    return load(hand_data()), hand_roster()


# ---------------------------------------------------------------- names a spreadsheet must not run

INJECTION = '=HYPERLINK("x")'


def hostile_data() -> dict:
    """The hand scenario with accented names and a second agent whose name and team
    a spreadsheet would read as formulas (issue #24 item 10)."""
    d = hand_data()
    d["agents"][0].update(name="Ana Bogotá", team="Kraków")
    d["agents"].append(
        {"id": "A2", "name": INJECTION, "team": "+1", "site": "LIS", "languages": "pt",
         "channels": "voice", "min_hours_week": 0, "max_hours_week": 48}
    )  # fmt: skip
    return d


def hostile_roster() -> Roster:
    """The hand roster plus one shift of A2 on Tue 23 Mar, 10:00–19:00 Lisbon, whose
    first hour is a hand-edited activity `=1+2`."""
    rows = hand_roster().segments.to_dict("records")
    day = dt.date(2027, 3, 23)
    for start, end, what in (("10:00", "11:00", "=1+2"), ("11:00", "14:00", VOICE),
                             ("14:00", "15:00", BREAK), ("15:00", "19:00", VOICE)):  # fmt: skip
        rows.append({"agent_id": "A2", "site": "LIS", "shift_date": day,
                     "start": utc("2027-03-23", start), "end": utc("2027-03-23", end),
                     "activity": what})  # fmt: skip
    return Roster.from_segments(rows)


@pytest.fixture
def hostile(load):
    """(scenario, roster) with accents and formula-like names, see hostile_data."""
    return load(hostile_data()), hostile_roster()


@pytest.fixture(scope="session")
def tiny_solved():
    """The bundled tiny scenario and a short solve of it (shared by the module's tests)."""
    from optimizer.pipeline import prepare, run
    from optimizer.scenario.load import load_scenario
    from optimizer.solve.stop import StopCriteria
    from tests.conftest import REPO

    sc = load_scenario(REPO / "scenarios" / "tiny.yaml")
    out = run(prepare(sc), StopCriteria(time_limit=5, gap=0.05, workers=1))
    return sc, out.roster
