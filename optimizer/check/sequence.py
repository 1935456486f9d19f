"""Rules on an agent's shifts in sequence: minimum rest between them, at
most so many days in a row, and paid hours per week."""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd

from optimizer.calendars import Calendars
from optimizer.check.report import Violation, per_row
from optimizer.check.shifts import Shifts, horizon_weeks
from optimizer.scenario.model import Scenario


def minimum_rest(sc: Scenario, sh: Shifts) -> list[Violation]:
    """At least `min_rest_hours` of real time between an agent's shifts; shifts never overlap."""
    s = sh.table.sort_values(["agent_id", "start"])
    prev_end = s.groupby("agent_id")["end"].shift()
    rest = s["site"].map(
        lambda x: round(sc.rules_of(x).min_rest_hours * 60) if x in sc.site_by_id else 0
    )
    gap = s["start"] - prev_end
    bad = s[prev_end.notna() & (gap < rest)]
    return per_row(
        sc,
        bad,
        "minimum rest",
        lambda r: (
            f"only {(r['start'] - prev_end[r.name]) / 60:g} h after the previous shift (needs {rest[r.name] / 60:g} h)"
        ),
    )


def max_consecutive_days(sc: Scenario, sh: Shifts) -> list[Violation]:
    """No more than `max_consecutive_days` worked local dates in a row."""
    out = []
    for (agent, site), g in sh.table.groupby(["agent_id", "site"]):
        if site not in sc.site_by_id:
            continue
        limit = sc.rules_of(site).max_consecutive_days
        days = sorted(set(g["shift_date"]))
        run = 1
        for a, b in itertools.pairwise(days):
            run = run + 1 if (b - a).days == 1 else 1
            if run == limit + 1:
                out.append(
                    Violation(
                        "max consecutive days",
                        str(agent),
                        b.isoformat(),
                        f"{run} days in a row (limit {limit})",
                    )
                )
    return out


def weekly_hours(sc: Scenario, sh: Shifts, cal: Calendars) -> list[Violation]:
    """Paid hours per local Mon–Sun week (the week of shift_date) stay within the
    rule set's `max_hours_week` (every week) and the agent's (weeks wholly inside
    the horizon), and reach the agent's `min_hours_week` in weeks wholly inside
    the horizon without leave or a site holiday at a `holidays: off` site."""
    paid = (
        sh.table.groupby(["agent_id", "week"])["paid"].sum()
        if len(sh.table)
        else pd.Series(dtype=float)
    )
    out = []
    for a in sc.agents:
        site = sc.site_by_id[a.site]
        cap_rule = sc.rules_of(site).max_hours_week * 60
        for w, inside in horizon_weeks(sc):
            got = float(paid.get((a.id, w), 0.0))
            cap = min(cap_rule, a.max_hours_week * 60) if inside else cap_rule
            if got > cap + 1e-9:
                out.append(
                    Violation(
                        "weekly maximum",
                        a.id,
                        f"week of {w}",
                        f"{got / 60:g} paid hours > {cap / 60:g}",
                    )
                )
            if not inside or a.min_hours_week <= 0:
                continue
            days = {w + dt.timedelta(days=k) for k in range(7)}
            exempt = bool(days & set(a.leave)) or (
                site.holidays == "off" and bool(days & set(cal.site[site.id]))
            )
            if not exempt and got < a.min_hours_week * 60 - 1e-9:
                out.append(
                    Violation(
                        "weekly minimum",
                        a.id,
                        f"week of {w}",
                        f"{got / 60:g} paid hours < {a.min_hours_week:g}",
                    )
                )
    return out
