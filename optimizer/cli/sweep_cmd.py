"""`sunroster sweep` (a grid of what-ifs on Ray, into the run store, with the
cost-vs-service-level frontier), `sunroster montecarlo` (service-level
distribution of a fixed roster) and `sunroster hire` (the smallest hiring plan)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from optimizer.cli.common import (
    EXIT_INPUT,
    EXIT_NOT_ALL_GOOD,
    app,
    console,
    err_console,
    input_errors,
    load,
)
from optimizer.cli.extras import require
from optimizer.cli.runs_cmd import StoreOpt, open_store


def _pct(x: Any) -> str:
    return "—" if x is None or x != x else f"{x:.1%}"


def _point(p: dict[str, str]) -> str:
    return " ".join(f"{k}={v}" for k, v in p.items()) or "(base)"


@app.command()
def sweep(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file", show_default=False)],
    vary: Annotated[
        list[str],
        typer.Option(
            "--vary",
            help="a lever and its values: KEY=FROM..TO:STEP (volume=-10%..+20%:5%), "
            "KEY=V1,V2 or KEY=V, list items may be ranges "
            "(rules.start_band_hours=off,2..6:2); repeat for a grid",
            show_default=False,
        ),
    ],
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=1.0, help="seconds per solve")
    ] = 30.0,
    gap: Annotated[
        float, typer.Option("--gap", min=0.0, help="stop each solve at this gap")
    ] = 0.01,
    seed: Annotated[int, typer.Option("--seed", help="base seed (each point derives its own)")] = 0,
    workers_per_solve: Annotated[
        int, typer.Option("--workers-per-solve", min=1, help="CP-SAT workers per solve")
    ] = 1,
    parallel: Annotated[
        int, typer.Option("--parallel", min=1, help="local Ray CPUs (solves at once × workers)")
    ] = 2,
    ray_address: Annotated[
        str | None,
        typer.Option("--ray-address", help="an existing Ray cluster (default: local Ray)"),
    ] = None,
    sequential: Annotated[
        bool, typer.Option("--sequential", help="one solve after another, without Ray")
    ] = False,
    store: StoreOpt = None,
    sweep_id: Annotated[
        str | None,
        typer.Option(
            "--sweep-id",
            help="record under this id (default: derived from scenario, grid and parameters)",
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=1, help="solve at most N of the remaining points now"),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="folder for frontier.html/png and sweep.csv"),
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="print the sweep's report as JSON")
    ] = False,
) -> None:
    """Solve the grid of what-ifs in parallel (resuming a sweep already started) and draw the frontier."""
    require("store", "a sweep (its points are stored)")
    if not sequential:
        require("sweep", "a sweep on Ray (--sequential solves without it)", ("ray",))
    from optimizer.sweep.grid import GridError, grid_points, parse_vary
    from optimizer.sweep.runner import SweepParams, run_sweep

    sc = load(scenario, quiet=json_out)
    try:
        points = grid_points([parse_vary(v) for v in vary])
    except GridError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(EXIT_INPUT) from None
    from optimizer.whatif import WhatIf, apply

    for p in points:  # a bad reference (no such site, currency) fails now, not in a worker
        try:
            apply(sc, WhatIf.from_pairs(p))
        except ValueError as exc:
            err_console.print(f"[bold red]error:[/] point {_point(p)}: {exc}")
            raise typer.Exit(EXIT_INPUT) from None
    params = SweepParams(
        time_limit=time_limit, workers_per_solve=workers_per_solve, gap=gap, seed=seed
    )
    st = open_store(store)
    n = len(points)
    count = {"k": 0}

    def done(
        p: dict[str, str], rid: int | None, summary: dict[str, Any] | None, err: str | None
    ) -> None:
        count["k"] += 1
        if json_out:
            return
        if rid is None:
            err_console.print(f"[{count['k']}] [red]failed[/] {_point(p)}: {err}", highlight=False)
            return
        s = summary or {}
        sl = s.get("service_level_by_tier") or {}
        sls = " ".join(f"{t} {_pct(v)}" for t, v in sl.items() if v is not None)
        err_console.print(
            f"[{count['k']}] {_point(p)} → run #{rid} {s.get('status')} cost {s.get('cost_reporting_currency', 0):,.0f} "
            f"{sc.currency}, SL {sls}, {s.get('solve_seconds', 0):.1f} s",
            highlight=False,
        )

    with st:
        from optimizer.sweep.runner import plan

        sid, todo, _ = plan(sc, points, params, st, sweep_id)
        if not json_out:
            mode = (
                "sequential"
                if sequential
                else (f"Ray at {ray_address}" if ray_address else f"local Ray, {parallel} CPUs")
            )
            err_console.print(
                f"sweep {sid}: {n} point(s), {n - len(todo)} already stored, "
                f"{min(len(todo), limit or len(todo))} to solve ({mode}, {time_limit:g} s each)"
            )
        try:
            report = run_sweep(
                sc, points, params, st, parallel=parallel, sequential=sequential,
                ray_address=ray_address, sid=sid, scenario_path=str(scenario.resolve()),
                on_done=done, limit=limit,
            )  # fmt: skip
        except KeyboardInterrupt:
            err_console.print(
                "[yellow]interrupted[/]: finished points are stored; rerun the same command to resume"
            )
            raise typer.Exit(130) from None
        outdir = output or Path("out") / f"sweep-{sid}"
        from optimizer.sweep.frontier import write_frontier

        frame, files, note = write_frontier(
            st, sid, outdir, f"{sc.scenario}: cost vs service level (sweep {sid})", sc.currency
        )
    result = {
        "sweep_id": sid, "points": n, "skipped": report.skipped, "solved": report.solved,
        "failed": [{"point": p, "error": e} for p, e in report.failed],
        "seconds": round(report.seconds, 2), "solves_per_minute": round(report.solves_per_minute, 2),
        "mode": report.mode, "run_ids": report.run_ids, "files": [str(f) for f in files], "note": note,
    }  # fmt: skip
    if json_out:
        print(json.dumps(result, indent=2))
    else:
        t = Table(title=f"Sweep {sid}: frontier first", title_justify="left", header_style="bold")
        for c in ("run", "point", "cost", "SL (all)", "frontier", "status", "gap"):
            t.add_column(c, justify="left" if c in ("point", "status") else "right")
        if not frame.empty:
            for r in frame.sort_values(["frontier", "cost"], ascending=[False, True]).itertuples():
                t.add_row(f"#{r.run_id}", r.point, f"{r.cost:,.0f}", _pct(r.service_level),
                          "●" if r.frontier else "", r.status, _pct(r.gap))  # fmt: skip
        console.print(t)
        console.print(
            f"{report.solved} solved, {report.skipped} already stored, {len(report.failed)} failed "
            f"in {report.seconds:.1f} s ({report.solves_per_minute:.1f} solves/min, {report.mode})"
        )
        for f in files:
            console.print(f"wrote {f}")
        if note:
            console.print(f"[yellow]note:[/] {note}")
    if report.failed:
        raise typer.Exit(EXIT_NOT_ALL_GOOD)


@app.command()
def montecarlo(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file", show_default=False)],
    roster_dir: Annotated[
        Path,
        typer.Argument(help="folder holding roster.csv (the fixed roster)", show_default=False),
    ],
    paths: Annotated[int, typer.Option("--paths", min=1, help="demand paths to draw")] = 1000,
    cv: Annotated[
        float,
        typer.Option("--cv", min=0.0, help="coefficient of variation of each interval's volume"),
    ] = 0.1,
    poisson: Annotated[
        bool,
        typer.Option("--poisson/--no-poisson", help="Poisson arrivals on top of the volume noise"),
    ] = False,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    json_out: Annotated[
        bool, typer.Option("--json", help="print the distribution as JSON")
    ] = False,
) -> None:
    """Service-level distribution per tier of a fixed roster over random demand paths around the forecast."""
    from optimizer.roster import Roster
    from optimizer.scenario.errors import IssueLog
    from optimizer.sweep.montecarlo import simulate

    sc = load(scenario, quiet=json_out)
    with input_errors("roster"):
        log = IssueLog()
        roster = Roster.read_csv(roster_dir / "roster.csv", log)
        log.raise_if_any()
    res = simulate(sc, roster, paths=paths, cv=cv, seed=seed, poisson=poisson)
    table = res.table()
    if json_out:
        print(table.to_json(orient="records", indent=2))
        return
    t = Table(
        title=f"Service level over {paths} demand paths (cv {cv:g}{', Poisson' if poisson else ''}, seed {seed})",
        title_justify="left", header_style="bold",
    )  # fmt: skip
    for c in ("tier", "target", "forecast", "mean", "p5", "p50", "p95", "P(≥ target)"):
        t.add_column(c, justify="left" if c == "tier" else "right")
    for r in table.itertuples():
        t.add_row(r.tier, _pct(r.target), _pct(r.deterministic), _pct(r.mean), _pct(r.p5), _pct(r.p50),
                  _pct(r.p95), _pct(r.p_meet))  # fmt: skip
    console.print(t)


@app.command()
def hire(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file", show_default=False)],
    sites: Annotated[
        str | None,
        typer.Option("--sites", help="comma-separated site ids to hire at (default: all)"),
    ] = None,
    languages: Annotated[
        str | None,
        typer.Option("--languages", help="comma-separated languages (default: every short one)"),
    ] = None,
    max_hires: Annotated[
        int, typer.Option("--max", min=1, help="at most this many hires per site and language")
    ] = 20,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=1.0, help="seconds per verification solve")
    ] = 30.0,
    workers: Annotated[int, typer.Option("--workers", min=1, help="CP-SAT workers")] = 2,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    max_verify: Annotated[
        int, typer.Option("--max-verify", min=1, help="at most this many verification solves")
    ] = 8,
    store: StoreOpt = None,
    no_store: Annotated[
        bool, typer.Option("--no-store", help="do not record the verification solves")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="print the plan as JSON")] = False,
) -> None:
    """The smallest hiring plan (site × language × count) that meets every tier's SLA at least cost.

    Exit 1 when no plan is found (or none within --max-verify solves meets every SLA), 2 on bad
    input."""
    from optimizer.sweep.hiring import HiringInputError, NoHiringPlan, recommend

    if not no_store:
        require("store", "recording the verification solves (--no-store skips it)")
    sc = load(scenario, quiet=json_out)
    st = None if no_store else open_store(store)

    def say(msg: str) -> None:
        if not json_out:
            err_console.print(msg, highlight=False)

    try:
        plan = recommend(
            sc, sites=sites.split(",") if sites else None, languages=languages.split(",") if languages else None,
            max_per_candidate=max_hires, time_limit=time_limit, workers=workers, seed=seed,
            max_verify=max_verify, store=st, scenario_path=str(scenario.resolve()), log=say,
        )  # fmt: skip
    except HiringInputError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
    except NoHiringPlan as exc:
        if json_out:
            print(json.dumps({"meets_every_sla": False, "hires": [], "error": str(exc)}, indent=2))
        err_console.print(f"[bold red]no hiring plan:[/] {exc}", highlight=False)
        raise typer.Exit(EXIT_NOT_ALL_GOOD) from None
    finally:
        if st is not None:
            st.close()
    if json_out:
        print(json.dumps(plan.to_dict(), indent=2))
    else:
        t = Table(title="Hiring plan", title_justify="left", header_style="bold")
        for c in ("site", "language", "hires"):
            t.add_column(c, justify="right" if c == "hires" else "left")
        for (site, lang), k in sorted(plan.hires.items()):
            t.add_row(site, lang, str(k))
        console.print(t)
        console.print(plan.text(), highlight=False)
    if not plan.meets:
        raise typer.Exit(EXIT_NOT_ALL_GOOD)
