"""Roster quality: the headline KPIs of `optimizer.quality`, per site, by
their plain-words names, and the Start times page's agents × dates grid."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from optimizer.quality import HEADLINE

if TYPE_CHECKING:
    from dashboard.data.variant import Variant


def quality_headline(v: Variant) -> dict[str, Any]:
    """The roster-quality KPIs as summary.json's `quality` holds them."""
    return v.quality.to_dict()


def quality_by_site(v: Variant) -> pd.DataFrame:
    """Per site: shifts, night shifts and their share, longest run of nights,
    paid hours and the share of them in local daytime."""
    cols = ["site", "shifts", "night_shifts", "night_shift_share", "longest_night_run",
            "paid_hours", "daytime_hours_share"]  # fmt: skip
    rows = [{c: getattr(s, c) for c in cols} for s in v.quality.by_site]
    return pd.DataFrame(rows, columns=cols)


@dataclass(frozen=True)
class StartGrid:
    """Agents × dates of one site: local start hour (NaN: no shift that date)
    and a label per cell ("HH:MM", "☾" for a night shift, "" for a day off)."""

    agents: list[str]
    dates: list[dt.date]
    hour: np.ndarray  # float [agents, dates]
    text: np.ndarray  # str [agents, dates]
    site: str


def start_grid(v: Variant, site: str, team: str | None = None, order: str = "agent") -> StartGrid:
    """Each agent of `site` (optionally of one `team`) over the horizon's
    dates: the local start of the shift on that shift date, blank on a day
    off. `order`: "agent" (id) or "start" (median start hour, earliest first;
    agents without shifts last)."""
    sc = v.scenario
    agents = [a.id for a in sc.agents if a.site == site and (team is None or a.team == team)]
    t = v.starts
    t = t[t["site"] == site]
    if team is None:  # agents rostered here whom the scenario places elsewhere
        agents += sorted(set(t["agent_id"]) - set(agents))
    t = t[t["agent_id"].isin(agents)]
    dates = sc.horizon.dates()
    d0 = sc.horizon.start
    r = pd.Index(agents).get_indexer(t["agent_id"])
    c = (pd.to_datetime(t["shift_date"]) - pd.Timestamp(d0)).dt.days.to_numpy()
    keep = (c >= 0) & (c < len(dates))
    r, c, t = r[keep], c[keep], t[keep]
    minute = t["start_minute"].to_numpy(np.int64)
    hour = np.full((len(agents), len(dates)), np.nan)
    hour[r, c] = minute / 60.0
    text = np.full(hour.shape, "", dtype=object)
    label = (
        pd.Series(minute // 60).map("{:02d}".format)
        + ":"
        + pd.Series(minute % 60).map("{:02d}".format)
    )
    text[r, c] = (label + np.where(t["night"].to_numpy(bool), " ☾", "")).to_numpy()
    if order == "start" and len(agents):
        counts = (~np.isnan(hour)).sum(axis=1)
        key = np.full(len(agents), np.inf)
        worked = counts > 0
        key[worked] = np.nanmedian(hour[worked], axis=1)
        idx = np.argsort(key, kind="stable")
        agents = [agents[i] for i in idx]
        hour, text = hour[idx], text[idx]
    return StartGrid(agents, dates, hour, text, site)


def quality_rows(v: Variant) -> dict[str, float | None]:
    """The headline quality KPIs by their plain-words names (compare tables)."""
    d = v.quality.to_dict()
    return {f"quality: {label}": d.get(key) for key, label, _ in HEADLINE}
