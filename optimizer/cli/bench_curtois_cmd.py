"""`sunroster bench curtois`: the published Curtois–Qu benchmark, solved by
Sunroster's engine through the adapter, against best-known values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from optimizer.cli.bench_cmds import bench_app
from optimizer.cli.common import EXIT_INPUT, console, err_console, guarded

_REPO = Path(__file__).resolve().parents[2]


def default_dir() -> Path:
    """`../shared/benchmarks/curtois` next to the repository (or the working directory)."""
    for base in (_REPO, Path.cwd()):
        p = (base / ".." / "shared" / "benchmarks" / "curtois").resolve()
        if p.is_dir():
            return p
    return (_REPO / ".." / "shared" / "benchmarks" / "curtois").resolve()


def _num(x: float | None, fmt: str = "{:,}") -> str:
    return "—" if x is None else fmt.format(x)


@bench_app.command("curtois")
def bench_curtois(
    instances: Annotated[
        str, typer.Option("--instances", help="e.g. 1-12 or 1,3,5 (numbers 1–24)")
    ] = "1-24",
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=1.0, help="seconds per instance")
    ] = 60.0,
    workers: Annotated[int, typer.Option("--workers", min=1, help="CP-SAT workers")] = 2,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON list instead")] = False,
    folder: Annotated[
        Path | None,
        typer.Option(
            "--dir",
            help="folder of Instance1.txt … and BEST_KNOWN.md "
            "[default: ../shared/benchmarks/curtois next to the repository]",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Solve Curtois–Qu instances with Sunroster's engine (each instance as a scenario,
    optimizer/bench/curtois/adapter.py); per instance the best-known value, ours, the gap,
    our bound and the time to our best roster (each roster re-checked independently)."""
    from optimizer.bench.curtois.run import Record, parse_selection, run_instances

    try:
        numbers = parse_selection(instances)
    except ValueError as exc:
        err_console.print(f"[bold red]error:[/] --instances: {exc}")
        raise typer.Exit(EXIT_INPUT) from None
    folder = default_dir() if folder is None else folder
    missing = [n for n in numbers if not (folder / f"Instance{n}.txt").is_file()]
    if missing:
        err_console.print(
            f"[bold red]error:[/] {folder}: no file for instance(s) "
            f"{', '.join(map(str, missing))} (want InstanceN.txt; see --dir)"
        )
        raise typer.Exit(EXIT_INPUT)

    def progress(r: Record) -> None:
        if not as_json:
            gap = "—" if r.gap is None else f"{r.gap:.2%}"
            err_console.print(
                f"{r.instance}: {_num(r.objective)} (best known {_num(r.best_known)}, "
                f"gap {gap}, bound {_num(r.bound)}, {r.status})",
                highlight=False,
            )

    try:
        records = guarded(
            lambda: run_instances(folder, numbers, time_limit, workers, seed, on_record=progress)
        )
    except ValueError as exc:  # a malformed instance file: file and line in the message
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(EXIT_INPUT) from None

    if as_json:
        print(json.dumps([r.as_dict() for r in records], indent=1))
        return
    table = Table(title=f"Curtois–Qu benchmark ({time_limit:g} s, {workers} workers, seed {seed})")
    for col in ("instance", "best known", "ours", "gap %", "bound", "s to best", "status"):
        table.add_column(col, justify="left" if col in ("instance", "status") else "right")
    for r in records:
        table.add_row(
            r.instance,
            _num(r.best_known),
            _num(r.objective),
            "—" if r.gap is None else f"{100 * r.gap:.2f}",
            _num(r.bound),
            _num(r.seconds, "{:.1f}"),
            r.status,
        )
    console.print(table)
