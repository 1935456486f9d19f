"""iCalendar per agent, read back with the `icalendar` parser as a calendar app would.

Every stretch listed in an event's description is turned back into an
instant (the event's zone, its weekday and zone abbreviation when given) and
compared with roster.csv; re-publishing follows RFC 5546 (SEQUENCE,
LAST-MODIFIED, STATUS:CANCELLED).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from zoneinfo import ZoneInfo

import icalendar
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from optimizer.export import render
from optimizer.export.ics import (
    PreviousExportError,
    _fold,
    agent_calendars,
    read_previous,
    stretch_lines,
)
from optimizer.roster import BREAK, Roster
from tests.export.conftest import CHAT, VOICE, utc

T1 = dt.datetime(2027, 3, 1, 8, 0, tzinfo=dt.UTC)
T2 = dt.datetime(2027, 3, 20, 9, 30, tzinfo=dt.UTC)
T3 = dt.datetime(2027, 3, 21, 7, 0, tzinfo=dt.UTC)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
LINE = re.compile(
    r"^(?:(?P<d0>\w{3}) )?(?P<t0>\d\d:\d\d)(?: (?P<z0>\S+))?"
    r"–(?:(?P<d1>\w{3}) )?(?P<t1>\d\d:\d\d)(?: (?P<z1>\S+))?  (?P<what>.+)$"
)


def events(data: bytes) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}


def minutes(instant: dt.datetime) -> int:
    return (instant - EPOCH) // dt.timedelta(minutes=1)


def _instant(day0: dt.date, tz: ZoneInfo, weekday: str | None, clock: str, abbr: str | None):
    """A description time back to its UTC epoch minute."""
    day = day0
    if weekday:
        day = next(day0 + dt.timedelta(days=k) for k in range(7)
                   if WEEKDAYS[(day0 + dt.timedelta(days=k)).weekday()] == weekday)  # fmt: skip
    h, m = map(int, clock.split(":"))
    wall = dt.datetime.combine(day, dt.time(h, m))
    for fold in (0, 1):
        local = wall.replace(tzinfo=tz, fold=fold)
        if abbr is None or local.tzname() == abbr:
            return minutes(local.astimezone(dt.UTC))
    raise AssertionError(f"{wall} is never {abbr} in {tz}")


def stretches_of(ev: icalendar.Event) -> list[tuple[int, int, str]]:
    """(start, end, activity) of every stretch line of an event's description."""
    start = ev.decoded("DTSTART")
    tz = start.tzinfo
    out = []
    for line in str(ev["DESCRIPTION"]).splitlines()[2:]:
        m = LINE.match(line)
        assert m, line
        what = m["what"]
        if what.startswith("Break"):
            what = BREAK
        out.append((
            _instant(start.date(), tz, m["d0"], m["t0"], m["z0"]),
            _instant(start.date(), tz, m["d1"], m["t1"], m["z1"]),
            what,
        ))  # fmt: skip
    return out


def assert_calendars_match_the_roster(sc, roster, cals: dict[str, bytes]) -> None:
    """Every roster segment is a stretch line of its shift's event, at its instants."""
    seg = roster.to_frame(sc)
    assert set(cals) == set(seg["agent_id"])
    for agent_id, rows in seg.groupby("agent_id"):
        evs = events(cals[agent_id])
        assert len(evs) == rows["shift_date"].nunique()
        for day, shift in rows.groupby("shift_date"):
            ev = evs[f"{sc.scenario}-{agent_id}-{day}@sunroster"]
            expected = [
                (minutes(dt.datetime.fromisoformat(a.replace("Z", "+00:00"))),
                 minutes(dt.datetime.fromisoformat(b.replace("Z", "+00:00"))), act)
                for a, b, act in zip(shift["start_utc"], shift["end_utc"], shift["activity"], strict=True)
            ]  # fmt: skip
            expected.sort()
            assert stretches_of(ev) == expected
            start, end = ev.decoded("DTSTART"), ev.decoded("DTEND")
            assert str(start.tzinfo) == sc.site_by_id[shift["site"].iat[0]].timezone
            assert (minutes(start), minutes(end)) == (expected[0][0], expected[-1][1])


def test_every_stretch_of_the_hand_roster_is_at_its_instant(hand):
    sc, roster = hand
    cals = agent_calendars(sc, roster, stamp=T1)
    assert_calendars_match_the_roster(sc, roster, cals)


