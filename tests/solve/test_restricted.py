"""The restricted model's inputs (`optimizer.solve.restricted`): the
shifts column generation proposed, cut from the candidates, and the master
LP rounded; and the small problems' solve, which runs it, still reaching
a hand-made optimum."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.solve.bounds.colgen import column_generation_bound
from optimizer.solve.bounds.pool import ColumnPool
from optimizer.solve.model import CandidateIndex
from optimizer.solve.restricted import restricted_candidates, rounded_roster
from optimizer.solve.state import State
from tests.solve import helpers as h

PEN, COST = 100.0, 10.0  # per agent-hour short; per paid hour


def test_the_restriction_keeps_the_pools_shifts_and_the_incumbents(tmp_path):
    p = h.problem(h.load(tmp_path, h.case(days=2)), {})
    cands = CandidateIndex(p, nominal_only=False)
    first, second = (int(k) for k in cands.by_day[0][0][:2])
    later = int(cands.by_day[0][1][0])
    pool = ColumnPool(1)
    pool.add(np.array([0]), np.array([0]), np.array([first]))
    incumbent = State.empty(p)
    incumbent.works[0, 1], incumbent.tpl[0, 1] = True, later
    only = restricted_candidates(cands, pool, incumbent, False)
    assert {d: ks.tolist() for d, ks in only.by_day[0].items()} == {0: [first], 1: [later]}
    assert second not in only.by_day[0][0]
    assert len(cands.by_day[0][0]) > 1  # the index it was cut from is untouched


def test_the_master_lp_rounded_works_the_schedule_it_weighs_most(tmp_path):
    # one agent, one shift 08–12 needed on day 0: the LP's optimum is that
    # shift alone, so its rounding works it and nothing else
    sc = h.load(tmp_path, h.case(days=2))
    p = h.problem(sc, h.block(0, 8, 12))
    pool = ColumnPool(p.n_agents)
    column_generation_bound(p, time_limit=5.0, block=1, pool=pool)
    assert pool.done.is_set()
    s = rounded_roster(p, pool)
    tpl = p.sites[0].tpl
    assert s.works[0].tolist() == [True, False]
    assert (tpl.start[s.tpl[0, 0]] % 1440) // 60 == 8


def test_a_small_problem_with_rules_past_a_week_ends_at_its_proven_optimum(tmp_path):
    # at most 12 h over a week with one agent needed 08–12 daily: three
    # shifts and four days short; once the bound meets the roster, no
    # further step (dive, restricted model, whole model) runs
    data = h.case(days=7)
    data["agents"][0]["max_hours_horizon"] = 12
    cells = {k: v for d in range(7) for k, v in h.block(d, 8, 12).items()}
    res = h.run(h.load(tmp_path, data), cells)
    assert res.status == "OPTIMAL" and res.gap == 0
    assert res.objective == pytest.approx(3 * 4 * COST + 4 * 4 * PEN)
    assert "restricted_model" not in res.stats and "dive_steps" not in res.stats
