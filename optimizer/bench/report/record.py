"""A section's stored result: `bench/results/<section>.json`.

A record holds the figures of one section and where they come from: the
machine, and for each run the exact commands, when it started and on which
git commit. `carried` marks figures measured before the report existed and
carried over from BENCHMARKS.md as it stood at that commit. Records are
written whole or not at all (`optimizer.files.atomic_file`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from optimizer.files import atomic_file

SCHEMA = 1
_REPO = Path(__file__).resolve().parents[3]


class RecordError(ValueError):
    """A stored record that cannot be read: the message names the file and the field."""


@dataclass(frozen=True)
class Run:
    """One benchmark run: the commands that reproduce it, when it started (UTC,
    ISO 8601), the commit it measured, whether the tree had uncommitted
    changes then (None: not known), whether it was carried over, and the
    machine it ran on where that is not its record's (a run kept from an
    earlier record when part of a section was rerun; None: the record's)."""

    commands: tuple[str, ...]
    measured_at: str
    commit: str
    dirty: bool | None = None
    carried: bool = False
    machine: dict[str, Any] | None = None


@dataclass(frozen=True)
class Record:
    section: str
    machine: dict[str, Any]
    runs: tuple[Run, ...]
    data: dict[str, Any]
    notes: tuple[str, ...] = ()

    @property
    def measured_at(self) -> str:
        """When its latest run started."""
        return max(r.measured_at for r in self.runs)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["runs"] = [_run_json(r) for r in self.runs]
        out["notes"] = list(self.notes)
        return {"schema": SCHEMA, **out}


def _run_json(run: Run) -> dict[str, Any]:
    """A run as stored: its machine only where it has its own."""
    out = asdict(run) | {"commands": list(run.commands)}
    if run.machine is None:
        del out["machine"]
    return out


def now() -> str:
    """The current time, UTC, to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _git(*args: str) -> str | None:
    try:
        proc = subprocess.run(
            ["git", *args], cwd=_REPO, capture_output=True, text=True, check=False, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


# what `bench report` itself writes: not a change to the code measured
OWN_OUTPUTS = (":(exclude)bench/results", ":(exclude)BENCHMARKS.md")


def stamp(commands: tuple[str, ...] | list[str]) -> Run:
    """A run starting now, on the checked-out commit; dirty when a tracked
    file differs from it — but for the report's own outputs, which a run of
    several sections writes between them."""
    status = _git("status", "--porcelain", "--untracked-files=no", "--", ".", *OWN_OUTPUTS)
    return Run(
        commands=tuple(commands),
        measured_at=now(),
        commit=_git("rev-parse", "HEAD") or "unknown",
        dirty=None if status is None else bool(status),
    )


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float | None:
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        return None


def machine() -> dict[str, Any]:
    """This machine: CPU model, cores, RAM, OS, Python, OR-Tools, and the load
    average when the section started (the machine may be shared)."""
    import ortools

    try:
        load = round(os.getloadavg()[0], 1)
    except OSError:
        load = None
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": _ram_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "ortools": ortools.__version__,
        "load": load,
    }


def save(record: Record, folder: Path) -> Path:
    """Write `folder/<section>.json`, replacing the old record in one rename."""
    path = folder / f"{record.section}.json"
    with atomic_file(path) as tmp:
        tmp.write_text(
            json.dumps(record.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return path


def _field(d: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in d:
        raise RecordError(f"{where}: missing field '{key}'")
    if not isinstance(d[key], kind):
        raise RecordError(f"{where}: field '{key}' is {type(d[key]).__name__}")
    return d[key]


def load(path: Path) -> Record:
    """Read one record; a file that is not a record of this schema is a
    `RecordError` naming the file (and the field)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise RecordError(f"{path}: line {exc.lineno}: not JSON: {exc.msg}") from None
    if not isinstance(raw, dict):
        raise RecordError(f"{path}: not a JSON object")
    where = str(path)
    if _field(raw, "schema", int, where) != SCHEMA:
        raise RecordError(f"{path}: field 'schema' is {raw['schema']}, this version reads {SCHEMA}")
    runs = []
    for i, r in enumerate(_field(raw, "runs", list, where)):
        at = f"{path}: runs[{i}]"
        if not isinstance(r, dict):
            raise RecordError(f"{at}: not a JSON object")
        commands = _field(r, "commands", list, at)
        if not all(isinstance(c, str) for c in commands):
            raise RecordError(f"{at}: field 'commands' must list strings")
        measured_at = _field(r, "measured_at", str, at)
        try:
            dt.datetime.fromisoformat(measured_at)
        except ValueError:
            raise RecordError(
                f"{at}: field 'measured_at' is not an ISO date: {measured_at!r}"
            ) from None
        own = r.get("machine")
        if own is not None and not isinstance(own, dict):
            raise RecordError(f"{at}: field 'machine' is {type(own).__name__}")
        runs.append(
            Run(
                commands=tuple(commands),
                measured_at=measured_at,
                commit=_field(r, "commit", str, at),
                dirty=r.get("dirty"),
                carried=bool(r.get("carried", False)),
                machine=own,
            )
        )
    if not runs:
        raise RecordError(f"{path}: field 'runs' is empty")
    notes = _field(raw, "notes", list, where) if "notes" in raw else []
    return Record(
        section=_field(raw, "section", str, where),
        machine=_field(raw, "machine", dict, where),
        runs=tuple(runs),
        data=_field(raw, "data", dict, where),
        notes=tuple(str(n) for n in notes),
    )
