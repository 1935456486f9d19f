"""The finish of a solve: how much time the activities get."""

from __future__ import annotations

import time

import pytest

from optimizer.solve.allocate import activity_seconds
from optimizer.solve.params import SearchParams
from optimizer.solve.solver import _activity_budget
from optimizer.solve.stop import StopCriteria
from tests.solve import helpers as h


@pytest.fixture
def problem(tmp_path):  # type: ignore[no-untyped-def]
    return h.problem(h.load(tmp_path, h.case(days=2, agents=2)), {})


def test_the_activities_get_their_budget_when_time_allows(problem):
    stop = StopCriteria(time_limit=1000.0)
    assert _activity_budget(problem, stop, SearchParams()) == activity_seconds(problem)


def test_the_activities_leave_the_pay_model_its_time_before_the_limit(problem):
    # 4 s left; the pay model's pricing is given 2 s + 0.006 s per agent
    params = SearchParams()
    after = params.finish_seconds + params.finish_seconds_per_agent * problem.n_agents
    assert params.finish_estimate(problem.n_agents) == after
    stop = StopCriteria(time_limit=4.0, started=time.monotonic())
    assert _activity_budget(problem, stop, params) == pytest.approx(4.0 - after, abs=0.25)


def test_the_activities_get_half_a_second_when_the_time_is_spent(problem):
    stop = StopCriteria(time_limit=1.0, started=time.monotonic() - 5.0)
    assert _activity_budget(problem, stop, SearchParams()) == 0.5
