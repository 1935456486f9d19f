"""Property: small random scenarios, under the v1 rules and under contract
v1.1, solve to rosters the independent checker accepts, with an objective no
lower than the bound."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from optimizer.check import check_roster
from tests.solve import helpers as h


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(h.random_cases())
def test_random_small_scenarios_solve_and_check(case):
    _solve_and_check(case)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(h.random_v11_cases())
def test_random_small_v11_scenarios_solve_and_check(case):
    _solve_and_check(case)


def _solve_and_check(case) -> None:  # type: ignore[no-untyped-def]
    data, cells = case
    with tempfile.TemporaryDirectory() as tmp:
        sc = h.load(Path(tmp), data)
        res = h.solve(h.problem(sc, cells), h.limits(3), seed=0)
        if res.status == "INFEASIBLE":  # e.g. a minimum the week cannot hold: it must be explained
            assert res.conflicts and res.roster.segments.empty
            return
        assert check_roster(sc, res.roster).ok
        assert res.bound is None or res.bound <= res.objective + 1e-6
        if res.status == "OPTIMAL":  # proven: the roster meets its bound to the cent
            assert res.bound is not None and res.objective - res.bound <= 0.01 + 1e-9
