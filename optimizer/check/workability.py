"""The v1.1 workability rules — which shifts a person can work week after
week: a narrow band of start times, days off together, few nights in a row.
A rule set that leaves a rule out has no such rule."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd

from optimizer.check.report import Violation
from optimizer.check.shifts import Shifts, horizon_weeks
from optimizer.pay import local_clock, paid_minutes
from optimizer.roster import BREAK
from optimizer.scenario.model import Scenario

# contract v1.1: a night shift has >= 3 paid hours inside the rule set's night window
NIGHT_SHIFT_PAID_MINUTES = 180


def _clock(minute: int) -> str:
    return f"{int(minute) // 60:02d}:{int(minute) % 60:02d}"


def start_arc_minutes(minutes: list[int] | set[int]) -> int:
    """Length of the shortest arc of the 24-hour clock holding every start
    (minutes of day): 1440 less the widest gap between neighbouring starts
    round the clock. 23:30 and 00:30 give 60; a single start gives 0."""
    m = sorted({int(x) % 1440 for x in minutes})
    if len(m) < 2:
        return 0
    gaps = [b - a for a, b in itertools.pairwise(m)] + [m[0] + 1440 - m[-1]]
    return 1440 - max(gaps)


def start_band(sc: Scenario, sh: Shifts) -> list[Violation]:
    """In each local Mon–Sun week (the week of shift_date), all of an agent's
    shift starts lie on an arc of the site's 24-hour clock no longer than the
    rule set's `start_band_hours`, measured round the clock so a night team
    may keep a band across midnight. A week with one shift has a band of 0."""
    s = sh.table
    if s.empty:
        return []
    out = []
    for (agent, site, week), g in s.groupby(["agent_id", "site", "week"], sort=True):
        band = sc.rules_of(site).start_band_hours if site in sc.site_by_id else None
        if band is None:
            continue
        starts = {int(m) for m in g["local_minute"]}
        arc = start_arc_minutes(starts)
        if arc > band * 60 + 1e-9:
            out.append(
                Violation(
                    "start band",
                    str(agent),
                    f"week of {week}",
                    f"starts {', '.join(_clock(m) for m in sorted(starts))} span {arc / 60:g} h "
                    f"of the clock (band {band:g} h)",
                )
            )
    return out


def days_off_together(sc: Scenario, sh: Shifts) -> list[Violation]:
    """Each local Mon–Sun week wholly inside the horizon gives the agent a run
    of at least the rule set's `days_off_together` consecutive dates, within
    that Monday–Sunday, on which no shift starts — whatever the reason (leave,
    days off, a holiday or simply not rostered). A Sunday–Monday pair spans
    two weeks and counts for neither."""
    worked = sh.table.groupby("agent_id")["shift_date"].agg(set).to_dict() if len(sh.table) else {}
    weeks = [w for w, inside in horizon_weeks(sc) if inside]
    out = []
    for a in sc.agents:
        need = sc.rules_of(a.site).days_off_together if a.site in sc.site_by_id else None
        if need is None:
            continue
        dates = worked.get(a.id, set())
        for w in weeks:
            days = [w + dt.timedelta(days=k) for k in range(7)]
            best = run = 0
            for d in days:
                run = 0 if d in dates else run + 1
                best = max(best, run)
            if best < need:
                on = ", ".join(f"{d:%a}" for d in days if d in dates)
                out.append(
                    Violation(
                        "days off together",
                        a.id,
                        f"week of {w}",
                        f"longest run of days off is {best} (needs {need}); shifts start {on}",
                    )
                )
    return out


def night_paid_minutes(sc: Scenario, sh: Shifts) -> pd.Series:
    """Per shift (index of `sh.table`): paid minutes inside the site rule set's
    `night` window on the site clock — the pay model's paid minutes (an unpaid
    break left out, a paid one kept); 0 where the rule set has no window."""
    s = sh.table
    out = pd.Series(0, index=s.index, dtype=np.int64)
    if s.empty:
        return out
    pos = s.reset_index(drop=True)
    key = pd.MultiIndex.from_frame(pos[["agent_id", "shift_date"]])
    brk = sh.segments[sh.segments["activity"] == BREAK]
    b_shift = key.get_indexer(pd.MultiIndex.from_frame(brk[["agent_id", "shift_date"]]))
    breaks = pd.DataFrame(
        {"shift": b_shift, "start": brk["start"].to_numpy(), "end": brk["end"].to_numpy()}
    )
    breaks = breaks[breaks["shift"] >= 0]
    minutes = paid_minutes(pos, breaks, sc)
    site_of = pos["site"].to_numpy()
    counts = np.zeros(len(pos), dtype=np.int64)
    for site in sc.sites:
        night = sc.rules_of(site).night
        if night is None:
            continue
        m = minutes[site_of[minutes["shift"].to_numpy()] == site.id]
        if m.empty:
            continue
        _, _, clock = local_clock(site.timezone, m["t"].to_numpy(np.int64))
        a, b = night.from_, night.to
        inside = (clock >= a) & (clock < b) if a < b else (clock >= a) | (clock < b)
        counts += np.bincount(m["shift"].to_numpy(np.int64)[inside], minlength=len(pos)).astype(
            np.int64
        )
    out[:] = counts
    return out


def consecutive_nights(sc: Scenario, sh: Shifts) -> list[Violation]:
    """No more than the rule set's `max_consecutive_nights` night shifts on
    consecutive shift dates; a night shift has at least 3 paid hours inside
    the rule set's `night` window on the site clock (the EU definition of
    night work)."""
    s = sh.table
    if s.empty:
        return []
    limit = {
        site.id: sc.rules_of(site).max_consecutive_nights
        for site in sc.sites
        if sc.rules_of(site).max_consecutive_nights is not None
        and sc.rules_of(site).night is not None
    }
    s = s[s["site"].isin(list(limit))]
    if s.empty:
        return []
    s = s[night_paid_minutes(sc, Shifts(s, sh.segments)) >= NIGHT_SHIFT_PAID_MINUTES]
    out = []
    for (agent, site), g in s.groupby(["agent_id", "site"]):
        cap = limit[site]
        night = sc.rules_of(site).night
        assert night is not None
        run, first = 0, None
        prev: dt.date | None = None
        for d in sorted(set(g["shift_date"])):
            if prev is not None and (d - prev).days == 1:
                run += 1
            else:
                run, first = 1, d
            prev = d
            if run == cap + 1:
                out.append(
                    Violation(
                        "consecutive nights",
                        str(agent),
                        d.isoformat(),
                        f"{run} night shift{'s' if run > 1 else ''} in a row from {first} "
                        f"(limit {cap}; a night "
                        f"shift has ≥ 3 paid hours in {_clock(night.from_)}–{_clock(night.to)})",
                    )
                )
    return out
