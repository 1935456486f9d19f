"""How long each export takes to build on a solved scenario (issue #25: the
baseline's workbook in ≤ 2 s), as a Markdown section for the benchmark report.

Each format is built in process from the loaded scenario and roster, as
`sunroster export` does after reading them (`optimizer.export.render`): the
best and median wall time of a few builds, and the CPU time of the median
one — on a shared machine the CPU time is the steadier figure. The roster
is `OUT_DIR/roster.csv` when there is one, else a short solve (1 worker)
written there.

    .venv/bin/python -m optimizer.bench.exports scenarios/global-baseline.yaml out/baseline

`--against SRC` times one format here and in another version of the package
(before and after a change), alternating in fresh processes.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from optimizer.export import FORMATS, render
from optimizer.roster import Roster
from optimizer.scenario.load import load_scenario
from optimizer.scenario.model import Scenario

GOAL_XLSX_SECONDS = 2.0
COMMAND = ".venv/bin/python -m optimizer.bench.exports {scenario} {out}"


@dataclass(frozen=True)
class Timing:
    """One format's build: its file, size, wall times (s) of each build and CPU time (s)."""

    fmt: str
    name: str
    size: int
    walls: tuple[float, ...]
    cpu: float

    @property
    def best(self) -> float:
        return min(self.walls)

    @property
    def median(self) -> float:
        return statistics.median(self.walls)


def roster_of(scenario: Scenario, out_dir: Path, time_limit: float) -> tuple[Roster, str]:
    """OUT_DIR/roster.csv, or a short solve written there; and where it came from."""
    path = Path(out_dir) / "roster.csv"
    if path.is_file():
        return Roster.read_csv(path), f"`{path}`"
    from optimizer.pipeline import prepare, run, write_outputs
    from optimizer.solve.stop import StopCriteria

    out = run(prepare(scenario), StopCriteria(time_limit=time_limit, workers=1))
    write_outputs(Path(out_dir), out)
    return out.roster, f"a {time_limit:g} s solve with 1 worker, written to `{path}`"


