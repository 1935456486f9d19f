"""Public holidays per site and per market, from the `holidays` package.

Dates come from `holidays` (pinned exactly in pyproject.toml) by country and
subdivision, with names in English where the country offers it, plus the
scenario's optional `extra_holidays` (keyed by site id, market id or country
code). Islamic holidays (Eid al-Fitr, Eid al-Adha, …) are *estimated* by the
package from astronomical calendars — their names say "(estimated)" — and may
differ by a day from the official announcement; add or move such a date with
`extra_holidays` when it is announced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import holidays as holidays_pkg

LANGUAGE = "en_US"


class CalendarError(ValueError):
    """A country or subdivision the holidays package does not know."""


@cache
def _country_table(
    country: str, subdivision: str | None, years: tuple[int, ...]
) -> dict[dt.date, str]:
    if country not in holidays_pkg.list_supported_countries():
        raise CalendarError(f"the holidays package has no calendar for country {country!r}")
    try:
        cls = holidays_pkg.country_holidays(country, subdiv=subdivision, years=years[0])
    except (NotImplementedError, ValueError) as exc:
        raise CalendarError(
            f"the holidays package has no subdivision {subdivision!r} for country {country!r}"
        ) from exc
    language = LANGUAGE if LANGUAGE in getattr(cls, "supported_languages", ()) else None
    table = holidays_pkg.country_holidays(
        country, subdiv=subdivision, years=years, language=language
    )
    return {d: str(name) for d, name in sorted(table.items())}


def public_holidays(
    country: str,
    subdivision: str | None,
    start: dt.date,
    end: dt.date,
    extra: dict[dt.date, str] | None = None,
) -> dict[dt.date, str]:
    """Holidays of a country (and subdivision) on local dates in `[start, end)`,
    plus `extra` dates; `{date: name}` sorted by date."""
    years = tuple(range(start.year - 1, end.year + 1))
    table = {
        d: n for d, n in _country_table(country, subdivision, years).items() if start <= d < end
    }
    for d, n in (extra or {}).items():
        if start <= d < end:
            table[d] = f"{table[d]}; {n}" if d in table and n not in table[d] else n
    return dict(sorted(table.items()))


def check_calendar(country: str, subdivision: str | None) -> None:
    """Raise CalendarError if the package cannot give this country/subdivision."""
    _country_table(country, subdivision, (2027,))


@dataclass(frozen=True)
class Calendars:
    """Holiday tables of one scenario: `{site or market id: {date: name}}`.

    Site tables cover the site's local dates of the horizon (± one day, for
    shifts and nights at the edges); market tables likewise.
    """

    site: dict[str, dict[dt.date, str]]
    market: dict[str, dict[dt.date, str]]

    def site_dates(self, site_id: str) -> frozenset[dt.date]:
        return frozenset(self.site[site_id])

    def market_dates(self, market_id: str) -> frozenset[dt.date]:
        return frozenset(self.market[market_id])


def _extra_for(scenario: object, *keys: str) -> dict[dt.date, str]:
    merged: dict[dt.date, str] = {}
    extra: dict[str, dict[dt.date, str]] = scenario.extra_holidays  # type: ignore[attr-defined]
    for k in keys:
        merged.update(extra.get(k, {}))
    return merged


def calendars_of(scenario: object) -> Calendars:
    """Holiday tables for every site and market of a `Scenario`."""
    sc = scenario
    h = sc.horizon  # type: ignore[attr-defined]
    start = h.start - dt.timedelta(days=1)
    end = h.end + dt.timedelta(days=1)
    site = {
        s.id: public_holidays(s.country, s.subdivision, start, end, _extra_for(sc, s.country, s.id))
        for s in sc.sites  # type: ignore[attr-defined]
    }
    market = {
        m.id: public_holidays(m.country, m.subdivision, start, end, _extra_for(sc, m.country, m.id))
        for m in sc.markets  # type: ignore[attr-defined]
    }
    return Calendars(site, market)
