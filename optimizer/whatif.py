"""What-ifs: named, validated changes to a scenario, applied before solving.

One `WhatIf` holds every lever a planner or a sweep can pull — volume, AHT,
service-level targets, shrinkage, exchange rates, a site outage, hiring,
service hours, and the contract v1.1 workability rules with the stability
and isolated-day weights (the price of workability). `apply(scenario, whatif)`
returns a new, re-validated `Scenario`; the original is untouched. Overrides
have a flat text form (`volume=+10%`, `fx.EUR=1.1`, `hire.MNL.ja=4`,
`outage.LIS=2027-03-01..2027-03-03`, `sla.gold=0.9`, `aht=-5%`,
`shrinkage=0.35`, `hours.silver=Mon-Fri 08:00-20:00`,
`rules.start_band_hours=2`, `rules.EU.days_off_together=off`, `rules.max_weekends=2`,
`activities.max_switches_per_shift=1`, `weights.stability=5`,
`weights.isolated_day=40`) so that the dashboard, the CLI and the run store
all speak the same language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from optimizer.scenario.clock import parse_service_hours
from optimizer.scenario.labour_rules import runs_conflict
from optimizer.scenario.model import (
    Activities,
    Agent,
    ChannelSla,
    RuleSet,
    Scenario,
    Tier,
    Weights,
)

# contract v1.1 levers (and the extensions: minimum runs, weekends worked): each takes
# a value with the scenario field's own bounds, or `off`
RULE_LEVERS = (
    "start_band_hours",
    "days_off_together",
    "max_consecutive_nights",
    "min_consecutive_days",
    "min_consecutive_days_off",
    "max_weekends",
)
ACTIVITY_LEVERS = ("min_minutes", "max_switches_per_shift")
# `weights.NAME` levers: a price >= 0, `off` is 0 (the soft term off)
WEIGHT_LEVERS = ("stability", "isolated_day")
ALL_RULE_SETS = "*"  # `rules.LEVER=…` (no rule set named): every rule set
OFF = "off"


def _v11_value(model: type[BaseModel], name: str, value: Any) -> float | int | None:
    """`value` read as `model`'s field `name` (`off`/None: the rule removed).

    The scenario's own validator decides, so a lever takes exactly the values
    a scenario file may hold (`days_off_together=8` or `=2.5` is refused)."""
    if value is None or (isinstance(value, str) and value.strip().lower() in (OFF, "none")):
        return None
    f = model.model_fields[name]
    tp: Any = Annotated[(f.annotation, *f.metadata)] if f.metadata else f.annotation
    try:
        return TypeAdapter(tp).validate_python(value.strip() if isinstance(value, str) else value)
    except ValidationError as exc:
        msg = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise ValueError(f"{name}={value!r}: {msg} (or '{OFF}')") from None


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Outage(_Frozen):
    """A site closed from `start` to `end` (local dates, both inclusive)."""

    site: str
    start: dt.date
    end: dt.date

    def dates(self) -> list[dt.date]:
        n = (self.end - self.start).days
        if n < 0:
            raise ValueError(f"outage of {self.site}: end {self.end} is before start {self.start}")
        return [self.start + dt.timedelta(days=i) for i in range(n + 1)]


class Hire(_Frozen):
    """`count` new agents at `site` speaking `languages`.

    They take the site's rule set (weekly maximum from it), the channels the
    site's agents already serve, the site's hourly cost and no weekly minimum.
    """

    site: str
    languages: tuple[str, ...]
    count: Annotated[int, Field(ge=0)]
    channels: tuple[str, ...] | None = None


class WhatIf(_Frozen):
    """A set of changes to a scenario; every field's default changes nothing."""

    volume: Annotated[float, Field(gt=-1)] = 0.0  # relative: +0.10 = 10 % more contacts
    aht: Annotated[float, Field(gt=-1)] = 0.0  # relative change of every queue's AHT
    sla: dict[str, Annotated[float, Field(gt=0, lt=1)]] = {}  # tier → service-level target
    shrinkage: Annotated[float, Field(ge=0, lt=1)] | None = None  # replaces every tier's
    fx: dict[str, Annotated[float, Field(gt=0)]] = {}  # currency → reporting value of 1 unit
    outages: tuple[Outage, ...] = ()
    hires: tuple[Hire, ...] = ()
    hours: dict[str, str] = {}  # tier → service hours text
    # v1.1: rule set id (or "*": all) → rule → value, None: the rule off
    rules: dict[str, dict[str, float | int | None]] = {}
    activities: dict[str, int | None] = {}  # v1.1 activities rule → value, None: off
    stability: Annotated[float, Field(ge=0)] | None = None  # weights.stability; 0: off
    # weights.isolated_day: reporting currency per isolated working day; 0: off
    # (None: as the scenario has it, which may be unset: 4 h of stability)
    isolated_day: Annotated[float, Field(ge=0)] | None = None

    @field_validator("rules")
    @classmethod
    def _rules_known(
        cls, v: dict[str, dict[str, float | int | None]]
    ) -> dict[str, dict[str, float | int | None]]:
        out: dict[str, dict[str, float | int | None]] = {}
        for rid, levers in v.items():
            for name, value in levers.items():
                if name not in RULE_LEVERS:
                    raise ValueError(
                        f"unknown rule lever {name!r} (levers: {', '.join(RULE_LEVERS)})"
                    )
                out.setdefault(rid, {})[name] = _v11_value(RuleSet, name, value)
        return out

    @field_validator("activities")
    @classmethod
    def _activities_known(cls, v: dict[str, int | None]) -> dict[str, int | None]:
        out: dict[str, int | None] = {}
        for name, value in v.items():
            if name not in ACTIVITY_LEVERS:
                raise ValueError(
                    f"unknown activities lever {name!r} (levers: {', '.join(ACTIVITY_LEVERS)})"
                )
            out[name] = _v11_value(Activities, name, value)  # type: ignore[assignment]
        return out

    @field_validator(*WEIGHT_LEVERS, mode="before")
    @classmethod
    def _weight_off(cls, v: Any, info: ValidationInfo) -> Any:
        """`off` is a weight of 0 (the soft term off); else a finite number >= 0
        within the scenario field's bounds."""
        if isinstance(v, str) and v.strip().lower() == OFF:
            return 0.0
        if v is None:
            return None
        value = _v11_value(Weights, str(info.field_name), v)
        return 0.0 if value is None else value

    @field_validator("hours")
    @classmethod
    def _hours_parse(cls, v: dict[str, str]) -> dict[str, str]:
        for text in v.values():
            parse_service_hours(text)
        return v

    def is_empty(self) -> bool:
        return self == WhatIf()

    def to_pairs(self) -> dict[str, str]:
        """The flat text form (`volume=+10%` …), inverse of `from_pairs`."""
        out: dict[str, str] = {}
        if self.volume:
            out["volume"] = _pct(self.volume)
        if self.aht:
            out["aht"] = _pct(self.aht)
        for k, v in sorted(self.sla.items()):
            out[f"sla.{k}"] = f"{v:g}"
        if self.shrinkage is not None:
            out["shrinkage"] = f"{self.shrinkage:g}"
        for k, v in sorted(self.fx.items()):
            out[f"fx.{k}"] = f"{v:g}"
        for o in self.outages:
            out[f"outage.{o.site}"] = f"{o.start.isoformat()}..{o.end.isoformat()}"
        for h in self.hires:
            out[f"hire.{h.site}.{'+'.join(h.languages)}"] = str(h.count)
        for k, v in sorted(self.hours.items()):
            out[f"hours.{k}"] = v
        for rid, levers in sorted(self.rules.items()):  # "*" sorts first: all sets, then one
            prefix = "rules." if rid == ALL_RULE_SETS else f"rules.{rid}."
            for name, value in sorted(levers.items()):
                out[prefix + name] = _v11_text(value)
        for name, value in sorted(self.activities.items()):
            out[f"activities.{name}"] = _v11_text(value)
        for name in WEIGHT_LEVERS:
            value = getattr(self, name)
            if value is not None:
                out[f"weights.{name}"] = f"{value:g}"
        return out

    @classmethod
    def from_pairs(cls, pairs: Mapping[str, Any] | Iterable[str]) -> WhatIf:
        """Build from `{"volume": "+10%", "fx.EUR": 1.1}` or `["volume=+10%", …]`."""
        if not isinstance(pairs, Mapping):
            items: list[tuple[str, Any]] = []
            for text in pairs:
                if "=" not in text:
                    raise ValueError(f"what-if {text!r}: expected KEY=VALUE")
                k, v = text.split("=", 1)
                items.append((k.strip(), v.strip()))
        else:
            items = list(pairs.items())
        fields: dict[str, Any] = {
            "sla": {}, "fx": {}, "hours": {}, "outages": [], "hires": [], "rules": {},
            "activities": {},
        }  # fmt: skip
        for key, value in items:
            head, _, rest = key.partition(".")
            if head in ("volume", "aht") and not rest:
                fields[head] = parse_relative(value)
            elif head == "shrinkage" and not rest:
                fields["shrinkage"] = float(value)
            elif head in ("sla", "fx", "hours") and rest:
                fields[head][rest] = value if head == "hours" else float(value)
            elif head == "outage" and rest:
                a, _, b = str(value).partition("..")
                fields["outages"].append(
                    Outage(
                        site=rest, start=dt.date.fromisoformat(a), end=dt.date.fromisoformat(b or a)
                    )
                )
            elif head == "hire" and "." in rest:
                site, langs = rest.split(".", 1)
                fields["hires"].append(
                    Hire(site=site, languages=tuple(langs.split("+")), count=int(float(value)))
                )
            elif head == "rules" and rest.rpartition(".")[2] in RULE_LEVERS:
                rid, _, name = rest.rpartition(".")
                fields["rules"].setdefault(rid or ALL_RULE_SETS, {})[name] = _lever(key, value)
            elif head == "activities" and rest in ACTIVITY_LEVERS:
                fields["activities"][rest] = _lever(key, value)
            elif head == "weights" and rest in WEIGHT_LEVERS:
                fields[rest] = _lever(key, value, off=0.0)
            else:
                raise ValueError(
                    f"what-if {key!r}: unknown lever (volume, aht, sla.TIER, shrinkage, "
                    "fx.CUR, outage.SITE, hire.SITE.LANG, hours.TIER, "
                    f"rules[.SET].{{{','.join(RULE_LEVERS)}}}, "
                    f"activities.{{{','.join(ACTIVITY_LEVERS)}}}, "
                    f"weights.{{{','.join(WEIGHT_LEVERS)}}})"
                )
        return cls(**fields)


