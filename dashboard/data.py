"""The dashboard's logic, free of Streamlit: load a scenario and its solved
roster, and turn them into the tables and matrices the pages draw.

Everything here is a plain function of a `RunOutput` (or of files), so it is
unit-tested without a browser; `dashboard/state.py` adds Streamlit's caches on
top. A `Variant` is one roster of one scenario (the baseline, a what-if, a
stored run) and keeps its derived tables in cached properties, so each is
computed once per process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import threading
import time
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
from ruamel.yaml import YAML

from optimizer.kpi import scheduled_counts, service_levels
from optimizer.pipeline import Prepared, RunOutput, evaluate, prepare, run
from optimizer.quality import HEADLINE, Quality, quality_kpis, shift_table
from optimizer.roster import BREAK, Roster
from optimizer.scenario.errors import ScenarioError
from optimizer.scenario.load import load_scenario_with_warnings
from optimizer.scenario.model import Scenario
from optimizer.solve.result import SolveResult
from optimizer.solve.stop import ProgressEvent, StopCriteria
from optimizer.whatif import WhatIf, apply, lever_changes

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = REPO / "scenarios" / "global-baseline.yaml"
PREMIUM_COMPONENTS = ("base", "night", "weekend", "holiday", "overtime")


# ------------------------------------------------------------------ files


def _referenced_files(yaml_path: Path) -> list[Path]:
    """The CSV tables a scenario YAML names (agents, demand), if any."""
    try:
        doc = YAML(typ="safe", pure=True).load(yaml_path.read_text(encoding="utf-8"))
    except Exception:
        return []
    if not isinstance(doc, dict):
        return []
    out = []
    for key in ("agents", "demand"):
        v = doc.get(key)
        if isinstance(v, str):
            out.append(yaml_path.parent / v)
    return out


def fingerprint(yaml_path: str | Path) -> str:
    """A short hash of a scenario's YAML bytes and its tables' size and mtime:
    the cache key of everything derived from the scenario."""
    p = Path(yaml_path)
    h = hashlib.sha256(p.read_bytes())
    for f in _referenced_files(p):
        if f.is_file():
            st = f.stat()
            h.update(f"{f.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def find_run_dir(scenario_id: str, roots: Iterable[Path]) -> Path | None:
    """The newest solve output (roster.csv + summary.json naming this scenario)
    directly under any of `roots`, or one of `roots` itself."""
    found: list[tuple[float, Path]] = []
    for root in roots:
        root = Path(root)
        if not root.is_dir():
            continue
        for d in [root, *sorted(x for x in root.iterdir() if x.is_dir())]:
            s, r = d / "summary.json", d / "roster.csv"
            if not (s.is_file() and r.is_file()):
                continue
            try:
                sid = json.loads(s.read_text(encoding="utf-8")).get("scenario")
            except (OSError, ValueError):
                continue
            if sid == scenario_id:
                found.append((s.stat().st_mtime, d))
    return max(found)[1] if found else None


def result_from_summary(summary: dict[str, Any], roster: Roster) -> SolveResult:
    """A SolveResult rebuilt from summary.json and a roster (no solve)."""
    return SolveResult(
        status=str(summary.get("status", "UNKNOWN")),
        roster=roster,
        objective=summary.get("objective"),
        bound=summary.get("bound"),
        gap=summary.get("gap"),
        bound_method=str(summary.get("bound_method", "")),
        solve_seconds=float(summary.get("solve_seconds") or 0.0),
        first_feasible_seconds=summary.get("first_feasible_seconds"),
        terms=dict(summary.get("objective_terms") or {}),
        switches=int(summary.get("switches") or 0),
        stats=dict(summary.get("stats") or {}),
    )


def load_run_dir(prep: Prepared, outdir: str | Path) -> RunOutput:
    """A solve's output folder measured again against the scenario."""
    d = Path(outdir)
    summary = json.loads((d / "summary.json").read_text(encoding="utf-8"))
    roster = Roster.read_csv(d / "roster.csv")
    return evaluate(prep, result_from_summary(summary, roster))


