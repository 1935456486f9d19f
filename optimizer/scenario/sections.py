"""The sections of a scenario document, each validated into its models.

The header's scalars, the mappings of tiers and rule sets (keyed by id), the
lists of sites, markets and queues (ids unique), the extra holidays, and the
agents, the shift requests and the cover per shift type, written inline
or as a CSV table beside the YAML; each problem is
reported where it is written, and a section with problems yields only its
valid parts, so the checks between sections can still run.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from optimizer.scenario.csv_tables import read_csv_rows
from optimizer.scenario.document import Document, error_message
from optimizer.scenario.field_types import iso_date
from optimizer.scenario.model import Agent, ScenarioHeader
from optimizer.scenario.shift_cover import COVER_COLUMNS, COVER_REQUIRED, ShiftCover
from optimizer.scenario.shift_requests import REQUEST_COLUMNS, REQUEST_REQUIRED, ShiftRequest

M = TypeVar("M", bound=BaseModel)

AGENT_COLUMNS = (
    "id", "name", "site", "languages", "channels", "min_hours_week", "max_hours_week",
    "hourly_cost", "earliest_start", "latest_end", "days_off", "leave", "team",
    "preferred_days_off", "min_hours_horizon", "max_hours_horizon",
)  # fmt: skip
AGENT_REQUIRED = ("id", "site", "languages", "channels", "max_hours_week")


def top_scalars(doc: Document) -> dict[str, Any]:
    """The header's scalars (`scenario`, `currency`, `fx`, …) as validated; {} when
    `scenario` or `currency` is missing or any of them is invalid."""
    probe = {k: doc.data[k] for k in ScenarioHeader.model_fields if k in doc.data}
    if "scenario" not in probe or "currency" not in probe:
        return {}  # reported as missing already
    top = doc.model(ScenarioHeader, probe, ())
    return top.model_dump() if top is not None else {}


def mapping_of(doc: Document, cls: type[M], key: str) -> dict[str, M] | None:
    """The section `key`, a mapping id → definition, as `cls` models each given its
    id; None when it is absent."""
    raw = doc.data.get(key)
    if raw is None:
        return None
    if not isinstance(raw, dict) or not raw:
        doc.err((key,), key, "expected a non-empty mapping of id → definition")
        return None
    out: dict[str, M] = {}
    for k, v in raw.items():
        m = doc.model(cls, v, (key, k), id=str(k))
        if m is not None:
            out[str(k)] = m
    return out


def list_of(doc: Document, cls: type[M], key: str) -> list[M]:
    """The section `key`, a list, as `cls` models with unique ids; [] when absent."""
    raw = doc.data.get(key)
    if raw is None:
        return []
    if not isinstance(raw, list) or not raw:
        doc.err((key,), key, "expected a non-empty list")
        return []
    out: list[M] = []
    for i, v in enumerate(raw):
        m = doc.model(cls, v, (key, i))
        if m is not None:
            out.append(m)
    doc.duplicates([getattr(m, "id", None) for m in out], lambda i: (key, i), key)
    return out


def extra_holidays(doc: Document, raw: Any) -> dict[str, dict[dt.date, str]]:
    """`extra_holidays`: site id, market id or country → {date: name}."""
    out: dict[str, dict[dt.date, str]] = {}
    if raw is None:
        return out
    if not isinstance(raw, dict):
        doc.err(
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
            doc.err(at, str(key), "expected a list of dates or a mapping date → name")
            continue
        table: dict[dt.date, str] = {}
        for d, name in items:
            try:
                table[iso_date(d)] = name
            except ValueError as exc:
                doc.err(at, str(key), str(exc))
        out[str(key)] = table
    return out


def agents(doc: Document, raw: Any, context: dict[str, Any]) -> list[Agent]:
    """The agents, from the CSV file `raw` names or from its list; `context`
    holds the window their leave is kept in."""
    if raw is None:
        return []
    if isinstance(raw, str):
        path = doc.table_path(raw, "agents")
        return [] if path is None else _agents_csv(doc, path, context)
    if isinstance(raw, list):
        out: list[Agent] = []
        for i, row in enumerate(raw):
            if not isinstance(row, dict):
                doc.err(("agents", i), "", "expected a mapping of agent fields")
                continue
            data = _given_fields(row)
            m = doc.model(Agent, data, ("agents", i), context)
            if m is not None:
                out.append(m)
                doc.agent_where[m.id] = (doc.file, doc.where(("agents", i)))
        doc.duplicates([a.id for a in out], lambda i: ("agents", i), "agent")
        return out
    doc.err(("agents",), "agents", "expected a CSV file name or a list of agents")
    return []


def _agents_csv(doc: Document, path: Path, context: dict[str, Any]) -> list[Agent]:
    """The agents' CSV table, each problem reported at its row and column."""
    rows = _csv_models(doc, path, Agent, AGENT_REQUIRED, AGENT_COLUMNS, context)
    fname = str(path)
    counts = Counter(a.id for a, _ in rows)
    for a, where in rows:
        doc.agent_where[a.id] = (fname, where)
        if counts[a.id] > 1:
            doc.log.error(fname, where, "id", f"duplicate agent id {a.id!r}")
    return [a for a, _ in rows]