def test_every_stretch_of_a_solved_roster_is_at_its_instant(tiny_solved):
    sc, roster = tiny_solved
    assert_calendars_match_the_roster(sc, roster, agent_calendars(sc, roster, stamp=T1))


def test_a_night_across_the_dst_change_names_its_weekdays_and_zones(hand):
    sc, roster = hand
    ev = events(agent_calendars(sc, roster, stamp=T1)["A1"])["mini-A1-2027-03-27@sunroster"]
    text = str(ev["DESCRIPTION"]).splitlines()
    assert text[0] == "Shift 22:00–08:00 +1 (Europe/Lisbon), 8 paid hours"
    assert text[2:] == [
        "Sat 22:00 WET–Sun 02:00 WEST  PT-pt-voice",
        "Sun 02:00 WEST–Sun 03:00 WEST  Break (unpaid)",
        "Sun 03:00 WEST–Sun 08:00 WEST  PT-pt-voice",
    ]
    real = ev.decoded("DTEND").astimezone(dt.UTC) - ev.decoded("DTSTART").astimezone(dt.UTC)
    assert real == dt.timedelta(hours=9)


def test_a_day_shift_lists_its_queues_without_weekdays(hand):
    sc, roster = hand
    ev = events(agent_calendars(sc, roster, stamp=T1)["A1"])["mini-A1-2027-03-22@sunroster"]
    assert str(ev["DESCRIPTION"]).splitlines()[2:] == [
        "09:00–13:00  PT-pt-voice", "13:00–14:00  Break (unpaid)", "14:00–18:00  PT-pt-chat",
    ]  # fmt: skip
    assert str(ev["SUMMARY"]) == f"Shift LIS: {VOICE}, {CHAT}"
    assert str(ev["LOCATION"]) == "Lisbon (LIS)"


def test_a_calendar_is_published_with_its_zone(hand):
    sc, roster = hand
    data = agent_calendars(sc, roster, stamp=T1)["A1"]
    cal = icalendar.Calendar.from_ical(data)
    assert (cal["METHOD"], cal["VERSION"]) == ("PUBLISH", "2.0")
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Lisbon"]
    text = data.decode()
    assert "DTSTART;TZID=Europe/Lisbon:20270327T220000\r\n" in text
    assert "DTEND;TZID=Europe/Lisbon:20270328T080000\r\n" in text
    for ev in cal.walk("VEVENT"):
        assert (ev["STATUS"], ev["SEQUENCE"]) == ("CONFIRMED", 0)
        assert ev.decoded("LAST-MODIFIED") == ev.decoded("DTSTAMP") == T1


def _moved_and_removed() -> Roster:
    """The hand roster with Tuesday's shift an hour later and Wednesday's gone."""
    seg = Roster.from_segments(hand_segments()).segments
    tue, wed = dt.date(2027, 3, 23), dt.date(2027, 3, 24)
    seg = seg[seg["shift_date"] != wed].copy()
    seg.loc[seg["shift_date"] == tue, ["start", "end"]] += 60
    return Roster.from_segments(seg)


def hand_segments():
    from tests.export.conftest import hand_roster

    return hand_roster().segments


def test_republishing_raises_the_sequence_of_a_changed_shift_and_cancels_a_removed_one(hand):
    sc, roster = hand
    first = agent_calendars(sc, roster, stamp=T1)
    second = agent_calendars(sc, _moved_and_removed(), stamp=T2, previous=first)
    evs = events(second["A1"])
    assert len(evs) == 6  # five shifts and one cancellation
    same = evs["mini-A1-2027-03-22@sunroster"]
    assert (same["SEQUENCE"], same.decoded("LAST-MODIFIED")) == (0, T1)
    moved = evs["mini-A1-2027-03-23@sunroster"]
    assert (moved["SEQUENCE"], moved.decoded("LAST-MODIFIED"), moved["STATUS"]) == (
        1,
        T2,
        "CONFIRMED",
    )
    assert moved.decoded("DTSTART").hour == 10
    gone = evs["mini-A1-2027-03-24@sunroster"]
    assert (gone["STATUS"], gone["SEQUENCE"], gone.decoded("LAST-MODIFIED")) == ("CANCELLED", 1, T2)
    assert gone.decoded("DTSTART") == events(first["A1"])["mini-A1-2027-03-24@sunroster"].decoded(
        "DTSTART"
    )
    assert str(gone["SUMMARY"]).startswith("Cancelled: ")
    assert gone.decoded("CREATED") == T1

    # published again unchanged: nothing moves, the cancellation stays as it was
    third = events(agent_calendars(sc, _moved_and_removed(), stamp=T3, previous=second)["A1"])
    for uid, ev in evs.items():
        assert (third[uid]["SEQUENCE"], third[uid].decoded("LAST-MODIFIED")) == (
            ev["SEQUENCE"], ev.decoded("LAST-MODIFIED")
        )  # fmt: skip
        assert third[uid].decoded("DTSTAMP") == T3


