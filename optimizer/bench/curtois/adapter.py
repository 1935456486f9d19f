"""A Curtois–Qu instance as a Sunroster scenario, solved by the product's
engine, and the engine's roster back as the benchmark's.

How the instance maps onto the scenario format:

- the horizon starts on a Monday (2024-01-01), so each week's Saturday and
  Sunday are days 5 and 6 as in the format; the clock is UTC;
- each shift of the instance is a named shift type (`shift_types`) with its
  length, starting t steps into the day (t: its index; the step, 60, 30 or
  15 minutes, is the grid's, as long as the latest start plus the longest
  shift still ends before the first start of the next day), so types never
  share a start and no two shifts of an agent overlap; its `cannot follow`
  list gives the forbidden successions;
- employees with the same contract (shifts of each type at most, runs of
  days worked and off, weekends) share a rule set and a site; no rest rule,
  168 h a week;
- each employee is an agent of that site: fixed days off as leave, the
  total minutes as `min_hours_horizon` and `max_hours_horizon`;
- shift on and off requests are shift requests at the type's start, with
  their weights;
- the cover is `shift_cover` without a site (every employee counts), with
  the under- and over-cover weights;
- nothing is paid (hourly cost 0, `weights.cost` 0) and one email queue
  without contacts makes every agent eligible, so the scenario's objective
  is the instance's: requests refused plus cover short and beyond.

`solve_instance` builds the problem, solves it with `optimizer.solve.solve`
and turns the roster into the benchmark's (staff × days, -1 off) as an
`Outcome`; its objective is the independent evaluator's (`evaluate.py`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from optimizer.bench.curtois.evaluate import OFF, evaluate
from optimizer.bench.curtois.parse import Instance
from optimizer.roster import Roster
from optimizer.scenario.model import Scenario
from optimizer.solve.problem import build_problem
from optimizer.solve.solver import solve
from optimizer.solve.stop import ProgressEvent, StopCriteria

START = dt.date(2024, 1, 1)  # a Monday
SITE_PREFIX = "C"  # sites (and rule sets) are C0, C1, … one per contract


@dataclass(frozen=True)
class Outcome:
    """One instance solved: the roster in the benchmark's form (None: none
    found), its objective, the proven lower bound, and when it was found."""

    instance: str
    roster: np.ndarray | None
    objective: int | None
    bound: int | None
    status: str  # OPTIMAL, FEASIBLE or UNKNOWN
    seconds_to_best: float | None
    seconds: float


def step_minutes(inst: Instance) -> int:
    """The grid's interval and the step between the shift types' starts
    (module doc): the largest of 60, 30 and 15 minutes that fits."""
    longest = int(inst.shift_minutes.max(initial=0))
    for step in (60, 30, 15):
        if (inst.n_shifts - 1) * step + longest <= 1440:
            return step
    raise ValueError(f"{inst.name}: {inst.n_shifts} shift types do not fit one day 15 min apart")


def _start(t: int, step: int) -> str:
    """The local start (`HH:MM`) of the instance's shift t."""
    return f"{t * step // 60:02d}:{t * step % 60:02d}"


def _contract(inst: Instance, e: int) -> tuple[Any, ...]:
    """What an employee's rule set holds: employees alike share one."""
    return (
        tuple(int(x) for x in inst.max_shifts[e]),
        int(inst.max_consecutive[e]),
        int(inst.min_consecutive[e]),
        int(inst.min_days_off[e]),
        int(inst.max_weekends[e]),
    )


def _rule_set(inst: Instance, contract: tuple[Any, ...], interval: int) -> dict[str, Any]:
    most_of_type, most_days, least_days, least_off, weekends = contract
    lengths = sorted({int(m) for m in inst.shift_minutes})
    return {
        "min_rest_hours": 0,
        "max_hours_week": 168,
        "max_consecutive_days": max(1, most_days),
        "min_consecutive_days": least_days if least_days > 1 else None,
        "min_consecutive_days_off": least_off if least_off > 1 else None,
        "max_weekends": weekends if weekends < min(inst.n_weekends, 54) else None,
        "shift_hours": [m / 60 for m in lengths],
        "start_step_minutes": interval,
        "weekend": ["Sat", "Sun"],
        "shift_types": [
            {
                "id": sid,
                "start": _start(t, interval),
                "hours": int(inst.shift_minutes[t]) / 60,
                "max_shifts": most_of_type[t] if most_of_type[t] < inst.horizon else None,
            }
            for t, sid in enumerate(inst.shift_ids)
        ],
        "forbidden_successions": [
            [inst.shift_ids[a], inst.shift_ids[b]] for a, b in np.argwhere(inst.cannot_follow)
        ],
    }


