"""Hiring on a case worked out by hand.

mini, one day (Mon 2027-03-01, Lisbon = UTC+0): 6 calls of 360 s at each of
09:00, 10:00 and 11:00 UTC (0.6 Erlang), target 80 % in 20 s. One agent
answers 41.3 % in time, two answer 87.2 % (Erlang C): one agent short for
three hours. The only agent, A1, works then. Two sites under the same rules
may hire: LIS at 10 EUR/h and OPO (also Lisbon time) at 8 EUR/h. Answer: one
hire at OPO; an 8-hour day shift there costs 8 × 8 = 64 EUR.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from optimizer.pipeline import prepare, run
from optimizer.scenario.load import load_scenario
from optimizer.solve.stop import StopCriteria
from optimizer.store import RunStore
from optimizer.sweep.hiring import (
    HiringInputError,
    candidates,
    describe_cells,
    recommend,
    shortfall,
    solve_plan,
    unreachable,
)
from optimizer.timegrid import TimeGrid
from tests import factory


@pytest.fixture
def case(tmp_path):
    d = factory.mini(days=1)
    d["sites"].append(
        {**copy.deepcopy(d["sites"][0]), "id": "OPO", "city": "Porto", "hourly_cost": 8}
    )
    d["agents"] = d["agents"][:1]
    d["demand"] = [("PT-pt-voice", f"2027-03-01T{h:02d}:00:00Z", 6) for h in (9, 10, 11)]
    return load_scenario(factory.write(tmp_path / "sc", d))


def test_the_mip_hires_one_agent_at_the_cheaper_site(case):
    out = run(prepare(case), StopCriteria(time_limit=3, workers=1))
    short = shortfall(out)
    assert short.sum() == 3 and set(np.flatnonzero(short[0])) == {9, 10, 11}
    cands = candidates(case, short, None, None)
    assert set(cands) == {("LIS", "pt"), ("OPO", "pt")}
    plan, cost = solve_plan(case, short, cands, max_per_candidate=5)
    assert plan == {("OPO", "pt"): 1} and cost == pytest.approx(64.0)
    only_lis, cost_lis = solve_plan(case, short, {("LIS", "pt"): cands[("LIS", "pt")]}, 5)
    assert only_lis == {("LIS", "pt"): 1} and cost_lis == pytest.approx(80.0)


def test_recommend_verifies_by_re_solving_and_records_the_solves(case, tmp_path):
    with RunStore(tmp_path / "runs.sqlite") as st:
        plan = recommend(case, time_limit=3, workers=1, store=st)
        runs = st.list_runs()
    assert plan.hires == {("OPO", "pt"): 1} and plan.meets
    assert plan.baseline["T1"]["service_level"] == pytest.approx(0.413186, abs=1e-6)
    assert plan.verified["T1"]["service_level"] == pytest.approx(0.8719, abs=1e-3)
    assert plan.overrides() == {"hire.OPO.pt": "1"}
    # baseline, the MIP plan, and the trim that shows 0 hires is not enough
    assert plan.solves == 3 and len(runs) == 3
    assert {tuple(r.overrides.items()) for r in runs} == {(), (("hire.OPO.pt", "1"),)}


def test_nothing_to_hire_when_every_sla_is_met(case):
    plan = recommend(
        case.model_copy(update={"demand": case.demand.iloc[:0]}), time_limit=2, workers=1
    )
    assert plan.meets and plan.hires == {} and plan.solves == 1


def test_short_cells_no_hire_can_reach_are_named_with_the_reason(tmp_path):
    """Customers in Madrid's clock (UTC+1) put the grid's first hour at 23:00 UTC
    on 28 Feb, the evening before the sites' first local day: no shift is at
    work then. The market may be served from the EU only: LIS (tagged AM) may
    not serve it, OPO may — so asking for LIS alone leaves 09:00 to a wider ask."""
    d = factory.mini(days=1)
    d["sites"].append({**copy.deepcopy(d["sites"][0]), "id": "OPO", "city": "Porto"})
    d["sites"][0]["region"] = "AM"
    d["markets"][0]["timezone"] = "Europe/Madrid"
    sc = load_scenario(factory.write(tmp_path / "sc", d))
    grid = TimeGrid.of(sc)
    assert grid.n == 25  # 23:00 UTC on 28 Feb to 24:00 UTC on 1 Mar
    short = np.zeros((1, grid.n))
    short[0, 0] = short[0, 10] = 1.0  # 23:00 UTC the evening before, 09:00 UTC
    before = "no shift at OPO is at work then"
    assert {
        why.split(" (")[0]: cells for why, cells in unreachable(sc, short, None, None).items()
    } == {before: [(0, 0)]}
    asked_lis = unreachable(sc, short, ["LIS"], None)
    assert [(0, 10)] in asked_lis.values() and any("widen" in why for why in asked_lis)
    assert describe_cells(sc, [(0, 0), (0, 10)]) == (
        "PT-pt-voice at 2027-02-28T23:00:00Z and 1 other cell(s)"
    )
    with pytest.raises(HiringInputError, match="no site 'NOPE'"):
        unreachable(sc, short, ["NOPE"], None)
