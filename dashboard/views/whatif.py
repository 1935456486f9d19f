"""What-ifs: change volume, AHT, SL targets, shrinkage, FX, close a site for
some dates, hire at a site, change a tier's service hours, set or turn off the
v1.1 workability rules and the stability and isolated-day weights (the price
of workability); re-solve in a background thread with a time limit and live
progress (cancellable). Each result is saved as a named variant (and in the
run store when there is one)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import state
from dashboard.data.cost import scenario_fx
from dashboard.data.whatif import whatif_from_form
from optimizer.scenario.model import ISOLATED_DAY_HOURS
from optimizer.whatif import lever_values

AS_IS = "as is"
# v1.1 levers (and the minimum runs, the weekends worked) for every rule set: (key, label, choices
# besides "as is" and "off")
WORKABILITY = (
    ("rules.start_band_hours", "Start band (h)", ("0", "1", "2", "3", "4", "6", "8", "12")),
    ("rules.days_off_together", "Days off together", ("1", "2", "3")),
    ("rules.max_consecutive_nights", "Max nights in a row", tuple(str(n) for n in range(1, 8))),
    ("rules.min_consecutive_days", "Min working days in a row", ("2", "3", "4", "5")),
    ("rules.min_consecutive_days_off", "Min days off in a row", ("2", "3")),
    ("rules.max_weekends", "Max weekends worked", ("0", "1", "2", "3", "4")),
    ("activities.min_minutes", "Min stretch on a queue (min)", ()),  # grid multiples, below
    ("activities.max_switches_per_shift", "Max queue changes / shift", ("0", "1", "2", "3", "4")),
)


def _now(key: str) -> str:
    """The scenario's current value of a lever, for the control's help."""
    vals = lever_values(sc, key)
    text = {k: "off" if x is None else f"{x:g}" for k, x in vals.items()}
    if len(set(text.values())) == 1:
        return f"now: {next(iter(text.values()))}"
    return "now: " + ", ".join(f"{k} {x}" for k, x in text.items())


ws, v = state.current_variant()
state.page_header("What-ifs", v, ws)
sc = ws.scenario
h = sc.horizon
tiers_with_sl = {
    tid: next(c.level for c in t.sla.values() if c.level is not None)
    for tid, t in sc.tiers.items()
    if any(c.level is not None for c in t.sla.values())
}
fx_now = scenario_fx(sc)

with st.form("whatif"):
    name = st.text_input("Variant name", value=f"what-if {len(ws.jobs) + 1}", key="wi_name")
    a, b = st.columns(2)
    volume = a.slider("Volume (%)", -50, 100, 0, step=5, key="wi_volume")
    aht = b.slider("AHT (%)", -30, 50, 0, step=5, key="wi_aht")
    st.markdown("**Service-level target per tier** (voice and chat)")
    cols = st.columns(max(1, len(tiers_with_sl)))
    sla = {
        tid: cols[i].slider(tid, 0.50, 0.99, float(lvl), step=0.01, key=f"wi_sla_{tid}")
        for i, (tid, lvl) in enumerate(tiers_with_sl.items())
    }
    a, b = st.columns(2)
    use_shrink = a.checkbox("Override shrinkage (every tier)", key="wi_use_shrink")
    shrink = b.slider("Shrinkage", 0.0, 0.6, float(sc.shrinkage), step=0.01, key="wi_shrink")
    fx_cols = [c for c in fx_now if c != sc.currency]
    fx = {}
    if fx_cols:
        st.markdown(f"**Exchange rates** (1 unit in {sc.currency})")
        cols = st.columns(min(4, len(fx_cols)))
        for i, c in enumerate(fx_cols):
            fx[c] = cols[i % len(cols)].number_input(
                c, min_value=0.0, value=float(fx_now[c]), format="%.6g", key=f"wi_fx_{c}"
            )
    st.markdown("**Site outage** (agents of the site on leave for these local dates)")
    a, b, c = st.columns([1, 1, 2])
    use_outage = a.checkbox("Close a site", key="wi_use_outage")
    out_site = b.selectbox("Site", [s.id for s in sc.sites], key="wi_out_site")
    out_dates = c.date_input(
        "Dates", value=(h.start, h.start), min_value=h.start,
        max_value=h.end - dt.timedelta(days=1), key="wi_out_dates",
    )  # fmt: skip
    st.markdown("**Hiring**")
    a, b, c = st.columns([1, 2, 1])
    hire_site = a.selectbox("Site", [s.id for s in sc.sites], key="wi_hire_site")
    hire_langs = b.multiselect(
        "Languages", sorted({q.language for q in sc.queues}), key="wi_hire_langs"
    )
    hire_n = c.number_input("Agents", 0, 500, 0, key="wi_hire_n")
    st.markdown("**Service hours per tier** (market local time)")
    cols = st.columns(max(1, len(sc.tiers)))
    hours = {
        tid: cols[i].text_input(tid, value=t.hours.text, key=f"wi_hours_{tid}")
        for i, (tid, t) in enumerate(sc.tiers.items())
    }
    st.markdown(
        "**Workability** (contract v1.1 rules of every rule set; "
        "compare with the base to see what each rule costs)"
    )
    n_controls = len(WORKABILITY) + 2  # the levers, then the two weights: in two rows
    top = (n_controls + 1) // 2
    cols = [*st.columns(top), *st.columns(n_controls - top)]
    workability: dict[str, str | float | None] = {}
    for i, (key, label, choices) in enumerate(WORKABILITY):
        if key == "activities.min_minutes":
            choices = tuple(
                str(m) for m in (15, 30, 45, 60, 90, 120, 180, 240) if m % h.interval_minutes == 0
            )
        pick = cols[i].selectbox(
            label, (AS_IS, "off", *choices), help=_now(key), key=f"wi_{key.replace('.', '_')}"
        )
        workability[key] = None if pick == AS_IS else pick
    workability["weights.stability"] = cols[-2].number_input(
        f"Stability ({sc.currency}/h)", min_value=0.0, value=float(sc.weights.stability),
        step=0.5, help="price of each hour a start moves between working days; 0: off",
        key="wi_weights_stability",
    )  # fmt: skip
    iso = sc.weights.isolated_day_price
    iso_now = f"now: {iso:g}" + (
        "" if sc.weights.isolated_day is not None else f", {ISOLATED_DAY_HOURS:g} h of stability"
    )
    workability["weights.isolated_day"] = cols[-1].number_input(
        f"Isolated day ({sc.currency})", min_value=0.0, value=None, step=5.0,
        placeholder=f"as is: {iso:g}", key="wi_weights_isolated_day",
        help=f"price of each working day between two days off; empty: as is ({iso_now}); 0: off",
    )  # fmt: skip
    a, b = st.columns([3, 1])
    limit = a.slider("Time limit (s)", 5, 600, 30, step=5, key="wi_limit")
    workers = b.number_input("Workers", 1, 2, 1, key="wi_workers")
    submitted = st.form_submit_button("Re-solve", type="primary")

if submitted:
    outages = []
    if use_outage and isinstance(out_dates, tuple | list) and out_dates:
        outages.append((out_site, out_dates[0], out_dates[-1]))
    try:
        wi = whatif_from_form(
            sc, volume_pct=volume, aht_pct=aht, sla=sla, shrinkage=shrink if use_shrink else None,
            fx=fx, outages=outages, hires=[(hire_site, hire_langs, int(hire_n))], hours=hours,
            workability=workability,
        )  # fmt: skip
    except ValueError as exc:
        st.error(f"This what-if is not valid: {exc}")
    else:
        job_name = ws.unique_name(name.strip() or "what-if")
        ws.start_job(job_name, wi, float(limit), int(workers))
        st.session_state["wi_last"] = job_name
        changes = wi.to_pairs()
        st.info(
            f"Solving **{job_name}** in the background: "
            + (", ".join(f"`{k}={x}`" for k, x in changes.items()) or "no change (a re-solve)")
        )

st.subheader("Solves")
jobs = [n for n in ws.jobs]
if not jobs:
    st.caption("No what-if solved yet in this session.")
for n in reversed(jobs):
    state.job_progress(ws, n)
