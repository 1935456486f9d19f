"""The roster Gantt's table: segments with agent and queue attributes in
site-local time, its filters, and a stable colour per queue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from dashboard.data.clock import local_naive
from optimizer.roster import BREAK
from optimizer.scenario.model import Scenario

if TYPE_CHECKING:
    from dashboard.data.variant import Variant


def roster_frame(v: Variant) -> pd.DataFrame:
    """Segments with agent attributes and naive site-local start/end, for the Gantt:
    agent_id, name, site, team, languages, activity, market, channel, shift_date,
    start, end (epoch minutes), start_local, end_local."""
    sc = v.scenario
    seg = v.output.roster.segments.copy()
    agents = sc.agent_by_id
    seg["name"] = seg["agent_id"].map(lambda a: agents[a].name if a in agents else a)
    seg["team"] = seg["agent_id"].map(lambda a: (agents[a].team or "") if a in agents else "")
    seg["languages"] = seg["agent_id"].map(
        lambda a: ";".join(agents[a].languages) if a in agents else ""
    )
    qm = {q.id: q for q in sc.queues}
    seg["market"] = seg["activity"].map(lambda x: qm[x].market if x in qm else "")
    seg["channel"] = seg["activity"].map(lambda x: qm[x].channel if x in qm else "break")
    start_local = pd.Series(pd.NaT, index=seg.index, dtype="datetime64[ns]")
    end_local = start_local.copy()
    for s in sc.sites:
        sel = (seg["site"] == s.id).to_numpy()
        if sel.any():
            start_local[sel] = local_naive(seg.loc[sel, "start"].to_numpy(), s.timezone)
            end_local[sel] = local_naive(seg.loc[sel, "end"].to_numpy(), s.timezone)
    seg["start_local"] = start_local
    seg["end_local"] = end_local
    return seg


def gantt_filter(
    seg: pd.DataFrame,
    site: str | None = None,
    team: str | None = None,
    agents: Sequence[str] = (),
    language: str | None = None,
    queue: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> pd.DataFrame:
    """Segments of the shifts matching every given filter. `language`: agents who
    speak it; `queue`: shifts with any minute on that queue (their breaks too);
    dates: the shift's local `shift_date` in [date_from, date_to]."""
    m = np.ones(len(seg), dtype=bool)
    if site:
        m &= (seg["site"] == site).to_numpy()
    if team:
        m &= (seg["team"] == team).to_numpy()
    if agents:
        m &= seg["agent_id"].isin(list(agents)).to_numpy()
    if language:
        m &= seg["languages"].str.split(";").map(lambda x: language in x).to_numpy(dtype=bool)
    if date_from is not None:
        m &= (seg["shift_date"] >= date_from).to_numpy()
    if date_to is not None:
        m &= (seg["shift_date"] <= date_to).to_numpy()
    out = seg[m]
    if queue:
        keys = out.loc[out["activity"] == queue, ["agent_id", "shift_date"]].drop_duplicates()
        out = out.merge(keys, on=["agent_id", "shift_date"], how="inner")
    return out.reset_index(drop=True)


def queue_colours(scenario: Scenario) -> dict[str, str]:
    """A stable colour per queue (Plotly's qualitative palette) and grey for BREAK."""
    palette = [
        "#636EFA", "#EF553B", "#00CC96", "#AB63FA", "#FFA15A", "#19D3F3", "#FF6692", "#B6E880",
        "#FF97FF", "#FECB52", "#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B",
        "#E377C2", "#7F7F7F", "#BCBD22", "#17BECF",
    ]  # fmt: skip
    out = {q.id: palette[i % len(palette)] for i, q in enumerate(scenario.queues)}
    out[BREAK] = "#C8C8C8"
    return out