_REL = re.compile(r"^\s*([+-]?\d+(?:\.\d*)?|[+-]?\.\d+)\s*(%?)\s*$")


def parse_relative(value: Any) -> float:
    """`'+10%'` → 0.10, `'-5%'` → -0.05, `0.1` → 0.1 (a bare number is a fraction)."""
    if isinstance(value, int | float):
        return float(value)
    m = _REL.match(str(value))
    if not m:
        raise ValueError(f"expected a relative change like '+10%' or '-0.05', got {value!r}")
    x = float(m.group(1))
    return x / 100.0 if m.group(2) else x


def _lever(key: str, value: Any, off: float | None = None) -> Any:
    """A v1.1 lever's value checked now, so the message names the lever's key."""
    model = {"activities": Activities, "weights": Weights}.get(key.partition(".")[0], RuleSet)
    name = key.rpartition(".")[2]
    try:
        v = _v11_value(model, name, value)
    except ValueError as exc:
        raise ValueError(f"what-if {key}={value}: {str(exc).partition(': ')[2]}") from None
    return off if v is None else v


def lever_values(scenario: Scenario, key: str) -> dict[str, float | int | None]:
    """What a v1.1 lever (`rules[.SET].RULE`, `activities.RULE`,
    `weights.stability`, `weights.isolated_day`) reads in `scenario` now: per
    rule set for a rule lever, else one value under the key; None where the
    rule is off, or for `weights.isolated_day` where it is unset (its price
    then follows `weights.stability`: `Weights.isolated_day_price`)."""
    head, _, rest = key.partition(".")
    if head == "rules" and rest.rpartition(".")[2] in RULE_LEVERS:
        rid, _, name = rest.rpartition(".")
        sets = [rid] if rid else list(scenario.rules)
        return {r: getattr(scenario.rules[r], name) for r in sets if r in scenario.rules}
    if head == "activities" and rest in ACTIVITY_LEVERS:
        return {key: getattr(scenario.activities, rest)}
    if head == "weights" and rest in WEIGHT_LEVERS:
        return {key: getattr(scenario.weights, rest)}
    raise ValueError(f"what-if {key!r}: not a v1.1 lever")


