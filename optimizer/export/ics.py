"""iCalendar export: one calendar per agent, one event per shift (RFC 5545).

Events are written in the site's zone (`DTSTART;TZID=Europe/Lisbon:…`) with
a VTIMEZONE for that zone covering the roster's year, so a calendar app
shows the agent's local wall clock and still lands every shift on its real
UTC instant, across a DST change too. The break and the queues go into the
description.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import icalendar

from optimizer.export.tables import local_shifts
from optimizer.roster import Roster
from optimizer.scenario.model import Scenario
from optimizer.tz import zone

PRODID = "-//Sunroster//Roster export//EN"


def _utc(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))


def agent_calendars(
    scenario: Scenario, roster: Roster, stamp: dt.datetime | None = None
) -> dict[str, bytes]:
    """`{agent_id: ics bytes}` for every agent with at least one shift.

    `stamp` is the DTSTAMP of every event (default: now, UTC); pass a fixed
    one for reproducible files.
    """
    stamp = stamp or dt.datetime.now(dt.UTC).replace(microsecond=0)
    shifts = local_shifts(scenario, roster)
    if shifts.empty:
        return {}
    first = dt.date.fromisoformat(shifts["shift_date"].min()) - dt.timedelta(days=400)
    last = dt.date.fromisoformat(shifts["shift_date"].max()) + dt.timedelta(days=400)
    out: dict[str, bytes] = {}
    for agent_id, rows in shifts.groupby("agent_id", sort=True):
        cal = icalendar.Calendar()
        cal.add("prodid", PRODID)
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        name = rows["agent_name"].iat[0] or agent_id
        cal.add("x-wr-calname", f"Shifts of {name} ({agent_id})")
        for r in rows.to_dict("records"):
            tz = zone(r["timezone"])
            ev = icalendar.Event()
            ev.add("uid", f"{scenario.scenario}-{agent_id}-{r['shift_date']}@sunroster")
            ev.add("dtstamp", stamp)
            ev.add("dtstart", _utc(r["start_utc"]).astimezone(tz))
            ev.add("dtend", _utc(r["end_utc"]).astimezone(tz))
            ev.add("summary", f"Shift {r['shift']} ({r['site']})")
            lines = [f"Site: {r['site']} ({r['timezone']})", f"Paid hours: {r['paid_hours']:g}"]
            if r["break"]:
                lines.append(f"Break: {r['break']}")
            if r["queues"]:
                lines.append(f"Queues: {r['queues']}")
            ev.add("description", "\n".join(lines))
            ev.add("transp", "OPAQUE")
            cal.add_component(ev)
        cal.add_missing_timezones(first_date=first, last_date=last)
        out[str(agent_id)] = cal.to_ical()
    return out


def safe_name(text: str) -> str:
    """A file-name-safe form of an id."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text) or "_"


def ics_zip(calendars: dict[str, bytes]) -> bytes:
    """The calendars as one zip: `<agent_id>.ics` each."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for agent_id, data in calendars.items():
            info = zipfile.ZipInfo(f"{safe_name(agent_id)}.ics", date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()
