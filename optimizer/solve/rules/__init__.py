"""Hard rules, one function per rule family.

Structural rules hold by construction of the templates (`templates.py`:
paid shift length, local start step, break length and window). Day-level
rules are folded into each agent's candidates (`candidates.py`: days off,
leave, site holidays `off`, personal windows, skills and data residency).
Sequence rules are CP-SAT constraints over an agent's days (`sequence.py`:
one shift per local date, minimum rest, maximum consecutive days, weekly
maximum and minimum). Every function says its rule in plain words and returns
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

SEQUENCE_RULES = (
    one_shift_per_day,
    minimum_rest,
    max_consecutive_days,
    weekly_maximum,
    weekly_minimum,
)

__all__ = [
    "SEQUENCE_RULES",
    "AgentDays",
    "max_consecutive_days",
    "minimum_rest",
    "one_shift_per_day",
    "weekly_maximum",
    "weekly_minimum",
]
