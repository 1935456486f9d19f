"""Sections on the product's solver: the bundled baseline (`solve`), the
synthetic scenarios of growing size (`scale`), and the price of each v1.1
workability rule (`workability`).

Each solve runs as `sunroster bench solve` in its own process, so its peak
memory is its own.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from optimizer.bench.report.base import (
    CLI,
    Measured,
    Section,
    SectionFailed,
    Settings,
    Skipped,
    fmt_limit,
)
from optimizer.bench.report.markdown import goals, num, pct, table
from optimizer.bench.report.record import Record, Run, stamp

SCALE_GROUPS = (((100, 400, 1000), 300.0), ((2000,), 900.0))  # issue #4: 2,000 agents at 900 s
SEARCH_PARTS = (  # solver stats worth a word, as "N label (M kept)"
    ("agent_passes", "passes", None),
    ("guided_rounds", "guided rounds", None),
    ("guided_neighbourhoods", "guided neighbourhoods", "guided_neighbourhoods_kept"),
    ("refill_moves", "refill moves", "refill_kept"),
    ("lns_neighbourhoods", "LNS neighbourhoods", "lns_improvements"),
)


def solve_command(scenario: Path | str, time_limit: float, workers: int, seed: int = 0) -> str:
    """`bench solve` as a reader would type it."""
    tail = f" --seed {seed}" if seed else ""
    return (
        f"{CLI} bench solve {scenario} --time-limit {fmt_limit(time_limit)} "
        f"--workers {workers}{tail}"
    )


def bench_solve(scenario: Path | str, time_limit: float, workers: int, seed: int = 0) -> dict:
    """`sunroster bench solve` in a child process; its JSON line. Its progress
    and warnings go to this process's stderr."""
    cmd = [
        sys.executable,
        "-m",
        "optimizer.cli.main",
        "bench",
        "solve",
        str(scenario),
        "--time-limit",
        fmt_limit(time_limit),
        "--workers",
        str(workers),
        "--seed",
        str(seed),
    ]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
    shown = solve_command(scenario, time_limit, workers, seed)
    if proc.returncode != 0:
        raise SectionFailed(f"`{shown}` exited with code {proc.returncode}")
    try:
        return json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        raise SectionFailed(f"`{shown}` printed no JSON line") from None


def scale_row(agents: int, time_limit: float, workers: int, folder: Path, days: int = 28) -> dict:
    """One synthetic scenario of `agents` agents (4 sites and 6 markets up to
    400 agents, 8 and 12 above) written into `folder` and solved."""
    from optimizer.bench.scale import write_synthetic

    sites, markets = (4, 6) if agents <= 400 else (8, 12)
    path = write_synthetic(folder / f"s{agents}", agents, sites=sites, markets=markets, days=days)
    return bench_solve(path, time_limit, workers)


def search_summary(stats: dict[str, Any] | None) -> str:
    """What the search did, from the solver's stats: "21 passes, 6 guided rounds, …"."""
    stats = stats or {}
    parts = []
    for key, label, kept in SEARCH_PARTS:
        if stats.get(key) is not None:
            text = f"{stats[key]:,} {label}"
            if kept and stats.get(kept) is not None:
                text += f" ({stats[kept]:,} kept)"
            parts.append(text)
    return ", ".join(parts) or "—"


def _bound(r: dict[str, Any]) -> str:
    return "none in time" if r.get("bound") is None else f"{r['bound']:,.0f}"


def _method(r: dict[str, Any]) -> str:
    """The bound's method as the solver names it, its step count readable."""
    text = r.get("bound_method") or "—"
    return re.sub(r"\((\d+) subgradient steps\)", lambda m: f"({int(m[1]):,} steps)", text)


def _secs(x: float | None) -> str:
    return num(x, 1)


# -- solve ---------------------------------------------------------------------------------


SHORTER_LIMITS = (60.0, 120.0)  # the dashboard's default time limit, and `make demo`'s


