"""Plotly figures of the dashboard's tables (no Streamlit here)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from dashboard.data.cost import PREMIUM_COMPONENTS
from dashboard.data.coverage import Matrix
from dashboard.data.quality import StartGrid

SITE_PALETTE = px.colors.qualitative.Bold
COMPONENT_COLOURS = {
    "base": "#4C78A8",
    "night": "#54A24B",
    "weekend": "#F58518",
    "holiday": "#E45756",
    "overtime": "#B279A2",
}


def heatmap(m: Matrix, value: str, title: str = "") -> go.Figure:
    """Rows × intervals; for gaps a diverging scale centred on 0 (red = short)."""
    diverging = value in ("gap", "difference", "difference_short")
    z = m.z.astype(float)
    kw: dict = {}
    if diverging:
        lim = max(1.0, float(np.nanmax(np.abs(z))) if z.size else 1.0)
        scale = "RdBu_r" if value == "difference_short" else "RdBu"  # red = worse
        kw = {"colorscale": scale, "zmid": 0, "zmin": -lim, "zmax": lim}
    elif value == "short":
        kw = {"colorscale": "Reds", "zmin": 0}
    else:
        kw = {"colorscale": "Viridis"}
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=m.x,
            y=m.rows,
            colorbar={"title": "agents"},
            hovertemplate="%{y}<br>%{x}<br>%{z:.0f} agents<extra></extra>",
            **kw,
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title=f"interval start ({m.clock})",
        height=max(260, 22 * len(m.rows) + 120),
        margin={"l": 10, "r": 10, "t": 40, "b": 40},
        yaxis={"autorange": "reversed"},
    )
    return fig


def sl_lines(df: pd.DataFrame, by: str) -> go.Figure:
    """Achieved service level per group over time, with dotted targets."""
    fig = go.Figure()
    for i, (g, d) in enumerate(df.groupby(by, sort=False)):
        colour = px.colors.qualitative.Plotly[i % 10]
        fig.add_scatter(
            x=d["period"], y=d["service_level"], name=str(g), mode="lines+markers",
            line={"color": colour},
        )  # fmt: skip
        fig.add_scatter(
            x=d["period"], y=d["target"], name=f"{g} target", mode="lines",
            line={"color": colour, "dash": "dot"}, showlegend=False,
        )  # fmt: skip
    fig.update_layout(
        yaxis={"tickformat": ".0%", "title": "service level"},
        xaxis_title="UTC",
        height=360,
        margin={"l": 10, "r": 10, "t": 30, "b": 30},
    )
    return fig


def sl_vs_target(markets: pd.DataFrame) -> go.Figure:
    """Bars of achieved service level per market, target marks."""
    d = markets.dropna(subset=["service_level"])
    fig = go.Figure()
    fig.add_bar(
        x=d["market"], y=d["service_level"], name="achieved",
        marker_color=np.where(d["service_level"] >= d["target"] - 1e-9, "#54A24B", "#E45756"),
    )  # fmt: skip
    fig.add_scatter(
        x=d["market"], y=d["target"], name="target", mode="markers",
        marker={"symbol": "line-ew-open", "size": 28, "color": "black", "line": {"width": 3}},
    )  # fmt: skip
    fig.update_layout(
        yaxis={"tickformat": ".0%", "range": [0, 1.05]},
        height=320,
        margin={"l": 10, "r": 10, "t": 30, "b": 30},
    )
    return fig


def site_colours(sites: list[str]) -> dict[str, str]:
    out = {s: SITE_PALETTE[i % len(SITE_PALETTE)] for i, s in enumerate(sites)}
    out["required"] = "#DDDDDD"
    return out


def follow_the_sun(bars: pd.DataFrame, sites: list[str], markets: list[str]) -> go.Figure:
    """One band per market (rows: the market's requirement, then each site
    serving it), coloured by site, over 24 h UTC."""
    d = bars.copy()
    d["row"] = d["market"] + " · " + d["site"]
    order = [f"{m} · {s}" for m in markets for s in ["required", *sites]]
    order = [r for r in order if r in set(d["row"])]
    fig = px.timeline(
        d, x_start="start", x_end="end", y="row", color="site",
        color_discrete_map=site_colours(sites), hover_data={"agents": True, "row": False},
        category_orders={"row": order, "site": ["required", *sites]},
    )  # fmt: skip
    fig.update_layout(
        height=max(300, 17 * len(order) + 120),
        xaxis_title="UTC",
        yaxis_title="",
        margin={"l": 10, "r": 10, "t": 30, "b": 30},
        legend_title="site",
    )
    return fig


def clocks(clk: pd.DataFrame, order: list[str]) -> go.Figure:
    """Each site's local time at every UTC hour; light = 08:00–20:00 local."""
    piv_h = clk.pivot(index="site", columns="utc", values="local_hour").reindex(order)
    piv_t = clk.pivot(index="site", columns="utc", values="local").reindex(order)
    day = ((piv_h >= 8) & (piv_h < 20)).astype(float)
    fig = go.Figure(
        go.Heatmap(
            z=day.to_numpy(), x=piv_h.columns, y=order, text=piv_t.to_numpy(),
            texttemplate="%{text}", colorscale=[[0, "#2E3B55"], [1, "#FFE9A8"]],
            showscale=False, hovertemplate="%{y} local %{text} at %{x|%H:%M} UTC<extra></extra>",
            xgap=1, ygap=1,
        )
    )  # fmt: skip
    fig.update_layout(
        height=60 + 28 * len(order),
        xaxis={"title": "UTC", "tickformat": "%H:%M", "dtick": 3 * 3600 * 1000},
        yaxis={"autorange": "reversed"},
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
    )
    return fig


