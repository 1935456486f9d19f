"""Generate the bundled global scenario (deterministic: fixed seed).

    python data/generate.py        # rewrites scenarios/global-baseline.yaml and scenarios/global-baseline/*.csv

Eight sites over APAC / EMEA / AMER in their currencies and under their
countries' labour rules (`optimizer/jurisdictions/`), twelve markets in three tiers with data residency
for the EU markets, eight languages with realistic scarcity (Japanese,
Arabic, French, Italian are few), ~400 agents with leave, days off,
night-only agents and part-timers, and demand with an intraday double peak
in each market's local time and a weekly pattern. Volumes are calibrated
against Sunroster's own requirement computation so each language needs
about its target share of its speakers' hours (printed when it runs).
The figures and their basis are described in data/README.md.

Longer than the project's other modules and kept whole on purpose: it is data written as
code, read top to bottom, and the two small scenarios (`small_scenarios`)
draw on the baseline's tiers, seed and rule sets, so splitting it would
only scatter those constants between files.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimizer.bench.scale import demand_shape  # noqa: E402
from optimizer.jurisdictions import rule_set  # noqa: E402
from optimizer.scenario.bundled import ACTIVITIES, WEIGHTS  # noqa: E402
from optimizer.scenario.load import load_scenario  # noqa: E402
from optimizer.staffing.requirements import compute_requirements  # noqa: E402
from optimizer.timegrid import grid_bounds, iso_utc  # noqa: E402
from optimizer.tz import zone  # noqa: E402

SEED = 20270301
START = dt.date(2027, 3, 1)
DAYS = 28
INTERVAL = 30

# id, city, country, tz, currency, USD per unit, loaded hourly cost (local), region, rules, holidays
SITES = [
    ("MNL", "Manila", "PH", "Asia/Manila", "PHP", 0.0172, 235.0, "APAC", "PH", "premium"),
    ("KUL", "Kuala Lumpur", "MY", "Asia/Kuala_Lumpur", "MYR", 0.225, 24.0, "APAC", "MY", "premium"),
    ("KRK", "Kraków", "PL", "Europe/Warsaw", "PLN", 0.26, 46.0, "EU", "PL", "premium"),
    ("LIS", "Lisbon", "PT", "Europe/Lisbon", "EUR", 1.08, 10.5, "EU", "PT", "premium"),
    ("DUB", "Dublin", "IE", "Europe/Dublin", "EUR", 1.08, 21.0, "EU", "IE", "premium"),
    ("CAI", "Cairo", "EG", "Africa/Cairo", "EGP", 0.0205, 115.0, "MEA", "EG", "off"),
    (
        "MEX",
        "Mexico City",
        "MX",
        "America/Mexico_City",
        "MXN",
        0.054,
        105.0,
        "LATAM",
        "MX",
        "premium",
    ),
    ("BOG", "Bogotá", "CO", "America/Bogota", "COP", 0.00025, 22000.0, "LATAM", "CO", "premium"),
]

# labour rules: one rule set per site's country, from optimizer/jurisdictions/ (the
# legal basis of each figure is in that country's module)
RULES = {s[8]: rule_set(s[8]) for s in SITES}
# the queue stretches and switches and the weights: `optimizer/scenario/bundled.py`

TIERS = {
    "T1": {"hours": "24x7", "closed_on_holidays": False, "under_cover_penalty": 150, "max_occupancy": 0.85,
           "shrinkage": 0.30,
           "sla": {"voice": {"level": 0.80, "seconds": 20}, "chat": {"level": 0.80, "seconds": 60, "concurrency": 2},
                   "email": {"hours": 4}}},
    "T2": {"hours": "Mon-Fri 07:00-21:00; Sat 09:00-17:00", "closed_on_holidays": False, "under_cover_penalty": 80,
           "max_occupancy": 0.85, "shrinkage": 0.30,
           "sla": {"voice": {"level": 0.80, "seconds": 30}, "chat": {"level": 0.80, "seconds": 90, "concurrency": 2},
                   "email": {"hours": 8}}},
    "T3": {"hours": "Mon-Fri 09:00-18:00", "closed_on_holidays": True, "under_cover_penalty": 40,
           "max_occupancy": 0.90, "shrinkage": 0.25,
           "sla": {"chat": {"level": 0.70, "seconds": 120, "concurrency": 3}, "email": {"hours": 24}}},
}  # fmt: skip

# id, country, subdivision, tz, tier, language, channels, residency, holiday factor, relative volume
MARKETS = [
    ("US", "US", None, "America/New_York", "T1", "en", ("voice", "chat", "email"), None, 0.6, 1.00),
    ("GB", "GB", None, "Europe/London", "T1", "en", ("voice", "chat", "email"), None, 0.6, 0.55),
    ("DE", "DE", "BY", "Europe/Berlin", "T1", "de", ("voice", "chat", "email"), ["EU"], 0.5, 0.45),
    ("AU", "AU", None, "Australia/Sydney", "T1", "en", ("voice", "chat", "email"), None, 0.6, 0.30),
    ("JP", "JP", None, "Asia/Tokyo", "T2", "ja", ("voice", "email"), None, 0.5, 0.10),
    ("FR", "FR", None, "Europe/Paris", "T2", "fr", ("voice", "email"), ["EU"], 0.5, 0.12),
    ("ES", "ES", None, "Europe/Madrid", "T2", "es", ("voice", "chat", "email"), ["EU"], 0.6, 0.20),
    (
        "MX",
        "MX",
        None,
        "America/Mexico_City",
        "T2",
        "es",
        ("voice", "chat", "email"),
        None,
        0.6,
        0.30,
    ),
    (
        "BR",
        "BR",
        None,
        "America/Sao_Paulo",
        "T2",
        "pt",
        ("voice", "chat", "email"),
        None,
        0.6,
        0.25,
    ),
    ("SA", "SA", None, "Asia/Riyadh", "T2", "ar", ("voice", "chat", "email"), None, 0.4, 0.15),
    ("IT", "IT", None, "Europe/Rome", "T3", "it", ("chat", "email"), ["EU"], 0.5, 0.06),
    ("CO", "CO", None, "America/Bogota", "T3", "es", ("chat", "email"), None, 0.5, 0.08),
]
AHT = {"voice": (360, 540), "chat": (600, 900), "email": (300, 480)}
CHANNEL_SHARE = {"voice": 1.0, "chat": 0.6, "email": 0.35}

# site → list of (count, languages, channels mix); languages "+" extra ones
STAFF = {
    "MNL": [(74, "en"), (10, "en;ja"), (6, "en;es")],
    "KUL": [(30, "en"), (6, "en;ja")],
    "KRK": [(30, "de;en"), (10, "en"), (4, "fr;en"), (4, "it;en")],
    "LIS": [(18, "pt;es;en"), (10, "es;en"), (8, "fr;en"), (6, "en")],
    "DUB": [(24, "en"), (16, "de;en"), (6, "fr;en"), (6, "it;en")],
    "CAI": [(28, "ar;en"), (4, "ar;fr"), (6, "en")],
    "MEX": [(24, "es"), (18, "es;en"), (4, "es;pt")],
    "BOG": [(22, "es"), (12, "es;en"), (8, "pt;es")],
}
FIRST = {
    "PH": [
        "Maria",
        "Jose",
        "Angelica",
        "Mark",
        "Kristine",
        "John Paul",
        "Rowena",
        "Carlo",
        "Jasmine",
        "Rafael",
    ],
    "MY": ["Nurul", "Ahmad", "Siti", "Wei Ling", "Kumar", "Aisyah", "Jun Hao", "Priya"],
    "PL": ["Anna", "Piotr", "Katarzyna", "Tomasz", "Magdalena", "Michał", "Agnieszka", "Paweł"],
    "PT": ["Ana", "João", "Mariana", "Pedro", "Inês", "Tiago", "Beatriz", "Rui"],
    "IE": ["Aoife", "Seán", "Niamh", "Conor", "Ciara", "Darragh", "Emma", "Liam"],
    "EG": ["Mohamed", "Nour", "Ahmed", "Mariam", "Omar", "Salma", "Youssef", "Hana"],
    "MX": ["Guadalupe", "Juan", "Fernanda", "Luis", "Valeria", "Diego", "Ximena", "Carlos"],
    "CO": ["Valentina", "Santiago", "Camila", "Andrés", "Daniela", "Sebastián", "Laura", "Felipe"],
}
LAST = {
    "PH": ["Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Dela Cruz", "Ramos"],
    "MY": ["Abdullah", "Tan", "Lim", "Rahman", "Wong", "Ismail", "Raj", "Lee"],
    "PL": [
        "Nowak",
        "Kowalski",
        "Wiśniewska",
        "Wójcik",
        "Kamińska",
        "Lewandowski",
        "Zielińska",
        "Szymański",
    ],
    "PT": ["Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins"],
    "IE": ["Murphy", "Kelly", "O'Sullivan", "Walsh", "Byrne", "Ryan", "O'Brien", "Doyle"],
    "EG": ["Hassan", "Mahmoud", "Ibrahim", "Ali", "Mostafa", "Sayed", "Abdelrahman", "Fathy"],
    "MX": ["Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez"],
    "CO": ["Rodríguez", "Gómez", "González", "Martínez", "García", "López", "Hernández", "Díaz"],
}
UTIL_TARGET = {
    "en": 0.38,
    "es": 0.34,
    "pt": 0.45,
    "de": 0.55,
    "ja": 0.5,
    "ar": 0.5,
    "fr": 0.5,
    "it": 0.45,
}


def agents(rng: np.random.Generator) -> list[dict[str, str]]:
    rows = []
    site_country = {s[0]: s[2] for s in SITES}
    k = 0
    for site, groups in STAFF.items():
        country = site_country[site]
        for count, langs in groups:
            for _ in range(count):
                k += 1
                part = rng.random() < 0.15
                night = not part and rng.random() < 0.06
                mix = rng.random()
                channels = (
                    "voice;chat;email" if mix < 0.55 else "voice" if mix < 0.8 else "chat;email"
                )
                leave = ""
                if rng.random() < 0.15:
                    d0 = START + dt.timedelta(days=int(rng.integers(0, DAYS - 5)))
                    length = int(rng.integers(1, 6))
                    leave = (
                        f"{d0.isoformat()}..{(d0 + dt.timedelta(days=length - 1)).isoformat()}"
                        if length > 1
                        else d0.isoformat()
                    )
                days_off = ""
                if rng.random() < 0.12:
                    days_off = str(rng.choice(["Sat;Sun", "Sun", "Fri", "Mon", "Wed"]))
                senior = rng.random() < 0.05
                base = next(s[6] for s in SITES if s[0] == site)
                rows.append({
                    "id": f"{site}-{k:04d}",
                    "name": f"{rng.choice(FIRST[country])} {rng.choice(LAST[country])}",
                    "site": site, "languages": langs, "channels": channels,
                    "min_hours_week": "16" if part else "32", "max_hours_week": "24" if part else "40",
                    "hourly_cost": f"{base * 1.25:.2f}" if senior else "",
                    "earliest_start": "22:00" if night else "", "latest_end": "07:00" if night else "",
                    "days_off": days_off, "leave": leave, "team": f"{site}-{langs.split(';')[0]}",
                })  # fmt: skip
    return rows


def demand(rng: np.random.Generator, scale: dict[str, float]) -> tuple[list[dict], pd.DataFrame]:
    zones = [s[3] for s in SITES] + [m[3] for m in MARKETS]
    t0, t1 = grid_bounds(START, DAYS, INTERVAL, zones)
    ts = np.arange(t0, t1, INTERVAL, dtype=np.int64)
    utc = pd.to_datetime(ts * 60, unit="s", utc=True)
    queues, frames = [], []
    noise_rng = np.random.default_rng(SEED + 1)
    for mid, _c, _sub, tz, _tier, lang, channels, _res, _hf, rel in MARKETS:
        local = utc.tz_convert(zone(tz)).tz_localize(None)
        minute = (local.hour * 60 + local.minute).to_numpy()
        wk = (4, 5) if mid == "SA" else (5, 6)
        shape = demand_shape(minute, local.day_of_week.to_numpy(), wk)
        for ch in channels:
            lo, hi = AHT[ch]
            aht = float(rng.integers(lo // 30, hi // 30 + 1) * 30)
            qid = f"{mid}-{lang}-{ch}"
            queues.append(
                {"id": qid, "market": mid, "language": lang, "channel": ch, "aht_seconds": aht}
            )
            base = 600.0 * rel * CHANNEL_SHARE[ch] * scale.get(lang, 1.0)
            values = shape * base / shape.max() * noise_rng.uniform(0.9, 1.1, size=shape.shape)
            frames.append(pd.DataFrame({"queue": qid, "t": ts, "contacts": np.round(values, 1)}))
    table = pd.concat(frames, ignore_index=True)
    return queues, table[table["contacts"] > 0]


def scenario_doc(queues: list[dict]) -> dict:
    return {
        "scenario": "global-baseline",
        "description": "Follow-the-sun baseline: 8 sites, 12 markets in 3 tiers, 8 languages, ~400 agents, March 2027",
        "horizon": {"start": START.isoformat(), "days": DAYS, "interval_minutes": INTERVAL},
        "currency": "USD",
        "fx": {s[4]: s[5] for s in SITES if s[4] != "USD"},
        "shrinkage": 0.30,
        "tiers": TIERS,
        "rules": RULES,
        "sites": [
            {
                "id": s[0],
                "city": s[1],
                "country": s[2],
                "subdivision": None,
                "timezone": s[3],
                "currency": s[4],
                "region": s[7],
                "hourly_cost": s[6],
                "rules": s[8],
                "holidays": s[9],
            }
            for s in SITES
        ],
        "markets": [
            {
                "id": m[0],
                "country": m[1],
                "subdivision": m[2],
                "timezone": m[3],
                "tier": m[4],
                **({"residency": m[7]} if m[7] else {}),
                "holiday_demand_factor": m[8],
            }
            for m in MARKETS
        ],
        "queues": queues,
        "agents": "global-baseline/agents.csv",
        "demand": "global-baseline/demand.csv",
        "weights": WEIGHTS,
        "activities": ACTIVITIES,
    }


def write(
    folder: Path, scen_dir: Path, doc: dict, agent_rows: list[dict], table: pd.DataFrame
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    scen_dir.mkdir(parents=True, exist_ok=True)
    with (folder / "agents.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(agent_rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(agent_rows)
    out = pd.DataFrame({"queue": table["queue"], "interval_start": [iso_utc(int(t)) for t in table["t"]],
                        "contacts": table["contacts"].map(lambda x: f"{x:.1f}")})  # fmt: skip
    out.to_csv(folder / "demand.csv", index=False, lineterminator="\n")
    yaml = YAML()
    yaml.default_flow_style = None
    yaml.width = 120
    path = scen_dir / "global-baseline.yaml"
    with path.open("w", encoding="utf-8") as f:
        f.write(
            "# Generated by data/generate.py (seeded); see data/README.md for the figures' basis.\n"
        )
        yaml.dump(doc, f)
    return path


def utilisation(path: Path) -> pd.DataFrame:
    sc = load_scenario(path)
    req = compute_requirements(sc)
    hours = req.agent_hours()
    need = pd.Series(hours, index=[q.language for q in sc.queues]).groupby(level=0).sum()
    cap: dict[str, float] = {}
    for a in sc.agents:
        hours = (
            a.max_hours_week * DAYS / 7.0
        )  # every speaker's full hours: scarce languages come first
        for lang in a.languages:
            cap[lang] = cap.get(lang, 0.0) + hours
    frame = pd.DataFrame({"required_hours": need, "capacity_hours": pd.Series(cap)}).fillna(0.0)
    frame["utilisation"] = frame["required_hours"] / frame["capacity_hours"]
    return frame


def small_demand(
    path: Path,
    queues: list[dict],
    markets: dict[str, str],
    start: dt.date,
    days: int,
    interval: int,
    zones: list[str],
    peak: dict[str, float],
    seed: int,
) -> None:
    """Demand CSV for a small scenario: the baseline's shape at a given peak per queue."""
    rng = np.random.default_rng(seed)
    t0, t1 = grid_bounds(start, days, interval, zones)
    ts = np.arange(t0, t1, interval, dtype=np.int64)
    utc = pd.to_datetime(ts * 60, unit="s", utc=True)
    rows = []
    for q in queues:
        local = utc.tz_convert(zone(markets[q["market"]])).tz_localize(None)
        shape = demand_shape(
            (local.hour * 60 + local.minute).to_numpy(), local.day_of_week.to_numpy()
        )
        values = np.round(
            shape / shape.max() * peak[q["id"]] * rng.uniform(0.9, 1.1, size=shape.shape), 1
        )
        rows += [
            (q["id"], iso_utc(int(t)), f"{v:.1f}") for t, v in zip(ts, values, strict=True) if v > 0
        ]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["queue", "interval_start", "contacts"])
        w.writerows(rows)


