"""A workspace: background solves saved as variants and in the run store,
cancel, failures shown, a broken output folder reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.data import run, workspace
from optimizer.whatif import WhatIf


def test_solve_job_saves_a_variant_in_the_store(store_url, tiny_out):
    ws = workspace.Workspace.open(run.REPO / "scenarios" / "tiny.yaml", [tiny_out])
    assert ws.store is not None and ws.get("baseline") is not None
    job = ws.start_job("busier", WhatIf(volume=0.2), time_limit=2.0, workers=1)
    job.join(60)
    snap = job.snapshot()
    assert snap["status"] == "done", snap["error"]
    v = ws.get("busier")
    assert v is not None and v.overrides == {"volume": "+20%"}
    assert v.prep.requirements.contacts.sum() == pytest.approx(
        1.2 * ws.prepared.requirements.contacts.sum()
    )
    assert [r.name for r in ws.store.list_runs(scenario="tiny")] == ["busier"]
    assert snap["objective"] is not None and len(snap["history"]) >= 1
    again = ws.load_stored(v.run_id)  # back from the store, measured again
    assert again.output.kpis.total_cost == pytest.approx(v.output.kpis.total_cost)


def test_solve_job_cancel_returns_the_best_roster_so_far(monkeypatch, tiny_out):
    monkeypatch.setattr(workspace, "open_store", lambda: (None, "no store in this test"))
    ws = workspace.Workspace.open(run.REPO / "scenarios" / "tiny.yaml", [tiny_out])
    job = ws.start_job("stopped", WhatIf(), time_limit=120.0, workers=1)
    for _ in range(600):
        if job.events or not job.running:
            break
        job.join(0.05)
    job.cancel()
    job.join(60)
    assert job.status == "cancelled"
    assert ws.get("stopped") is not None


def test_a_failing_whatif_is_reported_not_raised(monkeypatch, tiny_out):
    monkeypatch.setattr(workspace, "open_store", lambda: (None, "no store in this test"))
    ws = workspace.Workspace.open(run.REPO / "scenarios" / "tiny.yaml", [tiny_out])
    job = ws.start_job("bad", WhatIf.from_pairs({"hire.NOPE.pt": 2}), time_limit=2.0)
    job.join(30)
    assert job.status == "failed" and "NOPE" in job.error
    assert ws.get("bad") is None


def test_an_unreadable_output_folder_is_reported_not_raised(tmp_path: Path, two_sites_path):
    out = tmp_path / "out" / "mini"
    out.mkdir(parents=True)
    (out / "summary.json").write_text('{"scenario": "mini", "status": "FEASIBLE"}')
    (out / "roster.csv").write_text(
        "agent_id,site,shift_date,start_utc,end_utc,activity\n"
        "GHOST,LIS,2027-03-01,2027-03-01T08:00:00Z,2027-03-01T12:00:00Z,PT-pt-voice\n"
    )
    ws = workspace.Workspace.open(two_sites_path, [tmp_path / "out"])
    assert ws.names() == []
    assert "roster.csv" in ws.load_error and "'GHOST' is not an agent" in ws.load_error


def test_the_newest_solve_is_the_baseline_measured_again(hand_out: Path, two_sites_path):
    ws = workspace.Workspace.open(two_sites_path, [hand_out])
    base = ws.get("baseline")
    assert base is not None and ws.run_dir == hand_out / "mini"
    assert base.output.kpis.total_cost == pytest.approx(80 + 60 + 21.6)
    assert (base.output.result.gap, base.output.result.bound_method) == (0.1, "hand")


def test_without_a_store_the_workspace_says_why(monkeypatch, hand_out: Path, two_sites_path):
    monkeypatch.setenv("SUNROSTER_DB_URL", ":memory:")
    ws = workspace.Workspace.open(two_sites_path, [hand_out])
    assert ws.store is None and ws.store_note.startswith("The run store does not open: ")
    assert ws.stored_runs().empty
