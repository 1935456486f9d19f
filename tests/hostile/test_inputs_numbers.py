"""Every number of a scenario is finite and in its range, checked once by the
loader (issue #24 item 8; the ranges are in optimizer/scenario/limits.py and
docs/safety.md): `.inf`, `.nan` and absurd values in any YAML field or CSV
column end in exit 2 naming the file, line or row, and field — never a
traceback, a hang or a solve that runs past its time limit. The Erlang
search ends on any input."""

from __future__ import annotations

import csv
import math
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.scenario import limits
from optimizer.staffing.erlang import agents_for_service_level, service_level
from tests.hostile.conftest import REPO

runner = CliRunner()
AGENT_COLUMNS = ["id", "name", "site", "languages", "channels"]
AGENT_NUMBERS = ["min_hours_week", "max_hours_week", "hourly_cost"]
Path_ = tuple[str | int, ...]


def _yaml() -> YAML:
    yaml = YAML()
    yaml.width = 4096
    return yaml


def _full_doc() -> CommentedMap:
    """tiny.yaml with every optional number present: an fx rate and agents in a
    CSV file whose numeric columns are all filled (one agent paid its own rate)."""
    doc = _yaml().load((REPO / "scenarios" / "tiny.yaml").read_text())
    doc["fx"] = CommentedMap({"USD": 0.9})
    doc["agents"] = "agents.csv"
    return doc


def _agent_rows() -> list[dict[str, Any]]:
    doc = _yaml().load((REPO / "scenarios" / "tiny.yaml").read_text())
    rows = []
    for k, a in enumerate(doc["agents"]):
        row = {c: a.get(c, "") for c in AGENT_COLUMNS}
        row |= {c: a.get(c, "") for c in AGENT_NUMBERS}
        row["hourly_cost"] = 12.5 if k == 0 else ""
        rows.append(row)
    return rows


