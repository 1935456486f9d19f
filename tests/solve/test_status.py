"""A status never claims more than was proven (issue #24 item 11)."""

from __future__ import annotations

from optimizer.solve.result import FEASIBLE, OPTIMAL, UNKNOWN
from optimizer.solve.solver import proven_status


def test_a_search_stopped_inside_the_gap_limit_is_feasible_not_optimal():
    # the sweep point of the issue: 4,061.70 against a proven 4,049.04 (0.31 %)
    assert proven_status(OPTIMAL, 4061.70, 4049.04) == FEASIBLE


def test_a_roster_that_meets_its_bound_is_optimal_to_the_cent():
    assert proven_status(FEASIBLE, 4049.04, 4049.04) == OPTIMAL
    assert proven_status(FEASIBLE, 4049.05, 4049.04) == OPTIMAL
    assert proven_status(FEASIBLE, 4049.06, 4049.04) == FEASIBLE


def test_without_a_bound_nothing_is_proven():
    assert proven_status(OPTIMAL, 10.0, None) == FEASIBLE
    assert proven_status(UNKNOWN, 10.0, None) == UNKNOWN
