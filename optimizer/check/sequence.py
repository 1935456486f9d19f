"""Rules on an agent's shifts in sequence: minimum rest between them, at
most (and, where set, at least) so many days in a row, at least so many
days off in a row where set, and paid hours per week."""

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


def _runs(dates: list[dt.date]) -> list[list[dt.date]]:
    """Sorted dates cut into runs of consecutive dates."""
    runs: list[list[dt.date]] = []
    for d in dates:
        if runs and (d - runs[-1][-1]).days == 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    return runs


def max_consecutive_days(sc: Scenario, sh: Shifts) -> list[Violation]:
    """No more than `max_consecutive_days` worked local dates in a row."""
    out = []
    for (agent, site), g in sh.table.groupby(["agent_id", "site"]):
        if site not in sc.site_by_id:
            continue
        limit = sc.rules_of(site).max_consecutive_days
        for run in _runs(sorted(set(g["shift_date"]))):
            if len(run) > limit:  # reported at the first date past the limit
                out.append(
                    Violation(
                        "max consecutive days",
                        str(agent),
                        run[limit].isoformat(),
                        f"{limit + 1} days in a row (limit {limit})",
                    )
                )
    return out


def min_consecutive_days(sc: Scenario, sh: Shifts) -> list[Violation]:
    """Where the rule set sets `min_consecutive_days`, every run of worked
    local dates with a date off on both sides inside the horizon lasts at
    least that many dates; a run touching the horizon's first or last date
    is not judged (the dates beyond it are unknown). Any date without a
    shift is a date off, whatever the reason."""
    out = []
    h = sc.horizon
    last = h.end - dt.timedelta(days=1)
    for (agent, site), g in sh.table.groupby(["agent_id", "site"]):
        least = sc.rules_of(site).min_consecutive_days if site in sc.site_by_id else None
        if least is None or least <= 1:
            continue
        for run in _runs(sorted(set(g["shift_date"]))):
            if run[0] <= h.start or run[-1] >= last or len(run) >= least:
                continue
            out.append(
                Violation(
                    "min consecutive days",
                    str(agent),
                    run[0].isoformat(),
                    f"{len(run)} day(s) in a row between days off (at least {least})",
                )
            )
    return out


def min_consecutive_days_off(sc: Scenario, sh: Shifts) -> list[Violation]:
    """Where the rule set sets `min_consecutive_days_off`, every run of local
    dates without a shift that lies between two worked dates lasts at least
    that many dates, whatever the reason for each date off (a run before
    the agent's first shift or after the last touches the horizon's edge and
    is not judged)."""
    out = []
    for (agent, site), g in sh.table.groupby(["agent_id", "site"]):
        least = sc.rules_of(site).min_consecutive_days_off if site in sc.site_by_id else None
        if least is None or least <= 1:
            continue
        for before, after in itertools.pairwise(_runs(sorted(set(g["shift_date"])))):
            gap = (after[0] - before[-1]).days - 1
            if gap < least:
                out.append(
                    Violation(
                        "min consecutive days off",
                        str(agent),
                        (before[-1] + dt.timedelta(days=1)).isoformat(),
                        f"{gap} day(s) off in a row between shifts (at least {least})",
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
