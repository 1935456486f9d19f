"""Sweeps for real: tiny.yaml on local Ray with 2 workers, results in the
store; a sweep interrupted with Ctrl-C keeps its finished points and a rerun
solves only the rest."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.scenario.load import load_scenario
from optimizer.store import RunStore, point_key
from optimizer.sweep.grid import grid_points, parse_vary
from optimizer.sweep.runner import SweepParams, run_sweep
from tests.conftest import REPO
from tests.store.helpers import mini_scenario_path

TINY = REPO / "scenarios" / "tiny.yaml"
VARY = ["--vary", "volume=-10%..+10%:10%"]  # 3 points
ARGS = ["--time-limit", "5", "--seed", "1", "--workers-per-solve", "1"]


def _wait_for_runs(db, n: int, proc, timeout: float = 120.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        if db.exists():
            try:
                with RunStore(db) as st:
                    if len(st.list_runs()) >= n:
                        return
            except Exception:
                pass
        time.sleep(0.2)
    raise AssertionError("the sweep stored nothing before the timeout")


def test_interrupted_sweep_keeps_finished_points_and_resumes_on_ray(tmp_path):
    db = tmp_path / "runs.sqlite"
    cmd = [sys.executable, "-m", "optimizer.cli.main", "sweep", str(TINY), *VARY, *ARGS, "--sequential",
           "--store", str(db), "-o", str(tmp_path / "first")]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_for_runs(db, 1, proc)
        proc.send_signal(signal.SIGINT)  # Ctrl-C while the next point is solving
        proc.wait(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
    with RunStore(db) as st:
        first = {point_key(r.overrides): r.id for r in st.list_runs()}
    assert 1 <= len(first) <= 3

    res = CliRunner().invoke(app, ["sweep", str(TINY), *VARY, *ARGS, "--parallel", "2", "--store", str(db),
                                   "-o", str(tmp_path / "out"), "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["mode"] == "ray" and report["points"] == 3
    assert report["skipped"] == len(first) and report["solved"] == 3 - len(first)
    with RunStore(db) as st:
        runs = st.list_runs(sweep_id=report["sweep_id"])
        stored = st.get(runs[0].id)
    keys = [point_key(r.overrides) for r in runs]
    assert sorted(keys) == sorted(point_key(p) for p in grid_points([parse_vary(VARY[1])]))
    assert {
        k: r.id for k, r in zip(keys, runs, strict=True) if k in first
    } == first  # not re-solved
    assert all(r.status in ("OPTIMAL", "FEASIBLE") and r.params["time_limit"] == 5.0 for r in runs)
    assert len(stored.roster) > 0 and len(stored.coverage) == 2 * 7 * 24 + 2
    assert (tmp_path / "out" / "frontier.html").stat().st_size > 10_000
    if shutil.which("chromium"):  # kaleido draws the PNG with the system's Chromium
        assert report["note"] is None, report["note"]
        assert (tmp_path / "out" / "frontier.png").stat().st_size > 5_000
    assert (tmp_path / "out" / "sweep.csv").exists()


def test_a_partial_sweep_is_finished_by_the_next_call(tmp_path):
    sc = load_scenario(mini_scenario_path(tmp_path / "sc"))
    points = grid_points([parse_vary("volume=+0%,+100%"), parse_vary("fx.EUR=1")][:1])
    params = SweepParams(time_limit=2, seed=3)
    with RunStore(tmp_path / "runs.sqlite") as st:
        a = run_sweep(sc, points, params, st, sequential=True, limit=1)
        b = run_sweep(sc, points, params, st, sequential=True)
        c = run_sweep(sc, points, params, st, sequential=True)
        runs = st.list_runs(sweep_id=a.sweep_id)
    assert a.sweep_id == b.sweep_id == c.sweep_id
    assert (a.solved, b.skipped, b.solved, c.skipped, c.solved) == (1, 1, 1, 2, 0)
    assert len(runs) == 2 and {r.overrides["volume"] for r in runs} == {"+0%", "+100%"}
    # the point's seed is derived from the base seed and the point
    assert len({r.params["seed"] for r in runs}) == 2 and all(
        r.params["base_seed"] == 3 for r in runs
    )
    assert os.environ.get("RAY_ADDRESS") is None
