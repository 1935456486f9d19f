"""Hard rules, one function per rule, named as in the checker (`optimizer.check`).

Structural rules hold by construction of the templates (`templates.py`:
paid shift length, local start step, break length and window).
Day rules are boolean masks of the options they allow (`day.py`: days off,
leave, holidays off, personal window, skills, data residency);
`problem.build_problem` combines them into each agent's candidate templates.
Sequence rules are CP-SAT constraints over an agent's days (`sequence.py`:
one shift per local date, minimum rest, the forbidden successions of the
rule set's shift types, maximum consecutive days and,
when set, minimum consecutive days worked and off, weekly maximum and
minimum), and so are the v1.1 workability rules
(`workability.py`: start band, days off together, consecutive nights) and
the horizon rules (`horizon.py`: at most so many weekends worked and
shifts of a shift type, paid hours over the horizon); each
returns the constraints it added, so tests and explanations can point at it.
Every function says its rule in plain words.
"""

from optimizer.solve.rules.horizon import horizon_hours, max_shifts_of_type, max_weekends
from optimizer.solve.rules.sequence import (
    AgentDays,
    forbidden_successions,
    max_consecutive_days,
    min_consecutive_days,
    min_consecutive_days_off,
    minimum_rest,
    one_shift_per_day,
    weekly_maximum,
    weekly_minimum,
)
from optimizer.solve.rules.workability import (
    days_off_together,
    max_consecutive_nights,
    start_band,
)

SEQUENCE_RULES = (
    one_shift_per_day,
    minimum_rest,
    forbidden_successions,
    max_consecutive_days,
    min_consecutive_days,
    min_consecutive_days_off,
    weekly_maximum,
    weekly_minimum,
    horizon_hours,
    start_band,
    days_off_together,
    max_consecutive_nights,
    max_weekends,
    max_shifts_of_type,
)

__all__ = [
    "SEQUENCE_RULES",
    "AgentDays",
    "days_off_together",
    "forbidden_successions",
    "horizon_hours",
    "max_consecutive_days",
    "max_consecutive_nights",
    "max_shifts_of_type",
    "max_weekends",
    "min_consecutive_days",
    "min_consecutive_days_off",
    "minimum_rest",
    "one_shift_per_day",
    "start_band",
    "weekly_maximum",
    "weekly_minimum",
]
