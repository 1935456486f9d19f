"""The pay model priced minute by minute: what `optimizer.pay` did before it
priced per paid stretch, kept as the reference the tests hold it to.

Every paid minute of every shift is classified on its own (`classify_minutes`)
and summed, so the result follows the rules of `optimizer.pay` literally, at
any cost in time. `price_by_minute` returns what `price_shifts` and
`price_minutes` return, from the same arguments.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.calendars import Calendars
from optimizer.pay import PREMIUM_TYPES, PricedMinutes, classify_minutes
from optimizer.scenario.model import Scenario


def price_by_minute(
    scenario: Scenario,
    calendars: Calendars,
    shifts: pd.DataFrame,
    breaks: pd.DataFrame | None = None,
    fx: dict[str, float] | None = None,
) -> tuple[pd.DataFrame, PricedMinutes]:
    """`price_shifts(...).table` and `price_minutes(...)`, minute by minute."""
    return _price(scenario, calendars, shifts, breaks, fx)


def _paid_minutes(shifts: pd.DataFrame, breaks: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """One row per paid minute: `shift` (row index of `shifts`) and `t`.

    `shifts` has `agent_id, site, start, end` (epoch minutes); `breaks` has
    `shift` (row index into shifts), `start`, `end`. Unpaid breaks are removed;
    paid ones stay.
    """
    lengths = (shifts["end"] - shifts["start"]).to_numpy(np.int64)
    idx = np.repeat(np.arange(len(shifts)), lengths)
    first = np.repeat(shifts["start"].to_numpy(np.int64), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    t = first + offsets
    keep = np.ones(t.shape, dtype=bool)
    if len(breaks):
        unpaid_site = {
            s.id: bool(scenario.rules_of(s).break_ and not scenario.rules_of(s).break_.paid)
            for s in scenario.sites
        }
        site_of = shifts["site"].to_numpy()
        b_shift = breaks["shift"].to_numpy(np.int64)
        unpaid = np.array([unpaid_site[site_of[k]] for k in b_shift], dtype=bool)
        starts = shifts["start"].to_numpy(np.int64)
        cum = np.concatenate([[0], np.cumsum(lengths)])
        for k, bs, be in zip(
            b_shift[unpaid],
            breaks["start"].to_numpy(np.int64)[unpaid],
            breaks["end"].to_numpy(np.int64)[unpaid],
            strict=True,
        ):
            base = cum[k] - starts[k]
            keep[base + bs : base + be] = False
    return pd.DataFrame({"shift": idx[keep], "t": t[keep]})


def _price(
    scenario: Scenario,
    calendars: Calendars,
    shifts: pd.DataFrame,
    breaks: pd.DataFrame | None,
    fx: dict[str, float] | None,
) -> tuple[pd.DataFrame, PricedMinutes]:
    shifts = shifts.reset_index(drop=True)
    if breaks is None:
        breaks = pd.DataFrame({"shift": [], "start": [], "end": []}, dtype=np.int64)
    n = len(shifts)
    minutes = _paid_minutes(shifts, breaks, scenario)
    kind = np.zeros(len(minutes), dtype=np.int8)
    mult = np.ones(len(minutes), dtype=np.float64)
    # sites as integer codes: comparing millions of site-id strings per site is slow
    code = {s.id: i for i, s in enumerate(scenario.sites)}
    site_code = shifts["site"].map(code).fillna(-1).to_numpy(np.int64)
    site_of_minute = site_code[minutes["shift"].to_numpy()] if n else np.zeros(0, np.int64)
    for i, site in enumerate(scenario.sites):
        sel = site_of_minute == i
        if not sel.any():
            continue
        c = classify_minutes(
            site.timezone,
            scenario.rules_of(site),
            calendars.site_dates(site.id),
            minutes["t"].to_numpy()[sel],
        )
        kind[sel] = c.kind
        mult[sel] = c.multiplier

    # weekly overtime, in time order within each agent's local week
    out = shifts.copy()
    dates = pd.to_datetime(out["shift_date"])
    out["week_start"] = (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.date
    shift_of_min = minutes["shift"].to_numpy()
    paid = np.bincount(shift_of_min, minlength=n).astype(np.int64)
    out["paid_minutes"] = paid
    thresholds = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    ot_mult = np.ones(n)
    for site in scenario.sites:
        p = scenario.rules_of(site).premiums
        sel = (out["site"] == site.id).to_numpy()
        if p.overtime_after_hours_week is not None and p.overtime > 1:
            thresholds[sel] = round(p.overtime_after_hours_week * 60)
            ot_mult[sel] = p.overtime
    order = out.sort_values(["agent_id", "week_start", "start"], kind="stable").index.to_numpy()
    grp = out.loc[order, ["agent_id", "week_start"]]
    paid_sorted = paid[order]
    before = (
        pd.Series(paid_sorted)
        .groupby([grp["agent_id"].to_numpy(), grp["week_start"].to_numpy()])
        .cumsum()
        .to_numpy()
        - paid_sorted
    )
    ot = np.clip(before + paid_sorted - thresholds[order], 0, paid_sorted)
    overtime = np.zeros(n, dtype=np.int64)
    overtime[order] = ot
    out["overtime_minutes"] = overtime

    # a minute is overtime if it is among the last `overtime` paid minutes of its shift
    is_ot = np.zeros(len(minutes), dtype=bool)
    premium = mult
    if len(minutes):
        pos_from_end = (
            np.repeat(np.cumsum(paid), paid) - np.arange(len(minutes)) - 1
        )  # 0 for the last paid minute of each shift
        is_ot = pos_from_end < overtime[shift_of_min]
        mult = np.where(is_ot, mult * ot_mult[shift_of_min], mult)
    for k, name in enumerate(PREMIUM_TYPES):
        out[f"{name}_minutes"] = np.bincount(shift_of_min[kind == k], minlength=n).astype(np.int64)

    base = (
        np.array([scenario.agent_cost(scenario.agent_by_id[a]) for a in out["agent_id"]])
        if n
        else np.zeros(0)
    )
    rate = base[shift_of_min] / 60.0 if len(minutes) else np.zeros(0)
    minute_cost = rate * mult
    out["cost_site"] = np.bincount(shift_of_min, weights=minute_cost, minlength=n)
    for k, name in enumerate(PREMIUM_TYPES):
        sel = kind == k
        out[f"cost_{name}"] = np.bincount(shift_of_min[sel], weights=minute_cost[sel], minlength=n)
    out["base_cost"] = base / 60.0 * paid
    for k, name in enumerate(PREMIUM_TYPES[1:], start=1):
        sel = kind == k
        out[f"uplift_{name}"] = np.bincount(
            shift_of_min[sel], weights=rate[sel] * (premium[sel] - 1.0), minlength=n
        )
    out["uplift_overtime"] = np.bincount(
        shift_of_min[is_ot], weights=minute_cost[is_ot] - rate[is_ot] * premium[is_ot], minlength=n
    )
    cur = {s.id: s.currency for s in scenario.sites}
    out["currency"] = out["site"].map(cur)
    rates = {**{c: scenario.fx_rate(c) for c in set(cur.values())}, **(fx or {})}
    out["cost_reporting"] = out["cost_site"] * out["currency"].map(rates).astype(float)
    priced_minutes = PricedMinutes(
        shift=shift_of_min,
        t=minutes["t"].to_numpy(),
        kind=kind,
        multiplier=mult,
        overtime=is_ot,
        cost_site=minute_cost,
    )
    return out, priced_minutes
