"""The customer side of a scenario: service tiers, markets and their queues.

A tier is a service promise (service hours, a target per channel, what an
uncovered hour costs, the occupancy allowed); a market is the customers of one
country, in one clock, in one tier; a queue is a market's contacts in one
language on one channel.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator

from optimizer.scenario import limits
from optimizer.scenario.clock import ServiceHours, parse_service_hours
from optimizer.scenario.field_types import (
    Channel,
    Country,
    FiniteFloat,
    FiniteInt,
    Fraction,
    Frozen,
    Ident,
    Language,
    Share,
    TimeZone,
)


class ChannelSla(Frozen):
    """A channel's service target: `level` answered within `seconds` (voice, chat),
    or every contact handled within `hours` (email). `concurrency` is chats per agent."""

    level: Fraction | None = None
    seconds: Annotated[FiniteFloat, Field(ge=0, le=limits.MAX_SECONDS)] | None = None
    concurrency: Annotated[FiniteInt, Field(ge=1, le=limits.MAX_CONCURRENCY)] = 1
    hours: Annotated[FiniteFloat, Field(gt=0, le=limits.MAX_EMAIL_HOURS)] | None = None


class Tier(Frozen):
    """A market service tier: service hours, SLA per channel, penalty, occupancy."""

    id: str = ""
    hours: ServiceHours
    closed_on_holidays: bool = False
    under_cover_penalty: Annotated[FiniteFloat, Field(ge=0, le=limits.MAX_MONEY_PER_HOUR)]
    max_occupancy: Annotated[FiniteFloat, Field(gt=0, le=1)] = 1.0
    shrinkage: Share | None = None
    sla: dict[Channel, ChannelSla]

    @field_validator("hours", mode="before")
    @classmethod
    def _hours(cls, v: object) -> ServiceHours:
        return v if isinstance(v, ServiceHours) else parse_service_hours(v)

    @model_validator(mode="after")
    def _sla_complete(self) -> Tier:
        for ch, s in self.sla.items():
            if ch in ("voice", "chat") and (s.level is None or s.seconds is None):
                raise ValueError(f"sla.{ch} needs 'level' and 'seconds'")
            if ch == "email" and s.hours is None:
                raise ValueError("sla.email needs 'hours'")
        return self


class Market(Frozen):
    """A market: customers of one country, in one clock, in one service tier."""

    id: Ident
    country: Country
    subdivision: str | None = None
    timezone: TimeZone
    tier: str
    residency: tuple[str, ...] | None = None
    holiday_demand_factor: Annotated[FiniteFloat, Field(ge=0, le=limits.MAX_DEMAND_FACTOR)] = 1.0


class Queue(Frozen):
    """A queue: a market's contacts in one language on one channel."""

    id: Ident
    market: str
    language: Language
    channel: Channel
    aht_seconds: Annotated[FiniteFloat, Field(gt=0, le=limits.MAX_AHT_SECONDS)]


__all__ = ["ChannelSla", "Market", "Queue", "Tier"]