def lever_changes(scenario: Scenario, key: str, value: Any) -> bool:
    """Would `key=value` change `scenario`? (A rule lever for every set
    changes it unless every set already holds that value; a number for an
    unset `weights.isolated_day` changes it even if it is today's price, as
    it stops the price following `weights.stability`.)"""
    now = lever_values(scenario, key)  # first: refuses a key that is no v1.1 lever
    new = _lever(key, value, off=0.0 if key.partition(".")[0] == "weights" else None)
    return any(v != new for v in now.values())


def _v11_text(value: float | int | None) -> str:
    return OFF if value is None else f"{value:g}"


def _pct(x: float) -> str:
    return f"{x * 100:+g}%"


def apply(scenario: Scenario, whatif: WhatIf) -> Scenario:
    """A new scenario with the what-if's changes; raises ValueError naming a bad reference."""
    if whatif.is_empty():
        return scenario
    s = scenario
    update: dict[str, Any] = {}
    if whatif.volume:
        demand = s.demand.copy()
        demand["contacts"] = demand["contacts"] * (1.0 + whatif.volume)
        update["demand"] = demand
    if whatif.aht:
        update["queues"] = tuple(
            q.model_copy(update={"aht_seconds": q.aht_seconds * (1.0 + whatif.aht)})
            for q in s.queues
        )
    if whatif.fx:
        fx = dict(s.fx)
        for cur, rate in whatif.fx.items():
            if cur == s.currency:
                raise ValueError(f"fx.{cur}: the reporting currency's rate is 1 by definition")
            if cur not in fx:
                raise ValueError(f"fx.{cur}: the scenario uses no currency {cur}")
            fx[cur] = rate
        update["fx"] = fx
    tiers = dict(s.tiers)
    for tid in {*whatif.sla, *whatif.hours}:
        if tid not in tiers:
            raise ValueError(f"tier {tid!r} is not in the scenario (tiers: {', '.join(tiers)})")
    for tid, level in whatif.sla.items():
        tiers[tid] = _with_sla(tiers[tid], level)
    for tid, text in whatif.hours.items():
        tiers[tid] = tiers[tid].model_copy(update={"hours": parse_service_hours(text)})
    if whatif.shrinkage is not None:
        update["shrinkage"] = whatif.shrinkage
        tiers = {k: t.model_copy(update={"shrinkage": None}) for k, t in tiers.items()}
    if tiers != dict(s.tiers):
        update["tiers"] = tiers
    agents = list(s.agents)
    if whatif.outages:
        agents = _close_sites(s, agents, whatif.outages)
    if whatif.hires:
        agents += _hired(s, whatif.hires)
    if agents != list(s.agents):
        update["agents"] = tuple(agents)
    if whatif.rules:
        update["rules"] = _with_rules(s, whatif.rules)
    if whatif.activities:
        update["activities"] = _with_activities(s, whatif.activities)
    weights = {n: getattr(whatif, n) for n in WEIGHT_LEVERS if getattr(whatif, n) is not None}
    if weights:
        update["weights"] = s.weights.model_copy(update=weights)
    data = {name: getattr(s, name) for name in type(s).model_fields}
    data.update(update)
    data["scenario"] = s.scenario
    return type(s).model_validate(data)


