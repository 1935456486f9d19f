"""What a benchmark section is: its settings, what it returns, how it says no.

A section runs one benchmark and returns a `Measured` (the runs it made, its
figures as plain JSON data, notes); `build` stamps it with the machine and
stores it as a `Record`. A section that cannot run here (a module not yet in
the checkout, a missing tool) raises `Skipped` with the reason; one whose
benchmark fails raises `SectionFailed`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optimizer.bench.report.record import Record, Run

REPO = Path(__file__).resolve().parents[3]
BASELINE = Path("scenarios/global-baseline.yaml")
CLI = ".venv/bin/sunroster"  # how the commands in the report are written (runnable as shown)
PYTHON = ".venv/bin/python"


class Skipped(Exception):
    """The section cannot run here; the message says why and what would let it."""


class SectionFailed(Exception):
    """The section's benchmark ran and failed; the message says which command and how."""


@dataclass(frozen=True)
class Settings:
    """What the sections run on. `time_limit`, when set, replaces every
    section's own limits (a quick try of the whole report; the records then
    say so through their commands)."""

    scenario: Path = BASELINE
    workers: int = 2
    time_limit: float | None = None
    seed: int = 0
    out: Path = Path("out/baseline")  # the scenario solved: roster.csv, summary.json
    curtois_dir: Path | None = None
    curtois_groups: tuple[str, ...] | None = None  # issue #7's groups to rerun (None: all)
    pyworkforce_python: str | None = field(
        default_factory=lambda: os.environ.get("SUNROSTER_PYWORKFORCE_PYTHON") or None
    )

    def limit(self, own: float) -> float:
        """The time limit a section uses where its own is `own`."""
        return own if self.time_limit is None else self.time_limit


@dataclass(frozen=True)
class Measured:
    """What a section's run returns: the runs it made (commands, when, which
    commit), its figures, and notes worth printing beside them."""

    runs: tuple[Run, ...]
    data: dict[str, Any]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """One section of BENCHMARKS.md: `run` measures, `render` turns a stored
    record's data into the section's tables (the heading, runs, machine and
    notes around them are the same for every section). `merge`, where a
    section can rerun part of itself, folds a new record into the stored one
    (stored, new → the record to keep)."""

    name: str
    title: str
    about: str
    run: Callable[[Settings], Measured]
    render: Callable[[Record], str]
    merge: Callable[[Record, Record], Record] | None = None


def fmt_limit(seconds: float) -> str:
    """A time limit as typed on a command line: 300, not 300.0."""
    return f"{seconds:g}"
