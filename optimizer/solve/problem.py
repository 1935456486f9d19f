"""The frozen problem the solver works on: ids → indices, numpy arrays.

Built once from a scenario and its requirements; the solver reads nothing
else. The day rules (`rules/day.py`: days off, leave, `holidays: off`,
personal windows, skills and data residency) are folded into each agent's
candidate templates here, so the search never even sees a shift that breaks
them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from optimizer.calendars import Calendars, calendars_of
from optimizer.pay import local_clock
from optimizer.scenario.model import RuleSet, Scenario
from optimizer.solve.rules import day
from optimizer.solve.rules.horizon import NO_LIMIT
from optimizer.solve.templates import Templates, build_templates
from optimizer.solve.type_cover import TypeCover
from optimizer.solve.wishes import Requests
from optimizer.staffing.requirements import Requirements, compute_requirements
from optimizer.timegrid import TimeGrid

COST_SCALE = 100  # objective in integer cents of the reporting currency


@dataclass(frozen=True)
class SiteTemplates:
    """A site's templates plus their place on the grid."""

    tpl: Templates
    a: np.ndarray  # first grid interval of the shift (clipped to [0, T])
    b: np.ndarray  # one past the last
    ba: np.ndarray  # first grid interval of the break
    bb: np.ndarray  # one past the break's last
    unsocial: np.ndarray  # bool: touches night, weekend or holiday premiums
    # families: templates of one local date, start and paid length, differing
    # only in where the break sits (the same shift to every sequence rule)
    family: np.ndarray  # [K] family id of each template
    members: np.ndarray  # templates sorted by family …
    first: np.ndarray  # … [F + 1]: where each family starts in `members`
    # v1.1: a night shift (>= 3 paid hours in the night window); a family is
    # a night shift when any of its break options is one, so moving a break
    # never makes a run of nights longer than the search planned
    night: np.ndarray  # [K] bool

    def on_duty(self, k: int) -> np.ndarray:
        """The grid intervals template k is on duty: its span less its break."""
        t = np.arange(int(self.a[k]), int(self.b[k]))
        if self.tpl.brk_len[k] > 0:
            t = t[(t < self.ba[k]) | (t >= self.bb[k])]
        return t

    def on_duty_sums(
        self, prefix: np.ndarray, k: np.ndarray | None = None, rows: np.ndarray | None = None
    ) -> np.ndarray:
        """Σ of a per-interval quantity over each template's on-duty intervals
        (its break left out), from prefix sums: `prefix` [T + 1], or
        [R, T + 1] with `rows` giving each template's row; templates `k`
        (all by default)."""
        sel = slice(None) if k is None else k
        a, b, ba, bb = self.a[sel], self.b[sel], self.ba[sel], self.bb[sel]
        if rows is None:
            whole, brk = prefix[b] - prefix[a], prefix[bb] - prefix[ba]
        else:
            whole = prefix[rows, b] - prefix[rows, a]
            brk = prefix[rows, bb] - prefix[rows, ba]
        return whole - np.where(self.tpl.brk_len[sel] > 0, brk, 0.0)

    def best_of_families(self, net: np.ndarray) -> np.ndarray:
        """[F] the template of each family with the highest `net` [K]
        (-inf: not allowed; the first such template on ties)."""
        v = net[self.members]
        starts = self.first[:-1]
        top = np.maximum.reduceat(v, starts)
        hit = v == np.repeat(top, np.diff(self.first))
        pos = np.minimum.reduceat(np.where(hit, np.arange(len(v)), len(v)), starts)
        return self.members[np.minimum(pos, len(v) - 1)]


