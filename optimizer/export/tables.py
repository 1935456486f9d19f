"""The tables every export is made of: shifts and stretches in local time, payroll.

All are derived from a roster and its scenario alone (any roster: solved,
stored or hand-edited), with the pay model of `optimizer.pay`, so the hours
and costs here are the ones `sunroster check` and the KPIs report. Local
times are the site's wall clock; every conversion is vectorised per zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from itertools import pairwise

import numpy as np
import pandas as pd

from optimizer.calendars import Calendars, calendars_of
from optimizer.pay import PREMIUM_TYPES, local_clock, price_shifts
from optimizer.roster import BREAK, Roster
from optimizer.scenario.model import Scenario

SHIFT_COLUMNS = (
    "agent_id", "agent_name", "team", "site", "timezone", "shift_date", "start", "end",
    "start_local", "end_local", "shift", "break", "paid_hours", "queues",
)  # fmt: skip

STRETCH_COLUMNS = (
    "agent_id", "agent_name", "team", "site", "timezone", "shift_date", "stretch", "activity",
    "market", "language", "channel", "local_date", "start_time", "end_time", "minutes",
    "paid_minutes", "start_local", "end_local", "start_utc", "end_utc",
)  # fmt: skip

HOUR_COLUMNS = (
    *(f"{k}_hours" for k in PREMIUM_TYPES),
    *(f"overtime_{k}_hours" for k in PREMIUM_TYPES),
)
PAYROLL_COLUMNS = (
    "agent_id", "agent_name", "team", "site", "week_start", "week_end", *HOUR_COLUMNS,
    "paid_hours", "local_currency", "cost_local", "reporting_currency", "cost_reporting",
)  # fmt: skip
PAYROLL_DAY_COLUMNS = (*PAYROLL_COLUMNS[:6], "date", *PAYROLL_COLUMNS[6:])

HOUR_DECIMALS = 4  # minutes / 60, without float noise


# ---------------------------------------------------------------- local clock, vectorised


def local_minutes(tz_of_row: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the local wall clock of UTC epoch minute `t` in the row's zone (as
    minutes since 1970-01-01 00:00 local) and the UTC offset in minutes."""
    t = np.asarray(t, dtype=np.int64)
    wall = np.zeros(len(t), dtype=np.int64)
    for tz in np.unique(tz_of_row):
        sel = tz_of_row == tz
        day, _, minute = local_clock(str(tz), t[sel])
        wall[sel] = day * 1440 + minute
    return wall, wall - t


