"""The pay model: paid minutes by premium type and cost, for any shifts.

One model serves the solver (pricing shift templates), the checker and the
exports, so a cost means the same everywhere. Rules (SCENARIO.md):

* Paid minutes are the shift's minutes less its unpaid break.
* Each paid minute is priced at the base hourly cost times the largest premium
  that applies to it in the site's local time: night (inside the night
  window), weekend (a weekend weekday of the rule set) or holiday (a site
  public holiday); 1 if none. The minute counts under the type that priced it
  (ties: holiday, then weekend, then night); a premium of exactly 1 prices as
  regular.
* Overtime: in each local Mon–Sun week (the week of the shift's `shift_date`),
  the agent's paid minutes beyond `overtime_after_hours_week`, in time order,
  are overtime; the overtime multiplier multiplies the minute's other premium
  (night 1.25 with overtime 1.5 gives 1.875). Overtime minutes also count in
  the regular/night/weekend/holiday split.
* Costs are in the site currency and, times the fx rate, in the reporting one.

Everything is vectorised over all paid minutes of all shifts at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.calendars import Calendars
from optimizer.scenario.model import RuleSet, Scenario
from optimizer.tz import zone

PREMIUM_TYPES = ("regular", "night", "weekend", "holiday")
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class MinuteClass:
    """Per paid minute: its premium type index (into PREMIUM_TYPES) and multiplier."""

    kind: np.ndarray  # int8
    multiplier: np.ndarray  # float64


def local_clock(tz: str, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For UTC epoch minutes `t`: local day number (days since 1970-01-01),
    local weekday (Mon = 0) and local minute of day. Zone offsets are looked
    up once per distinct quarter hour (zones change offset on quarter hours)."""
    t = np.asarray(t, dtype=np.int64)
    if t.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    quarter = t // 15
    uq, inv = np.unique(quarter, return_inverse=True)
    utc = pd.to_datetime(uq * 15 * 60, unit="s", utc=True)
    local = utc.tz_convert(zone(tz)).tz_localize(None)
    offset_q = ((local - utc.tz_localize(None)) // pd.Timedelta(minutes=1)).to_numpy(np.int64)
    local_min = t + offset_q[inv]
    day = local_min // 1440
    return day, (day + 3) % 7, local_min % 1440


def classify_minutes(
    tz: str, rules: RuleSet, holidays: frozenset[dt.date], t: np.ndarray
) -> MinuteClass:
    """Premium type and multiplier of each paid minute `t` (UTC epoch minutes)
    at a site with zone `tz`, rule set `rules` and public `holidays`."""
    day, weekday, minute = local_clock(tz, t)
    p = rules.premiums
    kind = np.zeros(t.shape, dtype=np.int8)
    mult = np.ones(t.shape, dtype=np.float64)
    candidates: list[tuple[int, float, np.ndarray]] = []
    if rules.night is not None and p.night > 1:
        a, b = rules.night.from_, rules.night.to
        in_night = (minute >= a) & (minute < b) if a < b else (minute >= a) | (minute < b)
        candidates.append((1, p.night, in_night))
    if rules.weekend and p.weekend > 1:
        candidates.append((2, p.weekend, np.isin(weekday, np.array(rules.weekend))))
    if holidays and p.holiday > 1:
        hol_days = np.array(sorted(d.toordinal() - _EPOCH_ORDINAL for d in holidays))
        candidates.append((3, p.holiday, np.isin(day, hol_days)))
    # ties go to the later type (holiday > weekend > night): apply in order with >=
    for k, m, where in candidates:
        better = where & (m >= mult)
        kind[better] = k
        mult[better] = m
    return MinuteClass(kind, mult)


@dataclass(frozen=True)
class PricedShifts:
    """Per shift: minutes by type, overtime minutes, cost (site and reporting)."""

    table: pd.DataFrame

    def totals(self) -> pd.Series:
        cols = [
            *(f"{k}_minutes" for k in PREMIUM_TYPES),
            "overtime_minutes",
            "paid_minutes",
            "cost_reporting",
        ]
        return self.table[cols].sum()


def paid_minutes(shifts: pd.DataFrame, breaks: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
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


@dataclass(frozen=True)
class PricedMinutes:
    """Every paid minute of a set of shifts, priced.

    `shift` (row position in the shifts), `t` (UTC epoch minute), `kind`
    (index into PREMIUM_TYPES), `multiplier` (premium × overtime), `overtime`
    (bool) and `cost_site` (site currency). Exports that split cost finer
    than a shift (by queue, by market) start from here.
    """

    shift: np.ndarray
    t: np.ndarray
    kind: np.ndarray
    multiplier: np.ndarray
    overtime: np.ndarray
    cost_site: np.ndarray


def price_shifts(
    scenario: Scenario,
    calendars: Calendars,
    shifts: pd.DataFrame,
    breaks: pd.DataFrame | None = None,
    fx: dict[str, float] | None = None,
) -> PricedShifts:
    """Price shifts with the full pay model (premiums, weekly overtime, fx).

    `shifts`: columns `agent_id, site, shift_date (datetime.date), start, end`
    (UTC epoch minutes). `breaks`: `shift` (row position in `shifts`),
    `start, end`. `fx` overrides the scenario's rates (what-ifs). Returns the
    shifts with `week_start`, minutes by type, `overtime_minutes`,
    `paid_minutes`, `cost_site`, `currency`, `cost_reporting` added, and the
    cost split in the site currency: `cost_<type>` (the minutes of each
    premium type, overtime included; they sum to `cost_site`) and
    `base_cost` + `uplift_<night|weekend|holiday|overtime>` (what each
    premium adds on top of the base rate; these also sum to `cost_site`).
    """
    return _price(scenario, calendars, shifts, breaks, fx)[0]


def price_minutes(
    scenario: Scenario,
    calendars: Calendars,
    shifts: pd.DataFrame,
    breaks: pd.DataFrame | None = None,
) -> PricedMinutes:
    """The minute-level prices behind `price_shifts` (same arguments)."""
    return _price(scenario, calendars, shifts, breaks, None)[1]


def _price(
    scenario: Scenario,
    calendars: Calendars,
    shifts: pd.DataFrame,
    breaks: pd.DataFrame | None,
    fx: dict[str, float] | None,
) -> tuple[PricedShifts, PricedMinutes]:
    shifts = shifts.reset_index(drop=True)
    if breaks is None:
        breaks = pd.DataFrame({"shift": [], "start": [], "end": []}, dtype=np.int64)
    n = len(shifts)
    minutes = paid_minutes(shifts, breaks, scenario)
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
    return PricedShifts(out), priced_minutes
