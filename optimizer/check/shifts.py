"""The roster as one row per shift, with what the rules look at, and the
horizon's Monday–Sunday weeks the weekly rules count in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.roster import BREAK, Roster
from optimizer.scenario.model import Scenario
from optimizer.tz import zone


@dataclass(frozen=True)
class Shifts:
    """The roster's shifts with everything the rules look at (one row per shift)."""

    table: pd.DataFrame  # agent_id, site, shift_date, start, end, paid, breaks, break_start, break_len, local_date, local_minute, week
    segments: pd.DataFrame


def shift_table(sc: Scenario, roster: Roster) -> Shifts:
    """Shifts with paid minutes, break and local clock of the start."""
    seg = roster.segments
    s = roster.shifts.copy()
    if s.empty:
        cols = ["paid", "breaks", "break_start", "break_len", "local_date", "local_minute", "week"]
        return Shifts(s.reindex(columns=[*s.columns, *cols]), seg)
    rules = {site.id: sc.rules_of(site) for site in sc.sites}
    brk = seg[seg["activity"] == BREAK]
    bstats = brk.groupby(["agent_id", "shift_date"]).agg(
        break_start=("start", "min"), break_len=("end", "max"), n=("start", "size")
    )
    bstats["break_len"] = bstats["break_len"] - bstats["break_start"]
    s = s.merge(bstats.reset_index(), on=["agent_id", "shift_date"], how="left")
    s["breaks"] = s["n"].fillna(0).astype(int)
    s["break_start"] = s["break_start"].fillna(s["start"]).astype(np.int64)
    s["break_len"] = s["break_len"].fillna(0).astype(np.int64)
    unpaid = (
        s["site"]
        .map(lambda x: bool(x in rules and rules[x].break_ and not rules[x].break_.paid))
        .astype(bool)
    )
    s["paid"] = (s["end"] - s["start"]) - np.where(unpaid, s["break_minutes"], 0)
    tz = {site.id: site.timezone for site in sc.sites}
    local = [
        dt.datetime.fromtimestamp(int(t) * 60, tz=zone(tz.get(x, "UTC")))
        for t, x in zip(s["start"], s["site"], strict=True)
    ]
    s["local_date"] = [x.date() for x in local]
    s["local_minute"] = [x.hour * 60 + x.minute for x in local]
    s["week"] = [d - dt.timedelta(days=d.weekday()) for d in s["shift_date"]]
    return Shifts(s, seg)


def horizon_weeks(sc: Scenario) -> list[tuple[dt.date, bool]]:
    """The Monday of every Mon–Sun week the horizon touches, and whether that
    week lies wholly inside the horizon."""
    h = sc.horizon
    first = h.start - dt.timedelta(days=h.start.weekday())
    out = []
    w = first
    while w < h.end:
        out.append((w, w >= h.start and w + dt.timedelta(days=6) < h.end))
        w += dt.timedelta(days=7)
    return out
