"""A Variant: one roster of one scenario (the baseline, a what-if, a stored
run) with each page's derived tables computed once, on first use."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from dashboard.data.cost import cost_components
from dashboard.data.coverage import coverage_long
from dashboard.data.follow_the_sun import site_market_counts
from dashboard.data.roster import roster_frame
from optimizer.export.cost import CostReport, cost_report
from optimizer.kpi import scheduled_counts, service_levels
from optimizer.pipeline import Prepared, RunOutput
from optimizer.quality import Quality, quality_kpis, shift_table
from optimizer.scenario.model import Scenario


@dataclass
class Variant:
    """One roster of one scenario, with its derived tables computed on first use."""

    name: str
    output: RunOutput
    overrides: dict[str, str] = field(default_factory=dict)
    source: str = ""
    run_id: int | None = None
    files: dict[str, bytes] | None = None  # downloads, made on request

    @property
    def scenario(self) -> Scenario:
        return self.output.scenario

    @property
    def prep(self) -> Prepared:
        return self.output.prepared

    @cached_property
    def scheduled(self) -> np.ndarray:
        """[Q, T] agents on each queue."""
        return scheduled_counts(self.prep.requirements, self.output.roster)

    @cached_property
    def sl(self) -> np.ndarray:
        """[Q, T] achieved service level (NaN for email and closed intervals)."""
        return service_levels(self.scenario, self.prep.requirements, self.scheduled)

    @cached_property
    def coverage(self) -> pd.DataFrame:
        """One row per queue and interval (dashboard.data.coverage.coverage_long)."""
        return coverage_long(self)

    @cached_property
    def site_market(self) -> np.ndarray:
        """[S, M, T] agents of each site on each market (dashboard.data.follow_the_sun)."""
        return site_market_counts(self)

    @cached_property
    def segments(self) -> pd.DataFrame:
        """Segments in site-local time for the Gantt (dashboard.data.roster.roster_frame)."""
        return roster_frame(self)

    @cached_property
    def cost(self) -> pd.DataFrame:
        """The pay model's cost split per site and component (dashboard.data.cost)."""
        return cost_components(self.scenario, self.output.kpis.priced)

    @cached_property
    def quality(self) -> Quality:
        """Roster-quality KPIs (from the KPIs when they carry them)."""
        q = self.output.kpis.quality
        return q if q is not None else quality_kpis(self.scenario, self.output.roster)

    @cached_property
    def starts(self) -> pd.DataFrame:
        """One row per shift: local start minute, night flag (optimizer.quality.shift_table)."""
        return shift_table(self.scenario, self.output.roster)

    @cached_property
    def cost_report(self) -> CostReport:
        """The finance module's cost tables (per contact, FX sensitivity): it
        prices every minute again, so it is made on request, then kept."""
        return cost_report(self.scenario, self.output.roster, self.prep.calendars)


def baseline_variant(output: RunOutput, source: str) -> Variant:
    """The scenario's own solve, read from `source`."""
    return Variant("baseline", output, {}, source)
