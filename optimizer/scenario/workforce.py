"""The supply side of a scenario: sites and the agents who work at them.

A site gives its agents a clock, a currency, a base hourly cost and a labour
rule set (by id); an agent adds skills, contract hours, a personal window,
days off and leave. Agents come from a CSV table as often as from YAML, so a
list field also reads as one `;`-separated string.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from optimizer.scenario import limits
from optimizer.scenario.field_types import (
    Channel,
    Country,
    Currency,
    Dates,
    FiniteFloat,
    Frozen,
    HourlyCost,
    Ident,
    Language,
    LocalMinute,
    TimeZone,
    Weekday,
    WeekHours,
    split_list,
)


class Site(Frozen):
    """A contact-centre site: where agents sit, its clock, currency and rules."""

    id: Ident
    city: str = ""
    country: Country
    subdivision: str | None = None
    timezone: TimeZone
    currency: Currency
    region: str = ""
    hourly_cost: HourlyCost
    rules: str
    holidays: Literal["off", "premium"] = "premium"


# ---------------------------------------------------------------- agents


class Agent(Frozen):
    """An agent: site, skills, contract hours, personal windows, days off, leave."""

    id: Ident
    name: str = ""
    site: str
    languages: Annotated[tuple[Language, ...], BeforeValidator(split_list), Field(min_length=1)]
    channels: Annotated[tuple[Channel, ...], BeforeValidator(split_list), Field(min_length=1)]
    min_hours_week: WeekHours = 0
    max_hours_week: Annotated[WeekHours, Field(gt=0)]
    hourly_cost: HourlyCost | None = None
    earliest_start: LocalMinute | None = None
    latest_end: LocalMinute | None = None
    days_off: Annotated[tuple[Weekday, ...], BeforeValidator(split_list)] = ()
    leave: Dates = ()
    team: str | None = None
    # optional extension: weekdays the agent would rather not work (objective weight `preference`)
    preferred_days_off: Annotated[tuple[Weekday, ...], BeforeValidator(split_list)] = ()
    # optional extension: paid hours over the whole horizon, at least and at most
    min_hours_horizon: Annotated[FiniteFloat, Field(ge=0, le=limits.MAX_HORIZON_HOURS)] | None = (
        None
    )
    max_hours_horizon: Annotated[FiniteFloat, Field(ge=0, le=limits.MAX_HORIZON_HOURS)] | None = (
        None
    )

    @model_validator(mode="after")
    def _hours(self) -> Agent:
        if self.min_hours_week > self.max_hours_week:
            raise ValueError(
                f"min_hours_week {self.min_hours_week} exceeds max_hours_week {self.max_hours_week}"
            )
        low, high = self.min_hours_horizon, self.max_hours_horizon
        if low is not None and high is not None and low > high:
            raise ValueError(f"min_hours_horizon {low:g} exceeds max_hours_horizon {high:g}")
        if (self.earliest_start is None) != (self.latest_end is None):
            raise ValueError("earliest_start and latest_end go together: give both or neither")
        return self


__all__ = ["Agent", "Site"]
