"""A scenario at a glance: the tables `sunroster validate` prints."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from optimizer.calendars import Calendars
from optimizer.scenario.model import Scenario
from optimizer.timegrid import TimeGrid


@dataclass(frozen=True)
class ScenarioSummary:
    sites: pd.DataFrame
    agents_by_site_language: pd.DataFrame
    queues: pd.DataFrame
    holidays: pd.DataFrame
    total_contacts: float


def scenario_summary(sc: Scenario, grid: TimeGrid, cal: Calendars) -> ScenarioSummary:
    """Sites, agents by site × language, queues, holidays in the horizon, contacts."""
    agents = pd.DataFrame(
        {"site": [a.site for a in sc.agents], "languages": [a.languages for a in sc.agents]}
    )
    sites = pd.DataFrame(
        [
            {
                "site": s.id, "city": s.city, "country": s.country, "timezone": s.timezone,
                "currency": s.currency, "region": s.region, "rules": s.rules,
                "agents": int((agents["site"] == s.id).sum()),
            }
            for s in sc.sites
        ]
    )  # fmt: skip
    long = agents.explode("languages")
    by_lang = (
        pd.crosstab(long["site"], long["languages"]).reset_index()
        if len(long)
        else pd.DataFrame({"site": []})
    )
    by_lang.columns.name = None
    contacts = sc.demand.groupby("queue")["contacts"].sum()
    queues = pd.DataFrame(
        [
            {
                "queue": q.id, "market": q.market, "tier": sc.market_by_id[q.market].tier,
                "language": q.language, "channel": q.channel, "aht_s": q.aht_seconds,
                "contacts": float(contacts.get(q.id, 0.0)),
            }
            for q in sc.queues
        ]
    )  # fmt: skip
    rows = []
    for kind, table in (("site", cal.site), ("market", cal.market)):
        for key, days in table.items():
            for d, name in days.items():
                if sc.horizon.start <= d < sc.horizon.end:
                    rows.append({"where": f"{kind} {key}", "date": d.isoformat(), "holiday": name})
    holidays = pd.DataFrame(rows, columns=["where", "date", "holiday"])
    return ScenarioSummary(sites, by_lang, queues, holidays, float(sc.demand["contacts"].sum()))
