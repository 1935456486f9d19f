"""Finding a scenario's solved run among output folders."""

from __future__ import annotations

from pathlib import Path

from dashboard.data import run
from tests import factory


def test_find_run_dir_finds_the_scenarios_solve(hand_out: Path):
    assert run.find_run_dir("mini", [hand_out]) == hand_out / "mini"
    assert run.find_run_dir("mini", [hand_out / "mini"]) == hand_out / "mini"  # a root itself
    assert run.find_run_dir("other-scenario", [hand_out]) is None
    assert run.find_run_dir("mini", [hand_out / "missing"]) is None


def test_find_run_dir_takes_the_newest(hand_out: Path, tmp_path: Path):
    import os
    import shutil

    old, new = tmp_path / "a-old", tmp_path / "b-new"
    for d, t in ((old, 1_000_000), (new, 2_000_000)):
        shutil.copytree(hand_out / "mini", d)
        os.utime(d / "summary.json", (t, t))
    assert run.find_run_dir("mini", [tmp_path]) == new


def test_fingerprint_changes_with_the_scenario_and_its_tables(tmp_path: Path):
    path = factory.write(tmp_path, factory.mini())
    before = run.fingerprint(path)
    assert run.fingerprint(path) == before
    (tmp_path / "demand.csv").write_text("queue,interval_start,contacts\n")
    assert run.fingerprint(path) != before
