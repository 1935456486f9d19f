"""Each page of the dashboard run headless with Streamlit's AppTest: the tiny
scenario (solved once per session) and the hand-made two-site roster."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import REPO, TINY

APP = str(REPO / "dashboard" / "app.py")


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, store_url: str):
    """An AppTest of the dashboard on a scenario and an output folder."""

    def _make(scenario: Path, out: Path) -> AppTest:
        monkeypatch.setenv("SUNROSTER_SCENARIO", str(scenario))
        monkeypatch.setenv("SUNROSTER_OUT", str(out))
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        assert not at.exception, at.exception
        return at

    yield _make
    st.cache_resource.clear()


def page(at: AppTest, name: str) -> AppTest:
    at.switch_page(f"views/{name}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += (
        [i.value for i in at.info] + [s.value for s in at.success] + [e.value for e in at.error]
    )
    return "\n".join(str(p) for p in parts)


def test_overview_shows_status_cost_and_tiers(app, tiny_out):
    at = app(TINY, tiny_out)
    assert at.title[0].value == "Overview"
    metrics = {m.label: m.value for m in at.metric}
    summary = json.loads((tiny_out / "tiny" / "summary.json").read_text())
    assert metrics["Solve status"] == summary["status"]
    assert metrics["Cost (EUR)"] == f"{summary['cost_reporting_currency']:,.0f}"
    tiers = at.dataframe[0].value
    assert list(tiers["tier"]) == ["T1", "T3"]
    assert len(at.get("plotly_chart")) == 1


def test_overview_numbers_of_the_hand_roster(app, two_sites_path, hand_out):
    at = app(two_sites_path, hand_out)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Cost (EUR)"] == "162"  # 80 + 60 + 21.60
    assert metrics["Under-cover agent-hours"] == "2.0"
    assert metrics["Gap"] == "10.00%"
    assert metrics["Shifts"] == "3"


def test_coverage_heatmap_views(app, tiny_out):
    at = page(app(TINY, tiny_out), "coverage")
    assert len(at.get("plotly_chart")) == 2  # heatmap and service level
    assert "agent-hours short" in texts(at)
    at.radio(key="cov_by").set_value("queue").run()
    at.radio(key="cov_clock").set_value("market local").run()
    at.selectbox(key="cov_market").set_value("ES").run()
    assert not at.exception
    layout = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    assert layout["xaxis"]["title"]["text"] == "interval start (Europe/Madrid)"


def test_follow_the_sun_names_sites_in_order(app, two_sites_path, hand_out):
    at = page(app(two_sites_path, hand_out), "follow_the_sun")
    assert "MNL (Manila) → LIS (Lisbon)" in texts(at)
    assert "nobody working" in texts(at)  # default day: Wed 3 March, nobody rostered
    at.date_input(key="fts_day").set_value(dt.date(2027, 3, 1)).run()
    assert len(at.get("plotly_chart")) == 2  # clocks and the market bands
    bands = json.loads(at.get("plotly_chart")[1].proto.spec)["data"]
    assert {t["name"] for t in bands} == {"required", "LIS"}


def test_roster_filters(app, two_sites_path, hand_out):
    at = page(app(two_sites_path, hand_out), "roster")
    at.date_input(key="r_dates").set_value((dt.date(2027, 3, 1), dt.date(2027, 3, 7))).run()
    assert "**2 agents, 2 shifts**" in texts(at)  # Lisbon: A1 Monday, A2 Saturday
    at.selectbox(key="r_site").set_value("(all)").run()
    assert "**3 agents, 3 shifts**" in texts(at)
    at.selectbox(key="r_lang").set_value("es").run()
    assert "**1 agents, 1 shifts**" in texts(at)


def test_cost_fx_slider_recomputes(app, two_sites_path, hand_out):
    at = page(app(two_sites_path, hand_out), "cost")
    total = next(m for m in at.metric if m.label == "Total cost (EUR)")
    assert total.value == "162"
    at.slider(key="fx_PHP").set_value(0.02).run()
    total = next(m for m in at.metric if m.label == "Total cost (EUR)")
    assert total.value == "167"  # 140 + 1,350 PHP × 0.02
    assert "+5 vs scenario rates" in str(total.proto.delta)


def test_whatif_resolves_in_background_then_compare(app, tiny_out):
    at = page(app(TINY, tiny_out), "whatif")
    at.text_input(key="wi_name").set_value("busy")
    at.slider(key="wi_volume").set_value(20)
    at.slider(key="wi_limit").set_value(5)
    at.button[0].click().run()  # the form's Re-solve
    assert "Solving **busy** in the background: `volume=+20%`" in texts(at)
    deadline = time.monotonic() + 90
    while "saved as variant **busy**" not in texts(at) and time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
    assert "saved as variant **busy**" in texts(at)
    at = page(at, "compare")
    stored, kpis = at.dataframe[0].value, at.dataframe[1].value
    assert stored["name"].tolist() == ["busy"]  # the what-if was saved in the run store
    assert stored["overrides"].tolist() == ["volume=+20%"]
    assert list(kpis.columns) == ["baseline", "busy", "Δ busy"]
    assert len(at.get("plotly_chart")) == 2  # cost bars and coverage difference


def test_solve_button_when_no_roster_exists(app, tmp_path):
    at = app(TINY, tmp_path)  # no solve output anywhere
    assert "No solved roster of **tiny**" in texts(at)
    at.slider(key="baseline_time_limit").set_value(5)
    at.button(key="solve_baseline").click().run()
    deadline = time.monotonic() + 90
    while not at.metric and time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
    assert {m.label for m in at.metric} >= {"Solve status", "Gap", "Cost (EUR)"}


def test_scenario_page_and_downloads(app, tiny_out):
    at = page(app(TINY, tiny_out), "scenario")
    assert at.metric[0].label == "Sites" and at.metric[0].value == "1"
    at.button(key="dl_prepare").click().run()
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[0] == "All files (zip)"
    joined = " ".join(labels)
    for f in ("roster.csv", "coverage.csv", "summary.json", "tiny-roster.xlsx", "tiny-payroll.csv"):
        assert f in joined


def test_cancel_stops_the_background_solve(app, tiny_out):
    at = page(app(TINY, tiny_out), "whatif")
    at.text_input(key="wi_name").set_value("long")
    at.slider(key="wi_limit").set_value(300)
    at.button[0].click().run()
    at.button(key="cancel_long").click().run()
    deadline = time.monotonic() + 60
    while "long: cancelled" not in texts(at) and time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
    assert (
        "long: cancelled; saved as variant **long** (stopped early: best roster so far)"
        in texts(at)
    )
    assert "long" in at.sidebar.selectbox(key="variant").options


def test_overview_quality_card_of_the_hand_roster(app, two_sites_path, hand_out):
    at = app(two_sites_path, hand_out)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Isolated working days"] == "67%"  # A2 Sat and A3 Tue of 3 shifts
    assert metrics["Queue changes / shift"] == "0.0"
    assert metrics["Start moves ≥ 2 h"] == "—"  # no two consecutive working days
    assert "agent-hours in local daytime: 88%" in texts(at)


def test_start_times_page_draws_each_site(app, two_sites_path, hand_out):
    at = page(app(two_sites_path, hand_out), "starts")
    assert "**2 agents, 2 shifts** at LIS." in texts(at)
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert fig["type"] == "heatmap" and fig["y"] == ["A1", "A2"]
    assert fig["z"][0][0] == 8.0 and fig["z"][0][1] is None  # Tuesday off
    sites = at.dataframe[0].value.set_index("site")
    assert sites.loc["MNL", "daytime_hours_share"] == 0.5
    at.selectbox(key="st_site").set_value("MNL").run()
    assert "**1 agents, 1 shifts** at MNL." in texts(at)
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert fig["z"][0][1] == 20.0 and fig["text"][0][1] == "20:00"
    at.radio(key="st_order").set_value("start").run()
    assert not at.exception
