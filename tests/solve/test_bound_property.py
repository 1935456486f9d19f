"""Property: on random small v1.1 scenarios every lower bound the engine
computes is at most the objective of the roster the solver returns.

The roster's objective is computed independently of the solver, by the
checker (`check_roster`, whose KPIs price the shifts by the pay model):
cost × weights.cost plus each tier's under-cover agent-hours × its penalty,
plus `weights.isolated_day` × the isolated working days the roster-quality
KPIs count (`quality_kpis`), plus the weight of the shift requests those
KPIs find refused, plus the cost of the cover per shift type the checker's
KPIs recount. The scenarios keep the other soft terms
(preference, fairness, stability) at weight 0, so that is the whole
objective.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.check import check_roster
from optimizer.kpi import Kpis
from optimizer.quality import quality_kpis
from optimizer.roster import Roster
from optimizer.scenario.model import Scenario
from optimizer.solve.bounds.colgen import column_generation_bound
from optimizer.solve.bounds.lagrange import lagrangian_bound
from optimizer.solve.bounds.lp import lp_bound
from tests import factory
from tests.solve import helpers as h


@st.composite
def v11_cases(draw):  # type: ignore[no-untyped-def]
    """`helpers.random_cases` (up to 9 days from a Monday, so some have a
    whole week) with random contract v1.1 rules."""
    data, cells = draw(h.random_cases(max_days=9, max_agents=3, max_cells=30))
    data = factory.v11(
        data,
        start_band_hours=draw(st.sampled_from([None, 0, 1, 2, 4])),
        days_off_together=draw(st.sampled_from([None, 1, 2, 3])),
        max_consecutive_nights=draw(st.sampled_from([None, 0, 1, 2, 3])),
        min_minutes=draw(st.sampled_from([None, 60, 120])),
        max_switches_per_shift=draw(st.sampled_from([None, 0, 1])),
    )
    data["weights"] = {**data.get("weights", {}), "isolated_day": draw(st.sampled_from([0, 25]))}
    return data, cells


def objective(sc: Scenario, k: Kpis, roster: Roster) -> float:
    """The roster's objective from the checker's KPIs and the quality KPIs
    (module doc)."""
    penalty = sum(
        float(r.under_cover_hours) * sc.tiers[r.tier].under_cover_penalty
        for r in k.by_tier.itertuples()
    )
    q = quality_kpis(sc, roster)
    isolated = sc.weights.isolated_day_price * q.isolated_days
    cover = float(k.shift_cover["cost"].sum()) if k.shift_cover is not None else 0.0
    return sc.weights.cost * k.total_cost + penalty + isolated + q.requests_refused_weight + cover


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(v11_cases())
def test_every_bound_is_at_most_the_solved_rosters_objective(case):
    data, cells = case
    with tempfile.TemporaryDirectory() as tmp:
        sc = h.load(Path(tmp), data)
        p = h.problem(sc, cells)
        res = h.solve(p, h.limits(2, workers=1), seed=0)
        if res.status in ("INFEASIBLE", "UNKNOWN"):  # an agent's own rules conflict
            return
        report = check_roster(sc, res.roster, requirements=p.requirements)
        assert report.ok, report.to_text()
        assert report.kpis is not None
        roster = objective(sc, report.kpis, res.roster)
        bounds = {
            "LP": lp_bound(p, block=1).value,
            "LP over 4-interval blocks": lp_bound(p, block=4).value,
            "Lagrangian": lagrangian_bound(
                p, time_limit=600.0, max_iterations=150, upper=lambda: roster
            ).value,
            "column generation": column_generation_bound(
                p, time_limit=600.0, block=1, max_rounds=40
            ).value,
            "the solver's own": res.bound,
        }
    slack = 1e-6 * max(1.0, abs(roster))
    for name, value in bounds.items():
        assert value is None or value <= roster + slack, (name, value, roster)
