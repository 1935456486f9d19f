"""iCalendar export (RFC 5545/5546): one calendar per agent, one event per shift.

Each event is the whole shift in the site's zone (`DTSTART;TZID=Europe/Lisbon:…`
with a VTIMEZONE), so a calendar app shows the agent's wall clock and still
lands the shift on its real UTC instant, across a DST change too. Its
DESCRIPTION lists every stretch in time order with its local times (each
queue, each break); one event per shift keeps the calendar readable, where
an event per stretch would be drawn side by side with the shift (apps ignore
RELATED-TO) — see docs/exports.md.

Calendars are published (`METHOD:PUBLISH`). Given the previous export, an
unchanged shift keeps its SEQUENCE and LAST-MODIFIED, a changed one gets
SEQUENCE + 1 and LAST-MODIFIED = now, and a shift that is gone is published
again as `STATUS:CANCELLED` (SEQUENCE + 1), so subscribed calendars drop it.
UIDs are `<scenario>-<agent>-<shift date>@sunroster`: the same shift keeps
its UID through every re-solve.

Events are written as content lines here (escaped, folded at 75 octets);
`icalendar` makes each zone's VTIMEZONE once and reads previous exports.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import icalendar
import numpy as np

from optimizer.export.tables import hhmm, local_minutes, local_shifts, segment_shift
from optimizer.roster import BREAK, Roster
from optimizer.scenario.model import Scenario
from optimizer.tz import zone, zone_names

PRODID = "-//Sunroster//Roster export//EN"
WEEKDAY = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CRLF = "\r\n"


class PreviousExportError(ValueError):
    """The previous export cannot be read (the CLI names the file, exit 2)."""


def safe_name(text: str) -> str:
    """A file-name-safe form of an id."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text) or "_"


# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class Event:
    """A published shift: what a subscriber sees, and its publication history."""

    uid: str
    start: int  # UTC epoch minutes
    end: int
    tz: str  # IANA zone of DTSTART/DTEND; "UTC" writes them in UTC
    summary: str
    description: str
    location: str
    status: str = "CONFIRMED"  # or CANCELLED
    sequence: int = 0
    created: dt.datetime | None = None
    modified: dt.datetime | None = None

    def seen(self) -> tuple:
        """What decides whether a re-published event changed."""
        return (self.start, self.end, self.tz, self.summary, self.description,
                self.location, self.status)  # fmt: skip


def published(new: Event, before: Event | None, stamp: dt.datetime) -> Event:
    """`new` with SEQUENCE, CREATED and LAST-MODIFIED following its previous version."""
    if before is None:
        return replace(new, sequence=0, created=stamp, modified=stamp)
    created = before.created or stamp
    if before.seen() == new.seen():
        return replace(new, sequence=before.sequence, created=created,
                       modified=before.modified or stamp)  # fmt: skip
    return replace(new, sequence=before.sequence + 1, created=created, modified=stamp)


def cancelled(before: Event, stamp: dt.datetime) -> Event:
    """A previous event that is gone, published again as cancelled."""
    summary = (
        before.summary
        if before.summary.startswith("Cancelled: ")
        else f"Cancelled: {before.summary}"
    )
    return published(replace(before, summary=summary, status="CANCELLED"), before, stamp)


# ---------------------------------------------------------------- description


def stretch_lines(
    tz: str, starts: np.ndarray, ends: np.ndarray, activities: list[str], paid_break: bool
) -> list[str]:
    """The description's lines, one per stretch: `09:00–13:00  PT-pt-voice`.

    Times are the site's wall clock. When the shift spans two local dates
    each time carries its weekday (`Sat 22:00`); when it spans a change of
    UTC offset each time carries the zone's abbreviation (`01:30 WEST`), so
    no line is ambiguous."""
    t = np.column_stack([starts, ends]).ravel().astype(np.int64)
    wall, offset = local_minutes(np.full(len(t), tz, dtype=object), t)
    clock = hhmm(wall % 1440).tolist()
    return _lines(tz, t.tolist(), wall.tolist(), offset.tolist(), clock, activities, paid_break)


