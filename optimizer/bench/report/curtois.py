"""The Curtois–Qu section: instances 1–24 by `sunroster bench curtois` (the
product's engine through the adapter), in the groups and limits of issue #7,
and each of that issue's goals met or its shortfall stated. A rerun of some
groups (`--curtois-groups`) replaces their runs in the stored record and
keeps the others, each with the machine it ran on (`merge_curtois`).

The section is named `curtois-product`, so its record is
`bench/results/curtois-product.json`, the name it was measured under."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from optimizer.bench.report.base import (
    CLI,
    REPO,
    Measured,
    Section,
    SectionFailed,
    Settings,
    Skipped,
    fmt_limit,
)
from optimizer.bench.report.markdown import goals, num, pct, table
from optimizer.bench.report.record import Record, Run, stamp

GROUPS = (("1-12", 60.0), ("13-19", 600.0), ("20-24", 300.0))  # issue #7's limits
Row = dict[str, Any]


def _folder(s: Settings) -> Path:
    if s.curtois_dir is not None:
        return s.curtois_dir
    return (REPO / ".." / "shared" / "benchmarks" / "curtois").resolve()


def command(instances: str, limit: float, workers: int, folder: Path | None) -> str:
    """The command line a run is recorded under (runnable as shown)."""
    where = f" --dir {folder}" if folder is not None else ""
    return (
        f"{CLI} bench curtois --instances {instances} --time-limit {fmt_limit(limit)} "
        f"--workers {workers}{where} --json"
    )


def parse_groups(text: str) -> tuple[str, ...]:
    """`--curtois-groups`: issue #7's groups by their instances ("1-12",
    "13-19", "20-24"), comma-separated; an unknown one is a ValueError
    listing the known ones."""
    names = tuple(dict.fromkeys(g.strip() for g in text.split(",") if g.strip()))
    known = [g for g, _ in GROUPS]
    unknown = [g for g in names if g not in known]
    if unknown or not names:
        raise ValueError(
            f"unknown group {', '.join(repr(g) for g in unknown) or repr(text)} "
            f"(known: {', '.join(known)})"
        )
    return names


def run_curtois(s: Settings) -> Measured:
    """Instances 1–24 in issue #7's groups and limits (those of
    `s.curtois_groups` only, where given), one command a group."""
    folder = _folder(s)
    if not (folder / "Instance1.txt").is_file():
        raise Skipped(f"no Curtois–Qu instances in {folder} (set --curtois-dir)")
    runs: list[Run] = []
    rows: list[Row] = []
    chosen = s.curtois_groups
    for instances, own in GROUPS:
        if chosen is not None and instances not in chosen:
            continue
        limit = s.limit(own)
        shown = command(instances, limit, s.workers, s.curtois_dir)
        runs.append(stamp([shown]))
        cmd = [
            sys.executable,
            "-m",
            "optimizer.cli.main",
            "bench",
            "curtois",
            "--instances",
            instances,
            "--time-limit",
            fmt_limit(limit),
            "--workers",
            str(s.workers),
            "--seed",
            str(s.seed),
            "--dir",
            str(folder),
            "--json",
        ]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
        if proc.returncode != 0:
            raise SectionFailed(f"`{shown}` exited with code {proc.returncode}")
        try:
            found = json.loads(proc.stdout)
        except json.JSONDecodeError:
            raise SectionFailed(f"`{shown}` did not print a JSON list") from None
        keys = ("instance", "best_known", "objective", "bound", "seconds", "status")
        for r in found:
            rows.append({k: r.get(k) for k in keys} | {"time_limit": limit, "run": len(runs) - 1})
    return Measured(tuple(runs), {"rows": rows})


def merge_curtois(stored: Record, new: Record) -> Record:
    """The stored record with `new`'s runs in place of those that measured
    the same instances at the same limits. A stored run none of whose rows
    was rerun is kept whole, with its rows and the machine it ran on; the
    runs are ordered by their first instance and the rows renumbered."""
    rerun = {(r["instance"], r["time_limit"]) for r in new.data["rows"]}
    groups: list[tuple[Run, list[Row]]] = []
    for i, run in enumerate(stored.runs):
        mine = [r for r in stored.data["rows"] if r["run"] == i]
        if any((r["instance"], r["time_limit"]) in rerun for r in mine):
            continue
        if run.machine is None:
            run = dataclasses.replace(run, machine=stored.machine)
        groups.append((run, mine))
    for i, run in enumerate(new.runs):
        groups.append((run, [r for r in new.data["rows"] if r["run"] == i]))
    groups.sort(key=lambda g: min((number(r) for r in g[1]), default=0))
    rows = [r | {"run": i} for i, (_, mine) in enumerate(groups) for r in mine]
    runs = tuple(run for run, _ in groups)
    return dataclasses.replace(new, runs=runs, data={"rows": rows})


def number(row: Row) -> int:
    """Instance12 → 12."""
    m = re.search(r"\d+", str(row["instance"]))
    return int(m.group()) if m else 0


def gap(row: Row) -> float | None:
    """(ours − best known) / best known."""
    if row.get("objective") is None or not row.get("best_known"):
        return None
    return (row["objective"] - row["best_known"]) / row["best_known"]


def _signed(row: Row) -> str:
    g = gap(row)
    return "no roster" if g is None else ("+" if g > 0 else "") + pct(g)


def _goal(
    rows: list[Row],
    first: int,
    last: int,
    max_limit: float,
    ok: Callable[[Row], bool],
    say: Callable[[Row], str],
) -> tuple[str, bool | None]:
    """Each instance first..last by its best row within `max_limit` seconds
    (one that meets the goal if any): what it shows, and whether all meet it."""
    said: list[tuple[int, str]] = []
    met, missing = True, []
    for n in range(first, last + 1):
        mine = [r for r in rows if number(r) == n and r["time_limit"] <= max_limit]
        if not mine:
            missing.append(str(n))
            continue
        good = [r for r in mine if ok(r)]
        best = min(good or mine, key=lambda r: (r.get("objective") is None, r.get("objective")))
        met = met and bool(good)
        said.append((n, say(best)))
    parts = [f"{a}: {text}" if a == b else f"{a}–{b}: {text}" for a, b, text in _spans(said)]
    if missing:
        parts.append(f"no run of {', '.join(missing)}")
    return "; ".join(parts), (met if not missing or not met else None)


def _spans(said: list[tuple[int, str]]) -> list[tuple[int, int, str]]:
    """Consecutive instances that say the same, as one span: 1–6 proven."""
    out: list[tuple[int, int, str]] = []
    for n, text in said:
        if out and out[-1][2] == text and out[-1][1] == n - 1:
            out[-1] = (out[-1][0], n, text)
        else:
            out.append((n, n, text))
    return out


def _proven(r: Row) -> str:
    if r.get("status") == "OPTIMAL":
        return "proven"
    return f"{num(r.get('objective'))} (bound {num(r.get('bound'))})"


def _optimum(r: Row) -> bool:
    return r.get("status") == "OPTIMAL" or (
        r.get("objective") is not None
        and r.get("best_known") is not None
        and r["objective"] <= r["best_known"]
    )


def goal_rows(rows: list[Row]) -> list[tuple[str, str, bool | str | None]]:
    """Issue #7's goals against the rows."""

    def within(x: float) -> Callable[[Row], bool]:
        return lambda r: (g := gap(r)) is not None and g <= x

    out = []
    for text, args in (
        (
            "1–7: the proven optimum within 60 s each",
            (1, 7, 60, lambda r: r.get("status") == "OPTIMAL", _proven),
        ),
        ("8–12: within 1 % of the best known at 60 s", (8, 12, 60, within(0.01), _signed)),
        (
            "8–12: at the optimum by 600 s",
            (8, 12, 600, _optimum, lambda r: "optimum" if _optimum(r) else _signed(r)),
        ),
        ("13–19: within 5 % of the best known at 600 s", (13, 19, 600, within(0.05), _signed)),
        (
            "20–24: a feasible roster within 300 s",
            (
                20,
                24,
                300,
                lambda r: r.get("objective") is not None,
                lambda r: "feasible" if r.get("objective") is not None else "no roster",
            ),
        ),
    ):
        result, met = _goal(rows, *args)
        out.append((text, result, met))
    closeness, _ = _goal(rows, 20, 24, 300, lambda r: True, _signed)
    out.append(("20–24: then as close to the published values as we can get", closeness, "—"))
    return out


