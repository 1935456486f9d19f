"""Roster-quality KPIs: can people work this roster? (issue #22, item 7)

Measured from a roster's segments and the scenario alone — never from solver
internals — so a solved, a stored and a hand-edited roster read the same way.
Definitions (docs/quality.md has them with examples):

* **Start** of a shift: the local time (site clock) of its first segment.
  Shifts are an agent's segments with one `shift_date`.
* **Consecutive working days**: two shifts of an agent whose shift dates are
  one day apart. Their **start change** is measured round the clock as the
  signed circular difference in (−12 h, +12 h] (23:30 → 00:30 is +1 h,
  01:00 → 16:00 is −9 h); its absolute value is compared with 2 h and 4 h.
  A **backward rotation** is a change below −60 min (the next day starts more
  than an hour earlier on the clock); exactly 12 h counts as forward.
* **Agent-week**: an agent's shifts whose shift dates share a local Mon–Sun
  week. Distinct starts are counted per agent-week that has a shift (median
  and 90th percentile, linear interpolation).
* **Full week**: an agent-week with ≥ 5 shifts whose Mon–Sun lies wholly
  inside the horizon (as in the contract's `days_off_together`); it lacks
  **two days off together** when no two consecutive dates of its Mon–Sun are
  without a shift start (a Sun–Mon pair spans two weeks and counts for none).
* **Isolated working day**: a shift date with no shift of the agent on the
  day before and the day after. Dates outside the horizon are unknown, so the
  first and last horizon dates are never isolated (they still count in the
  denominator, all shifts).
* **Stretch** (contract): a shift's segments in time order with `BREAK` rows
  dropped; a maximal run on one queue (a break inside it does not end it);
  its length is the sum of its segments' minutes. Queue changes = stretches − 1.
* **Paid minutes** here are the shift's non-`BREAK` minutes: a paid break is
  left out too (conservative, and independent of the pay model).
* **Night shift**: ≥ 3 paid hours inside the site rule set's `night` window
  (site clock); none where a rule set has no window. Runs of nights are on
  consecutive shift dates.
* **Daytime**: outside the rule set's night window, or 07:00–19:00 where a
  rule set has none. The daytime share is daytime paid minutes / paid minutes.
* **Shift requests** (the scenario's `requests`, those on horizon dates): an
  `on` request is granted when the agent has a shift on its date (starting at
  its `start`, where it names one), an `off` request when the agent has none.
  The refused weight is the sum of the weights of those not granted.

Shares whose denominator is empty are None. Everything is vectorised: one
pass per site for the clock, none per shift or segment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from optimizer.pay import local_clock
from optimizer.roster import BREAK, Roster
from optimizer.scenario.model import Scenario, Site

NIGHT_PAID_MINUTES = 180  # EU night work: >= 3 paid hours inside the night window
DEFAULT_DAY = (7 * 60, 19 * 60)  # daytime where a rule set has no night window
SHORT_STRETCH_MINUTES = 60
BACKWARD_MINUTES = 60
_EPOCH = dt.date(1970, 1, 1).toordinal()

# The headline KPIs in display order: summary.json key, plain-words name, share?
# (one list for the terminal, `runs compare` and the dashboard).
HEADLINE: tuple[tuple[str, str, bool], ...] = (
    ("start_change_2h_share", "start moves ≥ 2 h (consecutive days)", True),
    ("start_change_4h_share", "start moves ≥ 4 h (consecutive days)", True),
    ("backward_rotation_share", "backward rotations (> 1 h earlier)", True),
    ("distinct_starts_median", "distinct starts per agent-week (median)", False),
    ("distinct_starts_p90", "distinct starts per agent-week (p90)", False),
    ("full_weeks_without_days_off_together_share", "full weeks without 2 days off together", True),
    ("isolated_day_share", "isolated working days", True),
    ("queue_changes_per_shift_mean", "queue changes per shift (mean)", False),
    ("queue_changes_per_shift_max", "queue changes per shift (max)", False),
    ("short_stretch_share", "stretches under 60 min", True),
    ("longest_night_run", "longest run of nights", False),
    ("night_shift_share", "night shifts (≥ 3 h in the night window)", True),
    ("daytime_hours_share", "agent-hours in local daytime", True),
    ("requests_granted_share", "shift requests granted", True),
)


@dataclass(frozen=True)
class SiteQuality:
    """The follow-the-sun measures of one site."""

    site: str
    shifts: int
    night_shifts: int
    night_shift_share: float | None
    paid_hours: float
    daytime_hours_share: float | None
    longest_night_run: int


@dataclass(frozen=True)
class Quality:
    """A roster's quality KPIs (see the module doc for each definition)."""

    shifts: int
    day_pairs: int  # consecutive working-day pairs
    start_change_2h_share: float | None
    start_change_4h_share: float | None
    backward_rotation_share: float | None
    agent_weeks: int
    distinct_starts_median: float | None
    distinct_starts_p90: float | None
    full_weeks: int
    full_weeks_without_days_off_together: int
    full_weeks_without_days_off_together_share: float | None
    isolated_days: int
    isolated_day_share: float | None
    queue_changes_per_shift_mean: float | None
    queue_changes_per_shift_max: int
    stretches: int
    short_stretch_share: float | None
    longest_night_run: int
    night_shift_share: float | None
    daytime_hours_share: float | None
    requests: int = 0
    requests_granted: int = 0
    requests_granted_share: float | None = None
    requests_refused_weight: float = 0.0
    by_site: tuple[SiteQuality, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (summary.json `quality`): shares rounded to 6 places,
        `by_site` keyed by site id."""
        out: dict[str, Any] = {}
        for k, v in asdict(self).items():
            if k != "by_site":
                out[k] = _round(v)
        out["by_site"] = {
            s.site: {k: _round(v) for k, v in asdict(s).items() if k != "site"}
            for s in self.by_site
        }
        return out


def _round(v: Any) -> Any:
    return round(v, 6) if isinstance(v, float) else v


def _share(num: float, den: float) -> float | None:
    return None if den <= 0 else float(num) / float(den)


def circular_change(prev: np.ndarray, nxt: np.ndarray) -> np.ndarray:
    """Signed change of a clock time (minutes of day) in (−720, 720]:
    positive = later on the clock (23:30 → 00:30 is +60, 01:00 → 16:00 is −540)."""
    d = (np.asarray(nxt, dtype=np.int64) - np.asarray(prev, dtype=np.int64)) % 1440
    return np.where(d > 720, d - 1440, d)


def _in_window(minute: np.ndarray, a: int, b: int) -> np.ndarray:
    """Local minute of day inside [a, b) (wrapping past midnight when a > b)."""
    return (minute >= a) & (minute < b) if a <= b else (minute >= a) | (minute < b)


def _windows(scenario: Scenario) -> dict[str, tuple[str, tuple[int, int] | None]]:
    """Per site: time zone and night window (None: the rule set has none)."""
    out = {}
    for s in scenario.sites:
        n = scenario.rules_of(s).night
        out[s.id] = (s.timezone, None if n is None else (int(n.from_), int(n.to)))
    return out


def _minutes_in_window(
    start: np.ndarray, end: np.ndarray, tz: str, window: tuple[int, int]
) -> np.ndarray:
    """Per interval [start, end) (UTC epoch minutes): minutes whose site-clock
    time lies in `window`. Exact: intervals are cut in units that divide every
    boundary, the window's ends and 15 min (zones change offset on quarter
    hours), so each unit is wholly inside or outside."""
    n = len(start)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    g = int(
        np.gcd.reduce(np.concatenate([start, end, [window[0], window[1], 15]]).astype(np.int64))
    )
    g = max(g, 1)
    units = (end - start) // g
    seg = np.repeat(np.arange(n), units)
    offs = np.arange(units.sum()) - np.repeat(np.cumsum(units) - units, units)
    t = np.repeat(start, units) + offs * g
    _, _, minute = local_clock(tz, t)
    inside = _in_window(minute, *window)
    return np.bincount(seg[inside], minlength=n).astype(np.int64) * g


def _break_is_paid(scenario: Scenario, site: Site) -> bool:
    """Does the site's rule set pay its break (so break minutes count as paid)?"""
    b = scenario.rules_of(site).break_
    return bool(b is not None and b.paid)


