"""Rules on a shift against its agent: it starts on no day off, leave date
or site holiday (at a `holidays: off` site), fits the personal window, and
serves only queues the agent's skills and its site's data residency allow."""

from __future__ import annotations

import datetime as dt

from optimizer.calendars import Calendars
from optimizer.check.report import Violation, instant
from optimizer.check.shifts import Shifts
from optimizer.roster import BREAK
from optimizer.scenario.model import Scenario
from optimizer.tz import zone


def days_off_leave_and_holidays(sc: Scenario, sh: Shifts, cal: Calendars) -> list[Violation]:
    """No shift starts on an agent's weekday off, a leave date, or — at a
    `holidays: off` site — a site public holiday (by shift_date)."""
    out = []
    for _, r in sh.table.iterrows():
        a = sc.agent_by_id.get(r["agent_id"])
        if a is None:
            continue
        d = r["shift_date"]
        when = instant(sc, r["site"], r["start"])
        if d.weekday() in a.days_off:
            out.append(Violation("days off", a.id, when, f"{d:%a} is a day off"))
        if d in a.leave:
            out.append(Violation("leave", a.id, when, f"{d} is leave"))
        site = sc.site_by_id.get(r["site"])
        if site is not None and site.holidays == "off" and d in cal.site[site.id]:
            out.append(Violation("holiday off", a.id, when, f"{d} is {cal.site[site.id][d]}"))
    return out


def personal_window(sc: Scenario, sh: Shifts) -> list[Violation]:
    """A shift fits the agent's earliest_start/latest_end window; a window across
    midnight (22:00/07:00) may open on the start day or the day before."""
    out = []
    for _, r in sh.table.iterrows():
        a = sc.agent_by_id.get(r["agent_id"])
        if a is None or a.earliest_start is None or a.latest_end is None:
            continue
        tz = zone(sc.site_by_id[a.site].timezone)
        start = dt.datetime.fromtimestamp(int(r["start"]) * 60, tz=tz)
        end = dt.datetime.fromtimestamp(int(r["end"]) * 60, tz=tz)
        s_min = start.hour * 60 + start.minute
        e_rel = (end.date() - start.date()).days * 1440 + end.hour * 60 + end.minute
        es, le = a.earliest_start, a.latest_end
        if es == le:
            fits = True
        elif es < le:
            fits = s_min >= es and e_rel <= le
        else:
            fits = (s_min >= es and e_rel <= 1440 + le) or e_rel <= le
        if not fits:
            out.append(
                Violation(
                    "personal window",
                    a.id,
                    instant(sc, r["site"], r["start"]),
                    f"shift {start:%H:%M}–{end:%H:%M} outside {es // 60:02d}:{es % 60:02d}–{le // 60:02d}:{le % 60:02d}",
                )
            )
    return out


def skills_and_residency(sc: Scenario, sh: Shifts) -> list[Violation]:
    """An agent only serves queues in a language and channel it has, of
    markets whose data residency admits its site."""
    out = []
    work = sh.segments[sh.segments["activity"] != BREAK]
    for (agent_id, queue), g in work.groupby(["agent_id", "activity"]):
        a = sc.agent_by_id.get(agent_id)
        q = sc.queue_by_id.get(queue)
        if a is None or q is None:
            continue
        first = g.iloc[0]
        when = instant(sc, first["site"], first["start"])
        if q.language not in a.languages:
            out.append(
                Violation("skills", a.id, when, f"serves {q.id} but does not speak {q.language!r}")
            )
        if q.channel not in a.channels:
            out.append(
                Violation("skills", a.id, when, f"serves {q.id} but not the {q.channel} channel")
            )
        if not sc.may_serve(sc.site_by_id[a.site], sc.market_by_id[q.market]):
            out.append(
                Violation(
                    "data residency", a.id, when, f"site {a.site} may not serve market {q.market}"
                )
            )
    return out
