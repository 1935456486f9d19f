"""The independent checker: every hard rule, recomputed from a roster alone.

It shares no code with the solver's model (it never imports `optimizer.solve`;
a test enforces that) — only the loader, the time and holiday helpers, the
pay model and the KPIs — so a solver bug cannot hide behind itself. It works
on rosters from any source: solved, stored or edited by hand. Each rule is
one function over the roster's shifts, named for the rule, returning its
violations.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimizer.calendars import Calendars, calendars_of
from optimizer.kpi import Kpis, kpis
from optimizer.pay import local_clock, paid_minutes
from optimizer.roster import BREAK, Roster
from optimizer.scenario.model import Scenario
from optimizer.staffing.requirements import Requirements, compute_requirements
from optimizer.timegrid import TimeGrid, iso_local, iso_utc
from optimizer.tz import zone

BREAK_MIN_PAID_MINUTES = 6 * 60


@dataclass(frozen=True)
class Violation:
    rule: str
    agent_id: str
    when: str  # local ISO instant (or date) and UTC
    detail: str

    def __str__(self) -> str:
        return f"{self.rule}: agent {self.agent_id} at {self.when}: {self.detail}"


@dataclass(frozen=True)
class Shifts:
    """The roster's shifts with everything the rules look at (one row per shift)."""

    table: pd.DataFrame  # agent_id, site, shift_date, start, end, paid, breaks, break_start, break_len, local_date, local_minute, week
    segments: pd.DataFrame


@dataclass
class CheckReport:
    violations: list[Violation]
    kpis: Kpis | None
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for v in self.violations:
            out[v.rule] = out.get(v.rule, 0) + 1
        return out

    def to_text(self, limit: int = 50) -> str:
        if self.ok:
            return "no hard-rule violation"
        lines = [f"{len(self.violations)} hard-rule violation(s):"]
        lines += [f"  {rule}: {n}" for rule, n in sorted(self.counts().items())]
        lines += [f"  - {v}" for v in self.violations[:limit]]
        if len(self.violations) > limit:
            lines.append(f"  … and {len(self.violations) - limit} more")
        return "\n".join(lines)


# ------------------------------------------------------------------ the shift table


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


def _when(sc: Scenario, site: str, t: int) -> str:
    tz = sc.site_by_id[site].timezone if site in sc.site_by_id else "UTC"
    return f"{iso_local(int(t), tz)} ({iso_utc(int(t))})"


def _each(
    sc: Scenario, rows: pd.DataFrame, rule: str, detail: Callable[[pd.Series], str]
) -> list[Violation]:
    return [
        Violation(rule, str(r["agent_id"]), _when(sc, r["site"], r["start"]), detail(r))
        for _, r in rows.iterrows()
    ]


# ------------------------------------------------------------------ rule functions


def segments_known(sc: Scenario, sh: Shifts, grid: TimeGrid) -> list[Violation]:
    """Segments name a known agent at its own site and a known queue (or BREAK),
    and start and end on the UTC grid."""
    out = []
    seg = sh.segments
    queues = set(sc.queue_by_id) | {BREAK}
    for _, r in seg.iterrows():
        a = sc.agent_by_id.get(r["agent_id"])
        if a is None:
            out.append(
                Violation(
                    "known agent",
                    r["agent_id"],
                    iso_utc(r["start"]),
                    "no such agent in the scenario",
                )
            )
        elif a.site != r["site"]:
            out.append(
                Violation(
                    "agent site",
                    r["agent_id"],
                    iso_utc(r["start"]),
                    f"site {r['site']} but the agent sits at {a.site}",
                )
            )
        if r["activity"] not in queues:
            out.append(
                Violation(
                    "known activity",
                    r["agent_id"],
                    iso_utc(r["start"]),
                    f"unknown activity {r['activity']!r}",
                )
            )
        if (r["start"] - grid.start) % grid.interval or (r["end"] - grid.start) % grid.interval:
            out.append(
                Violation(
                    "on the grid",
                    r["agent_id"],
                    iso_utc(r["start"]),
                    f"segment not on the {grid.interval}-minute grid",
                )
            )
    return out


def one_contiguous_shift_per_date(sc: Scenario, sh: Shifts) -> list[Violation]:
    """An agent works at most one shift per local date, and a shift is contiguous:
    its segments with the same shift_date leave no gap and never overlap."""
    seg = sh.segments.sort_values(["agent_id", "shift_date", "start"])
    prev_end = seg.groupby(["agent_id", "shift_date"])["end"].shift()
    bad = seg[prev_end.notna() & (seg["start"] != prev_end)]
    return _each(
        sc,
        bad,
        "one contiguous shift per date",
        lambda r: "the shift has a gap or an overlap between its segments",
    )


