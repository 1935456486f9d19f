"""The independent checker: every hard rule, recomputed from a roster alone.

It shares no code with the solver's model (no module here imports
`optimizer.solve`; a test enforces that) — only the loader, the time and
holiday helpers, the pay model and the KPIs — so a solver bug cannot hide
behind itself. It works on rosters from any source: solved, stored or edited
by hand. Each rule is one function over the roster's shifts, named for the
rule, returning its violations:

- `shifts`: the roster as one row per shift (`shift_table`), the horizon's weeks;
- `report`: `Violation`, where it happened, and the `CheckReport`;
- `records`: known agent, site and activity, on the grid, contiguous shifts,
  shift dates;
- `shape`: each shift's paid length, start step and break;
- `shift_types`: each shift one of the rule set's named shifts, no more of
  a type than its `max_shifts`, and no forbidden succession of them, where
  it names them;
- `day`: each shift against its agent: days off, leave, holidays off,
  personal window, skills and data residency;
- `sequence`: minimum rest, consecutive days (at most, and at least where
  set), consecutive days off (at least, where set), weekly maximum and minimum;
- `horizon`: at most so many weekends worked, and the agent's paid hours
  over the horizon, where set;
- `workability` (v1.1): start band, days off together, consecutive nights;
- `activities` (v1.1): queue stretches, minimum stretch, queue switches;
- `checker`: `check_roster`, every rule in the report's order, and the KPIs.
"""

from optimizer.check.activities import minimum_stretch, queue_switches, stretches
from optimizer.check.checker import check_roster
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
from optimizer.check.shape import (
    BREAK_MIN_PAID_MINUTES,
    break_rule,
    paid_shift_length,
    start_step,
)
from optimizer.check.shift_types import forbidden_successions, max_shifts_of_type, shift_types
from optimizer.check.shifts import Shifts, shift_table
from optimizer.check.workability import (
    NIGHT_SHIFT_PAID_MINUTES,
    consecutive_nights,
    days_off_together,
    night_paid_minutes,
    start_arc_minutes,
    start_band,
)

__all__ = [
    "BREAK_MIN_PAID_MINUTES",
    "NIGHT_SHIFT_PAID_MINUTES",
    "CheckReport",
    "Shifts",
    "Violation",
    "break_rule",
    "check_roster",
    "consecutive_nights",
    "days_off_leave_and_holidays",
    "days_off_together",
    "forbidden_successions",
    "horizon_hours",
    "max_consecutive_days",
    "max_shifts_of_type",
    "max_weekends",
    "min_consecutive_days",
    "min_consecutive_days_off",
    "minimum_rest",
    "minimum_stretch",
    "night_paid_minutes",
    "one_contiguous_shift_per_date",
    "paid_shift_length",
    "personal_window",
    "queue_switches",
    "segments_known",
    "shift_date_is_local_start_date",
    "shift_table",
    "shift_types",
    "skills_and_residency",
    "start_arc_minutes",
    "start_band",
    "start_step",
    "stretches",
    "weekly_hours",
]
