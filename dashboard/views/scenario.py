"""Scenario & downloads: what is open, upload another scenario (YAML + CSVs,
or a zip; size-capped, read with the safe YAML loader; every problem as a
file/row/field table), and download every export of the selected variant.

An upload is unpacked into a temporary folder of its own (the loader reads no
file outside it), removed at once when the upload is refused or does not
load; a valid upload's folder stays while it is offered or open, and is
removed when another scenario takes its place or the dashboard stops."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.data.downloads import exports, zip_files
from dashboard.data.upload import MAX_UPLOAD_BYTES, UploadError, unpack_upload, validate_scenario

OFFERED_UPLOAD = "sc_upload_dir"  # folder of the valid upload offered for opening
OPEN_UPLOAD = "sc_open_upload_dir"  # folder of the uploaded scenario that is open


def discard_upload(key: str) -> None:
    """Remove the upload folder kept under `key` in the session, if any."""
    folder = st.session_state.pop(key, None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


ws, v = state.current_variant()
state.page_header("Scenario & downloads", v, ws)
sc = ws.scenario

st.subheader("Open scenario")
st.markdown(f"**{sc.scenario}** — {sc.description or ''}  \n`{ws.path}`")
c = st.columns(5)
c[0].metric("Sites", len(sc.sites))
c[1].metric("Markets", len(sc.markets))
c[2].metric("Queues", len(sc.queues))
c[3].metric("Agents", len(sc.agents))
c[4].metric("Days", sc.horizon.days, help=f"{sc.horizon.interval_minutes}-minute intervals")
st.dataframe(
    pd.DataFrame([
        {"site": s.id, "city": s.city, "timezone": s.timezone, "currency": s.currency, "rules": s.rules,
         "agents": sum(a.site == s.id for a in sc.agents)} for s in sc.sites
    ]),
    hide_index=True, width="stretch",
)  # fmt: skip
if ws.warnings:
    with st.expander(f"{len(ws.warnings)} loader warnings"):
        st.text("\n".join(ws.warnings))
if ws.run_dir is not None:
    st.caption(f"Baseline roster read from `{ws.run_dir}`.")
is_default = str(ws.path) == str(state.default_scenario())
if not is_default and st.button("Back to the default scenario", key="sc_default"):
    discard_upload(OPEN_UPLOAD)
    st.session_state[state.SCENARIO_KEY] = str(state.default_scenario())
    st.session_state.pop(state.VARIANT_KEY, None)
    st.rerun()

st.subheader("Upload a scenario")
st.caption(
    f"A scenario YAML with its CSV files, or one zip holding them (at most "
    f"{MAX_UPLOAD_BYTES // 2**20} MB). YAML is read with the safe loader; "
    "nothing in the upload is executed."
)
files = st.file_uploader(
    "Scenario files", type=["yaml", "yml", "csv", "zip"], accept_multiple_files=True, key="sc_files"
)
if files and st.button("Validate", key="sc_validate"):
    discard_upload(OFFERED_UPLOAD)
    dest = Path(tempfile.mkdtemp(prefix="sunroster-upload-"))
    try:
        path = unpack_upload([(f.name, f.getvalue()) for f in files], dest)
    except UploadError as exc:
        shutil.rmtree(dest, ignore_errors=True)
        st.session_state["sc_result"] = {"error": str(exc)}
    else:
        scn, issues, warnings = validate_scenario(path, dest)
        if scn is None:
            shutil.rmtree(dest, ignore_errors=True)
        else:
            st.session_state[OFFERED_UPLOAD] = str(dest)
            atexit.register(shutil.rmtree, dest, ignore_errors=True)
        st.session_state["sc_result"] = {
            "path": str(path), "ok": scn is not None, "issues": issues, "warnings": warnings,
            "summary": None if scn is None else f"{scn.scenario}: {len(scn.sites)} sites, "
            f"{len(scn.queues)} queues, {len(scn.agents)} agents, {scn.horizon.days} days",
        }  # fmt: skip
res = st.session_state.get("sc_result")
if res:
    if "error" in res:
        st.error(f"Upload refused: {res['error']}")
    elif not res["ok"]:
        n = len(res["issues"])
        st.error(f"The scenario does not load: {n} problem{'s' if n != 1 else ''}.")
        st.dataframe(res["issues"], hide_index=True, width="stretch")
    else:
        st.success(f"Valid scenario — {res['summary']}")
        if res["warnings"]:
            st.warning("\n".join(res["warnings"][:20]))
        if st.button("Open this scenario", type="primary", key="sc_open"):
            discard_upload(OPEN_UPLOAD)
            st.session_state[OPEN_UPLOAD] = st.session_state.pop(OFFERED_UPLOAD, None)
            st.session_state[state.SCENARIO_KEY] = res["path"]
            st.session_state.pop(state.VARIANT_KEY, None)
            st.session_state.pop("sc_result", None)
            st.rerun()

st.subheader("Downloads")
if v is None:
    st.info("Solve the scenario first (Overview page) to download its roster and exports.")
    st.stop()
st.caption(
    f"Files of variant **{v.name}**: the roster, coverage and summary of the solve and every "
    "export (Excel, CSV, iCalendar, payroll) the export module provides."
)
files_out = v.files
if files_out is None and st.button("Prepare downloads", key="dl_prepare"):
    with st.spinner("Writing the files…"):
        files_out = exports(v)
        v.files = files_out
if files_out:
    st.download_button(
        "All files (zip)", zip_files(files_out), file_name=f"{sc.scenario}-{v.name}.zip",
        mime="application/zip", key="dl_all", type="primary", on_click="ignore",
    )  # fmt: skip
    cols = st.columns(3)
    for i, (fname, content) in enumerate(files_out.items()):
        cols[i % 3].download_button(
            f"{fname} ({len(content) / 1024:,.0f} KB)", content, file_name=fname,
            key=f"dl_{fname}", on_click="ignore",
        )  # fmt: skip
