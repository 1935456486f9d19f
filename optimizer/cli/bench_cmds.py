"""`sunroster bench …`: the benchmarks, and BENCHMARKS.md from them.

`bench solve` measures one scenario (time to the first roster, objective,
bound, gap, peak memory); `bench scale` writes synthetic scenarios of growing
size and measures each in its own process, so peak memory is per size.
`bench curtois` (the published benchmark) lives in `bench_curtois_cmd.py`.
`bench report` reruns chosen sections and renders BENCHMARKS.md from every
section's stored record (`optimizer.bench.report`).
"""

from __future__ import annotations

import json
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer

from optimizer.cli.common import (
    EXIT_INPUT,
    EXIT_NOT_ALL_GOOD,
    app,
    console,
    err_console,
    load,
)
from optimizer.solve.stop import ProgressEvent, StopCriteria

bench_app = typer.Typer(
    help="Benchmarks: solver scaling and the Curtois–Qu instances.", no_args_is_help=True
)
app.add_typer(bench_app, name="bench")


def _peak_mib() -> float:
    """Peak resident memory of this process plus that of its largest child
    (the bound's process on large problems): an upper bound of the peak
    the two had together."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + child) / 1024.0


@bench_app.command("solve")
def bench_solve(
    scenario: Annotated[Path, typer.Argument(show_default=False)],
    time_limit: Annotated[float, typer.Option("--time-limit")] = 300.0,
    workers: Annotated[int, typer.Option("--workers")] = 2,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    gap: Annotated[float, typer.Option("--gap")] = 0.0,
    trace: Annotated[
        bool, typer.Option("--trace", help="Print each progress event to stderr as a JSON line.")
    ] = False,
) -> None:
    """Solve one scenario and print its figures as JSON."""
    from optimizer.pipeline import prepare, run

    t0 = time.monotonic()
    sc = load(scenario, quiet=True)
    prep = prepare(sc)
    prep_s = time.monotonic() - t0

    def progress(e: ProgressEvent) -> None:
        if trace:
            line = {"t": round(e.elapsed, 1), "phase": e.phase, "objective": e.objective}
            line |= {"bound": e.bound, "message": e.message}
            print(json.dumps(line), file=sys.stderr, flush=True)

    stop = StopCriteria(time_limit=time_limit, gap=gap, workers=workers)
    out = run(prep, stop, seed=seed, progress=progress)
    r = out.result
    print(
        json.dumps(
            {
                "scenario": sc.scenario,
                "agents": len(sc.agents),
                "queues": len(sc.queues),
                "intervals": prep.grid.n,
                "status": r.status,
                "prepare_seconds": round(prep_s, 2),
                "first_feasible_seconds": r.first_feasible_seconds,
                "solve_seconds": round(r.solve_seconds, 2),
                "objective": r.objective,
                "bound": r.bound,
                "bound_method": r.bound_method,
                "gap": r.gap,
                "peak_mib": round(_peak_mib(), 1),
                "time_limit": time_limit,
                "workers": workers,
                "stats": r.stats,
            }
        )
    )


@bench_app.command("passes")
def bench_passes(
    scenario: Annotated[Path, typer.Argument(show_default=False)],
    passes: Annotated[int, typer.Option("--passes")] = 4,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """Agent passes from one constructed roster, side by side: each agent
    valued on its own queues only, then through chains of colleagues. One
    JSON line per pass (objective, seconds); the objectives do not depend
    on the machine, the seconds do."""
    from optimizer.pipeline import prepare
    from optimizer.solve.construct import agent_order, construct
    from optimizer.solve.improve import Replanning, reoptimise_agents
    from optimizer.solve.model import CandidateIndex
    from optimizer.solve.problem import build_problem
    from optimizer.solve.state import evaluate, fairness_targets

    prep = prepare(load(scenario, quiet=True))
    p = build_problem(prep.scenario, prep.requirements, prep.calendars)
    cands = CandidateIndex(p, nominal_only=True)
    built = construct(p, cands, StopCriteria(time_limit=3600), seed)
    if not built.complete:
        console.print("[red]no first roster[/]: some agents have no schedule")
        raise typer.Exit(3)
    start = built.state
    target = fairness_targets(p, start)
    for chains in (False, True):
        state, best = start, evaluate(p, start, target)
        order = [int(a) for a in agent_order(p)][::-1]
        t0 = time.monotonic()
        for k in range(passes):
            ctx = Replanning(p, cands, StopCriteria(time_limit=3600), target, chains=chains)
            state, best, n = reoptimise_agents(ctx, state, best, order, seed + k)
            order = order[1:] + order[:1]  # a different order each pass, the same for both
            line = {"chains": chains, "pass": k + 1, "objective": round(best.total, 2)}
            line |= {"changed": n, "seconds": round(time.monotonic() - t0, 1)}
            print(json.dumps(line), flush=True)


@bench_app.command("scale")
def bench_scale(
    agents: Annotated[
        str, typer.Option("--agents", help="comma-separated sizes")
    ] = "100,400,1000,2000",
    time_limit: Annotated[float, typer.Option("--time-limit")] = 300.0,
    workers: Annotated[int, typer.Option("--workers")] = 2,
    days: Annotated[int, typer.Option("--days")] = 28,
    markdown: Annotated[
        Path | None, typer.Option("--markdown", help="append the table to this file")
    ] = None,
) -> None:
    """Synthetic scenarios of each size, each solved in its own process."""
    from optimizer.bench.report.base import SectionFailed
    from optimizer.bench.report.solver import scale_row

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in agents.split(",")):
            try:
                rows.append(scale_row(n, time_limit, workers, Path(tmp), days=days))
            except SectionFailed as exc:
                console.print(f"[red]size {n} failed[/]: {exc}")
                continue
            console.print(rows[-1])
    table = [
        "| agents | queues | intervals | first roster (s) | objective | bound | gap | peak memory (MiB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        gap = "—" if r["gap"] is None else f"{r['gap']:.2%}"
        bound = "none in time" if r["bound"] is None else f"{r['bound']:,.0f}"
        objective = "—" if r["objective"] is None else f"{r['objective']:,.0f}"
        table.append(
            f"| {r['agents']} | {r['queues']} | {r['intervals']} | {r['first_feasible_seconds']} | "
            f"{objective} | {bound} | {gap} | {r['peak_mib']:,.0f} |"
        )
    text = "\n".join(table)
    console.print(text)
    if markdown is not None:
        with markdown.open("a", encoding="utf-8") as f:
            f.write(f"\n<!-- {platform.node()} {time.strftime('%Y-%m-%d')} -->\n{text}\n")


@bench_app.command("workability")
def bench_workability(
    scenario: Annotated[Path, typer.Argument(show_default=False)],
    time_limit: Annotated[float, typer.Option("--time-limit")] = 300.0,
    workers: Annotated[int, typer.Option("--workers")] = 2,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    markdown: Annotated[
        Path | None, typer.Option("--markdown", help="append the table to this file")
    ] = None,
) -> None:
    """The price of workability: the scenario solved with the v1 rules, with
    each v1.1 workability rule alone and with all of them, one after the
    other (one JSON line each, then the table)."""
    from optimizer.bench import workability

    sc = load(scenario, quiet=True)
    if not workability.sets_any(sc):
        console.print("[red]the scenario sets no v1.1 workability rule[/]: nothing to price")
        raise typer.Exit(2)
    first: list[workability.Priced] = []

    def show(p: workability.Priced) -> None:
        first.append(p)
        print(json.dumps(p.row(first[0]), default=str), flush=True)

    rows = workability.price_of_workability(
        sc,
        lambda: StopCriteria(time_limit=time_limit, gap=0.0, workers=workers),
        seed,
        on_variant=show,
    )
    text = workability.markdown(rows)
    console.print(text)
    if markdown is not None:
        head = f"\n<!-- {platform.node()} {time.strftime('%Y-%m-%d')} -->\n"
        with markdown.open("a", encoding="utf-8") as f:
            f.write(f"{head}{text}\n")


@bench_app.command("report")
def bench_report(
    sections: Annotated[
        str,
        typer.Option(
            "--sections",
            help="sections to rerun, comma-separated (solve, scale, workability, curtois-product, "
            "staffing, sweep, dashboard, exports, packaging), 'all', or 'none' to re-render "
            "BENCHMARKS.md from the stored records only",
        ),
    ] = "all",
    results: Annotated[Path, typer.Option("--results", help="folder of the stored records")] = Path(
        "bench/results"
    ),
    output: Annotated[Path, typer.Option("--output", "-o", help="the file to write")] = Path(
        "BENCHMARKS.md"
    ),
    scenario: Annotated[
        Path, typer.Option("--scenario", help="the scenario of solve, workability, dashboard…")
    ] = Path("scenarios/global-baseline.yaml"),
    workers: Annotated[int, typer.Option("--workers", min=1)] = 2,
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            min=1.0,
            help="one limit for every solve instead of each section's own (a quick try)",
        ),
    ] = None,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="the scenario's solved outputs the dashboard and exports sections use "
            "(solved at 60 s with 1 worker if missing)",
        ),
    ] = Path("out/baseline"),
    curtois_dir: Annotated[
        Path | None, typer.Option("--curtois-dir", help="folder of the Curtois–Qu instances")
    ] = None,
    curtois_groups: Annotated[
        str | None,
        typer.Option(
            "--curtois-groups",
            help="rerun only these of the Curtois section's groups (1-12, 13-19, 20-24), "
            "comma-separated; the others' runs are kept from the stored record",
        ),
    ] = None,
    pyworkforce_python: Annotated[
        str | None,
        typer.Option(
            "--pyworkforce-python",
            envvar="SUNROSTER_PYWORKFORCE_PYTHON",
            help="interpreter of a venv with pyworkforce (the staffing section)",
        ),
    ] = None,
) -> None:
    """Rerun benchmark sections and write BENCHMARKS.md from every stored record.

    Each section's figures are stored in RESULTS/<section>.json as soon as it
    ends, with the machine, date, commit and commands; the others are
    re-rendered from their records. Exit 1 if a section failed."""
    from optimizer.bench.report.base import Settings
    from optimizer.bench.report.build import choose, report
    from optimizer.bench.report.curtois import parse_groups
    from optimizer.bench.report.record import RecordError

    try:
        names = choose(sections)
    except ValueError as exc:
        err_console.print(f"[bold red]error:[/] --sections: {exc}", highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
    groups = None
    if curtois_groups is not None:
        try:
            groups = parse_groups(curtois_groups)
        except ValueError as exc:
            err_console.print(f"[bold red]error:[/] --curtois-groups: {exc}", highlight=False)
            raise typer.Exit(EXIT_INPUT) from None
    settings = Settings(
        scenario=scenario,
        workers=workers,
        time_limit=time_limit,
        out=out,
        curtois_dir=curtois_dir,
        curtois_groups=groups,
        pyworkforce_python=pyworkforce_python,
    )
    try:
        done = report(
            names, settings, results, output, say=lambda m: err_console.print(m, highlight=False)
        )
    except RecordError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
    console.print(f"wrote {output} ({len(done.ran)} section(s) rerun)", highlight=False)
    if done.failed:
        raise typer.Exit(EXIT_NOT_ALL_GOOD)