def roster_from_frame(frame: pd.DataFrame) -> Roster:
    """A Roster from a roster.csv-shaped table (as the run store returns it)."""
    if {"start", "end"}.issubset(frame.columns):
        return Roster.from_segments(frame)
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    tmp = Path(_scratch_dir()) / f"roster-{time.monotonic_ns()}.csv"
    tmp.write_text(buf.getvalue(), encoding="utf-8")
    try:
        return Roster.read_csv(tmp)
    finally:
        tmp.unlink(missing_ok=True)


def _scratch_dir() -> str:
    import tempfile

    return tempfile.gettempdir()


# ------------------------------------------------------------------ variants


def utc_index(t: np.ndarray) -> pd.DatetimeIndex:
    """Epoch minutes → naive UTC datetimes (what Plotly draws)."""
    return pd.DatetimeIndex(pd.to_datetime(np.asarray(t, dtype=np.int64) * 60, unit="s"))


def local_naive(t: np.ndarray, tz: str) -> pd.DatetimeIndex:
    """Epoch minutes → naive wall-clock datetimes in `tz`."""
    utc = pd.to_datetime(np.asarray(t, dtype=np.int64) * 60, unit="s", utc=True)
    return pd.DatetimeIndex(utc.tz_convert(tz).tz_localize(None))


@dataclass
class Variant:
    """One roster of one scenario, with its derived tables computed on first use."""

    name: str
    output: RunOutput
    overrides: dict[str, str] = field(default_factory=dict)
    source: str = ""
    run_id: int | None = None
    files: dict[str, bytes] | None = None  # downloads, made on request

    @property
    def scenario(self) -> Scenario:
        return self.output.scenario

    @property
    def prep(self) -> Prepared:
        return self.output.prepared

    @cached_property
    def scheduled(self) -> np.ndarray:
        """[Q, T] agents on each queue."""
        return scheduled_counts(self.prep.requirements, self.output.roster)

    @cached_property
    def sl(self) -> np.ndarray:
        """[Q, T] achieved service level (NaN for email and closed intervals)."""
        return service_levels(self.scenario, self.prep.requirements, self.scheduled)

    @cached_property
    def coverage(self) -> pd.DataFrame:
        return coverage_long(self)

    @cached_property
    def site_market(self) -> np.ndarray:
        return site_market_counts(self)

    @cached_property
    def segments(self) -> pd.DataFrame:
        return roster_frame(self)

    @cached_property
    def cost(self) -> pd.DataFrame:
        return cost_components(self.scenario, self.output.kpis.priced)

    @cached_property
    def quality(self) -> Quality:
        """Roster-quality KPIs (from the KPIs when they carry them)."""
        q = self.output.kpis.quality
        return q if q is not None else quality_kpis(self.scenario, self.output.roster)

    @cached_property
    def starts(self) -> pd.DataFrame:
        """One row per shift: local start minute, night flag (optimizer.quality.shift_table)."""
        return shift_table(self.scenario, self.output.roster)

    @cached_property
    def cost_report(self) -> Any:
        """The finance module's CostReport (None if it is not installed or fails)."""
        try:
            from optimizer.export.cost import cost_report
        except Exception:
            return None
        try:
            return cost_report(self.scenario, self.output.roster, self.prep.calendars)
        except Exception:
            return None


def baseline_variant(output: RunOutput, source: str) -> Variant:
    return Variant("baseline", output, {}, source)


# ------------------------------------------------------------------ overview


