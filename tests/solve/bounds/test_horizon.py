"""Pricing over the whole horizon (`bounds/horizon.py`), the cover per shift
type and the agents' wishes in the bounds: each one lifts a bound to an
optimum added up by hand, which the week programme alone stays below."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.solve.agentdp import AgentProgramme
from optimizer.solve.bounds.colgen import column_generation_bound
from optimizer.solve.bounds.horizon import HorizonPricing, looks_past_a_week
from optimizer.solve.bounds.lagrange import AgentPricing, lagrangian_bound
from optimizer.solve.bounds.worker import BoundWorker
from optimizer.solve.state import whole_objective
from optimizer.solve.stop import StopCriteria
from tests.solve import helpers as h

PEN, COST = 100.0, 10.0  # per agent-hour short; per paid hour


def _hours_case(most_hours: int) -> dict:
    """One agent, a week, one agent needed 08–12 each day."""
    data = h.case(days=7)
    data["agents"][0]["max_hours_horizon"] = most_hours
    return data


def test_hours_over_the_horizon_bind_in_the_bound(tmp_path):
    # at most 12 h in the horizon: three 4-hour shifts (120) and four days
    # short (4 × 400); priced week by week the agent would work six days
    # (its run limit) and the bound would stay at 6 × 40 + 400
    cells = {k: v for d in range(7) for k, v in h.block(d, 8, 12).items()}
    sc = h.load(tmp_path, _hours_case(12))
    p = h.problem(sc, cells)
    assert looks_past_a_week(p)
    optimum = 3 * 4 * COST + 4 * 4 * PEN
    cg = column_generation_bound(p, time_limit=10.0, block=1)
    assert cg.value == pytest.approx(optimum)
    res = h.run(sc, cells)
    assert res.status == "OPTIMAL" and res.objective == pytest.approx(optimum)


def test_the_horizon_programme_keeps_the_agent_within_its_hours(tmp_path):
    # every shift worth 100 net: the best schedule within 12 h is three shifts
    p = h.problem(h.load(tmp_path, _hours_case(12)), {})
    pricing = HorizonPricing(p, AgentPricing(p).c)
    bound, own, _, entry = pricing.best(np.full(len(pricing.c.agent), 100.0))
    assert bound[0] == pytest.approx(300.0) and own[0] == pytest.approx(300.0)
    assert len(entry) == 3 and len(np.unique(pricing.c.day[entry])) == 3


def _typed_case(agents: int) -> dict:
    data = h.case(days=1, agents=agents)
    data["rules"]["PT"].update(
        {"min_rest_hours": 0, "shift_types": [{"id": "D", "start": "09:00", "hours": 4}]}
    )
    data["shift_cover"] = [
        {
            "site": "LIS",
            "date": "2027-03-01",
            "shift_type": "D",
            "required": 2,
            "under_penalty": 100,
        }
    ]
    return data


def test_the_cover_per_shift_type_binds_in_the_bound(tmp_path):
    # two needed on D, one agent: it works D (40) and one stays short (100)
    sc = h.load(tmp_path, _typed_case(1))
    p = h.problem(sc, {})
    optimum = 4 * COST + 100
    assert column_generation_bound(p, time_limit=5.0, block=1).value == pytest.approx(optimum)
    lagrange = lagrangian_bound(p, time_limit=2.0, upper=lambda: optimum)
    assert optimum - 1.0 <= lagrange.value <= optimum + 1e-6
    assert h.run(sc, {}).objective == pytest.approx(optimum)


def test_a_request_no_roster_can_grant_is_in_the_bound(tmp_path):
    # an `on` request for a day of leave costs its weight in every roster
    data = h.case(days=2)
    data["agents"][0]["leave"] = "2027-03-02"
    data["requests"] = [{"agent": "A1", "date": "2027-03-02", "kind": "on", "weight": 70}]
    p = h.problem(h.load(tmp_path, data), {})
    assert column_generation_bound(p, time_limit=5.0, block=1).value == pytest.approx(70.0)


def test_a_whole_number_objective_rounds_its_bound_up(tmp_path):
    data = _typed_case(1)
    p = h.problem(h.load(tmp_path / "paid", data), {})
    assert not whole_objective(p)  # pay comes in fractions of an hour's rate
    data["weights"] = {"cost": 0}
    p = h.problem(h.load(tmp_path / "unpaid", data), {})
    assert whole_objective(p)
    worker = BoundWorker(p, StopCriteria(time_limit=1), small=True)
    worker.offer(99.2, "a bound")
    assert worker.best() == (100.0, "a bound")


def test_an_agent_without_any_schedule_leaves_the_bound_finite(tmp_path):
    # 40 h owed over two days of 4-hour shifts: no schedule at all. The agent
    # is bounded by its best shift each day, so the bound stays a number
    data = h.case(days=2)
    data["agents"][0]["min_hours_horizon"] = 40
    p = h.problem(h.load(tmp_path, data), h.block(0, 8, 12))
    pricing = HorizonPricing(p, AgentPricing(p).c)
    bound, _, _, entry = pricing.best(np.full(len(pricing.c.agent), 5.0))
    assert bound[0] == pytest.approx(10.0) and len(entry) == 0
    assert np.isfinite(column_generation_bound(p, time_limit=2.0, block=1).value)


def _limited_case() -> dict:
    """One agent over two weeks: three shift types with limits, one
    forbidden succession and one weekend worked at most, so the programme's
    state holds limits a quick programme of 64 states leaves out."""
    data = h.case(days=14)
    data["rules"]["PT"].update(
        {
            "min_rest_hours": 8,
            "max_weekends": 1,
            "shift_types": [
                {"id": "D", "start": "07:00", "hours": 4, "max_shifts": 3},
                {"id": "L", "start": "13:00", "hours": 4, "max_shifts": 4},
                {"id": "N", "start": "20:00", "hours": 4, "max_shifts": 2},
            ],
            "forbidden_successions": [["N", "D"]],
        }
    )
    return data


def test_a_quick_programme_run_first_changes_no_answer(tmp_path):
    # the quick relaxation answers where its plan keeps the limits it left
    # out, the full state where it does not: the values never differ
    p = h.problem(h.load(tmp_path, _limited_case()), {})
    c = AgentPricing(p).c
    templates = c.tpl[c.agent == 0]
    full = AgentProgramme(p, 0, templates, relaxed=True, states_max=4096)
    cascade = AgentProgramme(p, 0, templates, relaxed=True, states_max=4096, quick=(64,))
    assert cascade.quick is not None
    assert len(cascade.quick.counters.worked) < len(full.counters.worked)
    rng = np.random.default_rng(3)
    answered = {True: 0, False: 0}  # by the quick programme, by the full state
    for _ in range(200):
        values = rng.normal(rng.uniform(-5, 20), 15, len(templates))
        want, got = full.run(values), cascade.run(values)
        assert (want is None) == (got is None)
        if want is None:
            continue
        assert got[0] == pytest.approx(want[0])
        quick = cascade.quick.run(values)
        answered[cascade.quick.keeps_left_out(templates[quick[1]])] += 1
    assert answered[True] > 0 and answered[False] > 0
