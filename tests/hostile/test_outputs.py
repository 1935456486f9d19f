"""What `solve -o`, `cost` and `export` write, and what they never touch (issue #24
items 1, 2 and 5; docs/safety.md)."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from optimizer import files
from optimizer.pipeline import OUTPUT_FILES, RunOutput, prepare, run, write_outputs
from optimizer.scenario.load import load_scenario
from optimizer.solve.stop import StopCriteria
from tests.hostile.conftest import FAST, REPO, sr

SOLVE_FILES = {"roster.csv", "coverage.csv", "summary.json"}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _hidden_leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*"))


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> RunOutput:
    """One short solve of tiny.yaml, in process."""
    folder = tmp_path_factory.mktemp("tiny")
    for name in ("tiny.yaml", "tiny-demand.csv"):
        shutil.copy(REPO / "scenarios" / name, folder / name)
    prep = prepare(load_scenario(folder / "tiny.yaml"))
    return run(prep, StopCriteria(time_limit=2.0, workers=1))


# ---------------------------------------------------------------- nothing of the user's is lost


def test_solve_into_a_folder_keeps_every_file_it_did_not_write(scenario: Path) -> None:
    out = scenario.parent.parent / "out"
    (out / "cost").mkdir(parents=True)
    (out / "notes.txt").write_text("my notes")
    (out / "tiny-shifts.csv").write_text("an export")
    (out / "cost" / "mine.txt").write_text("finance notes")

    res = sr("solve", scenario, "-o", out, *FAST)

    assert res.returncode == 0, res.stderr
    assert (out / "notes.txt").read_text() == "my notes"
    assert (out / "tiny-shifts.csv").read_text() == "an export"
    assert (out / "cost" / "mine.txt").read_text() == "finance notes"
    assert {p.name for p in out.iterdir()} >= SOLVE_FILES
    assert _hidden_leftovers(out) == []

    # cost into the roster's own folder: roster.csv stays
    roster = (out / "roster.csv").read_bytes()
    res = sr("cost", scenario, out, "-o", out)
    assert res.returncode == 0, res.stderr
    assert (out / "roster.csv").read_bytes() == roster
    assert (out / "cost.xlsx").is_file()
    # cost into OUTDIR/cost: the user's file there stays
    res = sr("cost", scenario, out)
    assert res.returncode == 0, res.stderr
    assert (out / "cost" / "mine.txt").read_text() == "finance notes"
    assert (out / "cost" / "cost.xlsx").is_file()
    assert _hidden_leftovers(out) == []


def test_solve_refuses_the_scenario_folder_and_deletes_nothing(scenario: Path) -> None:
    before = sorted(p.name for p in scenario.parent.iterdir())

    res = sr("solve", scenario, "-o", scenario.parent, *FAST)

    assert res.returncode == 2
    assert "refused" in res.stderr and "tiny.yaml" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in scenario.parent.iterdir()) == before


def test_solve_refuses_dot_when_the_scenario_lives_there(scenario: Path) -> None:
    before = sorted(p.name for p in scenario.parent.iterdir())

    res = sr("solve", "tiny.yaml", "-o", ".", *FAST, cwd=scenario.parent)

    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert sorted(p.name for p in scenario.parent.iterdir()) == before  # no temporary folder


def test_solve_refuses_an_existing_file_as_its_folder(scenario: Path) -> None:
    target = scenario.parent.parent / "notes.txt"
    target.write_text("my notes")

    res = sr("solve", scenario, "-o", target, *FAST)

    assert res.returncode == 2
    assert target.is_file() and target.read_text() == "my notes"


def test_export_refuses_to_overwrite_the_scenario(scenario: Path, solved: RunOutput) -> None:
    out = scenario.parent.parent / "out"
    write_outputs(out, solved)
    yaml = scenario.read_bytes()

    res = sr("export", scenario, out, "-f", "csv", "-o", scenario)

    assert res.returncode == 2
    assert scenario.read_bytes() == yaml


# ---------------------------------------------------------------- atomic, never a missing folder


def test_an_error_while_writing_leaves_the_old_files_and_no_temporaries(
    tmp_path: Path, solved: RunOutput, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in OUTPUT_FILES:
        (out / name).write_text(f"old {name}")

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(files, "write_json", broken, raising=False)
    monkeypatch.setattr("optimizer.pipeline.write_json", broken)
    with pytest.raises(OSError, match="disk full"):
        write_outputs(out, solved)

    assert {p.name: p.read_text() for p in out.iterdir()} == {n: f"old {n}" for n in OUTPUT_FILES}


def test_a_crash_between_two_renames_never_leaves_the_folder_missing(
    tmp_path: Path, solved: RunOutput, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    for name in OUTPUT_FILES:
        (out / name).write_text(f"old {name}")
    real_replace, calls = os.replace, []

    def crash_on_second(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process dies here
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(out, solved)

    assert out.is_dir()
    assert (out / "notes.txt").read_text() == "my notes"
    assert {p.name for p in out.iterdir()} == {"notes.txt", *OUTPUT_FILES}
    # summary.json is renamed last: an interrupted write never has a new summary
    assert (out / "summary.json").read_text() == "old summary.json"


def test_a_complete_write_replaces_all_three_files(tmp_path: Path, solved: RunOutput) -> None:
    out = tmp_path / "out"
    write_outputs(out, solved)
    write_outputs(out, solved)

    assert {p.name for p in out.iterdir()} == SOLVE_FILES
    assert json.loads((out / "summary.json").read_text())["status"] == solved.result.status


# ---------------------------------------------------------------- permissions follow the umask


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_output_folders_and_files_follow_the_umask(
    tmp_path: Path, scenario: Path, solved: RunOutput, umask: int
) -> None:
    old = os.umask(umask)
    try:
        write_outputs(tmp_path / "out", solved)
    finally:
        os.umask(old)
    out = tmp_path / "out"
    assert _mode(out) == 0o777 & ~umask
    for name in SOLVE_FILES:
        assert _mode(out / name) == 0o666 & ~umask, name

    res = sr("export", scenario, out, "-f", "csv", umask=umask)
    assert res.returncode == 0, res.stderr
    exported = next(out.glob("*-shifts.csv"))
    assert _mode(exported) == 0o666 & ~umask

    res = sr("cost", scenario, out, umask=umask)
    assert res.returncode == 0, res.stderr
    assert _mode(out / "cost") == 0o777 & ~umask
    assert _mode(out / "cost" / "cost.xlsx") == 0o666 & ~umask