def headline(v: Variant) -> dict[str, Any]:
    """Solve status, objective, bound, gap and the roster's totals."""
    r, k = v.output.result, v.output.kpis
    return {
        "status": r.status,
        "objective": r.objective,
        "bound": r.bound,
        "gap": r.gap,
        "bound_method": r.bound_method,
        "solve_seconds": r.solve_seconds,
        "currency": v.scenario.currency,
        "cost": k.total_cost,
        "under_cover_hours": float(k.by_tier["under_cover_hours"].sum()) if len(k.by_tier) else 0.0,
        "paid_hours": k.paid_hours,
        "shifts": k.shifts,
        "agents_rostered": int(v.output.roster.segments["agent_id"].nunique()),
        "agents": len(v.scenario.agents),
    }


def tier_table(v: Variant) -> pd.DataFrame:
    """Per tier: SL target and achieved, their difference, under-cover, required and scheduled hours."""
    t = v.output.kpis.by_tier.copy()
    t["sl_delta"] = t["service_level"] - t["target"]
    t["met"] = np.where(t["sl_delta"].isna(), "—", np.where(t["sl_delta"] >= -1e-9, "yes", "no"))
    return t[
        [
            "tier",
            "target",
            "service_level",
            "sl_delta",
            "met",
            "under_cover_hours",
            "required_hours",
            "scheduled_hours",
        ]
    ]


def market_table(v: Variant) -> pd.DataFrame:
    """Per market: tier, SL target and achieved, under-cover hours, cost share is by site."""
    m = v.output.kpis.by_market.copy()
    m["sl_delta"] = m["service_level"] - m["target"]
    return m[["market", "tier", "target", "service_level", "sl_delta", "under_cover_hours"]]


# ------------------------------------------------------------------ coverage


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


# ------------------------------------------------------------------ follow the sun


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


# ------------------------------------------------------------------ roster


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


# ------------------------------------------------------------------ roster quality


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


# ------------------------------------------------------------------ cost


def cost_components(scenario: Scenario, priced: pd.DataFrame) -> pd.DataFrame:
    """Split each priced shift's cost (site currency) into base pay and the
    uplift of each premium type; summed per site and currency: site, currency,
    component (base, night, weekend, holiday, overtime), hours, cost_site.

    base = rate × paid hours; a premium type's uplift = rate × its hours ×
    (multiplier − 1); overtime = the rest of the pay model's cost (the
    overtime multiplier, stacked on the other premium)."""
    cols = ["site", "currency", "component", "hours", "cost_site"]
    if priced is None or priced.empty:
        return pd.DataFrame(columns=cols)
    p = priced
    rate = np.array([scenario.agent_cost(scenario.agent_by_id[a]) for a in p["agent_id"]]) / 60.0
    mult = {
        name: np.array([getattr(scenario.rules_of(s).premiums, name) for s in p["site"]])
        for name in ("night", "weekend", "holiday")
    }
    parts = {"base": (p["paid_minutes"].to_numpy(float), rate * p["paid_minutes"].to_numpy(float))}
    for name in ("night", "weekend", "holiday"):
        mins = p[f"{name}_minutes"].to_numpy(float)
        parts[name] = (mins, rate * mins * (mult[name] - 1.0))
    explained = sum(c for _, c in parts.values())
    rest = p["cost_site"].to_numpy(float) - explained
    rest[np.abs(rest) < 1e-6 * np.maximum(1.0, np.abs(explained))] = 0.0  # float noise
    parts["overtime"] = (p["overtime_minutes"].to_numpy(float), rest)
    frames = [
        pd.DataFrame(
            {
                "site": p["site"].to_numpy(),
                "currency": p["currency"].to_numpy(),
                "component": k,
                "hours": mins / 60.0,
                "cost_site": cost,
            }
        )
        for k, (mins, cost) in parts.items()
    ]
    out = (
        pd.concat(frames, ignore_index=True)
        .groupby(["site", "currency", "component"], sort=False, as_index=False)[
            ["hours", "cost_site"]
        ]
        .sum()
    )
    order = {c: i for i, c in enumerate(PREMIUM_COMPONENTS)}
    site_order = {s.id: i for i, s in enumerate(scenario.sites)}
    out = out.sort_values(
        ["site", "component"], key=lambda s: s.map(site_order if s.name == "site" else order)
    )
    return out.reset_index(drop=True)[cols]


