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


def test_runs_compare_shows_the_quality_kpis_side_by_side(tmp_path):
    """The hand run: one Monday shift 08–16 with a break inside one voice
    stretch (420 min) — no queue change, no short stretch, all in daytime; the
    horizon's first date is never isolated (the day before is unknown)."""
    db, a, b = _store_with_two_runs(tmp_path)
    res = runner.invoke(app, ["runs", "compare", str(a), str(b), "--store", str(db), "--json"])
    rows = {r["metric"]: r for r in json.loads(res.stdout)}
    q = "quality: "
    assert rows[q + "queue changes per shift (mean)"][f"#{a}"] == 0.0
    assert rows[q + "stretches under 60 min"][f"#{b}"] == 0.0
    assert rows[q + "agent-hours in local daytime"][f"Δ #{b}"] == 0.0
    assert rows[q + "isolated working days"][f"#{a}"] == 0.0
    assert rows[q + "start moves ≥ 2 h (consecutive days)"][f"#{a}"] is None  # no pair of days
    res = runner.invoke(app, ["runs", "compare", str(a), str(b), "--store", str(db)])
    line = next(x for x in res.stdout.splitlines() if "local daytime" in x)
    assert "100.00 %" in line and "+0.00 pp" in line


def test_compare_reads_runs_stored_before_the_quality_kpis():
    from optimizer.store.compare import compare_frame, is_share

    frame = compare_frame(
        [(1, {"objective": 10.0}), (2, {"objective": 12.0, "quality": {"night_shift_share": 0.25}})]
    )
    row = frame.loc["quality: night shifts (≥ 3 h in the night window)"]
    assert row.isna()["#1"] and row["#2"] == 0.25
    assert is_share("quality: isolated working days") and not is_share(
        "quality: longest run of nights"
    )
