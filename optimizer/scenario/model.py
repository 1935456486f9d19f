"""The scenario in the planner's words: frozen, validated domain objects.

Field meanings are those of docs/scenario-format.md (contract v1.1). Each model validates
what it can see on its own (ranges, formats, codes); cross-references (a site
naming a rule set, a queue naming a market) are checked by the loader, which
sees the whole scenario and can say where each reference is. Every number is
finite and inside its sane range (`limits.py`): a float field is a
`FiniteFloat`, an integer one a `FiniteInt`, each with its bounds.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import cached_property
from typing import Annotated, Literal

import pandas as pd
import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from optimizer.scenario import limits
from optimizer.scenario.clock import ServiceHours, parse_hhmm, parse_service_hours, parse_weekday
from optimizer.tz import zone_names

Channel = Literal["voice", "chat", "email"]
CHANNELS: tuple[str, ...] = ("voice", "chat", "email")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
SCENARIO_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _hhmm(v: object) -> int:
    if isinstance(v, int) and not isinstance(v, bool):
        raise ValueError(f"expected a local time 'HH:MM' (quoted), got the number {v}")
    if isinstance(v, dt.time):
        return v.hour * 60 + v.minute
    return parse_hhmm(v)


def _weekday(v: object) -> int:
    if isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 6:
        return v
    return parse_weekday(v)


def _timezone(v: object) -> str:
    if not isinstance(v, str) or v not in zone_names():
        raise ValueError(f"{v!r} is not an IANA time zone (e.g. 'Europe/Lisbon')")
    return v


def _country(v: object) -> str:
    if not isinstance(v, str) or pycountry.countries.get(alpha_2=v.upper()) is None or len(v) != 2:
        raise ValueError(f"{v!r} is not an ISO 3166-1 alpha-2 country code")
    return v.upper()


def _currency(v: object) -> str:
    if not isinstance(v, str) or len(v) != 3 or pycountry.currencies.get(alpha_3=v.upper()) is None:
        raise ValueError(f"{v!r} is not an ISO 4217 currency code")
    return v.upper()


def _language(v: object) -> str:
    if (
        not isinstance(v, str)
        or len(v.strip()) != 2
        or pycountry.languages.get(alpha_2=v.strip().lower()) is None
    ):
        raise ValueError(f"{v!r} is not an ISO 639-1 language code (two letters, e.g. 'de')")
    return v.strip().lower()


def _split(v: object) -> object:
    """`"en;fr"` → ("en", "fr"); lists pass through; empty → ()."""
    if v is None:
        return ()
    if isinstance(v, str):
        return tuple(p.strip() for p in re.split(r"[;|]", v) if p.strip())
    return v


def _iso_date(v: object) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v).strip())
    except ValueError:
        raise ValueError(f"{v!r} is not an ISO date (YYYY-MM-DD)") from None


def _dates(v: object, info: ValidationInfo) -> tuple[dt.date, ...]:
    """`"2027-03-08;2027-03-10..2027-03-12"` (or a list of such) → sorted dates,
    only those inside the window `info.context["dates"]` (first, last): the
    loader passes the horizon, so `0001-01-01..9999-12-31` costs no more than
    the horizon's own days. Without a context the window is the supported
    years (`limits.FIRST_DATE` .. `LAST_DATE`)."""
    lo, hi = (info.context or {}).get("dates") or (limits.FIRST_DATE, limits.LAST_DATE)
    out: list[dt.date] = []
    for item in _split(v):  # type: ignore[union-attr]
        if isinstance(item, str) and ".." in item:
            a, b = (_iso_date(x) for x in item.split("..", 1))
            if b < a:
                raise ValueError(f"date range {item!r} ends before it starts")
            a, b = max(a, lo), min(b, hi)
            out.extend(a + dt.timedelta(days=k) for k in range((b - a).days + 1))
        else:
            d = _iso_date(item)
            if lo <= d <= hi:
                out.append(d)
    return tuple(sorted(set(out)))


def _supported_date(d: dt.date) -> dt.date:
    if not limits.FIRST_DATE <= d <= limits.LAST_DATE:
        raise ValueError(
            f"{d.isoformat()} is outside the supported years "
            f"{limits.FIRST_DATE.year}-{limits.LAST_DATE.year}"
        )
    return d


def _finite(v: object) -> object:
    """Any number of a scenario: finite, and a number rather than a yes/no.

    YAML reads `.inf`, `.nan` and `true` as numbers pydantic would accept (or
    report as "less than 24" for a NaN), and CSV cells `inf`, `nan` or `1e999`
    parse as such; an infinite cost or a rule of `true` days is a typo, so it
    is refused with the value named. (`Frozen` also refuses non-finite floats
    in any float field, as a second line.)"""
    if isinstance(v, bool):
        raise ValueError(f"expected a number, got {str(v).lower()}")
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError(f"expected a finite number, got {v}")
    if isinstance(v, str):
        try:
            x = float(v)
        except ValueError:
            return v  # pydantic names the type error
        if not math.isfinite(x):
            raise ValueError(f"expected a finite number, got {v!r}")
    return v


def _ident(v: object) -> str:
    if isinstance(v, int | float) and not isinstance(v, bool):
        v = str(v)
    if not isinstance(v, str) or not ID_RE.match(v):
        raise ValueError(f"{v!r} is not a valid id (letters, digits, '-', '_', '.')")
    return v


LocalMinute = Annotated[int, BeforeValidator(_hhmm)]
Weekday = Annotated[int, BeforeValidator(_weekday)]
TimeZone = Annotated[str, BeforeValidator(_timezone)]
Country = Annotated[str, BeforeValidator(_country)]
Currency = Annotated[str, BeforeValidator(_currency)]
Language = Annotated[str, BeforeValidator(_language)]
Ident = Annotated[str, BeforeValidator(_ident)]
Dates = Annotated[tuple[dt.date, ...], BeforeValidator(_dates)]
FiniteFloat = Annotated[float, BeforeValidator(_finite)]
FiniteInt = Annotated[int, BeforeValidator(_finite)]
Fraction = Annotated[FiniteFloat, Field(ge=0, le=1)]
Share = Annotated[FiniteFloat, Field(ge=0, lt=1)]  # shrinkage: a share of paid time
WeekHours = Annotated[FiniteFloat, Field(ge=0, le=limits.MAX_WEEK_HOURS)]
HourlyCost = Annotated[FiniteFloat, Field(ge=0, le=limits.MAX_HOURLY_COST)]
Premium = Annotated[FiniteFloat, Field(ge=1, le=limits.MAX_MULTIPLIER)]
Weight = Annotated[FiniteFloat, Field(ge=0, le=limits.MAX_WEIGHT)]
SupportedDate = Annotated[dt.date, AfterValidator(_supported_date)]


class Frozen(BaseModel):
    """Base: immutable, unknown keys ignored here (the loader warns about them),
    no infinite or NaN float anywhere."""

    model_config = ConfigDict(
        frozen=True, extra="ignore", arbitrary_types_allowed=True, allow_inf_nan=False
    )


# ---------------------------------------------------------------- tiers


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


# ---------------------------------------------------------------- labour rules


class BreakRule(Frozen):
    """One break for shifts of 6 paid hours or more, starting `after_hours` in."""

    minutes: Annotated[FiniteInt, Field(gt=0, le=24 * 60)]
    paid: bool = False
    after_hours: tuple[
        Annotated[FiniteFloat, Field(ge=0, le=limits.MAX_DAY_HOURS)],
        Annotated[FiniteFloat, Field(ge=0, le=limits.MAX_DAY_HOURS)],
    ]

    @model_validator(mode="after")
    def _window(self) -> BreakRule:
        a, b = self.after_hours
        if a < 0 or b < a:
            raise ValueError(
                f"after_hours {list(self.after_hours)} must be [earliest, latest] with 0 <= earliest <= latest"
            )
        return self


class NightWindow(Frozen):
    """Local night window, e.g. 22:00 → 06:00 (wraps past midnight)."""

    from_: LocalMinute = Field(alias="from")
    to: LocalMinute

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")


class Premiums(Frozen):
    """Multipliers of the base hourly cost; overtime stacks on the others."""

    night: Premium = 1.0
    weekend: Premium = 1.0
    holiday: Premium = 1.0
    overtime_after_hours_week: WeekHours | None = None
    overtime: Premium = 1.0


class RuleSet(Frozen):
    """A labour rule set (one per country, usually); sites name one."""

    id: str = ""
    min_rest_hours: WeekHours = 0
    max_hours_week: Annotated[WeekHours, Field(gt=0)]
    max_consecutive_days: Annotated[FiniteInt, Field(ge=1, le=7 * 53)] = 7
    shift_hours: tuple[Annotated[FiniteFloat, Field(gt=0)], ...]
    start_step_minutes: Annotated[FiniteInt, Field(gt=0, le=1440)] = 30
    break_: BreakRule | None = Field(default=None, alias="break")
    weekend: tuple[Weekday, ...] = (5, 6)
    night: NightWindow | None = None
    premiums: Premiums = Premiums()
    # v1.1 workability rules (hard when set; None: no such rule)
    start_band_hours: Annotated[FiniteFloat, Field(ge=0, le=24)] | None = None
    days_off_together: Annotated[FiniteInt, Field(ge=1, le=7)] | None = None
    max_consecutive_nights: Annotated[FiniteInt, Field(ge=0, le=7 * 53)] | None = None

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    @field_validator("shift_hours")
    @classmethod
    def _non_empty(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if not v:
            raise ValueError("shift_hours is empty: list at least one allowed paid shift length")
        if any(h > 24 for h in v):
            raise ValueError("a shift cannot last more than 24 hours")
        return tuple(sorted(set(v)))


# ---------------------------------------------------------------- sites, markets, queues


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


# ---------------------------------------------------------------- agents


class Agent(Frozen):
    """An agent: site, skills, contract hours, personal windows, days off, leave."""

    id: Ident
    name: str = ""
    site: str
    languages: Annotated[tuple[Language, ...], BeforeValidator(_split), Field(min_length=1)]
    channels: Annotated[tuple[Channel, ...], BeforeValidator(_split), Field(min_length=1)]
    min_hours_week: WeekHours = 0
    max_hours_week: Annotated[WeekHours, Field(gt=0)]
    hourly_cost: HourlyCost | None = None
    earliest_start: LocalMinute | None = None
    latest_end: LocalMinute | None = None
    days_off: Annotated[tuple[Weekday, ...], BeforeValidator(_split)] = ()
    leave: Dates = ()
    team: str | None = None
    # optional extension: weekdays the agent would rather not work (objective weight `preference`)
    preferred_days_off: Annotated[tuple[Weekday, ...], BeforeValidator(_split)] = ()

    @model_validator(mode="after")
    def _hours(self) -> Agent:
        if self.min_hours_week > self.max_hours_week:
            raise ValueError(
                f"min_hours_week {self.min_hours_week} exceeds max_hours_week {self.max_hours_week}"
            )
        if (self.earliest_start is None) != (self.latest_end is None):
            raise ValueError("earliest_start and latest_end go together: give both or neither")
        return self


# ---------------------------------------------------------------- top level


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


class Weights(Frozen):
    """Multipliers of the objective's terms."""

    cost: Annotated[FiniteFloat, Field(ge=0, le=limits.MAX_COST_WEIGHT)] = 1.0
    preference: Weight = 0.0
    fairness: Weight = 0.0
    # v1.1: reporting currency per hour of start change between consecutive
    # working days and per backward rotation hour (a soft term, 0: off)
    stability: Weight = 0.0


class Activities(Frozen):
    """v1.1: how a shift is divided between queues (hard rules when set)."""

    min_minutes: Annotated[FiniteInt, Field(gt=0, le=1440)] | None = None
    max_switches_per_shift: Annotated[FiniteInt, Field(ge=0, le=1000)] | None = None


class ScenarioHeader(Frozen):
    """The scenario's scalar top-level fields."""

    scenario: Annotated[str, Field(pattern=SCENARIO_ID_RE.pattern)]
    description: str | None = ""
    currency: Currency
    fx: dict[Currency, Annotated[FiniteFloat, Field(ge=limits.MIN_FX, le=limits.MAX_FX)]] = {}
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
    extra_holidays: dict[str, dict[dt.date, str]] = {}
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
    "Activities",
    "Agent",
    "BreakRule",
    "ChannelSla",
    "Horizon",
    "Market",
    "NightWindow",
    "Premiums",
    "Queue",
    "RuleSet",
    "Scenario",
    "ScenarioHeader",
    "Site",
    "Tier",
    "Weights",
]