def scenario_fx(scenario: Scenario) -> dict[str, float]:
    """Reporting value of one unit of every site currency (1 for the reporting one)."""
    return {c: scenario.fx_rate(c) for c in sorted({s.currency for s in scenario.sites})}


def apply_fx(components: pd.DataFrame, fx: dict[str, float]) -> pd.DataFrame:
    """Components with `cost_reporting` = cost_site × fx[currency]: cost is
    linear in the rates, so a new rate needs no re-pricing."""
    out = components.copy()
    out["cost_reporting"] = out["cost_site"] * out["currency"].map(fx).astype(float)
    return out


def cost_by(components: pd.DataFrame, fx: dict[str, float], by: str | list[str]) -> pd.DataFrame:
    """Reporting-currency cost (and site-currency cost, hours) grouped by `by`
    (site, currency, component, or a list)."""
    c = apply_fx(components, fx)
    keys = [by] if isinstance(by, str) else list(by)
    agg = {"cost_reporting": "sum"}
    if "component" not in keys:
        # hours: paid hours are the base component's; premiums re-count them
        c = c.assign(hours=np.where(c["component"] == "base", c["hours"], 0.0))
    agg["hours"] = "sum"
    if set(keys) & {"site", "currency"}:
        agg["cost_site"] = "sum"
    return c.groupby(keys, sort=False, as_index=False).agg(agg)


# ------------------------------------------------------------------ what-ifs and jobs


def whatif_from_form(
    scenario: Scenario,
    volume_pct: float = 0.0,
    aht_pct: float = 0.0,
    sla: dict[str, float] | None = None,
    shrinkage: float | None = None,
    fx: dict[str, float] | None = None,
    outages: Sequence[tuple[str, dt.date, dt.date]] = (),
    hires: Sequence[tuple[str, Sequence[str], int]] = (),
    hours: dict[str, str] | None = None,
    workability: Mapping[str, Any] | None = None,
) -> WhatIf:
    """The page's form as a WhatIf: only the levers that differ from the scenario.

    `workability` maps v1.1 lever keys (`rules.start_band_hours`, …) to a
    value, `"off"`, or None for "as the scenario has it"."""
    pairs: dict[str, Any] = {}
    if volume_pct:
        pairs["volume"] = f"{volume_pct:+g}%"
    if aht_pct:
        pairs["aht"] = f"{aht_pct:+g}%"
    for tid, level in (sla or {}).items():
        current = [c.level for c in scenario.tiers[tid].sla.values() if c.level is not None]
        if current and any(abs(level - x) > 1e-9 for x in current):
            pairs[f"sla.{tid}"] = level
    if shrinkage is not None and any(
        abs(scenario.shrinkage_of(t) - shrinkage) > 1e-9 for t in scenario.tiers.values()
    ):
        pairs["shrinkage"] = shrinkage
    for cur, rate in (fx or {}).items():
        if cur != scenario.currency and abs(scenario.fx_rate(cur) - rate) > 1e-12:
            pairs[f"fx.{cur}"] = rate
    for site, a, b in outages:
        pairs[f"outage.{site}"] = f"{a.isoformat()}..{b.isoformat()}"
    for site, langs, n in hires:
        if n > 0 and langs:
            pairs[f"hire.{site}.{'+'.join(langs)}"] = n
    for tid, text in (hours or {}).items():
        if text.strip() and text.strip() != scenario.tiers[tid].hours.text:
            pairs[f"hours.{tid}"] = text.strip()
    for key, value in (workability or {}).items():
        if value is not None and lever_changes(scenario, key, value):
            pairs[key] = value
    return WhatIf.from_pairs(pairs)


