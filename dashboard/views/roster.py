"""Roster: a Gantt of shifts in site local time, queue colours and breaks,
filtered by site, team, agent, language and queue."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import charts, state
from dashboard.data.roster import gantt_filter, queue_colours

MAX_SEGMENTS = 4000

ws, v = state.require_variant()
state.page_header("Roster", v, ws)
sc = v.scenario
seg = v.segments
h = sc.horizon

c = st.columns(3)
site = c[0].selectbox("Site", ["(all)", *[s.id for s in sc.sites]], index=1, key="r_site")
site = None if site == "(all)" else site
teams = sorted({a.team for a in sc.agents if a.team and (site is None or a.site == site)})
team = c[1].selectbox("Team", ["(all)", *teams], key="r_team")
dates = c[2].date_input(
    "Shift dates (site local)", value=(h.start, h.start + dt.timedelta(days=min(1, h.days - 1))),
    min_value=h.start, max_value=h.end - dt.timedelta(days=1), key="r_dates",
)  # fmt: skip
d = st.columns(3)
lang = d[0].selectbox(
    "Language", ["(all)", *sorted({x for a in sc.agents for x in a.languages})], key="r_lang"
)
queue = d[1].selectbox("Queue", ["(all)", *[q.id for q in sc.queues]], key="r_queue")
pool = sorted({a.id for a in sc.agents if site is None or a.site == site})
agents = d[2].multiselect("Agents", pool, key="r_agents")
d_from, d_to = (
    (dates[0], dates[-1]) if isinstance(dates, tuple | list) and dates else (h.start, h.end)
)
sel = gantt_filter(
    seg, site=site, team=None if team == "(all)" else team, agents=agents,
    language=None if lang == "(all)" else lang, queue=None if queue == "(all)" else queue,
    date_from=d_from, date_to=d_to,
)  # fmt: skip
n_agents = sel["agent_id"].nunique()
n_shifts = len(sel[["agent_id", "shift_date"]].drop_duplicates())
st.markdown(f"**{n_agents} agents, {n_shifts} shifts** in the selection.")
if sel.empty:
    st.info("No shifts match these filters.")
elif len(sel) > MAX_SEGMENTS:
    st.warning(
        f"{len(sel):,} segments: narrow the filters (a site, fewer days) to draw the Gantt "
        f"(at most {MAX_SEGMENTS:,})."
    )
else:
    st.plotly_chart(charts.gantt(sel, queue_colours(sc)), width="stretch")
with st.expander("Segments table"):
    st.dataframe(
        sel[["agent_id", "name", "site", "team", "shift_date", "start_local", "end_local", "activity"]],
        hide_index=True, width="stretch",
    )  # fmt: skip
