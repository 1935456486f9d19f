"""What the bundled scenarios (`data/generate.py`) and the synthetic scaling
scenarios (`optimizer/bench/scale.py`) set beyond their jurisdictions' rule
sets: contract v1.1's queue stretches and switches, and the weights of the
objective — one source, so that both measure the same rosters."""

from __future__ import annotations

from typing import Any

# queue stretches of an hour, two switches a shift at most
ACTIVITIES: dict[str, Any] = {"min_minutes": 60, "max_switches_per_shift": 2}

# steady starts inside the band: 2 (reporting currency) per hour a start lies from
# where its week's band begins, and per hour the band moves from week to week; 60
# per isolated working day (30 such hours: days off come together). The least
# values tried that meet issue #22's roster-quality goals on the baseline
# (BENCHMARKS.md, "The price of workability")
WEIGHTS: dict[str, Any] = {
    "cost": 1.0,
    "preference": 0.0,
    "fairness": 0.0,
    "stability": 2.0,
    "isolated_day": 60.0,
}
