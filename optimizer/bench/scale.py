"""Synthetic scenarios of a given size, for measuring how the solver scales.

`write_synthetic(folder, agents, sites, markets, days, seed)` writes a valid
scenario (YAML + agents.csv + demand.csv) through the public format, so a
benchmark exercises the loader and everything after it. Sites and markets
come from fixed lists spread over APAC, EMEA and AMER; each site works under
its country's labour rules (`optimizer/jurisdictions/`, as the bundled
scenarios do, the v1.1 workability rules included); demand has an
intraday double peak in each market's clock and is scaled so the
requirement is about `load` of the agents' weekly capacity.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from ruamel.yaml import YAML

from optimizer.jurisdictions import rule_set
from optimizer.scenario.bundled import ACTIVITIES, WEIGHTS
from optimizer.timegrid import grid_bounds, iso_utc
from optimizer.tz import zone

SITES = [  # id, country (its labour rules: optimizer/jurisdictions/), tz, currency, fx, wage, region
    ("MNL", "PH", "Asia/Manila", "PHP", 0.0175, 260.0, "APAC"),
    ("LIS", "PT", "Europe/Lisbon", "EUR", 1.08, 11.0, "EU"),
    ("MEX", "MX", "America/Mexico_City", "MXN", 0.055, 110.0, "LATAM"),
    ("KUL", "MY", "Asia/Kuala_Lumpur", "MYR", 0.22, 24.0, "APAC"),
    ("KRK", "PL", "Europe/Warsaw", "PLN", 0.25, 42.0, "EU"),
    ("BOG", "CO", "America/Bogota", "COP", 0.00025, 26000.0, "LATAM"),
    ("CAI", "EG", "Africa/Cairo", "EGP", 0.02, 160.0, "MEA"),
    ("DUB", "IE", "Europe/Dublin", "EUR", 1.08, 19.0, "EU"),
]
MARKETS = [  # id, country, tz, language, tier, residency
    ("US", "US", "America/New_York", "en", "T1", None),
    ("DE", "DE", "Europe/Berlin", "de", "T1", ["EU"]),
    ("JP", "JP", "Asia/Tokyo", "ja", "T2", None),
    ("MX", "MX", "America/Mexico_City", "es", "T2", None),
    ("FR", "FR", "Europe/Paris", "fr", "T2", ["EU"]),
    ("AU", "AU", "Australia/Sydney", "en", "T3", None),
    ("BR", "BR", "America/Sao_Paulo", "pt", "T2", None),
    ("SA", "SA", "Asia/Riyadh", "ar", "T3", None),
    ("GB", "GB", "Europe/London", "en", "T1", None),
    ("ES", "ES", "Europe/Madrid", "es", "T3", ["EU"]),
    ("IT", "IT", "Europe/Rome", "it", "T3", ["EU"]),
    ("SG", "SG", "Asia/Singapore", "en", "T3", None),
]
TIERS = {
    "T1": {"hours": "24x7", "closed_on_holidays": False, "under_cover_penalty": 150, "max_occupancy": 0.85,
           "sla": {"voice": {"level": 0.8, "seconds": 20}, "chat": {"level": 0.8, "seconds": 60, "concurrency": 2}, "email": {"hours": 4}}},
    "T2": {"hours": "Mon-Fri 07:00-22:00; Sat-Sun 09:00-18:00", "closed_on_holidays": False, "under_cover_penalty": 80,
           "max_occupancy": 0.85, "sla": {"voice": {"level": 0.8, "seconds": 30}, "email": {"hours": 8}}},
    "T3": {"hours": "Mon-Fri 09:00-18:00", "closed_on_holidays": True, "under_cover_penalty": 40, "max_occupancy": 0.9,
           "sla": {"chat": {"level": 0.8, "seconds": 90, "concurrency": 2}, "email": {"hours": 24}}},
}  # fmt: skip
CHANNEL_AHT = {"voice": 360.0, "chat": 600.0, "email": 420.0}


def demand_shape(
    minute: np.ndarray, weekday: np.ndarray, weekend: tuple[int, ...] = (5, 6)
) -> np.ndarray:
    """Contacts shape in a market's local time: an intraday double peak (late
    morning, mid-afternoon), quiet nights, Monday busiest, quieter weekends
    (`weekend` = (4, 5) for a Friday–Saturday weekend)."""
    h = minute / 60.0
    shape = (
        0.06
        + np.exp(-0.5 * ((h - 10.5) / 1.8) ** 2)
        + 0.85 * np.exp(-0.5 * ((h - 15.5) / 2.2) ** 2)
    )
    by_day = (
        [1.12, 1.0, 0.97, 0.95, 0.93, 0.7, 0.6]
        if weekend == (5, 6)
        else [1.0, 0.97, 0.95, 0.93, 0.65, 0.6, 1.12]
    )
    return shape * np.array(by_day)[weekday]


def write_synthetic(
    folder: Path,
    agents: int,
    sites: int = 4,
    markets: int = 6,
    days: int = 28,
    seed: int = 7,
    load: float = 0.7,
    start: dt.date = dt.date(2027, 3, 1),
    interval: int = 30,
    workability: bool = True,
) -> Path:
    """Write a synthetic scenario into `folder`; return the YAML path. With
    `workability` its agents work under the whole of contract v1.1: the
    jurisdictions' start band, days off together and consecutive nights,
    plus hour-long queue stretches with at most two switches and steady
    starts (`weights.stability`, `weights.isolated_day`), as the bundled
    scenarios do (`scenario.bundled`)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    site_rows = SITES[: max(1, min(sites, len(SITES)))]
    market_rows = MARKETS[: max(1, min(markets, len(MARKETS)))]
    queues = []
    for mid, _c, _tz, lang, tier, _r in market_rows:
        for ch in TIERS[tier]["sla"]:
            queues.append(
                {
                    "id": f"{mid}-{lang}-{ch}",
                    "market": mid,
                    "language": lang,
                    "channel": ch,
                    "aht_seconds": CHANNEL_AHT[ch],
                }
            )
    # agents: each speaks one or two languages of markets its site may legally serve,
    # and works channels those markets' queues offer (so every agent can be rostered)
    residency = {m[0]: m[5] for m in market_rows}
    rows = []
    for k in range(agents):
        sid, *_rest, region = site_rows[k % len(site_rows)]
        allowed = [
            q for q in queues if not residency[q["market"]] or region in residency[q["market"]]
        ]
        pool = sorted({q["language"] for q in allowed})
        primary = pool[int(rng.integers(len(pool)))]
        second = pool[int(rng.integers(len(pool)))] if rng.random() < 0.3 else primary
        langs = sorted({primary, second})
        offered = sorted({q["channel"] for q in allowed if q["language"] in langs})
        chans = (
            offered
            if rng.random() < 0.6 or len(offered) == 1
            else [offered[int(rng.integers(len(offered)))]]
        )
        part = rng.random() < 0.15
        leave = ""
        if rng.random() < 0.12:
            d0 = start + dt.timedelta(days=int(rng.integers(0, max(1, days - 5))))
            leave = f"{d0.isoformat()}..{(d0 + dt.timedelta(days=4)).isoformat()}"
        rows.append({
            "id": f"{sid}{k:05d}", "name": f"Agent {k}", "site": sid, "languages": ";".join(langs),
            "channels": ";".join(chans), "min_hours_week": 16 if part else 32, "max_hours_week": 24 if part else 40,
            "hourly_cost": "", "earliest_start": "", "latest_end": "", "days_off": "", "leave": leave, "team": "",
        })  # fmt: skip
    with (folder / "agents.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["id"])
        w.writeheader()
        w.writerows(rows)
    # demand, scaled to `load` of capacity (agent-hours ≈ contacts × AHT / 3600 / 0.85 / 0.7)
    zones = [s[2] for s in site_rows] + [m[2] for m in market_rows]
    t0, t1 = grid_bounds(start, days, interval, zones)
    ts = np.arange(t0, t1, interval, dtype=np.int64)
    capacity_hours = sum(r["max_hours_week"] for r in rows) * days / 7.0 * 0.95
    weights = []

    utc = pd.to_datetime(ts * 60, unit="s", utc=True)
    for q in queues:
        m = next(x for x in market_rows if x[0] == q["market"])
        local = utc.tz_convert(zone(m[2])).tz_localize(None)
        minute = (local.hour * 60 + local.minute).to_numpy()
        weights.append(
            demand_shape(minute, local.day_of_week.to_numpy())
            * (0.5 if q["channel"] == "email" else 1.0)
        )
    weights_arr = np.array(weights)
    work_per_unit = (
        weights_arr * np.array([q["aht_seconds"] for q in queues])[:, None]
    ).sum() / 3600.0
    scale = load * capacity_hours * 0.85 * 0.7 / max(work_per_unit, 1e-9)
    with (folder / "demand.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["queue", "interval_start", "contacts"])
        noise = rng.uniform(0.9, 1.1, size=weights_arr.shape)
        values = np.round(weights_arr * scale * noise, 2)
        for qi, q in enumerate(queues):
            for ti in np.flatnonzero(values[qi] > 0):
                w.writerow([q["id"], iso_utc(int(ts[ti])), f"{values[qi, ti]:.2f}"])
    doc = {
        "scenario": f"synthetic-{agents}",
        "description": f"synthetic: {agents} agents, {len(site_rows)} sites, {len(market_rows)} markets, {days} days",
        "horizon": {"start": start.isoformat(), "days": days, "interval_minutes": interval},
        "currency": "USD",
        "fx": {s[3]: s[4] for s in site_rows if s[3] != "USD"},
        "shrinkage": 0.3,
        "tiers": {k: v for k, v in TIERS.items() if any(m[4] == k for m in market_rows)},
        "rules": {country: rule_set(country) for country in dict.fromkeys(s[1] for s in site_rows)},
        "sites": [
            {
                "id": s[0],
                "city": s[0],
                "country": s[1],
                "subdivision": None,
                "timezone": s[2],
                "currency": s[3],
                "region": s[6],
                "hourly_cost": s[5],
                "rules": s[1],
                "holidays": "premium",
            }
            for s in site_rows
        ],
        "markets": [
            {
                "id": m[0],
                "country": m[1],
                "timezone": m[2],
                "tier": m[4],
                "holiday_demand_factor": 0.6,
                **({"residency": m[5]} if m[5] else {}),
            }
            for m in market_rows
        ],
        "queues": queues,
        "agents": "agents.csv",
        "demand": "demand.csv",
    }
    if workability:
        doc["activities"] = dict(ACTIVITIES)
        doc["weights"] = dict(WEIGHTS)
    else:
        for rules in doc["rules"].values():
            for key in ("start_band_hours", "days_off_together", "max_consecutive_nights"):
                rules.pop(key, None)
    path = folder / "scenario.yaml"
    yaml = YAML()
    yaml.default_flow_style = False
    with path.open("w", encoding="utf-8") as f:
        yaml.dump(doc, f)
    return path