def small_scenarios() -> None:
    """scenarios/tiny.yaml (fast tests and demos) and scenarios/dst-weekend.yaml (around the EU DST change)."""
    yaml = YAML()
    yaml.default_flow_style = None
    lis = {"id": "LIS", "city": "Lisbon", "country": "PT", "subdivision": None, "timezone": "Europe/Lisbon",
           "currency": "EUR", "region": "EU", "hourly_cost": 10.5, "rules": "PT", "holidays": "premium"}  # fmt: skip
    # tiny: one site, a 24x7 Portuguese voice queue and a business-hours Spanish email queue, 8 agents, 7 days
    tiers = {"T1": TIERS["T1"], "T3": TIERS["T3"]}
    queues = [
        {
            "id": "PT-pt-voice",
            "market": "PT",
            "language": "pt",
            "channel": "voice",
            "aht_seconds": 360,
        },
        {
            "id": "ES-es-email",
            "market": "ES",
            "language": "es",
            "channel": "email",
            "aht_seconds": 420,
        },
    ]
    markets = [
        {
            "id": "PT",
            "country": "PT",
            "subdivision": None,
            "timezone": "Europe/Lisbon",
            "tier": "T1",
            "residency": ["EU"],
            "holiday_demand_factor": 0.6,
        },
        {
            "id": "ES",
            "country": "ES",
            "subdivision": None,
            "timezone": "Europe/Madrid",
            "tier": "T3",
            "residency": ["EU"],
            "holiday_demand_factor": 0.5,
        },
    ]
    rules = {"PT": rule_set("PT", shift_hours=[4, 8])}
    agents_tiny = [
        {"id": f"T{k:02d}", "name": n, "site": "LIS", "languages": langs, "channels": ch,
         "min_hours_week": mn, "max_hours_week": mx, **extra}
        for k, (n, langs, ch, mn, mx, extra) in enumerate([
            ("Ana Silva", "pt;es", "voice;email", 32, 40, {}),
            ("João Santos", "pt", "voice", 32, 40, {}),
            ("Mariana Costa", "pt;es", "voice;email", 32, 40, {"days_off": "Sat;Sun"}),
            ("Pedro Ferreira", "pt", "voice", 16, 24, {}),
            ("Inês Martins", "es;pt", "email;voice", 32, 40, {"leave": "2027-03-03..2027-03-04"}),
            ("Tiago Pereira", "pt", "voice", 32, 40, {"earliest_start": "22:00", "latest_end": "07:00"}),
            ("Beatriz Oliveira", "pt;es", "voice;email", 16, 24, {}),
            ("Rui Rodrigues", "pt", "voice", 32, 40, {"earliest_start": "22:00", "latest_end": "07:00"}),
        ], start=1)
    ]  # fmt: skip
    tiny = {"scenario": "tiny", "description": "One Lisbon site, a 24x7 voice queue and a business-hours email queue, 8 agents, one week",
            "horizon": {"start": "2027-03-01", "days": 7, "interval_minutes": 60}, "currency": "EUR", "fx": {}, "shrinkage": 0.3,
            "tiers": tiers, "rules": rules, "sites": [lis], "markets": markets, "queues": queues, "agents": agents_tiny,
            "demand": "tiny-demand.csv", "weights": WEIGHTS, "activities": ACTIVITIES}  # fmt: skip
    small_demand(
        ROOT / "scenarios" / "tiny-demand.csv",
        queues,
        {"PT": "Europe/Lisbon", "ES": "Europe/Madrid"},
        dt.date(2027, 3, 1),
        7,
        60,
        ["Europe/Lisbon", "Europe/Madrid"],
        {"PT-pt-voice": 14.0, "ES-es-email": 6.0},
        SEED + 3,
    )
    with (ROOT / "scenarios" / "tiny.yaml").open("w", encoding="utf-8") as f:
        f.write("# Generated by data/generate.py: a small scenario that solves in seconds.\n")
        yaml.dump(tiny, f)
    # dst-weekend: Lisbon nights across 2027-03-28 (WET → WEST) and a US market already on EDT
    queues = [
        {
            "id": "PT-pt-voice",
            "market": "PT",
            "language": "pt",
            "channel": "voice",
            "aht_seconds": 360,
        },
        {
            "id": "PT-pt-chat",
            "market": "PT",
            "language": "pt",
            "channel": "chat",
            "aht_seconds": 600,
        },
        {
            "id": "US-en-voice",
            "market": "US",
            "language": "en",
            "channel": "voice",
            "aht_seconds": 420,
        },
    ]
    markets = [
        {
            "id": "PT",
            "country": "PT",
            "subdivision": None,
            "timezone": "Europe/Lisbon",
            "tier": "T1",
            "residency": ["EU"],
            "holiday_demand_factor": 0.6,
        },
        {
            "id": "US",
            "country": "US",
            "subdivision": None,
            "timezone": "America/New_York",
            "tier": "T2",
            "holiday_demand_factor": 0.6,
        },
    ]
    rng = np.random.default_rng(SEED + 4)
    agents_dst = []
    for k in range(1, 21):
        night = k % 5 == 0
        langs = "pt;en" if k % 3 else "en"
        agents_dst.append({"id": f"D{k:02d}", "name": f"{rng.choice(FIRST['PT'])} {rng.choice(LAST['PT'])}", "site": "LIS",
                           "languages": langs, "channels": "voice;chat", "min_hours_week": 24 if k % 4 else 16,
                           "max_hours_week": 40 if k % 4 else 24,
                           **({"earliest_start": "22:00", "latest_end": "07:00"} if night else {})})  # fmt: skip
    dst = {"scenario": "dst-weekend", "description": "Lisbon nights across the EU DST change of 2027-03-28, with a US market already on EDT",
           "horizon": {"start": "2027-03-22", "days": 7, "interval_minutes": 30}, "currency": "EUR", "fx": {}, "shrinkage": 0.3,
           "tiers": {"T1": TIERS["T1"], "T2": TIERS["T2"]}, "rules": {"PT": rule_set("PT")}, "sites": [lis], "markets": markets,
           "queues": queues, "agents": agents_dst, "demand": "dst-weekend-demand.csv", "weights": WEIGHTS,
           "activities": ACTIVITIES}  # fmt: skip
    small_demand(
        ROOT / "scenarios" / "dst-weekend-demand.csv",
        queues,
        {"PT": "Europe/Lisbon", "US": "America/New_York"},
        dt.date(2027, 3, 22),
        7,
        30,
        ["Europe/Lisbon", "America/New_York"],
        {"PT-pt-voice": 22.0, "PT-pt-chat": 14.0, "US-en-voice": 18.0},
        SEED + 5,
    )
    with (ROOT / "scenarios" / "dst-weekend.yaml").open("w", encoding="utf-8") as f:
        f.write("# Generated by data/generate.py: a week around the EU DST change.\n")
        yaml.dump(dst, f)


