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
