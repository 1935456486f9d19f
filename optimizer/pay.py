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

The premium type of every minute is a function of the site's local clock
alone, so it is classified once per site, minute by minute, over the UTC days
the shifts touch; running counts of each type over those days then give any
stretch's minutes by type as two look-ups. A shift is priced per paid stretch
(the shift less its unpaid breaks) and per overtime tail, never per minute;
`price_minutes` expands the same stretches minute by minute for the exports
that split cost finer than a shift.
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


def _unpaid_break_sites(scenario: Scenario) -> dict[str, bool]:
    """Site id → whether its rule set's break is unpaid."""
    return {
        s.id: bool(scenario.rules_of(s).break_ and not scenario.rules_of(s).break_.paid)
        for s in scenario.sites
    }


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
        unpaid_site = _unpaid_break_sites(scenario)
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
    shifts with `week_start`, minutes by type (`<type>_minutes`, overtime
    included, and `overtime_<type>_minutes`, the overtime among them),
    `overtime_minutes`, `paid_minutes`, `cost_site`, `currency`,
    `cost_reporting` added, and the cost split in the site currency:
    `cost_<type>` (the minutes of each premium type, overtime included; they
    sum to `cost_site`) and
    `base_cost` + `uplift_<night|weekend|holiday|overtime>` (what each
    premium adds on top of the base rate; these also sum to `cost_site`).
    """
    return _price(scenario, calendars, shifts, breaks, fx, per_minute=False)[0]


def price_minutes(
    scenario: Scenario,
    calendars: Calendars,
    shifts: pd.DataFrame,
    breaks: pd.DataFrame | None = None,
) -> PricedMinutes:
    """The minute-level prices behind `price_shifts` (same arguments)."""
    priced = _price(scenario, calendars, shifts, breaks, None, per_minute=True)[1]
    assert priced is not None
    return priced


def _paid_pieces(
    shifts: pd.DataFrame, breaks: pd.DataFrame, scenario: Scenario
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The paid stretches of every shift, in time order within each shift:
    `(shift, start, end)` arrays (row position in `shifts`, UTC epoch minutes).

    A shift less its unpaid breaks (each clipped to the shift; overlapping
    breaks count once); paid breaks stay. Each shift and break boundary is an
    event, and a stretch is paid where no unpaid break is open.
    """
    n = len(shifts)
    start = shifts["start"].to_numpy(np.int64)
    end = shifts["end"].to_numpy(np.int64)
    rows = np.arange(n, dtype=np.int64)
    k, t, depth = [rows, rows], [start, end], [np.zeros(n, np.int64)] * 2
    if len(breaks):
        unpaid_site = _unpaid_break_sites(scenario)
        site_of = shifts["site"].to_numpy()
        b_shift = breaks["shift"].to_numpy(np.int64)
        unpaid = np.array([unpaid_site.get(site_of[j], False) for j in b_shift], dtype=bool)
        bs = np.maximum(breaks["start"].to_numpy(np.int64), start[b_shift])
        be = np.minimum(breaks["end"].to_numpy(np.int64), end[b_shift])
        ok = unpaid & (bs < be)
        ones = np.ones(int(ok.sum()), np.int64)
        k += [b_shift[ok], b_shift[ok]]
        t += [bs[ok], be[ok]]
        depth += [ones, -ones]
    k_all, t_all = np.concatenate(k), np.concatenate(t)
    order = np.lexsort((t_all, k_all))
    k_all, t_all = k_all[order], t_all[order]
    open_breaks = np.cumsum(np.concatenate(depth)[order])  # after each event
    paid = (k_all[:-1] == k_all[1:]) & (open_breaks[:-1] == 0) & (t_all[1:] > t_all[:-1])
    return k_all[:-1][paid], t_all[:-1][paid], t_all[1:][paid]


def _day_span(first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """The sorted distinct day numbers of all ranges `first[i]…last[i]` (inclusive)."""
    span = last - first + 1
    steps = np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span)
    return np.unique(np.repeat(first, span) + steps)


