"""`sunroster export` (HR files) and `sunroster cost` (finance tables).

Both read OUTDIR/roster.csv and the scenario only, so they work on any
roster — solved, stored or edited by hand. Each file is written atomically
(a temporary file renamed over the old one); nothing else is removed, and an
output that would overwrite an input is refused (exit 2, docs/safety.md).
What each export holds: docs/exports.md.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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

if TYPE_CHECKING:
    from optimizer.export.cost import CostReport
    from optimizer.roster import Roster
    from optimizer.scenario.model import Scenario

STDOUT = "-"


class Format(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    ics = "ics"
    payroll = "payroll"


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(EXIT_INPUT)


def read_roster(scenario: Scenario, outdir: Path) -> Roster:
    """OUTDIR/roster.csv, with every malformed row reported (exit 2)."""
    from optimizer.roster import Roster
    from optimizer.scenario.errors import IssueLog

    with input_errors("roster"):
        log = IssueLog()
        roster = Roster.read_csv(outdir / "roster.csv", log)
        log.raise_if_any()
    unknown = sorted(set(roster.segments["agent_id"]) - set(scenario.agent_by_id))
    if unknown:
        raise _fail(
            f"{outdir / 'roster.csv'}: agent_id {', '.join(unknown[:5])}"
            f"{' …' if len(unknown) > 5 else ''} not in the scenario"
        )
    return roster


def week_starts(scenario: Scenario, items: list[str]) -> dict[str, int]:
    """`--week-start` values (`sat` for every site, `CAI=sat` for one) → site → weekday."""
    from optimizer.scenario.clock import parse_weekday

    out: dict[str, int] = {}
    for item in items:
        site, _, day = item.rpartition("=")
        try:
            weekday = parse_weekday(day)
        except ValueError:
            raise _fail(
                f"--week-start {item!r}: expected a weekday (Mon…Sun), or SITE=DAY"
            ) from None
        if site and site not in scenario.site_by_id:
            raise _fail(
                f"--week-start {item!r}: no site {site!r} in the scenario "
                f"({', '.join(scenario.site_by_id)})"
            )
        for s in [site] if site else scenario.site_by_id:
            out[s] = weekday
    return out


def _only_for(fmt: Format, **given: object) -> None:
    """Exit 2 when an option is given for a format that does not use it."""
    uses = {"previous": {"ics"}, "agent": {"ics"}, "per_day": {"payroll"},
            "week_start": {"payroll", "xlsx"}, "bom": {"csv", "payroll"}}  # fmt: skip
    for option, value in given.items():
        if value not in (None, False, []) and fmt.value not in uses[option]:
            flag = "--" + option.replace("_", "-")
            raise _fail(
                f"{flag} applies to --format {' or '.join(sorted(uses[option]))}, not {fmt.value}"
            )


def _to_stdout(data: bytes) -> None:
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _write_file(target: Path, data: bytes, inputs: list[Path], *, quiet: bool) -> Path:
    from optimizer.files import OutputRefused, atomic_file, check_output_file

    try:
        check_output_file(target, inputs)
    except OutputRefused as exc:
        raise refuse(exc) from None
    with atomic_file(target) as tmp:
        tmp.write_bytes(data)
    if not quiet:
        console.print(f"wrote {target} ({len(data):,} bytes)", highlight=False)
    return target


def _export_json(
    sc: Scenario, roster: Roster, fmt: Format, files: dict[Path, bytes], counts: dict[str, Any]
) -> str:
    """What an export wrote, as one JSON document (docs/exports.md): the files,
    their total size, and the agents, shifts and `counts` of the format (the
    workbook's sheet names besides)."""
    import json

    shifts = roster.shifts
    names = counts.pop("sheet_names", None)
    return json.dumps(
        {
            "scenario": sc.scenario,
            "format": fmt.value,
            "files": [str(path) for path in files],
            "bytes": sum(len(data) for data in files.values()),
            "counts": {
                "agents": int(shifts["agent_id"].nunique()),
                "shifts": len(shifts),
                **counts,
            },
            **({"sheets": names} if names is not None else {}),
        },
        indent=2,
        ensure_ascii=False,
    )


@app.command("export")
def export(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file", show_default=False)],
    outdir: Annotated[Path, typer.Argument(help="folder holding roster.csv", show_default=False)],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="what to export")] = Format.xlsx,
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            help="file to write, '-' for stdout; ics: a folder (one .ics per agent), a .zip, "
            "or a .ics when there is one calendar (default: OUTDIR/<scenario>-<kind>)",
            show_default=False,
        ),
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous",
            help="ics: the previous export (folder or .zip): changed shifts get a higher "
            "SEQUENCE, removed ones are published as cancelled",
            show_default=False,
        ),
    ] = None,
    agent: Annotated[
        list[str] | None,
        typer.Option(
            "--agent", help="ics: only this agent's calendar (repeatable)", show_default=False
        ),
    ] = None,
    per_day: Annotated[
        bool, typer.Option("--per-day", help="payroll: one line per agent and day")
    ] = False,
    week_start: Annotated[
        list[str] | None,
        typer.Option(
            "--week-start",
            help="payroll and xlsx: first day of the week, for all sites (sat) or one "
            "(CAI=sat); default Mon (repeatable)",
            show_default=False,
        ),
    ] = None,
    bom: Annotated[
        bool | None,
        typer.Option(
            "--bom/--no-bom",
            help="csv and payroll: start with a UTF-8 byte-order mark so Excel reads accents "
            "[default: --bom]",
            show_default=False,
        ),
    ] = None,
    json_out: Annotated[
        bool,
        typer.Option("--json", help="print what was written (files, sizes, counts) as JSON"),
    ] = False,
) -> None:
    """Export a roster for HR: XLSX workbook, shifts CSV (one row per stretch),
    iCalendar per agent, or payroll CSV."""
    if json_out and output == STDOUT:
        raise _fail("-o - and --json both write to standard output")
    given_bom = bom is not None  # --bom or --no-bom said
    _only_for(fmt, previous=previous, agent=agent, per_day=per_day, week_start=week_start,
              bom=given_bom)  # fmt: skip
    sc = load(scenario, quiet=True)
    inputs = [*scenario_inputs(scenario), outdir / "roster.csv"]
    starts = week_starts(sc, week_start or [])
    roster = read_roster(sc, outdir)
    from optimizer.export import contents

    if fmt is Format.ics:
        roster, written, cals = _export_ics(
            sc, roster, outdir, output, previous, agent or [], inputs, quiet=json_out
        )
        if json_out:
            print(_export_json(sc, roster, fmt, written, contents("ics", cals)))
        return
    from optimizer.export import render

    files = render(sc, roster, fmt.value, per_day=per_day, week_start=starts, bom=bom is not False)
    ((name, data),) = files.items()
    if output == STDOUT:
        _to_stdout(data)
        return
    target = _write_file(Path(output) if output else outdir / name, data, inputs, quiet=json_out)
    if json_out:
        counts = contents(fmt.value, files)
        if fmt is Format.payroll:
            counts["per"] = "day" if per_day else "week"
        print(_export_json(sc, roster, fmt, {target: data}, counts))


