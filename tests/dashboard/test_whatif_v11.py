"""The what-if page's workability controls (contract v1.1 levers and the
stability and isolated-day weights) become the same text levers as `sweep
--vary`, and only where they change the scenario; run headless with
Streamlit's AppTest on the bundled tiny scenario (start band 2 h, 2 days off
together, activities set, stability 2)."""

from __future__ import annotations

import time

from tests.dashboard.conftest import TINY
from tests.dashboard.test_app import app, page, texts  # noqa: F401  (app is a fixture)


def test_workability_controls_become_levers(app, tiny_out):  # noqa: F811
    at = page(app(TINY, tiny_out), "whatif")
    at.text_input(key="wi_name").set_value("no band")
    at.selectbox(key="wi_rules_start_band_hours").set_value("off")
    at.selectbox(key="wi_rules_days_off_together").set_value("2")  # what tiny has: no lever
    at.selectbox(key="wi_activities_max_switches_per_shift").set_value("1")
    at.number_input(key="wi_weights_stability").set_value(3.0)
    at.number_input(key="wi_weights_isolated_day").set_value(30.0)
    at.slider(key="wi_limit").set_value(60)
    at.button[0].click().run()  # the form's Re-solve
    assert not at.exception, [e.value for e in at.exception]
    assert (
        "Solving **no band** in the background: `rules.start_band_hours=off`, "
        "`activities.max_switches_per_shift=1`, `weights.stability=3`, "
        "`weights.isolated_day=30`"
    ) in texts(at)
    at.button(key="cancel_no band").click().run()
    deadline = time.monotonic() + 60
    while "no band: cancelled" not in texts(at) and time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
    assert "no band: cancelled" in texts(at)


def test_the_controls_say_what_the_scenario_has_now(app, tiny_out):  # noqa: F811
    at = page(app(TINY, tiny_out), "whatif")
    band = at.selectbox(key="wi_rules_start_band_hours")
    assert band.value == "as is" and band.options[:2] == ["as is", "off"]
    assert "now: 2" in band.help
    assert at.selectbox(key="wi_rules_max_consecutive_nights").value == "as is"
    iso = at.number_input(key="wi_weights_isolated_day")  # tiny: 60 per isolated day
    assert iso.value is None and "(now: 60)" in iso.help
