"""Read a scenario (YAML + CSV tables) into a validated, frozen `Scenario`.

Every problem of every file is collected in one pass and raised together as
a `ScenarioError` whose issues name the file, the YAML line and key path or
the CSV row, and the field. Nothing here writes anything. This module is the
entry point and the order of the work: the YAML is read (`yaml_file`), each
section validated into its models (`sections`, `document`), the sections
checked against one another (`cross_checks`), the demand table read on the
grid they define (`demand_table`), and the `Scenario` assembled.

Hostile input is refused before it costs anything (docs/safety.md): a CSV
path that leads outside the scenario's folder is never opened, a YAML file
is measured (bytes, aliases, expanded size, depth) before it is built, and
every number and date must lie in its range (`limits.py`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from optimizer.scenario import cross_checks, sections
from optimizer.scenario.demand_table import demand as read_demand
from optimizer.scenario.document import Document
from optimizer.scenario.errors import IssueLog, ScenarioError
from optimizer.scenario.model import (
    Activities,
    Horizon,
    Market,
    Queue,
    RuleSet,
    Scenario,
    Site,
    Tier,
    Weights,
)
from optimizer.scenario.yaml_file import read_yaml
from optimizer.timegrid import TimeGrid

TOP_KEYS = {
    "scenario", "description", "horizon", "currency", "fx", "shrinkage", "tiers", "rules",
    "sites", "markets", "queues", "agents", "demand", "weights", "extra_holidays",
    "activities", "requests", "shift_cover",
}  # fmt: skip


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate the scenario at `path` (YAML), with its CSV tables.

    Raises `ScenarioError` listing every problem found; returns a frozen
    `Scenario` otherwise. Warnings (demand outside the grid, unknown keys) are
    kept in `last_warnings` of the returned scenario's loader run.
    """
    scenario, _warnings = load_scenario_with_warnings(path)
    return scenario


def load_scenario_with_warnings(path: str | Path) -> tuple[Scenario, list[str]]:
    """As `load_scenario`, and the loader's warnings as text lines."""
    path = Path(path)
    log = IssueLog()
    fname = str(path)
    if not path.is_file():
        log.error(fname, "", "", "file not found" if not path.exists() else "not a file")
        log.raise_if_any()
    data, lines = read_yaml(path, log)
    log.raise_if_any()
    if not isinstance(data, dict):
        log.error(fname, "line 1", "", "expected a mapping of scenario fields at the top level")
        log.raise_if_any()
    scenario = _build(Document(path, data, lines, log))
    log.raise_if_any()
    assert scenario is not None
    return scenario, [str(w) for w in log.warnings]


def _build(doc: Document) -> Scenario | None:
    """The scenario `doc` holds, or None when it has errors (in `doc.log`)."""
    d = doc.data
    for k in d:
        if k not in TOP_KEYS:
            doc.log.warn(doc.file, doc.where((k,)), k, "unknown top-level key ignored")
    for k in (
        "scenario",
        "horizon",
        "currency",
        "tiers",
        "rules",
        "sites",
        "markets",
        "queues",
        "agents",
        "demand",
    ):
        if k not in d:
            doc.log.error(doc.file, "", k, "required field is missing")
    horizon = doc.model(Horizon, d.get("horizon"), ("horizon",)) if "horizon" in d else None
    tiers = sections.mapping_of(doc, Tier, "tiers")
    rules = sections.mapping_of(doc, RuleSet, "rules")
    sites = sections.list_of(doc, Site, "sites")
    markets = sections.list_of(doc, Market, "markets")
    queues = sections.list_of(doc, Queue, "queues")
    weights = doc.model(Weights, d.get("weights") or {}, ("weights",))
    activities = doc.model(Activities, sections.or_empty(d.get("activities")), ("activities",))
    extra = sections.extra_holidays(doc, d.get("extra_holidays"))
    # leave is kept inside the horizon (none at all when it is invalid)
    window = (
        (horizon.start, horizon.end - dt.timedelta(days=1))
        if horizon is not None
        else (dt.date.max, dt.date.min)
    )
    before = len(doc.log.errors)
    agents = sections.agents(doc, d.get("agents"), {"dates": window})
    agents_reported = len(doc.log.errors) > before
    wishes = sections.requests(doc, d.get("requests"))
    cover_rows = sections.shift_cover(doc, d.get("shift_cover"))
    top = sections.top_scalars(doc)
    # cross-references are checked among the parts that validated, so one
    # bad queue does not also make every demand row of it "unknown"
    cross_checks.cross_check(
        doc, horizon, tiers or {}, rules or {}, sites, markets, queues, agents, top, agents_reported
    )
    cross_checks.check_money(doc, sites, agents, top)
    if not agents_reported:
        cross_checks.check_requests(doc, horizon, agents, wishes)
    cross_checks.check_shift_cover(doc, horizon, rules or {}, sites, cover_rows)
    grid = _grid(horizon, sites, markets)
    raw_queues = d.get("queues") if isinstance(d.get("queues"), list) else []
    queue_ids = {str(q.get("id")) for q in raw_queues if isinstance(q, dict)}
    demand = read_demand(doc, d.get("demand"), queue_ids, grid)
    if horizon is not None and grid is not None:
        cross_checks.check_clock_alignment(doc, horizon, rules or {}, sites, grid)
    if horizon is not None and activities is not None:
        cross_checks.check_activities(doc, horizon, activities)
    if doc.log.errors or demand is None:
        return None
    assert horizon is not None and tiers is not None and rules is not None
    return Scenario.model_validate(
        {
            **top,
            "horizon": horizon,
            "tiers": tiers,
            "rules": rules,
            "sites": tuple(sites),
            "markets": tuple(markets),
            "queues": tuple(queues),
            "agents": tuple(agents),
            "demand": demand,
            "weights": weights or Weights(),
            "activities": activities or Activities(),
            "extra_holidays": extra,
            "requests": tuple(r for r, _ in wishes),
            "shift_cover": tuple(r for r, _ in cover_rows),
            "source": str(doc.path),
        }
    )


def _grid(horizon: Horizon | None, sites: list[Site], markets: list[Market]) -> TimeGrid | None:
    """The UTC grid covering the horizon in every site's and market's clock."""
    if horizon is None or not sites or not markets:
        return None
    zones = [s.timezone for s in sites] + [m.timezone for m in markets]
    return TimeGrid.covering(horizon.start, horizon.days, horizon.interval_minutes, zones)


__all__ = ["ScenarioError", "load_scenario", "load_scenario_with_warnings"]
