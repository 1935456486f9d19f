"""Synthetic scenarios load through the public format at the size asked for."""

from __future__ import annotations

from optimizer.bench.scale import write_synthetic
from optimizer.scenario.load import load_scenario
from optimizer.staffing.requirements import compute_requirements


def test_synthetic_scenario_loads_at_size(tmp_path):
    sc = load_scenario(write_synthetic(tmp_path, agents=60, sites=3, markets=4, days=7))
    assert len(sc.agents) == 60 and len(sc.sites) == 3 and len(sc.markets) == 4
    req = compute_requirements(sc)
    assert req.required.sum() > 0


def test_synthetic_scenarios_carry_contract_v11_or_none_of_it(tmp_path):
    on = load_scenario(write_synthetic(tmp_path / "on", agents=20, sites=2, markets=2, days=7))
    assert on.activities.min_minutes == 60 and on.activities.max_switches_per_shift == 2
    assert on.weights.stability > 0
    assert all(r.start_band_hours and r.days_off_together for r in on.rules.values())
    off = load_scenario(
        write_synthetic(tmp_path / "off", agents=20, sites=2, markets=2, days=7, workability=False)
    )
    assert off.activities.min_minutes is None and off.weights.stability == 0
    assert all(
        r.start_band_hours is None
        and r.days_off_together is None
        and r.max_consecutive_nights is None
        for r in off.rules.values()
    )
