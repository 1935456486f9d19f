"""Hiring recommendation: the smallest plan (site × language × count) that
meets every tier's SLA, at least cost — found by a MIP, proved by re-solving.

1. Solve the scenario as it is. A tier *misses* when its contact-weighted
   service level is below its target (a tier without a service level —
   email only, or no contacts — when any agent-hour is short). The shortfall of a missing tier's queues is
   `max(0, required − scheduled)` per queue and UTC interval.
2. Candidates are (site, language) pairs — the sites asked for, the
   languages of short queues — whose hires could serve a short queue
   (language, the site's channels, data residency). A hire works the site's
   shift templates (its time zone, start step, lengths and break: the same
   templates the solver uses), under its rule set's weekly hours, one shift a
   day and its consecutive-day limit.
3. A MIP (OR-Tools, SCIP) chooses `h[c]` hires per candidate and `x[c,k]`
   shifts of each template, and splits each hired interval over the queues
   it may serve (`z[c,q,t]`) so that every short cell is covered. Objective:
   first the number of hires, then their premium-weighted pay in the
   reporting currency (lexicographic, by a big-M weight).
4. Verify: re-solve the scenario with the plan applied (`hire.SITE.LANG=N`
   what-ifs; the solver re-plans everyone). If a tier still misses, the MIP
   runs again on the new shortfall with the plan as a floor (repair). Then
   trim: remove one hire at a time (most expensive first) while the
   re-solve still meets every SLA — the MIP covers every interval, which
   is more than an aggregated SLA needs.

Step 3 is exact on coverage but ignores rest between days; step 4 is the
proof. The solver's own economics apply: a hire is only rostered where the
tier's under-cover penalty outweighs the hours' cost.

A short cell that no candidate's shift can reach (no site may serve the
queue, none of the sites asked for may, or no shift template is at work then
— e.g. an interval before the horizon's first local day) is left out of the
plan and named with the reason; the plan may still meet the SLA without it.
Bad arguments raise `HiringInputError`; a shortfall no plan can close raises
`NoHiringPlan` (the CLI's exit 2 and exit 1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimizer.calendars import calendars_of
from optimizer.pipeline import RunOutput, prepare, run
from optimizer.scenario.model import Scenario
from optimizer.solve.stop import StopCriteria
from optimizer.solve.templates import build_templates
from optimizer.timegrid import TimeGrid, iso_utc
from optimizer.whatif import Hire, WhatIf, apply

Candidate = tuple[str, str]  # (site id, language)


class HiringInputError(ValueError):
    """A `--sites` or `--languages` value the scenario does not have."""


class NoHiringPlan(Exception):
    """No hiring plan can close the shortfall; the message says why and what to try."""


def plan_text(plan: dict[Candidate, int]) -> str:
    """`LIS.pt=2, MNL.ja=1` (or `no hires`): a plan as the hire.SITE.LANG levers read."""
    items = [f"{s}.{lang}={n}" for (s, lang), n in sorted(plan.items()) if n > 0]
    return ", ".join(items) or "no hires"


@dataclass
class HiringPlan:
    hires: dict[Candidate, int]
    meets: bool
    hire_cost: float  # MIP estimate of the hires' pay (reporting currency)
    baseline: dict[str, dict[str, Any]]  # tier → service_level, target, under_cover_hours
    verified: dict[str, dict[str, Any]]
    baseline_cost: float | None = None
    verified_cost: float | None = None
    solves: int = 0
    run_ids: list[int] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)

    def overrides(self) -> dict[str, str]:
        return {f"hire.{s}.{lang}": str(n) for (s, lang), n in sorted(self.hires.items()) if n > 0}

    def to_dict(self) -> dict[str, Any]:
        return {
            "hires": [{"site": s, "language": lang, "count": n} for (s, lang), n in sorted(self.hires.items()) if n > 0],
            "total_hires": sum(self.hires.values()),
            "meets_every_sla": self.meets,
            "hire_cost_estimate": round(self.hire_cost, 2),
            "baseline_cost": self.baseline_cost,
            "verified_cost": self.verified_cost,
            "baseline": self.baseline,
            "verified": self.verified,
            "overrides": self.overrides(),
            "solves": self.solves,
            "run_ids": self.run_ids,
            "steps": self.steps,
        }  # fmt: skip

    def text(self) -> str:
        def sl(d: dict[str, dict[str, Any]]) -> str:
            return ", ".join(
                f"{t} {'—' if v['service_level'] is None else format(v['service_level'], '.1%')}"
                f"/{'—' if v['target'] is None else format(v['target'], '.0%')}"
                for t, v in d.items()
            )

        head = "meets every tier's SLA" if self.meets else "does NOT meet every tier's SLA"
        return (
            f"{sum(self.hires.values())} hire(s) ({plan_text(self.hires)}): {head}; "
            f"service level before {sl(self.baseline)}, after {sl(self.verified)}; "
            f"{self.solves} solve(s)"
        )


def tier_status(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per tier: achieved service level, target, under-cover hours, met?"""
    under = summary.get("under_cover_agent_hours") or {}
    sl = summary.get("service_level_by_tier") or {}
    target = summary.get("service_level_target_by_tier") or {}
    out = {}
    for tier, h in under.items():
        t, s = target.get(tier), sl.get(tier)
        met = s >= t - 1e-9 if (t is not None and s is not None) else h <= 1e-9
        out[tier] = {"service_level": s, "target": t, "under_cover_hours": h, "met": bool(met)}
    return out