class SolveJob:
    """One solve in a background thread: live progress, cancellable, and the
    result handed to `on_done` (which saves it as a variant).

    The page polls `snapshot()`; `cancel()` sets the StopCriteria's cancel flag
    and the solver returns the best roster found so far."""

    def __init__(
        self,
        name: str,
        base: Scenario,
        whatif: WhatIf,
        time_limit: float,
        workers: int = 1,
        seed: int = 0,
        on_done: Any = None,
    ) -> None:
        self.name = name
        self.base = base
        self.whatif = whatif
        self.stop = StopCriteria(time_limit=time_limit, workers=workers)
        self.seed = seed
        self.on_done = on_done
        self.events: list[ProgressEvent] = []
        self.status = "queued"  # queued, running, done, cancelled, failed
        self.error = ""
        self.output: RunOutput | None = None
        self.variant: Variant | None = None
        self.started = time.monotonic()
        self.finished: float | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._work, name=f"solve-{name}", daemon=True)

    def start(self) -> SolveJob:
        self.status = "running"
        self.stop.started = time.monotonic()
        self._thread.start()
        return self

    def cancel(self) -> None:
        self.stop.cancel.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _progress(self, event: ProgressEvent) -> None:
        with self._lock:
            self.events.append(event)

    def _work(self) -> None:
        try:
            sc = apply(self.base, self.whatif)
            prep = prepare(sc)
            out = run(prep, self.stop, seed=self.seed, progress=self._progress)
            if out.roster.segments.empty and out.result.conflicts:
                raise RuntimeError(
                    f"{out.result.status.lower()}: "
                    + "; ".join(str(c) for c in out.result.conflicts[:5])
                )
            self.output = out
            if self.on_done is not None:
                self.variant = self.on_done(self)
            self.status = "cancelled" if self.stop.cancel.is_set() else "done"
        except Exception as exc:  # shown on the page, never a traceback
            self.error = f"{type(exc).__name__}: {exc}"
            self.status = "failed"
        finally:
            self.finished = time.monotonic()

    def snapshot(self) -> dict[str, Any]:
        """Status, elapsed seconds, the last progress event and the time series
        of best objective and bound."""
        with self._lock:
            events = list(self.events)
        last = events[-1] if events else None
        end = self.finished or time.monotonic()
        return {
            "name": self.name,
            "status": self.status,
            "elapsed": end - self.started,
            "time_limit": self.stop.time_limit,
            "phase": last.phase if last else "starting",
            "objective": last.objective if last else None,
            "bound": next((e.bound for e in reversed(events) if e.bound is not None), None),
            "gap": last.gap if last else None,
            "message": last.message if last else "",
            "error": self.error,
            "history": pd.DataFrame(
                [(e.elapsed, e.objective, e.bound) for e in events],
                columns=["elapsed", "objective", "bound"],
            ),
        }


# ------------------------------------------------------------------ workspace


