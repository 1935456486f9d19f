"""Which hard rules conflict, and for whom.

Coverage is soft (a shortfall costs its penalty), so a roster exists unless
some agent's own rules cannot all hold together. Each agent is checked
alone: a CP-SAT model of just that agent, where every sequence rule family
is switched on by an assumption literal; when it is infeasible, CP-SAT's
`sufficient_assumptions_for_infeasibility` names a set of rule families that
conflict. Rules folded into the candidates (leave, days off, holidays off,
the personal window, skills) are named from the data: which days they
remove and how many paid hours are then still possible in the failing week.
"""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from optimizer.solve.model import CandidateIndex, build
from optimizer.solve.problem import Problem
from optimizer.solve.result import Conflict
from optimizer.solve.state import State

RULE_NAMES = {
    "one_shift_per_day": "one shift per day",
    "minimum_rest": "min_rest_hours",
    "forbidden_successions": "forbidden_successions",
    "max_consecutive_days": "max_consecutive_days",
    "min_consecutive_days": "min_consecutive_days",
    "min_consecutive_days_off": "min_consecutive_days_off",
    "weekly_maximum": "max_hours_week",
    "weekly_minimum": "min_hours_week",
    "horizon_hours": "min_hours_horizon/max_hours_horizon",
    "start_band": "start_band_hours",
    "days_off_together": "days_off_together",
    "max_consecutive_nights": "max_consecutive_nights",
    "max_weekends": "max_weekends",
    "max_shifts_of_type": "shift_types.max_shifts",
}


def _availability_detail(p: Problem, a: int) -> str:
    ag = p.scenario.agents[a]
    parts = []
    if ag.days_off:
        parts.append(
            "days_off "
            + ";".join(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[d] for d in ag.days_off)
        )
    if ag.leave:
        parts.append(f"{len(ag.leave)} leave day(s)")
    if ag.earliest_start is not None:
        parts.append(
            f"window {ag.earliest_start // 60:02d}:{ag.earliest_start % 60:02d}–{ag.latest_end // 60:02d}:{ag.latest_end % 60:02d}"
        )
    return ", ".join(parts)


def _week_capacity(p: Problem, a: int, cands: CandidateIndex) -> list[str]:
    """Weeks whose minimum cannot be met even working every available day at the longest shift."""
    st = p.sites[p.agent_site[a]].tpl
    out = []
    for w in range(p.n_weeks):
        need = int(p.wmin[a, w])
        if need <= 0:
            continue
        days = [d for d in range(p.n_days) if p.week_of_day[d] == w]
        avail = [d for d in days if len(cands.by_day[a].get(d, ()))]
        best = sorted((int(st.paid[cands.by_day[a][d]].max()) for d in avail), reverse=True)
        m = int(p.maxcons[p.agent_site[a]])
        cap = min(sum(best[: min(len(best), m)]), int(p.wmax[a, w]))
        if cap < need:
            start = p.dates[days[0]].isoformat()
            out.append(
                f"week of {start}: min_hours_week {need / 60:g} h but at most {cap / 60:g} h possible ({len(avail)} available day(s))"
            )
    return out


def _failing_weeks(p: Problem, a: int, cands: CandidateIndex, time_per_week: float) -> list[str]:
    """The weeks in which agent a's rules fail on their own: its model with
    only that week's days free (a conflict that needs two weeks, such as a
    run of days across them, names none)."""
    out = []
    for w in range(p.n_weeks):
        days = [d for d in range(p.n_days) if p.week_of_day[d] == w]
        built = build(
            p,
            State.empty(p),
            [a],
            days,
            cands,
            coverage=False,
            values={a: np.zeros(len(p.sites[p.agent_site[a]].tpl))},
        )
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_per_week
        solver.parameters.num_workers = 1
        solver.parameters.catch_sigint_signal = False  # Ctrl-C is the caller's (stop.py)
        if solver.solve(built.model) == cp_model.INFEASIBLE:
            out.append(f"week of {p.dates[days[0]].isoformat()}")
    return out


def find_conflicts(
    p: Problem, cands: CandidateIndex, agents: list[int] | None = None, time_per_agent: float = 5.0
) -> list[Conflict]:
    """Every agent (of `agents`, default all) whose own hard rules cannot all
    hold, with the rules named."""
    conflicts: list[Conflict] = []
    empty = State.empty(p)
    for a in range(p.n_agents) if agents is None else agents:
        if not p.eligible[a].any():
            if p.wmin[a].any():
                conflicts.append(
                    Conflict(
                        p.agent_ids[a],
                        ("skills", "min_hours_week"),
                        "the agent serves no queue of the scenario (languages, channels, data residency) but min_hours_week requires work",
                    )
                )
            continue
        built = build(
            p,
            empty,
            [a],
            range(p.n_days),
            cands,
            coverage=False,
            values={a: np.zeros(len(p.sites[p.agent_site[a]].tpl))},
            assumptions=True,
        )
        lits = list(built.rule_lits.values())
        built.model.add_assumptions(lits)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_per_agent
        solver.parameters.num_workers = 1
        solver.parameters.catch_sigint_signal = False  # Ctrl-C is the caller's (stop.py)
        status = solver.solve(built.model)
        if status != cp_model.INFEASIBLE:
            continue
        core = set(solver.sufficient_assumptions_for_infeasibility())
        names = [
            RULE_NAMES[r]
            for (ai, r), lit in built.rule_lits.items()
            if ai == a and lit.index in core
        ]
        detail = _week_capacity(p, a, cands)
        avail = _availability_detail(p, a)
        ag = p.scenario.agents[a]
        names += [name for name, present in (("days_off", ag.days_off), ("leave", ag.leave),
                                             ("earliest_start/latest_end", ag.earliest_start is not None)) if present]  # fmt: skip
        if not detail:
            weeks = _failing_weeks(p, a, cands, time_per_agent / max(p.n_weeks, 1))
            detail = [f"{wk}: no schedule satisfies these rules together" for wk in weeks]
        text = "; ".join(detail) if detail else "no schedule satisfies these rules together"
        if avail:
            text += f" (with {avail})"
        conflicts.append(Conflict(p.agent_ids[a], tuple(dict.fromkeys(names)), text))
    return conflicts