def shift_table(scenario: Scenario, roster: Roster) -> pd.DataFrame:
    """One row per shift, with what the quality KPIs look at: `agent_id, site,
    shift_date, day` (days since 1970-01-01 of shift_date), `week` (day number
    of its Monday), `start_minute` (site clock, minute of day), `paid_minutes`,
    `night_minutes`, `day_minutes`, `night` (bool), `stretches`."""
    sh = roster.shifts
    cols = ["agent_id", "site", "shift_date", "day", "week", "start_minute", "paid_minutes",
            "night_minutes", "day_minutes", "night", "stretches"]  # fmt: skip
    if sh.empty:
        return pd.DataFrame(columns=cols)
    sh = sh.reset_index(drop=True)
    win = _windows(scenario)
    seg = roster.segments
    work = seg[seg["activity"] != BREAK]
    # paid time: the work segments, and the breaks of sites whose breaks are paid
    paid_break = {s.id for s in scenario.sites if _break_is_paid(scenario, s)}
    paid_seg = seg[(seg["activity"] != BREAK) | seg["site"].isin(paid_break)]
    key = pd.MultiIndex.from_frame(sh[["agent_id", "shift_date"]])
    w_shift = key.get_indexer(pd.MultiIndex.from_frame(paid_seg[["agent_id", "shift_date"]]))
    w_start = paid_seg["start"].to_numpy(np.int64)
    w_end = paid_seg["end"].to_numpy(np.int64)
    w_len = w_end - w_start
    n = len(sh)
    paid = np.bincount(w_shift, weights=w_len, minlength=n).astype(np.int64)
    night = np.zeros(n, dtype=np.int64)
    day_min = np.zeros(n, dtype=np.int64)
    start_minute = np.zeros(n, dtype=np.int64)
    s_site = sh["site"].to_numpy()
    w_site = s_site[w_shift] if len(w_shift) else np.array([], dtype=object)
    for site in pd.unique(s_site):
        tz, window = win.get(site, ("UTC", None))
        sel = s_site == site
        start_minute[sel] = local_clock(tz, sh.loc[sel, "start"].to_numpy(np.int64))[2]
        ws = w_site == site
        if window is not None:
            m = _minutes_in_window(w_start[ws], w_end[ws], tz, window)
            night += np.bincount(w_shift[ws], weights=m, minlength=n).astype(np.int64)
            day_min[sel] = paid[sel] - night[sel]
        else:
            m = _minutes_in_window(w_start[ws], w_end[ws], tz, DEFAULT_DAY)
            day_min += np.bincount(w_shift[ws], weights=m, minlength=n).astype(np.int64)
    # stretches: a new one wherever the shift or the queue changes (breaks
    # dropped), in time order within each shift even if shifts overlap
    w_shift = key.get_indexer(pd.MultiIndex.from_frame(work[["agent_id", "shift_date"]]))
    w_start = work["start"].to_numpy(np.int64)
    order = np.lexsort((w_start, w_shift))
    ws_sorted, act = w_shift[order], work["activity"].to_numpy()[order]
    new = np.ones(len(work), dtype=bool)
    new[1:] = (ws_sorted[1:] != ws_sorted[:-1]) | (act[1:] != act[:-1])
    stretches = np.bincount(ws_sorted[new], minlength=n).astype(np.int64)
    day = pd.to_datetime(sh["shift_date"]).to_numpy("datetime64[D]").astype(np.int64)
    return pd.DataFrame(
        {
            "agent_id": sh["agent_id"].to_numpy(),
            "site": s_site,
            "shift_date": sh["shift_date"].to_numpy(),
            "day": day,
            "week": day - (day + 3) % 7,
            "start_minute": start_minute,
            "paid_minutes": paid,
            "night_minutes": night,
            "day_minutes": day_min,
            "night": night >= NIGHT_PAID_MINUTES,
            "stretches": stretches,
        },
        columns=cols,
    )


