"""`sunroster validate` and `sunroster requirements`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from optimizer.cli.common import EXIT_INPUT, app, console, err_console, input_errors, load

if TYPE_CHECKING:
    import pandas as pd
    from rich.table import Table

    from optimizer.scenario.model import Scenario

ScenarioArg = Annotated[Path, typer.Argument(help="scenario YAML file", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="print the result as JSON")]
STDOUT = Path("-")


def _table(title: str, frame: pd.DataFrame) -> Table:
    import pandas as pd
    from rich.table import Table

    t = Table(title=title, title_justify="left", show_edge=False, header_style="bold")
    for c in frame.columns:
        t.add_column(str(c), justify="right" if pd.api.types.is_numeric_dtype(frame[c]) else "left")
    for row in frame.itertuples(index=False):
        t.add_row(*[f"{v:,.1f}" if isinstance(v, float) else str(v) for v in row])
    return t


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A table as JSON-ready rows (numpy scalars to plain numbers)."""
    return json.loads(frame.to_json(orient="records", date_format="iso"))


def span_text(minutes: int) -> str:
    """A length of time as people write it: `28 days 17 h`, `1 day`, `7 h 30 min`."""
    days, rest = divmod(int(minutes), 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} day{'s' if days != 1 else ''}" if days else "", f"{hours} h" if hours else ""]
    parts.append(f"{mins} min" if mins else "")
    return " ".join(p for p in parts if p) or "0 min"


@app.command()
def validate(scenario: ScenarioArg, json_out: JsonOpt = False) -> None:
    """Load and check a scenario; print what it holds."""
    from optimizer.calendars import calendars_of
    from optimizer.scenario.load import load_scenario_with_warnings
    from optimizer.scenario.summary import scenario_summary
    from optimizer.timegrid import TimeGrid, iso_utc

    with input_errors("scenario"):
        sc, warnings = load_scenario_with_warnings(scenario)
    grid = TimeGrid.of(sc)
    s = scenario_summary(sc, grid, calendars_of(sc))
    if json_out:
        print(json.dumps({
            "ok": True, "scenario": sc.scenario, "description": sc.description or "",
            "horizon": {"start": sc.horizon.start.isoformat(), "days": sc.horizon.days,
                        "interval_minutes": sc.horizon.interval_minutes},
            "grid": {"start_utc": iso_utc(grid.start), "end_utc": iso_utc(grid.end),
                     "intervals": grid.n, "interval_minutes": grid.interval},
            "sites": _records(s.sites),
            "agents_by_site_language": _records(s.agents_by_site_language),
            "queues": _records(s.queues),
            "holidays": _records(s.holidays),
            "total_contacts": s.total_contacts,
            "v11_rules": v11_lines(sc),
            "warnings": warnings,
        }, indent=2, ensure_ascii=False))  # fmt: skip
        return
    for w in warnings:
        err_console.print(f"[yellow]warning:[/] {w}", highlight=False)
    console.print(f"[bold green]✓[/] {sc.scenario}: {sc.description or ''}".rstrip(": "))
    console.print(
        f"horizon {sc.horizon.start} + {sc.horizon.days} days; UTC grid {iso_utc(grid.start)} → "
        f"{iso_utc(grid.end)} ({span_text(grid.n * grid.interval)}), {grid.n} intervals of "
        f"{grid.interval} min"
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
    `activities`, `weights.stability` and the isolated-day price); nothing
    for a v1 scenario."""
    from optimizer.scenario.model import ISOLATED_DAY_HOURS

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
    if sc.weights.isolated_day_price > 0:
        out.append(
            f"isolated working days: {sc.weights.isolated_day_price:g} {sc.currency} each"
            + (
                ""
                if sc.weights.isolated_day is not None
                else f" ({ISOLATED_DAY_HOURS:g} h of weights.stability)"
            )
        )
    return out


@app.command()
def requirements(
    scenario: ScenarioArg,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="write the requirement table (CSV); '-' for standard output"
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Agents required per queue and UTC interval; agent-hours per tier and market."""
    if json_out and output == STDOUT:
        err_console.print("[bold red]error:[/] -o - and --json both write to standard output")
        raise typer.Exit(EXIT_INPUT)
    import pandas as pd

    from optimizer.files import atomic_file
    from optimizer.staffing.requirements import compute_requirements

    sc = load(scenario, quiet=json_out)
    req = compute_requirements(sc)
    # the summary goes to stderr when the table itself goes to stdout
    out = err_console if output == STDOUT else console
    if output == STDOUT:
        req.frame().to_csv(sys.stdout, index=False)
    elif output is not None:
        frame = req.frame()
        with atomic_file(output) as tmp:
            frame.to_csv(tmp, index=False)
        if not json_out:
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
    minutes = req.grid.n * req.grid.interval
    total = float(req.agent_hours().sum())
    if json_out:
        print(json.dumps({
            "scenario": sc.scenario, "total_agent_hours": round(total, 2),
            "grid_hours": minutes / 60, "intervals": req.grid.n,
            "interval_minutes": req.grid.interval,
            "agent_hours": [{**r, "agent_hours": round(r["agent_hours"], 2)} for r in _records(table)],
            "output": None if output is None else str(output),
        }, indent=2))  # fmt: skip
        return
    out.print(_table("Agent-hours required (after shrinkage)", table))
    out.print(f"total: {total:,.1f} agent-hours over {span_text(minutes)} (the UTC grid)")