def _lines(
    tz: str, t: list[int], wall: list[int], offset: list[int], clock: list[str],
    activities: list[str], paid_break: bool,
) -> list[str]:  # fmt: skip
    """`stretch_lines` on precomputed instants: per stretch its start then its end."""
    days = wall[0] // 1440 != wall[-1] // 1440
    offsets = min(offset) != max(offset)
    labels = clock
    if days:
        labels = [f"{WEEKDAY[(w // 1440 + 3) % 7]} {c}" for w, c in zip(wall, labels, strict=True)]
    if offsets:
        labels = [
            f"{c} {_utc(x).astimezone(zone(tz)).tzname()}" for x, c in zip(t, labels, strict=True)
        ]
    lines = []
    for i, what in enumerate(activities):
        if what == BREAK:
            what = "Break (paid)" if paid_break else "Break (unpaid)"
        lines.append(f"{labels[2 * i]}–{labels[2 * i + 1]}  {what}")
    return lines


# ---------------------------------------------------------------- calendars


def agent_calendars(
    scenario: Scenario,
    roster: Roster,
    stamp: dt.datetime | None = None,
    previous: Mapping[str, bytes] | None = None,
) -> dict[str, bytes]:
    """`{calendar key: ics bytes}`: one calendar per agent with a shift, keyed by
    `safe_name(agent_id)` (the file name without `.ics`).

    `stamp` is this publication's time (DTSTAMP, and LAST-MODIFIED of what
    changed; default now, UTC). `previous` is the previous export, `{key: ics
    bytes}` as returned here or read by `read_previous`: with it, sequences
    grow on change and vanished shifts are published as cancelled — also in
    the calendar of an agent who has no shift left.
    """
    stamp = (stamp or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    before = {key: parse_events(key, data) for key, data in (previous or {}).items()}
    calendars: dict[str, tuple[str, str | None, list[Event]]] = {}
    for agent_id, title, tz, events in _shift_events(scenario, roster):
        key = safe_name(agent_id)
        old = before.pop(key, {})
        out = [published(ev, old.pop(ev.uid, None), stamp) for ev in events]
        out += [_carry(ev, stamp) for ev in old.values()]
        calendars[key] = (title, tz, out)
    for key, old in sorted(before.items()):  # agents with no shift left
        if old:
            calendars[key] = (f"Shifts of {key}", None, [_carry(ev, stamp) for ev in old.values()])
    zones = _zone_ranges(ev for _, _, evs in calendars.values() for ev in evs)
    return {
        key: _calendar_text(title, tz, events, stamp, zones).encode("utf-8")
        for key, (title, tz, events) in calendars.items()
    }


def _carry(before: Event, stamp: dt.datetime) -> Event:
    """A previous event with no shift now: cancelled (once; then carried unchanged)."""
    return cancelled(before, stamp)


def _shift_events(scenario: Scenario, roster: Roster) -> list[tuple[str, str, str, list[Event]]]:
    """Per agent with a shift: id, calendar title, zone and one event per shift."""
    shifts = local_shifts(scenario, roster).sort_values(["agent_id", "start"], kind="stable")
    if shifts.empty:
        return []
    seg = roster.segments
    k = segment_shift(roster)
    order = np.lexsort((seg["start"].to_numpy(), k))
    k = k[order]
    s_t, e_t = seg["start"].to_numpy(np.int64)[order], seg["end"].to_numpy(np.int64)[order]
    act = [str(x) for x in seg["activity"].to_numpy(object)[order]]
    tz_of_shift = (
        roster.shifts["site"].map({s.id: s.timezone for s in scenario.sites}).fillna("UTC")
    ).to_numpy(object)
    t = np.column_stack([s_t, e_t]).ravel()
    wall, offset = local_minutes(np.repeat(tz_of_shift[k], 2), t)
    clock = hhmm(wall % 1440).tolist()
    t_, wall_, offset_ = t.tolist(), wall.tolist(), offset.tolist()
    bounds = np.searchsorted(k, np.arange(len(roster.shifts) + 1)).tolist()
    position = {
        (a, d): i
        for i, (a, d) in enumerate(
            zip(
                roster.shifts["agent_id"].tolist(),
                roster.shifts["shift_date"].tolist(),
                strict=True,
            )
        )
    }
    paid_break = {
        s.id: (b := scenario.rules_of(s).break_) is None or b.paid for s in scenario.sites
    }
    place = {s.id: s.city or s.country for s in scenario.sites}
    cols = {c: shifts[c].tolist() for c in ("agent_id", "agent_name", "site", "timezone",
                                              "shift_date", "start", "end", "shift", "paid_hours")}  # fmt: skip
    out: list[tuple[str, str, str, list[Event]]] = []
    for agent_id, name, site, tz, day, start, end, text, paid in zip(*cols.values(), strict=True):
        if not out or out[-1][0] != agent_id:
            out.append((agent_id, f"Shifts of {name or agent_id} ({agent_id})", tz, []))
        i = position[(agent_id, day)]
        a, b = bounds[i], bounds[i + 1]
        lines = _lines(tz, t_[2 * a : 2 * b], wall_[2 * a : 2 * b], offset_[2 * a : 2 * b],
                       clock[2 * a : 2 * b], act[a:b], paid_break.get(site, True))  # fmt: skip
        queues = list(dict.fromkeys(x for x in act[a:b] if x != BREAK))
        out[-1][3].append(
            Event(
                uid=f"{scenario.scenario}-{agent_id}-{day.isoformat()}@sunroster",
                start=int(start), end=int(end), tz=tz,
                summary=f"Shift {site}: {', '.join(queues) or 'no queue'}",
                description="\n".join(
                    [f"Shift {text} ({tz}), {paid:g} paid hours", "", *lines]
                ),
                location=f"{place.get(site, site)} ({site})",
            )
        )  # fmt: skip
    return out


# ---------------------------------------------------------------- writing


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\n")
        .replace("\n", "\\n")
    )  # fmt: skip