def stretch_lengths(roster: Roster) -> np.ndarray:
    """Minutes of every stretch (contract: breaks dropped, same queue merged)."""
    seg = roster.segments
    work = seg[seg["activity"] != BREAK]
    if work.empty:
        return np.zeros(0, dtype=np.int64)
    work = work.sort_values(["agent_id", "shift_date", "start"], kind="stable")
    same = (
        (work["agent_id"] == work["agent_id"].shift())
        & (work["shift_date"] == work["shift_date"].shift())
        & (work["activity"] == work["activity"].shift())
    ).to_numpy()
    run = np.cumsum(~same) - 1
    length = (work["end"] - work["start"]).to_numpy(np.int64)
    return np.bincount(run, weights=length).astype(np.int64)


def night_runs(t: pd.DataFrame) -> pd.DataFrame:
    """Every run of night shifts on consecutive shift dates of one agent:
    `agent_id, site, first_day, length` (from a `shift_table`)."""
    nights = t.loc[t["night"].astype(bool), ["agent_id", "site", "day"]]
    nights = nights.sort_values(["agent_id", "day"], kind="stable")
    a = nights["agent_id"].to_numpy()
    d = nights["day"].to_numpy(np.int64)
    cont = np.zeros(len(d), dtype=bool)
    cont[1:] = (a[1:] == a[:-1]) & (d[1:] == d[:-1] + 1)
    return (
        nights.assign(run=np.cumsum(~cont))
        .groupby("run", sort=True)
        .agg(
            agent_id=("agent_id", "first"),
            site=("site", "first"),
            first_day=("day", "first"),
            length=("day", "size"),
        )
        .reset_index(drop=True)
    )


