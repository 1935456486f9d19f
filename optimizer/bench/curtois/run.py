"""Run a list of Curtois–Qu instances and compare with the best-known values.

`run_instances` solves each instance with the product's engine through the
adapter (`adapter.solve_instance`), re-checks the roster with the
independent evaluator (a roster the evaluator rejects, or whose objective
differs from the one reported, is an error, not a result), and returns one
`Record` per instance. `best_known` reads the table of BEST_KNOWN.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from optimizer.bench.curtois.adapter import Outcome, solve_instance
from optimizer.bench.curtois.evaluate import evaluate
from optimizer.bench.curtois.parse import Instance, instance_path, parse_instance


@dataclass(frozen=True)
class Record:
    """One instance's result: `seconds` is the time to our best roster."""

    instance: str
    best_known: int | None
    objective: int | None
    bound: int | None
    seconds: float | None
    status: str
    time_limit: float
    total_seconds: float

    @property
    def gap(self) -> float | None:
        """(ours − best known) / best known; None without either."""
        if self.objective is None or not self.best_known:
            return None
        return (self.objective - self.best_known) / self.best_known

    def as_dict(self) -> dict:
        d = asdict(self)
        d["gap"] = None if self.gap is None else round(self.gap, 6)
        return d


_ROW = re.compile(r"^\|\s*Instance(\d+)\s*\|(?:[^|]*\|){3}\s*(\d+)\s*\|")


def best_known(folder: str | Path) -> dict[int, int]:
    """Instance number → best-known objective, from `folder/BEST_KNOWN.md`."""
    out = {}
    path = Path(folder) / "BEST_KNOWN.md"
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _ROW.match(line)
        if m:
            out[int(m.group(1))] = int(m.group(2))
    return out


def parse_selection(text: str) -> list[int]:
    """`"1-12"`, `"1,3,5"` or a mix (`"1-3,7"`) → sorted instance numbers in 1…24."""
    out: set[int] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        lo, dash, hi = part.partition("-")
        try:
            a, b = int(lo), int(hi) if dash else int(lo)
        except ValueError:
            raise ValueError(f"bad instance selection {part!r} (want e.g. 1-12 or 1,3,5)") from None
        if not 1 <= a <= b <= 24:
            raise ValueError(f"instances are numbered 1–24, got {part!r}")
        out.update(range(a, b + 1))
    if not out:
        raise ValueError("no instance selected")
    return sorted(out)


def check_outcome(outcome: Outcome, inst: Instance) -> None:
    """Raise when the evaluator rejects the roster or disagrees with the objective."""
    if outcome.roster is None:
        return
    ev = evaluate(inst, outcome.roster)
    if not ev.feasible:
        raise RuntimeError(f"{inst.name}: the engine's roster breaks {ev.violations[:3]}")
    if ev.objective != outcome.objective:
        raise RuntimeError(
            f"{inst.name}: evaluator objective {ev.objective} ≠ reported {outcome.objective}"
        )


def run_instances(
    folder: str | Path,
    numbers: Iterable[int],
    time_limit: float | Callable[[int], float] = 60.0,
    workers: int = 2,
    seed: int = 0,
    on_record: Callable[[Record], None] | None = None,
) -> list[Record]:
    """Solve each instance with the product's engine (`time_limit` seconds,
    or a function of its number); `on_record` hears of each as it ends."""
    known = best_known(folder)
    records = []
    for n in numbers:
        inst = parse_instance(instance_path(folder, n))
        limit = time_limit(n) if callable(time_limit) else time_limit
        out = solve_instance(inst, time_limit=limit, workers=workers, seed=seed)
        check_outcome(out, inst)
        rec = Record(
            instance=inst.name,
            best_known=known.get(n),
            objective=out.objective,
            bound=out.bound,
            seconds=out.seconds_to_best,
            status=out.status,
            time_limit=limit,
            total_seconds=out.seconds,
        )
        records.append(rec)
        if on_record is not None:
            on_record(rec)
    return records