def hhmm(minute_of_day: np.ndarray) -> np.ndarray:
    """Minutes of the day → `HH:MM` strings."""
    m = np.asarray(minute_of_day, dtype=np.int64)
    return np.char.add(
        np.char.add(np.char.zfill((m // 60).astype(str), 2), ":"),
        np.char.zfill((m % 60).astype(str), 2),
    )


def wall_dates(wall: np.ndarray) -> np.ndarray:
    """Wall-clock minutes → `datetime.date` objects."""
    return (np.asarray(wall, dtype=np.int64) // 1440).astype("datetime64[D]").astype(object)


def iso_wall(wall: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """ISO 8601 local instants with their offset: `2027-03-28T08:00:00+01:00`."""
    text = np.datetime_as_string(np.asarray(wall, dtype=np.int64).astype("datetime64[m]"), "s")
    off = np.asarray(offset, dtype=np.int64)
    sign = np.where(off < 0, "-", "+")
    return np.char.add(np.char.add(text, sign), hhmm(np.abs(off))).astype(object)


def iso_utc(t: np.ndarray) -> np.ndarray:
    """UTC epoch minutes → `2027-03-01T08:00:00Z`."""
    text = np.datetime_as_string(np.asarray(t, dtype=np.int64).astype("datetime64[m]"), "s")
    return np.char.add(text, "Z").astype(object)


# ---------------------------------------------------------------- shifts and stretches


def segment_shift(roster: Roster) -> np.ndarray:
    """Per segment of `roster.segments`: its shift's row position in `roster.shifts`."""
    seg = roster.segments
    if seg.empty:
        return np.zeros(0, dtype=np.int64)
    key = roster.shifts.reset_index().set_index(["agent_id", "shift_date"])["index"]
    return key.reindex(pd.MultiIndex.from_frame(seg[["agent_id", "shift_date"]])).to_numpy(np.int64)


def _unpaid_break_site(scenario: Scenario) -> dict[str, bool]:
    return {
        s.id: bool((b := scenario.rules_of(s).break_) is not None and not b.paid)
        for s in scenario.sites
    }


def paid_minutes_of(scenario: Scenario, roster: Roster) -> np.ndarray:
    """Per shift of `roster.shifts`: paid minutes (the shift less an unpaid break)."""
    sh = roster.shifts
    if sh.empty:
        return np.zeros(0, dtype=np.int64)
    unpaid = sh["site"].map(_unpaid_break_site(scenario)).fillna(False).to_numpy(bool)
    length = (sh["end"] - sh["start"]).to_numpy(np.int64)
    return length - np.where(unpaid, sh["break_minutes"].to_numpy(np.int64), 0)


def _people(scenario: Scenario, agent_ids: pd.Series) -> tuple[pd.Series, pd.Series]:
    names = {a.id: a.name for a in scenario.agents}
    teams = {a.id: a.team or "" for a in scenario.agents}
    return agent_ids.map(names).fillna(""), agent_ids.map(teams).fillna("")


def _zones(scenario: Scenario, sites: pd.Series) -> np.ndarray:
    return sites.map({s.id: s.timezone for s in scenario.sites}).fillna("UTC").to_numpy(object)


def local_shifts(scenario: Scenario, roster: Roster) -> pd.DataFrame:
    """One row per shift in the site's local time (the workbook and calendars).

    `start`/`end` are UTC epoch minutes, `start_local`/`end_local` the site's
    wall clock (naive datetimes), `shift` its text (`22:00–08:00 +1`: `+1`
    marks an end on the next local day), `break` the break's local times,
    `queues` the queues worked in time order (`A → B`).
    """
    sh = roster.shifts
    if sh.empty:
        return pd.DataFrame(columns=list(SHIFT_COLUMNS))
    tz = _zones(scenario, sh["site"])
    s_wall, _ = local_minutes(tz, sh["start"].to_numpy())
    e_wall, _ = local_minutes(tz, sh["end"].to_numpy())
    plus = e_wall // 1440 - s_wall // 1440
    suffix = np.where(plus > 0, np.char.add(" +", plus.astype(str)), "")
    shift_txt = np.char.add(
        np.char.add(np.char.add(hhmm(s_wall % 1440), "–"), hhmm(e_wall % 1440)), suffix
    )
    seg = roster.segments
    k = segment_shift(roster)
    is_break = (seg["activity"] == BREAK).to_numpy()
    break_txt = np.full(len(sh), "", dtype=object)
    if is_break.any():
        bk = k[is_break]
        bs, _ = local_minutes(tz[bk], seg["start"].to_numpy()[is_break])
        be, _ = local_minutes(tz[bk], seg["end"].to_numpy()[is_break])
        text = np.char.add(np.char.add(hhmm(bs % 1440), "–"), hhmm(be % 1440)).astype(object)
        if np.bincount(bk).max() == 1:  # one break per shift: no joining
            break_txt[bk] = text
        else:
            for i, t in zip(bk.tolist(), text.tolist(), strict=True):
                break_txt[i] = f"{break_txt[i]}, {t}" if break_txt[i] else t
    queues = np.full(len(sh), "", dtype=object)
    work = ~is_break
    if work.any():
        order = np.lexsort((seg["start"].to_numpy()[work], k[work]))
        wk, act = k[work][order], seg["activity"].to_numpy()[work][order]
        keep = np.ones(len(wk), dtype=bool)
        keep[1:] = (wk[1:] != wk[:-1]) | (act[1:] != act[:-1])
        wk, act = wk[keep], act[keep]
        bounds = [0, *(np.flatnonzero(np.diff(wk)) + 1).tolist(), len(wk)]
        names = [str(a) for a in act.tolist()]
        for s, e in pairwise(bounds):
            queues[wk[s]] = " → ".join(names[s:e])
    name, team = _people(scenario, sh["agent_id"])
    out = pd.DataFrame(
        {
            "agent_id": sh["agent_id"], "agent_name": name, "team": team, "site": sh["site"],
            "timezone": tz, "shift_date": sh["shift_date"].to_numpy(),
            "start": sh["start"].to_numpy(np.int64), "end": sh["end"].to_numpy(np.int64),
            "start_local": s_wall.astype("datetime64[m]").astype("datetime64[s]"),
            "end_local": e_wall.astype("datetime64[m]").astype("datetime64[s]"),
            "shift": shift_txt.astype(object), "break": break_txt,
            "paid_hours": paid_minutes_of(scenario, roster) / 60.0, "queues": queues,
        }
    )  # fmt: skip
    return out.sort_values(["site", "agent_id", "start"], kind="stable").reset_index(drop=True)


def stretches(scenario: Scenario, roster: Roster) -> pd.DataFrame:
    """The tidy shifts table (the `csv` export): one row per stretch — a run of
    one agent on one queue, or a break — in time order within each shift.

    `stretch` numbers the stretches of a shift from 1; `local_date`,
    `start_time`, `end_time` are the site's wall clock (an end on the next
    day is on the next `local_date`'s clock: read `end_local`);
    `paid_minutes` is the stretch's length, or 0 for an unpaid break, so a
    shift's `paid_minutes` add up to its paid time in the payroll.
    """
    seg = roster.segments
    if seg.empty:
        return pd.DataFrame(columns=list(STRETCH_COLUMNS))
    seg = seg.sort_values(["agent_id", "start"], kind="stable").reset_index(drop=True)
    tz = _zones(scenario, seg["site"])
    start, end = seg["start"].to_numpy(np.int64), seg["end"].to_numpy(np.int64)
    s_wall, s_off = local_minutes(tz, start)
    e_wall, e_off = local_minutes(tz, end)
    activity = seg["activity"].astype(str)
    queue = scenario.queue_by_id
    minutes = end - start
    unpaid = seg["site"].map(_unpaid_break_site(scenario)).fillna(False).to_numpy(bool)
    is_break = (activity == BREAK).to_numpy()
    name, team = _people(scenario, seg["agent_id"])
    out = pd.DataFrame(
        {
            "agent_id": seg["agent_id"], "agent_name": name, "team": team, "site": seg["site"],
            "timezone": tz, "shift_date": seg["shift_date"].to_numpy(),
            "stretch": seg.groupby(["agent_id", "shift_date"], sort=False).cumcount() + 1,
            "activity": activity,
            "market": activity.map(lambda a: queue[a].market if a in queue else ""),
            "language": activity.map(lambda a: queue[a].language if a in queue else ""),
            "channel": activity.map(lambda a: queue[a].channel if a in queue else ""),
            "local_date": wall_dates(s_wall), "start_time": hhmm(s_wall % 1440).astype(object),
            "end_time": hhmm(e_wall % 1440).astype(object), "minutes": minutes,
            "paid_minutes": np.where(is_break & unpaid, 0, minutes),
            "start_local": iso_wall(s_wall, s_off), "end_local": iso_wall(e_wall, e_off),
            "start_utc": iso_utc(start), "end_utc": iso_utc(end),
        }
    )  # fmt: skip
    return out.sort_values(["site", "agent_id", "start_utc"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------- payroll


def week_of(dates: pd.Series, week_start: np.ndarray) -> pd.Series:
    """The first day of each date's week, weeks starting on weekday `week_start`
    (Mon = 0), per row."""
    d = pd.to_datetime(dates)
    back = (d.dt.day_of_week.to_numpy() - np.asarray(week_start)) % 7
    return pd.Series((d - pd.to_timedelta(back, unit="D")).dt.date.to_numpy(), index=dates.index)


def payroll(
    scenario: Scenario,
    roster: Roster,
    calendars: Calendars | None = None,
    fx: Mapping[str, float] | None = None,
    *,
    per_day: bool = False,
    week_start: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Paid hours and cost per agent and local week (or per day, `per_day`).

    A week runs from its `week_start` to its `week_end` (inclusive local
    dates of the shifts' `shift_date`): Monday–Sunday unless `week_start`
    maps a site id to another first weekday (Mon = 0). Hours are split so the
    columns add up: each paid minute counts once, under the premium type that
    priced it, as straight time (`<type>_hours`) or, past the weekly
    overtime threshold, as overtime (`overtime_<type>_hours`); the eight sum
    to `paid_hours`. Overtime is the pay model's: counted in the local
    Monday–Sunday week of the rule set (`optimizer.pay`), whatever week the
    lines are grouped by. Costs include every premium and overtime, in the
    site's currency and (times the fx rate, `fx` overriding the scenario's)
    the reporting one; they are not rounded here.
    """
    cal = calendars or calendars_of(scenario)
    sh = roster.shifts
    columns = PAYROLL_DAY_COLUMNS if per_day else PAYROLL_COLUMNS
    if sh.empty:
        return pd.DataFrame(columns=list(columns))
    priced = price_shifts(
        scenario, cal, sh[["agent_id", "site", "shift_date", "start", "end"]], roster.breaks
    ).table
    straight = {
        f"{k}_hours": (priced[f"{k}_minutes"] - priced[f"overtime_{k}_minutes"]) / 60.0
        for k in PREMIUM_TYPES
    }
    extra = {f"overtime_{k}_hours": priced[f"overtime_{k}_minutes"] / 60.0 for k in PREMIUM_TYPES}
    per_shift = pd.DataFrame({**straight, **extra}).loc[:, list(HOUR_COLUMNS)]
    per_shift["paid_hours"] = priced["paid_minutes"] / 60.0
    per_shift["cost_local"] = priced["cost_site"]
    currency = sh["site"].map({s.id: s.currency for s in scenario.sites})
    rates = {**{c: scenario.fx_rate(c) for c in set(currency)}, **(fx or {})}
    per_shift["cost_reporting"] = per_shift["cost_local"] * currency.map(rates).to_numpy(float)
    starts = sh["site"].map(dict(week_start or {})).fillna(0).to_numpy(np.int64)
    week = week_of(sh["shift_date"], starts)
    keys = pd.DataFrame(
        {
            "agent_id": sh["agent_id"],
            "site": sh["site"],
            "week_start": week,
            "local_currency": currency,
        }
    )
    if per_day:
        keys["date"] = sh["shift_date"].to_numpy()
    values = [*HOUR_COLUMNS, "paid_hours", "cost_local", "cost_reporting"]
    g = pd.concat([keys, per_shift[values]], axis=1).groupby(list(keys.columns), sort=True)
    out = g[values].sum().reset_index()
    out[[*HOUR_COLUMNS, "paid_hours"]] = out[[*HOUR_COLUMNS, "paid_hours"]].round(HOUR_DECIMALS)
    out["week_end"] = [d + dt.timedelta(days=6) for d in out["week_start"]]
    out["agent_name"], out["team"] = _people(scenario, out["agent_id"])
    out["reporting_currency"] = scenario.currency
    order = ["agent_id", "week_start"] + (["date"] if per_day else [])
    return out.sort_values(order, kind="stable").loc[:, list(columns)].reset_index(drop=True)


def payroll_money(scenario: Scenario) -> tuple[dict[str, str], dict[str, str]]:
    """The payroll's money columns for `spreadsheet.csv_bytes` (`money`, `money_in`)."""
    return {"cost_reporting": scenario.currency}, {"cost_local": "local_currency"}
