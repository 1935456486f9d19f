"""Sunroster planner dashboard (Streamlit): `make dashboard`, or
`streamlit run dashboard/app.py -- SCENARIO.yaml [--out DIR]`.

This entry script opens the scenario (cached per scenario fingerprint), puts
the variant selector in the sidebar and routes to one module per page under
`dashboard/views/`.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import state  # noqa: E402

st.set_page_config(page_title="Sunroster planner", page_icon=":material/public:", layout="wide")

PAGES = [
    st.Page("views/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("views/coverage.py", title="Coverage", icon=":material/grid_on:"),
    st.Page("views/follow_the_sun.py", title="Follow the sun", icon=":material/public:"),
    st.Page("views/roster.py", title="Roster", icon=":material/calendar_month:"),
    st.Page("views/starts.py", title="Start times", icon=":material/schedule:"),
    st.Page("views/cost.py", title="Cost", icon=":material/payments:"),
    st.Page("views/whatif.py", title="What-ifs", icon=":material/tune:"),
    st.Page("views/compare.py", title="Compare", icon=":material/compare:"),
    st.Page("views/scenario.py", title="Scenario & downloads", icon=":material/folder_open:"),
]
page = st.navigation(PAGES)

ws = state.workspace()
st.sidebar.markdown(
    f"**{ws.scenario.scenario}** · {len(ws.scenario.sites)} sites · "
    f"{len(ws.scenario.markets)} markets · {len(ws.scenario.agents)} agents · "
    f"{ws.scenario.horizon.days} days from {ws.scenario.horizon.start}"
)
state.variant_picker(ws)
running = ws.running_jobs()
if running:
    st.sidebar.info("Solving: " + ", ".join(j.name for j in running))
page.run()
