"""dashboard/data.py on a hand-made roster whose numbers are worked out by hand.

The scenario (conftest.two_sites): Lisbon (UTC+0 in early March, 10 EUR/h) and
Manila (UTC+8, 300 PHP/h, 1 PHP = 0.016 EUR); premiums night 22–06 ×1.25,
weekend ×1.5; one PT voice queue (AHT 360 s, SLA 80 % in 20 s, no shrinkage,
occupancy 1) with one contact an hour at 08, 09, 10, 11, 12 and 17 UTC on
Mon 1 March. One contact an hour is 0.1 Erlang: one agent is required, and
one agent answers 1 − 0.1·e^(−0.9·20/360) = 0.904877 within 20 s.

The roster: A1 Mon 08–17 UTC with a 12–13 break (8 paid h, 80 EUR); A2 Sat
08–12 (4 h at the weekend premium: 60 EUR); A3 in Manila Tue 20–24 local
(2 h plain + 2 h night: 300·2 + 375·2 = 1,350 PHP = 21.60 EUR).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard import data
from optimizer.roster import Roster
from optimizer.whatif import WhatIf
from tests import factory
from tests.dashboard.conftest import Q, hand_roster, utc, variant_of

SL1 = 1 - 0.1 * np.exp(-0.9 * 20 / 360)  # one agent, one contact an hour


def test_headline_totals(hand):
    h = data.headline(hand)
    assert h["cost"] == pytest.approx(80 + 60 + 21.6)
    assert h["paid_hours"] == pytest.approx(16)
    assert h["shifts"] == 3
    # required 1 at 12:00 (A1 on break) and 17:00 (A1 gone): 2 agent-hours short
    assert h["under_cover_hours"] == pytest.approx(2.0)
    assert (h["status"], h["gap"], h["currency"]) == ("FEASIBLE", 0.1, "EUR")


def test_tier_table_service_level_vs_target(hand):
    t = data.tier_table(hand).set_index("tier")
    assert t.loc["T1", "target"] == pytest.approx(0.8)
    # 4 contacts answered at SL1, 2 with nobody there: (4·SL1 + 0 + 0) / 6
    assert t.loc["T1", "service_level"] == pytest.approx(4 * SL1 / 6)
    assert t.loc["T1", "met"] == "no"
    assert t.loc["T1", "under_cover_hours"] == pytest.approx(2.0)


def test_coverage_matrix_gap_per_queue_on_monday(hand):
    m = data.coverage_matrix(
        hand, by="queue", value="gap", start=utc("2027-03-01T08:00+00:00"),
        end=utc("2027-03-01T18:00+00:00"),
    )  # fmt: skip
    assert m.rows == [Q]
    assert m.x[0] == pd.Timestamp("2027-03-01 08:00")
    # 08–11 met, 12 short (break), 13–16 one over (no demand), 17 short
    assert m.z[0].tolist() == [0, 0, 0, 0, -1, 1, 1, 1, 1, -1]


def test_coverage_matrix_by_market_in_local_time(hand):
    m = data.coverage_matrix(
        hand, by="market", value="scheduled", clock="local", market="PT",
        start=utc("2027-03-02T12:00+00:00"), end=utc("2027-03-02T16:00+00:00"),
    )  # fmt: skip
    assert m.rows == ["PT"] and m.clock == "Europe/Lisbon"
    assert m.z.tolist() == [[1, 1, 1, 1]]  # A3 from Manila serves PT 12–16 UTC


def test_gap_runs_largest_first(hand):
    g = data.gap_runs(hand)
    assert g["start"].tolist() == [
        pd.Timestamp("2027-03-01 12:00"),
        pd.Timestamp("2027-03-01 17:00"),
    ]
    assert g["agent_hours_short"].tolist() == [1.0, 1.0]
    assert g["intervals"].tolist() == [1, 1]


def test_service_level_over_time_per_day(hand):
    d = data.service_level_over_time(hand, by="tier", freq="D")
    assert len(d) == 1
    row = d.iloc[0]
    assert row["period"] == pd.Timestamp("2027-03-01")
    assert row["service_level"] == pytest.approx(4 * SL1 / 6)
    assert row["target"] == pytest.approx(0.8)
    assert row["contacts"] == pytest.approx(6)


def test_follow_the_sun_bars(hand):
    b = data.follow_the_sun(hand, dt.date(2027, 3, 1))
    req = b[b["site"] == "required"]
    assert list(zip(req["start"].dt.hour, req["end"].dt.hour, strict=True)) == [(8, 13), (17, 18)]
    lis = b[b["site"] == "LIS"]
    assert list(zip(lis["start"].dt.hour, lis["end"].dt.hour, strict=True)) == [(8, 12), (13, 17)]
    assert "MNL" not in set(b["site"])
    tue = data.follow_the_sun(hand, dt.date(2027, 3, 2))
    mnl = tue[tue["site"] == "MNL"]
    assert list(zip(mnl["start"].dt.hour, mnl["end"].dt.hour, strict=True)) == [(12, 16)]


def test_site_clocks_follow_daylight_saving(hand):
    c = data.site_clocks(hand.scenario, dt.date(2027, 3, 28))  # EU clocks go forward at 01:00 UTC
    lis = c[c["site"] == "LIS"].set_index(c[c["site"] == "LIS"]["utc"].dt.hour)
    assert lis.loc[0, "local"] == "00:00" and lis.loc[1, "local"] == "02:00"
    mnl = c[c["site"] == "MNL"].set_index(c[c["site"] == "MNL"]["utc"].dt.hour)
    assert mnl.loc[0, "local"] == "08:00" and bool(mnl.loc[0, "daylight"])
    assert not bool(mnl.loc[14, "daylight"])  # 22:00 in Manila


def test_handover_order_east_to_west(hand):
    assert data.handover_order(hand.scenario, dt.date(2027, 3, 1)) == ["MNL", "LIS"]


def test_cost_components_split_base_and_premiums(hand):
    c = hand.cost.set_index(["site", "component"])
    assert c.loc[("LIS", "base"), "cost_site"] == pytest.approx(120)  # 12 h × 10
    assert c.loc[("LIS", "weekend"), "cost_site"] == pytest.approx(20)  # 4 h × 10 × 0.5
    assert c.loc[("LIS", "weekend"), "hours"] == pytest.approx(4)
    assert c.loc[("MNL", "base"), "cost_site"] == pytest.approx(1200)  # 4 h × 300
    assert c.loc[("MNL", "night"), "cost_site"] == pytest.approx(150)  # 2 h × 300 × 0.25
    assert c["cost_site"].groupby(level="component").sum()["overtime"] == pytest.approx(0)


def test_fx_recomputes_without_repricing(hand):
    fx = data.scenario_fx(hand.scenario)
    assert fx == {"EUR": 1.0, "PHP": 0.016}
    by_site = data.cost_by(hand.cost, fx, "site").set_index("site")
    assert by_site.loc["MNL", "cost_reporting"] == pytest.approx(21.6)
    assert by_site.loc["LIS", "hours"] == pytest.approx(12)
    moved = data.cost_by(hand.cost, {**fx, "PHP": 0.02}, "site").set_index("site")
    assert moved.loc["MNL", "cost_reporting"] == pytest.approx(27.0)  # 1,350 PHP × 0.02
    assert moved["cost_reporting"].sum() == pytest.approx(167.0)
    comp = data.cost_by(hand.cost, fx, "component").set_index("component")["cost_reporting"]
    assert comp["base"] == pytest.approx(120 + 1200 * 0.016)
    assert comp.sum() == pytest.approx(hand.output.kpis.total_cost)


def test_gantt_filters(hand):
    seg = hand.segments
    mnl = data.gantt_filter(seg, site="MNL")
    assert mnl["agent_id"].tolist() == ["A3"]
    assert mnl["start_local"].iloc[0] == pd.Timestamp("2027-03-02 20:00")  # Manila wall clock
    assert set(data.gantt_filter(seg, language="es")["agent_id"]) == {"A1"}
    assert set(data.gantt_filter(seg, team="weekend")["agent_id"]) == {"A2"}
    sat = data.gantt_filter(seg, date_from=dt.date(2027, 3, 6), date_to=dt.date(2027, 3, 6))
    assert sat["agent_id"].tolist() == ["A2"]
    a1 = data.gantt_filter(seg, agents=["A1"], queue=Q)
    assert a1["activity"].tolist() == [Q, "BREAK", Q]  # the shift's break comes with it


def test_roster_csv_matches_the_roster_file_format(hand):
    fast = data.roster_csv(hand.scenario, hand.output.roster)
    slow = hand.output.roster.to_frame(hand.scenario).to_csv(index=False)
    assert fast == slow
    assert "2027-03-02T20:00:00+08:00" in fast


def test_whatif_from_form_keeps_only_changes(hand):
    sc = hand.scenario
    wi = data.whatif_from_form(
        sc, volume_pct=10, aht_pct=0, sla={"T1": 0.8}, shrinkage=0.0, fx={"PHP": 0.02},
        outages=[("LIS", dt.date(2027, 3, 2), dt.date(2027, 3, 3))], hires=[("MNL", ["pt"], 0)],
        hours={"T1": "24x7", "T3": "Mon-Fri 09:00-13:00"},
    )  # fmt: skip
    assert wi.to_pairs() == {
        "volume": "+10%",
        "fx.PHP": "0.02",
        "outage.LIS": "2027-03-02..2027-03-03",
        "hours.T3": "Mon-Fri 09:00-13:00",
    }
    assert data.whatif_from_form(sc).is_empty()


def test_compare_kpis_and_cost_deltas(hand, two_sites_prep):
    without_a2 = variant_of(two_sites_prep, hand_roster(with_a2=False), "no A2")
    k = data.compare_kpis([hand, without_a2])
    assert k.loc["cost (EUR)", "Δ no A2"] == pytest.approx(-60)
    assert k.loc["shifts", "Δ no A2"] == -1
    c = data.compare_cost([hand, without_a2], by="site")
    assert c.loc["LIS", "Δ no A2"] == pytest.approx(-60)
    assert c.loc["total", "no A2"] == pytest.approx(101.6)
    d = data.coverage_difference(hand, without_a2, by="market", value="scheduled")
    sat8 = list(d.x).index(pd.Timestamp("2027-03-06 08:00"))
    assert d.z[0, sat8 : sat8 + 4].tolist() == [-1, -1, -1, -1]
    assert np.count_nonzero(d.z) == 4


def test_load_run_dir_measures_the_written_roster(hand, hand_out, two_sites_prep):
    d = data.find_run_dir("mini", [hand_out])
    assert d == hand_out / "mini"
    again = data.load_run_dir(two_sites_prep, d)
    assert again.kpis.total_cost == pytest.approx(161.6)
    assert again.result.gap == pytest.approx(0.1)
    assert data.find_run_dir("other-scenario", [hand_out]) is None


# ------------------------------------------------------------------ upload


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for k, v in entries.items():
            z.writestr(k, v)
    return buf.getvalue()


def test_upload_zip_with_folders_loads(tmp_path: Path):
    src = factory.write(tmp_path / "src", factory.mini())
    blob = _zip({
        "sc/scenario.yaml": src.read_bytes(), "sc/demand.csv": (src.parent / "demand.csv").read_bytes(),
    })  # fmt: skip
    path = data.unpack_upload([("mine.zip", blob)], tmp_path / "up")
    assert path == tmp_path / "up" / "sc" / "scenario.yaml"
    sc, issues, _ = data.validate_scenario(path, tmp_path / "up")
    assert sc is not None and sc.scenario == "mini" and issues.empty


def test_upload_refuses_unsafe_names_and_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with pytest.raises(data.UploadError, match="unsafe path"):
        data.unpack_upload([("evil.zip", _zip({"../../etc/x.yaml": b"a: 1"}))], tmp_path / "a")
    monkeypatch.setattr(data, "MAX_UPLOAD_BYTES", 10)
    with pytest.raises(data.UploadError, match="limit"):
        data.unpack_upload([("s.yaml", b"x" * 11)], tmp_path / "b")
    monkeypatch.setattr(data, "MAX_UPLOAD_BYTES", 10_000)
    with pytest.raises(data.UploadError, match="no scenario"):
        data.unpack_upload([("d.csv", b"a,b\n")], tmp_path / "c")


def test_upload_validation_errors_name_file_row_and_field(tmp_path: Path):
    bad = factory.mini()
    bad["agents"][1]["max_hours_week"] = -5
    src = factory.write(tmp_path / "src", bad, agents_csv=True)
    files = [(p.name, p.read_bytes()) for p in src.parent.iterdir()]
    path = data.unpack_upload(files, tmp_path / "up")
    sc, issues, _ = data.validate_scenario(path, tmp_path / "up")
    assert sc is None
    row = issues[issues["field"] == "max_hours_week"].iloc[0]
    assert row["file"] == "agents.csv"
    assert "2" in row["where"]  # the second agent's row
    assert list(issues.columns) == ["file", "where", "field", "message"]


def test_python_tags_in_yaml_are_refused_not_run(tmp_path: Path):
    (tmp_path / "s.yaml").write_text("scenario: !!python/object/apply:os.system ['touch pwned']\n")
    sc, issues, _ = data.validate_scenario(tmp_path / "s.yaml", tmp_path)
    assert sc is None and len(issues) >= 1
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


def test_exports_offer_the_solve_files_and_the_export_formats(hand):
    files = data.exports(hand)
    assert {"roster.csv", "coverage.csv", "summary.json"} <= set(files)
    assert files["roster.csv"].startswith(b"agent_id,site,shift_date,")
    names = " ".join(files)
    for part in ("roster.xlsx", "shifts.csv", "payroll.csv", "calendars.zip"):
        assert part in names, f"export {part} missing from {sorted(files)}"


# ------------------------------------------------------------------ background solve


def test_solve_job_saves_a_variant_in_the_store(store_url, tiny_out):
    ws = data.Workspace.open(data.REPO / "scenarios" / "tiny.yaml", [tiny_out])
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
    monkeypatch.setattr(data, "open_store", lambda: None)
    ws = data.Workspace.open(data.REPO / "scenarios" / "tiny.yaml", [tiny_out])
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
    monkeypatch.setattr(data, "open_store", lambda: None)
    ws = data.Workspace.open(data.REPO / "scenarios" / "tiny.yaml", [tiny_out])
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
    ws = data.Workspace.open(two_sites_path, [tmp_path / "out"])
    assert ws.names() == []
    assert "GHOST" in ws.load_error


# ------------------------------------------------------------------ roster quality


def test_quality_headline_of_the_hand_roster(hand):
    """No consecutive working days; Sat (A2) and Tue (A3) are isolated, Mon
    (A1) touches the horizon's start (unknown day before): 2 of 3. A3's
    20–24 Manila is 2 h in the 22–06 night window: not a night shift; daytime
    8 + 4 + 2 of 16 paid hours (the break is not paid)."""
    q = data.quality_headline(hand)
    assert q["shifts"] == 3 and q["day_pairs"] == 0
    assert q["start_change_2h_share"] is None
    assert q["isolated_day_share"] == pytest.approx(2 / 3)
    assert q["queue_changes_per_shift_mean"] == 0.0 and q["stretches"] == 3
    assert q["daytime_hours_share"] == pytest.approx(14 / 16)
    assert q["night_shift_share"] == 0.0
    site = data.quality_by_site(hand).set_index("site")
    assert site.loc["MNL", "daytime_hours_share"] == pytest.approx(0.5)
    assert site.loc["LIS", "paid_hours"] == pytest.approx(12.0)
    rows = data.quality_rows(hand)
    assert rows["quality: isolated working days"] == pytest.approx(2 / 3)


def test_start_grid_agents_by_dates_blank_on_days_off(hand):
    g = data.start_grid(hand, "LIS")
    assert g.agents == ["A1", "A2"] and len(g.dates) == 7
    assert g.hour[0, 0] == 8.0 and g.hour[1, 5] == 8.0
    assert int(np.isnan(g.hour).sum()) == 12
    assert g.text[0, 0] == "08:00" and g.text[0, 1] == ""
    m = data.start_grid(hand, "MNL")
    assert m.agents == ["A3"] and m.hour[0, 1] == 20.0 and m.text[0, 1] == "20:00"
    assert data.start_grid(hand, "LIS", team="weekend").agents == ["A2"]


def test_start_grid_orders_by_typical_start_and_marks_nights(two_sites_prep):
    """A1 starts 22:00 Mon and Tue (nights: 8 h inside 22–06), A2 at 06:00:
    ordered by median start, A2 comes first; A3 (no shift at LIS) is not a
    Lisbon agent. Night cells carry the moon."""
    r = Roster.from_segments([
        {"agent_id": "A1", "site": "LIS", "shift_date": dt.date(2027, 3, d),
         "start": utc(f"2027-03-0{d}T22:00+00:00"), "end": utc(f"2027-03-0{d}T22:00+00:00") + 480,
         "activity": Q}
        for d in (1, 2)
    ] + [{"agent_id": "A2", "site": "LIS", "shift_date": dt.date(2027, 3, 3),
          "start": utc("2027-03-03T06:00+00:00"), "end": utc("2027-03-03T14:00+00:00"), "activity": Q}])  # fmt: skip
    v = variant_of(two_sites_prep, r)
    g = data.start_grid(v, "LIS", order="start")
    assert g.agents == ["A2", "A1"]
    assert g.text[1, 0] == "22:00 ☾" and g.text[0, 2] == "06:00"
    assert v.quality.longest_night_run == 2