def to_scenario(inst: Instance) -> Scenario:
    """The instance as a scenario (module doc)."""
    interval = step_minutes(inst)
    contracts: dict[tuple[Any, ...], int] = {}
    for e in range(inst.n_staff):
        contracts.setdefault(_contract(inst, e), len(contracts))
    dates = [START + dt.timedelta(days=d) for d in range(inst.horizon)]
    agents = []
    for e, eid in enumerate(inst.staff_ids):
        c = contracts[_contract(inst, e)]
        off = [dates[d] for d in np.flatnonzero(inst.days_off[e])]
        if inst.max_consecutive[e] == 0:
            off = dates  # may never work
        agents.append(
            {
                "id": eid,
                "site": f"{SITE_PREFIX}{c}",
                "languages": ["en"],
                "channels": ["email"],
                "max_hours_week": 168,
                "leave": [d.isoformat() for d in off],
                "min_hours_horizon": int(inst.min_minutes[e]) / 60 or None,
                "max_hours_horizon": int(inst.max_minutes[e]) / 60,
            }
        )
    requests = [
        {
            "agent": inst.staff_ids[e],
            "date": dates[d],
            "kind": kind,
            "start": _start(t, interval),
            "weight": w,
        }
        for kind, rows in (("on", inst.on_requests), ("off", inst.off_requests))
        for e, d, t, w in rows.tolist()
    ]
    cover = [
        {
            "date": dates[d],
            "shift_type": inst.shift_ids[t],
            "required": int(inst.cover[d, t]),
            "under_penalty": float(inst.weight_under[d, t]),
            "over_penalty": float(inst.weight_over[d, t]),
        }
        for d in range(inst.horizon)
        for t in range(inst.n_shifts)
        if inst.weight_under[d, t] or inst.weight_over[d, t]
    ]
    return Scenario.model_validate(
        {
            "scenario": "curtois-" + re.sub(r"[^a-z0-9]+", "-", inst.name.lower()).strip("-"),
            "currency": "EUR",
            "horizon": {"start": START, "days": inst.horizon, "interval_minutes": interval},
            "tiers": {
                "T": {"hours": "24x7", "under_cover_penalty": 0, "sla": {"email": {"hours": 24}}}
            },
            "rules": {
                f"{SITE_PREFIX}{i}": _rule_set(inst, k, interval) for k, i in contracts.items()
            },
            "sites": [
                {
                    "id": f"{SITE_PREFIX}{i}",
                    "city": "Anywhere",
                    "country": "GB",
                    "timezone": "UTC",
                    "currency": "EUR",
                    "region": "EU",
                    "hourly_cost": 0,
                    "rules": f"{SITE_PREFIX}{i}",
                }
                for i in contracts.values()
            ],
            "markets": [{"id": "M", "country": "GB", "timezone": "UTC", "tier": "T"}],
            "queues": [
                {
                    "id": "M-en-email",
                    "market": "M",
                    "language": "en",
                    "channel": "email",
                    "aht_seconds": 60,
                }
            ],
            "agents": agents,
            "demand": pd.DataFrame({"queue": [], "t": [], "contacts": []}).astype(
                {"queue": str, "t": np.int64, "contacts": float}
            ),
            "weights": {"cost": 0.0},
            "requests": requests,
            "shift_cover": cover,
        }
    )


def to_benchmark(inst: Instance, roster: Roster) -> np.ndarray:
    """The engine's roster as the benchmark's: staff × days, the shift index
    worked (by its start), -1 off."""
    step = step_minutes(inst)
    out = np.full((inst.n_staff, inst.horizon), OFF, dtype=np.int64)
    row = {e: i for i, e in enumerate(inst.staff_ids)}
    for r in roster.shifts.itertuples():
        d = (r.shift_date - START).days
        out[row[r.agent_id], d] = (int(r.start) % 1440) // step
    return out


def solve_instance(
    inst: Instance, time_limit: float = 60.0, workers: int = 2, seed: int = 0
) -> Outcome:
    """Solve the instance with the product's engine (module doc)."""
    t0 = time.monotonic()
    sc = to_scenario(inst)
    p = build_problem(sc)
    left = max(1.0, time_limit - (time.monotonic() - t0))
    best: list[float] = []  # the best objective reported so far, and when

    def progress(e: ProgressEvent) -> None:
        if e.objective is not None and (not best or e.objective < best[0] - 1e-9):
            best[:] = [e.objective, time.monotonic() - t0]

    stop = StopCriteria(time_limit=left, gap=0.0, workers=workers)
    res = solve(p, stop, seed=seed, progress=progress)
    seconds = time.monotonic() - t0
    if res.status == "INFEASIBLE" or res.objective is None:
        return Outcome(inst.name, None, None, None, "UNKNOWN", None, seconds)
    roster = to_benchmark(inst, res.roster)
    objective = evaluate(inst, roster).objective
    bound = None if res.bound is None else math.ceil(res.bound - 1e-6)
    status = "OPTIMAL" if bound is not None and bound >= objective else "FEASIBLE"
    to_best = best[1] if best else res.first_feasible_seconds
    return Outcome(inst.name, roster, objective, bound, status, to_best, seconds)