def render_curtois(record: Record) -> str:
    rows = sorted(record.data["rows"], key=lambda r: (number(r), r["time_limit"]))
    head = [
        "instance",
        "time limit (s)",
        "best known",
        "ours",
        "gap to best known",
        "bound",
        "s to best",
        "status",
        "run",
    ]
    body = [
        [
            str(r["instance"]),
            fmt_limit(r["time_limit"]),
            num(r.get("best_known")),
            num(r.get("objective")),
            pct(gap(r)),
            num(r.get("bound")),
            num(r.get("seconds"), 1),
            str(r.get("status")),
            str(r["run"] + 1),
        ]
        for r in rows
    ]
    return "\n\n".join([table(head, "lrrrrrrlr", body), goals(goal_rows(rows))])


CURTOIS = Section(
    name="curtois-product",
    title="Curtois–Qu shift scheduling benchmark, instances 1–24 (issues #7, #23)",
    about=(
        "`sunroster bench curtois` turns each published instance "
        "(`../shared/benchmarks/curtois/`, format and objective in its `BEST_KNOWN.md`) into a "
        "Sunroster scenario (`optimizer/bench/curtois/adapter.py`) and solves it with the "
        "product's engine (`optimizer.solve.solve`); the roster goes back to the benchmark's "
        "form and the independent evaluator (`optimizer/bench/curtois/evaluate.py`) re-checks "
        "it and gives its objective. Issue #7's limits: 60 s on 1–12, 600 s on 13–19, 300 s on "
        '20–24. "Gap" is (ours − best known) / best known; "bound" our proven lower bound '
        '(— where none); "s to best" the seconds to the roster reported. Commands recorded '
        "with `--engine product` ran this same engine, chosen by an option since removed "
        "(it is the only one)."
    ),
    run=run_curtois,
    render=render_curtois,
    merge=merge_curtois,
)