def test_a_shift_that_comes_back_is_confirmed_with_a_higher_sequence(hand):
    sc, roster = hand
    first = agent_calendars(sc, roster, stamp=T1)
    second = agent_calendars(sc, _moved_and_removed(), stamp=T2, previous=first)
    third = events(agent_calendars(sc, roster, stamp=T3, previous=second)["A1"])
    back = third["mini-A1-2027-03-24@sunroster"]
    assert (back["STATUS"], back["SEQUENCE"], back.decoded("LAST-MODIFIED")) == ("CONFIRMED", 2, T3)


def test_an_agent_with_no_shift_left_gets_only_cancellations(hostile):
    sc, roster = hostile
    first = agent_calendars(sc, roster, stamp=T1)
    assert set(first) == {"A1", "A2"}
    only_a1 = Roster.from_segments(roster.segments[roster.segments["agent_id"] == "A1"])
    second = agent_calendars(sc, only_a1, stamp=T2, previous=first)
    (ev,) = events(second["A2"]).values()
    assert (ev["STATUS"], ev["SEQUENCE"]) == ("CANCELLED", 1)


def test_previous_export_from_a_folder_or_a_zip(hand, tmp_path):
    sc, roster = hand
    cals = agent_calendars(sc, roster, stamp=T1)
    folder = tmp_path / "cal"
    folder.mkdir()
    (folder / "A1.ics").write_bytes(cals["A1"])
    (folder / "notes.txt").write_text("not a calendar")
    assert read_previous(folder) == cals
    z = tmp_path / "cal.zip"
    ((_, data),) = render(sc, roster, "ics", stamp=T1).items()
    z.write_bytes(data)
    assert read_previous(z) == cals


def test_an_unreadable_previous_export_names_the_file(tmp_path):
    folder = tmp_path / "cal"
    folder.mkdir()
    (folder / "A1.ics").write_text("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n")
    with pytest.raises(PreviousExportError, match=r"A1\.ics"):
        read_previous(folder)
    with pytest.raises(PreviousExportError, match="expected a folder"):
        read_previous(tmp_path / "missing")


def test_the_zip_holds_one_valid_calendar_per_agent(hostile):
    sc, roster = hostile
    ((name, data),) = render(sc, roster, "ics", stamp=T1).items()
    assert name == "mini-calendars.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.namelist() == ["A1.ics", "A2.ics"]
        cal = icalendar.Calendar.from_ical(z.read("A2.ics"))
    assert str(cal["X-WR-CALNAME"]) == 'Shifts of =HYPERLINK("x") (A2)'
    (ev,) = cal.walk("VEVENT")
    assert "10:00–11:00  =1+2" in str(ev["DESCRIPTION"])


@given(st.text(min_size=0, max_size=300))
def test_folded_lines_are_at_most_75_octets_and_unfold_to_the_line(text):
    line = "DESCRIPTION:" + text.replace("\r", "").replace("\n", "")
    folded = _fold(line)
    parts = folded.split("\r\n")
    assert parts[-1] == ""
    assert all(len(p.encode()) <= 75 for p in parts)
    assert "".join(p[1:] if i else p for i, p in enumerate(parts[:-1])) == line


def test_stretch_lines_read_the_site_clock():
    t = pd.Series([utc("2027-03-22", "09:00"), utc("2027-03-22", "13:00")])
    e = t + 60
    assert stretch_lines("Europe/Lisbon", t.to_numpy(), e.to_numpy(), [VOICE, BREAK], True) == [
        "09:00–10:00  PT-pt-voice", "13:00–14:00  Break (paid)",
    ]  # fmt: skip
