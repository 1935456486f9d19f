"""Read the scenario YAML: measured before it is built, YAML 1.2 scalars, and
the line of every key.

YAML is read with YAML 1.2 scalars (`off`, `NO` stay strings; `22:00` stays a
time), with the round-trip loader so each key keeps its line number, and
turned into plain dicts, lists and scalars beside a map of key path → line.
Hostile input is refused before it costs anything (docs/safety.md): the file
is measured (bytes, aliases, expanded size, depth) before it is built. Every
problem is an issue in the `IssueLog`, never an exception.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

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

from optimizer.scenario import limits
from optimizer.scenario.errors import IssueLog, byte_line

KeyPath = tuple[str | int, ...]  # keys and list indexes from the top of the document


def read_yaml(path: Path, log: IssueLog) -> tuple[Any, dict[KeyPath, int]]:
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
        log.error(str(path), byte_line(data, exc.start), "", "file is not UTF-8 text")
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
    lines: dict[KeyPath, int] = {}
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


def _plain(node: Any, at: KeyPath, lines: dict[KeyPath, int]) -> Any:
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


def dotted(at: Iterable[str | int]) -> str:
    """A key path as text: `tiers.T1.sla[0]`."""
    out = ""
    for p in at:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


__all__ = ["KeyPath", "dotted", "read_yaml"]
