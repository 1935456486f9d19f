"""`sunroster solve`: build a roster, show the search live, write the files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from optimizer.cli.common import (
    EXIT_INFEASIBLE,
    EXIT_INPUT,
    EXIT_NOT_ALL_GOOD,
    app,
    console,
    err_console,
    interrupted,
    load,
    output_dir,
    run_cancellable,
    scenario_inputs,
)
from optimizer.cli.extras import install_hint, missing, require

if TYPE_CHECKING:
    from rich.table import Table

    from optimizer.pipeline import RunOutput
    from optimizer.solve.stop import ProgressEvent

CONFLICTS_SHOWN = 20  # agents listed when no roster was found; the rest are counted


def _fmt(x: float | None, pct: bool = False) -> str:
    if x is None:
        return "—"
    return f"{x:.2%}" if pct else f"{x:,.2f}"


class LiveProgress:
    """A Progress callback drawing phase, best objective, bound and gap."""

    def __init__(self) -> None:
        from rich.live import Live

        from optimizer.solve.stop import ProgressEvent

        self.last = ProgressEvent("start", 0.0)
        self.live = Live(self._render(), console=err_console, refresh_per_second=4, transient=False)

    def _render(self) -> Table:
        from rich.table import Table

        e = self.last
        t = Table.grid(padding=(0, 2))
        t.add_row(
            f"[bold]{e.phase}[/]",
            f"{e.elapsed:6.1f} s",
            f"best {_fmt(e.objective)}",
            f"bound {_fmt(e.bound)}",
            f"gap {_fmt(e.gap, pct=True)}",
            e.message,
        )
        return t

    def __call__(self, event: ProgressEvent) -> None:
        self.last = event
        self.live.update(self._render())


def record_run(out: RunOutput, store: str | None, quiet: bool = False, **info: object) -> int:
    """Record a solve in the run store; its id. The files are already written: a
    store problem says so on stderr and exits 1 (it never passes as recorded)."""
    try:
        from optimizer.store import RunStore

        with RunStore(store) as st:
            run_id = st.save(out, **info)  # type: ignore[arg-type]
    except Exception as exc:
        err_console.print(
            f"[bold red]error:[/] the run was NOT recorded in the store (the files are written): {exc}"
        )
        raise typer.Exit(EXIT_NOT_ALL_GOOD) from None
    if not quiet:
        console.print(f"recorded as run {run_id} (sunroster runs show {run_id})")
    return run_id


def store_wanted(store: str | None, no_store: bool) -> bool:
    """Whether a solve records its run. Without the [store] extra a run asked for
    by `--store` or $SUNROSTER_DB_URL is bad input (exit 2); the default store is
    skipped with a note, as the solve needs no store."""
    from optimizer.store import ENV_URL

    if no_store:
        return False
    if not missing("store"):
        return True
    if store is not None or os.environ.get(ENV_URL, "").strip():
        require("store", "recording the run (--store or $" + ENV_URL + ")")
    err_console.print(
        "note: the run is not recorded: the run store needs the [store] extra "
        f"({install_hint('store')}); --no-store leaves this note out",
        markup=False,
        highlight=False,
    )
    return False


def check_store(store: str | None) -> None:
    """Exit 2 before solving if `--store` cannot name a store (in-memory, garbled)."""
    from optimizer.store import StoreURLError, resolve_url

    try:
        resolve_url(store)
    except StoreURLError as exc:
        err_console.print(f"[bold red]error:[/] --store: {exc}", highlight=False)
        raise typer.Exit(EXIT_INPUT) from None


@app.command()
def solve(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file", show_default=False)],
    output: Annotated[
        Path,
        typer.Option(
            "-o", "--output", help="output folder (roster.csv, coverage.csv, summary.json)"
        ),
    ],
    time_limit: Annotated[float, typer.Option("--time-limit", min=1.0, help="seconds")] = 120.0,
    gap: Annotated[float, typer.Option("--gap", min=0.0, help="stop at this relative gap")] = 0.01,
    workers: Annotated[int, typer.Option("--workers", min=1, help="CP-SAT workers")] = 2,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", help="no live progress")] = False,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="record the run here: SQLite file or SQLAlchemy URL "
            "(default: $SUNROSTER_DB_URL, else the user data folder)",
            show_default=False,
        ),
    ] = None,
    no_store: Annotated[bool, typer.Option("--no-store", help="do not record the run")] = False,
    json_out: Annotated[
        bool, typer.Option("--json", help="print summary.json (and the run id) as JSON")
    ] = False,
) -> None:
    """Solve a scenario and write roster.csv, coverage.csv and summary.json atomically."""
    from optimizer.cli.kpi_view import kpi_tables
    from optimizer.cli.quality_view import print_quality
    from optimizer.pipeline import prepare, run, write_outputs
    from optimizer.solve.result import INFEASIBLE
    from optimizer.solve.stop import StopCriteria

    sc = load(scenario, quiet=json_out)
    output_dir(output, scenario_inputs(scenario))  # exit 2: -o would overwrite an input
    record = store_wanted(store, no_store)
    if record:
        check_store(store)
    prep = prepare(sc)
    stop = StopCriteria(time_limit=time_limit, gap=gap, workers=workers)
    display = None if quiet or json_out or not err_console.is_terminal else LiveProgress()
    try:
        if display is not None:
            with display.live:
                out = run_cancellable(
                    lambda: run(prep, stop, seed=seed, progress=display), stop.cancel
                )
        else:
            out = run_cancellable(lambda: run(prep, stop, seed=seed), stop.cancel)
    except KeyboardInterrupt:
        raise interrupted(f"nothing was written, {output} is as it was") from None
    res = out.result
    if res.roster.segments.empty and res.conflicts:
        what = (
            "these hard rules cannot all hold"
            if res.status == INFEASIBLE
            else "no complete roster was found"
        )
        err_console.print(f"[bold red]{res.status.lower()}:[/] {what}:")
        for c in res.conflicts[:CONFLICTS_SHOWN]:
            err_console.print(f"  {c}", markup=False, highlight=False)
        if len(res.conflicts) > CONFLICTS_SHOWN:
            err_console.print(f"  … and {len(res.conflicts) - CONFLICTS_SHOWN} more agents")
        err_console.print("no roster was written")
        raise typer.Exit(EXIT_INFEASIBLE)
    write_outputs(output, out)
    params = {"time_limit": time_limit, "gap": gap, "workers": workers, "seed": seed}
    if json_out:
        run_id = None
        if record:
            run_id = record_run(out, store, quiet=True, params=params,
                                scenario_path=str(scenario.resolve()))  # fmt: skip
        files = [str(output / name) for name in ("roster.csv", "coverage.csv", "summary.json")]
        print(json.dumps({**out.summary(), "files": files, "run_id": run_id}, indent=2))
        return
    console.print(
        f"[bold green]{res.status}[/] objective {_fmt(res.objective)} {sc.currency}, bound {_fmt(res.bound)} "
        f"({res.bound_method}), gap {_fmt(res.gap, pct=True)}, {res.solve_seconds:.1f} s "
        f"(first roster {res.first_feasible_seconds:.1f} s), {res.switches} queue switches"
    )
    for table in kpi_tables(out.kpis):
        console.print(table)
    print_quality(console, out.kpis.quality)
    console.print(f"wrote {output}/roster.csv, coverage.csv, summary.json")
    if record:
        record_run(out, store, params=params, scenario_path=str(scenario.resolve()))
