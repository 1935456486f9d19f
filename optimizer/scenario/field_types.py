"""The kinds of value a scenario's fields hold, each read as a planner writes it.

A local time `"22:00"` becomes minutes after midnight, a weekday `Mon` a number
(Mon = 0), a list may be one `;`-separated string (a CSV cell), ids, time zones
and ISO codes are checked, dates are kept inside a window, and every number is
finite and inside its sane range (`limits.py`): a float field is a
`FiniteFloat`, an integer one a `FiniteInt`, each with its bounds. Each kind is
an `Annotated` type whose validator reads the value as written, so the models
of the scenario's sections only name types; `Frozen` is their common base.
`schema.py` maps each validator to the JSON Schema of what it reads.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Literal

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
)

from optimizer.scenario import limits
from optimizer.scenario.clock import parse_hhmm, parse_weekday
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


def split_list(v: object) -> object:
    """`"en;fr"` → ("en", "fr"); lists pass through; empty → ()."""
    if v is None:
        return ()
    if isinstance(v, str):
        return tuple(p.strip() for p in re.split(r"[;|]", v) if p.strip())
    return v


def iso_date(v: object) -> dt.date:
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
    for item in split_list(v):  # type: ignore[union-attr]
        if isinstance(item, str) and ".." in item:
            a, b = (iso_date(x) for x in item.split("..", 1))
            if b < a:
                raise ValueError(f"date range {item!r} ends before it starts")
            a, b = max(a, lo), min(b, hi)
            out.extend(a + dt.timedelta(days=k) for k in range((b - a).days + 1))
        else:
            d = iso_date(item)
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


__all__ = [
    "CHANNELS",
    "ID_RE",
    "SCENARIO_ID_RE",
    "Channel",
    "Country",
    "Currency",
    "Dates",
    "FiniteFloat",
    "FiniteInt",
    "Fraction",
    "Frozen",
    "HourlyCost",
    "Ident",
    "Language",
    "LocalMinute",
    "Premium",
    "Share",
    "SupportedDate",
    "TimeZone",
    "WeekHours",
    "Weekday",
    "Weight",
    "iso_date",
    "split_list",
]