def meets(summary: dict[str, Any]) -> bool:
    return all(v["met"] for v in tier_status(summary).values())


def shortfall(out: RunOutput) -> np.ndarray:
    """[Q, T] agents short in the queues of tiers that miss their SLA."""
    sc, req = out.scenario, out.prepared.requirements
    status = tier_status(out.summary())
    g = req.grid
    sched = out.roster.coverage(req.queue_ids, g.start, g.interval, g.n)
    short = np.clip(req.required - sched, 0, None).astype(float)
    missing = np.array([not status.get(sc.tier_of(q).id, {"met": True})["met"] for q in sc.queues])
    short[~missing] = 0.0
    return short


def candidates(
    sc: Scenario, short: np.ndarray, sites: list[str] | None, languages: list[str] | None
) -> dict[Candidate, np.ndarray]:
    """Candidate → the queue indices a hire there could serve (only short queues)."""
    for s in sites or []:
        if s not in sc.site_by_id:
            raise HiringInputError(f"--sites: no site {s!r} (sites: {', '.join(sc.site_by_id)})")
    spoken = sorted({q.language for q in sc.queues})
    for lang in languages or []:
        if lang not in spoken:
            raise HiringInputError(
                f"--languages: no queue in {lang!r} (languages: {', '.join(spoken)})"
            )
    short_q = np.flatnonzero(short.sum(axis=1) > 0)
    langs = sorted({sc.queues[i].language for i in short_q})
    if languages:
        langs = [lang for lang in langs if lang in set(languages)]
    out: dict[Candidate, np.ndarray] = {}
    for site in sc.sites:
        if sites and site.id not in sites:
            continue
        chans = {c for a in sc.agents if a.site == site.id for c in a.channels} or {
            q.channel for q in sc.queues
        }
        for lang in langs:
            qs = [
                i for i in short_q
                if sc.queues[i].language == lang and sc.queues[i].channel in chans
                and sc.may_serve(site, sc.market_by_id[sc.queues[i].market])
            ]  # fmt: skip
            if qs:
                out[(site.id, lang)] = np.array(qs, dtype=np.int64)
    return out