class Workspace:
    """One scenario (path + fingerprint), its Prepared tables, its variants and
    its jobs. Shared by every session that opens the scenario; thread-safe."""

    def __init__(self, path: Path, scenario: Scenario, warnings: list[str], out_roots: list[Path]):
        self.path = path
        self.scenario = scenario
        self.warnings = warnings
        self.out_roots = out_roots
        self.prepared = prepare(scenario)
        self.variants: dict[str, Variant] = {}
        self.jobs: dict[str, SolveJob] = {}
        self.run_dir: Path | None = None
        self.load_error = ""
        self._lock = threading.RLock()
        self.store = open_store()

    @classmethod
    def open(cls, path: str | Path, out_roots: Sequence[Path] = ()) -> Workspace:
        p = Path(path)
        sc, warnings = load_scenario_with_warnings(p)
        ws = cls(p, sc, warnings, list(out_roots))
        ws.load_baseline()
        return ws

    def load_baseline(self) -> Variant | None:
        """The newest solve output of this scenario, if one exists."""
        d = find_run_dir(self.scenario.scenario, self.out_roots)
        if d is None:
            return None
        try:
            v = baseline_variant(load_run_dir(self.prepared, d), str(d))
        except Exception as exc:  # a stale or hand-broken output folder: say so, offer a solve
            self.load_error = f"{d}: {type(exc).__name__}: {exc}"
            return None
        self.run_dir = d
        self.add(v)
        return v

    def add(self, v: Variant) -> None:
        with self._lock:
            self.variants[v.name] = v

    def names(self) -> list[str]:
        with self._lock:
            names = list(self.variants)
        return sorted(names, key=lambda n: (n != "baseline", n))

    def get(self, name: str) -> Variant | None:
        with self._lock:
            return self.variants.get(name)

    def unique_name(self, stem: str) -> str:
        with self._lock:
            taken = set(self.variants) | set(self.jobs)
        if stem not in taken:
            return stem
        k = 2
        while f"{stem} ({k})" in taken:
            k += 1
        return f"{stem} ({k})"

    def start_job(
        self, name: str, whatif: WhatIf, time_limit: float, workers: int = 1, seed: int = 0
    ) -> SolveJob:
        """Solve base scenario + what-if in the background; the result becomes a variant."""
        job = SolveJob(name, self.scenario, whatif, time_limit, workers, seed, self._job_done)
        with self._lock:
            self.jobs[name] = job
        return job.start()

    def _job_done(self, job: SolveJob) -> Variant:
        """Make the result a variant at once, then record it in the run store."""
        assert job.output is not None
        overrides = job.whatif.to_pairs()
        v = Variant(job.name, job.output, overrides, "what-if" if overrides else "solve")
        self.add(v)
        if self.store is not None:
            job.status = "saving"
            try:
                v.run_id = self.store.save(
                    job.output, name=job.name, overrides=overrides, scenario_path=str(self.path),
                    params={"time_limit": job.stop.time_limit, "workers": job.stop.workers, "seed": job.seed},
                )  # fmt: skip
                v.source += f", run store #{v.run_id}"
            except Exception as exc:
                job.error = f"not saved in the run store: {exc}"
        return v

    def running_jobs(self) -> list[SolveJob]:
        with self._lock:
            return [j for j in self.jobs.values() if j.running]

    def stored_runs(self) -> pd.DataFrame:
        """Runs of this scenario in the run store (empty if there is no store)."""
        if self.store is None:
            return pd.DataFrame()
        try:
            recs = self.store.list_runs(scenario=self.scenario.scenario)
        except Exception:
            return pd.DataFrame()
        return pd.DataFrame([_record_dict(r) for r in recs])

    def load_stored(self, run_id: int) -> Variant:
        """A stored run as a variant: its overrides applied to the scenario, its roster measured."""
        assert self.store is not None
        sr = self.store.get(run_id)
        rec = sr.record
        overrides = dict(getattr(rec, "overrides", None) or {})
        sc = apply(self.scenario, WhatIf.from_pairs(overrides)) if overrides else self.scenario
        prep = self.prepared if sc is self.scenario else prepare(sc)
        roster = roster_from_frame(sr.roster)
        out = evaluate(prep, result_from_summary(dict(sr.summary or {}), roster))
        name = self.unique_name(getattr(rec, "name", None) or f"run {run_id}")
        v = Variant(name, out, overrides, f"store #{run_id}", run_id)
        self.add(v)
        return v


def _record_dict(rec: Any) -> dict[str, Any]:
    keys = ("id", "name", "status", "objective", "gap", "cost_reporting_currency", "created_at")
    d = {k: getattr(rec, k, None) for k in keys}
    ov = getattr(rec, "overrides", None) or {}
    d["overrides"] = ", ".join(f"{k}={v}" for k, v in ov.items())
    return d


def open_store() -> Any:
    """The project's run store if it is installed and opens, else None."""
    try:
        from optimizer.store import RunStore  # type: ignore[attr-defined]
    except Exception:
        return None
    try:
        return RunStore()
    except Exception:
        return None