def shift_date_is_local_start_date(sc: Scenario, sh: Shifts) -> list[Violation]:
    """`shift_date` is the site-local date on which the shift starts, inside the horizon."""
    s = sh.table
    if s.empty:
        return []
    wrong = s[s["shift_date"] != s["local_date"]]
    out = _each(
        sc,
        wrong,
        "shift date",
        lambda r: f"shift_date {r['shift_date']} but it starts on local {r['local_date']}",
    )
    outside = s[(s["shift_date"] < sc.horizon.start) | (s["shift_date"] >= sc.horizon.end)]
    out += _each(
        sc, outside, "horizon", lambda r: f"shift_date {r['shift_date']} is outside the horizon"
    )
    return out


def paid_shift_length(sc: Scenario, sh: Shifts) -> list[Violation]:
    """Paid minutes (real time less an unpaid break) are one of the rule set's `shift_hours`."""
    s = sh.table
    allowed = {site.id: {round(h * 60) for h in sc.rules_of(site).shift_hours} for site in sc.sites}
    bad = s[[p not in allowed.get(x, set()) for p, x in zip(s["paid"], s["site"], strict=True)]]
    return _each(
        sc,
        bad,
        "shift length",
        lambda r: (
            f"{r['paid'] / 60:g} paid hours; allowed {sorted(h / 60 for h in allowed.get(r['site'], ()))}"
        ),
    )


def start_step(sc: Scenario, sh: Shifts) -> list[Violation]:
    """A shift starts on a local time that is a multiple of the rule set's `start_step_minutes`."""
    s = sh.table
    step = {site.id: sc.rules_of(site).start_step_minutes for site in sc.sites}
    bad = s[[m % step.get(x, 1) != 0 for m, x in zip(s["local_minute"], s["site"], strict=True)]]
    return _each(
        sc,
        bad,
        "start step",
        lambda r: (
            f"starts at local minute {r['local_minute']}, not a multiple of {step.get(r['site'])}"
        ),
    )


def break_rule(sc: Scenario, sh: Shifts) -> list[Violation]:
    """Shifts of 6 paid hours or more have one break of exactly the rule's
    minutes, starting `after_hours` into the shift (both ends inclusive);
    shorter shifts, and sites without a break rule, have none."""
    out = []
    for _, r in sh.table.iterrows():
        rule = sc.rules_of(r["site"]).break_ if r["site"] in sc.site_by_id else None
        needs = rule is not None and r["paid"] >= BREAK_MIN_PAID_MINUTES
        if not needs:
            if r["breaks"]:
                out.append(
                    Violation(
                        "break",
                        r["agent_id"],
                        _when(sc, r["site"], r["start"]),
                        "a break where the rule asks for none",
                    )
                )
            continue
        assert rule is not None
        if r["breaks"] != 1 or r["break_len"] != r["break_minutes"]:
            out.append(
                Violation(
                    "break",
                    r["agent_id"],
                    _when(sc, r["site"], r["start"]),
                    f"expected one break of {rule.minutes} min, found {r['break_minutes']} min in {r['breaks']} piece(s) apart",
                )
            )
            continue
        if r["break_len"] != rule.minutes:
            out.append(
                Violation(
                    "break",
                    r["agent_id"],
                    _when(sc, r["site"], r["start"]),
                    f"break of {r['break_len']} min, expected {rule.minutes}",
                )
            )
        offset = r["break_start"] - r["start"]
        lo, hi = rule.after_hours
        if not lo * 60 <= offset <= hi * 60:
            out.append(
                Violation(
                    "break",
                    r["agent_id"],
                    _when(sc, r["site"], r["start"]),
                    f"break starts {offset / 60:g} h in, outside [{lo:g}, {hi:g}] h",
                )
            )
    return out