@dataclass(frozen=True)
class _SiteClock:
    """A site's premium type of every minute of some UTC days, with running counts.

    `days`: sorted UTC day numbers; `kind[i]`: the type of minute `i` of
    their concatenation; `count[k, i]`: minutes of type `k` before minute `i`.
    """

    days: np.ndarray
    kind: np.ndarray
    count: np.ndarray

    @classmethod
    def of(
        cls, tz: str, rules: RuleSet, holidays: frozenset[dt.date], days: np.ndarray
    ) -> _SiteClock:
        t = (days[:, None] * 1440 + np.arange(1440, dtype=np.int64)).ravel()
        kind = classify_minutes(tz, rules, holidays, t).kind
        count = np.zeros((len(PREMIUM_TYPES), len(t) + 1), dtype=np.int64)
        np.cumsum(kind[None, :] == np.arange(len(PREMIUM_TYPES))[:, None], axis=1, out=count[:, 1:])
        return cls(days, kind, count)

    def index(self, t: np.ndarray) -> np.ndarray:
        """Position of UTC minutes `t` (on the clock's days) in the concatenation."""
        return np.searchsorted(self.days, t // 1440) * 1440 + t % 1440


def _premium_table(rules: RuleSet) -> np.ndarray:
    """The multiplier of each premium type (as `classify_minutes` assigns it)."""
    p = rules.premiums
    return np.array([1.0, p.night, p.weekend, p.holiday], dtype=np.float64)


def _price(
    scenario: Scenario,
    calendars: Calendars,
    shifts: pd.DataFrame,
    breaks: pd.DataFrame | None,
    fx: dict[str, float] | None,
    *,
    per_minute: bool,
) -> tuple[PricedShifts, PricedMinutes | None]:
    shifts = shifts.reset_index(drop=True)
    if breaks is None:
        breaks = pd.DataFrame({"shift": [], "start": [], "end": []}, dtype=np.int64)
    n, kinds = len(shifts), len(PREMIUM_TYPES)
    piece, a, b = _paid_pieces(shifts, breaks, scenario)
    length = b - a
    paid = np.bincount(piece, weights=length, minlength=n).astype(np.int64)

    # weekly overtime, in time order within each agent's local week
    out = shifts.copy()
    dates = pd.to_datetime(out["shift_date"])
    out["week_start"] = (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.date
    out["paid_minutes"] = paid
    thresholds = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    ot_mult = np.ones(n)
    # sites as integer codes (-1: not a site of the scenario, priced as regular)
    code = {s.id: i for i, s in enumerate(scenario.sites)}
    site_code = out["site"].map(code).fillna(-1).to_numpy(np.int64)
    premium = np.ones((n, kinds))
    for i, site in enumerate(scenario.sites):
        rules = scenario.rules_of(site)
        p = rules.premiums
        sel = site_code == i
        premium[sel] = _premium_table(rules)
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

    # a shift's overtime is its last `overtime` paid minutes: each stretch's
    # overtime tail starts at `cut` (paid minutes in its shift's later stretches
    # count first)
    later = np.cumsum(paid)[piece] - np.cumsum(length) if len(piece) else length
    cut = b - np.clip(overtime[piece] - later, 0, length)

    # minutes by type of each stretch, straight and in overtime, from each
    # site's running counts (a stretch at no site of the scenario: regular)
    piece_straight = np.zeros((len(piece), kinds), dtype=np.int64)
    piece_extra = np.zeros((len(piece), kinds), dtype=np.int64)
    piece_straight[:, 0], piece_extra[:, 0] = cut - a, b - cut
    piece_site = site_code[piece]
    clocks: dict[int, _SiteClock] = {}
    for i, site in enumerate(scenario.sites):
        sel = piece_site == i
        if not sel.any():
            continue
        sa, sc_, sb = a[sel], cut[sel], b[sel]
        clock = clocks[i] = _SiteClock.of(
            site.timezone,
            scenario.rules_of(site),
            calendars.site_dates(site.id),
            _day_span(sa // 1440, (sb - 1) // 1440),
        )
        ia, ib = clock.index(sa), clock.index(sb - 1) + 1
        ic = np.where(sc_ < sb, clock.index(np.minimum(sc_, sb - 1)), ib)
        piece_straight[sel] = (clock.count[:, ic] - clock.count[:, ia]).T
        piece_extra[sel] = (clock.count[:, ib] - clock.count[:, ic]).T
    straight = np.zeros((n, kinds), dtype=np.int64)
    extra = np.zeros((n, kinds), dtype=np.int64)
    np.add.at(straight, piece, piece_straight)
    np.add.at(extra, piece, piece_extra)
    for k, name in enumerate(PREMIUM_TYPES):
        out[f"{name}_minutes"] = straight[:, k] + extra[:, k]
    for k, name in enumerate(PREMIUM_TYPES):
        out[f"overtime_{name}_minutes"] = extra[:, k]

    base = _base_costs(scenario, out["agent_id"])
    rate = (base / 60.0)[:, None]
    with_ot = premium * ot_mult[:, None]  # a minute's multiplier in overtime
    cost = rate * premium * straight + rate * with_ot * extra
    out["cost_site"] = cost.sum(axis=1)
    for k, name in enumerate(PREMIUM_TYPES):
        out[f"cost_{name}"] = cost[:, k]
    out["base_cost"] = base / 60.0 * paid
    uplift = rate * (premium - 1.0) * (straight + extra)
    for k, name in enumerate(PREMIUM_TYPES[1:], start=1):
        out[f"uplift_{name}"] = uplift[:, k]
    out["uplift_overtime"] = ((rate * with_ot - rate * premium) * extra).sum(axis=1)
    cur = {s.id: s.currency for s in scenario.sites}
    out["currency"] = out["site"].map(cur)
    rates = {**{c: scenario.fx_rate(c) for c in set(cur.values())}, **(fx or {})}
    out["cost_reporting"] = out["cost_site"] * out["currency"].map(rates).astype(float)
    if not per_minute:
        return PricedShifts(out), None

    # every paid minute, in time order within each shift
    m_piece = np.repeat(np.arange(len(piece)), length)
    t = a[m_piece] + (np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length))
    kind = np.zeros(len(t), dtype=np.int8)
    minute_site = piece_site[m_piece]
    for i, clock in clocks.items():
        on = minute_site == i
        kind[on] = clock.kind[clock.index(t[on])]
    shift_of_min = piece[m_piece]
    is_ot = t >= cut[m_piece]
    mult = premium[shift_of_min, kind]
    mult = np.where(is_ot, mult * ot_mult[shift_of_min], mult)
    return PricedShifts(out), PricedMinutes(
        shift=shift_of_min,
        t=t,
        kind=kind,
        multiplier=mult,
        overtime=is_ot,
        cost_site=base[shift_of_min] / 60.0 * mult,
    )


def _base_costs(scenario: Scenario, agent_ids: pd.Series) -> np.ndarray:
    """The base hourly cost of each row's agent (site currency)."""
    if not len(agent_ids):
        return np.zeros(0)
    ids, inverse = np.unique(agent_ids.to_numpy(object), return_inverse=True)
    cost = np.array([scenario.agent_cost(scenario.agent_by_id[a]) for a in ids], dtype=float)
    return cost[inverse.reshape(-1)]
