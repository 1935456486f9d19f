"""Coverage: required vs scheduled agents per queue and interval as a long
table and as heatmap matrices (UTC or a market's clock), service level over
time, and the runs of under-covered intervals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from dashboard.data.clock import local_naive, utc_index

if TYPE_CHECKING:
    from dashboard.data.variant import Variant


def coverage_long(v: Variant) -> pd.DataFrame:
    """One row per queue and interval: queue, market, tier, channel, language, t
    (epoch minutes), contacts, required, scheduled, gap (scheduled − required),
    short (agents missing), open, service_level."""
    sc, req = v.scenario, v.prep.requirements
    q_n, t_n = req.required.shape
    qs = sc.queues
    rep = np.repeat
    return pd.DataFrame(
        {
            "queue": rep([q.id for q in qs], t_n),
            "market": rep([q.market for q in qs], t_n),
            "tier": rep([sc.market_by_id[q.market].tier for q in qs], t_n),
            "channel": rep([q.channel for q in qs], t_n),
            "language": rep([q.language for q in qs], t_n),
            "t": np.tile(req.grid.starts, q_n),
            "contacts": req.contacts.ravel(),
            "required": req.required.ravel(),
            "scheduled": v.scheduled.ravel(),
            "gap": (v.scheduled - req.required).ravel(),
            "short": np.clip(req.required - v.scheduled, 0, None).ravel(),
            "open": req.open.ravel(),
            "service_level": v.sl.ravel(),
        }
    )


@dataclass(frozen=True)
class Matrix:
    """A heatmap: row labels, column instants (naive datetimes) and values [rows, cols]."""

    rows: list[str]
    x: pd.DatetimeIndex
    z: np.ndarray
    clock: str  # "UTC" or a zone name


def coverage_matrix(
    v: Variant,
    by: str = "market",
    value: str = "gap",
    clock: str = "UTC",
    market: str | None = None,
    start: int | None = None,
    end: int | None = None,
) -> Matrix:
    """Rows = markets or queues, columns = grid intervals in [start, end) (epoch
    minutes), values = required, scheduled, gap or short (agents, summed over
    the row's queues). With `clock="local"` the columns are in `market`'s local
    time and the rows are restricted to that market."""
    sc, req = v.scenario, v.prep.requirements
    arrays = {
        "required": req.required,
        "scheduled": v.scheduled,
        "gap": v.scheduled - req.required,
        "short": np.clip(req.required - v.scheduled, 0, None),
    }
    if value not in arrays:
        raise ValueError(f"value must be one of {', '.join(arrays)}")
    a = arrays[value]
    t = req.grid.starts
    cols = np.ones(len(t), dtype=bool)
    if start is not None:
        cols &= t >= start
    if end is not None:
        cols &= t < end
    q_rows = np.arange(len(sc.queues))
    if market is not None:
        q_rows = np.array([i for i, q in enumerate(sc.queues) if q.market == market], dtype=int)
    if by == "queue":
        rows = [sc.queues[i].id for i in q_rows]
        z = a[q_rows][:, cols]
    elif by == "market":
        kept = {sc.queues[i].market for i in q_rows}
        rows = [m.id for m in sc.markets if m.id in kept]
        z = np.stack(
            [a[[i for i in q_rows if sc.queues[i].market == m]][:, cols].sum(axis=0) for m in rows]
        ) if rows else np.zeros((0, int(cols.sum())), dtype=a.dtype)  # fmt: skip
    else:
        raise ValueError("by must be 'queue' or 'market'")
    if clock == "local":
        if market is None:
            raise ValueError("local time needs a market")
        tz = sc.market_by_id[market].timezone
        return Matrix(rows, local_naive(t[cols], tz), z, tz)
    return Matrix(rows, utc_index(t[cols]), z, "UTC")


def service_level_over_time(v: Variant, by: str = "tier", freq: str = "D") -> pd.DataFrame:
    """Contact-weighted achieved service level per group (tier or market) and
    period (`freq`: a pandas frequency, UTC), over open voice and chat
    intervals; with the group's contact-weighted target."""
    c = v.coverage
    live = c[c["service_level"].notna() & (c["contacts"] > 0)]
    if live.empty:
        return pd.DataFrame(columns=[by, "period", "service_level", "target", "contacts"])
    sc = v.scenario
    target = {q.id: sc.tier_of(q).sla[q.channel].level for q in sc.queues if q.channel != "email"}
    live = live.assign(
        period=utc_index(live["t"].to_numpy()).floor(freq),
        w_sl=live["service_level"] * live["contacts"],
        w_target=live["queue"].map(target).astype(float) * live["contacts"],
    )
    g = live.groupby([by, "period"], sort=True)[["w_sl", "w_target", "contacts"]].sum()
    g["service_level"] = g["w_sl"] / g["contacts"]
    g["target"] = g["w_target"] / g["contacts"]
    return g.reset_index()[[by, "period", "service_level", "target", "contacts"]]


def gap_runs(v: Variant, limit: int = 50) -> pd.DataFrame:
    """Maximal runs of consecutive under-covered intervals per queue, largest
    shortfall (agent-hours) first: queue, market, start, end (UTC), intervals,
    peak_short, agent_hours_short."""
    req = v.prep.requirements
    short = np.clip(req.required - v.scheduled, 0, None)
    hours = req.grid.interval / 60.0
    rows = []
    for qi, q in enumerate(v.scenario.queues):
        s = short[qi] > 0
        if not s.any():
            continue
        d = np.diff(np.concatenate([[0], s.astype(np.int8), [0]]))
        for a, b in zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1), strict=True):
            rows.append({
                "queue": q.id, "market": q.market, "start": int(req.grid.starts[a]),
                "end": int(req.grid.starts[a] + (b - a) * req.grid.interval), "intervals": int(b - a),
                "peak_short": int(short[qi, a:b].max()), "agent_hours_short": float(short[qi, a:b].sum() * hours),
            })  # fmt: skip
    cols = ["queue", "market", "start", "end", "intervals", "peak_short", "agent_hours_short"]
    out = pd.DataFrame(rows, columns=cols)
    out = out.sort_values(["agent_hours_short", "start"], ascending=[False, True]).head(limit)
    out["start"] = utc_index(out["start"].to_numpy())
    out["end"] = utc_index(out["end"].to_numpy())
    return out.reset_index(drop=True)
