"""`sunroster export` (HR files) and `sunroster cost` (finance tables).

Both read OUTDIR/roster.csv and the scenario only, so they work on any
roster — solved, stored or edited by hand. Each file is written atomically
(a temporary file renamed over the old one); nothing else is removed, and an
output that would overwrite an input is refused (exit 2, docs/safety.md).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from optimizer.cli.common import (
    EXIT_INPUT,
    app,
    console,
    err_console,
    input_errors,
    load,
    output_dir,
    refuse,
    scenario_inputs,
)
from optimizer.export import csv_bytes, render
from optimizer.export.cost import cost_report
from optimizer.files import OutputRefused, atomic_file, atomic_files, check_output_file
from optimizer.roster import Roster
from optimizer.scenario.errors import IssueLog
from optimizer.scenario.model import Scenario


class Format(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    ics = "ics"
    payroll = "payroll"


def read_roster(scenario: Scenario, outdir: Path) -> Roster:
    """OUTDIR/roster.csv, with every malformed row reported (exit 2)."""
    with input_errors("roster"):
        log = IssueLog()
        roster = Roster.read_csv(outdir / "roster.csv", log)
        log.raise_if_any()
    unknown = sorted(set(roster.segments["agent_id"]) - set(scenario.agent_by_id))
    if unknown:
        err_console.print(
            f"[bold red]error:[/] {outdir / 'roster.csv'}: agent_id {', '.join(unknown[:5])}"
            f"{' …' if len(unknown) > 5 else ''} not in the scenario"
        )
        raise typer.Exit(EXIT_INPUT)
    return roster


@app.command("export")
def export(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file", show_default=False)],
    outdir: Annotated[Path, typer.Argument(help="folder holding roster.csv", show_default=False)],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="what to export")] = Format.xlsx,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="file to write (default: OUTDIR/<scenario>-<kind>.<ext>)"
        ),
    ] = None,
) -> None:
    """Export a roster for HR: XLSX workbook, shift CSV, iCalendar (zip) or payroll CSV."""
    sc = load(scenario, quiet=True)
    inputs = [*scenario_inputs(scenario), outdir / "roster.csv"]
    roster = read_roster(sc, outdir)
    files = render(sc, roster, fmt.value)
    targets = {name: output or (outdir / name) for name in files}
    try:
        for target in targets.values():
            check_output_file(target, inputs)
    except OutputRefused as exc:
        raise refuse(exc) from None
    for name, data in files.items():
        with atomic_file(targets[name]) as tmp:
            tmp.write_bytes(data)
        console.print(f"wrote {targets[name]} ({len(data):,} bytes)")


@app.command("cost")
def cost(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file", show_default=False)],
    outdir: Annotated[Path, typer.Argument(help="folder holding roster.csv", show_default=False)],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="folder for the CSV tables and cost.xlsx"),
    ] = None,
    fx: Annotated[
        list[str] | None,
        typer.Option("--fx", help="override a rate, e.g. --fx EUR=1.12 (repeatable)"),
    ] = None,
) -> None:
    """Cost of a roster for finance: by site, week and premium type, premium uplifts,
    cost per handled contact, FX sensitivity (±10 %)."""
    sc = load(scenario, quiet=True)
    folder = output or outdir / "cost"
    output_dir(folder, scenario_inputs(scenario))  # exit 2: would overwrite an input
    rates: dict[str, float] = {}
    for item in fx or []:
        cur, _, value = item.partition("=")
        try:
            rate = float(value)
            if rate <= 0 or cur not in sc.fx:
                raise ValueError
        except ValueError:
            err_console.print(
                f"[bold red]error:[/] --fx {item!r}: expected CUR=RATE with a currency of the "
                f"scenario's fx table ({', '.join(sc.fx) or 'none'}) and a positive rate"
            )
            raise typer.Exit(EXIT_INPUT) from None
        rates[cur] = rate
    roster = read_roster(sc, outdir)
    report = cost_report(sc, roster, fx=rates or None)
    for t in report.tables():
        console.print(t)
    frames = report.frames()
    names = [*(f"{name}.csv" for name in frames), "cost.xlsx"]
    # file by file into the folder (never the folder replaced): other files there stay
    with atomic_files(folder, names) as tmp:
        for name, df in frames.items():
            tmp[f"{name}.csv"].write_bytes(csv_bytes(df))
        _cost_xlsx(frames, tmp["cost.xlsx"])
    console.print(f"wrote {folder}/ (CSV per table and cost.xlsx)")


def _cost_xlsx(frames: dict, path: Path) -> None:
    import pandas as pd

    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name, df in frames.items():
            df.to_excel(xw, sheet_name=name[:31], index=False)
            ws = xw.sheets[name[:31]]
            ws.freeze_panes = "A2"
            for col in ws.columns:
                ws.column_dimensions[col[0].column_letter].width = max(
                    12, min(40, max(len(str(c.value or "")) for c in col) + 2)
                )
