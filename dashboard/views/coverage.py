"""Coverage: required vs scheduled per market or queue × interval (UTC or a
market's local time), service level over time, the largest gaps."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import charts, state
from dashboard.data.coverage import coverage_matrix, gap_runs, service_level_over_time

ws, v = state.require_variant()
state.page_header("Coverage", v, ws)
sc = v.scenario
h = sc.horizon

c1, c2, c3, c4 = st.columns([1, 1, 1, 2])
by = c1.radio("Rows", ["market", "queue"], horizontal=True, key="cov_by")
value = c2.selectbox(
    "Show", ["gap", "short", "required", "scheduled"], key="cov_value",
    help="gap = scheduled − required (red: short, blue: over); short = agents missing",
)  # fmt: skip
clock = c3.radio("Clock", ["UTC", "market local"], horizontal=True, key="cov_clock")
market = None
if clock == "market local":
    market = c4.selectbox("Market", [m.id for m in sc.markets], key="cov_market")
days = c4.slider("Days (from the horizon start)", 1, h.days, (1, min(h.days, 7)), key="cov_days")
start = int(pd.Timestamp(h.start + dt.timedelta(days=days[0] - 1)).value // 60_000_000_000) - 720
end = int(pd.Timestamp(h.start + dt.timedelta(days=days[1])).value // 60_000_000_000) + 720
m = coverage_matrix(
    v, by=by, value=value, clock="local" if market else "UTC", market=market, start=start, end=end
)
short_total = float(coverage_matrix(v, by="queue", value="short", start=start, end=end).z.sum())
st.plotly_chart(charts.heatmap(m, value, title=f"{value} per {by} ({m.clock})"), width="stretch")
st.caption(
    f"{short_total * sc.horizon.interval_minutes / 60:,.1f} agent-hours short in the window shown; "
    "windows are padded by 12 h so every market's local days are whole."
)

st.subheader("Service level over time")
a, b = st.columns(2)
sl_by = a.radio("By", ["tier", "market"], horizontal=True, key="sl_by")
freq = b.radio("Per", ["day", "hour"], horizontal=True, key="sl_freq")
sl = service_level_over_time(v, by=sl_by, freq="D" if freq == "day" else "h")
if sl.empty:
    st.info("No voice or chat contacts: no service level to show.")
else:
    st.plotly_chart(charts.sl_lines(sl, sl_by), width="stretch")

st.subheader("Largest gaps")
gaps = gap_runs(v, limit=30)
if gaps.empty:
    st.success("Every open interval is covered.")
else:
    st.dataframe(
        gaps, hide_index=True, width="stretch",
        column_config={"agent_hours_short": st.column_config.NumberColumn(format="%.1f")},
    )  # fmt: skip
