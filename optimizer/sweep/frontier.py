"""The cost-vs-service-level frontier of a sweep (Plotly: HTML when plotly is
installed, PNG when kaleido is too — both come with the `[sweep]` extra).

Each stored run of the sweep is a point: x the roster's cost in the reporting
currency, y the service level over all live queues weighted by contacts
(recomputed from the stored coverage table). A point is on the frontier when
no cheaper-or-equal run reaches a service level as high.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from optimizer.store import RunStore

_NO_PLOTS = "plots need the [sweep] extra (pip install 'sunroster[sweep]')"


def overall_service_level(coverage: pd.DataFrame) -> float | None:
    """Contact-weighted service level over the cells that have one."""
    if coverage.empty or "service_level" not in coverage:
        return None
    sl = coverage["service_level"].to_numpy(float)
    w = coverage["contacts"].to_numpy(float)
    m = ~np.isnan(sl) & (w > 0)
    return float((sl[m] * w[m]).sum() / w[m].sum()) if m.any() else None


def sweep_frame(store: RunStore, sweep_id: str) -> pd.DataFrame:
    """One row per stored run of the sweep, with the frontier flag."""
    rows = []
    for rec in store.list_runs(sweep_id=sweep_id):
        run = store.get(rec.id)
        row = {
            "run_id": rec.id,
            "point": " ".join(f"{k}={v}" for k, v in rec.overrides.items()) or "(base)",
            "status": rec.status,
            "cost": rec.cost_reporting_currency,
            "objective": rec.objective,
            "gap": rec.gap,
            "under_cover_hours": rec.under_cover_agent_hours,
            "service_level": overall_service_level(run.coverage),
        }
        for tier, sl in (run.summary.get("service_level_by_tier") or {}).items():
            row[f"sl_{tier}"] = sl
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame = frame.sort_values(["cost", "service_level"], ascending=[True, False], kind="stable")
    best = frame["service_level"].fillna(-1.0).cummax().shift(fill_value=-np.inf)
    frame["frontier"] = frame["service_level"].fillna(-1.0) > best
    return frame.reset_index(drop=True)


def frontier_figure(frame: pd.DataFrame, title: str, currency: str = ""):  # type: ignore[no-untyped-def]
    import plotly.graph_objects as go

    hover = frame["point"] + "<br>run #" + frame["run_id"].astype(str)
    for c in [c for c in frame.columns if c.startswith("sl_")]:
        hover = (
            hover + f"<br>SL {c[3:]}: " + frame[c].map(lambda x: "—" if pd.isna(x) else f"{x:.1%}")
        )
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=frame["cost"], y=frame["service_level"], mode="markers", name="runs",
        text=hover, hovertemplate="%{text}<br>cost %{x:,.0f}<br>SL %{y:.1%}<extra></extra>",
        marker={"size": 9, "color": "#8fa8c8"},
    ))  # fmt: skip
    f = frame[frame["frontier"]]
    fig.add_trace(go.Scatter(
        x=f["cost"], y=f["service_level"], mode="lines+markers", name="frontier",
        text=hover[frame["frontier"]], hovertemplate="%{text}<br>cost %{x:,.0f}<br>SL %{y:.1%}<extra></extra>",
        line={"color": "#d0573b", "width": 2}, marker={"size": 10},
    ))  # fmt: skip
    fig.update_layout(
        title=title,
        xaxis_title=f"roster cost ({currency})" if currency else "roster cost",
        yaxis_title="service level (all live queues, contact-weighted)",
        yaxis_tickformat=".0%",
        template="plotly_white",
    )
    return fig


def write_frontier(
    store: RunStore, sweep_id: str, outdir: Path, title: str, currency: str = ""
) -> tuple[pd.DataFrame, list[Path], str | None]:
    """frontier.html (+ frontier.png when possible) and sweep.csv under `outdir`;
    returns the table, the files written and a note when the PNG was skipped."""
    frame = sweep_frame(store, sweep_id)
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    frame.to_csv(outdir / "sweep.csv", index=False)
    written.append(outdir / "sweep.csv")
    if frame.empty:
        return frame, written, "no stored run in this sweep: no plot"
    try:
        fig = frontier_figure(frame, title, currency)
    except ImportError:
        return frame, written, f"frontier.html skipped: {_NO_PLOTS}"
    fig.write_html(outdir / "frontier.html", include_plotlyjs=True)  # self-contained: works offline
    written.append(outdir / "frontier.html")
    note = _write_png(fig, outdir / "frontier.png")
    if note is None:
        written.append(outdir / "frontier.png")
    return frame, written, note


def _write_png(fig: object, path: Path, attempts: int = 3) -> str | None:
    """Draw `fig` to `path` with kaleido; None when written, else why not.

    kaleido starts a headless browser for each image; on a loaded machine that
    start can fail once and work the next time, so a failure is retried."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return f"frontier.png skipped: {_NO_PLOTS}"
    # kaleido renders with a Chrome; use the system's Chromium (Debian) if there is one
    system = shutil.which("chromium") or shutil.which("chromium-browser")
    if system and "BROWSER_PATH" not in os.environ:
        os.environ["BROWSER_PATH"] = system
    errors = []
    for _ in range(attempts):
        try:
            fig.write_image(path, width=1000, height=650)  # type: ignore[attr-defined]
            return None
        except Exception as exc:  # no browser to render with, browser start failed, etc.
            text = str(exc).strip().splitlines()
            errors.append(f"{type(exc).__name__}: {text[0] if text else ''}")
    return f"frontier.png skipped after {attempts} tries: " + "; ".join(dict.fromkeys(errors))
