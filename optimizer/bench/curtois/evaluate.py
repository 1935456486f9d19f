"""Objective and hard-rule check of a Curtois–Qu roster, independent of any solver.

A roster is an int array `(staff, days)` holding the shift index worked or
-1 for a day off. `evaluate` recomputes the three penalty terms of the
published objective and lists every hard-rule violation, in plain numpy and
Python: nothing here imports the adapter or the engine, so a mistake in either
shows up as a disagreement here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from optimizer.bench.curtois.parse import Instance

OFF = -1


@dataclass(frozen=True)
class Violation:
    """One broken hard rule: which rule, which employee, which day(s), what."""

    rule: str
    employee: str
    day: int | None
    detail: str


@dataclass(frozen=True)
class Evaluation:
    """The objective's terms and the hard-rule violations of one roster."""

    on_requests: int
    off_requests: int
    under_cover: int
    over_cover: int
    violations: list[Violation] = field(default_factory=list)

    @property
    def objective(self) -> int:
        return self.on_requests + self.off_requests + self.under_cover + self.over_cover

    @property
    def feasible(self) -> bool:
        return not self.violations


def cover_counts(inst: Instance, roster: np.ndarray) -> np.ndarray:
    """Employees working each shift on each day, `(days, shifts)`."""
    n = np.zeros((inst.horizon, inst.n_shifts), dtype=np.int64)
    e, d = np.nonzero(roster >= 0)
    np.add.at(n, (d, roster[e, d]), 1)
    return n


def penalty_terms(inst: Instance, roster: np.ndarray) -> tuple[int, int, int, int]:
    """(on-request, off-request, under-cover, over-cover) penalties."""
    on = inst.on_requests
    off = inst.off_requests
    on_pen = int(on[roster[on[:, 0], on[:, 1]] != on[:, 2], 3].sum()) if len(on) else 0
    off_pen = int(off[roster[off[:, 0], off[:, 1]] == off[:, 2], 3].sum()) if len(off) else 0
    n = cover_counts(inst, roster)
    under = int((inst.weight_under * np.maximum(0, inst.cover - n)).sum())
    over = int((inst.weight_over * np.maximum(0, n - inst.cover)).sum())
    return on_pen, off_pen, under, over


def objective(inst: Instance, roster: np.ndarray) -> int:
    """The published objective (sum of the penalty terms), hard rules ignored."""
    return sum(penalty_terms(inst, roster))


def _runs(row: np.ndarray) -> list[tuple[int, int, bool]]:
    """Maximal runs of equal values in a boolean row: (start, length, value)."""
    out = []
    start = 0
    for d in range(1, len(row) + 1):
        if d == len(row) or row[d] != row[start]:
            out.append((start, d - start, bool(row[start])))
            start = d
    return out


def violations(inst: Instance, roster: np.ndarray) -> list[Violation]:
    """Every broken hard rule of the roster (empty when it is feasible)."""
    h, sid, eid = inst.horizon, inst.shift_ids, inst.staff_ids
    out: list[Violation] = []
    if roster.shape != (inst.n_staff, h):
        raise ValueError(f"roster shape {roster.shape}, want {(inst.n_staff, h)}")
    bad = (roster < OFF) | (roster >= inst.n_shifts)
    for e, d in zip(*np.nonzero(bad), strict=True):
        out.append(Violation("shift index", eid[e], int(d), f"no shift {roster[e, d]}"))
    if bad.any():
        return out
    work = roster >= 0
    minutes = np.where(work, inst.shift_minutes[np.maximum(roster, 0)], 0)
    for e in range(inst.n_staff):
        name, row = eid[e], roster[e]
        for d in np.flatnonzero(work[e] & inst.days_off[e]):
            out.append(Violation("day off", name, int(d), f"works {sid[row[d]]} on a day off"))
        for d in range(h - 1):
            if row[d] >= 0 and row[d + 1] >= 0 and inst.cannot_follow[row[d], row[d + 1]]:
                out.append(
                    Violation("succession", name, d + 1, f"{sid[row[d + 1]]} after {sid[row[d]]}")
                )
        counts = np.bincount(row[row >= 0], minlength=inst.n_shifts)
        for t in np.flatnonzero(counts > inst.max_shifts[e]):
            out.append(
                Violation(
                    "max shifts",
                    name,
                    None,
                    f"{counts[t]} × {sid[t]} > {inst.max_shifts[e, t]}",
                )
            )
        total = int(minutes[e].sum())
        if total > inst.max_minutes[e]:
            out.append(Violation("max minutes", name, None, f"{total} > {inst.max_minutes[e]}"))
        if total < inst.min_minutes[e]:
            out.append(Violation("min minutes", name, None, f"{total} < {inst.min_minutes[e]}"))
        for start, length, is_work in _runs(work[e]):
            inner = start > 0 and start + length < h  # touches neither border
            if is_work and length > inst.max_consecutive[e]:
                out.append(
                    Violation(
                        "max consecutive shifts",
                        name,
                        start,
                        f"{length} > {inst.max_consecutive[e]}",
                    )
                )
            if is_work and inner and length < inst.min_consecutive[e]:
                out.append(
                    Violation(
                        "min consecutive shifts",
                        name,
                        start,
                        f"{length} < {inst.min_consecutive[e]}",
                    )
                )
            if not is_work and inner and length < inst.min_days_off[e]:
                out.append(
                    Violation(
                        "min consecutive days off",
                        name,
                        start,
                        f"{length} < {inst.min_days_off[e]}",
                    )
                )
        weekends = work[e, 5::7] | work[e, 6::7]
        if weekends.sum() > inst.max_weekends[e]:
            out.append(
                Violation(
                    "max weekends",
                    name,
                    None,
                    f"{int(weekends.sum())} > {inst.max_weekends[e]}",
                )
            )
    return out


def evaluate(inst: Instance, roster: np.ndarray) -> Evaluation:
    """Objective terms and violations of `roster` (`(staff, days)`, -1 = off)."""
    roster = np.asarray(roster, dtype=np.int64)
    viol = violations(inst, roster)
    if any(v.rule == "shift index" for v in viol):
        return Evaluation(0, 0, 0, 0, viol)
    return Evaluation(*penalty_terms(inst, roster), viol)