def main() -> None:
    scale: dict[str, float] = {}
    agent_rows = agents(np.random.default_rng(SEED))
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(3):  # calibrate volumes per language against the real requirement
            queues, table = demand(np.random.default_rng(SEED + 2), scale)
            path = write(
                Path(tmp) / "scenarios" / "global-baseline",
                Path(tmp) / "scenarios",
                scenario_doc(queues),
                agent_rows,
                table,
            )
            u = utilisation(path)
            for lang, row in u.iterrows():
                target = UTIL_TARGET.get(str(lang), 0.6)
                scale[str(lang)] = scale.get(str(lang), 1.0) * float(
                    np.clip(target / max(row["utilisation"], 1e-6), 0.3, 3.0)
                )
    queues, table = demand(np.random.default_rng(SEED + 2), scale)
    path = write(
        ROOT / "scenarios" / "global-baseline",
        ROOT / "scenarios",
        scenario_doc(queues),
        agent_rows,
        table,
    )
    u = utilisation(path)
    small_scenarios()
    print(
        f"wrote {path.relative_to(ROOT)}: {len(agent_rows)} agents, {len(queues)} queues, {len(table)} demand rows"
    )
    print(u.round(2).to_string())
    total = sum(a.max_hours_week for a in load_scenario(path).agents) * DAYS / 7.0
    print(
        f"total: {u['required_hours'].sum():,.0f} required agent-hours of {total:,.0f} agents' maximum hours "
        f"({u['required_hours'].sum() / total:.0%}); per language, capacity counts every speaker's hours"
    )


if __name__ == "__main__":
    main()
