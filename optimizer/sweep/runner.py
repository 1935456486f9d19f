"""Run a sweep: every grid point solved (on Ray or one after another), each
result recorded in the run store by the driver as soon as it finishes.

Workers only compute: `solve_point` applies a point's what-if to the base
scenario, solves with the point's own seed and time limit and returns plain
tables (summary, roster, coverage). The driver writes them to the store, so
SQLite sees one writer, and an interrupted sweep keeps every finished point.
Resume: the sweep id is derived from the scenario's content, the grid and the
solve parameters; points already stored under it are skipped.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from optimizer.pipeline import run
from optimizer.scenario.model import Scenario
from optimizer.solve.stop import StopCriteria
from optimizer.store.hashing import point_key, scenario_hash
from optimizer.sweep.grid import point_seed, sweep_id
from optimizer.whatif import WhatIf, apply

if TYPE_CHECKING:  # the store needs the [store] extra; workers never open it
    from optimizer.store import RunStore


@dataclass(frozen=True)
class SweepParams:
    """The solve parameters every point shares (part of the sweep id)."""

    time_limit: float = 30.0
    workers_per_solve: int = 1
    gap: float = 0.0
    seed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "time_limit": self.time_limit,
            "workers": self.workers_per_solve,
            "gap": self.gap,
            "seed": self.seed,
        }


@dataclass(frozen=True)
class PointResult:
    """What a worker sends back for one point."""

    overrides: dict[str, str]
    seed: int
    summary: dict[str, Any]
    roster: pd.DataFrame
    coverage: pd.DataFrame
    scenario_hash: str
    seconds: float
    pid: int


@dataclass
class SweepReport:
    sweep_id: str
    points: int
    skipped: int = 0  # already in the store (resumed)
    solved: int = 0
    failed: list[tuple[dict[str, str], str]] = field(default_factory=list)
    run_ids: dict[str, int] = field(default_factory=dict)  # point key → run id
    seconds: float = 0.0
    mode: str = "ray"

    @property
    def solves_per_minute(self) -> float:
        return 60.0 * self.solved / self.seconds if self.seconds > 0 else 0.0


def solve_point(
    base: Scenario, overrides: dict[str, str], params: SweepParams, seed: int
) -> PointResult:
    """Apply a point's what-if and solve it (runs in a worker; no store access)."""
    t0 = time.perf_counter()
    sc = apply(base, WhatIf.from_pairs(overrides))
    stop = StopCriteria(
        time_limit=params.time_limit, gap=params.gap, workers=params.workers_per_solve
    )
    out = run(sc, stop, seed=seed)
    return PointResult(
        overrides=overrides,
        seed=seed,
        summary=out.summary(),
        roster=out.roster.to_frame(out.scenario),
        coverage=out.coverage,
        scenario_hash=scenario_hash(out.scenario),
        seconds=time.perf_counter() - t0,
        pid=os.getpid(),
    )


def plan(
    base: Scenario,
    points: list[dict[str, str]],
    params: SweepParams,
    store: RunStore,
    sid: str | None,
) -> tuple[str, list[dict[str, str]], dict[str, int]]:
    """The sweep id, the points still to solve, and those already stored."""
    sid = sid or sweep_id(scenario_hash(base), points, params.as_dict())
    done = store.done_points(sid)
    todo = [p for p in points if point_key(p) not in done]
    return sid, todo, {k: v for k, v in done.items() if k in {point_key(p) for p in points}}


# on_done(point, run id or None, summary or None, error or None)
Callback = Callable[[dict[str, str], int | None, dict[str, Any] | None, str | None], None]


def _record(
    store: RunStore,
    res: PointResult,
    sid: str,
    params: SweepParams,
    scenario_path: str | None,
    name: str | None,
) -> int:
    return store.save_tables(
        summary=res.summary,
        roster=res.roster,
        coverage=res.coverage,
        scenario_hash=res.scenario_hash,
        name=name,
        overrides=res.overrides,
        params={**params.as_dict(), "seed": res.seed, "base_seed": params.seed},
        scenario_path=scenario_path,
        sweep_id=sid,
        timings={"point_seconds": round(res.seconds, 3), "worker_pid": res.pid},
    )


def run_sweep(
    base: Scenario,
    points: list[dict[str, str]],
    params: SweepParams,
    store: RunStore,
    *,
    parallel: int = 2,
    sequential: bool = False,
    ray_address: str | None = None,
    sid: str | None = None,
    scenario_path: str | None = None,
    name: str | None = None,
    on_done: Callback | None = None,
    limit: int | None = None,
) -> SweepReport:
    """Solve every point not yet stored for this sweep; record each as it finishes.

    `limit` solves at most that many of the remaining points (a partial run;
    the rest is left for a later call — resume)."""
    sid, todo, done = plan(base, points, params, store, sid)
    if limit is not None:
        todo = todo[:limit]
    report = SweepReport(sid, len(points), skipped=len(done), run_ids=dict(done))
    report.mode = "sequential" if sequential else "ray"
    t0 = time.perf_counter()

    def finished(p: dict[str, str], res: PointResult | None, err: str | None) -> None:
        if res is not None:
            rid = _record(store, res, sid, params, scenario_path, name)
            report.run_ids[point_key(p)] = rid
            report.solved += 1
            if on_done:
                on_done(p, rid, res.summary, None)
        else:
            report.failed.append((p, err or "failed"))
            if on_done:
                on_done(p, None, None, err)

    try:
        if sequential or not todo:
            for p in todo:
                try:
                    res = solve_point(base, p, params, point_seed(params.seed, p))
                except Exception as exc:
                    finished(p, None, f"{type(exc).__name__}: {exc}")
                else:
                    finished(p, res, None)
        else:
            _run_on_ray(base, todo, params, parallel, ray_address, finished)
    finally:
        report.seconds = time.perf_counter() - t0
    return report


def _run_on_ray(
    base: Scenario,
    todo: list[dict[str, str]],
    params: SweepParams,
    parallel: int,
    address: str | None,
    finished: Callable[[dict[str, str], PointResult | None, str | None], None],
) -> None:
    """Submit every point to Ray; hand each result to `finished` as it arrives."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # offline: no usage report
    import ray

    own = not ray.is_initialized()
    if own:
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(
                num_cpus=parallel,
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
            )
    try:
        remote = ray.remote(num_cpus=params.workers_per_solve, max_retries=0)(solve_point)
        base_ref = ray.put(base)
        pending = {remote.remote(base_ref, p, params, point_seed(params.seed, p)): p for p in todo}
        try:
            while pending:
                ready, _ = ray.wait(list(pending), num_returns=1)
                for ref in ready:
                    p = pending.pop(ref)
                    try:
                        res = ray.get(ref)
                    except Exception as exc:  # a worker error or a killed worker
                        finished(p, None, f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
                    else:
                        finished(p, res, None)
        except BaseException:
            for ref in pending:
                ray.cancel(ref, force=True)
            raise
    finally:
        if own:
            ray.shutdown()
