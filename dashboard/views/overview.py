"""Overview: service level achieved vs target per tier and market,
under-cover agent-hours, cost in the reporting currency, solve status and gap."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, state

ws, v = state.require_variant()
state.page_header("Overview", v, ws)
h = data.headline(v)
cur = h["currency"]

c = st.columns(6)
c[0].metric("Solve status", h["status"])
c[1].metric("Gap", "—" if h["gap"] is None else f"{h['gap']:.2%}")
c[2].metric(f"Cost ({cur})", f"{h['cost']:,.0f}")
c[3].metric("Under-cover agent-hours", f"{h['under_cover_hours']:,.1f}")
c[4].metric("Paid hours", f"{h['paid_hours']:,.0f}")
c[5].metric("Shifts", f"{h['shifts']:,}")
obj = "—" if h["objective"] is None else f"{h['objective']:,.0f}"
bound = "—" if h["bound"] is None else f"{h['bound']:,.0f}"
st.caption(
    f"Objective {obj} {cur}, bound {bound} ({h['bound_method'] or 'no bound'}), "
    f"{h['agents_rostered']} of {h['agents']} agents rostered."
)

pct = st.column_config.NumberColumn(format="percent")
hrs = st.column_config.NumberColumn(format="%.1f")
st.subheader("By tier")
st.dataframe(
    data.tier_table(v),
    hide_index=True,
    width="stretch",
    column_config={
        "target": pct, "service_level": pct, "sl_delta": st.column_config.NumberColumn("SL − target", format="percent"),
        "under_cover_hours": hrs, "required_hours": hrs, "scheduled_hours": hrs,
    },
)  # fmt: skip
st.subheader("By market")
mk = data.market_table(v)
left, right = st.columns([1, 1])
left.dataframe(
    mk,
    hide_index=True,
    width="stretch",
    column_config={
        "target": pct, "service_level": pct, "sl_delta": st.column_config.NumberColumn("SL − target", format="percent"),
        "under_cover_hours": hrs,
    },
)  # fmt: skip
right.plotly_chart(charts.sl_vs_target(mk), width="stretch")
st.caption(
    "Service level is contact-weighted over open voice and chat intervals; email has no service level (its deadline is in the requirement)."
)
