"""Small hand-made scenarios for tests: a dict you can tweak, written to disk.

`mini()` is one Lisbon site, one Portuguese market with a voice queue, a few
agents, 7 days on a 60-minute grid — small enough that the right answers of
the tests that use it can be worked out by hand.
"""

from __future__ import annotations

import copy
import csv
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

AGENT_FIELDS = [
    "id", "name", "site", "languages", "channels", "min_hours_week", "max_hours_week",
    "hourly_cost", "earliest_start", "latest_end", "days_off", "leave", "team",
]  # fmt: skip


def mini(days: int = 7, start: str = "2027-03-01", interval: int = 60) -> dict[str, Any]:
    """A valid small scenario as plain data (agents inline, demand as rows)."""
    return {
        "scenario": "mini",
        "description": "test scenario",
        "horizon": {"start": start, "days": days, "interval_minutes": interval},
        "currency": "EUR",
        "fx": {},
        "shrinkage": 0.0,
        "tiers": {
            "T1": {
                "hours": "24x7",
                "closed_on_holidays": False,
                "under_cover_penalty": 100,
                "max_occupancy": 1.0,
                "sla": {
                    "voice": {"level": 0.8, "seconds": 20},
                    "chat": {"level": 0.8, "seconds": 60, "concurrency": 2},
                    "email": {"hours": 4},
                },
            },
            "T3": {
                "hours": "Mon-Fri 09:00-17:00",
                "closed_on_holidays": True,
                "under_cover_penalty": 40,
                "sla": {"email": {"hours": 4}},
            },
        },
        "rules": {
            "PT": {
                "min_rest_hours": 11,
                "max_hours_week": 40,
                "max_consecutive_days": 6,
                "shift_hours": [8],
                "start_step_minutes": 60,
                "break": {"minutes": 60, "paid": False, "after_hours": [3, 5]},
                "weekend": ["Sat", "Sun"],
                "night": {"from": "22:00", "to": "06:00"},
                "premiums": {
                    "night": 1.25,
                    "weekend": 1.5,
                    "holiday": 2.0,
                    "overtime_after_hours_week": 40,
                    "overtime": 1.5,
                },
            }
        },
        "sites": [
            {
                "id": "LIS",
                "city": "Lisbon",
                "country": "PT",
                "subdivision": None,
                "timezone": "Europe/Lisbon",
                "currency": "EUR",
                "region": "EU",
                "hourly_cost": 10,
                "rules": "PT",
                "holidays": "premium",
            }
        ],
        "markets": [
            {
                "id": "PT",
                "country": "PT",
                "timezone": "Europe/Lisbon",
                "tier": "T1",
                "residency": ["EU"],
                "holiday_demand_factor": 1.0,
            }
        ],
        "queues": [
            {
                "id": "PT-pt-voice",
                "market": "PT",
                "language": "pt",
                "channel": "voice",
                "aht_seconds": 360,
            }
        ],
        "agents": [
            {
                "id": f"A{k}",
                "name": f"Agent {k}",
                "site": "LIS",
                "languages": "pt",
                "channels": "voice",
                "min_hours_week": 0,
                "max_hours_week": 40,
            }
            for k in range(1, 4)
        ],
        "demand": [],  # rows: (queue, interval_start, contacts)
    }


def write(tmp: Path, data: dict[str, Any], agents_csv: bool = False) -> Path:
    """Write scenario `data` under `tmp` (demand rows → demand.csv); return the YAML path."""
    doc = copy.deepcopy(data)
    tmp.mkdir(parents=True, exist_ok=True)
    rows = doc.pop("demand")
    if isinstance(rows, list):
        with (tmp / "demand.csv").open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["queue", "interval_start", "contacts"])
            w.writerows(rows)
        doc["demand"] = "demand.csv"
    else:
        doc["demand"] = rows
    if agents_csv and isinstance(doc["agents"], list):
        with (tmp / "agents.csv").open("w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=AGENT_FIELDS)
            w.writeheader()
            for a in doc["agents"]:
                w.writerow({k: a.get(k, "") for k in AGENT_FIELDS})
        doc["agents"] = "agents.csv"
    yaml = YAML()
    yaml.default_flow_style = False
    path = tmp / "scenario.yaml"
    with path.open("w", encoding="utf-8") as f:
        yaml.dump(doc, f)
    return path


def v11(
    data: dict[str, Any],
    *,
    start_band_hours: float | None = None,
    days_off_together: int | None = None,
    max_consecutive_nights: int | None = None,
    min_minutes: int | None = None,
    max_switches_per_shift: int | None = None,
) -> dict[str, Any]:
    """A copy of scenario `data` with the given contract v1.1 rules set on every
    rule set (and `activities`); rules left as None stay unset, as in v1."""
    doc = copy.deepcopy(data)
    rules = {
        "start_band_hours": start_band_hours,
        "days_off_together": days_off_together,
        "max_consecutive_nights": max_consecutive_nights,
    }
    for rule_set in doc["rules"].values():
        rule_set.update({k: v for k, v in rules.items() if v is not None})
    acts = {"min_minutes": min_minutes, "max_switches_per_shift": max_switches_per_shift}
    if any(v is not None for v in acts.values()):
        doc.setdefault("activities", {}).update({k: v for k, v in acts.items() if v is not None})
    return doc


def write_with_table(tmp: Path, data: dict[str, Any], key: str, text: str) -> Path:
    """`write`, with section `key` a CSV table beside the YAML (`KEY.csv`) holding `text`."""
    doc = copy.deepcopy(data)
    doc[key] = f"{key}.csv"
    path = write(tmp, doc)
    (tmp / f"{key}.csv").write_text(text, encoding="utf-8")
    return path