# ------------------------------------------------------------------ compare


def compare_kpis(variants: Sequence[Variant]) -> pd.DataFrame:
    """Rows = KPIs, one column per variant, then `Δ <name>` columns against the first."""
    rows: dict[str, dict[str, float | None]] = {}
    for v in variants:
        h = headline(v)
        k = v.output.kpis
        col = {
            f"cost ({v.scenario.currency})": h["cost"],
            "paid hours": h["paid_hours"],
            "shifts": float(h["shifts"]),
            "under-cover agent-hours": h["under_cover_hours"],
            "objective": h["objective"],
            "gap": h["gap"],
        }
        for r in k.by_tier.itertuples():
            col[f"SL {r.tier}"] = None if pd.isna(r.service_level) else float(r.service_level)
            col[f"under-cover h {r.tier}"] = float(r.under_cover_hours)
        col.update(quality_rows(v))
        rows[v.name] = col
    df = pd.DataFrame(rows).astype(float)  # None (no bound, no SL) → NaN
    base = df.columns[0] if len(df.columns) else None
    for name in list(df.columns)[1:]:
        df[f"Δ {name}"] = pd.to_numeric(df[name], errors="coerce") - pd.to_numeric(
            df[base], errors="coerce"
        )
    df.index.name = "kpi"
    return df


def compare_cost(variants: Sequence[Variant], by: str = "site") -> pd.DataFrame:
    """Reporting-currency cost per site (or component) per variant (each at its
    own scenario's fx), with deltas against the first."""
    cols = {}
    for v in variants:
        t = cost_by(v.cost, scenario_fx(v.scenario), by).set_index(by)["cost_reporting"]
        cols[v.name] = t
    df = pd.DataFrame(cols).fillna(0.0)
    names = list(cols)
    for name in names[1:]:
        df[f"Δ {name}"] = df[name] - df[names[0]]
    df.loc["total"] = df.sum(numeric_only=True)
    return df


def coverage_difference(
    a: Variant, b: Variant, by: str = "market", value: str = "scheduled"
) -> Matrix:
    """b − a of a coverage matrix (same grid): positive = b has more."""
    ma = coverage_matrix(a, by=by, value=value)
    mb = coverage_matrix(b, by=by, value=value)
    if ma.rows != mb.rows or len(ma.x) != len(mb.x):
        raise ValueError("the variants have different queues or grids; compare like with like")
    return Matrix(ma.rows, ma.x, mb.z - ma.z, "UTC")


# ------------------------------------------------------------------ upload and downloads

MAX_UPLOAD_BYTES = 25 * 1024 * 1024  # total of the uploaded files
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # total after unzipping (zip bombs)
MAX_FILES = 200


class UploadError(ValueError):
    """An upload that is refused before the scenario is read (size, zip, names)."""


def _safe_rel(name: str) -> PurePosixPath:
    p = PurePosixPath(name.replace("\\", "/"))
    if p.is_absolute() or ".." in p.parts or not p.parts or p.parts[0].endswith(":"):
        raise UploadError(f"{name}: unsafe path in upload")
    return p


