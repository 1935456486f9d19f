"""Hard rules, one function per rule family.

Structural rules hold by construction of the templates (`templates.py`:
paid shift length, local start step, break length and window). Day-level
rules are folded into each agent's candidates by `problem.build_problem`
(days off, leave, site holidays `off`, personal windows, skills and data
residency).
Sequence rules are CP-SAT constraints over an agent's days (`sequence.py`:
one shift per local date, minimum rest, maximum consecutive days, weekly
maximum and minimum), and so are the v1.1 workability rules
(`workability.py`: start band, days off together, consecutive nights).
Every function says its rule in plain words and returns
what it added, so tests and explanations can point at it.
"""

from optimizer.solve.rules.sequence import (
    AgentDays,
    max_consecutive_days,
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
    max_consecutive_days,
    weekly_maximum,
    weekly_minimum,
    start_band,
    days_off_together,
    max_consecutive_nights,
)

__all__ = [
    "SEQUENCE_RULES",
    "AgentDays",
    "days_off_together",
    "max_consecutive_days",
    "max_consecutive_nights",
    "minimum_rest",
    "one_shift_per_day",
    "start_band",
    "weekly_maximum",
    "weekly_minimum",
]