def at_work(sc: Scenario, cands: dict[Candidate, np.ndarray]) -> dict[Candidate, np.ndarray]:
    """Candidate → [T] bool: the intervals some shift template of its site is at
    work (outside the break) — where a hire there could be."""
    grid, cal = TimeGrid.of(sc), calendars_of(sc)
    dates = list(sc.horizon.dates())
    by_site: dict[str, np.ndarray] = {}

    def cell(minutes: np.ndarray) -> np.ndarray:
        return np.clip((minutes - grid.start) // grid.interval, 0, grid.n)

    for site_id, _lang in cands:
        if site_id in by_site:
            continue
        site = sc.site_by_id[site_id]
        tpl = build_templates(site, sc.rules_of(site), dates, grid, cal.site_dates(site.id))
        a, b = cell(tpl.start), cell(tpl.end)
        ba, bb = cell(tpl.brk_start), cell(tpl.brk_start + tpl.brk_len)
        mask = np.zeros(grid.n, dtype=bool)
        for k in np.flatnonzero(tpl.nominal):
            on = np.zeros(grid.n, dtype=bool)
            on[a[k] : b[k]] = True
            on[ba[k] : bb[k]] = False
            mask |= on
        by_site[site_id] = mask
    return {c: by_site[c[0]] for c in cands}


def unreachable(
    sc: Scenario, short: np.ndarray, sites: list[str] | None, languages: list[str] | None
) -> dict[str, list[tuple[int, int]]]:
    """The short cells no candidate hire can reach, by reason: no site may serve
    the queue at all; only sites or languages left out by `--sites`/`--languages`
    could; or no site's shift is at work then. Empty when every cell is reachable."""
    asked = candidates(sc, short, sites, languages)
    every = candidates(sc, short, None, None)
    work_asked, work_every = at_work(sc, asked), at_work(sc, every)
    out: dict[str, list[tuple[int, int]]] = {}
    for q, t in zip(*np.nonzero(short), strict=True):
        q, t = int(q), int(t)
        if any(q in qs and work_asked[c][t] for c, qs in asked.items()):
            continue
        serving = [c for c, qs in every.items() if q in qs]
        if not serving:
            why = "no site may serve the queue (its channel or data residency)"
        elif any(work_every[c][t] for c in serving):
            why = "only sites or languages left out by --sites/--languages could: widen them"
        else:
            names = ", ".join(sorted({c[0] for c in serving}))
            why = (
                f"no shift at {names} is at work then (outside the shift times the rules "
                "allow within the horizon's local days)"
            )
        out.setdefault(why, []).append((q, t))
    return out


def describe_cells(sc: Scenario, cells: list[tuple[int, int]]) -> str:
    """`PT-pt-voice at 2027-02-28T23:00:00Z and 2 other cell(s)`."""
    grid = TimeGrid.of(sc)
    q, t = cells[0]
    more = f" and {len(cells) - 1} other cell(s)" if len(cells) > 1 else ""
    return f"{sc.queues[q].id} at {iso_utc(int(grid.starts[t]))}{more}"


def solve_plan(
    sc: Scenario,
    short: np.ndarray,
    cands: dict[Candidate, np.ndarray],
    max_per_candidate: int,
) -> tuple[dict[Candidate, int], float]:
    """The MIP of step 3: hires per candidate covering `short`, and their pay."""
    from ortools.linear_solver import pywraplp

    prep = prepare(sc)
    grid, cal = prep.grid, prep.calendars
    dates = list(sc.horizon.dates())
    solver = pywraplp.Solver.CreateSolver("SCIP") or pywraplp.Solver.CreateSolver("CBC")
    if solver is None:
        raise RuntimeError("no MIP solver in OR-Tools (SCIP or CBC)")
    h: dict[Candidate, Any] = {}
    pay: list[tuple[Any, float]] = []
    supply: dict[tuple[int, int], list[tuple[Any, Candidate]]] = {}  # (q, t) → z vars
    max_rate = 0.0
    tpl_cache: dict[str, Any] = {}
    for c, qs in cands.items():
        site = sc.site_by_id[c[0]]
        rules = sc.rules_of(site)
        if site.id not in tpl_cache:
            tpl_cache[site.id] = build_templates(site, rules, dates, grid, cal.site_dates(site.id))
        tpl = tpl_cache[site.id]
        rate = site.hourly_cost * sc.fx_rate(site.currency) / 60.0  # per premium-weighted minute
        max_rate = max(max_rate, rate)
        h[c] = solver.IntVar(0, max_per_candidate, f"h_{c[0]}_{c[1]}")
        # interval coverage of each nominal template (work minus break)
        a = (tpl.start - grid.start) // grid.interval
        b = (tpl.end - grid.start) // grid.interval
        ba = (tpl.brk_start - grid.start) // grid.interval
        bb = (tpl.brk_start + tpl.brk_len - grid.start) // grid.interval
        need_t = np.zeros(grid.n, dtype=bool)
        need_t[np.flatnonzero(short[qs].sum(axis=0) > 0)] = True
        per_t: dict[int, list[Any]] = {}
        by_day: dict[int, list[Any]] = {}
        hours_by_week: dict[int, list[tuple[Any, float]]] = {}
        for k in np.flatnonzero(tpl.nominal):
            ts = [t for t in range(max(a[k], 0), min(b[k], grid.n)) if not (ba[k] <= t < bb[k])]
            useful = [t for t in ts if need_t[t]]
            if not useful:
                continue
            x = solver.IntVar(0, max_per_candidate, f"x_{c[0]}_{c[1]}_{k}")
            pay.append((x, float(tpl.weight[k]) * rate))
            for t in useful:
                per_t.setdefault(t, []).append(x)
            by_day.setdefault(int(tpl.day[k]), []).append(x)
            hours_by_week.setdefault(int(tpl.day[k]) // 7, []).append((x, tpl.paid[k] / 60.0))
        for xs in by_day.values():
            solver.Add(solver.Sum(xs) <= h[c])
        for terms in hours_by_week.values():
            solver.Add(solver.Sum(x * hrs for x, hrs in terms) <= rules.max_hours_week * h[c])
        m = rules.max_consecutive_days
        days = sorted(by_day)
        if days and days[-1] - days[0] + 1 > m:
            for d0 in range(days[0], days[-1] - m + 1):
                window = [x for d in range(d0, d0 + m + 1) for x in by_day.get(d, [])]
                if window:
                    solver.Add(solver.Sum(window) <= m * h[c])
        for t, xs in per_t.items():
            zs = []
            for q in qs:
                if short[q, t] > 0:
                    z = solver.NumVar(0, solver.infinity(), f"z_{c[0]}_{c[1]}_{q}_{t}")
                    zs.append(z)
                    supply.setdefault((int(q), t), []).append((z, c))
            if zs:
                solver.Add(solver.Sum(zs) <= solver.Sum(xs))
    uncovered = []
    for q, t in zip(*np.nonzero(short), strict=True):
        zs = [z for z, _ in supply.get((int(q), int(t)), [])]
        if not zs:
            uncovered.append((int(q), int(t)))
            continue
        solver.Add(solver.Sum(zs) >= float(short[q, t]))
    if uncovered:
        raise NoHiringPlan(
            f"no candidate hire can serve {describe_cells(sc, uncovered)}: "
            "widen --sites/--languages"
        )
    weeks = max(1, len(dates) / 7)
    big = 2.5 * max_rate * 60.0 * max(sc.rules_of(s).max_hours_week for s in sc.sites) * weeks + 1.0
    solver.Minimize(big * solver.Sum(list(h.values())) + solver.Sum(x * w for x, w in pay))
    solver.SetTimeLimit(60_000)
    status = solver.Solve()
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        raise NoHiringPlan(
            f"no plan of at most {max_per_candidate} hire(s) per site and language covers "
            "the shortfall: raise --max"
        )
    plan = {c: round(v.solution_value()) for c, v in h.items()}
    return {c: n for c, n in plan.items() if n > 0}, float(
        sum(x.solution_value() * w for x, w in pay)
    )


def with_hires(sc: Scenario, plan: dict[Candidate, int]) -> Scenario:
    hires = tuple(
        Hire(site=s, languages=(lang,), count=n) for (s, lang), n in sorted(plan.items()) if n > 0
    )
    return apply(sc, WhatIf(hires=hires)) if hires else sc


def recommend(
    sc: Scenario,
    *,
    sites: list[str] | None = None,
    languages: list[str] | None = None,
    max_per_candidate: int = 20,
    time_limit: float = 30.0,
    workers: int = 2,
    seed: int = 0,
    max_verify: int = 8,
    store: Any = None,
    scenario_path: str | None = None,
    log: Callable[[str], None] = lambda _m: None,
) -> HiringPlan:
    """Steps 1–4 of the module doc."""
    stop = StopCriteria(time_limit=time_limit, workers=workers)
    plan_out = HiringPlan({}, False, 0.0, {}, {})
    t0 = dt.datetime.now()

    def solve_with(plan: dict[Candidate, int], why: str) -> RunOutput:
        out = run(prepare(with_hires(sc, plan)), stop, seed=seed)
        plan_out.solves += 1
        if store is not None:
            ov = {f"hire.{s}.{lang}": str(n) for (s, lang), n in sorted(plan.items()) if n > 0}
            plan_out.run_ids.append(store.save(out, name=f"hire: {why}", overrides=ov, scenario_path=scenario_path,
                                               params={"time_limit": time_limit, "workers": workers, "seed": seed}))  # fmt: skip
        ok = meets(out.summary())
        hires = f"{sum(plan.values())} hire(s) ({plan_text(plan)})" if plan else "no hires"
        plan_out.steps.append(f"{why}: {hires} → {'meets' if ok else 'misses'}")
        levels = ", ".join(
            f"{t} {'—' if v['service_level'] is None else format(v['service_level'], '.1%')}"
            for t, v in tier_status(out.summary()).items()
        )
        log(f"{why}: {hires} → {'meets every SLA' if ok else 'misses'} ({levels})")
        return out

    def reachable(short: np.ndarray) -> np.ndarray:
        """`short` without the cells no hire can reach (each reason said once)."""
        short = short.copy()
        for why, cells in unreachable(sc, short, sites, languages).items():
            note = f"left out: {describe_cells(sc, cells)}: {why}"
            if note not in plan_out.steps:
                plan_out.steps.append(note)
                log(note)
            for q, t in cells:
                short[q, t] = 0.0
        return short

    base = solve_with({}, "baseline")
    plan_out.baseline = tier_status(base.summary())
    plan_out.baseline_cost = base.summary().get("cost_reporting_currency")
    if meets(base.summary()):
        plan_out.meets, plan_out.verified, plan_out.verified_cost = (
            True,
            plan_out.baseline,
            plan_out.baseline_cost,
        )
        return plan_out
    plan: dict[Candidate, int] = {}
    last, cost, ok = base, 0.0, False
    while (
        plan_out.solves < max_verify
    ):  # MIP on what is short, verify; again on what is left (repair)
        short = reachable(shortfall(last))
        if not short.any():
            if plan:  # what is still short, no hire can reach: the plan stands as it is
                break
            notes = [
                x.removeprefix("left out: ") for x in plan_out.steps if x.startswith("left out")
            ]
            left_out = "; ".join(notes)
            raise NoHiringPlan(f"no hire can reach the short cells: {left_out}")
        extra, extra_cost = solve_plan(
            sc, short, candidates(sc, short, sites, languages), max_per_candidate
        )
        if not extra:
            break
        for c, n in extra.items():
            plan[c] = plan.get(c, 0) + n
        cost += extra_cost
        last = solve_with(plan, "MIP plan" if plan_out.solves == 1 else "repair")
        if meets(last.summary()):
            ok = True
            break
    best = last
    if ok:  # trim: fewer hires while every SLA still holds (most expensive first)
        order = sorted(
            plan,
            key=lambda c: (
                -sc.site_by_id[c[0]].hourly_cost * sc.fx_rate(sc.site_by_id[c[0]].currency)
            ),
        )
        changed, tried = True, set()
        while changed and plan_out.solves < max_verify:
            changed = False
            for c in order:
                if plan.get(c, 0) <= 0 or plan_out.solves >= max_verify:
                    continue
                trial = {**plan, c: plan[c] - 1}
                trial = {k: v for k, v in trial.items() if v > 0}
                if frozenset(trial.items()) in tried:  # solved already: it missed
                    continue
                tried.add(frozenset(trial.items()))
                out = solve_with(trial, f"trim {c[0]}.{c[1]}")
                if meets(out.summary()):
                    plan, best, changed = trial, out, True
    plan_out.hires = plan
    plan_out.meets = ok
    plan_out.hire_cost = cost
    plan_out.verified = tier_status(best.summary())
    plan_out.verified_cost = best.summary().get("cost_reporting_currency")
    plan_out.steps.append(f"{(dt.datetime.now() - t0).total_seconds():.1f} s in all")
    return plan_out