def _numeric_paths(node: Any, at: Path_ = ()) -> Iterator[Path_]:
    """Key paths of every number (not yes/no) in the YAML document."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _numeric_paths(v, (*at, str(k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _numeric_paths(v, (*at, i))
    elif isinstance(node, int | float) and not isinstance(node, bool):
        yield at


def _line(doc: Any, at: Path_) -> int:
    """The 1-based line of the key or list item at `at`."""
    parent = doc
    for p in at[:-1]:
        parent = parent[p]
    last = at[-1]
    if isinstance(parent, CommentedSeq):
        return parent.lc.item(last)[0] + 1
    return parent.lc.key(last)[0] + 1


def _dotted(at: Path_) -> str:
    out = ""
    for p in at:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


YAML_FIELDS = sorted(_numeric_paths(_full_doc()), key=str)
CSV_FIELDS = [("agents.csv", c) for c in AGENT_NUMBERS] + [("demand.csv", "contacts")]


def _write(folder: Path, doc: Any, agents: list[dict[str, Any]], demand: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "agents.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=AGENT_COLUMNS + AGENT_NUMBERS)
        w.writeheader()
        w.writerows(agents)
    (folder / "demand.csv").write_text(demand)
    doc["demand"] = "demand.csv"
    path = folder / "scenario.yaml"
    with path.open("w") as f:
        _yaml().dump(doc, f)
    return path


def _demand() -> str:
    return (REPO / "scenarios" / "tiny-demand.csv").read_text()


def _validate(path: Path) -> tuple[int, str]:
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res.exit_code, res.output


def test_the_full_scenario_loads_with_every_number_in_range(tmp_path: Path) -> None:
    path = _write(tmp_path, _full_doc(), _agent_rows(), _demand())
    code, out = _validate(path)
    assert code == 0, out
    # the property below covers the numbers of every section
    sections = {p[0] for p in YAML_FIELDS}
    assert sections >= {"horizon", "shrinkage", "fx", "tiers", "rules", "sites", "markets"}
    assert sections >= {"queues", "weights", "activities"}


# non-finite, or beyond every field's range: all of them are >= 0 and <= 1e9
BAD = st.one_of(
    st.sampled_from([math.inf, -math.inf, math.nan]),
    st.floats(min_value=1e10, max_value=1e300),
    st.floats(min_value=-1e300, max_value=-1e-3),
)
BAD_CSV_TEXT = st.one_of(
    BAD.map(repr),
    st.sampled_from(["inf", "-inf", "NaN", "Infinity", "1e999", "-1e999", "+1e400"]),
)


@pytest.mark.parametrize("at", YAML_FIELDS, ids=_dotted)
@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=BAD)
def test_any_bad_yaml_number_exits_2_at_its_line_and_field(at: Path_, value: float) -> None:
    doc = _full_doc()
    parent = doc
    for p in at[:-1]:
        parent = parent[p]
    parent[at[-1]] = value
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), doc, _agent_rows(), _demand())
        line = _line(_yaml().load(path.read_text()), at)
        code, out = _validate(path)
    assert code == 2, out
    assert "Traceback" not in out
    # a list item may be reported as its list (`shift_hours`: "a shift cannot last …")
    named = {_dotted(at)} | ({_dotted(at[:-1])} if isinstance(at[-1], int) else set())
    assert any(f"line {line} ({d})" in out for d in named), out


@pytest.mark.parametrize("field", CSV_FIELDS, ids="/".join)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(row=st.integers(0, 7), text=BAD_CSV_TEXT)
def test_any_bad_csv_number_exits_2_at_its_row_and_column(
    field: tuple[str, str], row: int, text: str
) -> None:
    fname, column = field
    agents, demand = _agent_rows(), _demand()
    if fname == "agents.csv":
        agents[row][column] = text
    else:
        lines = demand.splitlines()
        q, t, _ = lines[row + 1].split(",")
        lines[row + 1] = f"{q},{t},{text}"
        demand = "\n".join(lines) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), _full_doc(), agents, demand)
        code, out = _validate(path)
    assert code == 2, out
    assert "Traceback" not in out
    assert f"{fname}, row {row + 1} (line {row + 2}), field '{column}'" in out, out


# ---------------------------------------------------------------- the issue's cases, by hand


def _tiny_with(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "sc"
    folder.mkdir()
    shutil.copy(REPO / "scenarios" / "tiny-demand.csv", folder / "tiny-demand.csv")
    text = (REPO / "scenarios" / "tiny.yaml").read_text()
    assert old in text, old
    (folder / "tiny.yaml").write_text(text.replace(old, new, 1))  # the first one
    return folder / "tiny.yaml"


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("aht_seconds: 360", "aht_seconds: .inf", "(queues[0].aht_seconds), field 'aht_seconds'"),
        ("hourly_cost: 10.5", "hourly_cost: .inf", "(sites[0].hourly_cost), field 'hourly_cost'"),
        ("under_cover_penalty: 150", "under_cover_penalty: .inf", "(tiers.T1.under_cover_penalty)"),
        ("fx: {}", "fx: {USD: .inf}", "(fx.USD), field 'fx'"),
        ("max_hours_week: 40}", "max_hours_week: .inf}", "(agents[0].max_hours_week)"),
        ("min_rest_hours: 11", "min_rest_hours: .inf", "(rules.PT.min_rest_hours)"),
        ("night: 1.25", "night: .inf", "(rules.PT.premiums.night), field 'premiums'"),
        ("after_hours: [3, 5]", "after_hours: [.nan, .nan]", "(rules.PT.break.after_hours[0])"),
        ("cost: 1.0,", "cost: .inf,", "(weights.cost), field 'cost'"),
        ("stability: 2.0,", "stability: .inf,", "(weights.stability), field 'stability'"),
        ("isolated_day: 60.0}", "isolated_day: .inf}", "(weights.isolated_day)"),
        ("fairness: 0.0,", "fairness: .nan,", "(weights.fairness), field 'fairness'"),
    ],
)
def test_the_issues_non_finite_numbers_exit_2(tmp_path: Path, old: str, new: str, where: str):
    path = _tiny_with(tmp_path, old, new)
    for cmd in ("validate", "requirements", "solve"):
        out = ["-o", str(tmp_path / "out"), "--time-limit", "5", "--no-store"]
        args = [cmd, str(path), *(out if cmd == "solve" else [])]
        res = runner.invoke(app, args)
        assert res.exit_code == 2, res.output
        assert where in res.output and "finite number" in res.output
    assert not (tmp_path / "out").exists()


def test_an_hourly_cost_too_large_after_fx_is_refused(tmp_path: Path) -> None:
    # 1e8 and the rate 1 are each in range; their product is not
    path = _tiny_with(tmp_path, "hourly_cost: 10.5", "hourly_cost: 1.0e+8")
    code, out = _validate(path)
    assert code == 2
    assert "(sites[0].hourly_cost), field 'hourly_cost'" in out
    assert "more than 1e+07 EUR, the limit of an hourly cost" in out


# ---------------------------------------------------------------- the Erlang search ends


ERLANG_PROBE = """
import sys
from optimizer.staffing.erlang import agents_for_service_level
try:
    agents_for_service_level({args})
except ValueError as exc:
    print("ValueError:", exc)
"""


@pytest.mark.parametrize(
    "args",
    ["10.0, 180, 1.5, 20", "float('nan'), 180, 0.8, 20", "10.0, float('nan'), 0.8, 20"],
)
def test_the_erlang_search_refuses_what_it_cannot_meet(args: str) -> None:
    # in a child process with a timeout: a search that loops forever fails the test
    res = subprocess.run(
        [sys.executable, "-c", ERLANG_PROBE.format(args=args)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("ValueError: agents_for_service_level:"), res.stdout


@pytest.mark.parametrize(
    ("traffic", "level", "target"),
    [(10.0, 1.0, 0.0), (1e-9, 1.0, 0.0), (limits.MAX_CONTACTS * 14_400 / 900, 1.0, 0.0)],
)
def test_the_erlang_search_finds_the_least_n_at_the_ends_of_the_ranges(
    traffic: float, level: float, target: float
) -> None:
    aht = 14_400.0
    n = int(agents_for_service_level(traffic, aht, level, target))
    assert service_level(n, traffic, aht, target) >= level - 1e-12
    assert n - 1 <= traffic or service_level(n - 1, traffic, aht, target) < level - 1e-12
