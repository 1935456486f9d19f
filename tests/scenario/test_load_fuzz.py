"""Fuzz: mutated scenario files either load or raise the clear ScenarioError —
never another exception."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from optimizer.scenario.errors import ScenarioError
from optimizer.scenario.load import load_scenario
from tests import factory

WEIRD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.sampled_from(
        ["22:00", "off", "NO", "2027-03-01", "-1", "Mon-Fri 09:00-17:00", "24x7", "xx"]
    ),
)


def paths(node: Any, at: tuple = ()) -> list[tuple]:
    """Every key path into nested dicts and lists."""
    out = [at] if at else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += paths(v, (*at, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += paths(v, (*at, i))
    return out


def base() -> dict:
    d = factory.mini()
    d["demand"] = [
        ("PT-pt-voice", "2027-03-01T08:00:00Z", 4),
        ("PT-pt-voice", "2027-03-01T09:00:00Z", 2),
    ]
    return d


BASE_PATHS = [p for p in paths(base()) if p[0] != "demand"]


@st.composite
def mutations(draw) -> list[tuple[str, tuple, Any]]:
    n = draw(st.integers(1, 4))
    return [
        (
            draw(st.sampled_from(["remove", "retype"])),
            draw(st.sampled_from(BASE_PATHS)),
            draw(WEIRD),
        )
        for _ in range(n)
    ]


def apply(data: dict, muts: list[tuple[str, tuple, Any]]) -> dict:
    data = copy.deepcopy(data)
    for op, path, value in muts:
        node = data
        try:
            for p in path[:-1]:
                node = node[p]
            if op == "remove":
                del node[path[-1]]
            else:
                node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    return data


def loads_or_clear_error(path: Path) -> None:
    try:
        load_scenario(path)
    except ScenarioError as exc:
        assert exc.issues and all(i.file and i.message for i in exc.issues)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(muts=mutations(), as_csv=st.booleans())
def test_mutated_yaml_loads_or_fails_clearly(muts, as_csv):
    with tempfile.TemporaryDirectory() as tmp:
        try:
            path = factory.write(Path(tmp), apply(base(), muts), agents_csv=as_csv)
        except Exception:  # the mutation made data YAML cannot even represent
            return
        loads_or_clear_error(path)


@settings(max_examples=150, deadline=None)
@given(
    row=st.integers(0, 6),
    garbage=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40),
    target=st.sampled_from(["agents.csv", "demand.csv"]),
    mode=st.sampled_from(["replace", "insert", "truncate", "bytes"]),
)
# a lone carriage return in the header once escaped as a csv.Error traceback
@example(row=0, garbage="\r0", target="demand.csv", mode="replace")
@example(row=0, garbage="\r0", target="agents.csv", mode="replace")
def test_garbled_csv_rows_load_or_fail_clearly(row, garbage, target, mode):
    with tempfile.TemporaryDirectory() as tmp:
        path = factory.write(Path(tmp), base(), agents_csv=True)
        f = path.parent / target
        lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
        k = min(row, len(lines) - 1)
        if mode == "replace":
            lines[k] = garbage + "\n"
        elif mode == "insert":
            lines.insert(k, garbage + "\n")
        elif mode == "truncate":
            lines[k] = lines[k][: len(garbage) % max(1, len(lines[k]))]
        if mode == "bytes":
            f.write_bytes(
                b"".join(x.encode() for x in lines)
                + b"\xff\xfe"
                + garbage.encode("utf-8", "replace")
            )
        else:
            f.write_text("".join(lines), encoding="utf-8")
        loads_or_clear_error(path)
