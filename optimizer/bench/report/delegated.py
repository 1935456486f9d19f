"""Sections measured by another module's `report_section()`: the export
formats (`optimizer/bench/exports.py`) and packaging (`optimizer/bench/packaging.py`).

Each module returns its section as Markdown (machine, command, figures); the
report stores it as given and nests its headings under the section's own.
The modules are imported only when their section runs, so a checkout without
one still renders the rest, and says why that section is missing.
"""

from __future__ import annotations

import importlib
import re
from types import ModuleType

from optimizer.bench.report.base import CLI, Measured, Section, SectionFailed, Settings, Skipped
from optimizer.bench.report.record import Record, stamp

_HEADING = re.compile(r"^(#{1,6}) ")


def _module(name: str) -> ModuleType:
    full = f"optimizer.bench.{name}"
    try:
        return importlib.import_module(full)
    except ModuleNotFoundError as exc:
        if exc.name in (full, "optimizer.bench"):
            raise Skipped(f"`optimizer/bench/{name}.py` is not in this checkout yet") from None
        raise SectionFailed(
            f"`optimizer/bench/{name}.py` needs `{exc.name}`, not installed"
        ) from None


def _text(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SectionFailed(f"optimizer.bench.{name}.report_section() returned no Markdown")
    return value


def nest(markdown: str) -> str:
    """The module's Markdown with its headings moved down so the shallowest is
    `###` (under our `##`), their nesting kept, code blocks left alone."""
    lines = markdown.strip().splitlines()
    fenced, heads = False, []
    for i, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and (m := _HEADING.match(line)):
            heads.append((i, len(m[1])))
    shift = max(0, 3 - min((level for _, level in heads), default=3))
    for i, level in heads:
        lines[i] = "#" * min(6, level + shift) + lines[i][level:]
    return "\n".join(lines)


def run_exports(s: Settings) -> Measured:
    mod = _module("exports")
    run = stamp([f"{CLI} bench report --sections exports --scenario {s.scenario} --out {s.out}"])
    text = _text(mod.report_section(s.scenario, s.out), "exports")
    return Measured((run,), {"markdown": text})


def run_packaging(s: Settings) -> Measured:
    mod = _module("packaging")
    run = stamp([f"{CLI} bench report --sections packaging"])
    return Measured((run,), {"markdown": _text(mod.report_section(), "packaging")})


def render(record: Record) -> str:
    return nest(record.data["markdown"])


EXPORTS = Section(
    name="exports",
    title="Exports: building the files on the baseline (issue #25)",
    about=(
        "How long the export formats take on the solved baseline, measured by "
        "`optimizer/bench/exports.py` (its own figures, machine and command below)."
    ),
    run=run_exports,
    render=render,
)

PACKAGING = Section(
    name="packaging",
    title="Packaging: start-up time and install size (issue #25)",
    about=(
        "`sunroster --help` start-up time and the size of a core install, measured by "
        "`optimizer/bench/packaging.py` (its own figures, machine and command below)."
    ),
    run=run_packaging,
    render=render,
)
