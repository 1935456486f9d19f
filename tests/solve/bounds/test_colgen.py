"""Column generation: the agents' integral schedules close the LP's gap."""

from __future__ import annotations

import pytest

from optimizer.check import check_roster
from optimizer.solve.bounds.colgen import column_generation_bound


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