def run_solve(s: Settings) -> Measured:
    """The baseline at 300 s (or the settings' limit), and at the shorter
    limits a planner meets first when no limit is set."""
    limit = s.limit(300.0)
    shorter = SHORTER_LIMITS if s.time_limit is None else ()
    limits = (*shorter, limit)
    run = stamp([solve_command(s.scenario, t, s.workers, s.seed) for t in limits])
    results = [bench_solve(s.scenario, t, s.workers, s.seed) for t in limits]
    return Measured(
        (run,),
        {"scenario_path": str(s.scenario), "result": results[-1], "shorter": results[:-1]},
    )


def _solve_row(r: dict[str, Any]) -> list[str]:
    return [
        num(r["agents"]),
        num(r["queues"]),
        num(r["intervals"]),
        fmt_limit(r["time_limit"]),
        str(r["workers"]),
        _secs(r.get("first_feasible_seconds")),
        num(r.get("objective")),
        _bound(r),
        _method(r),
        pct(r.get("gap")),
        _secs(r.get("solve_seconds")),
        num(r.get("peak_mib")),
        num((r.get("stats") or {}).get("activities_gap")),
    ]


def render_solve(record: Record) -> str:
    r = record.data["result"]
    every = [*record.data.get("shorter", []), r]
    head = [
        "agents",
        "queues",
        "intervals",
        "time limit (s)",
        "workers",
        "first roster (s)",
        "objective",
        "bound",
        "bound method",
        "gap",
        "time used (s)",
        "peak memory (MiB)",
        "activities' loss",
    ]
    out = [
        table(head, "rrrrrrrrlrrrr", [_solve_row(x) for x in every]),
        "Search:\n\n"
        + "\n".join(
            f"- at {fmt_limit(x['time_limit'])} s: {search_summary(x.get('stats'))}." for x in every
        ),
    ]
    if Path(record.data.get("scenario_path", "")).name == "global-baseline.yaml" and (
        r["time_limit"] == 300 and r["workers"] == 2
    ):
        first, gap = r.get("first_feasible_seconds"), r.get("gap")
        out.append(
            goals(
                [
                    (
                        "a first roster within 60 s",
                        f"{_secs(first)} s",
                        None if first is None else first <= 60,
                    ),
                    (
                        "a gap of at most 2 % at 300 s (2 workers)",
                        pct(gap),
                        None if gap is None else gap <= 0.02,
                    ),
                ]
            )
        )
    else:
        out.append("Goals (issue #4) are for the baseline at 300 s with 2 workers: not evaluated.")
    return "\n\n".join(out)


SOLVE = Section(
    name="solve",
    title="Roster solver on the bundled baseline (issue #4)",
    about=(
        "`scenarios/global-baseline.yaml` solved at 300 s with 2 workers, and at the "
        "dashboard's default limit (60 s) and `make demo`'s (120 s): the time to "
        "the first roster, the objective (USD: cost plus under-cover penalties), the proven "
        "lower bound and its method, the gap between them, and peak memory (this process "
        "plus its bound process, added: an upper bound of their joint peak), and the activities' "
        "loss: the under-cover penalty the named activities (stretch and switch rules) "
        "may have lost beyond the best for the roster's shifts (`activities_gap`)."
    ),
    run=run_solve,
    render=render_solve,
)


# -- scale ---------------------------------------------------------------------------------


def run_scale(s: Settings) -> Measured:
    runs: list[Run] = []
    rows: list[dict] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for sizes, own in SCALE_GROUPS:
            limit = s.limit(own)
            agents = ",".join(map(str, sizes))
            runs.append(
                stamp(
                    [
                        f"{CLI} bench scale --agents {agents} --time-limit {fmt_limit(limit)} "
                        f"--workers {s.workers}"
                    ]
                )
            )
            for n in sizes:
                try:
                    rows.append(scale_row(n, limit, s.workers, Path(tmp)) | {"run": len(runs) - 1})
                except SectionFailed as exc:
                    notes.append(f"{n:,} agents failed: {exc}")
    if not rows:
        raise SectionFailed("; ".join(notes))
    return Measured(tuple(runs), {"rows": rows}, tuple(notes))


