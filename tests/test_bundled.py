"""The bundled scenarios load, and the tiny one solves to a checked roster."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.check import check_roster
from optimizer.pipeline import prepare, run
from optimizer.scenario.load import load_scenario
from optimizer.solve.stop import StopCriteria

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.mark.parametrize("name", ["global-baseline", "tiny", "dst-weekend"])
def test_bundled_scenarios_load(name):
    sc = load_scenario(SCENARIOS / f"{name}.yaml")
    assert sc.scenario == name and sc.agents and len(sc.demand)


def test_baseline_has_what_the_issue_asks_for():
    sc = load_scenario(SCENARIOS / "global-baseline.yaml")
    assert len(sc.sites) == 8 and len(sc.markets) == 12 and 380 <= len(sc.agents) <= 420
    assert {t for t in sc.tiers} == {"T1", "T2", "T3"}
    assert len({q.language for q in sc.queues}) == 8
    eu = [m for m in sc.markets if m.residency]
    assert eu and all(m.residency == ("EU",) for m in eu)


def test_tiny_solves_and_checks():
    sc = load_scenario(SCENARIOS / "tiny.yaml")
    out = run(prepare(sc), StopCriteria(time_limit=10, gap=0.01))
    assert out.result.status in ("OPTIMAL", "FEASIBLE") and out.result.gap is not None
    assert check_roster(sc, out.roster).ok
