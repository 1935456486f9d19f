"""The cover per shift type (`optimizer.solve.type_cover`): its shortfall
and over-cover prices bind in hand cases whose optimum is added up by hand,
and the objective's term is what the KPIs, counting from the roster alone,
call its cost."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from ortools.sat.python import cp_model

from optimizer.calendars import calendars_of
from optimizer.kpi import kpis, shift_cover_table
from optimizer.solve.model import CandidateIndex, build, read_solution
from optimizer.solve.state import State, evaluate
from tests.solve import helpers as h

COST = 10.0  # per paid hour
TYPES = [
    {"id": "D", "start": "09:00", "hours": 4},
    {"id": "N", "start": "20:00", "hours": 4},
]


def _case(agents: int, cover: list[dict], types: list[dict] = TYPES) -> dict:
    data = h.case(days=1, agents=agents)
    data["rules"]["PT"].update({"min_rest_hours": 0, "shift_types": types})
    data["shift_cover"] = [{"site": "LIS", "date": "2027-03-01"} | c for c in cover]
    return data


def test_the_shortfall_of_a_shift_type_binds(tmp_path):
    # two on D, 100 an agent short: both agents work D (80); one agent alone
    # works D and one stays short (40 + 100)
    cover = [{"shift_type": "D", "required": 2, "under_penalty": 100}]
    res = h.run(h.load(tmp_path / "two", _case(2, cover)), {})
    assert res.status == "OPTIMAL" and res.objective == pytest.approx(8 * COST)
    res = h.run(h.load(tmp_path / "one", _case(1, cover)), {})
    assert res.objective == pytest.approx(4 * COST + 100)
    assert res.terms["shift_cover"] == pytest.approx(100.0)


def test_a_shortfall_cheaper_than_the_shift_is_left(tmp_path):
    cover = [{"shift_type": "D", "required": 1, "under_penalty": 30}]
    res = h.run(h.load(tmp_path, _case(1, cover)), {})
    assert res.objective == pytest.approx(30.0) and not h.shifts(res)


@pytest.mark.parametrize(("types", "objective"), [(TYPES, 8 * COST), (TYPES[:1], 8 * COST + 30)])
def test_over_cover_sends_the_second_agent_to_another_type(tmp_path, types, objective):
    # both agents owe 4 h over the one-day horizon; D needs one, 30 for each
    # beyond: with N to go to, the second works N (80), else D (80 + 30)
    cover = [{"shift_type": "D", "required": 1, "under_penalty": 100, "over_penalty": 30}]
    data = _case(2, cover, types)
    for a in data["agents"]:
        a["min_hours_horizon"] = 4
    res = h.run(h.load(tmp_path, data), {})
    assert res.status == "OPTIMAL" and res.objective == pytest.approx(objective)


def test_a_model_offering_no_shift_of_a_type_still_counts_its_shortfall(tmp_path):
    # D needs one (100 short), N needs one (50 short); the model offers the
    # agent N shifts only: its objective is the roster's, D's shortfall included
    cover = [
        {"shift_type": "D", "required": 1, "under_penalty": 100},
        {"shift_type": "N", "required": 1, "under_penalty": 50},
    ]
    p = h.problem(h.load(tmp_path, _case(1, cover)), {})
    cands = CandidateIndex(p, nominal_only=False)
    night = p.sites[0].tpl.start % 1440 == 20 * 60
    only = copy.copy(cands)
    only.by_day = [{d: ks[night[ks]] for d, ks in by.items()} for by in cands.by_day]
    empty = State.empty(p)
    built = build(p, empty, [0], range(p.n_days), only)
    solver = cp_model.CpSolver()
    assert solver.solve(built.model) == cp_model.OPTIMAL
    roster = read_solution(p, empty, built, solver)
    assert roster.works[0, 0] and night[roster.tpl[0, 0]]  # N: 40 against 50 short
    model_objective = solver.objective_value / 100 + built.constant
    assert model_objective == pytest.approx(4 * COST + 100)
    assert evaluate(p, roster).total == pytest.approx(model_objective)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=h.random_cases(max_days=4, max_agents=3, max_cells=10))
def test_the_shift_cover_term_is_the_kpis_cost(tmp_path_factory, case):
    solved = h.run_case(tmp_path_factory.mktemp("cover"), case)
    if solved is None:
        return
    sc, res = solved
    table = shift_cover_table(sc, res.roster)
    assert res.terms["shift_cover"] == pytest.approx(float(table["cost"].sum()), abs=0.01)
    if sc.shift_cover:
        p = h.problem(sc, case[1])
        summary = kpis(sc, p.requirements, res.roster, calendars_of(sc)).summary_dict()
        assert summary["shift_cover"]["cost"] == pytest.approx(float(table["cost"].sum()), abs=0.01)
