"""`sunroster validate` and `sunroster requirements`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from optimizer.calendars import calendars_of
from optimizer.cli.common import app, console, load
from optimizer.files import atomic_file
from optimizer.scenario.model import Scenario
from optimizer.scenario.summary import scenario_summary
from optimizer.staffing.requirements import compute_requirements
from optimizer.timegrid import TimeGrid, iso_utc

ScenarioArg = Annotated[Path, typer.Argument(help="scenario YAML file", show_default=False)]


def _table(title: str, frame: pd.DataFrame) -> Table:
    t = Table(title=title, title_justify="left", show_edge=False, header_style="bold")
    for c in frame.columns:
        t.add_column(str(c), justify="right" if pd.api.types.is_numeric_dtype(frame[c]) else "left")
    for row in frame.itertuples(index=False):
        t.add_row(*[f"{v:,.1f}" if isinstance(v, float) else str(v) for v in row])
    return t


@app.command()
def validate(scenario: ScenarioArg) -> None:
    """Load and check a scenario; print what it holds."""
    sc = load(scenario)
    grid = TimeGrid.of(sc)
    cal = calendars_of(sc)
    s = scenario_summary(sc, grid, cal)
    console.print(f"[bold green]✓[/] {sc.scenario}: {sc.description or ''}".rstrip(": "))
    console.print(
        f"horizon {sc.horizon.start} + {sc.horizon.days} days; UTC grid {iso_utc(grid.start)} → "
        f"{iso_utc(grid.end)}, {grid.n} intervals of {grid.interval} min"
    )
    console.print(_table("Sites", s.sites))
    console.print(_table("Agents by site and language", s.agents_by_site_language))
    console.print(_table("Queues", s.queues))
    console.print(_table("Public holidays in the horizon", s.holidays))
    console.print(f"total contacts: {s.total_contacts:,.1f}")
    for line in v11_lines(sc):
        console.print(line, highlight=False, soft_wrap=True)


def v11_lines(sc: Scenario) -> list[str]:
    """The contract v1.1 rules a scenario sets, one line per rule set (and for
    `activities` and `weights.stability`); nothing for a v1 scenario."""
    out: list[str] = []
    for rid, r in sc.rules.items():
        parts = [
            f"start band {r.start_band_hours:g} h" if r.start_band_hours is not None else "",
            f"{r.days_off_together} days off together" if r.days_off_together is not None else "",
            f"at most {r.max_consecutive_nights} consecutive nights"
            if r.max_consecutive_nights is not None
            else "",
        ]
        if any(parts):
            out.append(f"rules {rid} (v1.1): " + ", ".join(p for p in parts if p))
    act = sc.activities
    parts = [
        f"stretches of at least {act.min_minutes} min" if act.min_minutes is not None else "",
        f"at most {act.max_switches_per_shift} queue changes per shift"
        if act.max_switches_per_shift is not None
        else "",
    ]
    if any(parts):
        out.append("activities (v1.1): " + ", ".join(p for p in parts if p))
    if sc.weights.stability > 0:
        out.append(
            f"weights.stability: {sc.weights.stability:g} {sc.currency} per hour of start change"
        )
    return out


@app.command()
def requirements(
    scenario: ScenarioArg,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="write the requirement table (CSV)")
    ] = None,
) -> None:
    """Agents required per queue and UTC interval; agent-hours per tier and market."""
    sc = load(scenario)
    req = compute_requirements(sc)
    if output is not None:
        frame = req.frame()
        with atomic_file(output) as tmp:
            frame.to_csv(tmp, index=False)
        console.print(f"wrote {len(frame):,} rows to {output}")
    hours = pd.DataFrame(
        {
            "tier": [sc.market_by_id[q.market].tier for q in sc.queues],
            "market": [q.market for q in sc.queues],
            "agent_hours": req.agent_hours(),
        }
    )
    by = hours.groupby(["tier", "market"], as_index=False)["agent_hours"].sum()
    tiers = hours.groupby("tier", as_index=False)["agent_hours"].sum().assign(market="(all)")
    table = pd.concat([by, tiers[["tier", "market", "agent_hours"]]]).sort_values(
        ["tier", "market"]
    )
    console.print(_table("Agent-hours required (after shrinkage)", table))
    console.print(
        f"total: {req.agent_hours().sum():,.1f} agent-hours over {dt.timedelta(minutes=req.grid.n * req.grid.interval)}"
    )