def _csv_models(
    doc: Document,
    path: Path,
    cls: type[M],
    required: tuple[str, ...],
    known: tuple[str, ...],
    context: dict[str, Any] | None = None,
) -> list[tuple[M, str]]:
    """The rows of a CSV table as `cls` models, each with where it is (`row
    N (line L)`); every problem is reported at its row and column."""
    rows = read_csv_rows(path, doc.log, required, known)
    out: list[tuple[M, str]] = []
    for rowno, row in rows or []:
        where = f"row {rowno - 1} (line {rowno})"
        try:
            out.append((cls.model_validate(_given_fields(row), context=context), where))
        except ValidationError as exc:
            for e in exc.errors():
                fld = str(e["loc"][0]) if e["loc"] else ""
                doc.log.error(str(path), where, fld, error_message(e))
    return out


def requests(doc: Document, raw: Any) -> list[tuple[ShiftRequest, tuple[str, str]]]:
    """The shift requests, from the CSV file `raw` names or from its list,
    each with where it is written (file, place) for the checks against the
    agents."""
    return _rows(doc, raw, "requests", ShiftRequest, REQUEST_REQUIRED, REQUEST_COLUMNS)


def shift_cover(doc: Document, raw: Any) -> list[tuple[ShiftCover, tuple[str, str]]]:
    """The cover per shift type, from the CSV file `raw` names or from its
    list, each row with where it is written."""
    return _rows(doc, raw, "shift_cover", ShiftCover, COVER_REQUIRED, COVER_COLUMNS)


def _rows(
    doc: Document,
    raw: Any,
    key: str,
    cls: type[M],
    required: tuple[str, ...],
    known: tuple[str, ...],
) -> list[tuple[M, tuple[str, str]]]:
    """A section of rows, written inline as a list or as a CSV table beside
    the YAML, as `cls` models each with where it is written (file, place)."""
    if raw is None:
        return []
    if isinstance(raw, str):
        path = doc.table_path(raw, key)
        if path is None:
            return []
        return [
            (r, (str(path), where)) for r, where in _csv_models(doc, path, cls, required, known)
        ]
    if isinstance(raw, list):
        out = []
        for i, row in enumerate(raw):
            m = doc.model(cls, row, (key, i))
            if m is not None:
                out.append((m, (doc.file, doc.where((key, i)))))
        return out
    doc.err((key,), key, f"expected a CSV file name or a list of {key} rows")
    return []


def _given_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """CSV texts or YAML values → a model's fields (empty cells → defaults)."""
    return {
        k: v for k, v in row.items() if v is not None and not (isinstance(v, str) and not v.strip())
    }


def or_empty(raw: Any) -> Any:
    """An optional section: absent or `null` is empty; anything else is checked."""
    return {} if raw is None else raw


__all__ = [
    "agents",
    "extra_holidays",
    "list_of",
    "mapping_of",
    "or_empty",
    "requests",
    "shift_cover",
    "top_scalars",
]
