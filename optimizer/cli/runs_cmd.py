"""`sunroster runs list|show|compare|delete`: the run store from the terminal."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from optimizer.cli.common import EXIT_INPUT, app, console, err_console
from optimizer.cli.extras import require

if TYPE_CHECKING:  # the store comes with the [store] extra
    from optimizer.store import RunRecord, RunStore

runs_app = typer.Typer(
    help="Stored runs: list, show, compare and delete (SQLite by default, $SUNROSTER_DB_URL for PostgreSQL).",
    no_args_is_help=True,
)
app.add_typer(runs_app, name="runs")

StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="run store: an SQLite file path or an SQLAlchemy URL "
        "(default: $SUNROSTER_DB_URL, else runs.sqlite in the user data folder)",
        show_default=False,
    ),
]


def open_store(store: str | None) -> RunStore:
    """Open the run store for a command; an unusable store (or no [store] extra)
    is bad input (exit 2)."""
    require("store", "the run store")
    from optimizer.store import RunStore

    try:
        return RunStore(store)
    except Exception as exc:  # a bad URL, a missing driver, a server that is down
        err_console.print(f"[bold red]error:[/] cannot open the run store {store or ''}: {exc}")
        raise typer.Exit(EXIT_INPUT) from None


def _num(x: float | None, fmt: str = ",.2f") -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, fmt)


def _overrides(r: RunRecord) -> str:
    return " ".join(f"{k}={v}" for k, v in r.overrides.items()) or "(base)"


@runs_app.command("list")
def list_cmd(
    store: StoreOpt = None,
    scenario: Annotated[
        str | None, typer.Option("--scenario", help="only this scenario (name)")
    ] = None,
    sweep: Annotated[str | None, typer.Option("--sweep-id", help="only this sweep")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="print a JSON list")] = False,
) -> None:
    """Stored runs, newest first."""
    with open_store(store) as st:
        runs = st.list_runs(scenario=scenario, sweep_id=sweep)
    if json_out:
        print(json.dumps([r.to_dict() for r in runs], indent=2))
        return
    t = Table(header_style="bold", title=f"{len(runs)} run(s)", title_justify="left")
    sweeps = any(r.sweep_id for r in runs)
    cols = ["id", "created (UTC)", "scenario", "name", "overrides", "status", "objective", "gap"]
    cols += ["cost", "under-cover h", *(["sweep"] if sweeps else [])]
    for c in cols:
        right = c in ("id", "objective", "gap", "cost", "under-cover h")
        t.add_column(c, justify="right" if right else "left", no_wrap=c in ("id", "status"))
    for r in runs:
        t.add_row(
            str(r.id),
            r.created_at.strftime("%Y-%m-%d %H:%M"),
            r.scenario,
            r.name or "",
            _overrides(r),
            r.status,
            _num(r.objective),
            _num(r.gap, ".2%"),
            _num(r.cost_reporting_currency),
            _num(r.under_cover_agent_hours, ",.1f"),
            *([(r.sweep_id or "")[:8]] if sweeps else []),
        )
    console.print(t)


def _get(st: RunStore, run_id: int):  # type: ignore[no-untyped-def]
    try:
        return st.get(run_id)
    except KeyError:
        err_console.print(f"[bold red]error:[/] no run {run_id} in {st!r}")
        raise typer.Exit(EXIT_INPUT) from None


@runs_app.command("show")
def show_cmd(
    run_id: Annotated[int, typer.Argument(help="run id (see `runs list`)", show_default=False)],
    store: StoreOpt = None,
    json_out: Annotated[bool, typer.Option("--json", help="record and summary as JSON")] = False,
) -> None:
    """One run: what was solved, with which levers, and its KPIs."""
    with open_store(store) as st:
        run = _get(st, run_id)
        timings = st.timings(run_id)
    r = run.record
    if json_out:
        print(json.dumps({**r.to_dict(), "timings": timings, "summary": run.summary,
                          "roster_rows": len(run.roster), "coverage_rows": len(run.coverage)}, indent=2))  # fmt: skip
        return
    s = run.summary
    head = Table.grid(padding=(0, 2))
    rows: list[tuple[str, Any]] = [
        ("run", f"#{r.id} {r.name or ''}"),
        ("created", r.created_at.isoformat()),
        ("scenario", f"{r.scenario} (sha256 {r.scenario_hash[:12]}…)"),
        ("overrides", _overrides(r)),
        ("params", " ".join(f"{k}={v}" for k, v in r.params.items()) or "—"),
        ("status", r.status),
        (
            "objective",
            f"{_num(r.objective)}, bound {_num(r.bound)} ({s.get('bound_method', '')}), gap {_num(r.gap, '.2%')}",
        ),
        ("cost", f"{_num(r.cost_reporting_currency)} (reporting currency)"),
        ("under-cover", f"{_num(r.under_cover_agent_hours, ',.1f')} agent-hours"),
        ("solve", f"{_num(r.solve_seconds, '.1f')} s"),
        ("roster", f"{len(run.roster)} segments, {s.get('shifts', '—')} shifts"),
        ("sweep", r.sweep_id or "—"),
    ]
    for k, v in rows:
        head.add_row(f"[bold]{k}[/]", str(v))
    console.print(head)
    t = Table(title="Service level by tier", title_justify="left", header_style="bold")
    for c in ("tier", "achieved", "target", "under-cover agent-h"):
        t.add_column(c, justify="left" if c == "tier" else "right")
    targets = s.get("service_level_target_by_tier") or {}
    under = s.get("under_cover_agent_hours") or {}
    for tier, sl in (s.get("service_level_by_tier") or {}).items():
        t.add_row(
            tier, _num(sl, ".1%"), _num(targets.get(tier), ".1%"), _num(under.get(tier), ",.1f")
        )
    console.print(t)


def _cell(v: float, pct: bool, delta: bool) -> str:
    if math.isnan(v):
        return "—"
    if pct:
        return f"{v * 100:+.2f} pp" if delta else f"{v * 100:.2f} %"
    return f"{v:+,.2f}" if delta else f"{v:,.2f}"


@runs_app.command("compare")
def compare_cmd(
    run_ids: Annotated[list[int], typer.Argument(help="two or more run ids", show_default=False)],
    store: StoreOpt = None,
    json_out: Annotated[bool, typer.Option("--json", help="metrics × runs as JSON")] = False,
) -> None:
    """KPIs and costs of runs side by side, with deltas against the first."""
    from optimizer.store.compare import compare_frame, is_share

    if len(run_ids) < 2:
        err_console.print("[bold red]error:[/] compare needs at least two run ids")
        raise typer.Exit(EXIT_INPUT)
    with open_store(store) as st:
        runs = [_get(st, i) for i in run_ids]
    frame = compare_frame([(r.record.id, r.summary) for r in runs])
    if json_out:
        print(frame.reset_index().to_json(orient="records", indent=2))
        return
    t = Table(
        header_style="bold", title="Runs compared (Δ against the first)", title_justify="left"
    )
    t.add_column("metric")
    for c in frame.columns:
        t.add_column(str(c), justify="right")
    for metric, row in frame.iterrows():
        pct = is_share(str(metric))
        t.add_row(str(metric), *(_cell(v, pct, str(col).startswith("Δ")) for col, v in row.items()))
    console.print(t)
    console.print(
        " ".join(f"#{r.record.id}: {r.record.scenario} {_overrides(r.record)}" for r in runs)
    )


@runs_app.command("delete")
def delete_cmd(
    run_ids: Annotated[list[int], typer.Argument(help="run id(s)", show_default=False)],
    store: StoreOpt = None,
    json_out: Annotated[bool, typer.Option("--json", help="print the deleted ids as JSON")] = False,
) -> None:
    """Delete runs (and their roster and coverage) from the store."""
    deleted: list[int] = []
    with open_store(store) as st:
        for i in run_ids:
            try:
                st.delete(i)
            except KeyError:
                err_console.print(f"[bold red]error:[/] no run {i} in {st!r}")
                if json_out:
                    print(json.dumps({"deleted": deleted, "not_found": i}))
                raise typer.Exit(EXIT_INPUT) from None
            deleted.append(i)
            if not json_out:
                console.print(f"deleted run {i}")
    if json_out:
        print(json.dumps({"deleted": deleted}))
