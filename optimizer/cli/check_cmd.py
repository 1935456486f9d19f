"""`sunroster check`: the independent checker on any roster.csv."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from optimizer.cli.common import app, console, input_errors, load


@app.command()
def check(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file", show_default=False)],
    outdir: Annotated[Path, typer.Argument(help="folder holding roster.csv", show_default=False)],
    json_out: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """List every hard-rule violation of OUTDIR/roster.csv and recompute its KPIs; exit 1 on a violation."""
    from optimizer.check import check_roster
    from optimizer.cli.kpi_view import kpi_tables
    from optimizer.cli.quality_view import print_quality
    from optimizer.roster import Roster
    from optimizer.scenario.errors import IssueLog

    sc = load(scenario, quiet=json_out)
    with input_errors("roster"):
        log = IssueLog()
        roster = Roster.read_csv(outdir / "roster.csv", log)
        log.raise_if_any()
    report = check_roster(sc, roster)
    if json_out:
        print(json.dumps({
            "ok": report.ok,
            "violations": [v.__dict__ for v in report.violations],
            "counts": report.counts(),
            "kpis": report.kpis.summary_dict() if report.kpis else None,
            "warnings": report.warnings,
        }, indent=2))  # fmt: skip
    else:
        style = "bold green" if report.ok else "bold red"
        console.print(f"[{style}]{report.to_text()}[/]", highlight=False)
        for w in report.warnings:
            console.print(f"[yellow]note:[/] {w}")
        if report.kpis is not None:
            for table in kpi_tables(report.kpis):
                console.print(table)
            print_quality(console, report.kpis.quality)
    if not report.ok:
        raise typer.Exit(1)
