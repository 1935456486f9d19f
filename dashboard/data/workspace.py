"""A Workspace: one open scenario, its prepared tables, its variants, its
background solves and the run store they are saved in."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.data.jobs import SolveJob
from dashboard.data.run import find_run_dir
from dashboard.data.variant import Variant, baseline_variant
from optimizer.pipeline import evaluate, prepare, read_outputs
from optimizer.roster import Roster
from optimizer.scenario.errors import ScenarioError
from optimizer.scenario.load import load_scenario_with_warnings
from optimizer.scenario.model import Scenario
from optimizer.solve.result import SolveResult
from optimizer.whatif import WhatIf, apply


class Workspace:
    """One scenario (path + fingerprint), its Prepared tables, its variants and
    its jobs. Shared by every session that opens the scenario; thread-safe."""

    def __init__(self, path: Path, scenario: Scenario, warnings: list[str], out_roots: list[Path]):
        self.path = path
        self.scenario = scenario
        self.warnings = warnings
        self.out_roots = out_roots
        self.prepared = prepare(scenario)
        self.variants: dict[str, Variant] = {}
        self.jobs: dict[str, SolveJob] = {}
        self.run_dir: Path | None = None
        self.load_error = ""
        self._lock = threading.RLock()
        self.store, self.store_note = open_store()

    @classmethod
    def open(cls, path: str | Path, out_roots: Sequence[Path] = ()) -> Workspace:
        """Load the scenario (ScenarioError lists its problems) and its newest solve under `out_roots`."""
        p = Path(path)
        sc, warnings = load_scenario_with_warnings(p)
        ws = cls(p, sc, warnings, list(out_roots))
        ws.load_baseline()
        return ws

    def load_baseline(self) -> Variant | None:
        """The newest solve output of this scenario, if one exists."""
        d = find_run_dir(self.scenario.scenario, self.out_roots)
        if d is None:
            return None
        try:
            v = baseline_variant(read_outputs(d, self.prepared), str(d))
        except ScenarioError as exc:  # a stale or hand-broken output folder: say so, offer a solve
            self.load_error = exc.render(limit=10)
            return None
        self.run_dir = d
        self.add(v)
        return v

    def add(self, v: Variant) -> None:
        with self._lock:
            self.variants[v.name] = v

    def names(self) -> list[str]:
        """Variant names, the baseline first."""
        with self._lock:
            names = list(self.variants)
        return sorted(names, key=lambda n: (n != "baseline", n))

    def get(self, name: str) -> Variant | None:
        with self._lock:
            return self.variants.get(name)

    def unique_name(self, stem: str) -> str:
        """`stem`, or `stem (2)`, `stem (3)` … if a variant or job already has it."""
        with self._lock:
            taken = set(self.variants) | set(self.jobs)
        if stem not in taken:
            return stem
        k = 2
        while f"{stem} ({k})" in taken:
            k += 1
        return f"{stem} ({k})"

    def start_job(
        self, name: str, whatif: WhatIf, time_limit: float, workers: int = 1, seed: int = 0
    ) -> SolveJob:
        """Solve base scenario + what-if in the background; the result becomes a variant."""
        job = SolveJob(name, self.scenario, whatif, time_limit, workers, seed, self._job_done)
        with self._lock:
            self.jobs[name] = job
        return job.start()

    def _job_done(self, job: SolveJob) -> Variant:
        """Make the result a variant at once, then record it in the run store."""
        assert job.output is not None
        overrides = job.whatif.to_pairs()
        v = Variant(job.name, job.output, overrides, "what-if" if overrides else "solve")
        self.add(v)
        if self.store is not None:
            job.status = "saving"
            try:
                v.run_id = self.store.save(
                    job.output, name=job.name, overrides=overrides, scenario_path=str(self.path),
                    params={"time_limit": job.stop.time_limit, "workers": job.stop.workers, "seed": job.seed},
                )  # fmt: skip
                v.source += f", run store #{v.run_id}"
            except store_failures() as exc:
                job.error = f"not saved in the run store: {exc}"
        return v

    def running_jobs(self) -> list[SolveJob]:
        with self._lock:
            return [j for j in self.jobs.values() if j.running]

    def stored_runs(self) -> pd.DataFrame:
        """Runs of this scenario in the run store (empty if there is no store);
        the store's database errors (`store_failures()`) are the caller's to show."""
        if self.store is None:
            return pd.DataFrame()
        recs = self.store.list_runs(scenario=self.scenario.scenario)
        return pd.DataFrame([_record_dict(r) for r in recs])

    def load_stored(self, run_id: int) -> Variant:
        """A stored run as a variant: its overrides applied to the scenario, its
        roster measured. Raises KeyError (no such run), ValueError (overrides
        this scenario refuses, a summary key of the wrong type), ScenarioError
        (a malformed stored roster) or a `store_failures()` error."""
        assert self.store is not None
        sr = self.store.get(run_id)
        rec = sr.record
        overrides = dict(rec.overrides or {})
        sc = apply(self.scenario, WhatIf.from_pairs(overrides)) if overrides else self.scenario
        prep = self.prepared if sc is self.scenario else prepare(sc)
        roster = Roster.from_frame(sr.roster, source=f"run store #{run_id} roster")
        out = evaluate(prep, SolveResult.from_summary(dict(sr.summary or {}), roster))
        name = self.unique_name(rec.name or f"run {run_id}")
        v = Variant(name, out, overrides, f"store #{run_id}", run_id)
        self.add(v)
        return v


def _record_dict(rec: Any) -> dict[str, Any]:
    """A stored run's list row (a `RunRecord`), its overrides as one text."""
    keys = ("id", "name", "status", "objective", "gap", "cost_reporting_currency", "created_at")
    d = {k: getattr(rec, k) for k in keys}
    d["overrides"] = ", ".join(f"{k}={v}" for k, v in rec.overrides.items())
    return d


def open_store() -> tuple[Any, str]:
    """The run store and "", or None and why there is none: its packages (the
    optional `store` extra) are not installed, or the database does not open."""
    try:
        from optimizer.store import RunStore
    except ImportError as exc:
        return None, f"No run store: {exc.name} is not installed (the store extra)."
    try:
        return RunStore(), ""
    except (ValueError, *store_failures()) as exc:  # StoreURLError is a ValueError
        return None, f"The run store does not open: {exc}"


def store_failures() -> tuple[type[Exception], ...]:
    """What a run store raises when its database or file fails (call once a store is open)."""
    from sqlalchemy.exc import SQLAlchemyError

    return (SQLAlchemyError, OSError)