def render_scale(record: Record) -> str:
    rows = record.data["rows"]
    head = [
        "agents",
        "queues",
        "intervals",
        "time limit (s)",
        "first roster (s)",
        "objective",
        "bound",
        "bound method",
        "gap",
        "peak memory (MiB)",
        "search",
        "run",
    ]
    body = [
        [
            num(r["agents"]),
            num(r["queues"]),
            num(r["intervals"]),
            fmt_limit(r["time_limit"]),
            _secs(r.get("first_feasible_seconds")),
            num(r.get("objective")),
            _bound(r),
            _method(r),
            pct(r.get("gap")),
            num(r.get("peak_mib")),
            search_summary(r.get("stats")),
            str(r["run"] + 1),
        ]
        for r in sorted(rows, key=lambda r: (r["agents"], r["time_limit"]))
    ]
    out = [table(head, "rrrrrrrlrrlr", body)]
    big = [r for r in rows if r["agents"] == 2000 and r["time_limit"] == 900]
    if big:
        r = big[-1]
        gap, mib = r.get("gap"), r.get("peak_mib")
        out.append(
            goals(
                [
                    (
                        "2,000 agents: a gap of at most 5 % at 900 s",
                        pct(gap),
                        None if gap is None else gap <= 0.05,
                    ),
                    (
                        "2,000 agents: peak memory at most 8 GiB",
                        f"{num(mib)} MiB",
                        None if mib is None else mib <= 8 * 1024,
                    ),
                ]
            )
        )
    else:
        out.append("Goals (issue #4) are for 2,000 agents at 900 s: not measured here.")
    return "\n\n".join(out)


SCALE = Section(
    name="scale",
    title="Scaling with synthetic scenarios (issue #4)",
    about=(
        "Synthetic scenarios (`optimizer/bench/scale.py`, seed 7): 4 sites and 6 markets up "
        "to 400 agents, 8 sites and 12 markets above; 28 days on a 30-minute grid; each size "
        "solved in its own process (`sunroster bench solve`), so peak memory is per size."
    ),
    run=run_scale,
    render=render_scale,
)


# -- workability ---------------------------------------------------------------------------


def run_workability(s: Settings) -> Measured:
    from optimizer.bench import workability
    from optimizer.scenario.errors import ScenarioError
    from optimizer.scenario.load import load_scenario
    from optimizer.solve.stop import StopCriteria

    limit = s.limit(300.0)
    try:
        sc = load_scenario(s.scenario)
    except ScenarioError as exc:
        raise SectionFailed(str(exc)) from None
    if not workability.sets_any(sc):
        raise Skipped(f"{s.scenario} sets no v1.1 workability rule: nothing to price")
    run = stamp(
        [
            f"{CLI} bench workability {s.scenario} --time-limit {fmt_limit(limit)} "
            f"--workers {s.workers}"
        ]
    )
    rows = workability.price_of_workability(
        sc, lambda: StopCriteria(time_limit=limit, gap=0.0, workers=s.workers), s.seed
    )
    variants = json.loads(json.dumps([asdict(p) for p in rows], default=_plain))
    weights = {"stability": sc.weights.stability, "isolated_day": sc.weights.isolated_day_price}
    data = {"scenario_path": str(s.scenario), "weights": weights, "variants": variants}
    return Measured((run,), data)


def _plain(o: Any) -> Any:
    """numpy scalars and the like, as JSON numbers or strings."""
    return o.item() if hasattr(o, "item") else str(o)