@dataclass(frozen=True)
class Problem:
    """Arrays of one scenario (see module doc). Minutes are UTC epoch minutes."""

    scenario: Scenario
    grid: TimeGrid
    calendars: Calendars
    requirements: Requirements
    dates: tuple[dt.date, ...]
    queue_ids: tuple[str, ...]
    required: np.ndarray  # [Q, T] int
    penalty: np.ndarray  # [Q] reporting currency per agent and interval short
    agent_ids: tuple[str, ...]
    agent_site: np.ndarray  # [A] site index
    agent_group: np.ndarray  # [A] group index
    rate: np.ndarray  # [A] reporting currency per paid minute (base, no premium)
    eligible: np.ndarray  # [A, Q] bool
    group_site: np.ndarray  # [G]
    group_queues: tuple[np.ndarray, ...]  # [G] → queue indices
    sites: tuple[SiteTemplates, ...]  # by site index
    cand: tuple[np.ndarray, ...]  # [A] → allowed template indices of the agent's site
    week_of_day: np.ndarray  # [D]
    wmax: np.ndarray  # [A, W] paid minutes
    wmin: np.ndarray  # [A, W] paid minutes
    hmin: np.ndarray  # [A] paid minutes over the horizon at least (0: no rule)
    hmax: np.ndarray  # [A] paid minutes over the horizon at most (NO_LIMIT: no rule)
    rest: np.ndarray  # [S] minutes
    maxcons: np.ndarray  # [S] days
    mincons: np.ndarray  # [S] days a run of working days lasts at least (1: no rule)
    minoff: np.ndarray  # [S] days a run of days off lasts at least (1: no rule)
    ot_threshold: np.ndarray  # [S] minutes (huge when none)
    ot_extra: np.ndarray  # [S] overtime multiplier − 1
    pref_off: np.ndarray  # [A, D] bool
    week_whole: np.ndarray  # [W] bool: the local Mon–Sun week lies wholly inside the horizon
    band: np.ndarray  # [S] start band, minutes (-1: no rule)
    off_together: np.ndarray  # [S] days off together a week (0: no rule)
    max_nights: np.ndarray  # [S] consecutive night shifts at most (-1: no rule)
    max_weekends: np.ndarray  # [S] weekends worked in the horizon at most (-1: no rule)
    weekend_day: np.ndarray  # [S, D] bool: date d is a weekend day of the site's rule set
    requests: Requests  # the agents' shift requests inside the horizon (`wishes.py`)
    # [S] → [T, T] bool: [a, b] a shift of type b may not follow one of type a on the next date
    forbid: tuple[np.ndarray, ...]
    type_limits: tuple[np.ndarray, ...]  # [S] → [T] shifts of each type per agent at most (-1: any)
    type_cover: TypeCover  # agents needed per site, date and shift type (`type_cover.py`)
    notes: tuple[str, ...] = field(default=())

    @property
    def n_agents(self) -> int:
        return len(self.agent_ids)

    @property
    def n_days(self) -> int:
        return len(self.dates)

    @property
    def n_weeks(self) -> int:
        return int(self.week_of_day.max()) + 1 if len(self.week_of_day) else 0

    @property
    def interval(self) -> int:
        return self.grid.interval

    @cached_property
    def kinds(self) -> GroupKinds:
        """The groups pooled by the queues they serve (computed once)."""
        return GroupKinds.of(self.group_queues, len(self.queue_ids))


