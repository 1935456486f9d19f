"""Repairing a roster that breaks an agent's rule (`optimizer.solve.repair`):
only the agents whose schedules break one of their rules are re-planned,
every other agent stays as it was, and the result is the best the
re-planned agents can do, added up by hand."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.solve.model import CandidateIndex
from optimizer.solve.repair import keeps_own_rules, repaired, rule_breakers
from optimizer.solve.state import State, evaluate
from optimizer.solve.stop import StopCriteria
from tests.solve import helpers as h

PEN, COST = 100.0, 10.0  # per agent-hour short; per paid hour
SHIFT, SHORT = 4 * COST, 4 * PEN  # a 4-hour shift; a day's 08–12 block uncovered


def _three_days(tmp_path):
    """Two agents, three days, one agent needed 08–12 each day, at most two
    days worked in a row; A1 rostered 08–12 on all three days (breaking
    that rule), A2 off."""
    data = h.case(days=3, agents=2)
    data["rules"]["PT"]["max_consecutive_days"] = 2
    cells = {**h.block(0, 8, 12), **h.block(1, 8, 12), **h.block(2, 8, 12)}
    p = h.problem(h.load(tmp_path, data), cells)
    tpl = p.sites[0].tpl
    s = State.empty(p)
    for d in range(3):
        k = next(int(k) for k in p.cand[0] if tpl.day[k] == d and tpl.local_start[k] == 8 * 60)
        s.works[0, d], s.tpl[0, d] = True, k
    return p, CandidateIndex(p, nominal_only=False), s


def test_an_agent_over_its_days_in_a_row_breaks_its_rules(tmp_path):
    p, cands, s = _three_days(tmp_path)
    assert not keeps_own_rules(p, s, 0, cands)
    assert keeps_own_rules(p, s, 1, cands)  # off throughout: every rule kept
    assert rule_breakers(p, s, cands) == [0]
    s.works[0, 1] = False  # a day off in the middle: two runs of one day
    assert rule_breakers(p, s, cands) == []


def test_a_shift_the_agent_may_not_work_breaks_its_rules(tmp_path):
    p, cands, s = h.misplaced_shift(tmp_path)
    assert keeps_own_rules(p, s, 0, cands)
    cands.by_day[0] = {0: cands.by_day[0][0][cands.by_day[0][0] != s.tpl[0, 0]]}
    assert not keeps_own_rules(p, s, 0, cands)


def test_the_breaker_is_re_planned_and_the_others_held(tmp_path):
    # A2 is held off, so A1 alone covers: two of the three days (2 × 40) and one
    # block short (400); A1 working all three would be 120 but breaks the rule
    p, cands, s = _three_days(tmp_path)
    out = repaired(p, s, [0], cands, StopCriteria(time_limit=10, gap=0.0, workers=1))
    assert out is not None
    assert not out.works[1].any()
    assert int(out.works[0].sum()) == 2
    assert rule_breakers(p, out, cands) == []
    assert evaluate(p, out).total == pytest.approx(2 * SHIFT + SHORT)


def test_re_planning_both_agents_covers_every_day(tmp_path):
    # A1 two days, A2 the third: 3 × 40, nothing short
    p, cands, s = _three_days(tmp_path)
    out = repaired(p, s, [0, 1], cands, StopCriteria(time_limit=10, gap=0.0, workers=1))
    assert out is not None
    assert np.array_equal(out.works.sum(axis=0), [1, 1, 1])
    assert evaluate(p, out).total == pytest.approx(3 * SHIFT)
