"""Packaging figures: how long `sunroster --help` takes and how big a core
install is, before and after the extras split (issue #25 item 6).

Each side is a commit installed into its own fresh venv with only the core
(`pip install -c constraints.txt <source>`, no extras), the current
`constraints.txt` for both, so the same releases are compared. The size is
the whole venv (`du`); the time is the median of several `sunroster --help`
runs after one warm-up (which writes the byte-code), the two venvs timed in
turn so both see the same machine load.

    python -m optimizer.bench.packaging --before a5cded3 --after HEAD

prints the Markdown section; `report_section()` gives the figures measured
last (`MEASURED`) for the benchmark report, without installing anything.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Side:
    """One commit's core install."""

    label: str
    ref: str
    packages: int  # distributions in the venv (pip, setuptools included)
    size_mib: float  # `du` of the whole venv
    help_seconds: list[float]  # each timed `sunroster --help`

    @property
    def help_median(self) -> float:
        return statistics.median(self.help_seconds)


@dataclass(frozen=True)
class Measurement:
    machine: str
    date: str
    command: str
    note: str
    sides: tuple[Side, Side]


# the figures of the last `measure` run (other sessions were loading the machine too)
MEASURED = Measurement(
    machine="AMD EPYC, 2 cores, Linux, Python 3.11.7",
    date="2026-12-04",
    command="python -m optimizer.bench.packaging --before a5cded3 --after 9436a2f --runs 5",
    note="load average 4.3-4.5 during the timing",
    sides=(
        Side(
            "before: every dependency in the core",
            "a5cded3",
            65,
            900.0,
            [7.95, 8.24, 8.48, 9.22, 9.18],
        ),
        Side(
            "after: core only, extras apart",
            "9436a2f",
            33,
            491.0,
            [0.78, 1.09, 1.22, 0.56, 1.10],
        ),
    ),
)


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()}, Python {platform.python_version()}"


def _env() -> dict[str, str]:
    """This environment without what would make a venv import another checkout."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def _install(ref: str, where: Path) -> Path:
    """`ref`'s source unpacked under `where` and installed (core only) into a venv
    there; a venv left by an earlier run with `--work` is used as it is."""
    src, venv = where / "src", where / "venv"
    if (venv / "bin" / "sunroster").exists():
        return venv
    src.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", ref], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=_env())
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "-c", str(REPO / "constraints.txt"),
         str(src)],
        check=True, env=_env(), cwd=where,
    )  # fmt: skip
    return venv


def _size_mib(path: Path) -> float:
    out = subprocess.run(["du", "-sk", str(path)], check=True, capture_output=True, text=True)
    return int(out.stdout.split()[0]) / 1024


def _packages(venv: Path) -> int:
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
        check=True,
        capture_output=True,
        text=True,
        env=_env(),
    )
    return len(out.stdout.split())


def _time_help(venv: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [str(venv / "bin" / "sunroster"), "--help"],
        check=True, capture_output=True, env=_env(), cwd=venv,
    )  # fmt: skip
    return time.perf_counter() - t0


def measure(before: str, after: str, runs: int = 5, work: Path | None = None) -> Measurement:
    """Install both commits' cores (under `work`, kept, or a temporary folder) and
    time their `--help` in turn."""
    labels = ("before: every dependency in the core", "after: core only, extras apart")
    with tempfile.TemporaryDirectory(prefix="sunroster-packaging-") as tmp:
        base = work or Path(tmp)
        venvs = [_install(ref, base / name) for ref, name in ((before, "before"), (after, "after"))]
        for v in venvs:
            _time_help(v)  # warm-up: byte-code written
        times: list[list[float]] = [[], []]
        for _ in range(runs):
            for i, v in enumerate(venvs):
                times[i].append(round(_time_help(v), 3))
        sides = tuple(
            Side(labels[i], ref, _packages(v), round(_size_mib(v), 1), times[i])
            for i, (ref, v) in enumerate(zip((before, after), venvs, strict=True))
        )
    load = ""
    with contextlib.suppress(OSError):
        load = Path("/proc/loadavg").read_text().split()[0]
    return Measurement(
        machine=_machine(),
        date=time.strftime("%Y-%m-%d"),
        command=f"python -m optimizer.bench.packaging --before {before} --after {after} --runs {runs}",
        note=f"load average {load} at the end" if load else "",
        sides=sides,  # type: ignore[arg-type]
    )


def render(m: Measurement) -> str:
    """The section's Markdown: machine, command, a table of both sides."""
    head = [
        "### Core install and `sunroster --help`",
        "",
        f"Machine: {m.machine}{f'; {m.note}' if m.note else ''}. Date: {m.date or '—'}.",
        "",
        f"Command: `{m.command}`",
        "",
        "| install | commit | packages | venv size | `--help`, median | runs (s) |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for s in m.sides:
        runs = ", ".join(f"{t:.2f}" for t in s.help_seconds) or "—"
        median = f"{s.help_median:.2f} s" if s.help_seconds else "—"
        size = f"{s.size_mib:,.0f} MiB" if s.size_mib else "—"
        head.append(f"| {s.label} | `{s.ref}` | {s.packages or '—'} | {size} | {median} | {runs} |")
    head += [
        "",
        "Both cores at the releases of `constraints.txt`. The extras (`[store]`, `[sweep]`, "
        '`[dashboard]`) are what the "before" core carried as hard dependencies.',
    ]
    return "\n".join(head) + "\n"


def report_section() -> str:
    """The packaging section of the benchmark report: the figures measured last."""
    return render(MEASURED)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--before", default="a5cded3", help="commit of the 'before' side")
    ap.add_argument("--after", default="HEAD", help="commit of the 'after' side")
    ap.add_argument("--runs", type=int, default=5, help="timed --help runs per side")
    ap.add_argument("--work", type=Path, help="keep the venvs here (and reuse them next time)")
    args = ap.parse_args(argv)
    print(render(measure(args.before, args.after, args.runs, args.work)))


if __name__ == "__main__":
    main()
