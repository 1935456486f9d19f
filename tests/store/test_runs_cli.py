"""`sunroster runs …` and `solve` recording into the store, through Typer's runner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.store import RunStore
from tests.store.helpers import hand_run, mini_scenario_path

runner = CliRunner()


def _store_with_two_runs(tmp_path):
    db = tmp_path / "runs.sqlite"
    with RunStore(db) as st:
        out = hand_run(tmp_path / "sc")
        a = st.save(out, overrides={"volume": "+10%"})
        b = st.save(hand_run(tmp_path / "sc2", objective=200.0))
    return db, a, b


def test_runs_list_json_prints_the_records(tmp_path):
    db, a, b = _store_with_two_runs(tmp_path)
    res = runner.invoke(app, ["runs", "list", "--json", "--store", str(db)])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["id"] for r in rows] == [b, a]
    need = {
        "id",
        "scenario",
        "overrides",
        "status",
        "objective",
        "gap",
        "cost_reporting_currency",
        "created_at",
    }
    assert need <= set(rows[0])
    assert rows[1]["overrides"] == {"volume": "+10%"} and rows[1]["objective"] == 170.0
    assert rows[0]["cost_reporting_currency"] == 70.0 and rows[0]["scenario"] == "mini"


def test_runs_show_compare_delete(tmp_path):
    db, a, b = _store_with_two_runs(tmp_path)
    res = runner.invoke(app, ["runs", "show", str(a), "--store", str(db), "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["roster_rows"] == 3
    res = runner.invoke(app, ["runs", "compare", str(a), str(b), "--store", str(db), "--json"])
    assert res.exit_code == 0, res.output
    rows = {r["metric"]: r for r in json.loads(res.stdout)}
    assert (
        rows["objective"][f"Δ #{b}"] == 30.0 and rows["cost (reporting currency)"][f"Δ #{b}"] == 0.0
    )
    res = runner.invoke(app, ["runs", "delete", str(a), "--store", str(db)])
    assert res.exit_code == 0
    res = runner.invoke(app, ["runs", "show", str(a), "--store", str(db)])
    assert res.exit_code == 2 and f"no run {a}" in res.output and "Traceback" not in res.output


def test_solve_records_the_run_unless_told_not_to(tmp_path):
    db = tmp_path / "runs.sqlite"
    path = mini_scenario_path(tmp_path / "sc")
    args = ["solve", str(path), "-o", str(tmp_path / "o"), "--time-limit", "2", "--workers", "1"]
    res = runner.invoke(app, [*args, "--store", str(db), "--seed", "4"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, [*args, "--store", str(db), "--no-store"])
    assert res.exit_code == 0, res.output
    with RunStore(db) as st:
        [rec] = st.list_runs()
        stored = st.get(rec.id)
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert rec.scenario == "mini" and rec.params["seed"] == 4 and rec.params["time_limit"] == 2.0
    assert stored.summary["cost_reporting_currency"] == summary["cost_reporting_currency"]
