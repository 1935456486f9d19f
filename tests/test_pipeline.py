"""pipeline.read_outputs is the inverse of write_outputs: a hand-made roster
of `factory.mini()` written and read back is the same run, measured the same
way; a broken folder is one ScenarioError naming file, row and field."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from optimizer.pipeline import Prepared, RunOutput, evaluate, prepare, read_outputs, write_outputs
from optimizer.roster import BREAK, Roster
from optimizer.scenario.errors import ScenarioError
from optimizer.scenario.load import load_scenario
from optimizer.solve.result import SolveResult
from optimizer.timegrid import to_epoch_minutes
from tests import factory

Q = "PT-pt-voice"


def at(text: str) -> int:
    return to_epoch_minutes(dt.datetime.fromisoformat(text))


@pytest.fixture(scope="module")
def prep(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    d = factory.mini()
    d["demand"] = [(Q, f"2027-03-01T{h:02d}:00:00Z", 2) for h in range(8, 17)]
    return prepare(load_scenario(factory.write(tmp_path_factory.mktemp("mini"), d)))


def hand_run(prep: Prepared) -> RunOutput:
    """A1 Mon 08–17 UTC with a 12–13 break, A2 Sat 08–12 (Lisbon is UTC+0)."""
    day, sat = dt.date(2027, 3, 1), dt.date(2027, 3, 6)
    roster = Roster.from_segments([
        {"agent_id": "A1", "site": "LIS", "shift_date": day, "start": at("2027-03-01T08:00+00:00"),
         "end": at("2027-03-01T12:00+00:00"), "activity": Q},
        {"agent_id": "A1", "site": "LIS", "shift_date": day, "start": at("2027-03-01T12:00+00:00"),
         "end": at("2027-03-01T13:00+00:00"), "activity": BREAK},
        {"agent_id": "A1", "site": "LIS", "shift_date": day, "start": at("2027-03-01T13:00+00:00"),
         "end": at("2027-03-01T17:00+00:00"), "activity": Q},
        {"agent_id": "A2", "site": "LIS", "shift_date": sat, "start": at("2027-03-06T08:00+00:00"),
         "end": at("2027-03-06T12:00+00:00"), "activity": Q},
    ])  # fmt: skip
    result = SolveResult(
        "FEASIBLE", roster, objective=1234.5, bound=1000.0, gap=0.19, bound_method="lp",
        solve_seconds=2.5, first_feasible_seconds=0.25, terms={"cost": 140.0, "under_cover": 1094.5},
        switches=0, stats={"passes": 3},
    )  # fmt: skip
    return evaluate(prep, result)


def test_round_trip_gives_the_same_run(prep: Prepared, tmp_path: Path):
    out = hand_run(prep)
    write_outputs(tmp_path / "run", out)
    back = read_outputs(tmp_path / "run", prep)
    pd.testing.assert_frame_equal(back.roster.segments, out.roster.segments)
    assert back.summary() == out.summary()
    pd.testing.assert_frame_equal(back.coverage, out.coverage)
    assert back.kpis.total_cost == pytest.approx(80 + 60)  # 8 paid h × 10 + 4 h × 10 × 1.5


def test_round_trip_reads_the_scenario_or_its_prepared_tables(prep: Prepared, tmp_path: Path):
    write_outputs(tmp_path, hand_run(prep))
    again = read_outputs(tmp_path, prep.scenario)
    assert again.summary() == read_outputs(tmp_path, prep).summary()


def test_an_empty_roster_round_trips(prep: Prepared, tmp_path: Path):
    out = evaluate(prep, SolveResult("UNKNOWN", Roster.empty()))
    write_outputs(tmp_path, out)
    back = read_outputs(tmp_path, prep)
    assert back.roster.segments.empty and back.summary() == out.summary()


def _issues(exc: pytest.ExceptionInfo[ScenarioError]) -> list[tuple[str, str, str]]:
    return [(Path(i.file).name, i.where, i.field) for i in exc.value.issues]


def test_another_scenarios_run_is_refused_by_name(prep: Prepared, tmp_path: Path):
    write_outputs(tmp_path, hand_run(prep))
    s = json.loads((tmp_path / "summary.json").read_text())
    (tmp_path / "summary.json").write_text(json.dumps({**s, "scenario": "other"}))
    with pytest.raises(ScenarioError, match="'other' is not this scenario") as exc:
        read_outputs(tmp_path, prep)
    assert _issues(exc) == [("summary.json", "", "scenario")]


def test_every_problem_of_both_files_in_one_error(prep: Prepared, tmp_path: Path):
    write_outputs(tmp_path, hand_run(prep))
    s = json.loads((tmp_path / "summary.json").read_text())
    (tmp_path / "summary.json").write_text(json.dumps({**s, "gap": "small"}))
    lines = (tmp_path / "roster.csv").read_text().splitlines()
    lines[2] = lines[2].replace("2027-03-01T12:00:00Z", "noon", 1)
    (tmp_path / "roster.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(ScenarioError) as exc:
        read_outputs(tmp_path, prep)
    assert sorted(_issues(exc)) == [
        ("roster.csv", "row 2 (line 3)", "start_utc"),
        ("summary.json", "", "gap"),
    ]


@pytest.mark.parametrize(
    ("content", "where", "message"),
    [
        (None, "", "file not found"),
        ('{"scenario": "mini",', "line 1", "not JSON"),
        ("[1, 2]", "", "expected a JSON object"),
    ],
)
def test_an_unreadable_summary_is_named(prep, tmp_path: Path, content, where, message):
    write_outputs(tmp_path, hand_run(prep))
    if content is None:
        (tmp_path / "summary.json").unlink()
    else:
        (tmp_path / "summary.json").write_text(content)
    with pytest.raises(ScenarioError, match=message) as exc:
        read_outputs(tmp_path, prep)
    assert _issues(exc) == [("summary.json", where, "")]


def test_a_roster_naming_an_agent_or_site_the_scenario_lacks_is_refused(prep, tmp_path: Path):
    write_outputs(tmp_path, hand_run(prep))
    text = (tmp_path / "roster.csv").read_text()
    (tmp_path / "roster.csv").write_text(text.replace("A2,LIS", "GHOST,MNL"))
    with pytest.raises(ScenarioError) as exc:
        read_outputs(tmp_path, prep)
    assert _issues(exc) == [
        ("roster.csv", "1 segment(s) from 2027-03-06T08:00:00Z", "agent_id"),
        ("roster.csv", "1 segment(s) from 2027-03-06T08:00:00Z", "site"),
    ]
    assert "'GHOST' is not an agent of scenario 'mini'" in str(exc.value)