def _with_rules(
    s: Scenario, levers: Mapping[str, Mapping[str, float | int | None]]
) -> dict[str, RuleSet]:
    """The rule sets with the v1.1 levers set: first those for every set, then
    those naming one set (so `rules.EU.start_band_hours` wins over `rules.…`)."""
    unknown = sorted(k for k in levers if k != ALL_RULE_SETS and k not in s.rules)
    if unknown:
        raise ValueError(f"rules.{unknown[0]}: no such rule set (rule sets: {', '.join(s.rules)})")
    every = dict(levers.get(ALL_RULE_SETS, {}))
    out = {}
    for rid, r in s.rules.items():
        new = r.model_copy(update={**every, **levers.get(rid, {})})
        # the one lever whose bounds are another field: the rule set's own check
        why = runs_conflict(new.min_consecutive_days, new.max_consecutive_days)
        if why is not None:
            raise ValueError(f"rules.{rid}.min_consecutive_days={why}")
        out[rid] = new
    return out


def _with_activities(s: Scenario, levers: Mapping[str, int | None]) -> Activities:
    """`activities` with the levers set; a minimum stretch must be whole grid intervals."""
    m = levers.get("min_minutes")
    step = s.horizon.interval_minutes
    if m is not None and m % step:
        raise ValueError(
            f"activities.min_minutes={m}: not a multiple of the scenario's {step}-minute interval"
        )
    return s.activities.model_copy(update=dict(levers))


