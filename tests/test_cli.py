"""The command line: outputs, exit codes (2 bad input, 3 infeasible, 1 violations), no tracebacks."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from optimizer.cli import app
from tests import factory

runner = CliRunner()
VOICE = "PT-pt-voice"


def scenario(tmp_path, **changes):
    d = factory.mini(days=7)
    d["demand"] = [
        (VOICE, f"2027-03-0{day + 1}T{h:02d}:00:00Z", 6) for day in range(7) for h in range(8, 20)
    ]
    for a in d["agents"]:
        a["min_hours_week"] = 8
    for k, v in changes.items():
        d[k] = v
    return factory.write(tmp_path / "sc", d)


def test_validate_prints_the_summary(tmp_path):
    res = runner.invoke(app, ["validate", str(scenario(tmp_path))])
    assert res.exit_code == 0, res.output
    assert (
        "LIS" in res.output
        and "PT-pt-voice" in res.output
        and "total contacts: 504.0" in res.output
    )


def test_bad_input_exits_2_without_traceback(tmp_path):
    d = factory.mini()
    d["sites"][0]["timezone"] = "Mars/Olympus"
    path = factory.write(tmp_path / "bad", d)
    for cmd in (
        ["validate", str(path)],
        ["requirements", str(path)],
        ["solve", str(path), "-o", str(tmp_path / "o")],
    ):
        res = runner.invoke(app, cmd)
        assert res.exit_code == 2 and "Traceback" not in res.output
        assert "timezone" in res.output and "Mars/Olympus" in res.output
    assert not (tmp_path / "o").exists()


def test_requirements_writes_the_table(tmp_path):
    out = tmp_path / "req.csv"
    res = runner.invoke(app, ["requirements", str(scenario(tmp_path)), "-o", str(out)])
    assert res.exit_code == 0, res.output
    t = pd.read_csv(out)
    assert list(t.columns) == ["queue", "interval_start_utc", "contacts", "required"]
    assert len(t) == 7 * 24 and "T1" in res.output


def test_solve_then_check(tmp_path):
    path, out = scenario(tmp_path), tmp_path / "out"
    res = runner.invoke(app, ["solve", str(path), "-o", str(out), "--time-limit", "5", "--quiet"])
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text())
    for key in ("status", "objective", "bound", "gap", "solve_seconds", "cost_reporting_currency",
                "under_cover_agent_hours", "service_level_by_tier"):  # fmt: skip
        assert key in summary
    cov = pd.read_csv(out / "coverage.csv")
    assert list(cov.columns) == [
        "queue",
        "interval_start_utc",
        "contacts",
        "required",
        "scheduled",
        "service_level",
    ]
    res = runner.invoke(app, ["check", str(path), str(out)])
    assert res.exit_code == 0, res.output
    assert "no hard-rule violation" in res.output


def test_infeasible_exits_3_and_writes_nothing(tmp_path):
    d = factory.mini(days=7)
    d["agents"][0].update({"min_hours_week": 40, "days_off": "Mon;Tue;Wed"})
    path, out = factory.write(tmp_path / "sc", d), tmp_path / "out"
    res = runner.invoke(app, ["solve", str(path), "-o", str(out), "--time-limit", "5", "--quiet"])
    assert res.exit_code == 3, res.output
    assert "A1" in res.output and "min_hours_week" in res.output
    assert not out.exists()


def test_check_flags_a_hand_edited_roster(tmp_path):
    path, out = scenario(tmp_path), tmp_path / "out"
    assert (
        runner.invoke(
            app, ["solve", str(path), "-o", str(out), "--time-limit", "3", "--quiet"]
        ).exit_code
        == 0
    )
    roster = pd.read_csv(out / "roster.csv")
    roster.loc[roster.index[0], "activity"] = "NO-SUCH-QUEUE"
    roster.to_csv(out / "roster.csv", index=False)
    res = runner.invoke(app, ["check", str(path), str(out)])
    assert res.exit_code == 1 and "known activity" in res.output


def test_check_garbled_roster_exits_2(tmp_path):
    path, out = scenario(tmp_path), tmp_path / "out"
    out.mkdir()
    (out / "roster.csv").write_text(
        "agent_id,site,shift_date,start_utc,end_utc,start_local,end_local,activity\n"
        "A1,LIS,2027-03-01,not-a-time,2027-03-01T10:00:00Z,,,PT-pt-voice\n",
        encoding="utf-8",
    )
    res = runner.invoke(app, ["check", str(path), str(out)])
    assert res.exit_code == 2 and "roster.csv" in res.output and "start_utc" in res.output
    assert "Traceback" not in res.output


def test_bench_passes_runs_both_valuations_from_the_same_roster():
    res = runner.invoke(app, ["bench", "passes", "scenarios/tiny.yaml", "--passes", "2"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines() if x.startswith("{")]
    assert [(x["chains"], x["pass"]) for x in lines] == [
        (False, 1),
        (False, 2),
        (True, 1),
        (True, 2),
    ]
    for runs in (lines[:2], lines[2:]):  # a pass never makes the roster worse
        assert runs[1]["objective"] <= runs[0]["objective"]
