"""The command line: outputs, exit codes (2 bad input, 3 infeasible, 1 violations), no tracebacks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

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


# ---------------------------------------------------------------- conventions (issue #25 item 5)


def test_version_names_the_release_and_what_a_roster_depends_on():
    from importlib.metadata import version

    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0
    assert res.stdout.startswith(f"sunroster {version('sunroster')} (Python ")
    for dist in ("ortools", "holidays", "tzdata"):
        assert f"{dist} {version(dist)}" in res.stdout


def test_shell_completion_is_offered(monkeypatch):
    # the shell named, not detected from the processes above the test (typer's own switch)
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    res = runner.invoke(app, ["--show-completion", "bash"])
    assert res.exit_code == 0, (res.output, res.exception)
    assert "_SUNROSTER_COMPLETE=complete_bash" in res.stdout


def test_span_text_writes_lengths_of_time_as_people_do():
    from optimizer.cli.scenario_cmds import span_text

    assert span_text(28 * 1440 + 17 * 60) == "28 days 17 h"
    assert span_text(1440) == "1 day"
    assert span_text(7 * 60 + 30) == "7 h 30 min"
    assert span_text(0) == "0 min"


def test_requirements_to_stdout_json_and_no_raw_time_spans(tmp_path):
    path = scenario(tmp_path)
    to_file = runner.invoke(app, ["requirements", str(path), "-o", str(tmp_path / "r.csv")])
    to_stdout = runner.invoke(app, ["requirements", str(path), "-o", "-"])
    assert to_file.exit_code == to_stdout.exit_code == 0
    assert to_stdout.stdout == (tmp_path / "r.csv").read_text()  # the CSV alone on stdout
    assert "Agent-hours required" in to_stdout.stderr and not (tmp_path / "-").exists()
    # 7 days of 24 one-hour intervals, 6 calls of 6 min an hour from 08:00 to 20:00
    assert "over 7 days (the UTC grid)" in to_file.stdout
    assert not re.search(r"\d:\d\d:\d\d", to_file.stdout)
    res = runner.invoke(app, ["requirements", str(path), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["intervals"] == 7 * 24 and doc["grid_hours"] == 7 * 24
    rows = {(r["tier"], r["market"]): r["agent_hours"] for r in doc["agent_hours"]}
    assert rows[("T1", "(all)")] == rows[("T1", "PT")] == doc["total_agent_hours"]
    both = runner.invoke(app, ["requirements", str(path), "-o", "-", "--json"])
    assert both.exit_code == 2 and "standard output" in both.stderr


def test_validate_json_holds_what_the_tables_show(tmp_path):
    res = runner.invoke(app, ["validate", str(scenario(tmp_path)), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["ok"] and doc["scenario"] == "mini" and doc["total_contacts"] == 504.0
    assert [s["site"] for s in doc["sites"]] == ["LIS"] and doc["sites"][0]["agents"] == 3
    assert doc["grid"]["intervals"] == 7 * 24 and doc["queues"][0]["queue"] == VOICE


def test_solve_json_is_summary_json_with_the_files(tmp_path):
    path, out = scenario(tmp_path), tmp_path / "out"
    res = runner.invoke(
        app, ["solve", str(path), "-o", str(out), "--time-limit", "3", "--no-store", "--json"]
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    summary = json.loads((out / "summary.json").read_text())
    assert {k: doc[k] for k in summary} == summary
    assert doc["run_id"] is None and doc["files"][0] == str(out / "roster.csv")
    res = runner.invoke(app, ["cost", str(path), str(out), "--json"])
    assert res.exit_code == 0, res.output
    cost = json.loads(res.stdout)
    by_site_week = cost["tables"]["cost_by_site_week_premium"]
    total = sum(r["cost_reporting"] for r in by_site_week)
    assert cost["currency"] == "EUR" and cost["total_reporting_currency"] == round(total, 2)
    assert all(Path(f).is_file() for f in cost["files"]) and cost["files"]


# ---------------------------------------------------------------- hire: exit codes and advice


def test_hire_bad_arguments_exit_2(tmp_path):
    path = scenario(tmp_path)
    for args, says in ((["--sites", "NOPE"], "no site 'NOPE'"), (["--languages", "xx"], "'xx'")):
        res = runner.invoke(
            app, ["hire", str(path), *args, "--no-store", "--time-limit", "2", "--workers", "1"]
        )
        assert res.exit_code == 2 and says in res.stderr and "Traceback" not in res.output


def test_hire_without_any_reachable_cell_exits_1_saying_why(tmp_path):
    """Chats come in, and the only site's agents take calls alone: a hire there
    works its agents' channels, so no hire anywhere could take a chat."""
    d = factory.mini(days=1)
    chat = "PT-pt-chat"
    d["queues"].append({**d["queues"][0], "id": chat, "channel": "chat"})
    d["demand"] = [(chat, f"2027-03-01T{h:02d}:00:00Z", 6) for h in (9, 10, 11)]
    path = factory.write(tmp_path / "sc", d)
    args = ["hire", str(path), "--no-store", "--time-limit", "2", "--workers", "1"]
    res = runner.invoke(app, args)
    assert res.exit_code == 1, res.output
    assert "no site may serve the queue" in res.stderr
    assert "PT-pt-chat at 2027-03-01T09:00:00Z and 2 other cell(s)" in res.stderr
    assert not re.search(r"[{}]|\('", res.output)  # no Python dict or tuple printed
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 1 and json.loads(res.stdout)["meets_every_sla"] is False


