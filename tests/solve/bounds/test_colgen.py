"""Column generation: the agents' integral schedules close the LP's gap."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.check import check_roster
from optimizer.solve.bounds.colgen import OFF, ColumnGeneration, column_generation_bound
from optimizer.solve.bounds.pool import ColumnPool
from tests.solve import helpers as h


def test_column_generation_proves_the_bundled_tiny_roster_optimal():
    """The tiny scenario: the LP relaxation leaves a 0.5 % gap (38,724); the
    agents' integral schedules close it (38,934 = the roster's objective)."""
    from optimizer.bench.workability import keep_rules
    from optimizer.pipeline import prepare, run
    from optimizer.scenario.load import load_scenario
    from optimizer.solve.problem import build_problem
    from optimizer.solve.stop import StopCriteria
    from tests.conftest import REPO

    # the v1 rules: the bounds relax the v1.1 workability rules
    prep = prepare(keep_rules(load_scenario(REPO / "scenarios" / "tiny.yaml"), ()))
    p = build_problem(prep.scenario, prep.requirements, prep.calendars)
    cg = column_generation_bound(p, time_limit=10.0, block=1)
    out = run(prep, StopCriteria(time_limit=10, gap=0.0, passes=20))
    assert cg.status == "CONVERGED"
    assert cg.value == pytest.approx(38934.0, abs=0.01)
    assert out.result.objective == pytest.approx(38934.0, abs=0.01)
    assert out.result.status == "OPTIMAL" and out.result.gap == 0
    assert check_roster(prep.scenario, out.roster).ok  # the roster, checked independently


def _two_days(tmp_path):
    """One agent, two days, one agent needed 08–12 on each (a shift costs 40,
    a day's block short 400); the template of 08–12 on day 0."""
    cells = {**h.block(0, 8, 12), **h.block(1, 8, 12)}
    p = h.problem(h.load(tmp_path, h.case(days=2)), cells)
    tpl = p.sites[0].tpl
    early = int(np.flatnonzero((tpl.day == 0) & (tpl.start % 1440 == 8 * 60))[0])
    return p, early


def test_a_seeded_roster_is_the_masters_first_column_and_bounds_nothing(tmp_path):
    p, early = _two_days(tmp_path)
    cg = ColumnGeneration(p, block=1)
    cg.seed(np.array([[early, OFF]]))
    (col,) = cg.columns
    assert list(col.row) == [early, OFF]
    assert col.cost == pytest.approx(40.0)  # its cost as the pricing counts it
    assert cg.master_value() == pytest.approx(40.0 + 400.0)  # day 1's block short
    assert cg.best == -float("inf")  # the held round is no bound of the problem
    assert cg.open_days() == 2
    assert cg.run(10.0) == "CONVERGED"
    assert cg.best == pytest.approx(80.0)


def test_a_roster_offered_to_the_pool_is_seeded_before_the_next_round(tmp_path):
    p, early = _two_days(tmp_path)
    pool = ColumnPool(p.n_agents)
    pool.offer(np.array([[early, OFF]]))
    cg = ColumnGeneration(p, block=1, pool=pool)
    cg.run(10.0, max_rounds=1)
    assert list(cg.columns[0].row) == [early, OFF]
    assert pool.take_offer() is None  # taken once