def minimum_rest(sc: Scenario, sh: Shifts) -> list[Violation]:
    """At least `min_rest_hours` of real time between an agent's shifts; shifts never overlap."""
    s = sh.table.sort_values(["agent_id", "start"])
    prev_end = s.groupby("agent_id")["end"].shift()
    rest = s["site"].map(
        lambda x: round(sc.rules_of(x).min_rest_hours * 60) if x in sc.site_by_id else 0
    )
    gap = s["start"] - prev_end
    bad = s[prev_end.notna() & (gap < rest)]
    return _each(
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


def _weeks(sc: Scenario) -> list[tuple[dt.date, bool]]:
    h = sc.horizon
    first = h.start - dt.timedelta(days=h.start.weekday())
    out = []
    w = first
    while w < h.end:
        out.append((w, w >= h.start and w + dt.timedelta(days=6) < h.end))
        w += dt.timedelta(days=7)
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
        for w, inside in _weeks(sc):
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


def days_off_leave_and_holidays(sc: Scenario, sh: Shifts, cal: Calendars) -> list[Violation]:
    """No shift starts on an agent's weekday off, a leave date, or — at a
    `holidays: off` site — a site public holiday (by shift_date)."""
    out = []
    for _, r in sh.table.iterrows():
        a = sc.agent_by_id.get(r["agent_id"])
        if a is None:
            continue
        d = r["shift_date"]
        when = _when(sc, r["site"], r["start"])
        if d.weekday() in a.days_off:
            out.append(Violation("days off", a.id, when, f"{d:%a} is a day off"))
        if d in a.leave:
            out.append(Violation("leave", a.id, when, f"{d} is leave"))
        site = sc.site_by_id.get(r["site"])
        if site is not None and site.holidays == "off" and d in cal.site[site.id]:
            out.append(Violation("holiday off", a.id, when, f"{d} is {cal.site[site.id][d]}"))
    return out


def personal_window(sc: Scenario, sh: Shifts) -> list[Violation]:
    """A shift fits the agent's earliest_start/latest_end window; a window across
    midnight (22:00/07:00) may open on the start day or the day before."""
    out = []
    for _, r in sh.table.iterrows():
        a = sc.agent_by_id.get(r["agent_id"])
        if a is None or a.earliest_start is None or a.latest_end is None:
            continue
        tz = zone(sc.site_by_id[a.site].timezone)
        start = dt.datetime.fromtimestamp(int(r["start"]) * 60, tz=tz)
        end = dt.datetime.fromtimestamp(int(r["end"]) * 60, tz=tz)
        s_min = start.hour * 60 + start.minute
        e_rel = (end.date() - start.date()).days * 1440 + end.hour * 60 + end.minute
        es, le = a.earliest_start, a.latest_end
        if es == le:
            fits = True
        elif es < le:
            fits = s_min >= es and e_rel <= le
        else:
            fits = (s_min >= es and e_rel <= 1440 + le) or e_rel <= le
        if not fits:
            out.append(
                Violation(
                    "personal window",
                    a.id,
                    _when(sc, r["site"], r["start"]),
                    f"shift {start:%H:%M}–{end:%H:%M} outside {es // 60:02d}:{es % 60:02d}–{le // 60:02d}:{le % 60:02d}",
                )
            )
    return out


def skills_and_residency(sc: Scenario, sh: Shifts) -> list[Violation]:
    """An agent only serves queues in a language and channel it has, of
    markets whose data residency admits its site."""
    out = []
    work = sh.segments[sh.segments["activity"] != BREAK]
    for (agent_id, queue), g in work.groupby(["agent_id", "activity"]):
        a = sc.agent_by_id.get(agent_id)
        q = sc.queue_by_id.get(queue)
        if a is None or q is None:
            continue
        first = g.iloc[0]
        when = _when(sc, first["site"], first["start"])
        if q.language not in a.languages:
            out.append(
                Violation("skills", a.id, when, f"serves {q.id} but does not speak {q.language!r}")
            )
        if q.channel not in a.channels:
            out.append(
                Violation("skills", a.id, when, f"serves {q.id} but not the {q.channel} channel")
            )
        if not sc.may_serve(sc.site_by_id[a.site], sc.market_by_id[q.market]):
            out.append(
                Violation(
                    "data residency", a.id, when, f"site {a.site} may not serve market {q.market}"
                )
            )
    return out


# ------------------------------------------------------------------ v1.1: rosters people can work

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
    weeks = [w for w, inside in _weeks(sc) if inside]
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


def stretches(segments: pd.DataFrame) -> pd.DataFrame:
    """The stretches of every shift: its segments in time order with the
    `BREAK` rows dropped, a stretch being a maximal run of consecutive segments
    on one queue (a break inside it does not end it). One row per stretch:
    `agent_id, site, shift_date, activity, start, minutes` (sum of its
    segments' minutes), in time order within each shift."""
    cols = ["agent_id", "site", "shift_date", "activity", "start", "minutes"]
    work = segments[segments["activity"] != BREAK]
    if work.empty:
        return pd.DataFrame(columns=cols)
    work = work.sort_values(["agent_id", "shift_date", "start"], kind="stable")
    new = ~(
        (work["agent_id"] == work["agent_id"].shift())
        & (work["shift_date"] == work["shift_date"].shift())
        & (work["activity"] == work["activity"].shift())
    )
    out = (
        work.assign(minutes=work["end"] - work["start"], run=new.cumsum())
        .groupby("run", sort=True)
        .agg(
            agent_id=("agent_id", "first"),
            site=("site", "first"),
            shift_date=("shift_date", "first"),
            activity=("activity", "first"),
            start=("start", "first"),
            minutes=("minutes", "sum"),
        )
    )
    return out.reset_index(drop=True)[cols]


def minimum_stretch(sc: Scenario, sh: Shifts) -> list[Violation]:
    """Every stretch on one queue lasts at least `activities.min_minutes`
    (breaks dropped first, so a break inside a stretch does not end it)."""
    need = sc.activities.min_minutes
    if need is None:
        return []
    st = stretches(sh.segments)
    short = st[st["minutes"] < need]
    return _each(
        sc,
        short,
        "minimum stretch",
        lambda r: f"{r['minutes']} min on {r['activity']} (minimum {need})",
    )


def queue_switches(sc: Scenario, sh: Shifts) -> list[Violation]:
    """A shift changes queue at most `activities.max_switches_per_shift` times:
    switches = stretches − 1, breaks dropped (a break between two stretches on
    the same queue is no switch)."""
    cap = sc.activities.max_switches_per_shift
    if cap is None:
        return []
    st = stretches(sh.segments)
    if st.empty:
        return []
    count = st.groupby(["agent_id", "shift_date"])["minutes"].transform("size")
    out = []
    for (agent, _), g in st[count > cap + 1].groupby(["agent_id", "shift_date"], sort=True):
        first = g.iloc[0]
        out.append(
            Violation(
                "queue switches",
                str(agent),
                _when(sc, first["site"], first["start"]),
                f"{len(g) - 1} queue changes (limit {cap}): "
                + " → ".join(
                    f"{q} {m} min" for q, m in zip(g["activity"], g["minutes"], strict=True)
                ),
            )
        )
    return out


def check_roster(
    scenario: Scenario,
    roster: Roster,
    calendars: Calendars | None = None,
    requirements: Requirements | None = None,
) -> CheckReport:
    """Every hard-rule violation of `roster`, and its KPIs."""
    sc = scenario
    cal = calendars or calendars_of(sc)
    grid = TimeGrid.of(sc)
    req = requirements or compute_requirements(sc, grid, cal)
    sh = shift_table(sc, roster)
    v: list[Violation] = []
    v += segments_known(sc, sh, grid)
    v += one_contiguous_shift_per_date(sc, sh)
    v += shift_date_is_local_start_date(sc, sh)
    known = sh.table[sh.table["site"].isin(list(sc.site_by_id))] if len(sh.table) else sh.table
    sh_known = Shifts(known, sh.segments)
    v += paid_shift_length(sc, sh_known)
    v += start_step(sc, sh_known)
    v += break_rule(sc, sh_known)
    v += minimum_rest(sc, sh_known)
    v += max_consecutive_days(sc, sh_known)
    v += weekly_hours(sc, sh_known, cal)
    v += days_off_leave_and_holidays(sc, sh_known, cal)
    v += personal_window(sc, sh_known)
    v += skills_and_residency(sc, sh_known)
    v += start_band(sc, sh_known)
    v += days_off_together(sc, sh_known)
    v += consecutive_nights(sc, sh_known)
    known_seg = sh.segments[sh.segments["site"].isin(list(sc.site_by_id))]
    v += minimum_stretch(sc, Shifts(known, known_seg))
    v += queue_switches(sc, Shifts(known, known_seg))
    warnings = []
    cov = roster.coverage(req.queue_ids, grid.start, grid.interval, grid.n)
    closed = int((cov[~req.open]).sum())
    if closed:
        warnings.append(
            f"{closed} agent-interval(s) on queues while they are closed (not a rule, just idle time)"
        )
    k = (
        kpis(sc, req, roster, cal)
        if not any(x.rule in ("known agent", "known activity") for x in v)
        else None
    )
    return CheckReport(v, k, warnings)
