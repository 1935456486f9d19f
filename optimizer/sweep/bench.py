"""Sweep throughput, side by side: the same points solved one after another
and on local Ray, each into its own fresh store.

    python -m optimizer.sweep.bench scenarios/tiny.yaml --vary volume=-15%..+20%:5% \
        --time-limit 10 --parallel 2

Prints a markdown table (solves per minute; Ray with and without its start-up).
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

from optimizer.scenario.load import load_scenario
from optimizer.store import RunStore
from optimizer.sweep.grid import grid_points, parse_vary
from optimizer.sweep.runner import SweepParams, run_sweep


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("scenario", type=Path)
    ap.add_argument("--vary", action="append", required=True)
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--gap", type=float, default=0.0)
    ap.add_argument("--parallel", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    sc = load_scenario(a.scenario)
    points = grid_points([parse_vary(v) for v in a.vary])
    params = SweepParams(time_limit=a.time_limit, workers_per_solve=1, gap=a.gap, seed=a.seed)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("sequential", "ray"):
            with RunStore(Path(tmp) / f"{mode}.sqlite") as st:
                t0 = time.perf_counter()
                rep = run_sweep(
                    sc, points, params, st, parallel=a.parallel, sequential=mode == "sequential"
                )
                wall = time.perf_counter() - t0
                runs = st.list_runs()
                solve_s = sum(r.solve_seconds or 0.0 for r in runs)
                objs = sorted(round(r.objective or 0.0, 2) for r in runs)
            rows.append(
                (mode, rep.solved, len(rep.failed), wall, solve_s, 60 * rep.solved / wall, objs)
            )
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
          f"{len(points)} points of {a.scenario}, {a.time_limit:g} s limit, gap {a.gap:g}, 1 worker per solve")  # fmt: skip
    print()
    print("| mode | solves | failed | wall s | Σ solve s | solves/min |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for mode, n, f, wall, ss, spm, _ in rows:
        label = (
            "sequential (`--sequential`)"
            if mode == "sequential"
            else f"Ray, {a.parallel} CPUs (incl. start-up)"
        )
        print(f"| {label} | {n} | {f} | {wall:.1f} | {ss:.1f} | {spm:.1f} |")
    seq, ray = rows
    print()
    print(f"speed-up {seq[3] / ray[3]:.2f}×; same objectives: {seq[6] == ray[6]}")


if __name__ == "__main__":
    main()
