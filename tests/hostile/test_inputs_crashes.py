"""Inputs that used to end in a traceback end in exit 2 with the file, row or
line, and field (issue #24 item 9): an empty or ragged roster.csv, dates far
outside any plan, a leave range over millennia, and one bad value that used
to be reported again by everything naming it."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.scenario.errors import ScenarioError
from optimizer.scenario.load import load_scenario
from tests.hostile.conftest import REPO

runner = CliRunner()
HEADER = "agent_id,site,shift_date,start_utc,end_utc,start_local,end_local,activity\n"
ROW = (
    "T01,LIS,2027-03-01,2027-03-01T08:00:00Z,2027-03-01T12:00:00Z,"
    "2027-03-01T08:00:00+00:00,2027-03-01T12:00:00+00:00,PT-pt-voice\n"
)


def _tiny(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    """A copy of tiny.yaml and its demand, each (old, new) replaced once."""
    folder = tmp_path / "sc"
    folder.mkdir()
    shutil.copy(REPO / "scenarios" / "tiny-demand.csv", folder / "tiny-demand.csv")
    text = (REPO / "scenarios" / "tiny.yaml").read_text()
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    (folder / "tiny.yaml").write_text(text)
    return folder / "tiny.yaml"


def _run(*args: str | Path) -> tuple[int, str]:
    res = runner.invoke(app, [str(a) for a in args])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "Traceback" not in res.output
    return res.exit_code, res.output


def _issues(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    return [str(i) for i in exc.value.issues]


# ---------------------------------------------------------------- roster.csv


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("command", ["check", "export", "cost"])
def test_an_empty_roster_exits_2_and_writes_nothing(tmp_path: Path, out: Path, command: str):
    sc = _tiny(tmp_path)
    (out / "roster.csv").write_text("")
    code, text = _run(command, sc, out)
    assert code == 2, text
    assert f"{out / 'roster.csv'}: file is empty (expected a header row)" in text
    assert [p.name for p in out.iterdir()] == ["roster.csv"]


def test_a_roster_row_with_missing_or_extra_fields_is_reported_by_row_and_field(
    tmp_path: Path, out: Path
) -> None:
    short = ",".join(ROW.split(",")[:5]) + "\n"  # 5 of 8 fields
    long = ROW.rstrip("\n") + ",x,y\n"
    empty = ROW.replace(",PT-pt-voice", ",")
    (out / "roster.csv").write_text(HEADER + ROW + short + long + empty)
    code, text = _run("check", _tiny(tmp_path), out)
    assert code == 2, text
    roster = out / "roster.csv"
    assert (
        f"{roster}, row 2 (line 3), field 'start_local': expected 8 fields, found 5 "
        "(start_local, end_local, activity missing)"
    ) in text
    assert f"{roster}, row 3 (line 4): expected 8 fields, found 10" in text
    assert f"{roster}, row 4 (line 5), field 'activity': the field is empty" in text
    assert "unknown activity" not in text


def test_a_roster_in_a_far_year_is_reported(tmp_path: Path, out: Path) -> None:
    far = ROW.replace("2027-03-01T", "2300-03-01T")
    (out / "roster.csv").write_text(HEADER + far)
    code, text = _run("check", _tiny(tmp_path), out)
    assert code == 2, text
    assert f"{out / 'roster.csv'}, row 1 (line 2), field 'start_utc': " in text
    assert "outside the supported years 1970-2199" in text


# ---------------------------------------------------------------- dates


def test_a_demand_timestamp_in_2300_exits_2(tmp_path: Path) -> None:
    sc = _tiny(tmp_path)
    demand = sc.parent / "tiny-demand.csv"
    rows = demand.read_text().splitlines()
    rows[3] = "PT-pt-voice,2300-03-01T00:00:00Z,1"
    demand.write_text("\n".join(rows) + "\n")
    code, text = _run("validate", sc)
    assert code == 2, text
    assert (
        f"{demand}, row 3 (line 4), field 'interval_start': '2300-03-01T00:00:00Z' is "
        "outside the supported years 1970-2199"
    ) in text


def test_a_horizon_in_the_year_9999_exits_2(tmp_path: Path) -> None:
    sc = _tiny(tmp_path, ("start: '2027-03-01'", "start: 9999-12-25"))
    for command in ("validate", "requirements"):
        code, text = _run(command, sc)
        assert code == 2, text
        assert "line 5 (horizon.start), field 'start': 9999-12-25 is outside" in text


def test_leave_is_clipped_to_the_horizon(tmp_path: Path) -> None:
    # T05's leave over eight millennia: only the horizon's 7 days are kept
    sc = _tiny(
        tmp_path,
        ("2027-03-03..2027-03-04", "0001-01-01..9999-12-31;2026-01-01;2027-03-02;2030-01-01"),
    )
    s = load_scenario(sc)
    week = [dt.date(2027, 3, 1) + dt.timedelta(days=k) for k in range(7)]
    assert s.agent_by_id["T05"].leave == tuple(week)
    assert s.agent_by_id["T01"].leave == ()


def test_a_leave_range_still_has_to_be_a_range(tmp_path: Path) -> None:
    sc = _tiny(tmp_path, ("2027-03-03..2027-03-04", "2027-03-04..2027-03-03"))
    issues = _issues(sc)
    assert len(issues) == 1 and "field 'leave'" in issues[0]
    assert "ends before it starts" in issues[0]


# ---------------------------------------------------------------- one cause, one issue


def test_a_bad_site_is_reported_once_not_by_every_agent_and_market(tmp_path: Path) -> None:
    sc = _tiny(tmp_path, ("timezone: \n    Europe/Lisbon,", "timezone: Mars/Olympus,"))
    issues = _issues(sc)
    assert len(issues) == 1, issues
    assert "(sites[0].timezone), field 'timezone': 'Mars/Olympus'" in issues[0]


def test_a_bad_market_is_not_reported_again_by_its_queues(tmp_path: Path) -> None:
    sc = _tiny(tmp_path, ("timezone: Europe/Madrid", "timezone: Europe/Atlantis"))
    issues = _issues(sc)
    assert len(issues) == 1, issues
    assert "(markets[1].timezone)" in issues[0]


def test_an_unknown_site_is_reported_once_with_the_agents_naming_it(tmp_path: Path) -> None:
    sc = _tiny(tmp_path)
    sc.write_text(re.sub(r"site: LIS,", "site: LSB,", sc.read_text()))
    issues = _issues(sc)
    assert len(issues) == 1, issues
    assert "(agents[0]), field 'site': unknown site 'LSB'" in issues[0]
    assert "7 more agent(s) name it: T02, T03, T04, T05, T06 …" in issues[0]
