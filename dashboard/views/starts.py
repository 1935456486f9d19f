"""Start times: each agent's local shift starts and days off across the
horizon, one site at a time — the roster-quality KPIs (docs/quality.md) made
visible: steady starts are one colour along a row, backward rotations and
isolated working days stand out."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, state
from dashboard.data.quality import quality_by_site, start_grid

MAX_AGENTS = 400

ws, v = state.require_variant()
state.page_header("Start times", v, ws)
sc = v.scenario

c = st.columns(3)
site = c[0].selectbox("Site", [s.id for s in sc.sites], key="st_site")
teams = sorted({a.team for a in sc.agents if a.team and a.site == site})
team = c[1].selectbox("Team", ["(all)", *teams], key="st_team")
order = c[2].radio(
    "Order agents by", ["agent", "start"], horizontal=True, key="st_order",
    format_func=lambda x: {"agent": "id", "start": "typical start"}[x],
)  # fmt: skip
g = start_grid(v, site, None if team == "(all)" else team, order)
n_shifts = int((g.text != "").sum())
st.markdown(f"**{len(g.agents)} agents, {n_shifts} shifts** at {site}.")
if not g.agents:
    st.info("No agent at this site (or team).")
elif len(g.agents) > MAX_AGENTS:
    st.warning(f"{len(g.agents):,} agents: pick a team to draw the chart (at most {MAX_AGENTS}).")
else:
    st.plotly_chart(charts.start_times(g), width="stretch")

st.subheader("Nights and daytime by site")
pct = st.column_config.NumberColumn(format="percent")
st.dataframe(
    quality_by_site(v), hide_index=True, width="stretch",
    column_config={"night_shift_share": pct, "daytime_hours_share": pct,
                   "paid_hours": st.column_config.NumberColumn(format="%.1f")},
)  # fmt: skip
st.caption(
    "A night shift has at least 3 paid hours inside the site rule set's night window; "
    "daytime is outside that window (07:00–19:00 where a rule set has none); paid hours "
    "leave every break out. Runs of nights are on consecutive shift dates."
)
