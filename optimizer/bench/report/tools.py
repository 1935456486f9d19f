"""Sections on the tools around the solver: requirements against pyworkforce
(`staffing`), sweep throughput on Ray (`sweep`), and dashboard render times
(`dashboard`). Each runs its existing benchmark module in a child process
and reads what it prints."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from optimizer.bench.report.base import (
    CLI,
    PYTHON,
    REPO,
    Measured,
    Section,
    SectionFailed,
    Settings,
    Skipped,
    fmt_limit,
)
from optimizer.bench.report.markdown import goals, num, table
from optimizer.bench.report.record import Record, stamp

SWEEP_SCENARIOS = (Path("scenarios/dst-weekend.yaml"), Path("scenarios/tiny.yaml"))
SWEEP_VARY = "volume=-15%..+20%:5%"
CHROMIUM = Path("/usr/bin/chromium")


def _output(cmd: list[str], shown: str, env: dict[str, str] | None = None) -> str:
    """Run a benchmark module; its stdout (stderr passes through)."""
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False, env=env)
    if proc.returncode != 0:
        raise SectionFailed(f"`{shown}` exited with code {proc.returncode}")
    return proc.stdout


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _table_rows(text: str) -> list[list[str]]:
    """The body rows of the Markdown table a benchmark printed."""
    lines = [ln for ln in text.splitlines() if ln.lstrip().startswith("|")]
    return [_cells(ln) for ln in lines[2:]]


# -- staffing ------------------------------------------------------------------------------


def run_staffing(s: Settings) -> Measured:
    py = s.pyworkforce_python
    if not py:
        raise Skipped(
            "It needs pyworkforce in its own venv (never a Sunroster dependency): "
            "`python3 -m venv /tmp/pwf && /tmp/pwf/bin/pip install pyworkforce`, then set "
            "SUNROSTER_PYWORKFORCE_PYTHON=/tmp/pwf/bin/python or pass --pyworkforce-python"
        )
    shown = (
        f"{PYTHON} -m optimizer.bench.erlang_vs_pyworkforce --scenario {s.scenario} "
        f"--pyworkforce-python {py}"
    )
    run = stamp([shown])
    cmd = [
        sys.executable,
        "-m",
        "optimizer.bench.erlang_vs_pyworkforce",
        "--scenario",
        str(s.scenario),
        "--pyworkforce-python",
        py,
    ]
    try:
        result = json.loads(_output(cmd, shown))
    except json.JSONDecodeError:
        raise SectionFailed(f"`{shown}` did not print its JSON") from None
    version = subprocess.run(
        [py, "-c", "import importlib.metadata as m; print(m.version('pyworkforce'))"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return Measured((run,), {"result": result, "pyworkforce": version or None})


def render_staffing(record: Record) -> str:
    r = record.data["result"]
    theirs = f"{r['pyworkforce_seconds']:g} s"
    version = record.data.get("pyworkforce")
    head = [
        "what",
        "Sunroster",
        f"pyworkforce {version or ''} `ErlangC`, same cells".replace("  ", " "),
        "speed-up",
    ]
    n = r["erlang_cells_compared"]
    rows = [
        [
            f"agents for the SLA on the {n:,} open voice/chat cells with traffic "
            "(`agents_for_service_level`)",
            f"{r['ours_erlang_cells_seconds']:g} s",
            theirs,
            f"**{r['speedup_same_cells']:g}×**",
        ],
        [
            f"the whole requirement table, given the grid and holiday tables ({r['cells_total']:,} "
            "cells: zones, service hours, holiday factors, email deadlines, occupancy, shrinkage)",
            f"{r['ours_requirements_given_calendars_seconds']:g} s",
            theirs,
            f"{r['speedup_requirements_given_calendars']:g}×",
        ],
        [
            "the same, also reading the holiday calendars from the `holidays` package",
            f"{r['ours_compute_requirements_seconds']:g} s",
            theirs,
            f"{r['speedup_whole_requirements']:g}×",
        ],
        ["cells where the agent counts differ", f"{r['mismatches']:,} of {n:,}", "", ""],
    ]
    same, whole = r["speedup_same_cells"], r["speedup_whole_requirements"]
    verdicts = goals(
        [
            ("at least 50× pyworkforce on the same Erlang cells", f"{same:g}×", same >= 50),
            ("… for the whole requirement table, calendars read", f"{whole:g}×", whole >= 50),
            ("the same agent counts", f"{r['mismatches']:,} cells differ", r["mismatches"] == 0),
        ]
    )
    return "\n\n".join([table(head, "lrrr", rows), verdicts])


STAFFING = Section(
    name="staffing",
    title="Staffing requirements: Sunroster vs pyworkforce (issue #3)",
    about=(
        "The baseline's requirements: Sunroster's vectorised Erlang C against pyworkforce's "
        "`ErlangC` on the same cells in the same run (`optimizer/bench/erlang_vs_pyworkforce.py`;"
        " pyworkforce runs in its own interpreter). Compared: agents before shrinkage without an "
        "occupancy cap (pyworkforce's `raw_positions`, `max_occupancy=1`); Sunroster's times "
        "are the best of 5 runs, caches cleared before each."
    ),
    run=run_staffing,
    render=render_staffing,
)


# -- sweep ---------------------------------------------------------------------------------


def sweep_command(scenario: Path, limit: float, parallel: int) -> str:
    return (
        f"{PYTHON} -m optimizer.sweep.bench {scenario} --vary '{SWEEP_VARY}' "
        f"--time-limit {fmt_limit(limit)} --parallel {parallel}"
    )


def parse_sweep(text: str) -> dict:
    """Rows and speed-up from what `optimizer.sweep.bench` prints."""
    rows = []
    for cells in _table_rows(text):
        label, solves, failed, wall, solve_s, per_min = cells[:6]
        rows.append(
            {
                "mode": "sequential" if label.startswith("sequential") else "ray",
                "solves": int(solves),
                "failed": int(failed),
                "wall_seconds": float(wall),
                "solve_seconds": float(solve_s),
                "solves_per_minute": float(per_min),
            }
        )
    m = re.search(r"speed-up ([\d.]+)×; same objectives: (\w+)", text)
    if len(rows) != 2 or m is None:
        raise ValueError("no table of two modes and no speed-up line")
    return {"rows": rows, "speedup": float(m.group(1)), "same_objectives": m.group(2) == "True"}


def run_sweep(s: Settings) -> Measured:
    limit = s.limit(10.0)
    shown = [sweep_command(sc, limit, s.workers) for sc in SWEEP_SCENARIOS]
    run = stamp(shown)
    out = []
    for sc, cmd_text in zip(SWEEP_SCENARIOS, shown, strict=True):
        cmd = [
            sys.executable,
            "-m",
            "optimizer.sweep.bench",
            str(sc),
            "--vary",
            SWEEP_VARY,
            "--time-limit",
            fmt_limit(limit),
            "--parallel",
            str(s.workers),
        ]
        try:
            parsed = parse_sweep(_output(cmd, cmd_text))
        except ValueError as exc:
            raise SectionFailed(f"`{cmd_text}`: {exc}") from None
        out.append({"scenario": sc.stem, "parallel": s.workers, "time_limit": limit} | parsed)
    return Measured((run,), {"scenarios": out})


def render_sweep(record: Record) -> str:
    body = []
    for sc in record.data["scenarios"]:
        for r in sc["rows"]:
            ray = r["mode"] == "ray"
            body.append(
                [
                    f"`{sc['scenario']}`",
                    f"Ray, {sc['parallel']} CPUs (incl. start-up)" if ray else "sequential",
                    str(r["solves"]),
                    str(r["failed"]),
                    f"{r['wall_seconds']:.1f}",
                    f"{r['solve_seconds']:.1f}",
                    f"{r['solves_per_minute']:.1f}",
                    f"**{sc['speedup']:.2f}×**" if ray else "",
                    ("yes" if sc["same_objectives"] else "**no**") if ray else "",
                ]
            )
    head = [
        "scenario",
        "mode",
        "solves",
        "failed",
        "wall s",
        "Σ solve s",
        "solves/min",
        "speed-up",
        "same objectives",
    ]
    return table(head, "llrrrrrrl", body)


SWEEP = Section(
    name="sweep",
    title="Sweep throughput: Ray vs one after another (issue #8)",
    about=(
        "The same 8 what-if points (volume −15 % to +20 %), same seeds, same limit per solve, "
        "solved one after another and on local Ray, each mode into its own fresh SQLite store, "
        "side by side in one run of `optimizer.sweep.bench` (1 CP-SAT worker per solve, gap 0)."
    ),
    run=run_sweep,
    render=render_sweep,
)


# -- dashboard -----------------------------------------------------------------------------


def parse_dashboard(text: str) -> dict:
    """First-run time and per-page times from what `dashboard.bench` prints."""
    m = re.search(r"first run[^:]*: ([\d.]+) s", text)
    pages = []
    for cells in _table_rows(text):
        page = {"page": cells[0], "apptest_median": float(cells[1]), "apptest_max": float(cells[2])}
        if len(cells) >= 5:
            page |= {"browser_median": float(cells[3]), "browser_max": float(cells[4])}
        pages.append(page)
    if m is None or not pages:
        raise ValueError("no first-run line or no table of pages")
    return {"first_run_seconds": float(m.group(1)), "pages": pages}


def run_dashboard(s: Settings) -> Measured:
    out = s.out
    commands = []
    solve = f"{CLI} solve {s.scenario} -o {out} --time-limit {fmt_limit(s.limit(60.0))} --workers 1"
    if not (out / "summary.json").is_file():
        commands.append(solve)
    browser = CHROMIUM.exists() and importlib.util.find_spec("playwright") is not None
    flag = " --browser" if browser else ""
    shown = f"PYTHONPATH=. {PYTHON} -m dashboard.bench {s.scenario} {out} --repeat 3{flag}"
    run = stamp([*commands, shown])
    if commands:
        _output(
            [
                sys.executable,
                "-m",
                "optimizer.cli.main",
                "solve",
                str(s.scenario),
                "-o",
                str(out),
                "--time-limit",
                fmt_limit(s.limit(60.0)),
                "--workers",
                "1",
            ],
            solve,
        )
    env = os.environ | {"PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "dashboard.bench", str(s.scenario), str(out), "--repeat", "3"]
    text = _output(cmd + (["--browser"] if browser else []), shown, env)
    try:
        data = parse_dashboard(text)
    except ValueError as exc:
        raise SectionFailed(f"`{shown}`: {exc}") from None
    notes = () if browser else (f"No browser times: {CHROMIUM} or playwright is missing.",)
    return Measured((run,), data | {"roster": _roster(out)}, notes)


def _roster(out: Path) -> dict:
    """The solved roster the pages showed, from its summary.json."""
    try:
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {"folder": str(out)}
    keys = ("scenario", "objective", "solve_seconds", "shifts")
    return {"folder": str(out)} | {k: summary.get(k) for k in keys}


def render_dashboard(record: Record) -> str:
    pages = record.data["pages"]
    browser = all("browser_median" in p for p in pages)
    head = ["page", "AppTest median (s)", "AppTest max (s)"]
    if browser:
        head += ["browser median (s)", "browser max (s)"]
    body = []
    for p in pages:
        row = [p["page"], f"{p['apptest_median']:.2f}", f"{p['apptest_max']:.2f}"]
        if browser:
            row += [f"{p['browser_median']:.2f}", f"{p['browser_max']:.2f}"]
        body.append(row)
    worst = max(max(p["apptest_max"], p.get("browser_max", 0.0)) for p in pages)
    first = (
        f"First run of a process (load the scenario, requirements, read and measure the "
        f"roster): {record.data['first_run_seconds']:.1f} s (AppTest), once per scenario and "
        "process."
    )
    roster = record.data.get("roster") or {}
    if roster.get("objective") is not None:
        first += (
            f" The roster: `{roster['folder']}`, objective {num(roster['objective'])}, "
            f"{num(roster.get('shifts'))} shifts, solved in {num(roster.get('solve_seconds'), 0)} s."
        )
    verdict = goals(
        [("every page renders in under 3 s once solved", f"worst {worst:.2f} s", worst < 3.0)]
    )
    return "\n\n".join([first, table(head, "l" + "r" * (len(head) - 1), body), verdict])


DASHBOARD = Section(
    name="dashboard",
    title="Dashboard: page render time on the baseline (issue #6)",
    about=(
        "Every page of the dashboard on the solved baseline (`dashboard/bench.py`). "
        "**AppTest**: the page script run by Streamlit's test harness in process (tables, "
        "Plotly figures, serialisation), caches warm; Compare with two variants. **browser**: "
        "the page served by `streamlit run` and opened in Debian's Chromium (Playwright), from "
        "navigation until the script run has ended and every Plotly chart is drawn; server "
        "caches warm (one round before the measured three)."
    ),
    run=run_dashboard,
    render=render_dashboard,
)
