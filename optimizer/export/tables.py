"""The tables every export is made of: shifts in local time and payroll.

Both are derived from a roster and its scenario alone (any roster: solved,
stored or hand-edited), with the pay model of `optimizer.pay`, so the hours
and costs here are the ones `sunroster check` and the KPIs report.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from optimizer.calendars import Calendars, calendars_of
from optimizer.pay import PREMIUM_TYPES, local_clock, price_shifts
from optimizer.roster import BREAK, Roster
from optimizer.scenario.model import Scenario
from optimizer.timegrid import iso_local_many, iso_utc_many

_EPOCH = dt.date(1970, 1, 1)

PAYROLL_COLUMNS = (
    "agent_id", "site", "week_start", "regular_hours", "night_hours", "weekend_hours",
    "holiday_hours", "overtime_hours", "paid_hours", "cost_site_currency", "currency",
    "cost_reporting_currency",
)  # fmt: skip

SHIFT_COLUMNS = (
    "agent_id", "agent_name", "team", "site", "timezone", "shift_date", "weekday", "start_local",
    "end_local", "shift", "break", "paid_hours", "queues", "start_utc", "end_utc",
)  # fmt: skip


def hhmm(minute_of_day: np.ndarray) -> np.ndarray:
    """Minutes of the day → `HH:MM` strings."""
    m = np.asarray(minute_of_day, dtype=np.int64)
    return np.char.add(
        np.char.add(np.char.zfill((m // 60).astype(str), 2), ":"),
        np.char.zfill((m % 60).astype(str), 2),
    )


def local_hhmm(tz_of_row: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: local date (datetime.date) and `HH:MM` of instant `t` in the row's zone."""
    t = np.asarray(t, dtype=np.int64)
    day = np.zeros(len(t), dtype=np.int64)
    minute = np.zeros(len(t), dtype=np.int64)
    for tz in np.unique(tz_of_row):
        sel = tz_of_row == tz
        d, _, m = local_clock(str(tz), t[sel])
        day[sel], minute[sel] = d, m
    dates = np.array([_EPOCH + dt.timedelta(days=int(x)) for x in day], dtype=object)
    return dates, hhmm(minute)


def _local_iso(t: np.ndarray, tz_of_row: np.ndarray) -> np.ndarray:
    out = np.full(len(t), "", dtype=object)
    for tz in np.unique(tz_of_row):
        sel = tz_of_row == tz
        out[sel] = iso_local_many(t[sel], str(tz))
    return out


def paid_minutes_of(scenario: Scenario, roster: Roster) -> np.ndarray:
    """Per shift of `roster.shifts`: paid minutes (the shift less an unpaid break)."""
    sh = roster.shifts
    if sh.empty:
        return np.zeros(0, dtype=np.int64)
    unpaid = np.array(
        [bool((b := scenario.rules_of(s).break_) and not b.paid) for s in sh["site"]], dtype=bool
    )
    length = (sh["end"] - sh["start"]).to_numpy(np.int64)
    return length - np.where(unpaid, sh["break_minutes"].to_numpy(np.int64), 0)