# ---------------------------------------------------------------- extras (issue #25 item 6)


def _without(monkeypatch, *modules):
    """Pretend `modules` are not installed (as in a core-only install)."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        "optimizer.cli.extras.importlib.util.find_spec",
        lambda name, *a: None if name in modules else real(name, *a),
    )


def test_a_command_needing_a_missing_extra_says_which_and_exits_2(tmp_path, monkeypatch):
    _without(monkeypatch, "sqlalchemy")
    res = runner.invoke(app, ["runs", "list", "--store", str(tmp_path / "r.sqlite")])
    assert res.exit_code == 2 and "[store] extra" in res.stderr and "pip install" in res.stderr
    assert not (tmp_path / "r.sqlite").exists()
    path = scenario(tmp_path)
    res = runner.invoke(app, ["sweep", str(path), "--vary", "volume=+10%", "--sequential"])
    assert res.exit_code == 2 and "[store] extra" in res.stderr
    monkeypatch.undo()
    _without(monkeypatch, "ray")
    res = runner.invoke(app, ["sweep", str(path), "--vary", "volume=+10%"])
    assert res.exit_code == 2 and "[sweep] extra" in res.stderr and "--sequential" in res.stderr


def test_solve_without_the_store_extra(tmp_path, monkeypatch):
    """The default store is skipped with a note; a store asked for is bad input."""
    _without(monkeypatch, "sqlalchemy", "alembic")
    monkeypatch.delenv("SUNROSTER_DB_URL", raising=False)  # the default store, not the tests'
    path, out = scenario(tmp_path), tmp_path / "out"
    asked = runner.invoke(
        app, ["solve", str(path), "-o", str(out), "--store", str(tmp_path / "r.sqlite")]
    )
    assert asked.exit_code == 2 and "[store] extra" in asked.stderr and not out.exists()
    res = runner.invoke(app, ["solve", str(path), "-o", str(out), "--time-limit", "2", "--quiet"])
    assert res.exit_code == 0, res.output
    assert "the run is not recorded" in res.stderr and (out / "summary.json").exists()


def test_the_cli_core_imports_no_extra():
    code = (
        "import sys, optimizer.cli, optimizer.store, optimizer.sweep.runner, optimizer.sweep.frontier;"
        "print(' '.join(m for m in ('sqlalchemy', 'alembic', 'psycopg', 'ray', 'plotly',"
        " 'kaleido', 'streamlit') if m in sys.modules))"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == ""
