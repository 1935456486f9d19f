"""The finish of a solve: how much time the search keeps back, and how much
of it the activities get."""

from __future__ import annotations

import time

import pytest

from optimizer.solve.activity_plan import activity_least_seconds, activity_seconds
from optimizer.solve.activity_search import POLISH_SECONDS
from optimizer.solve.params import SearchParams
from optimizer.solve.solver import _activity_budget, _finish_reserve
from optimizer.solve.stop import StopCriteria
from tests.solve import helpers as h


@pytest.fixture
def problem(tmp_path):  # type: ignore[no-untyped-def]
    return h.problem(h.load(tmp_path, h.case(days=2, agents=2)), {})


def test_the_activities_get_their_budget_when_time_allows(problem):
    stop = StopCriteria(time_limit=1000.0)
    assert _activity_budget(problem, stop, SearchParams()) == activity_seconds(problem)


def test_the_activities_leave_the_pay_model_its_time_before_the_limit(problem):
    # 4 s left; the pay model's pricing is given 0.5 s + 0.001 s per agent,
    # and the activities' polish may run 1 s past their budget
    params = SearchParams()
    after = 0.5 + 0.001 * problem.n_agents + 1.0
    assert params.pricing_estimate(problem.n_agents) + POLISH_SECONDS == pytest.approx(after)
    stop = StopCriteria(time_limit=4.0, started=time.monotonic())
    assert _activity_budget(problem, stop, params) == pytest.approx(4.0 - after, abs=0.25)


def test_the_activities_get_half_a_second_when_the_time_is_spent(problem):
    stop = StopCriteria(time_limit=1.0, started=time.monotonic() - 5.0)
    assert _activity_budget(problem, stop, SearchParams()) == 0.5


def steps(problem) -> float:  # type: ignore[no-untyped-def]
    """The steps after the search besides the activities, with their margin."""
    params = SearchParams()
    return params.finish_margin * params.finish_estimate(problem.n_agents)


def test_a_long_limit_keeps_back_the_steps_and_the_activities_whole_budget(problem):
    reserve = _finish_reserve(problem, StopCriteria(time_limit=1000.0), SearchParams())
    assert reserve == pytest.approx(steps(problem) + activity_seconds(problem), abs=0.01)


def test_a_middling_limit_keeps_back_its_share(problem):
    # the share of the limit lies between the least and the whole need
    least = steps(problem) + activity_least_seconds(problem)
    whole = steps(problem) + activity_seconds(problem)
    share = SearchParams().finish_share
    limit = (least + whole) / 2 / share
    reserve = _finish_reserve(problem, StopCriteria(time_limit=limit), SearchParams())
    assert least < reserve < whole
    assert reserve == pytest.approx(share * limit, abs=0.01)


def test_a_short_limit_still_keeps_back_the_activities_least_time(problem):
    # the share of the limit would leave the activities less than their least time
    least = steps(problem) + activity_least_seconds(problem)
    limit = 3 * least
    reserve = _finish_reserve(problem, StopCriteria(time_limit=limit), SearchParams())
    assert SearchParams().finish_share * limit < reserve == pytest.approx(least, abs=0.01)


def test_the_shares_are_of_the_time_left_when_the_search_begins(problem):
    # most of a 1000-s limit is spent (building the problem, the first roster)
    least = steps(problem) + activity_least_seconds(problem)
    spent = 1000.0 - 3 * least  # left: 3 × least, its share less than least
    stop = StopCriteria(time_limit=1000.0, started=time.monotonic() - spent)
    assert _finish_reserve(problem, stop, SearchParams()) == pytest.approx(least, abs=0.01)


def test_a_very_short_limit_leaves_the_search_half_of_it(problem):
    least = steps(problem) + activity_least_seconds(problem)
    limit = least  # the least time would take it all
    reserve = _finish_reserve(problem, StopCriteria(time_limit=limit), SearchParams())
    assert reserve == pytest.approx(SearchParams().finish_most_share * limit, abs=0.01)


def test_a_solve_reports_how_close_its_activities_came_to_the_best(tmp_path):
    # A1 (Portuguese and Spanish) and A2 (Portuguese) on 08-12; Portuguese
    # needs two agents 08-10 and one 10-12, Spanish one 10-12: with stretches
    # of at least 2 h, A1 serves Portuguese then Spanish and nothing is short
    from tests import factory

    data = factory.v11(h.two_languages(), min_minutes=120, max_switches_per_shift=1)
    sc = h.load(tmp_path, data)
    cells = {**h.block(0, 8, 10, 2), **h.block(0, 10, 12, 1)}
    spanish = h.block(0, 10, 12, 1)
    res = h.solve(h.problem(sc, cells, {1: spanish}), h.limits(), seed=0)
    stats = res.stats
    assert stats["activities_lower_bound"] <= stats["activities_shortfall"]
    assert (
        stats["activities_gap"] == stats["activities_shortfall"] - stats["activities_lower_bound"]
    )
    assert stats["activities_shortfall"] == res.terms["under_cover_penalty"] == 0.0
    assert isinstance(stats["activities_method"], str)


@pytest.mark.parametrize("large", [True, False])
def test_a_bound_in_a_child_process_goes_on_while_the_activities_are_named(
    tmp_path, monkeypatch, large
):
    # The finish runs on one core: a bound proved in a child process (large
    # problems) keeps the other until the activities are named; one proved in
    # a thread (small problems) is stopped before them.
    from optimizer.solve import solver
    from optimizer.solve.bounds.worker import BoundWorker

    workers: list[BoundWorker] = []
    halted_while_naming: list[bool] = []

    class Heard(BoundWorker):
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            super().__init__(*args, **kwargs)
            workers.append(self)

        def start(self) -> None:
            super().start()
            self.lp_done.wait(timeout=60)  # the child has spoken: it runs

    def naming(*args, **kwargs):  # type: ignore[no-untyped-def]
        halted_while_naming.append(workers[0]._halt.is_set())
        return plan(*args, **kwargs)

    plan = solver.plan_activities
    monkeypatch.setattr(solver, "BoundWorker", Heard)
    monkeypatch.setattr(solver, "plan_activities", naming)
    sc = h.load(tmp_path, h.case(days=2, agents=2))
    p = h.problem(sc, {**h.block(0, 6, 14, 2), **h.block(1, 9, 12, 1)})
    params = SearchParams(full_model_max_literals=0 if large else 10**9)
    res = h.solve(p, StopCriteria(time_limit=60, gap=0.0, passes=2), seed=0, params=params)
    assert res.stats["bound_in_process"] is large
    assert halted_while_naming == [not large]
    assert not workers[0].running()
    assert res.stats["bound_end_seconds"] >= res.stats["activities_end_seconds"]
