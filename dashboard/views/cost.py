"""Cost: the finance view by site, currency and premium type, with FX sliders
that recompute the reporting-currency cost instantly (cost is linear in the
rates, so nothing is re-priced)."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, state
from dashboard.data.cost import apply_fx, cost_by, scenario_fx

ws, v = state.require_variant()
state.page_header("Cost", v, ws)
sc = v.scenario
cur = sc.currency
base_fx = scenario_fx(sc)

st.subheader(f"Exchange rates (1 unit in {cur})")
fx = dict(base_fx)
others = [c for c in base_fx if c != cur]
cols = st.columns(max(1, min(4, len(others))))
for i, c in enumerate(others):
    r = base_fx[c]
    fx[c] = cols[i % len(cols)].slider(
        c, min_value=r * 0.5, max_value=r * 1.5, value=r, step=r / 100, format="%.5g", key=f"fx_{c}"
    )
if not others:
    st.caption(f"Every site pays in {cur}: no exchange rate to move.")

comp = v.cost
total = float(apply_fx(comp, fx)["cost_reporting"].sum())
base_total = float(apply_fx(comp, base_fx)["cost_reporting"].sum())
m = st.columns(3)
moved = abs(total - base_total) >= 0.5
m[0].metric(
    f"Total cost ({cur})", f"{total:,.0f}",
    delta=f"{total - base_total:+,.0f} vs scenario rates" if moved else None, delta_color="inverse",
)  # fmt: skip
m[1].metric("Paid hours", f"{v.output.kpis.paid_hours:,.0f}")
m[2].metric(f"Cost per paid hour ({cur})", f"{total / max(v.output.kpis.paid_hours, 1e-9):,.2f}")

site_comp = cost_by(comp, fx, ["site", "component"])
st.plotly_chart(charts.cost_by_site(site_comp, cur), width="stretch")
money = st.column_config.NumberColumn(format="%,.0f")
a, b = st.columns(2)
a.markdown("**By site**")
a.dataframe(
    cost_by(comp, fx, "site").merge(
        cost_by(comp, base_fx, "site")[["site", "cost_reporting"]].rename(
            columns={"cost_reporting": "at scenario rates"}
        ), on="site",
    ),
    hide_index=True, width="stretch",
    column_config={"cost_reporting": money, "cost_site": money, "at scenario rates": money, "hours": money},
)  # fmt: skip
b.markdown("**By currency**")
b.dataframe(
    cost_by(comp, fx, "currency").assign(rate=lambda d: d["currency"].map(fx)),
    hide_index=True, width="stretch",
    column_config={"cost_reporting": money, "cost_site": money, "hours": money},
)  # fmt: skip
st.markdown("**By premium type**")
st.dataframe(
    cost_by(comp, fx, "component"),
    hide_index=True, width="stretch",
    column_config={"cost_reporting": money, "hours": money},
)  # fmt: skip
st.caption(
    "The pay model's split: base = hourly rate × paid hours; night, weekend, holiday = "
    "rate × hours × (premium − 1) for the minutes that premium priced; overtime = the uplift "
    "of the overtime multiplier (stacked on the other premium). Hours of a premium are also "
    "in the base hours."
)

if st.toggle(
    f"Cost per handled contact and FX sensitivity (scenario rates, {cur})", key="cost_more"
):
    report = v.cost_report  # priced again by the finance module: computed on request, then cached
    a, b = st.columns(2)
    a.dataframe(report.by_tier, hide_index=True, width="stretch")
    b.dataframe(report.by_market, hide_index=True, width="stretch")
    st.dataframe(report.fx_sensitivity, hide_index=True, width="stretch")
