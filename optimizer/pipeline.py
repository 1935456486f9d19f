"""The one-way flow, end to end: scenario → grid → requirements → problem →
solve → roster → KPIs, and the three files of a solve. The CLI, the dashboard
and sweeps call this; none of them re-implements a step."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.calendars import Calendars, calendars_of
from optimizer.files import atomic_files, write_json
from optimizer.kpi import Kpis, coverage_table, kpis
from optimizer.roster import Roster
from optimizer.scenario.model import Scenario
from optimizer.solve.problem import build_problem
from optimizer.solve.result import SolveResult
from optimizer.solve.solver import solve
from optimizer.solve.stop import Progress, StopCriteria, no_progress
from optimizer.staffing.requirements import Requirements, compute_requirements
from optimizer.timegrid import TimeGrid


@dataclass(frozen=True)
class Prepared:
    """A scenario with its derived tables (cache this in long-lived processes)."""

    scenario: Scenario
    grid: TimeGrid
    calendars: Calendars
    requirements: Requirements


@dataclass(frozen=True)
class RunOutput:
    """Everything a solve produced, ready for files, tables and charts."""

    prepared: Prepared
    result: SolveResult
    kpis: Kpis
    coverage: pd.DataFrame

    @property
    def scenario(self) -> Scenario:
        return self.prepared.scenario

    @property
    def roster(self) -> Roster:
        return self.result.roster

    def summary(self) -> dict[str, Any]:
        """summary.json: the solver's keys and the KPI keys."""
        return {
            "scenario": self.scenario.scenario,
            **self.result.summary(),
            **self.kpis.summary_dict(),
        }


def prepare(scenario: Scenario) -> Prepared:
    grid = TimeGrid.of(scenario)
    cal = calendars_of(scenario)
    return Prepared(scenario, grid, cal, compute_requirements(scenario, grid, cal))


def run(
    scenario: Scenario | Prepared,
    stop: StopCriteria | None = None,
    seed: int = 0,
    progress: Progress = no_progress,
) -> RunOutput:
    """Solve a scenario and measure the roster."""
    prep = scenario if isinstance(scenario, Prepared) else prepare(scenario)
    problem = build_problem(prep.scenario, prep.requirements, prep.calendars)
    result = solve(problem, stop or StopCriteria(), seed=seed, progress=progress)
    return evaluate(prep, result)


def evaluate(prep: Prepared, result: SolveResult) -> RunOutput:
    """KPIs and coverage of a result's roster."""
    k = kpis(prep.scenario, prep.requirements, result.roster, prep.calendars)
    cov = coverage_table(prep.scenario, prep.requirements, result.roster)
    return RunOutput(prep, result, k, cov)


OUTPUT_FILES = ("roster.csv", "coverage.csv", "summary.json")


def write_outputs(outdir: str | Path, out: RunOutput) -> None:
    """roster.csv, coverage.csv and summary.json into `outdir` (created if missing).

    Each is written to a temporary file first and renamed over the old one only
    once all three are complete (summary.json last); an error or Ctrl-C before
    that leaves the old files. Nothing else in `outdir` is touched."""
    with atomic_files(outdir, OUTPUT_FILES) as tmp:
        out.roster.to_frame(out.scenario).to_csv(tmp["roster.csv"], index=False)
        out.coverage.to_csv(tmp["coverage.csv"], index=False)
        write_json(tmp["summary.json"], out.summary())
