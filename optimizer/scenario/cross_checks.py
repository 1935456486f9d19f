"""Checks between the sections of a scenario, run on the parts that validated.

References (a site's rule set, a market's tier and residency, a queue's market
and its tier's channels, an agent's site), shift and break lengths against the
grid's interval, fx rates and calendars, hourly costs after fx, activity
stretches against the interval, each site's UTC offsets against the grid
and its start step, each shift request's agent, and each shift cover row's
site and shift type. Ids that were written but failed validation still count
as known, so one bad site is reported once, not again by all who name it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optimizer.calendars import CalendarError, check_calendar
from optimizer.scenario import limits
from optimizer.scenario.document import Document
from optimizer.scenario.model import (
    Activities,
    Agent,
    Horizon,
    Market,
    Queue,
    RuleSet,
    Site,
    Tier,
)
from optimizer.scenario.shift_cover import ShiftCover
from optimizer.scenario.shift_requests import ShiftRequest
from optimizer.scenario.yaml_file import KeyPath
from optimizer.timegrid import TimeGrid, utc_offsets


def cross_check(
    doc: Document,
    horizon: Horizon | None,
    tiers: dict[str, Tier],
    rules: dict[str, RuleSet],
    sites: list[Site],
    markets: list[Market],
    queues: list[Queue],
    agents: list[Agent],
    top: dict[str, Any],
    agents_reported: bool,
) -> None:
    """References between sections, lengths against the interval, fx rates and
    calendars; `agents_reported`: the agents had errors of their own, so an
    empty list of them is not reported again."""
    site_ids = {s.id for s in sites} | doc.raw_values("sites", "id")
    regions = {s.region for s in sites} | doc.raw_values("sites", "region")
    market_ids = {m.id for m in markets} | doc.raw_values("markets", "id")
    fx = top.get("fx", {})
    reporting = top.get("currency")
    step = horizon.interval_minutes if horizon is not None else 1
    for k, r in rules.items():
        at = ("rules", k)
        if r.break_ is not None and r.break_.minutes % step:
            doc.err(
                (*at, "break", "minutes"),
                "break.minutes",
                f"break of {r.break_.minutes} min is not a multiple of the {step}-minute interval",
            )
        for h in r.shift_hours:
            if round(h * 60) % step:
                doc.err(
                    (*at, "shift_hours"),
                    "shift_hours",
                    f"a {h} h shift is not a whole number of {step}-minute intervals",
                )
    for i, s in enumerate(sites):
        at = ("sites", i)
        if s.rules not in rules and s.rules not in doc.raw_ids("rules"):
            doc.err(
                (*at, "rules"),
                "rules",
                f"unknown rule set {s.rules!r} (known: {sorted(rules)})",
            )
        if top and s.currency != reporting and s.currency not in fx:
            doc.err(
                (*at, "currency"),
                "currency",
                f"no fx rate for {s.currency} (add it under 'fx')",
            )
        _known_calendar(doc, at, s.country, s.subdivision)
    for i, m in enumerate(markets):
        at = ("markets", i)
        if m.tier not in tiers and m.tier not in doc.raw_ids("tiers"):
            doc.err((*at, "tier"), "tier", f"unknown tier {m.tier!r} (known: {sorted(tiers)})")
        for r in m.residency or ():
            if r not in regions and r not in site_ids:
                doc.err(
                    (*at, "residency"),
                    "residency",
                    f"{r!r} is neither a site region nor a site id",
                )
        _known_calendar(doc, at, m.country, m.subdivision)
    mk = {m.id: m for m in markets}
    for i, q in enumerate(queues):
        at = ("queues", i)
        if q.market not in market_ids:
            doc.err((*at, "market"), "market", f"unknown market {q.market!r}")
            continue
        if q.market not in mk:
            continue  # the market itself is invalid (reported)
        tier = tiers.get(mk[q.market].tier)
        if tier is not None and q.channel not in tier.sla:
            doc.err(
                (*at, "channel"),
                "channel",
                f"tier {tier.id} has no sla for channel {q.channel!r}",
            )
    unknown: dict[str, list[Agent]] = {}
    for a in agents:
        if a.site not in site_ids:
            unknown.setdefault(a.site, []).append(a)
    for site, named_by in unknown.items():  # one issue per unknown site, at its first agent
        afile, where = doc.agent_where.get(named_by[0].id, (doc.file, f"agent {named_by[0].id}"))
        more = named_by[1:]
        also = (
            f"; {len(more)} more agent(s) name it: "
            + ", ".join(a.id for a in more[:5])
            + (" …" if len(more) > 5 else "")
            if more
            else ""
        )
        doc.log.error(
            afile, where, "site", f"unknown site {site!r} (known: {sorted(site_ids)}){also}"
        )
    if not agents and not agents_reported:
        doc.err(("agents",), "agents", "the scenario has no agents")


def _known_calendar(doc: Document, at: KeyPath, country: str, subdivision: str | None) -> None:
    """A site's or market's holiday calendar must exist: an error at the
    subdivision when one is given, else at the country."""
    try:
        check_calendar(country, subdivision)
    except CalendarError as exc:
        field = "subdivision" if subdivision else "country"
        doc.err((*at, field), field, str(exc))


def check_money(doc: Document, sites: list[Site], agents: list[Agent], top: dict[str, Any]) -> None:
    """An hourly cost in the reporting currency (after fx) is at most
    `limits.MAX_MONEY_PER_HOUR`: each number may be in range while their
    product is not (a cost of 1e9 at a rate of 1e6)."""
    if not top:
        return  # the header (currency, fx) is invalid: reported already
    reporting, fx = top["currency"], top.get("fx", {})
    site_by_id = {s.id: s for s in sites}
    cap = limits.MAX_MONEY_PER_HOUR

    def too_much(cost: float, currency: str) -> str | None:
        rate = 1.0 if currency == reporting else fx.get(currency)
        if rate is None or cost * rate <= cap:
            return None
        return (
            f"{cost:g} {currency} an hour is {cost * rate:.3g} {reporting} at the fx rate "
            f"{rate:g}: more than {cap:g} {reporting}, the limit of an hourly cost"
        )

    for i, s in enumerate(sites):
        if (msg := too_much(s.hourly_cost, s.currency)) is not None:
            doc.err(("sites", i, "hourly_cost"), "hourly_cost", msg)
    for a in agents:
        site = site_by_id.get(a.site)
        if a.hourly_cost is None or site is None:
            continue
        if (msg := too_much(a.hourly_cost, site.currency)) is not None:
            afile, where = doc.agent_where.get(a.id, (doc.file, f"agent {a.id}"))
            doc.log.error(afile, where, "hourly_cost", msg)


def check_requests(
    doc: Document,
    horizon: Horizon | None,
    agents: list[Agent],
    wishes: list[tuple[ShiftRequest, tuple[str, str]]],
) -> None:
    """A shift request names a known agent and is written once (the same
    agent, date, kind and start); one outside the horizon is kept and
    ignored, with a warning."""
    known = {a.id for a in agents}
    for r, (file, where) in wishes:
        if r.agent not in known:
            doc.log.error(file, where, "agent", f"unknown agent {r.agent!r}")
    _once_and_inside(doc, horizon, wishes, "request")


def check_shift_cover(
    doc: Document,
    horizon: Horizon | None,
    rules: dict[str, RuleSet],
    sites: list[Site],
    rows: list[tuple[ShiftCover, tuple[str, str]]],
) -> None:
    """A cover row names a known site and one of its rule set's shift types
    (without a site, a shift type some site's rule set names), and each
    (site, date, shift type) is written once; a row outside the
    horizon is kept and ignored, with a warning."""
    site_by_id = {s.id: s for s in sites}
    for r, (file, where) in rows:
        site = site_by_id.get(r.site) if r.site is not None else None
        if r.site is not None and site is None:
            doc.log.error(file, where, "site", f"unknown site {r.site!r}")
        elif site is not None and site.rules in rules:
            types = [t.id for t in rules[site.rules].shift_types]
            if r.shift_type not in types:
                doc.log.error(
                    file,
                    where,
                    "shift_type",
                    f"{r.shift_type!r} is not a shift type of rule set {site.rules} "
                    f"({', '.join(types) or 'it names none'})",
                )
        elif r.site is None and not any(
            t.id == r.shift_type
            for s in sites
            if s.rules in rules
            for t in rules[s.rules].shift_types
        ):
            doc.log.error(
                file, where, "shift_type", f"{r.shift_type!r} is a shift type of no site's rule set"
            )
    _once_and_inside(doc, horizon, rows, "shift cover row")


def _once_and_inside(
    doc: Document,
    horizon: Horizon | None,
    rows: list[tuple[ShiftRequest, tuple[str, str]]] | list[tuple[ShiftCover, tuple[str, str]]],
    what: str,
) -> None:
    """Rows of a table of dated rows: each one written once (its `key()`),
    an error at the second; those outside the horizon counted in a warning."""
    seen: dict[tuple[Any, ...], str] = {}
    outside = 0
    for r, (file, where) in rows:
        if r.key() in seen:
            doc.log.error(file, where, "date", f"the same {what} as at {seen[r.key()]}")
        seen.setdefault(r.key(), where)
        if horizon is not None and not horizon.start <= r.date < horizon.end:
            outside += 1
    if outside:
        doc.log.warn(rows[0][1][0], "", "date", f"{outside} {what}(s) outside the horizon ignored")


def check_activities(doc: Document, horizon: Horizon, activities: Activities) -> None:
    """A stretch is made of whole grid intervals, so `min_minutes` must be a
    multiple of the interval (a 45-minute minimum on a 30-minute grid
    would silently mean 60)."""
    m, step = activities.min_minutes, horizon.interval_minutes
    if m is not None and m % step:
        lower = m // step * step
        near = f"{lower} or {lower + step}" if lower else f"{step}"
        doc.err(
            ("activities", "min_minutes"),
            "min_minutes",
            f"{m} min is not a multiple of the {step}-minute interval "
            f"(a stretch is whole intervals: use {near})",
        )


def check_clock_alignment(
    doc: Document, horizon: Horizon, rules: dict[str, RuleSet], sites: list[Site], grid: TimeGrid
) -> None:
    """A shift starts on the UTC grid and on a local multiple of the start
    step: possible only if every UTC offset the site uses is a multiple of
    gcd(step, interval)."""
    for i, s in enumerate(sites):
        r = rules.get(s.rules)
        if r is None:
            continue
        g = int(np.gcd(r.start_step_minutes, horizon.interval_minutes))
        bad = sorted(o for o in utc_offsets(s.timezone, grid.start, grid.end) if o % g)
        if bad:
            o = bad[0]
            sign = "+" if o >= 0 else "-"
            doc.err(
                ("sites", i, "timezone"),
                "timezone",
                f"{s.timezone} is at UTC{sign}{abs(o) // 60:02d}:{abs(o) % 60:02d}: no shift start can lie "
                f"both on the {horizon.interval_minutes}-minute UTC grid and on a local multiple of "
                f"{r.start_step_minutes} minutes (rule set {s.rules})",
            )


__all__ = ["check_activities", "check_clock_alignment", "check_money", "cross_check"]
