"""Overview: service level achieved vs target per tier and market,
under-cover agent-hours, cost in the reporting currency, solve status and gap,
and the headline roster-quality KPIs."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, state
from dashboard.data.overview import headline, market_table, tier_table
from dashboard.data.quality import quality_headline

ws, v = state.require_variant()
state.page_header("Overview", v, ws)
h = headline(v)
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


def _share(x: float | None) -> str:
    return "—" if x is None else f"{x:.0%}"


q = quality_headline(v)
st.subheader("Roster quality")
r = st.columns(6)
r[0].metric("Start moves ≥ 2 h", _share(q["start_change_2h_share"]))
r[1].metric("Backward rotations", _share(q["backward_rotation_share"]))
dm = q["distinct_starts_median"]
r[2].metric("Distinct starts / agent-week", "—" if dm is None else f"{dm:g}")
r[3].metric(
    "Full weeks without 2 days off", _share(q["full_weeks_without_days_off_together_share"])
)
r[4].metric("Isolated working days", _share(q["isolated_day_share"]))
qc = q["queue_changes_per_shift_mean"]
r[5].metric("Queue changes / shift", "—" if qc is None else f"{qc:.1f}")
p90 = q["distinct_starts_p90"]
st.caption(
    f"Start moves ≥ 4 h: {_share(q['start_change_4h_share'])} of consecutive working days; "
    f"distinct starts p90 {'—' if p90 is None else f'{p90:g}'}; "
    f"stretches under 60 min: {_share(q['short_stretch_share'])}; "
    f"longest run of nights: {q['longest_night_run']}; "
    f"agent-hours in local daytime: {_share(q['daytime_hours_share'])}. "
    "Definitions in docs/quality.md; each agent's starts on the **Start times** page."
)

pct = st.column_config.NumberColumn(format="percent")
hrs = st.column_config.NumberColumn(format="%.1f")
st.subheader("By tier")
st.dataframe(
    tier_table(v),
    hide_index=True,
    width="stretch",
    column_config={
        "target": pct, "service_level": pct, "sl_delta": st.column_config.NumberColumn("SL − target", format="percent"),
        "under_cover_hours": hrs, "required_hours": hrs, "scheduled_hours": hrs,
    },
)  # fmt: skip
st.subheader("By market")
mk = market_table(v)
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
