"""The one-way flow, end to end: scenario → grid → requirements → problem →
solve → roster → KPIs, and the three files of a solve (written and read
back). The CLI, the dashboard and sweeps call this; none of them
re-implements a step."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.calendars import Calendars, calendars_of
from optimizer.files import atomic_files, write_json
from optimizer.kpi import Kpis, coverage_table, kpis
from optimizer.roster import Roster
from optimizer.scenario.errors import IssueLog
from optimizer.scenario.model import Scenario
from optimizer.solve.problem import build_problem
from optimizer.solve.result import SolveResult, SummaryFieldError
from optimizer.solve.solver import solve
from optimizer.solve.stop import Progress, StopCriteria, no_progress
from optimizer.staffing.requirements import Requirements, compute_requirements
from optimizer.timegrid import TimeGrid, iso_utc


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


def read_outputs(outdir: str | Path, scenario: Scenario | Prepared) -> RunOutput:
    """The inverse of `write_outputs`: a solve's folder as a RunOutput of
    `scenario`. The result comes from summary.json and roster.csv; KPIs and
    coverage are measured again against the scenario (coverage.csv is derived,
    so it is not read). Every problem of either file — missing, not JSON, a
    field of the wrong type, another scenario's run, a malformed roster row,
    an agent or site the scenario does not have — raises one ScenarioError
    naming the file, row (or agent) and field."""
    prep = scenario if isinstance(scenario, Prepared) else prepare(scenario)
    d = Path(outdir)
    log = IssueLog()
    summary = _read_summary(d / "summary.json", prep.scenario.scenario, log)
    roster = Roster.read_csv(d / "roster.csv", log)
    _known_names(roster, prep.scenario, str(d / "roster.csv"), log)
    result: SolveResult | None = None
    try:
        result = SolveResult.from_summary(summary, roster)
    except SummaryFieldError as exc:
        log.error(str(d / "summary.json"), "", exc.key, exc.message)
    log.raise_if_any()
    assert result is not None
    return evaluate(prep, result)


def _read_summary(path: Path, scenario_id: str, log: IssueLog) -> dict[str, Any]:
    """summary.json as a mapping (empty, with the problem logged, if it is unreadable)."""
    name = str(path)
    if not path.is_file():
        log.error(name, "", "", "file not found")
        return {}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        log.error(name, "", "", "file is not UTF-8 text")
        return {}
    except json.JSONDecodeError as exc:
        log.error(name, f"line {exc.lineno}", "", f"not JSON: {exc.msg}")
        return {}
    if not isinstance(doc, dict):
        log.error(name, "", "", "expected a JSON object")
        return {}
    if doc.get("scenario") != scenario_id:
        log.error(
            name, "", "scenario", f"{doc.get('scenario')!r} is not this scenario ({scenario_id!r})"
        )
    return doc


def _known_names(roster: Roster, scenario: Scenario, name: str, log: IssueLog) -> None:
    """Log each agent and site of the roster the scenario does not have (the
    pay model cannot price them), with the first segment that names it."""
    seg = roster.segments
    for column, known, what in (
        ("agent_id", scenario.agent_by_id, "an agent"),
        ("site", scenario.site_by_id, "a site"),
    ):
        unknown = seg[~seg[column].isin(list(known))]
        for value, rows in unknown.groupby(column, sort=True):
            first = iso_utc(int(rows["start"].min()))
            log.error(
                name, f"{len(rows)} segment(s) from {first}", column,
                f"{value!r} is not {what} of scenario {scenario.scenario!r}",
            )  # fmt: skip
