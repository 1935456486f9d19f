"""Follow the sun: for one UTC day, which sites serve each market when, with
each site's local clock — how the day passes from APAC to EMEA to AMER."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import charts, state
from dashboard.data.follow_the_sun import follow_the_sun, handover_order, site_clocks

ws, v = state.require_variant()
state.page_header("Follow the sun", v, ws)
sc = v.scenario
h = sc.horizon
day = st.date_input(
    "UTC day", value=h.start + dt.timedelta(days=min(2, h.days - 1)),
    min_value=h.start, max_value=h.end - dt.timedelta(days=1), key="fts_day",
)  # fmt: skip
order = handover_order(sc, day)
st.markdown("**Hand-over order (east → west):** " + " → ".join(
    f"{s} ({sc.site_by_id[s].city})" for s in order
))  # fmt: skip
st.subheader("Site clocks")
st.plotly_chart(charts.clocks(site_clocks(sc, day), order), width="stretch")
st.subheader("Who serves each market, 24 h UTC")
markets = st.multiselect(
    "Markets", [m.id for m in sc.markets], default=[m.id for m in sc.markets], key="fts_markets"
)
bars = follow_the_sun(v, day)
bars = bars[bars["market"].isin(markets)]
if bars.empty:
    st.info("No requirement and nobody working for these markets on that day.")
else:
    st.plotly_chart(charts.follow_the_sun(bars, order, markets), width="stretch")
    st.caption(
        "Grey: when the market needs agents (peak requirement in the hover); a coloured bar: "
        "agents of that site on the market's queues (peak count in the hover)."
    )
