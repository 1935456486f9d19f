"""Monte-Carlo service level of a fixed roster (the hand-made run of
tests/store/helpers.py: 1 agent for 6 calls of 360 s → 41.3186 % in 20 s)."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.sweep.montecarlo import demand_paths, simulate
from tests.store.helpers import hand_run


@pytest.fixture
def run(tmp_path):
    return hand_run(tmp_path / "sc")


def test_zero_noise_gives_the_deterministic_service_level(run):
    mc = simulate(run.scenario, run.roster, paths=5, cv=0.0, seed=1)
    assert np.allclose(mc.samples[:, 0], 0.413186, atol=1e-6)
    row = mc.table().iloc[0]
    assert (
        row["tier"] == "T1"
        and row["target"] == pytest.approx(0.8)
        and row["deterministic"] == pytest.approx(0.413186, abs=1e-6)
    )
    assert row["p5"] == row["p95"] == pytest.approx(0.413186, abs=1e-6) and row["p_meet"] == 0.0


def test_same_seed_same_paths_and_more_paths_extend_them(run):
    a = simulate(run.scenario, run.roster, paths=50, cv=0.3, seed=7).samples
    b = simulate(run.scenario, run.roster, paths=50, cv=0.3, seed=7).samples
    c = simulate(run.scenario, run.roster, paths=80, cv=0.3, seed=7).samples
    d = simulate(run.scenario, run.roster, paths=50, cv=0.3, seed=8).samples
    assert np.array_equal(a, b) and np.array_equal(c[:50], a) and not np.array_equal(a, d)


def test_noise_spreads_the_service_level_around_the_forecast(run):
    narrow = simulate(run.scenario, run.roster, paths=400, cv=0.05, seed=3).table().iloc[0]
    wide = simulate(run.scenario, run.roster, paths=400, cv=0.5, seed=3).table().iloc[0]
    assert narrow["p5"] < 0.413186 < narrow["p95"]
    assert wide["p95"] - wide["p5"] > narrow["p95"] - narrow["p5"]
    # fewer calls than forecast can reach 80 % with one agent (0.6·x Erlang): the wide spread does
    assert 0.0 < wide["p_meet"] < 0.5


def test_gamma_factors_have_mean_one_and_the_asked_cv():
    rng = np.random.default_rng(0)
    f = demand_paths(np.ones((1, 1)), 200_000, 0.2, rng)[:, 0, 0]
    assert f.mean() == pytest.approx(1.0, abs=0.005) and f.std() == pytest.approx(0.2, abs=0.005)
    counts = demand_paths(np.full((1, 1), 6.0), 100_000, 0.0, rng, poisson=True)[:, 0, 0]
    assert counts.mean() == pytest.approx(6.0, abs=0.05) and counts.var() == pytest.approx(
        6.0, abs=0.15
    )