def local_shifts(scenario: Scenario, roster: Roster) -> pd.DataFrame:
    """One row per shift in the site's local time, for HR (the `csv` export).

    `shift` is `07:00–16:00` (a `+1` suffix marks an end on the next local
    day), `break` the break's local times (empty if none), `queues` the
    queues worked in time order; ISO 8601 instants with offsets in
    `start_local`/`end_local` and UTC in `start_utc`/`end_utc`.
    """
    sh = roster.shifts
    if sh.empty:
        return pd.DataFrame(columns=list(SHIFT_COLUMNS))
    tz = np.array([scenario.site_by_id[s].timezone for s in sh["site"]], dtype=object)
    start_day, start_txt = local_hhmm(tz, sh["start"].to_numpy())
    end_day, end_txt = local_hhmm(tz, sh["end"].to_numpy())
    plus = np.array([(e - s).days for s, e in zip(start_day, end_day, strict=True)])
    shift_txt = [
        f"{a}–{b}" + (f" +{p}" if p else "")
        for a, b, p in zip(start_txt, end_txt, plus, strict=True)
    ]
    # breaks: local times, several joined
    br = roster.breaks
    break_txt = [""] * len(sh)
    if len(br):
        btz = tz[br["shift"].to_numpy()]
        _, bs = local_hhmm(btz, br["start"].to_numpy())
        _, be = local_hhmm(btz, br["end"].to_numpy())
        for k, a, b in zip(br["shift"].to_numpy(), bs, be, strict=True):
            break_txt[k] = f"{break_txt[k]}, {a}–{b}" if break_txt[k] else f"{a}–{b}"
    # queues worked, in time order, without repeats
    seg = roster.segments
    work = seg[seg["activity"] != BREAK]
    queues = (
        work.groupby(["agent_id", "shift_date"], sort=False)["activity"]
        .agg(lambda s: " → ".join(dict.fromkeys(s)))
        .rename("queues")
    )
    names = {a.id: a.name for a in scenario.agents}
    teams = {a.id: a.team or "" for a in scenario.agents}
    out = pd.DataFrame(
        {
            "agent_id": sh["agent_id"],
            "agent_name": sh["agent_id"].map(names).fillna(""),
            "team": sh["agent_id"].map(teams).fillna(""),
            "site": sh["site"],
            "timezone": tz,
            "shift_date": [d.isoformat() for d in sh["shift_date"]],
            "weekday": [d.strftime("%a") for d in sh["shift_date"]],
            "start_local": _local_iso(sh["start"].to_numpy(), tz),
            "end_local": _local_iso(sh["end"].to_numpy(), tz),
            "shift": shift_txt,
            "break": break_txt,
            "paid_hours": paid_minutes_of(scenario, roster) / 60.0,
            "queues": queues.reindex(pd.MultiIndex.from_frame(sh[["agent_id", "shift_date"]]))
            .fillna("")
            .to_numpy(),
            "start_utc": iso_utc_many(sh["start"].to_numpy()),
            "end_utc": iso_utc_many(sh["end"].to_numpy()),
        }
    )
    return out.sort_values(["site", "agent_id", "start_utc"], kind="stable").reset_index(drop=True)


def priced(
    scenario: Scenario,
    roster: Roster,
    calendars: Calendars | None = None,
    fx: dict[str, float] | None = None,
) -> pd.DataFrame:
    """The roster's shifts priced by the pay model (see `optimizer.pay.price_shifts`)."""
    sh = roster.shifts
    cal = calendars or calendars_of(scenario)
    return price_shifts(
        scenario, cal, sh[["agent_id", "site", "shift_date", "start", "end"]], roster.breaks, fx
    ).table


def payroll(
    scenario: Scenario,
    roster: Roster,
    calendars: Calendars | None = None,
    fx: dict[str, float] | None = None,
    priced_shifts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per agent and local week (Mon–Sun of the shift's local date).

    A paid hour counts once, under the premium type that priced it (regular,
    night, weekend or holiday), so those four columns sum to `paid_hours`;
    `overtime_hours` are the week's hours past the overtime threshold and are
    also inside that split. Costs include every premium and overtime.
    """
    p = priced_shifts if priced_shifts is not None else priced(scenario, roster, calendars, fx)
    if p.empty:
        return pd.DataFrame(columns=list(PAYROLL_COLUMNS))
    minutes = [f"{k}_minutes" for k in PREMIUM_TYPES] + ["overtime_minutes", "paid_minutes"]
    g = (
        p.groupby(["agent_id", "site", "week_start", "currency"], sort=True)[
            [*minutes, "cost_site", "cost_reporting"]
        ]
        .sum()
        .reset_index()
    )
    out = pd.DataFrame(
        {
            "agent_id": g["agent_id"],
            "site": g["site"],
            "week_start": [d.isoformat() for d in g["week_start"]],
            **{c.replace("_minutes", "_hours"): g[c] / 60.0 for c in minutes},
            "cost_site_currency": g["cost_site"],
            "currency": g["currency"],
            "cost_reporting_currency": g["cost_reporting"],
        }
    )
    return out.loc[:, list(PAYROLL_COLUMNS)]
