"""Compare: two or more variants side by side — KPI and cost deltas against
the first, and a coverage difference heatmap."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, state
from dashboard.data.compare import compare_cost, compare_kpis, coverage_difference
from dashboard.data.workspace import store_failures
from optimizer.scenario.errors import ScenarioError

ws, v = state.current_variant()
state.page_header("Compare", None, ws)

if ws.store is None:
    st.caption(f"{ws.store_note} What-ifs stay variants of this session only.")
else:
    try:
        stored = ws.stored_runs()
    except store_failures() as exc:
        st.error(f"The run store could not be read: {exc}")
        stored = pd.DataFrame()
    if not stored.empty:
        with st.expander(f"Run store: {len(stored)} runs of this scenario"):
            st.dataframe(stored, hide_index=True, width="stretch")
            rid = st.selectbox("Run", stored["id"].tolist(), key="cmp_run")
            if st.button("Load as a variant", key="cmp_load"):
                try:
                    loaded = ws.load_stored(int(rid))
                except (KeyError, ValueError, ScenarioError, *store_failures()) as exc:
                    st.error(f"Run {rid} could not be loaded: {exc}")
                else:
                    st.success(f"Loaded run {rid} as **{loaded.name}**")

names = ws.names()
if len(names) < 2:
    st.info(
        "Compare needs two variants: solve a what-if on the **What-ifs** page "
        "(each result is saved as a variant)."
    )
    st.stop()
chosen = st.multiselect(
    "Variants (the first is the reference)", names, default=names[:3], key="cmp_names"
)
if len(chosen) < 2:
    st.warning("Pick at least two variants.")
    st.stop()
vs = [ws.get(n) for n in chosen]
vs = [x for x in vs if x is not None]
cur = ws.scenario.currency

st.subheader("KPIs")
kp = compare_kpis(vs)
share = [k for k in kp.index if k.startswith("SL ") or k == "gap"]
st.dataframe(
    kp.style.format("{:,.1f}", na_rep="—")
    .format("{:+.2%}", na_rep="—", subset=(share, [c for c in kp.columns if c.startswith("Δ")]))
    .format("{:.2%}", na_rep="—", subset=(share, [c for c in kp.columns if not c.startswith("Δ")])),
    width="stretch",
)
st.subheader(f"Cost by site ({cur})")
cost = compare_cost(vs, by="site")
a, b = st.columns([1, 1])
a.dataframe(cost.style.format("{:,.0f}"), width="stretch")
b.plotly_chart(charts.compare_bars(cost, chosen, cur), width="stretch")
st.markdown("**Cost by premium type**")
st.dataframe(compare_cost(vs, by="component").style.format("{:,.0f}"), width="stretch")

st.subheader("Coverage difference")
a, b, c, d = st.columns(4)
ref = a.selectbox("Reference", chosen, index=0, key="cmp_a")
other = b.selectbox("Variant", [n for n in chosen if n != ref], key="cmp_b")
by = c.radio("Rows", ["market", "queue"], horizontal=True, key="cmp_by")
value = d.radio("Of", ["scheduled", "short"], horizontal=True, key="cmp_value")
try:
    diff = coverage_difference(ws.get(ref), ws.get(other), by=by, value=value)
except ValueError as exc:
    st.error(str(exc))
else:
    st.plotly_chart(
        charts.heatmap(
            diff,
            "difference_short" if value == "short" else "difference",
            title=f"{value}: {other} − {ref} (agents)",
        ),
        width="stretch",
    )
