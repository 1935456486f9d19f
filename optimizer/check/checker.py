"""`check_roster`: every rule over a roster, in the report's order, the
idle-time warning, and the KPIs."""

from __future__ import annotations

from optimizer.calendars import Calendars, calendars_of
from optimizer.check.activities import minimum_stretch, queue_switches
from optimizer.check.day import days_off_leave_and_holidays, personal_window, skills_and_residency
from optimizer.check.horizon import horizon_hours, max_weekends
from optimizer.check.records import (
    one_contiguous_shift_per_date,
    segments_known,
    shift_date_is_local_start_date,
)
from optimizer.check.report import CheckReport, Violation
from optimizer.check.sequence import (
    max_consecutive_days,
    min_consecutive_days,
    min_consecutive_days_off,
    minimum_rest,
    weekly_hours,
)
from optimizer.check.shape import break_rule, paid_shift_length, start_step
from optimizer.check.shift_types import forbidden_successions, max_shifts_of_type, shift_types
from optimizer.check.shifts import Shifts, shift_table
from optimizer.check.workability import consecutive_nights, days_off_together, start_band
from optimizer.kpi import kpis
from optimizer.roster import Roster
from optimizer.scenario.model import Scenario
from optimizer.staffing.requirements import Requirements, compute_requirements
from optimizer.timegrid import TimeGrid


def check_roster(
    scenario: Scenario,
    roster: Roster,
    calendars: Calendars | None = None,
    requirements: Requirements | None = None,
) -> CheckReport:
    """Every hard-rule violation of `roster`, and its KPIs."""
    sc = scenario
    cal = calendars or calendars_of(sc)
    grid = TimeGrid.of(sc)
    req = requirements or compute_requirements(sc, grid, cal)
    sh = shift_table(sc, roster)
    v: list[Violation] = []
    v += segments_known(sc, sh, grid)
    v += one_contiguous_shift_per_date(sc, sh)
    v += shift_date_is_local_start_date(sc, sh)
    known = sh.table[sh.table["site"].isin(list(sc.site_by_id))] if len(sh.table) else sh.table
    sh_known = Shifts(known, sh.segments)
    v += paid_shift_length(sc, sh_known)
    v += start_step(sc, sh_known)
    v += break_rule(sc, sh_known)
    v += shift_types(sc, sh_known)
    v += minimum_rest(sc, sh_known)
    v += forbidden_successions(sc, sh_known)
    v += max_consecutive_days(sc, sh_known)
    v += min_consecutive_days(sc, sh_known)
    v += min_consecutive_days_off(sc, sh_known)
    v += max_weekends(sc, sh_known)
    v += max_shifts_of_type(sc, sh_known)
    v += weekly_hours(sc, sh_known, cal)
    v += horizon_hours(sc, sh_known)
    v += days_off_leave_and_holidays(sc, sh_known, cal)
    v += personal_window(sc, sh_known)
    v += skills_and_residency(sc, sh_known)
    v += start_band(sc, sh_known)
    v += days_off_together(sc, sh_known)
    v += consecutive_nights(sc, sh_known)
    known_seg = sh.segments[sh.segments["site"].isin(list(sc.site_by_id))]
    v += minimum_stretch(sc, Shifts(known, known_seg))
    v += queue_switches(sc, Shifts(known, known_seg))
    warnings = []
    cov = roster.coverage(req.queue_ids, grid.start, grid.interval, grid.n)
    closed = int((cov[~req.open]).sum())
    if closed:
        warnings.append(
            f"{closed} agent-interval(s) on queues while they are closed (not a rule, just idle time)"
        )
    k = (
        kpis(sc, req, roster, cal)
        if not any(x.rule in ("known agent", "known activity") for x in v)
        else None
    )
    return CheckReport(v, k, warnings)
