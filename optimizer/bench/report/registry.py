"""The sections of BENCHMARKS.md, in the order they appear."""

from __future__ import annotations

from optimizer.bench.report.base import Section
from optimizer.bench.report.curtois import CURTOIS
from optimizer.bench.report.delegated import EXPORTS, PACKAGING
from optimizer.bench.report.solver import SCALE, SOLVE, WORKABILITY
from optimizer.bench.report.tools import DASHBOARD, STAFFING, SWEEP

SECTIONS: dict[str, Section] = {
    s.name: s
    for s in (
        SOLVE,
        SCALE,
        WORKABILITY,
        CURTOIS,
        STAFFING,
        SWEEP,
        DASHBOARD,
        EXPORTS,
        PACKAGING,
    )
}