def render_workability(record: Record) -> str:
    from optimizer.bench import workability

    rows = [workability.Priced(**v) for v in record.data["variants"]]
    out = [workability.markdown(rows)]
    weights = record.data.get("weights")
    if weights:  # the soft terms the "stability" variants price
        out.insert(
            0,
            f"The scenario's terms for steady rosters: `weights.stability` "
            f"{weights['stability']:g} per hour a start moves, `weights.isolated_day` "
            f"{weights['isolated_day']:g} per isolated working day.",
        )
    if len(rows) > 1 and rows[0].variant == "v1 rules" and rows[-1].variant == "v1.1 (all)":
        out.append(goals(workability_goals(rows[0], rows[-1])))
    return "\n\n".join(out)


def workability_goals(v1, every) -> list[tuple[str, str, bool | None]]:  # type: ignore[no-untyped-def]
    """Issue #22's targets for the roster under every v1.1 rule, against the v1 roster."""
    q = every.quality

    def within(v: float | None, limit: float, shown: str) -> tuple[str, bool | None]:
        """The value as shown, and whether it is at most `limit` (— and None: unknown)."""
        return ("—" if v is None else shown.format(v)), (None if v is None else v <= limit)

    def at_most(key: str, limit: float, shown: str) -> tuple[str, bool | None]:
        return within(q.get(key), limit, shown)

    def above_v1(ours: float | None, theirs: float | None) -> float | None:
        return None if not (theirs and ours is not None) else ours / theirs - 1

    price = above_v1(every.objective, v1.objective)
    money = above_v1(every.money, v1.money)
    under = above_v1(every.under_cover_hours, v1.under_cover_hours)
    median, p90 = q.get("distinct_starts_median"), q.get("distinct_starts_p90")
    starts_ok = None if median is None or p90 is None else median <= 1 and p90 <= 2
    first = every.first_roster_seconds
    return [
        ("violations found by the checker: 0", str(every.violations), every.violations == 0),
        (
            "queue changes per shift ≤ 1.0 on average",
            *at_most("queue_changes_per_shift_mean", 1.0, "{:.2f}"),
        ),
        (
            "distinct starts per agent-week: median 1, 90th percentile ≤ 2",
            f"{median} / {p90}",
            starts_ok,
        ),
        ("backward rotations ≤ 2 %", *at_most("backward_rotation_share", 0.02, "{:.1%}")),
        (
            "full working weeks without two days off together: 0",
            *at_most("full_weeks_without_days_off_together_share", 0.0, "{:.1%}"),
        ),
        ("isolated working days ≤ 2 %", *at_most("isolated_day_share", 0.02, "{:.1%}")),
        ("objective at most 3 % above the v1 roster", *within(price, 0.03, "{:+.1%}")),
        (
            "(the same without the stability term: pay and under-cover penalties)",
            *within(money, 0.03, "{:+.1%}"),
        ),
        ("under-cover hours at most 5 % above the v1 roster", *within(under, 0.05, "{:+.1%}")),
        ("first roster within 60 s", *within(first, 60, "{:.1f} s")),
        ("gap at most 2 %", pct(every.gap), None if every.gap is None else every.gap <= 0.02),
    ]


WORKABILITY = Section(
    name="workability",
    title="The price of workability: the v1.1 rules on the baseline (issue #22)",
    about=(
        "The baseline solved with the v1 rules only, with each v1.1 workability rule alone "
        "and with all of them, one after the other with the same limit "
        "(`optimizer/bench/workability.py`). The price of a rule is how much its roster's "
        "objective lies above the v1 roster's; the objective holds the pay model's cost, the "
        "under-cover penalties and, where `weights.stability` is set, the stability term, so "
        "the price without that term (money: pay and under-cover penalties) and `cost` (pay "
        "alone) are shown apart. Every roster is checked by the independent checker "
        "and measured by the roster-quality KPIs (`docs/quality.md`)."
    ),
    run=run_workability,
    render=render_workability,
)