def unpack_upload(files: Sequence[tuple[str, bytes]], dest: Path) -> Path:
    """Write uploaded files (YAML + CSVs, or one zip) under `dest`, refusing
    oversize uploads, unsafe names and zip bombs; return the scenario YAML."""
    total = sum(len(b) for _, b in files)
    if total > MAX_UPLOAD_BYTES:
        raise UploadError(
            f"upload is {total / 1e6:.1f} MB; the limit is {MAX_UPLOAD_BYTES / 1e6:.0f} MB"
        )
    if not files:
        raise UploadError("nothing uploaded")
    dest.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, data in files:
        if name.lower().endswith(".zip"):
            try:
                zf = zipfile.ZipFile(io.BytesIO(data))
            except zipfile.BadZipFile as exc:
                raise UploadError(f"{name}: not a zip file") from exc
            infos = [i for i in zf.infolist() if not i.is_dir()]
            if len(infos) > MAX_FILES:
                raise UploadError(f"{name}: {len(infos)} files; the limit is {MAX_FILES}")
            if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
                raise UploadError(f"{name}: unzips to more than {MAX_UNZIPPED_BYTES / 1e6:.0f} MB")
            for i in infos:
                rel = _safe_rel(i.filename)
                if rel.parts[0] == "__MACOSX":
                    continue
                target = dest.joinpath(*rel.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(i) as src:
                    content = src.read(MAX_UNZIPPED_BYTES + 1)
                target.write_bytes(content)
                written.append(target)
        else:
            rel = _safe_rel(PurePosixPath(name.replace("\\", "/")).name)
            target = dest / rel.name
            target.write_bytes(data)
            written.append(target)
    yamls = [p for p in written if p.suffix.lower() in (".yaml", ".yml")]
    if not yamls:
        raise UploadError("no scenario .yaml file in the upload")
    if len(yamls) > 1:
        # the scenario is the YAML nearest the top; others may be unrelated
        yamls.sort(key=lambda p: (len(p.relative_to(dest).parts), p.name))
        if len(yamls[0].relative_to(dest).parts) == len(yamls[1].relative_to(dest).parts):
            raise UploadError(
                "several scenario files: "
                + ", ".join(str(p.relative_to(dest)) for p in yamls)
                + " — upload one"
            )
    return yamls[0]


def validate_scenario(
    path: Path, root: Path | None = None
) -> tuple[Scenario | None, pd.DataFrame, list[str]]:
    """Load a scenario; on failure the issues as a table (file, where, field, message)
    with file names relative to `root`."""
    cols = ["file", "where", "field", "message"]

    def rel(f: str) -> str:
        if root is None:
            return f
        try:
            return str(Path(f).resolve().relative_to(root.resolve()))
        except ValueError:
            return Path(f).name

    try:
        sc, warnings = load_scenario_with_warnings(path)
    except ScenarioError as exc:
        rows = [(rel(i.file), i.where, i.field, i.message) for i in exc.issues]
        return None, pd.DataFrame(rows, columns=cols), []
    except Exception as exc:
        return None, pd.DataFrame([(rel(str(path)), "", "", f"{type(exc).__name__}: {exc}")], columns=cols), []  # fmt: skip
    return sc, pd.DataFrame(columns=cols), warnings


def exports(v: Variant) -> dict[str, bytes]:
    """Every download of a variant: the solve's three files, plus the project's
    exports (xlsx, csv, ics, payroll) when `optimizer.export` provides them."""
    files: dict[str, bytes] = {
        "roster.csv": roster_csv(v.scenario, v.output.roster).encode(),
        "coverage.csv": v.output.coverage.to_csv(index=False).encode(),
        "summary.json": json.dumps(v.output.summary(), indent=2, default=str).encode(),
    }
    try:
        from optimizer.export import FORMATS, render
    except Exception:
        return files
    for fmt in FORMATS:
        try:
            made = render(
                v.scenario, v.output.roster, fmt,
                calendars=v.prep.calendars, requirements=v.prep.requirements,
            )  # fmt: skip
        except Exception:
            continue
        for fname, content in made.items():
            files.setdefault(fname, content)
    report = v.cost_report
    if report is not None:
        for name, df in report.frames().items():
            files[f"{name}.csv"] = df.to_csv(index=False, float_format="%.4f").encode()
    return files


def roster_csv(scenario: Scenario, roster: Roster) -> str:
    """roster.csv text (`Roster.to_frame`, vectorised per site)."""
    return roster.to_frame(scenario).to_csv(index=False)


def zip_files(files: dict[str, bytes]) -> bytes:
    """All files in one zip."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buf.getvalue()
