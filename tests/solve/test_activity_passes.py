"""Agent passes on the named roster (`activity_passes.py`): an agent moves to
the shift it can name best within the stretch and switch rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from optimizer.check import check_roster
from optimizer.scenario.model import Activities
from optimizer.solve.activity_passes import NamedRoster, activity_passes
from optimizer.solve.activity_plan import activity_rules, plan_activities
from optimizer.solve.improve import Replanning
from optimizer.solve.model import CandidateIndex
from optimizer.solve.problem import Problem
from optimizer.solve.solver import solve
from optimizer.solve.state import State
from optimizer.solve.stop import StopCriteria
from tests.solve import helpers as h

# half-hours from 08:00 needing Portuguese (0) and Spanish (1): they alternate
MORNING = {0: [0, 2, 4, 6], 1: [1, 3, 5, 7]}
AFTERNOON = {0: [0, 1, 2, 3], 1: [7]}  # from 16:00: two hours of Portuguese, then Spanish


def two_shifts(tmp_path: Path, min_minutes: int | None) -> tuple[Problem, State, int, int]:
    """One agent speaking Portuguese (50 per half-hour short) and Spanish
    (20) on a 30-minute grid, 4-hour shifts at 10 EUR/h; need from 08:00
    (`MORNING`) and from 16:00 (`AFTERNOON`): no shift reaches both.

    Without rules the morning shift is worth 4 × 50 + 4 × 20 = 280, the
    afternoon 4 × 50 + 20 = 220 (its need fits no other start so well).
    With stretches of at least `min_minutes` = 60 and at most two switches,
    the morning's best is Portuguese all through, 200 (no rule when
    `min_minutes` is None). The state has the agent on the morning shift,
    as the rule-free flow prefers. Returns the problem, the state and the
    two templates."""
    switches = None if min_minutes is None else 2
    act = Activities(min_minutes=min_minutes, max_switches_per_shift=switches)
    sc, bare = h.bilingual(tmp_path, act)
    st = bare.sites[0]
    tp = st.tpl
    morning, afternoon = (
        int(np.flatnonzero((tp.day == 0) & (tp.local_start == m))[0]) for m in (480, 960)
    )
    req = np.zeros(bare.required.shape, dtype=np.int64)
    for k, need in ((morning, MORNING), (afternoon, AFTERNOON)):
        for q, positions in need.items():
            req[q, [int(st.a[k]) + i for i in positions]] = 1
    p = h.with_need(sc, req)
    s = h.on_shift(p, morning)
    return p, s, morning, afternoon


def passes(p: Problem, s: State) -> NamedRoster:
    plan = plan_activities(p, s, time_budget=5.0)
    ctx = Replanning(p, CandidateIndex(p, nominal_only=False), StopCriteria(time_limit=30.0))
    return activity_passes(ctx, s, plan.table, plan.x, activity_rules(p), seed=0)


def test_the_agent_moves_to_the_shift_it_can_name_best_within_the_rules(tmp_path):
    p, s, _, afternoon = two_shifts(tmp_path, min_minutes=60)
    named = passes(p, s)
    assert named.state.tpl[0, 0] == afternoon and named.state.works[0, 0]
    # short before: 500 − 200 (the morning named Portuguese all through) = 300;
    # after: 500 − 220 = 280; the shifts cost the same
    assert named.gained == 20
    assert named.changed == {0}
    table, x = named.sequences(p)
    assert x[0, : table.length[0]].tolist() == [0, 0, 0, 0, 0, 0, 1, 1]


def test_without_the_rules_the_agent_keeps_the_shift_the_flow_prefers(tmp_path):
    p, s, morning, _ = two_shifts(tmp_path, min_minutes=None)
    named = passes(p, s)
    assert named.state.tpl[0, 0] == morning
    assert named.gained == 0 and not named.changed


def test_the_named_roster_gives_back_the_sequences_it_was_made_of(tmp_path):
    p, s, _, _ = two_shifts(tmp_path, min_minutes=60)
    plan = plan_activities(p, s, time_budget=5.0)
    named = NamedRoster.of(p, s, plan.table, plan.x)
    table, x = named.sequences(p)
    ok = np.arange(x.shape[1])[None, :] < table.length[:, None]
    assert np.array_equal(np.where(ok, x, -1), np.where(ok, plan.x, -1))


def test_the_solver_ends_on_the_shift_the_rules_let_the_agent_name_best(tmp_path):
    """The whole model, blind to the stretch rules, proves the morning best
    (short 500 − 280, plus 40 of pay: 260); named, the morning leaves 300
    short, the afternoon 280: the passes on the named roster move the agent,
    the objective is the optimum by hand, 280 + 40, and the independent
    checker finds the roster within every rule."""
    p, _, _, afternoon = two_shifts(tmp_path, min_minutes=60)
    result = solve(p, StopCriteria(time_limit=30.0))
    starts = result.roster.shifts["start"].tolist()
    assert starts == [p.sites[0].tpl.start[afternoon]]
    assert result.objective == 320
    report = check_roster(p.scenario, result.roster)
    assert report.ok, report.to_text()
    assert result.stats["activity_pass_agents"] == 1