def gantt(seg: pd.DataFrame, colours: dict[str, str], by: str = "agent") -> go.Figure:
    """Segments as bars in site local time; queue colours, breaks grey."""
    d = seg.copy()
    d["label"] = d["agent_id"] + " · " + d["name"]
    order = sorted(d["label"].unique(), key=lambda s: s)
    fig = px.timeline(
        d, x_start="start_local", x_end="end_local", y="label", color="activity",
        color_discrete_map=colours,
        hover_data={"site": True, "team": True, "languages": True, "shift_date": True, "label": False},
        category_orders={"label": order},
    )  # fmt: skip
    fig.update_layout(
        height=max(300, 20 * len(order) + 120),
        xaxis_title="site local time",
        yaxis_title="",
        legend_title="queue",
        margin={"l": 10, "r": 10, "t": 30, "b": 30},
    )
    return fig


def cost_by_site(df: pd.DataFrame, currency: str) -> go.Figure:
    """Stacked bars: reporting-currency cost per site, by component."""
    fig = px.bar(
        df, x="site", y="cost_reporting", color="component",
        category_orders={"component": list(PREMIUM_COMPONENTS)},
        color_discrete_map=COMPONENT_COLOURS, labels={"cost_reporting": f"cost ({currency})"},
    )  # fmt: skip
    fig.update_layout(height=360, margin={"l": 10, "r": 10, "t": 30, "b": 30})
    return fig


def progress_chart(history: pd.DataFrame) -> go.Figure:
    """Best objective and bound over the solve's seconds."""
    fig = go.Figure()
    fig.add_scatter(
        x=history["elapsed"], y=history["objective"], name="best objective", mode="lines+markers"
    )
    fig.add_scatter(x=history["elapsed"], y=history["bound"], name="bound", mode="lines+markers")
    fig.update_layout(
        height=240, xaxis_title="seconds", margin={"l": 10, "r": 10, "t": 20, "b": 30}
    )
    return fig


def compare_bars(df: pd.DataFrame, names: list[str], currency: str) -> go.Figure:
    d = df.drop(index="total", errors="ignore")[names].reset_index(names="site")
    long = d.melt(id_vars="site", var_name="variant", value_name="cost")
    fig = px.bar(
        long,
        x="site",
        y="cost",
        color="variant",
        barmode="group",
        labels={"cost": f"cost ({currency})"},
    )
    fig.update_layout(height=340, margin={"l": 10, "r": 10, "t": 30, "b": 30})
    return fig


def start_times(g: StartGrid) -> go.Figure:
    """Agents × dates, colour = local start hour on a cyclic scale (23:00 and
    01:00 look alike), blank = day off; the cell label is the start time."""
    fig = go.Figure(
        go.Heatmap(
            z=np.where(np.isnan(g.hour), None, g.hour).tolist(),  # None: a gap (day off)
            x=[d.isoformat() for d in g.dates], y=g.agents, text=g.text.tolist(),
            colorscale="Twilight", zmin=0, zmax=24, hoverongaps=False, xgap=1, ygap=1,
            colorbar={"title": "local start", "tickvals": [0, 6, 12, 18, 24],
                      "ticktext": ["00:00", "06:00", "12:00", "18:00", "24:00"]},
            hovertemplate="%{y}<br>%{x}<br>starts %{text}<extra></extra>",
        )
    )  # fmt: skip
    fig.update_layout(
        title=f"{g.site}: shift starts (site local time); blank = day off, ☾ = night shift",
        height=max(260, 16 * len(g.agents) + 140),
        xaxis={"title": "shift date", "type": "category", "tickangle": -45},
        yaxis={"autorange": "reversed", "title": ""},
        margin={"l": 10, "r": 10, "t": 40, "b": 40},
    )
    return fig
