"""The Curtois–Qu benchmark: parser, independent evaluator, CP-SAT model, solver, CLI."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from ortools.sat.python import cp_model
from typer.testing import CliRunner

from optimizer.bench.curtois.evaluate import evaluate
from optimizer.bench.curtois.model import build
from optimizer.bench.curtois.parse import instance_path, parse_instance
from optimizer.bench.curtois.run import best_known, check_outcome, parse_selection
from optimizer.bench.curtois.solve import solve
from optimizer.cli import app

REPO = Path(__file__).resolve().parents[2]
BENCH = (REPO / ".." / "shared" / "benchmarks" / "curtois").resolve()
TINY = Path(__file__).parent / "data" / "tiny_curtois.txt"
needs_bench = pytest.mark.skipif(not BENCH.is_dir(), reason=f"no benchmark folder {BENCH}")

# Hand-built roster of the tiny instance (D = 0, N = 1, off = -1), days 0..6:
#   A: D D N - D D -      B: - D D D - - -
# Its objective, by hand:
#   cover D (req 1 1 1 1 2 1 1), worked 1 2 1 1 1 1 0:
#       day 1 over by 1 × weight 2 = 2; day 4 under by 1 × weight 50 = 50;
#       day 6 under by 1 × 100 = 100
#   cover N (req 0 0 1 0 0 1 0), worked 0 0 1 0 0 0 0: day 5 under 1 × 100 = 100
#   → under 250, over 2
#   on-requests: A day 0 D (worked, 0) + B day 3 D (worked, 0) + A day 4 N (A works D: 3) = 3
#   off-requests: A day 2 N (worked: 3) + B day 4 D (off, 0) + B day 1 D (worked: 2) = 5
#   objective = 250 + 2 + 3 + 5 = 260
D, N, OFF = 0, 1, -1  # shift indices; -1 = day off
ROSTER = np.array([[D, D, N, OFF, D, D, OFF], [OFF, D, D, D, OFF, OFF, OFF]])


@pytest.fixture(scope="module")
def tiny():
    return parse_instance(TINY)


def test_tiny_instance_parses_into_indices(tiny):
    assert tiny.horizon == 7 and tiny.staff_ids == ("A", "B") and tiny.shift_ids == ("D", "N")
    assert tiny.cannot_follow.tolist() == [[False, False], [True, False]]  # D may not follow N
    assert tiny.max_shifts.tolist() == [[7, 7], [7, 0]]
    assert tiny.max_minutes.tolist() == [2400, 1440] and tiny.min_days_off.tolist() == [1, 2]
    assert np.flatnonzero(tiny.days_off[0]).tolist() == [6]
    assert tiny.off_requests.tolist() == [[0, 2, 1, 3], [1, 4, 0, 1], [1, 1, 0, 2]]
    assert tiny.cover[:, N].tolist() == [0, 0, 1, 0, 0, 1, 0] and tiny.weight_under[4, D] == 50


def test_evaluator_reproduces_the_hand_computed_objective(tiny):
    ev = evaluate(tiny, ROSTER)
    assert ev.feasible, ev.violations
    assert (ev.under_cover, ev.over_cover, ev.on_requests, ev.off_requests) == (250, 2, 3, 5)
    assert ev.objective == 260


def _with(rows: dict[int, list[int]]) -> np.ndarray:
    r = ROSTER.copy()
    for e, row in rows.items():
        r[e] = row
    return r


@pytest.mark.parametrize(
    ("rule", "roster", "changes"),
    [
        ("day off", _with({1: [D, D, D, OFF, OFF, OFF, OFF]}), {}),
        ("succession", _with({0: [D, N, D, OFF, D, D, OFF]}), {}),
        ("max shifts", _with({1: [OFF, D, D, N, OFF, OFF, OFF]}), {}),
        ("max minutes", ROSTER, {"max_minutes": np.array([1920, 1440])}),
        ("min minutes", _with({0: [OFF] * 7}), {}),
        ("max consecutive shifts", _with({0: [D, D, D, D, OFF, OFF, OFF]}), {}),
        ("min consecutive shifts", _with({0: [D, D, N, OFF, D, OFF, OFF]}), {}),
        ("min consecutive days off", _with({1: [OFF, D, OFF, D, OFF, OFF, OFF]}), {}),
        ("max weekends", _with({1: [OFF, D, D, OFF, OFF, D, OFF]}), {}),
    ],
)
def test_each_hard_rule_broken_once_is_reported_once(tiny, rule, roster, changes):
    inst = dataclasses.replace(tiny, **changes)
    assert [v.rule for v in evaluate(inst, roster).violations] == [rule]
    # the CP-SAT model forbids the same roster
    built = build(inst)
    for (e, d), opts in built.cells.x.items():
        for t, lit in opts.items():
            built.model.add(lit == int(roster[e, d] == t))
    if rule == "day off" or rule == "max shifts":  # no literal exists: the cell cannot hold it
        assert (1, 0) not in built.cells.x or 1 not in built.cells.x.get((1, 3), {})
        return
    assert cp_model.CpSolver().solve(built.model) == cp_model.INFEASIBLE


def test_runs_touching_a_border_are_exempt_from_the_minima(tiny):
    # A works only day 0 (a run of 1 < MinConsecutiveShifts 2, but it touches day 0)
    assert evaluate(tiny, _with({0: [D, OFF, OFF, OFF, D, D, OFF]})).violations == []


def test_model_objective_of_a_fixed_roster_is_the_evaluators(tiny):
    nothing_free = np.zeros_like(ROSTER, dtype=bool)
    assert build(tiny, free=nothing_free, fixed=ROSTER).objective_constant == 260


def test_model_optimum_of_the_tiny_instance_is_feasible_for_the_evaluator(tiny):
    built = build(tiny)
    s = cp_model.CpSolver()
    assert s.solve(built.model) == cp_model.OPTIMAL
    ev = evaluate(tiny, built.roster(s.boolean_value))
    assert ev.feasible and ev.objective == round(s.objective_value) <= 260


def test_parser_names_file_and_line_of_bad_input(tmp_path):
    bad = tmp_path / "bad.txt"
    text = TINY.read_text().replace("B,D=7|N=0,1440,0,3,1,2,0", "B,D=7|N=0,1440,0,3,1,2")
    bad.write_text(text)
    with pytest.raises(ValueError, match=r"bad\.txt:13: a staff line has 8 fields, got 7"):
        parse_instance(bad)
    bad.write_text(TINY.read_text().replace("A,4,N,3", "A,4,X,3"))
    with pytest.raises(ValueError, match=r"bad\.txt:\d+: bad shift ID 'X'"):
        parse_instance(bad)


def test_instance_selection_ranges_and_lists():
    assert parse_selection("1-3,7") == [1, 2, 3, 7]
    with pytest.raises(ValueError, match="1–24"):
        parse_selection("0-3")


# Days, staff and shift types of every instance, from BEST_KNOWN.md.
SIZES = {
    1: (14, 8, 1), 2: (14, 14, 2), 3: (14, 20, 3), 4: (28, 10, 2), 5: (28, 16, 2),
    6: (28, 18, 3), 7: (28, 20, 3), 8: (28, 30, 4), 9: (28, 36, 4), 10: (28, 40, 5),
    11: (28, 50, 6), 12: (28, 60, 10), 13: (28, 120, 18), 14: (42, 32, 4), 15: (42, 45, 6),
    16: (56, 20, 3), 17: (56, 32, 4), 18: (84, 22, 3), 19: (84, 40, 5), 20: (182, 50, 6),
    21: (182, 100, 8), 22: (364, 50, 10), 23: (364, 100, 16), 24: (364, 150, 32),
}  # fmt: skip


@needs_bench
@pytest.mark.parametrize("n", sorted(SIZES))
def test_every_instance_parses(n):
    inst = parse_instance(instance_path(BENCH, n))
    assert (inst.horizon, inst.n_staff, inst.n_shifts) == SIZES[n]
    assert inst.cover.shape == (inst.horizon, inst.n_shifts)


@needs_bench
def test_best_known_table_is_read():
    known = best_known(BENCH)
    assert len(known) == 24 and known[1] == 607 and known[24] == 48777


@needs_bench
def test_instance1_all_days_off_scores_7137():
    inst = parse_instance(instance_path(BENCH, 1))
    ev = evaluate(inst, np.full((inst.n_staff, inst.horizon), -1))
    assert (ev.under_cover, ev.on_requests, ev.objective) == (7100, 37, 7137)


@needs_bench
def test_instance1_is_solved_to_its_optimum_607():
    inst = parse_instance(instance_path(BENCH, 1))
    out = solve(inst, time_limit=20, workers=2)
    check_outcome(out, inst)
    assert (out.objective, out.bound, out.status) == (607, 607, "OPTIMAL")


@needs_bench
@pytest.mark.parametrize("n", [1, 2, 3])
def test_smoke_solve_rosters_are_feasible_and_scored_as_reported(n):
    inst = parse_instance(instance_path(BENCH, n))
    out = solve(inst, time_limit=8, workers=2)
    ev = evaluate(inst, out.roster)
    assert ev.feasible, ev.violations[:3]
    assert ev.objective == out.objective
    assert out.bound is None or out.bound <= out.objective


@needs_bench
def test_cli_json_has_the_documented_keys():
    res = CliRunner().invoke(
        app, ["bench", "curtois", "--instances", "1", "--time-limit", "10", "--json"]
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert {"instance", "best_known", "objective", "bound", "seconds"} <= set(rows[0])
    assert rows[0]["instance"] == "Instance1" and rows[0]["objective"] == 607


def test_cli_bad_selection_exits_2():
    res = CliRunner().invoke(app, ["bench", "curtois", "--instances", "30"])
    assert res.exit_code == 2 and "1–24" in res.output