def _fold(line: str) -> str:
    """A content line folded at 75 octets (RFC 5545 §3.1), never inside a character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line + CRLF
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines start with a space
    return (CRLF + " ").join(parts) + CRLF


def _utc(minutes: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(minutes) * 60, dt.UTC)


def _utc_text(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _instant(name: str, minutes: int, tz: str) -> str:
    if tz == "UTC" or tz not in zone_names():
        return _fold(f"{name}:{_utc_text(_utc(minutes))}")
    local = _utc(minutes).astimezone(zone(tz))
    return _fold(f"{name};TZID={tz}:{local:%Y%m%dT%H%M%S}")


def _zone_ranges(events) -> dict[str, tuple[dt.date, dt.date]]:
    """Per zone used: the first and last date its VTIMEZONE must cover."""
    ranges: dict[str, tuple[dt.date, dt.date]] = {}
    for ev in events:
        if ev.tz == "UTC" or ev.tz not in zone_names():
            continue
        a, b = _utc(ev.start).date(), _utc(ev.end).date()
        lo, hi = ranges.get(ev.tz, (a, b))
        ranges[ev.tz] = (min(lo, a), max(hi, b))
    return ranges


@cache
def vtimezone(tz: str, first: dt.date, last: dt.date) -> str:
    """The VTIMEZONE of zone `tz` covering `first`…`last` (a day either side)."""
    component = icalendar.Timezone.from_tzinfo(
        zone(tz),
        tzid=tz,
        first_date=first - dt.timedelta(days=1),
        last_date=last + dt.timedelta(days=1),
    )
    text = component.to_ical().decode("utf-8")
    return text if text.endswith(CRLF) else text + CRLF


def _calendar_text(
    title: str, tz: str | None, events: list[Event], stamp: dt.datetime,
    zones: Mapping[str, tuple[dt.date, dt.date]],
) -> str:  # fmt: skip
    out = [
        "BEGIN:VCALENDAR" + CRLF, _fold(f"PRODID:{PRODID}"), "VERSION:2.0" + CRLF,
        "CALSCALE:GREGORIAN" + CRLF, "METHOD:PUBLISH" + CRLF,
        _fold(f"X-WR-CALNAME:{_escape(title)}"),
    ]  # fmt: skip
    if tz:
        out.append(_fold(f"X-WR-TIMEZONE:{tz}"))
    for name in sorted({ev.tz for ev in events} & set(zones)):
        out.append(vtimezone(name, *zones[name]))
    for ev in events:
        out += [
            "BEGIN:VEVENT" + CRLF,
            _fold(f"UID:{_escape(ev.uid)}"),
            f"DTSTAMP:{_utc_text(stamp)}" + CRLF,
            _instant("DTSTART", ev.start, ev.tz),
            _instant("DTEND", ev.end, ev.tz),
            _fold(f"SUMMARY:{_escape(ev.summary)}"),
            _fold(f"LOCATION:{_escape(ev.location)}"),
            _fold(f"DESCRIPTION:{_escape(ev.description)}"),
            f"STATUS:{ev.status}" + CRLF,
            f"TRANSP:{'TRANSPARENT' if ev.status == 'CANCELLED' else 'OPAQUE'}" + CRLF,
            f"SEQUENCE:{ev.sequence}" + CRLF,
            f"CREATED:{_utc_text(ev.created or stamp)}" + CRLF,
            f"LAST-MODIFIED:{_utc_text(ev.modified or stamp)}" + CRLF,
            "END:VEVENT" + CRLF,
        ]
    out.append("END:VCALENDAR" + CRLF)
    return "".join(out)


# ---------------------------------------------------------------- reading a previous export


def _minutes(value: dt.date | dt.datetime) -> int:
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(), dt.UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return int(value.timestamp() // 60)


def _stamp(ev: icalendar.Event, key: str) -> dt.datetime | None:
    if key not in ev:
        return None
    value = ev.decoded(key)
    return value.astimezone(dt.UTC) if isinstance(value, dt.datetime) else None


def parse_events(source: str, data: bytes) -> dict[str, Event]:
    """The events of one previous calendar by UID (PreviousExportError names `source`)."""
    try:
        cal = icalendar.Calendar.from_ical(data)
        out = {}
        for ev in cal.walk("VEVENT"):
            tz = str(ev["DTSTART"].params.get("TZID", "UTC"))
            out[str(ev["UID"])] = Event(
                uid=str(ev["UID"]), start=_minutes(ev.decoded("DTSTART")),
                end=_minutes(ev.decoded("DTEND")), tz=tz,
                summary=str(ev.get("SUMMARY", "")), description=str(ev.get("DESCRIPTION", "")),
                location=str(ev.get("LOCATION", "")), status=str(ev.get("STATUS", "CONFIRMED")),
                sequence=int(ev.get("SEQUENCE", 0)), created=_stamp(ev, "CREATED"),
                modified=_stamp(ev, "LAST-MODIFIED"),
            )  # fmt: skip
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PreviousExportError(f"{source}: not a readable iCalendar file ({exc})") from None
    return out


def read_previous(path: Path) -> dict[str, bytes]:
    """A previous export: a folder of `<agent>.ics` files or a `.zip` of them →
    `{key: bytes}` for `agent_calendars(previous=…)`. Each calendar is checked
    to parse (PreviousExportError names the file that does not)."""
    path = Path(path)
    found: dict[str, bytes] = {}
    if path.is_dir():
        for f in sorted(path.glob("*.ics")):
            found[f.stem] = f.read_bytes()
        where = {k: str(path / f"{k}.ics") for k in found}
    elif path.is_file() and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            for member in sorted(z.namelist()):
                if member.endswith(".ics") and "/" not in member:
                    found[member[:-4]] = z.read(member)
        where = {k: f"{path}:{k}.ics" for k in found}
    else:
        raise PreviousExportError(f"{path}: expected a folder of .ics files or a .zip of them")
    for key, data in found.items():
        parse_events(where[key], data)
    return found


def ics_zip(calendars: Mapping[str, bytes]) -> bytes:
    """The calendars as one zip: `<key>.ics` each, fixed timestamps (reproducible)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for key, data in calendars.items():
            info = zipfile.ZipInfo(f"{safe_name(key)}.ics", date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()