def queue_classes(group_queues: tuple[np.ndarray, ...]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Groups with the same queues are interchangeable for allocation: the
    class of each group, and each class's queues."""
    keys = [tuple(int(q) for q in qs) for qs in group_queues]
    index: dict[tuple[int, ...], int] = {}
    cls = np.array([index.setdefault(k, len(index)) for k in keys], dtype=np.int64)
    return cls, [np.array(k, dtype=np.int64) for k in index]


@dataclass(frozen=True)
class GroupKinds:
    """Groups that serve the same queues are one kind (sites apart, they are
    interchangeable for the allocation): each group's kind, each kind's
    queues and groups, and [K, Q] whether kind k serves queue q."""

    of_group: np.ndarray  # [G]
    queues: tuple[np.ndarray, ...]  # [K] → queue indices
    members: tuple[np.ndarray, ...]  # [K] → group indices
    serves: np.ndarray  # [K, Q] bool
    pair_kind: np.ndarray  # [P] the kind of each (kind, queue) pair, kind by kind …
    pair_queue: np.ndarray  # [P] … and its queue (the rows of `totals` stacked)

    @classmethod
    def of(cls, group_queues: tuple[np.ndarray, ...], n_queues: int) -> GroupKinds:
        kind, queues = queue_classes(group_queues)
        serves = np.zeros((len(queues), n_queues), dtype=bool)
        for k, qs in enumerate(queues):
            serves[k, qs] = True
        members = tuple(np.flatnonzero(kind == k) for k in range(len(queues)))
        sizes = [len(qs) for qs in queues]
        pair_kind = np.repeat(np.arange(len(queues), dtype=np.int64), sizes)
        pair_queue = np.concatenate([*queues, np.zeros(0, dtype=np.int64)])
        return cls(kind, tuple(queues), members, serves, pair_kind, pair_queue)

    def totals(self, alloc: list[np.ndarray]) -> list[np.ndarray]:
        """[K] → [len(queues[k]), T]: the agents each kind's groups put in
        each of its queues, from per-group `alloc` (a group's rows follow its
        queues, the same for every group of a kind)."""
        out = []
        for hs in self.members:
            total = alloc[hs[0]]
            if len(hs) > 1:
                total = total.copy()
                for h in hs[1:]:
                    total += alloc[h]
            out.append(total)
        return out

    def pair_totals(self, alloc: list[np.ndarray], n: int) -> np.ndarray:
        """[P, n] `totals` stacked: one row per (kind, queue) pair, in the
        order of `pair_kind` and `pair_queue` (`n`: the intervals of each)."""
        if not self.pair_kind.size:
            return np.zeros((0, n), dtype=np.int64)
        return np.vstack(self.totals(alloc))


NIGHT_SHIFT_MINUTES = 180  # v1.1: a night shift has at least 3 paid hours in the night window


def night_paid_minutes(tz: str, rules: RuleSet, tpl: Templates) -> np.ndarray:
    """[K] paid minutes of each template inside the rule set's night window
    (site clock), by prefix sums over one minute line."""
    if rules.night is None or len(tpl) == 0:
        return np.zeros(len(tpl), dtype=np.int64)
    t0, t1 = int(tpl.start.min()), int(tpl.end.max())
    _, _, minute = local_clock(tz, np.arange(t0, t1, dtype=np.int64))
    a, b = rules.night.from_, rules.night.to
    inside = (minute >= a) & (minute < b) if a < b else (minute >= a) | (minute < b)
    prefix = np.concatenate([[0], np.cumsum(inside)])
    whole = prefix[tpl.end - t0] - prefix[tpl.start - t0]
    if rules.break_ is not None and not rules.break_.paid:
        b0 = tpl.brk_start - t0
        whole = whole - (prefix[b0 + tpl.brk_len] - prefix[b0])
    return whole.astype(np.int64)


def _site_templates(
    tpl: Templates, grid: TimeGrid, unsocial_weight: np.ndarray, night_minutes: np.ndarray
) -> SiteTemplates:
    def idx(t: np.ndarray) -> np.ndarray:
        return np.clip((t - grid.start) // grid.interval, 0, grid.n)

    key = pd.DataFrame({"d": tpl.day, "s": tpl.start, "p": tpl.paid})
    family = key.groupby(["d", "s", "p"], sort=False).ngroup().to_numpy(dtype=np.int64)
    counts = np.bincount(family, minlength=int(family.max(initial=-1)) + 1)
    night_family = np.zeros(len(counts), dtype=bool)
    np.logical_or.at(night_family, family, night_minutes >= NIGHT_SHIFT_MINUTES)
    return SiteTemplates(
        tpl=tpl,
        a=idx(tpl.start),
        b=idx(tpl.end),
        ba=idx(tpl.brk_start),
        bb=idx(tpl.brk_start + tpl.brk_len),
        unsocial=unsocial_weight,
        family=family,
        members=np.argsort(family, kind="stable"),
        first=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        night=night_family[family],
    )


def _candidates(
    sc: Scenario,
    sites: list[SiteTemplates],
    agent_site: np.ndarray,
    may_work: np.ndarray,
    eligible: np.ndarray,
) -> list[np.ndarray]:
    """Each agent's candidate templates: those of its site on a day it may
    work (`may_work` [A, D]) that fit its personal window; none for an agent
    who may serve no queue (`eligible` [A, Q])."""
    cand = [np.zeros(0, dtype=np.int64)] * len(sc.agents)
    for si, st in enumerate(sites):
        at = np.flatnonzero(agent_site == si)
        if not len(at) or not len(st.tpl):
            continue
        ok = may_work[at][:, st.tpl.day]
        ok &= day.personal_window([sc.agents[i] for i in at], sc.sites[si].timezone, st.tpl)
        ok &= eligible[at].any(axis=1)[:, None]
        for row, i in enumerate(at):
            cand[i] = np.flatnonzero(ok[row])
    return cand


def build_problem(
    scenario: Scenario,
    requirements: Requirements | None = None,
    calendars: Calendars | None = None,
) -> Problem:
    """Index the scenario and enumerate templates and candidates."""
    sc = scenario
    cal = calendars or calendars_of(sc)
    req = requirements or compute_requirements(sc, TimeGrid.of(sc), cal)
    grid = req.grid
    dates = tuple(sc.horizon.dates())
    monday0 = dates[0] - dt.timedelta(days=dates[0].weekday())
    week_of_day = np.array([(d - monday0).days // 7 for d in dates], dtype=np.int64)
    n_weeks = int(week_of_day.max()) + 1
    week_inside = np.array(
        [
            monday0 + dt.timedelta(days=7 * w) >= sc.horizon.start
            and monday0 + dt.timedelta(days=7 * w + 6) < sc.horizon.end
            for w in range(n_weeks)
        ]
    )
    site_index = {s.id: i for i, s in enumerate(sc.sites)}
    sites: list[SiteTemplates] = []
    for s in sc.sites:
        rules = sc.rules_of(s)
        tpl = build_templates(s, rules, list(dates), grid, cal.site_dates(s.id))
        paid = np.maximum(tpl.paid, 1)
        nights = night_paid_minutes(s.timezone, rules, tpl)
        sites.append(_site_templates(tpl, grid, tpl.weight > paid + 1e-9, nights))

    penalty = np.array(
        [sc.tier_of(q).under_cover_penalty * grid.interval / 60.0 for q in sc.queues], dtype=float
    )
    agent_site = np.array([site_index[a.site] for a in sc.agents], dtype=np.int64)

    # the day rules (rules/day.py), each a mask of the options it allows
    agents = sc.agents
    eligible = day.skills(agents, sc.queues) & day.data_residency(sc, agents)  # [A, Q]
    not_leave = day.leave(agents, dates)  # [A, D]
    not_holiday = day.holiday_off(sc, agents, dates, cal)  # [A, D]
    may_work = day.days_off(agents, dates) & not_leave & not_holiday  # [A, D]
    cand = _candidates(sc, sites, agent_site, may_work, eligible)

    keys: dict[tuple[int, bytes], int] = {}
    agent_group = np.zeros(len(sc.agents), dtype=np.int64)
    for i in range(len(sc.agents)):
        key = (int(agent_site[i]), eligible[i].tobytes())
        agent_group[i] = keys.setdefault(key, len(keys))
    group_site = np.zeros(len(keys), dtype=np.int64)
    group_queues: list[np.ndarray] = [np.zeros(0, np.int64)] * len(keys)
    for (si, elig), g in keys.items():
        group_site[g] = si
        group_queues[g] = np.flatnonzero(np.frombuffer(elig, dtype=bool))

    rate = np.array(
        [sc.agent_cost(a) * sc.fx_rate(sc.site_by_id[a.site].currency) / 60.0 for a in sc.agents]
    )
    # weekly limits: the agent's own only in weeks wholly inside the horizon;
    # no minimum in a week with leave or a site holiday at a `holidays: off` site
    first_day = np.flatnonzero(np.diff(week_of_day, prepend=-1))
    exempt = ~np.logical_and.reduceat(not_leave & not_holiday, first_day, axis=1)  # [A, W]
    cap = np.array(
        [round(sc.rules_of(a.site).max_hours_week * 60) for a in agents], dtype=np.int64
    )[:, None]
    own_max = np.array([round(a.max_hours_week * 60) for a in agents], dtype=np.int64)[:, None]
    own_min = np.array([round(a.min_hours_week * 60) for a in agents], dtype=np.int64)[:, None]
    wmax = np.where(week_inside, np.minimum(cap, own_max), cap)
    wmin = np.where(week_inside & ~exempt, own_min, 0)
    pref_off = day.on_weekdays([a.preferred_days_off for a in agents], dates)

    rs = [sc.rules_of(s) for s in sc.sites]
    return Problem(
        scenario=sc,
        grid=grid,
        calendars=cal,
        requirements=req,
        dates=dates,
        queue_ids=tuple(q.id for q in sc.queues),
        required=req.required.astype(np.int64),
        penalty=penalty,
        agent_ids=tuple(a.id for a in sc.agents),
        agent_site=agent_site,
        agent_group=agent_group,
        rate=rate,
        eligible=eligible,
        group_site=group_site,
        group_queues=tuple(group_queues),
        sites=tuple(sites),
        cand=tuple(cand),
        week_of_day=week_of_day,
        wmax=wmax,
        wmin=wmin,
        hmin=np.array([round((a.min_hours_horizon or 0) * 60) for a in agents], dtype=np.int64),
        hmax=np.array(
            [
                NO_LIMIT if a.max_hours_horizon is None else round(a.max_hours_horizon * 60)
                for a in agents
            ],
            dtype=np.int64,
        ),
        rest=np.array([round(r.min_rest_hours * 60) for r in rs], dtype=np.int64),
        maxcons=np.array([r.max_consecutive_days for r in rs], dtype=np.int64),
        mincons=np.array([r.min_consecutive_days or 1 for r in rs], dtype=np.int64),
        minoff=np.array([r.min_consecutive_days_off or 1 for r in rs], dtype=np.int64),
        ot_threshold=np.array(
            [
                round(r.premiums.overtime_after_hours_week * 60)
                if r.premiums.overtime_after_hours_week is not None
                else NO_LIMIT
                for r in rs
            ],
            dtype=np.int64,
        ),
        ot_extra=np.array([r.premiums.overtime - 1.0 for r in rs]),
        pref_off=pref_off,
        week_whole=week_inside,
        band=np.array(
            [-1 if r.start_band_hours is None else round(r.start_band_hours * 60) for r in rs],
            dtype=np.int64,
        ),
        off_together=np.array([r.days_off_together or 0 for r in rs], dtype=np.int64),
        max_nights=np.array(
            [-1 if r.max_consecutive_nights is None else r.max_consecutive_nights for r in rs],
            dtype=np.int64,
        ),
        max_weekends=np.array(
            [-1 if r.max_weekends is None else r.max_weekends for r in rs], dtype=np.int64
        ),
        weekend_day=day.on_weekdays([r.weekend for r in rs], dates),
        requests=Requests.of(sc.requests, [a.id for a in agents], dates),
        forbid=tuple(_forbidden(r) for r in rs),
        type_cover=TypeCover.of(sc, dates),
        type_limits=tuple(
            np.array(
                [-1 if t.max_shifts is None else t.max_shifts for t in r.shift_types],
                dtype=np.int64,
            )
            for r in rs
        ),
    )


def _forbidden(rules: RuleSet) -> np.ndarray:
    """[T, T] the rule set's forbidden successions between its shift types."""
    index = {t.id: i for i, t in enumerate(rules.shift_types)}
    out = np.zeros((len(index), len(index)), dtype=bool)
    for a, b in rules.forbidden_successions:
        out[index[a], index[b]] = True
    return out
