"""The What-ifs page's form as a `WhatIf`: only the levers that differ from the scenario."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from optimizer.scenario.model import Scenario
from optimizer.whatif import WhatIf, lever_changes


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
