"""Read a scenario (YAML + CSV tables) into a validated, frozen `Scenario`.

Every problem of every file is collected in one pass and raised together as
a `ScenarioError` whose issues name the file, the YAML line and key path or
the CSV row, and the field. YAML is read with YAML 1.2 scalars (`off`, `NO`
stay strings; `22:00` stays a time), with the round-trip loader so each key
keeps its line number. Nothing here writes anything.

Hostile input is refused before it costs anything (docs/safety.md): a CSV
path that leads outside the scenario's folder is never opened, a YAML file
is measured (bytes, aliases, expanded size, depth) before it is built, and
every number and date must lie in its range (`limits.py`).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import difflib
import io
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceStartEvent,
)

from optimizer.calendars import CalendarError, check_calendar
from optimizer.scenario import limits
from optimizer.scenario.errors import IssueLog, ScenarioError
from optimizer.scenario.model import (
    Activities,
    Agent,
    Horizon,
    Market,
    Queue,
    RuleSet,
    Scenario,
    ScenarioHeader,
    Site,
    Tier,
    Weights,
)
from optimizer.timegrid import TimeGrid, utc_offsets

M = TypeVar("M", bound=BaseModel)
Path_ = tuple[str | int, ...]

TOP_KEYS = {
    "scenario", "description", "horizon", "currency", "fx", "shrinkage", "tiers", "rules",
    "sites", "markets", "queues", "agents", "demand", "weights", "extra_holidays",
    "activities",
}  # fmt: skip
# v1.1 rules are hard rules: a misspelt one would silently not apply, so an
# unknown rule-set key that reads like one of these is an error, not a warning
V11_RULE_KEYS = ("start_band_hours", "days_off_together", "max_consecutive_nights")
# sections read strictly: every key in them is a rule, so an unknown key is an error
STRICT_SECTIONS: tuple[type[BaseModel], ...] = (Activities,)
AGENT_COLUMNS = (
    "id", "name", "site", "languages", "channels", "min_hours_week", "max_hours_week",
    "hourly_cost", "earliest_start", "latest_end", "days_off", "leave", "team",
    "preferred_days_off",
)  # fmt: skip
AGENT_REQUIRED = ("id", "site", "languages", "channels", "max_hours_week")
DEMAND_COLUMNS = ("queue", "interval_start", "contacts")
_OFFSET_RE = r"(?:Z|z|[+-]\d{2}:?\d{2})$"


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
    doc, lines = _read_yaml(path, log)
    log.raise_if_any()
    if not isinstance(doc, dict):
        log.error(fname, "line 1", "", "expected a mapping of scenario fields at the top level")
        log.raise_if_any()
    builder = _Builder(path, doc, lines, log)
    scenario = builder.build()
    log.raise_if_any()
    assert scenario is not None
    return scenario, [str(w) for w in log.warnings]


# ---------------------------------------------------------------- YAML


def _read_yaml(path: Path, log: IssueLog) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML 1.2 to plain Python, and a map of key path → 1-based line."""
    size = path.stat().st_size
    if size > limits.MAX_YAML_BYTES:
        log.error(
            str(path),
            "",
            "",
            f"the file holds {size / 2**20:.1f} MiB; a scenario YAML may hold at most "
            f"{limits.MAX_YAML_BYTES / 2**20:.0f} MiB (long tables belong in CSV files)",
        )
        return None, {}
    try:
        data = path.read_bytes()
    except OSError as exc:
        log.error(str(path), "", "", f"cannot be read: {exc.strerror or exc}")
        return None, {}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        log.error(str(path), _byte_line(data, exc.start), "", "file is not UTF-8 text")
        return None, {}
    try:
        if not _within_limits(text, str(path), log):
            return None, {}
        raw = YAML(typ="rt").load(io.StringIO(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        log.error(str(path), where, "", f"YAML syntax error: {exc.problem or exc.context}")
        return None, {}
    except YAMLError as exc:
        log.error(str(path), "", "", f"YAML error: {exc}")
        return None, {}
    lines: dict[Path_, int] = {}
    return _plain(raw, (), lines), lines


def _within_limits(text: str, fname: str, log: IssueLog) -> bool:
    """Measure the YAML's events before anything is built: at most
    `MAX_YAML_ALIASES` aliases, `MAX_YAML_NODES` nodes with every alias
    expanded, and `MAX_YAML_DEPTH` levels of nesting. A few KB of nested
    aliases (a "billion laughs") would otherwise expand to gigabytes in the
    loader; an alias inside its own anchor would never end."""
    expanded: dict[Any, int] = {}  # anchor → node count of its value, aliases expanded
    open_: list[tuple[Any, int]] = []  # collections being read: (anchor, count at start)
    nodes = aliases = 0

    def refuse(event: Any, message: str) -> bool:
        log.error(fname, f"line {event.start_mark.line + 1}", "", message)
        return False

    for event in YAML(typ="rt").parse(io.StringIO(text)):
        if isinstance(event, AliasEvent):
            aliases += 1
            if aliases > limits.MAX_YAML_ALIASES:
                return refuse(
                    event, f"more than {limits.MAX_YAML_ALIASES} YAML aliases (*name) in one file"
                )
            if any(a == event.anchor for a, _ in open_):
                return refuse(event, f"the alias *{event.anchor} lies inside its own anchor")
            nodes += expanded.get(event.anchor, 1)
        elif isinstance(event, ScalarEvent):
            nodes += 1
            if event.anchor is not None:
                expanded[event.anchor] = 1
        elif isinstance(event, MappingStartEvent | SequenceStartEvent):
            nodes += 1
            open_.append((event.anchor, nodes - 1))
            if len(open_) > limits.MAX_YAML_DEPTH:
                return refuse(
                    event, f"more than {limits.MAX_YAML_DEPTH} levels of lists and mappings"
                )
        elif isinstance(event, CollectionEndEvent) and open_:
            anchor, first = open_.pop()
            if anchor is not None:
                expanded[anchor] = nodes - first
        if nodes > limits.MAX_YAML_NODES:
            return refuse(
                event,
                f"the YAML expands to more than {limits.MAX_YAML_NODES:,} values "
                "(aliases repeat what they name)",
            )
    return True


def _plain(node: Any, at: Path_, lines: dict[Path_, int]) -> Any:
    """ruamel round-trip nodes → dict/list/scalars, recording line numbers."""
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for k, v in node.items():
            with contextlib.suppress(KeyError, TypeError):
                lines[(*at, str(k))] = node.lc.key(k)[0] + 1
            out[str(k) if not isinstance(k, dt.date) else k] = _plain(v, (*at, str(k)), lines)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, v in enumerate(node):
            with contextlib.suppress(KeyError, TypeError, IndexError):
                lines[(*at, i)] = node.lc.item(i)[0] + 1
            items.append(_plain(v, (*at, i), lines))
        return items
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


def _byte_line(data: bytes, offset: int) -> str:
    newline = b"\n"
    return f"line {data[:offset].count(newline) + 1}"


def _dotted(at: Iterable[str | int]) -> str:
    out = ""
    for p in at:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


# ---------------------------------------------------------------- builder


class _Builder:
    """Validates one scenario document section by section, collecting issues."""

    def __init__(self, path: Path, doc: dict[str, Any], lines: dict[Path_, int], log: IssueLog):
        self.path = path
        self.file = str(path)
        self.doc = doc
        self.lines = lines
        self.log = log
        self.agent_where: dict[str, tuple[str, str]] = {}  # agent id → (file, row or line)
        self.agents_reported = False  # the agents (file or rows) had errors of their own

    # -- locating
    def where(self, at: Path_) -> str:
        probe = tuple(at)
        while probe:
            if probe in self.lines:
                return f"line {self.lines[probe]} ({_dotted(at)})"
            probe = probe[:-1]
        return _dotted(at)

    def err(self, at: Path_, fld: str, message: str) -> None:
        self.log.error(self.file, self.where(at), fld, message)

    def model(
        self, cls: type[M], data: Any, at: Path_, context: Any = None, **extra: Any
    ) -> M | None:
        """Validate `data` as `cls`; on failure record one issue per error."""
        if not isinstance(data, dict):
            self.err(at, "", f"expected a mapping, got {type(data).__name__} {data!r}")
            return None
        self._unknown_keys(cls, data, at)
        try:
            return cls.model_validate({**data, **extra}, context=context)
        except ValidationError as exc:
            for e in exc.errors():
                loc = tuple(e["loc"])
                fld = ".".join(str(p) for p in loc if not isinstance(p, int)) or ""
                self.err((*at, *loc), fld.split(".")[0] if fld else "", _message(e))
            return None

    def _unknown_keys(self, cls: type[BaseModel], data: Mapping[str, Any], at: Path_) -> None:
        """Warn about keys `cls` does not know, except where ignoring one would
        drop a hard rule: any unknown key of a strict section (`activities`),
        and a rule-set key that looks like a misspelt v1.1 rule, are errors."""
        known = {f.alias or n for n, f in cls.model_fields.items()} | set(cls.model_fields)
        public = sorted(k for k in known if k != "id" and not k.endswith("_"))
        for k in data:
            if k in known:
                continue
            if cls in STRICT_SECTIONS:
                self.err((*at, k), str(k), f"unknown key (known: {', '.join(public)})")
            elif cls is RuleSet and (rule := _misspelt_v11_rule(str(k), known)) is not None:
                self.err(
                    (*at, k),
                    str(k),
                    f"unknown key: did you mean '{rule}'? (a v1.1 rule under another "
                    "name would not apply)",
                )
            else:
                self.log.warn(self.file, self.where((*at, k)), str(k), "unknown key ignored")

    # -- sections
    def build(self) -> Scenario | None:
        d = self.doc
        for k in d:
            if k not in TOP_KEYS:
                self.log.warn(self.file, self.where((k,)), k, "unknown top-level key ignored")
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
                self.log.error(self.file, "", k, "required field is missing")
        horizon = self.model(Horizon, d.get("horizon"), ("horizon",)) if "horizon" in d else None
        tiers = self.mapping_of(Tier, "tiers")
        rules = self.mapping_of(RuleSet, "rules")
        sites = self.list_of(Site, "sites")
        markets = self.list_of(Market, "markets")
        queues = self.list_of(Queue, "queues")
        weights = self.model(Weights, d.get("weights") or {}, ("weights",))
        activities = self.model(Activities, _or_empty(d.get("activities")), ("activities",))
        extra = self.extra_holidays(d.get("extra_holidays"))
        # leave is kept inside the horizon (none at all when it is invalid)
        window = (
            (horizon.start, horizon.end - dt.timedelta(days=1))
            if horizon is not None
            else (dt.date.max, dt.date.min)
        )
        before = len(self.log.errors)
        agents = self.agents(d.get("agents"), {"dates": window})
        self.agents_reported = len(self.log.errors) > before
        top = self.top_scalars()
        # cross-references are checked among the parts that validated, so one
        # bad queue does not also make every demand row of it "unknown"
        self.cross_check(horizon, tiers or {}, rules or {}, sites, markets, queues, agents, top)
        self.check_money(sites, agents, top)
        grid = self.grid(horizon, sites, markets)
        raw_queues = d.get("queues") if isinstance(d.get("queues"), list) else []
        queue_ids = {str(q.get("id")) for q in raw_queues if isinstance(q, dict)}
        demand = self.demand(d.get("demand"), queue_ids, grid)
        if horizon is not None and grid is not None:
            self.check_clock_alignment(horizon, rules or {}, sites, grid)
        if horizon is not None and activities is not None:
            self.check_activities(horizon, activities)
        if self.log.errors or demand is None:
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
                "source": str(self.path),
            }
        )

    def top_scalars(self) -> dict[str, Any]:
        probe = {k: self.doc[k] for k in ScenarioHeader.model_fields if k in self.doc}
        if "scenario" not in probe or "currency" not in probe:
            return {}  # reported as missing already
        top = self.model(ScenarioHeader, probe, ())
        return top.model_dump() if top is not None else {}

    def mapping_of(self, cls: type[M], key: str) -> dict[str, M] | None:
        raw = self.doc.get(key)
        if raw is None:
            return None
        if not isinstance(raw, dict) or not raw:
            self.err((key,), key, "expected a non-empty mapping of id → definition")
            return None
        out: dict[str, M] = {}
        for k, v in raw.items():
            m = self.model(cls, v, (key, k), id=str(k))
            if m is not None:
                out[str(k)] = m
        return out

    def list_of(self, cls: type[M], key: str) -> list[M]:
        raw = self.doc.get(key)
        if raw is None:
            return []
        if not isinstance(raw, list) or not raw:
            self.err((key,), key, "expected a non-empty list")
            return []
        out: list[M] = []
        for i, v in enumerate(raw):
            m = self.model(cls, v, (key, i))
            if m is not None:
                out.append(m)
        self.duplicates([getattr(m, "id", None) for m in out], lambda i: (key, i), key)
        return out

    def raw_ids(self, key: str) -> set[str]:
        """Ids defined under `key` as written, valid or not: a site naming a rule
        set that failed validation is not also told the rule set is unknown."""
        raw = self.doc.get(key)
        return {str(k) for k in raw} if isinstance(raw, dict) else set()

    def raw_values(self, key: str, fld: str) -> set[str]:
        """`fld` of every entry of the list `key` as written, valid or not: one
        site that failed validation (a bad time zone) is reported once, not
        again by every agent, market and queue that names it."""
        raw = self.doc.get(key)
        if not isinstance(raw, list):
            return set()
        return {str(e[fld]) for e in raw if isinstance(e, dict) and e.get(fld) is not None}

    def duplicates(self, ids: list[Any], at: Callable[[int], Path_], what: str) -> None:
        counts = Counter(ids)
        for i, x in enumerate(ids):
            if x is not None and counts[x] > 1:
                self.err(at(i), "id", f"duplicate {what} id {x!r}")

    def extra_holidays(self, raw: Any) -> dict[str, dict[dt.date, str]]:
        out: dict[str, dict[dt.date, str]] = {}
        if raw is None:
            return out
        if not isinstance(raw, dict):
            self.err(
                ("extra_holidays",),
                "extra_holidays",
                "expected a mapping of site/market id or country → dates",
            )
            return out
        for key, val in raw.items():
            at = ("extra_holidays", key)
            items: list[tuple[Any, str]]
            if isinstance(val, dict):
                items = [(d, str(n)) for d, n in val.items()]
            elif isinstance(val, list):
                items = [(d, "extra holiday") for d in val]
            else:
                self.err(at, str(key), "expected a list of dates or a mapping date → name")
                continue
            table: dict[dt.date, str] = {}
            for d, name in items:
                try:
                    table[_date(d)] = name
                except ValueError as exc:
                    self.err(at, str(key), str(exc))
            out[str(key)] = table
        return out

    # -- tables
    def table_path(self, raw: str, key: str) -> Path | None:
        """The CSV file `raw` names, relative to the scenario's folder; None
        (an error at the YAML line) when it resolves, symlinks followed, to a
        file outside that folder. Such a file is never opened, so none of its
        rows can appear in an error message."""
        folder = self.path.parent
        try:
            inside = (folder / raw).resolve().is_relative_to(folder.resolve())
        except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte
            inside = False
        if not inside:
            self.err(
                (key,),
                key,
                f"{raw!r} is outside the scenario's folder: a CSV file the scenario "
                "reads must lie in the YAML file's folder or below it (symlinks too)",
            )
            return None
        return folder / raw

    # -- agents
    def agents(self, raw: Any, context: dict[str, Any]) -> list[Agent]:
        if raw is None:
            return []
        if isinstance(raw, str):
            path = self.table_path(raw, "agents")
            return [] if path is None else self.agents_csv(path, context)
        if isinstance(raw, list):
            out: list[Agent] = []
            for i, row in enumerate(raw):
                if not isinstance(row, dict):
                    self.err(("agents", i), "", "expected a mapping of agent fields")
                    continue
                data = _agent_fields(row)
                m = self.model(Agent, data, ("agents", i), context)
                if m is not None:
                    out.append(m)
                    self.agent_where[m.id] = (self.file, self.where(("agents", i)))
            self.duplicates([a.id for a in out], lambda i: ("agents", i), "agent")
            return out
        self.err(("agents",), "agents", "expected a CSV file name or a list of agents")
        return []

    def agents_csv(self, path: Path, context: dict[str, Any]) -> list[Agent]:
        rows = _read_csv(path, self.log, AGENT_REQUIRED, AGENT_COLUMNS)
        if rows is None:
            return []
        fname = str(path)
        out: list[Agent] = []
        ids: list[tuple[str, int]] = []
        for rowno, row in rows:
            where = f"row {rowno - 1} (line {rowno})"
            data = _agent_fields(row)
            try:
                out.append(Agent.model_validate(data, context=context))
                ids.append((out[-1].id, rowno))
                self.agent_where[out[-1].id] = (fname, where)
            except ValidationError as exc:
                for e in exc.errors():
                    fld = str(e["loc"][0]) if e["loc"] else ""
                    self.log.error(fname, where, fld, _message(e))
        counts = Counter(i for i, _ in ids)
        for i, rowno in ids:
            if counts[i] > 1:
                self.log.error(
                    fname, f"row {rowno - 1} (line {rowno})", "id", f"duplicate agent id {i!r}"
                )
        return out

    # -- cross references
    def cross_check(
        self,
        horizon: Horizon | None,
        tiers: dict[str, Tier],
        rules: dict[str, RuleSet],
        sites: list[Site],
        markets: list[Market],
        queues: list[Queue],
        agents: list[Agent],
        top: dict[str, Any],
    ) -> None:
        site_ids = {s.id for s in sites} | self.raw_values("sites", "id")
        regions = {s.region for s in sites} | self.raw_values("sites", "region")
        market_ids = {m.id for m in markets} | self.raw_values("markets", "id")
        fx = top.get("fx", {})
        reporting = top.get("currency")
        step = horizon.interval_minutes if horizon is not None else 1
        for k, r in rules.items():
            at = ("rules", k)
            if r.break_ is not None and r.break_.minutes % step:
                self.err(
                    (*at, "break", "minutes"),
                    "break.minutes",
                    f"break of {r.break_.minutes} min is not a multiple of the {step}-minute interval",
                )
            for h in r.shift_hours:
                if round(h * 60) % step:
                    self.err(
                        (*at, "shift_hours"),
                        "shift_hours",
                        f"a {h} h shift is not a whole number of {step}-minute intervals",
                    )
        for i, s in enumerate(sites):
            at = ("sites", i)
            if s.rules not in rules and s.rules not in self.raw_ids("rules"):
                self.err(
                    (*at, "rules"),
                    "rules",
                    f"unknown rule set {s.rules!r} (known: {sorted(rules)})",
                )
            if top and s.currency != reporting and s.currency not in fx:
                self.err(
                    (*at, "currency"),
                    "currency",
                    f"no fx rate for {s.currency} (add it under 'fx')",
                )
            try:
                check_calendar(s.country, s.subdivision)
            except CalendarError as exc:
                self.err(
                    (*at, "subdivision" if s.subdivision else "country"),
                    "subdivision" if s.subdivision else "country",
                    str(exc),
                )
        for i, m in enumerate(markets):
            at = ("markets", i)
            if m.tier not in tiers and m.tier not in self.raw_ids("tiers"):
                self.err((*at, "tier"), "tier", f"unknown tier {m.tier!r} (known: {sorted(tiers)})")
            for r in m.residency or ():
                if r not in regions and r not in site_ids:
                    self.err(
                        (*at, "residency"),
                        "residency",
                        f"{r!r} is neither a site region nor a site id",
                    )
            try:
                check_calendar(m.country, m.subdivision)
            except CalendarError as exc:
                self.err(
                    (*at, "subdivision" if m.subdivision else "country"),
                    "subdivision" if m.subdivision else "country",
                    str(exc),
                )
        mk = {m.id: m for m in markets}
        for i, q in enumerate(queues):
            at = ("queues", i)
            if q.market not in market_ids:
                self.err((*at, "market"), "market", f"unknown market {q.market!r}")
                continue
            if q.market not in mk:
                continue  # the market itself is invalid (reported)
            tier = tiers.get(mk[q.market].tier)
            if tier is not None and q.channel not in tier.sla:
                self.err(
                    (*at, "channel"),
                    "channel",
                    f"tier {tier.id} has no sla for channel {q.channel!r}",
                )
        unknown: dict[str, list[Agent]] = {}
        for a in agents:
            if a.site not in site_ids:
                unknown.setdefault(a.site, []).append(a)
        for site, named_by in unknown.items():  # one issue per unknown site, at its first agent
            afile, where = self.agent_where.get(
                named_by[0].id, (self.file, f"agent {named_by[0].id}")
            )
            more = named_by[1:]
            also = (
                f"; {len(more)} more agent(s) name it: "
                + ", ".join(a.id for a in more[:5])
                + (" …" if len(more) > 5 else "")
                if more
                else ""
            )
            self.log.error(
                afile, where, "site", f"unknown site {site!r} (known: {sorted(site_ids)}){also}"
            )
        if not agents and not self.agents_reported:
            self.err(("agents",), "agents", "the scenario has no agents")

    def check_money(self, sites: list[Site], agents: list[Agent], top: dict[str, Any]) -> None:
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
                self.err(("sites", i, "hourly_cost"), "hourly_cost", msg)
        for a in agents:
            site = site_by_id.get(a.site)
            if a.hourly_cost is None or site is None:
                continue
            if (msg := too_much(a.hourly_cost, site.currency)) is not None:
                afile, where = self.agent_where.get(a.id, (self.file, f"agent {a.id}"))
                self.log.error(afile, where, "hourly_cost", msg)

    def check_activities(self, horizon: Horizon, activities: Activities) -> None:
        """A stretch is made of whole grid intervals, so `min_minutes` must be a
        multiple of the interval (a 45-minute minimum on a 30-minute grid
        would silently mean 60)."""
        m, step = activities.min_minutes, horizon.interval_minutes
        if m is not None and m % step:
            lower = m // step * step
            near = f"{lower} or {lower + step}" if lower else f"{step}"
            self.err(
                ("activities", "min_minutes"),
                "min_minutes",
                f"{m} min is not a multiple of the {step}-minute interval "
                f"(a stretch is whole intervals: use {near})",
            )

    # -- grid and clocks
    def grid(
        self, horizon: Horizon | None, sites: list[Site], markets: list[Market]
    ) -> TimeGrid | None:
        if horizon is None or not sites or not markets:
            return None
        zones = [s.timezone for s in sites] + [m.timezone for m in markets]
        return TimeGrid.covering(horizon.start, horizon.days, horizon.interval_minutes, zones)

    def check_clock_alignment(
        self, horizon: Horizon, rules: dict[str, RuleSet], sites: list[Site], grid: TimeGrid
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
                self.err(
                    ("sites", i, "timezone"),
                    "timezone",
                    f"{s.timezone} is at UTC{sign}{abs(o) // 60:02d}:{abs(o) % 60:02d}: no shift start can lie "
                    f"both on the {horizon.interval_minutes}-minute UTC grid and on a local multiple of "
                    f"{r.start_step_minutes} minutes (rule set {s.rules})",
                )

    # -- demand
    def demand(self, raw: Any, qids: set[str], grid: TimeGrid | None) -> pd.DataFrame | None:
        if raw is None:
            return None
        if not isinstance(raw, str):
            self.err(("demand",), "demand", "expected the name of a CSV file")
            return None
        path = self.table_path(raw, "demand")
        if path is None:
            return None
        rows = _read_csv_frame(path, self.log, DEMAND_COLUMNS)
        if rows is None:
            return None
        fname = str(path)
        n0 = self.log.errors.__len__()
        rowno = np.arange(len(rows)) + 2

        def bad(mask: np.ndarray, fld: str, msg: Callable[[int], str]) -> None:
            for k in np.flatnonzero(mask)[:200]:
                self.log.error(fname, f"row {rowno[k] - 1} (line {rowno[k]})", fld, msg(k))
            extra = int(mask.sum()) - 200
            if extra > 0:
                self.log.error(fname, "", fld, f"... and {extra} more rows with the same problem")

        queue = rows["queue"].str.strip()
        bad(~queue.isin(qids).to_numpy(), "queue", lambda k: f"unknown queue {queue.iat[k]!r}")
        contacts = pd.to_numeric(rows["contacts"].str.strip(), errors="coerce")
        cvals = contacts.to_numpy(dtype=float)
        bad(np.isnan(cvals), "contacts", lambda k: f"{rows['contacts'].iat[k]!r} is not a number")
        bad(
            ~np.isnan(cvals) & ((cvals < 0) | ~(cvals <= limits.MAX_CONTACTS)),
            "contacts",
            lambda k: (
                f"contacts must be a finite number >= 0 and <= {limits.MAX_CONTACTS:g}, "
                f"got {rows['contacts'].iat[k].strip()}"
            ),
        )
        stamp = rows["interval_start"].str.strip()
        has_offset = stamp.str.contains(_OFFSET_RE, regex=True).to_numpy()
        bad(
            ~has_offset,
            "interval_start",
            lambda k: f"{stamp.iat[k]!r} has no UTC offset (write e.g. 2027-03-01T08:00:00Z)",
        )
        parsed = pd.to_datetime(
            stamp.where(has_offset), utc=True, format="ISO8601", errors="coerce"
        )
        nat = parsed.isna().to_numpy() & has_offset
        bad(nat, "interval_start", lambda k: f"{stamp.iat[k]!r} is not an ISO 8601 timestamp")
        first = pd.Timestamp(limits.FIRST_DATE, tz="UTC")
        after = pd.Timestamp(limits.LAST_DATE + dt.timedelta(days=1), tz="UTC")
        far = ~nat & has_offset & ((parsed < first) | (parsed >= after)).to_numpy()
        bad(
            far,
            "interval_start",
            lambda k: (
                f"{stamp.iat[k]!r} is outside the supported years "
                f"{limits.FIRST_DATE.year}-{limits.LAST_DATE.year}"
            ),
        )
        nat |= far
        parsed = parsed.where(~far)
        epoch = pd.Timestamp(0, tz="UTC")
        secs = ((parsed.fillna(epoch) - epoch) // pd.Timedelta(seconds=1)).to_numpy(np.int64)
        secs = np.where(nat | ~has_offset, 0, secs)
        step = grid.interval if grid is not None else 60
        off_grid = ~nat & has_offset & ((secs % (step * 60)) != 0)
        bad(
            off_grid,
            "interval_start",
            lambda k: f"{stamp.iat[k]!r} is not on the {step}-minute UTC grid",
        )
        if len(self.log.errors) > n0 or grid is None:
            return None
        t = secs // 60
        inside = grid.contains(t)
        if (~inside).any():
            self.log.warn(
                fname,
                "",
                "interval_start",
                f"{int((~inside).sum())} rows lie outside the coverage grid and are ignored",
            )
        frame = pd.DataFrame(
            {
                "queue": queue.to_numpy()[inside],
                "t": t[inside].astype(np.int64),
                "contacts": cvals[inside],
            }
        )
        dup = frame.duplicated(["queue", "t"], keep=False).to_numpy()
        if dup.any():
            idx = np.flatnonzero(inside)[dup]
            mask = np.zeros(len(rows), bool)
            mask[idx] = True
            bad(mask, "interval_start", lambda k: f"queue {queue.iat[k]!r} has this interval twice")
            return None
        return frame.sort_values(["queue", "t"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------- CSV helpers


def _decode(path: Path, log: IssueLog) -> str | None:
    fname = str(path)
    if not path.is_file():
        log.error(fname, "", "", "file not found")
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        log.error(fname, "", "", f"cannot be read: {exc.strerror or exc}")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        log.error(
            fname, _byte_line(data, exc.start), "", "file is not UTF-8 text (save it as UTF-8)"
        )
        return None
    return text


def _read_csv(
    path: Path, log: IssueLog, required: tuple[str, ...], known: tuple[str, ...]
) -> list[tuple[int, dict[str, str]]] | None:
    """Rows of a small CSV as `(line number, {column: text})`."""
    text = _decode(path, log)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        log.error(str(path), "", "", "file is empty (expected a header row)")
        return None
    except csv.Error as exc:
        log.error(str(path), "header (line 1)", "", f"CSV error: {exc}")
        return None
    if not _check_header(path, header, required, known, log):
        return None
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for row in reader:
            lineno = reader.line_num
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(header):
                log.error(
                    str(path),
                    f"row {lineno - 1} (line {lineno})",
                    "",
                    f"expected {len(header)} fields, found {len(row)}",
                )
                continue
            rows.append((lineno, dict(zip(header, row, strict=True))))
    except csv.Error as exc:
        log.error(str(path), f"line {reader.line_num}", "", f"CSV error: {exc}")
        return None
    return rows


def _read_csv_frame(path: Path, log: IssueLog, required: tuple[str, ...]) -> pd.DataFrame | None:
    """A large CSV as a frame of strings (one issue per malformed row)."""
    text = _decode(path, log)
    if text is None:
        return None
    first = text.split("\n", 1)[0]
    try:
        header = [h.strip() for h in next(csv.reader([first]))] if first.strip() else []
    except csv.Error as exc:
        log.error(str(path), "header (line 1)", "", f"CSV error: {exc}")
        return None
    if not header:
        log.error(str(path), "", "", "file is empty (expected a header row)")
        return None
    if not _check_header(path, header, required, required, log):
        return None
    bad_lines: list[list[str]] = []

    def on_bad(line: list[str]) -> None:
        bad_lines.append(line)
        return None

    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            on_bad_lines=on_bad,
            engine="python",
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, csv.Error) as exc:
        log.error(str(path), "", "", f"CSV error: {exc}")
        return None
    if bad_lines:
        # find their line numbers by a plain pass: rare, so a Python loop is fine
        for lineno, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            if lineno > 1 and row and len(row) != len(header):
                log.error(
                    str(path),
                    f"row {lineno - 1} (line {lineno})",
                    "",
                    f"expected {len(header)} fields, found {len(row)}",
                )
        return None
    frame.columns = [c.strip() for c in frame.columns]
    return frame


def _check_header(
    path: Path, header: list[str], required: tuple[str, ...], known: tuple[str, ...], log: IssueLog
) -> bool:
    ok = True
    for col in required:
        if col not in header:
            log.error(str(path), "line 1", col, "required column is missing")
            ok = False
    for col in header:
        if col not in known:
            log.warn(str(path), "line 1", col, "unknown column ignored")
    dup = [c for c, n in Counter(header).items() if n > 1]
    for c in dup:
        log.error(str(path), "line 1", c, "column appears twice")
        ok = False
    return ok


# ---------------------------------------------------------------- field readers


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO date (YYYY-MM-DD)") from None


def _agent_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """CSV texts or YAML values → Agent fields (empty cells → defaults)."""
    return {
        k: v for k, v in row.items() if v is not None and not (isinstance(v, str) and not v.strip())
    }


def _or_empty(raw: Any) -> Any:
    """An optional section: absent or `null` is empty; anything else is checked."""
    return {} if raw is None else raw


_V11_STEMS = {
    "band": "start_band_hours",
    "together": "days_off_together",
    "nights": "max_consecutive_nights",
}


def _misspelt_v11_rule(key: str, known: set[str]) -> str | None:
    """The v1.1 rule `key` most likely misspells, or None.

    `key` is compared (case-insensitively) with every key of a rule set; it is
    a misspelt v1.1 rule when it holds a word only those rules use (`band`,
    `together`, `nights`) or when its closest known key is one of them, so
    `max_consecutive_day` stays a (warned) typo of the v1 `max_consecutive_days`."""
    low = key.strip().lower()
    if low in V11_RULE_KEYS:
        return low  # a case or spacing variant: `Start_Band_Hours`
    for stem, rule in _V11_STEMS.items():
        if stem in low:
            return rule  # `start_band_minutes`, `max_nights`
    best = difflib.get_close_matches(low, sorted(known), n=1, cutoff=0.75)
    return best[0] if best and best[0] in V11_RULE_KEYS else None


def _message(e: Mapping[str, Any]) -> str:
    msg = str(e.get("msg", "invalid value"))
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    inp = e.get("input")
    if e.get("type") == "missing":
        return "required field is missing"
    if e.get("type", "").startswith(("literal_error", "enum")) or "Input should be" in msg:
        return f"{msg} (got {inp!r})"
    return msg


__all__ = ["ScenarioError", "load_scenario", "load_scenario_with_warnings"]