def _export_ics(
    sc: Scenario,
    roster: Roster,
    outdir: Path,
    output: str | None,
    previous: Path | None,
    agents: list[str],
    inputs: list[Path],
    *,
    quiet: bool,
) -> tuple[Roster, dict[Path, bytes], dict[str, bytes]]:
    """Calendars into a folder (one `<agent>.ics` each), a `.zip`, one `.ics` or stdout.

    Returns the roster exported (`--agent`'s shifts only), the files written
    and the calendars (agent key → `.ics` bytes)."""
    from optimizer.export.ics import PreviousExportError, agent_calendars, ics_zip, read_previous
    from optimizer.files import OutputRefused, atomic_files

    unknown = [a for a in agents if a not in sc.agent_by_id]
    if unknown:
        raise _fail(f"--agent {', '.join(unknown)}: not an agent of the scenario")
    old: dict[str, bytes] = {}
    if previous is not None:
        try:
            old = read_previous(previous)
        except (PreviousExportError, OSError) as exc:
            raise _fail(f"--previous {exc}") from None
    if agents:
        from optimizer.export.ics import safe_name

        keep = {safe_name(a) for a in agents}
        roster = type(roster).from_segments(
            roster.segments[roster.segments["agent_id"].isin(agents)]
        )
        old = {k: v for k, v in old.items() if k in keep}
    cals = agent_calendars(sc, roster, previous=old)
    single = output == STDOUT or (output is not None and output.lower().endswith(".ics"))
    if single and len(cals) != 1:
        raise _fail(
            f"-o {output}: the export holds {len(cals)} calendars, and one .ics file holds one; "
            "name a folder or a .zip, or choose one agent with --agent"
        )
    if output == STDOUT:
        _to_stdout(next(iter(cals.values())))
        return roster, {}, cals
    if output is not None and (single or output.lower().endswith(".zip")):
        data = next(iter(cals.values())) if single else ics_zip(cals)
        return roster, {_write_file(Path(output), data, inputs, quiet=quiet): data}, cals
    folder = Path(output) if output else outdir / f"{sc.scenario}-calendars"
    output_dir(folder, inputs)
    names = [f"{key}.ics" for key in cals]
    try:
        with atomic_files(folder, names) as tmp:
            for key, data in cals.items():
                tmp[f"{key}.ics"].write_bytes(data)
    except OutputRefused as exc:
        raise refuse(exc) from None
    if not quiet:
        count = f"{len(names)} calendar{'' if len(names) == 1 else 's'}"
        console.print(f"wrote {folder}/ ({count}, one .ics per agent)", highlight=False)
    return roster, {folder / f"{key}.ics": data for key, data in cals.items()}, cals


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
    bom: Annotated[
        bool,
        typer.Option("--bom/--no-bom", help="start the CSV files with a UTF-8 byte-order mark"),
    ] = True,
    json_out: Annotated[
        bool, typer.Option("--json", help="print the tables as JSON (the files are written too)")
    ] = False,
) -> None:
    """Cost of a roster for finance: by site, week and premium type, premium uplifts,
    cost per handled contact, FX sensitivity (±10 %)."""
    from optimizer.cli.cost_view import cost_tables
    from optimizer.export.cost import cost_report
    from optimizer.files import atomic_files

    sc = load(scenario, quiet=True)
    folder = output or outdir / "cost"
    output_dir(folder, scenario_inputs(scenario))  # exit 2: would overwrite an input
    rates: dict[str, float] = {}
    for item in fx or []:
        cur, _, value = item.partition("=")
        try:
            rate = float(value)
            if not rate > 0 or rate == float("inf") or cur not in sc.fx:
                raise ValueError
        except ValueError:
            raise _fail(
                f"--fx {item!r}: expected CUR=RATE with a currency of the scenario's fx table "
                f"({', '.join(sc.fx) or 'none'}) and a positive rate"
            ) from None
        rates[cur] = rate
    roster = read_roster(sc, outdir)
    report = cost_report(sc, roster, fx=rates or None)
    for t in [] if json_out else cost_tables(report):
        console.print(t)
    files = {**report.csv_files(bom=bom), "cost.xlsx": report.workbook()}
    # file by file into the folder (never the folder replaced): other files there stay
    with atomic_files(folder, list(files)) as tmp:
        for name, data in files.items():
            tmp[name].write_bytes(data)
    if json_out:
        print(_cost_json(report, sc.currency, [folder / name for name in files]))
        return
    console.print(f"wrote {folder}/ (CSV per table and cost.xlsx)", highlight=False)


def _cost_json(report: CostReport, currency: str, files: list[Path]) -> str:
    """The cost tables (and the files written) as one JSON document."""
    import json

    tables = {
        name: json.loads(df.to_json(orient="records", date_format="iso"))
        for name, df in report.frames().items()
    }
    return json.dumps(
        {
            "currency": currency,
            "total_reporting_currency": round(report.total_reporting, 2),
            "tables": tables,
            "files": [str(f) for f in files],
        },
        indent=2,
        ensure_ascii=False,
    )