def measure(scenario: Scenario, roster: Roster, fmt: str, repeat: int) -> Timing:
    """Build export `fmt` `repeat` times."""
    walls, cpus, files = [], [], {}
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        files = render(scenario, roster, fmt)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    ((name, data),) = files.items()
    median_cpu = sorted(cpus)[len(cpus) // 2]
    return Timing(fmt, name, len(data), tuple(walls), median_cpu)


def machine() -> str:
    """CPU, cores, load and Python of this machine, in one line."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu
            )
    except OSError:
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load average {os.getloadavg()[0]:.1f} when measured"
    return (
        f"{cpu}, {os.cpu_count()} logical CPUs{load}; {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def report_section(
    scenario_path: Path | str, out_dir: Path | str, *, time_limit: float = 60.0, repeat: int = 3
) -> str:
    """The Markdown section: machine, command, roster, and per format its file,
    size and build times, with the workbook's ≤ 2 s goal."""
    scenario_path, out_dir = Path(scenario_path), Path(out_dir)
    scenario = load_scenario(scenario_path)
    roster, source = roster_of(scenario, out_dir, time_limit)
    host = machine()  # the load before the builds
    timings = [measure(scenario, roster, fmt, repeat) for fmt in FORMATS]
    lines = [
        "### Building the exports",
        "",
        f"Scenario `{scenario_path}` ({len(scenario.agents):,} agents, "
        f"{len(roster.shifts):,} shifts, {len(roster.segments):,} stretches); roster: {source}.",
        "",
        f"Machine: {host}.",
        "",
        "```sh",
        COMMAND.format(scenario=scenario_path, out=out_dir),
        "```",
        "",
        f"Each format built {repeat} times in process from the loaded scenario and roster "
        "(what `sunroster export` does after reading them).",
        "",
        "| format | file | size | best wall s | median wall s | CPU s (median build) |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for t in timings:
        lines.append(
            f"| {t.fmt} | `{t.name}` | {t.size / 1024:,.0f} KiB | {t.best:.2f} | {t.median:.2f} "
            f"| {t.cpu:.2f} |"
        )
    xlsx = next(t for t in timings if t.fmt == "xlsx")
    met = "met" if xlsx.best <= GOAL_XLSX_SECONDS else "not met"
    lines += [
        "",
        f"Goal: the workbook in ≤ {GOAL_XLSX_SECONDS:g} s — {met} here (best {xlsx.best:.2f} s "
        f"wall, {xlsx.cpu:.2f} s CPU).",
    ]
    return "\n".join(lines) + "\n"


_TIME_BUILDS = """
import json, sys, time
from pathlib import Path
import optimizer
from optimizer.export import render
from optimizer.roster import Roster
from optimizer.scenario.load import load_scenario
sc = load_scenario(Path(sys.argv[1]))
roster = Roster.read_csv(Path(sys.argv[2]) / "roster.csv")
out = []
for _ in range(int(sys.argv[4])):
    c0, w0 = time.process_time(), time.perf_counter()
    render(sc, roster, sys.argv[3])
    out.append((time.perf_counter() - w0, time.process_time() - c0))
print(json.dumps([optimizer.__file__, out]))
"""


def compare(
    scenario_path: Path, out_dir: Path, other: Path, fmt: str, *, rounds: int, repeat: int
) -> str:
    """Markdown: format `fmt` built by this checkout and by the package under
    `other` (e.g. an earlier commit's `optimizer/`, from `git archive`), each in
    a fresh process, the two alternating round by round so both see the same
    load. The first build of each process (imports, caches) is left out."""
    import json
    import subprocess

    here = Path(__file__).resolve().parents[2]
    runs: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
    for _ in range(rounds):
        for label, src in (("before", other), ("after", here)):
            # run from `src`: `python -c` puts the working folder first on the path
            env = {**os.environ, "PYTHONPATH": str(src)}
            args = [str(Path(scenario_path).resolve()), str(Path(out_dir).resolve()), fmt,
                    str(repeat + 1)]  # fmt: skip
            res = subprocess.run(
                [sys.executable, "-c", _TIME_BUILDS, *args],
                cwd=src, env=env, capture_output=True, text=True, check=True,
            )  # fmt: skip
            package, times = json.loads(res.stdout)
            if not Path(package).resolve().is_relative_to(Path(src).resolve()):
                raise RuntimeError(f"{label}: imported {package}, not the package under {src}")
            runs[label] += [tuple(x) for x in times[1:]]
    lines = [
        f"`{fmt}` of `{scenario_path}`: {rounds} rounds of {repeat} builds each, before "
        f"(`{other}`) and after (this checkout) alternating. Machine: {machine()}.",
        "",
        "| version | builds | best wall s | median wall s | best CPU s | median CPU s |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, times in runs.items():
        walls, cpus = [w for w, _ in times], [c for _, c in times]
        lines.append(
            f"| {label} | {len(times)} | {min(walls):.2f} | {statistics.median(walls):.2f} "
            f"| {min(cpus):.2f} | {statistics.median(cpus):.2f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m optimizer.bench.exports",
        description="Time each export format on a solved scenario (the benchmark report's "
        "exports section, printed as Markdown).",
    )
    parser.add_argument("scenario", type=Path, help="scenario YAML file")
    parser.add_argument(
        "out_dir", type=Path, help="folder with roster.csv (solved there, 1 worker, if missing)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="builds per format (default 3)")
    parser.add_argument(
        "--against",
        type=Path,
        metavar="SRC",
        help="instead: time one format here and in the package under SRC (a folder holding "
        "another version's optimizer/, e.g. from git archive), alternating in fresh processes",
    )
    parser.add_argument("--format", default="xlsx", help="with --against: the format (xlsx)")
    parser.add_argument("--rounds", type=int, default=3, help="with --against: rounds (3)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.against is not None:
        text = compare(
            args.scenario, args.out_dir, args.against, args.format,
            rounds=args.rounds, repeat=args.repeat,
        )  # fmt: skip
    else:
        text = report_section(args.scenario, args.out_dir, repeat=args.repeat)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
