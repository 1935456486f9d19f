"""`check_roster`: a valid roster passes, each rule flags its own violation,
the v1.1 rules bind only once set, and the checker stays independent of the
solver."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from optimizer.check import check_roster
from optimizer.roster import Roster
from tests.check.helpers import (
    CHAT,
    NIGHTS,
    Q,
    check,
    days,
    load_v11,
    parts,
    rules_of,
    shift,
    with_chat,
)

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "optimizer" / "check"


def test_valid_roster_passes(mini):
    r = Roster.from_segments(shift("A1", 0, "09:00", "18:00") + shift("A1", 1, "09:00", "18:00"))
    report = check_roster(mini, r)
    assert report.ok, report.to_text()
    assert report.kpis is not None and report.kpis.paid_hours == 16


@pytest.mark.parametrize(
    ("segments", "rule"),
    [
        (shift("A1", 0, "09:00", "17:00"), "shift length"),  # 7 paid hours
        (shift("A1", 0, "09:30", "18:30", brk="13:30"), "start step"),  # 60-min step
        (shift("A1", 0, "09:00", "18:00", brk="10:00"), "break"),  # 1 h in, window 3–5 h
        (shift("A1", 0, "09:00", "17:00", brk=None), "break"),  # 8 paid hours, no break
        (
            shift("A1", 0, "14:00", "23:00", brk="18:00")
            + shift("A1", 1, "06:00", "15:00", brk="10:00"),
            "minimum rest",
        ),
        ([s for d in range(7) for s in shift("A1", d, "09:00", "18:00")], "max consecutive days"),
        (shift("A9", 0, "09:00", "18:00"), "known agent"),
    ],
)
def test_each_rule_binds(mini, segments, rule):
    assert rule in rules_of(check_roster(mini, Roster.from_segments(segments)))


def every_new_rule_broken() -> list[dict]:
    """A1: starts 09:00 and 14:00, 3 queue changes and two 60-min stretches;
    A2: five nights in a row; A3: no two days off together."""
    return (
        parts(
            "A1",
            0,
            ("09:00", "10:00", Q),
            ("10:00", "11:00", CHAT),
            ("11:00", "13:00", Q),
            ("13:00", "14:00", "BREAK"),
            ("14:00", "18:00", CHAT),
        )
        + shift("A1", 2, "14:00", "23:00", brk="18:00")
        + days("A2", [0, 1, 2, 3, 4], **NIGHTS)
        + days("A3", [0, 2, 4, 6])
    )


def test_a_v1_scenario_reports_nothing_new(load, mini_data):
    """Rules left out are no rules: the same roster breaks all five once they are set."""
    roster = every_new_rule_broken()
    assert check(load(with_chat(mini_data)), roster).ok
    sc = load_v11(
        load,
        with_chat(mini_data),
        start_band_hours=2,
        days_off_together=2,
        max_consecutive_nights=4,
        min_minutes=120,
        max_switches_per_shift=2,
    )
    assert sorted((v.rule, v.agent_id) for v in check(sc, roster).violations) == [
        ("consecutive nights", "A2"),
        ("days off together", "A3"),
        ("minimum stretch", "A1"),
        ("minimum stretch", "A1"),
        ("queue switches", "A1"),
        ("start band", "A1"),
    ]


def _imports(path: Path) -> set[str]:
    """Every module `path` (a module of the checker) imports, relative imports resolved."""
    here = ["optimizer", "check"]
    out: set[str] = set()
    for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(n, ast.Import):
            out |= {a.name for a in n.names}
        elif isinstance(n, ast.ImportFrom):
            base = here[: len(here) - n.level + 1] if n.level else []
            out.add(".".join([*base, *([n.module] if n.module else [])]))
    return out


def _source(module: str) -> Path | None:
    """The file defining `module` (a module, or a package's `__init__.py`)."""
    path = REPO / module.replace(".", "/")
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def test_the_checker_never_imports_the_solver():
    files = sorted(PACKAGE.rglob("*.py"))
    assert PACKAGE / "__init__.py" in files and PACKAGE / "checker.py" in files
    for f in files:
        imported = _imports(f)
        assert not any(m.startswith("optimizer.solve") for m in imported), f.name
        # nor anything it imports from outside the checker
        for m in imported:
            if m.startswith("optimizer.") and m.split(".")[:2] != ["optimizer", "check"]:
                src = _source(m)
                if src is not None:
                    assert "optimizer.solve" not in src.read_text(encoding="utf-8"), (f.name, m)


def test_importing_the_checker_loads_no_solver_module():
    code = (
        "import sys, optimizer.check; "
        "print(sorted(m for m in sys.modules if m.startswith('optimizer.solve')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert out.stdout.strip() == "[]"
