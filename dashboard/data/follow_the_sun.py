"""Follow the sun: which site serves which market when, each site's local
clock over a UTC day, and the order in which the day passes east to west."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from dashboard.data.clock import local_naive, utc_index
from optimizer.roster import Roster
from optimizer.scenario.model import Scenario

if TYPE_CHECKING:
    from dashboard.data.variant import Variant


def site_market_counts(v: Variant) -> np.ndarray:
    """[S, M, T]: agents of each site working any queue of each market per interval."""
    sc, req = v.scenario, v.prep.requirements
    g = req.grid
    seg = v.output.roster.segments
    m_index = {m.id: i for i, m in enumerate(sc.markets)}
    onehot = np.zeros((len(sc.markets), len(sc.queues)))
    for qi, q in enumerate(sc.queues):
        onehot[m_index[q.market], qi] = 1.0
    out = np.zeros((len(sc.sites), len(sc.markets), g.n), dtype=np.int64)
    for si, s in enumerate(sc.sites):
        sub = seg[seg["site"] == s.id]
        if sub.empty:
            continue
        qt = Roster(sub.reset_index(drop=True)).coverage(req.queue_ids, g.start, g.interval, g.n)
        out[si] = np.rint(onehot @ qt).astype(np.int64)
    return out


def follow_the_sun(v: Variant, day: dt.date) -> pd.DataFrame:
    """Bars for one UTC day: market, site, start, end (naive UTC), agents (peak
    in the bar), one row per maximal run of intervals in which the site has
    agents on the market's queues. Also a `required` row per market (site =
    "required") where the market needs anyone."""
    sc, req = v.scenario, v.prep.requirements
    g = req.grid
    t0 = int(pd.Timestamp(day).value // 60_000_000_000)
    cols = np.flatnonzero((g.starts >= t0) & (g.starts < t0 + 1440))
    counts = v.site_market[:, :, cols]
    m_req = np.zeros((len(sc.markets), len(cols)))
    m_index = {m.id: i for i, m in enumerate(sc.markets)}
    for qi, q in enumerate(sc.queues):
        m_req[m_index[q.market]] += req.required[qi, cols]
    rows: list[dict[str, Any]] = []

    def runs(mask: np.ndarray) -> list[tuple[int, int]]:
        d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
        return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1), strict=True))

    for mi, m in enumerate(sc.markets):
        for a, b in runs(m_req[mi] > 0):
            rows.append({"market": m.id, "site": "required", "start": int(g.starts[cols[a]]),
                         "end": int(g.starts[cols[b - 1]] + g.interval), "agents": int(m_req[mi, a:b].max())})  # fmt: skip
        for si, s in enumerate(sc.sites):
            for a, b in runs(counts[si, mi] > 0):
                rows.append({"market": m.id, "site": s.id, "start": int(g.starts[cols[a]]),
                             "end": int(g.starts[cols[b - 1]] + g.interval), "agents": int(counts[si, mi, a:b].max())})  # fmt: skip
    out = pd.DataFrame(rows, columns=["market", "site", "start", "end", "agents"])
    out["start"] = utc_index(out["start"].to_numpy())
    out["end"] = utc_index(out["end"].to_numpy())
    return out


def site_clocks(scenario: Scenario, day: dt.date) -> pd.DataFrame:
    """Each site's local clock at every whole UTC hour of `day`: site, city,
    utc (naive), local (HH:MM), local_hour, daylight (08:00–20:00 local)."""
    t0 = int(pd.Timestamp(day).value // 60_000_000_000)
    t = t0 + 60 * np.arange(24, dtype=np.int64)
    frames = []
    for s in scenario.sites:
        loc = local_naive(t, s.timezone)
        frames.append(pd.DataFrame({
            "site": s.id, "city": s.city, "utc": utc_index(t), "local": loc.strftime("%H:%M"),
            "local_hour": loc.hour + loc.minute / 60.0, "daylight": (loc.hour >= 8) & (loc.hour < 20),
        }))  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def handover_order(scenario: Scenario, day: dt.date) -> list[str]:
    """Sites from east to west (largest UTC offset at noon UTC of `day` first):
    the order in which the day passes from APAC to EMEA to AMER."""
    t = np.array([int(pd.Timestamp(day).value // 60_000_000_000) + 720], dtype=np.int64)
    noon = pd.Timestamp(t[0] * 60, unit="s")
    offset = {
        s.id: (local_naive(t, s.timezone)[0] - noon) / pd.Timedelta(minutes=1)
        for s in scenario.sites
    }
    return sorted(offset, key=lambda k: (-offset[k], k))
