"""Streamlit glue: which scenario is open, the cached Workspace of it, the
selected variant, and the widgets several pages share (the solve progress
panel). The logic itself lives in `dashboard/data/`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import streamlit as st

from dashboard import charts
from dashboard.data.jobs import SolveJob
from dashboard.data.run import DEFAULT_SCENARIO, REPO, fingerprint
from dashboard.data.variant import Variant
from dashboard.data.workspace import Workspace
from optimizer.scenario.errors import ScenarioError
from optimizer.whatif import WhatIf

SCENARIO_KEY = "scenario_path"
VARIANT_KEY = "variant"


def _argv_option(flag: str) -> str | None:
    args = sys.argv[1:]
    for i, a in enumerate(args):
        if a == flag and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(flag + "="):
            return a.split("=", 1)[1]
    return None


def default_scenario() -> Path:
    """`SUNROSTER_SCENARIO`, else the first `*.yaml` argument after `--`, else the bundled baseline."""
    env = os.environ.get("SUNROSTER_SCENARIO")
    if env:
        return Path(env)
    for a in sys.argv[1:]:
        if a.lower().endswith((".yaml", ".yml")) and Path(a).is_file():
            return Path(a)
    return DEFAULT_SCENARIO


def out_roots(path: Path) -> tuple[Path, ...]:
    """Where to look for a solve of the scenario: `--out DIR` / `SUNROSTER_OUT`,
    else `out/` of the repository and of the working directory, and the scenario's folder."""
    given = os.environ.get("SUNROSTER_OUT") or _argv_option("--out")
    if given:
        return (Path(given),)
    return tuple(dict.fromkeys([REPO / "out", Path.cwd() / "out", path.parent]))


def scenario_path() -> Path:
    if SCENARIO_KEY not in st.session_state:
        st.session_state[SCENARIO_KEY] = str(default_scenario())
    return Path(st.session_state[SCENARIO_KEY])


@st.cache_resource(show_spinner="Loading the scenario and its requirements…", max_entries=8)
def _workspace(path: str, key: str, roots: tuple[str, ...], store: str) -> Workspace:
    """Keyed on the scenario's fingerprint, where solves are looked for, and the store URL."""
    return Workspace.open(path, [Path(r) for r in roots])


def workspace() -> Workspace:
    """The open scenario's workspace; stops the page with the loader's issues if it does not load."""
    p = scenario_path()
    try:
        return _workspace(
            str(p),
            fingerprint(p),
            tuple(str(r) for r in out_roots(p)),
            os.environ.get("SUNROSTER_DB_URL", ""),
        )
    except ScenarioError as exc:
        st.error(f"The scenario {p} does not load:")
        st.dataframe(
            [
                {"file": i.file, "where": i.where, "field": i.field, "message": i.message}
                for i in exc.issues
            ],
            hide_index=True,
        )
        st.stop()
    except FileNotFoundError:
        st.error(f"No scenario file at {p}.")
        st.stop()
    raise AssertionError("unreachable")


def variant_picker(ws: Workspace) -> Variant | None:
    """The sidebar's variant selector; returns the selected variant (None before a solve)."""
    names = ws.names()
    if not names:
        return None
    if st.session_state.get(VARIANT_KEY) not in names:
        st.session_state[VARIANT_KEY] = names[0]
    st.sidebar.selectbox("Variant", names, key=VARIANT_KEY)
    return ws.get(st.session_state[VARIANT_KEY])


def current_variant() -> tuple[Workspace, Variant | None]:
    ws = workspace()
    name = st.session_state.get(VARIANT_KEY)
    v = ws.get(name) if name else None
    if v is None and ws.names():
        v = ws.get(ws.names()[0])
    return ws, v


def require_variant() -> tuple[Workspace, Variant]:
    """The selected variant; without one, offer to solve the scenario and stop the page."""
    ws, v = current_variant()
    if v is not None:
        return ws, v
    st.info(
        f"No solved roster of **{ws.scenario.scenario}** was found "
        f"(looked for a solve output naming it under {', '.join(str(r) for r in ws.out_roots)}). "
        "Solve it here, or run `make demo` and reload."
    )
    if ws.load_error:
        st.warning(f"A solve output was found but could not be read: {ws.load_error}")
    solve_panel(ws)
    st.stop()
    raise AssertionError("unreachable")


def solve_panel(ws: Workspace) -> None:
    """A Solve button with a time limit, then the live progress of that solve."""
    job = ws.jobs.get("baseline")
    if job is None or job.status in ("failed",):
        c1, c2 = st.columns([3, 1])
        limit = c1.slider("Time limit (s)", 5, 600, 60, step=5, key="baseline_time_limit")
        workers = c2.number_input("Workers", 1, 2, 1, key="baseline_workers")
        if st.button("Solve", type="primary", key="solve_baseline"):
            ws.start_job("baseline", WhatIf(), float(limit), int(workers))
            st.rerun()
    if "baseline" in ws.jobs:
        job_progress(ws, "baseline", rerun_when_done=True)


def job_progress(ws: Workspace, name: str, rerun_when_done: bool = False) -> None:
    """Live progress of one background solve (polled every second while it
    runs, so the rest of the page stays usable) with a Cancel button. When the
    solve ends, the whole app reruns once so the sidebar lists the new variant."""
    was_running = ws.jobs[name].running

    @st.fragment(run_every=1.0 if was_running else None)
    def _panel() -> None:
        job: SolveJob = ws.jobs[name]
        if was_running and not job.running:
            # rerun before drawing: the app's run draws the finished solve once
            # (drawn here too, it would show twice until that run ends)
            if rerun_when_done and job.variant is not None:
                st.session_state[VARIANT_KEY] = job.variant.name
            st.rerun(scope="app")
        render_snapshot(job.snapshot(), key=f"cancel_{name}", job=job)

    _panel()


def _fmt(x: float | None, pct: bool = False) -> str:
    if x is None:
        return "—"
    return f"{x:.2%}" if pct else f"{x:,.0f}"


def render_snapshot(snap: dict, key: str, job: SolveJob | None = None) -> None:
    status = snap["status"]
    frac = min(1.0, snap["elapsed"] / max(snap["time_limit"], 1e-9))
    label = (
        f"**{snap['name']}** — {status}, {snap['phase']}, {snap['elapsed']:.0f} s of "
        f"{snap['time_limit']:.0f} s · best {_fmt(snap['objective'])} · bound "
        f"{_fmt(snap['bound'])} · gap {_fmt(snap['gap'], pct=True)}"
    )
    st.progress(1.0 if status in ("done", "cancelled") else frac, text=label)
    if status == "running" and job is not None:
        if st.button("Cancel", key=key):
            job.cancel()
    elif status == "failed":
        st.error(f"{snap['name']}: {snap['error']}")
    elif status in ("done", "cancelled"):
        if snap["error"]:
            st.warning(snap["error"])
        st.success(
            f"{snap['name']}: {status}; saved as variant **{snap['name']}**"
            + (" (stopped early: best roster so far)" if status == "cancelled" else "")
        )
    if len(snap["history"]) > 1:
        st.plotly_chart(charts.progress_chart(snap["history"]), width="stretch", key=f"chart_{key}")


def page_header(title: str, v: Variant | None, ws: Workspace) -> None:
    st.title(title)
    if v is not None:
        st.caption(
            f"Scenario **{ws.scenario.scenario}** · variant **{v.name}**"
            + (f" ({', '.join(f'{k}={x}' for k, x in v.overrides.items())})" if v.overrides else "")
            + f" · source {v.source}"
        )
