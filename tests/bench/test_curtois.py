"""The Curtois–Qu benchmark: parser, independent evaluator, runner, CLI."""

from __future__ import annotations

import dataclasses
import json
import shutil

import numpy as np
import pytest
from typer.testing import CliRunner

from optimizer.bench.curtois.adapter import Outcome
from optimizer.bench.curtois.evaluate import evaluate
from optimizer.bench.curtois.parse import instance_path, parse_instance
from optimizer.bench.curtois.run import best_known, check_outcome, parse_selection, run_instances
from optimizer.cli import app
from tests.bench.paths import BENCH, TINY, needs_bench

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


def test_runs_touching_a_border_are_exempt_from_the_minima(tiny):
    # A works only day 0 (a run of 1 < MinConsecutiveShifts 2, but it touches day 0)
    assert evaluate(tiny, _with({0: [D, OFF, OFF, OFF, D, D, OFF]})).violations == []


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
    assert parse_selection(" 3, 1-2 ,3") == [1, 2, 3]
    with pytest.raises(ValueError, match="1–24, got '0-3'"):
        parse_selection("0-3")
    with pytest.raises(ValueError, match="bad instance selection 'x'"):
        parse_selection("1,x")
    with pytest.raises(ValueError, match="no instance selected"):
        parse_selection(" , ")


# ------------------------------------------------- runner: the engine's roster re-checked


def _outcome(roster: np.ndarray | None, objective: int | None) -> Outcome:
    return Outcome("tiny", roster, objective, None, "FEASIBLE", 0.0, 0.0)


def test_the_runner_refuses_a_roster_the_evaluator_rejects_or_scores_otherwise(tiny):
    check_outcome(_outcome(ROSTER, 260), tiny)  # feasible, scored as reported
    check_outcome(_outcome(None, None), tiny)  # no roster: nothing to check
    with pytest.raises(RuntimeError, match="evaluator objective 260 ≠ reported 259"):
        check_outcome(_outcome(ROSTER, 259), tiny)
    broken = _with({0: [D, N, D, OFF, D, D, OFF]})  # D after N
    with pytest.raises(RuntimeError, match=r"roster breaks.*succession"):
        check_outcome(_outcome(broken, evaluate(tiny, broken).objective), tiny)


TINY_OPTIMUM = 207  # by enumeration over the evaluator (tests/bench/test_curtois_adapter.py)


@pytest.fixture
def tiny_folder(tmp_path):
    """A benchmark folder holding the tiny instance as Instance1, best known 207."""
    shutil.copy(TINY, tmp_path / "Instance1.txt")
    (tmp_path / "BEST_KNOWN.md").write_text(
        "| Instance | Days | Staff | Shift types | Best known |\n"
        "| --- | --- | --- | --- | --- |\n"
        f"| Instance1 | 7 | 2 | 2 | {TINY_OPTIMUM} |\n",
        encoding="utf-8",
    )
    return tmp_path


def test_the_runner_solves_with_the_product_engine_and_compares_with_the_best_known(
    tiny_folder,
):
    heard = []
    (rec,) = run_instances(tiny_folder, [1], time_limit=30, workers=1, on_record=heard.append)
    assert heard == [rec]
    assert (rec.instance, rec.best_known, rec.objective) == ("Instance1", 207, TINY_OPTIMUM)
    assert rec.gap == 0.0 and rec.as_dict()["gap"] == 0.0
    assert rec.bound is None or rec.bound <= rec.objective
    assert rec.status in ("OPTIMAL", "FEASIBLE") and rec.time_limit == 30


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
@pytest.mark.parametrize(("n", "optimum"), [(2, 828), (3, 1001)])
def test_small_instances_are_solved_and_proven_at_their_optimum(n, optimum):
    """The engine stops as soon as its bound meets its roster; the time limit
    is only a ceiling, generous so that a loaded machine does not fail it."""
    (rec,) = run_instances(BENCH, [n], time_limit=180, workers=2)
    assert (rec.objective, rec.bound, rec.status, rec.best_known) == (
        optimum,
        optimum,
        "OPTIMAL",
        optimum,
    )


# ------------------------------------------------- the command


def test_cli_json_has_the_documented_keys(tiny_folder):
    args = ["bench", "curtois", "--instances", "1", "--time-limit", "30", "--workers", "1"]
    res = CliRunner().invoke(app, [*args, "--dir", str(tiny_folder), "--json"])
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.stdout)
    assert set(row) == {"instance", "best_known", "objective", "bound", "seconds", "status",
                        "time_limit", "total_seconds", "gap"}  # fmt: skip
    assert (row["instance"], row["objective"], row["gap"]) == ("Instance1", TINY_OPTIMUM, 0.0)


def test_cli_bad_selection_exits_2():
    res = CliRunner().invoke(app, ["bench", "curtois", "--instances", "30"])
    assert res.exit_code == 2 and "--instances: instances are numbered 1–24, got '30'" in res.output


def test_cli_missing_instance_file_exits_2_naming_it(tiny_folder):
    res = CliRunner().invoke(
        app, ["bench", "curtois", "--instances", "1-2", "--dir", str(tiny_folder)]
    )
    assert res.exit_code == 2 and "no file for instance(s) 2" in res.output


def test_cli_malformed_instance_exits_2_naming_file_and_line(tiny_folder):
    path = tiny_folder / "Instance1.txt"
    path.write_text(path.read_text().replace("A,4,N,3", "A,4,X,3"), encoding="utf-8")
    res = CliRunner().invoke(
        app, ["bench", "curtois", "--instances", "1", "--dir", str(tiny_folder)]
    )
    assert (
        res.exit_code == 2 and "Instance1.txt:" in res.output and "bad shift ID 'X'" in res.output
    )


def test_cli_has_no_engine_option_left():
    res = CliRunner().invoke(app, ["bench", "curtois", "--instances", "1", "--engine", "own"])
    assert res.exit_code == 2 and "--engine" in res.output