def _with_sla(tier: Tier, level: float) -> Tier:
    """Set the service-level target of every channel of the tier that has one."""
    sla: dict[Any, ChannelSla] = {}
    for ch, c in tier.sla.items():
        sla[ch] = c.model_copy(update={"level": level}) if c.level is not None else c
    return tier.model_copy(update={"sla": sla})


def _close_sites(s: Scenario, agents: list[Agent], outages: Iterable[Outage]) -> list[Agent]:
    closed: dict[str, set[dt.date]] = {}
    for o in outages:
        if o.site not in s.site_by_id:
            raise ValueError(f"outage.{o.site}: no such site")
        closed.setdefault(o.site, set()).update(o.dates())
    out = []
    for a in agents:
        extra = closed.get(a.site)
        if extra:
            a = a.model_copy(
                update={"leave": tuple(sorted({*a.leave, *extra})), "min_hours_week": 0.0}
            )
        out.append(a)
    return out


def _hired(s: Scenario, hires: Iterable[Hire]) -> list[Agent]:
    out: list[Agent] = []
    taken = {a.id for a in s.agents}
    for h in hires:
        site = s.site_by_id.get(h.site)
        if site is None:
            raise ValueError(f"hire.{h.site}: no such site")
        rules = s.rules_of(site)
        channels = h.channels or tuple(
            sorted({c for a in s.agents if a.site == site.id for c in a.channels})
            or sorted({q.channel for q in s.queues})
        )
        for i in range(h.count):
            n = i + 1
            aid = f"HIRE-{site.id}-{'-'.join(h.languages)}-{n}"
            while aid in taken:
                n += 1
                aid = f"HIRE-{site.id}-{'-'.join(h.languages)}-{n}"
            taken.add(aid)
            out.append(
                Agent(
                    id=aid,
                    name=f"New hire {n} ({site.id}, {'/'.join(h.languages)})",
                    site=site.id,
                    languages=h.languages,
                    channels=channels,
                    max_hours_week=rules.max_hours_week,
                )
            )
    return out