def requests_granted(scenario: Scenario, t: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """For each shift request on a horizon date: whether the roster's shifts
    (a `shift_table`) grant it, and its weight (module doc)."""
    h = scenario.horizon
    reqs = [r for r in scenario.requests if h.start <= r.date < h.end]
    if not reqs:
        return np.zeros(0, dtype=bool), np.zeros(0)
    req = pd.DataFrame(
        {
            "agent_id": [r.agent for r in reqs],
            "shift_date": [r.date for r in reqs],
            "start": [-1 if r.start is None else r.start for r in reqs],
        }
    )
    first = t.groupby(["agent_id", "shift_date"], as_index=False)["start_minute"].first()
    m = req.merge(first, on=["agent_id", "shift_date"], how="left")
    worked = m["start_minute"].notna().to_numpy()
    named = m["start"].to_numpy() >= 0
    hit = worked & (~named | (m["start_minute"].fillna(-2).to_numpy() == m["start"].to_numpy()))
    on = np.array([r.kind == "on" for r in reqs])
    return np.where(on, hit, ~hit), np.array([r.weight for r in reqs], dtype=float)


def quality_kpis(scenario: Scenario, roster: Roster) -> Quality:
    """Measure how workable a roster is (definitions in the module doc)."""
    t = shift_table(scenario, roster).sort_values(["agent_id", "day"], kind="stable")
    t = t.reset_index(drop=True)
    n = len(t)
    a = t["agent_id"].to_numpy()
    day = t["day"].to_numpy(np.int64)
    start = t["start_minute"].to_numpy(np.int64)

    # consecutive working days
    same_agent = np.zeros(n, dtype=bool)
    if n > 1:
        same_agent[1:] = a[1:] == a[:-1]
    prev_day = np.concatenate([[0], day[:-1]]) if n else day
    pair = same_agent & (day == prev_day + 1)
    change = circular_change(np.roll(start, 1), start)[pair] if n else np.zeros(0, np.int64)
    pairs = int(pair.sum())

    # agent-weeks: distinct starts; full weeks without two days off together.
    # One shift per agent and date, so the OR of the weekday bits is their sum.
    week = t["week"].to_numpy(np.int64)
    wk = (
        t.assign(bit=np.left_shift(1, day - week))
        .groupby(["agent_id", "week"], sort=False)
        .agg(count=("day", "size"), distinct=("start_minute", "nunique"), bits=("bit", "sum"))
    )
    distinct = wk["distinct"].to_numpy()
    h0 = scenario.horizon.start.toordinal() - _EPOCH
    h1 = h0 + scenario.horizon.days  # first day after the horizon
    wk_start = wk.index.get_level_values("week").to_numpy(np.int64)
    full = (wk["count"].to_numpy() >= 5) & (wk_start >= h0) & (wk_start + 7 <= h1)
    off = ~wk["bits"].to_numpy(np.int64) & 0x7F
    together = (off & (off >> 1) & 0x3F) != 0
    bad_weeks = int((full & ~together).sum())

    # isolated working days (days outside the horizon are unknown: never isolated)
    next_day = np.concatenate([day[1:], [0]]) if n else day
    has_next = np.zeros(n, dtype=bool)
    if n > 1:
        has_next[:-1] = same_agent[1:]
    worked_before = pair
    worked_after = has_next & (next_day == day + 1)
    isolated = ~worked_before & ~worked_after & (day - 1 >= h0) & (day + 1 < h1)

    # queue changes and stretches
    changes = np.clip(t["stretches"].to_numpy(np.int64) - 1, 0, None)
    lengths = stretch_lengths(roster)

    # nights and daytime, overall and per site
    runs = night_runs(t)
    longest = runs.groupby("site")["length"].max()
    granted, weight = requests_granted(scenario, t)
    sites = []
    for s in [x.id for x in scenario.sites] + sorted(set(t["site"]) - set(scenario.site_by_id)):
        sel = t["site"] == s
        if not sel.any():
            continue
        ts = t[sel]
        paid_s = int(ts["paid_minutes"].sum())
        sites.append(
            SiteQuality(
                site=s,
                shifts=len(ts),
                night_shifts=int(ts["night"].sum()),
                night_shift_share=_share(ts["night"].sum(), len(ts)),
                paid_hours=round(paid_s / 60.0, 2),
                daytime_hours_share=_share(ts["day_minutes"].sum(), paid_s),
                longest_night_run=int(longest.get(s, 0)),
            )
        )
    return Quality(
        shifts=n,
        day_pairs=pairs,
        start_change_2h_share=_share((np.abs(change) >= 120).sum(), pairs),
        start_change_4h_share=_share((np.abs(change) >= 240).sum(), pairs),
        backward_rotation_share=_share((change < -BACKWARD_MINUTES).sum(), pairs),
        agent_weeks=len(distinct),
        distinct_starts_median=float(np.median(distinct)) if len(distinct) else None,
        distinct_starts_p90=float(np.percentile(distinct, 90)) if len(distinct) else None,
        full_weeks=int(full.sum()),
        full_weeks_without_days_off_together=bad_weeks,
        full_weeks_without_days_off_together_share=_share(bad_weeks, full.sum()),
        isolated_days=int(isolated.sum()),
        isolated_day_share=_share(isolated.sum(), n),
        queue_changes_per_shift_mean=float(changes.mean()) if n else None,
        queue_changes_per_shift_max=int(changes.max()) if n else 0,
        stretches=len(lengths),
        short_stretch_share=_share((lengths < SHORT_STRETCH_MINUTES).sum(), len(lengths)),
        longest_night_run=int(runs["length"].max()) if len(runs) else 0,
        night_shift_share=_share(t["night"].sum(), n),
        daytime_hours_share=_share(t["day_minutes"].sum(), t["paid_minutes"].sum()),
        requests=len(granted),
        requests_granted=int(granted.sum()),
        requests_granted_share=_share(granted.sum(), len(granted)),
        requests_refused_weight=round(float(weight[~granted].sum()), 2),
        by_site=tuple(sites),
    )


__all__ = [
    "HEADLINE",
    "Quality", "SiteQuality", "circular_change", "night_runs", "quality_kpis",
    "requests_granted", "shift_table", "stretch_lengths",
]  # fmt: skip
