"""Shift requests in the solver (`optimizer.solve.wishes`): each kind binds
in a hand case whose optimum is added up by hand, and the objective's
requests term is what the roster-quality KPIs, counting from the roster
alone, call the refused weight."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from optimizer.quality import quality_kpis
from tests.solve import helpers as h

PEN, COST = 100.0, 10.0  # per agent-hour short; per paid hour


def _wish(kind: str, day: int, weight: float, start: str | None = None) -> dict:
    out = {"agent": "A1", "date": f"2027-03-0{day + 1}", "kind": kind, "weight": weight}
    return out | ({"start": start} if start else {})


@pytest.mark.parametrize(
    ("weight", "objective", "works"), [(300, 4 * COST + 300, True), (500, 4 * PEN, False)]
)
def test_an_off_request_is_kept_when_it_is_worth_more_than_the_cover(
    tmp_path, weight, objective, works
):
    # need 09–13 on Tuesday; the agent asked for Tuesday off. Worth 300, the
    # shift (40) and the refused request (300) beat 4 h short (400); worth
    # 500, the need stays short
    data = h.case(days=2)
    data["requests"] = [_wish("off", 1, weight)]
    res = h.run(h.load(tmp_path, data), h.block(1, 9, 13))
    assert res.status == "OPTIMAL"
    assert res.objective == pytest.approx(objective)
    assert bool(h.shifts(res)) is works
    assert res.terms["requests"] == pytest.approx(weight if works else 0.0)


def test_an_on_request_with_a_start_moves_the_shift(tmp_path):
    # need 09–13 on Monday; the agent asked to start at 10:00 (worth 200).
    # Starting at 09 covers it all but refuses the request (40 + 200);
    # starting at 10 leaves 09–10 short (40 + 100)
    data = h.case(days=1)
    data["requests"] = [_wish("on", 0, 200, "10:00")]
    res = h.run(h.load(tmp_path, data), h.block(0, 9, 13))
    assert res.objective == pytest.approx(4 * COST + PEN)
    assert [s[2] for s in h.shifts(res)] == [10]
    assert res.terms["requests"] == 0.0


def test_an_on_request_for_a_day_off_costs_its_weight(tmp_path):
    # Monday is one of the agent's days off: the request cannot be granted
    data = h.case(days=1)
    data["agents"][0]["days_off"] = "Mon"
    data["requests"] = [_wish("on", 0, 25)]
    res = h.run(h.load(tmp_path, data), {})
    assert res.objective == pytest.approx(25.0) and res.terms["requests"] == pytest.approx(25.0)


def test_an_on_request_is_worth_a_shift_nobody_needs(tmp_path):
    # no need at all: a shift costs 40, the request is worth 50, so it is worked
    data = h.case(days=1)
    data["requests"] = [_wish("on", 0, 50)]
    res = h.run(h.load(tmp_path, data), {})
    assert res.objective == pytest.approx(4 * COST) and len(h.shifts(res)) == 1


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=h.random_cases(max_days=4, max_agents=3, max_cells=20))
def test_the_requests_term_is_the_weight_the_roster_refuses(tmp_path_factory, case):
    solved = h.run_case(tmp_path_factory.mktemp("wish"), case)
    if solved is None:
        return
    sc, res = solved
    q = quality_kpis(sc, res.roster)
    assert q.requests == len(sc.requests)
    assert res.terms["requests"] == pytest.approx(q.requests_refused_weight, abs=0.01)
