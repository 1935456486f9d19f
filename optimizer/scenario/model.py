"""The scenario in the planner's words: frozen, validated domain objects.

Field meanings are those of docs/scenario-format.md (contract v1.1). This
module holds the scenario as a whole (`Scenario`: its header, horizon,
weights, activities and sections, with look-ups by id) and re-exports every
section's models, so callers import them all from here: the value types from
`field_types`, tiers, markets and queues from `markets`, rule sets from
`labour_rules`, sites and agents from `workforce`. Each model validates what it
can see on its own (ranges, formats, codes); cross-references (a site naming a
rule set, a queue naming a market) are checked by the loader, which sees the
whole scenario and can say where each reference is.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Annotated, Literal

import pandas as pd
from pydantic import Field, model_validator

from optimizer.scenario import limits
from optimizer.scenario.field_types import (
    CHANNELS,
    ID_RE,
    SCENARIO_ID_RE,
    Channel,
    Currency,
    FiniteFloat,
    FiniteInt,
    Frozen,
    Share,
    SupportedDate,
    Weight,
)
from optimizer.scenario.labour_rules import BreakRule, NightWindow, Premiums, RuleSet, ShiftType
from optimizer.scenario.markets import ChannelSla, Market, Queue, Tier
from optimizer.scenario.shift_cover import ShiftCover
from optimizer.scenario.shift_requests import ShiftRequest
from optimizer.scenario.workforce import Agent, Site


class Horizon(Frozen):
    """First local date, number of days, and the UTC grid's interval."""

    start: SupportedDate
    days: Annotated[FiniteInt, Field(ge=1, le=400)]
    interval_minutes: Literal[15, 30, 60]

    @property
    def end(self) -> dt.date:
        """The first local date after the horizon."""
        return self.start + dt.timedelta(days=self.days)

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=k) for k in range(self.days)]


# `weights.isolated_day` unset: an isolated working day costs this many hours of `stability`
ISOLATED_DAY_HOURS = 4.0


class Weights(Frozen):
    """Multipliers of the objective's terms."""

    cost: Annotated[FiniteFloat, Field(ge=0, le=limits.MAX_COST_WEIGHT)] = 1.0
    preference: Weight = 0.0
    fairness: Weight = 0.0
    # v1.1: reporting currency per hour a start lies from its week's band start
    # and per hour that band moves between weeks (a soft term, 0: off)
    stability: Weight = 0.0
    # reporting currency per isolated working day (a day worked between two
    # days off); unset: the price of `ISOLATED_DAY_HOURS` hours of `stability`
    isolated_day: Weight | None = None

    @property
    def isolated_day_price(self) -> float:
        """What one isolated working day adds to the objective."""
        if self.isolated_day is not None:
            return float(self.isolated_day)
        return ISOLATED_DAY_HOURS * float(self.stability)


class Activities(Frozen):
    """v1.1: how a shift is divided between queues (hard rules when set)."""

    min_minutes: Annotated[FiniteInt, Field(gt=0, le=1440)] | None = None
    max_switches_per_shift: Annotated[FiniteInt, Field(ge=0, le=1000)] | None = None


class ScenarioHeader(Frozen):
    """The scenario's scalar top-level fields."""

    scenario: Annotated[str, Field(pattern=SCENARIO_ID_RE.pattern)]
    description: str | None = ""
    currency: Currency
    # RUF012, here and below, is a false alarm: pydantic copies a mutable default for each
    # model (ruff cannot see, across files, that `Frozen` is a pydantic model)
    fx: dict[Currency, Annotated[FiniteFloat, Field(ge=limits.MIN_FX, le=limits.MAX_FX)]] = {}  # noqa: RUF012
    shrinkage: Share = 0.0


class Scenario(ScenarioHeader):
    """Everything the optimiser needs to build one roster (see docs/scenario-format.md).

    `demand` is a DataFrame with columns `queue` (str), `t` (UTC epoch minutes,
    int64, on the grid) and `contacts` (float >= 0), one row per queue and
    interval with contacts; absent intervals have zero contacts.
    """

    horizon: Horizon
    tiers: dict[str, Tier]
    rules: dict[str, RuleSet]
    sites: tuple[Site, ...]
    markets: tuple[Market, ...]
    queues: tuple[Queue, ...]
    agents: tuple[Agent, ...]
    demand: pd.DataFrame
    weights: Weights = Weights()
    activities: Activities = Activities()
    # optional extension: extra public holidays, keyed by site id, market id or country code
    extra_holidays: dict[str, dict[dt.date, str]] = {}  # noqa: RUF012
    # optional extension: the agents' shift requests, soft wishes with a price each
    requests: tuple[ShiftRequest, ...] = ()
    # optional extension: agents needed per site, local date and named shift type
    shift_cover: tuple[ShiftCover, ...] = ()
    source: str = ""

    @model_validator(mode="after")
    def _name_tiers_and_rules(self) -> Scenario:
        for k, t in self.tiers.items():
            if t.id != k:
                object.__setattr__(t, "id", k)
        for k, r in self.rules.items():
            if r.id != k:
                object.__setattr__(r, "id", k)
        return self

    # ---- look-ups (ids → objects); cheap, cached
    @cached_property
    def site_by_id(self) -> dict[str, Site]:
        return {s.id: s for s in self.sites}

    @cached_property
    def market_by_id(self) -> dict[str, Market]:
        return {m.id: m for m in self.markets}

    @cached_property
    def queue_by_id(self) -> dict[str, Queue]:
        return {q.id: q for q in self.queues}

    @cached_property
    def agent_by_id(self) -> dict[str, Agent]:
        return {a.id: a for a in self.agents}

    def rules_of(self, site: Site | str) -> RuleSet:
        s = self.site_by_id[site] if isinstance(site, str) else site
        return self.rules[s.rules]

    def tier_of(self, queue: Queue) -> Tier:
        return self.tiers[self.market_by_id[queue.market].tier]

    def shrinkage_of(self, tier: Tier) -> float:
        return self.shrinkage if tier.shrinkage is None else tier.shrinkage

    def fx_rate(self, currency: str) -> float:
        """Reporting-currency value of one unit of `currency`."""
        if currency == self.currency:
            return 1.0
        return self.fx[currency]

    def agent_cost(self, agent: Agent) -> float:
        """Base hourly cost of an agent in the site's currency."""
        if agent.hourly_cost is not None:
            return agent.hourly_cost
        return self.site_by_id[agent.site].hourly_cost

    def may_serve(self, site: Site, market: Market) -> bool:
        """Data residency: may agents at `site` serve `market`?"""
        if not market.residency:
            return True
        return site.region in market.residency or site.id in market.residency

    def with_changes(self, **changes: object) -> Scenario:
        """A copy with some fields replaced (for what-ifs); re-validated by the caller."""
        return self.model_copy(update=changes)


__all__ = [
    "CHANNELS",
    "ID_RE",
    "SCENARIO_ID_RE",
    "Activities",
    "Agent",
    "BreakRule",
    "Channel",
    "ChannelSla",
    "Frozen",
    "Horizon",
    "Market",
    "NightWindow",
    "Premiums",
    "Queue",
    "RuleSet",
    "Scenario",
    "ScenarioHeader",
    "ShiftCover",
    "ShiftRequest",
    "ShiftType",
    "Site",
    "Tier",
    "Weights",
]
